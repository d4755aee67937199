"""The case model: one patient's procedure, validated, ready for the content layer.

`build_case` turns raw text fields (from the command line, a CSV row or a FHIR record) into a `Case`, or
raises an `InputError` naming the bad field (`InvalidFields` when several are bad: every one, in field
order). Field names are the CSV column names. `parse_field` is the rule for one field, for a caller that
checks each answer as it is typed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import vocab
from .errors import InputError, InvalidFields
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
# The latest date any field may hold. The document counts forward from the procedure date (at most 180
# days, the largest site limit), and every date it prints must exist: the calendar ends at 9999-12-31.
# A fixed bound, never "today": the same input must give the same answer whatever the day it runs.
LATEST_DATE = dt.date(9998, 12, 31)


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
            return check_date(dt.date.fromisoformat(text), field)
        us = _US_DATE.match(text)
        if us:
            return check_date(dt.date(int(us.group(3)), int(us.group(1)), int(us.group(2))), field)
    except ValueError:
        raise InputError(field, f"is not a real calendar date; use {DATE_FORMATS}") from None
    raise InputError(field, f"must be a date written {DATE_FORMATS}")


def check_date(value: dt.date, field: str) -> dt.date:
    """The date, if it is no later than LATEST_DATE (so every date counted from it exists)."""
    if value > LATEST_DATE:
        raise InputError(field, f"must be no later than {LATEST_DATE.isoformat()}")
    return value


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


# The rule for each field's text, in field order: build_case and the command line's prompts both use it.
_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "patient_name": lambda text, field: clean_text(text, field, MAX_NAME_LENGTH),
    "mrn": lambda text, field: clean_text(text, field, MAX_MRN_LENGTH),
    "dob": parse_date,
    "procedure": parse_choice,
    "levels": parse_levels,
    "anesthesia": parse_choice,
    "overnight": parse_bool,
    "procedure_date": parse_date,
    "cause": parse_choice,
    "follow_up": parse_datetime,
    "brace": parse_bool,
    "blood_thinner_restart": parse_date,
    "large_print": parse_bool,
    "paper": parse_choice,
    "language": parse_choice,
    "procedure_time": parse_time,
}


def parse_field(field: str, value: str) -> Any:
    """One field's text as its value (a str, date, bool, tuple of levels, ...); raises InputError naming it.
    Rules between fields (the birth date before the procedure date) are build_case's."""
    return _PARSERS[field](value, field)


def _cross_field_errors(values: Mapping[str, Any]) -> list[InputError]:
    """The rules between two fields, checked only when both parsed: the error names the first of them."""
    errors: list[InputError] = []
    procedure_date: dt.date | None = values.get("procedure_date")
    if procedure_date is None:
        return errors
    dob: dt.date | None = values.get("dob")
    if dob is not None:
        if dob >= procedure_date:
            errors.append(InputError("dob", "must be before the procedure date"))
        elif procedure_date.year - dob.year > OLDEST_AGE_YEARS:
            errors.append(InputError("dob", f"gives an age over {OLDEST_AGE_YEARS} years; check the year"))
    follow_up: dt.datetime | None = values.get("follow_up")
    if follow_up is not None and follow_up.date() < procedure_date:
        errors.append(InputError("follow_up", "must not be before the procedure date"))
    restart: dt.date | None = values.get("blood_thinner_restart")
    if restart is not None and restart < procedure_date:
        errors.append(InputError("blood_thinner_restart", "must not be before the procedure date"))
    return errors


def build_case(raw: Mapping[str, str | None]) -> Case:
    """Validate raw text fields into a Case.

    Every bad field is reported, in field order (ALL_FIELDS): one raises its InputError, several raise
    InvalidFields. A rule between two fields is checked when both parsed."""
    unknown = set(raw) - set(ALL_FIELDS)
    if unknown:
        raise InputError(sorted(unknown)[0], f"is not a case field; fields are: {', '.join(ALL_FIELDS)}")
    values: dict[str, Any] = {}
    errors: dict[str, InputError] = {}
    for field in ALL_FIELDS:
        text = _present(raw, field)
        if text is None:
            if field in REQUIRED_FIELDS:
                errors[field] = InputError(field, "is required")
            continue
        try:
            values[field] = parse_field(field, text)
        except InputError as error:
            errors[field] = error
    for cross in _cross_field_errors(values):
        errors.setdefault(cross.field, cross)
    if errors:
        ordered = [errors[field] for field in ALL_FIELDS if field in errors]
        raise ordered[0] if len(ordered) == 1 else InvalidFields(ordered)
    # Optional fields left out take the Case's defaults (no cause, English, the site's paper, ...).
    return Case(**values)


def check_case_dates(case: Case) -> None:
    """Refuse a Case (built by hand, not by build_case) whose dates run past LATEST_DATE."""
    follow_up = case.follow_up.date() if case.follow_up is not None else None
    for field, value in (
        ("dob", case.dob),
        ("procedure_date", case.procedure_date),
        ("follow_up", follow_up),
        ("blood_thinner_restart", case.blood_thinner_restart),
    ):
        if value is not None:
            check_date(value, field)
