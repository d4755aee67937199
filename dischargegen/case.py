"""The case model: one patient's procedure, validated, ready for the content layer.

`build_case` turns raw text fields (from the command line, a CSV row or a FHIR record) into a `Case`, or
raises `InputError` naming the first bad field. Field names are the CSV column names.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from . import vocab
from .errors import InputError
from .levels import parse_levels

REQUIRED_FIELDS = (
    "patient_name",
    "mrn",
    "dob",
    "procedure",
    "levels",
    "anesthesia",
    "overnight",
    "procedure_date",
)
OPTIONAL_FIELDS = (
    "cause",
    "follow_up",
    "brace",
    "blood_thinner_restart",
    "large_print",
    "paper",
    "language",
    "procedure_time",
)
ALL_FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS

MAX_NAME_LENGTH = 80
MAX_MRN_LENGTH = 64
OLDEST_AGE_YEARS = 125


@dataclass(frozen=True)
class Case:
    patient_name: str
    mrn: str
    dob: dt.date
    procedure: str
    levels: tuple[str, ...]
    anesthesia: str
    overnight: bool
    procedure_date: dt.date
    procedure_time: dt.time | None = None
    cause: str | None = None
    follow_up: dt.datetime | None = None
    brace: bool | None = None
    blood_thinner_restart: dt.date | None = None
    large_print: bool = False
    paper: str | None = None  # None: the site's default paper size
    language: str = "en"

    @property
    def discharge_date(self) -> dt.date:
        return self.procedure_date + dt.timedelta(days=1) if self.overnight else self.procedure_date


def _choice(value: str, field: str, synonyms: Mapping[str, str], allowed: tuple[str, ...]) -> str:
    key = " ".join(value.strip().lower().split())
    if key in synonyms:
        return synonyms[key]
    raise InputError(field, f"must be one of: {', '.join(allowed)}")


_CHOICES: dict[str, tuple[Mapping[str, str], tuple[str, ...]]] = {
    "procedure": (vocab.PROCEDURE_SYNONYMS, vocab.PROCEDURES),
    "anesthesia": (vocab.ANESTHESIA_SYNONYMS, vocab.ANESTHESIA),
    "cause": (vocab.CAUSE_SYNONYMS, vocab.CAUSES),
    "language": (vocab.LANGUAGE_SYNONYMS, vocab.LANGUAGES),
    "paper": (vocab.PAPER_SYNONYMS, vocab.PAPER_SIZES),
}


def parse_choice(value: str, field: str) -> str:
    synonyms, allowed = _CHOICES[field]
    return _choice(value, field, synonyms, allowed)


def parse_bool(value: str, field: str) -> bool:
    key = value.strip().lower()
    if key in vocab.TRUE_WORDS:
        return True
    if key in vocab.FALSE_WORDS:
        return False
    raise InputError(field, "must be yes or no (also accepted: true/false, y/n, 1/0)")


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::00)?$")  # EHR exports often add ":00" seconds
DATE_FORMATS = "YYYY-MM-DD or MM/DD/YYYY"


def parse_date(value: str, field: str) -> dt.date:
    text = value.strip()
    try:
        if _ISO_DATE.match(text):
            return dt.date.fromisoformat(text)
        us = _US_DATE.match(text)
        if us:
            return dt.date(int(us.group(3)), int(us.group(1)), int(us.group(2)))
    except ValueError:
        raise InputError(field, f"is not a real calendar date; use {DATE_FORMATS}") from None
    raise InputError(field, f"must be a date written {DATE_FORMATS}")


def parse_time(value: str, field: str) -> dt.time:
    match = _TIME.match(value.strip())
    if match:
        try:
            return dt.time(int(match.group(1)), int(match.group(2)))
        except ValueError:
            pass
    raise InputError(field, "must be a 24-hour time written HH:MM, such as 09:30 or 14:00")


def parse_datetime(value: str, field: str) -> dt.datetime:
    """A date and a time separated by a space or a 'T' ("2027-01-12 14:30")."""
    parts = value.strip().replace("T", " ", 1).split()
    if len(parts) != 2:
        raise InputError(
            field, f"must be a date and a time, written 'YYYY-MM-DD HH:MM' ({DATE_FORMATS} for the date)"
        )
    return dt.datetime.combine(parse_date(parts[0], field), parse_time(parts[1], field))


def clean_text(value: str, field: str, max_length: int) -> str:
    """Fold runs of white space (line breaks too) to one space; reject other control characters.

    The result is printed literally: it is never read as markup, a template or a path.
    """
    text = " ".join(value.split())
    if not text:
        raise InputError(field, "is empty")
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise InputError(
                field,
                f"contains the control or unassigned character U+{ord(char):04X}, which cannot be printed",
            )
    if len(text) > max_length:
        raise InputError(field, f"is longer than {max_length} characters")
    return text


def _present(raw: Mapping[str, str | None], field: str) -> str | None:
    value = raw.get(field)
    if value is None or not str(value).strip():
        return None
    return str(value)


def build_case(raw: Mapping[str, str | None]) -> Case:
    """Validate raw text fields into a Case; the first invalid field raises InputError."""
    unknown = set(raw) - set(ALL_FIELDS)
    if unknown:
        raise InputError(sorted(unknown)[0], f"is not a case field; fields are: {', '.join(ALL_FIELDS)}")
    for field in REQUIRED_FIELDS:
        if _present(raw, field) is None:
            raise InputError(field, "is required")

    def required(field: str) -> str:
        value = _present(raw, field)
        assert value is not None  # checked above
        return value

    name = clean_text(required("patient_name"), "patient_name", MAX_NAME_LENGTH)
    mrn = clean_text(required("mrn"), "mrn", MAX_MRN_LENGTH)
    dob = parse_date(required("dob"), "dob")
    procedure = parse_choice(required("procedure"), "procedure")
    levels = parse_levels(required("levels"))
    anesthesia = parse_choice(required("anesthesia"), "anesthesia")
    overnight = parse_bool(required("overnight"), "overnight")
    procedure_date = parse_date(required("procedure_date"), "procedure_date")

    if dob >= procedure_date:
        raise InputError("dob", "must be before the procedure date")
    if procedure_date.year - dob.year > OLDEST_AGE_YEARS:
        raise InputError("dob", f"gives an age over {OLDEST_AGE_YEARS} years; check the year")

    def optional(field: str) -> str | None:
        return _present(raw, field)

    procedure_time = parse_time(v, "procedure_time") if (v := optional("procedure_time")) else None
    cause = parse_choice(v, "cause") if (v := optional("cause")) else None
    follow_up = parse_datetime(v, "follow_up") if (v := optional("follow_up")) else None
    if follow_up is not None and follow_up.date() < procedure_date:
        raise InputError("follow_up", "must not be before the procedure date")
    brace = parse_bool(v, "brace") if (v := optional("brace")) else None
    restart = parse_date(v, "blood_thinner_restart") if (v := optional("blood_thinner_restart")) else None
    if restart is not None and restart < procedure_date:
        raise InputError("blood_thinner_restart", "must not be before the procedure date")
    large_print = parse_bool(v, "large_print") if (v := optional("large_print")) else False
    paper = parse_choice(v, "paper") if (v := optional("paper")) else None
    language = parse_choice(v, "language") if (v := optional("language")) else "en"

    return Case(
        patient_name=name,
        mrn=mrn,
        dob=dob,
        procedure=procedure,
        levels=levels,
        anesthesia=anesthesia,
        overnight=overnight,
        procedure_date=procedure_date,
        procedure_time=procedure_time,
        cause=cause,
        follow_up=follow_up,
        brace=brace,
        blood_thinner_restart=restart,
        large_print=large_print,
        paper=paper,
        language=language,
    )
