"""The case model: one patient's procedure, validated, ready for the content layer.

`build_case` turns raw text fields (from the command line, a CSV row or a FHIR record) into a `Case`, or
raises an `InputError` naming the bad field (`InvalidFields` when several are bad: every one, in field
order). Field names are the CSV column names. `parse_field` is the rule for one field, for a caller that
checks each answer as it is typed. `check_case` holds a Case built in code (not by build_case) to the same
rules, for render_pdf.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import vocab
from .errors import InputError, one_error
from .levels import check_levels, parse_levels

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
    "blood_thinner",
    "physical_therapy",
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
    blood_thinner: bool | None = None  # takes one (True), takes none (False), not stated (None)
    physical_therapy: bool | None = None  # ordered (True), not ordered (False), not stated (None)
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


def parse_takes_blood_thinner(value: str, field: str) -> bool:
    """Yes or no; a date here is a restart date in the wrong column, and the message says where it goes."""
    try:
        return parse_bool(value, field)
    except InputError:
        text = value.strip()
        if _ISO_DATE.match(text) or _US_DATE.match(text):
            raise InputError(
                field, "must be yes or no, not a date; a restart date goes in blood_thinner_restart"
            ) from None
        raise


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
    "blood_thinner": parse_takes_blood_thinner,
    "physical_therapy": parse_bool,
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
    """The rules between two fields, checked only when both parsed: the error names the first of them, or
    the one that is more likely wrong."""
    errors: list[InputError] = []
    # A restart date is written only for a patient who takes a blood thinner: "no" beside one is a slip in
    # one of the two, and printing either would be wrong. Named on blood_thinner: a yes/no is the likelier
    # slip (a ticked box, a defaulted column) than a date someone wrote down.
    if values.get("blood_thinner") is False and values.get("blood_thinner_restart") is not None:
        errors.append(
            InputError(
                "blood_thinner",
                "is no, but a blood-thinner restart date is given, which means the patient takes one; "
                "give yes, or leave out the restart date",
            )
        )
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
    _raise_in_field_order(errors, values)
    # Optional fields left out take the Case's defaults (no cause, English, the site's paper, ...).
    return Case(**values)


def _raise_in_field_order(errors: dict[str, InputError], values: Mapping[str, Any]) -> None:
    """Add the rules between fields (over the fields that passed), then raise every error in field order:
    one as itself, several as InvalidFields."""
    for cross in _cross_field_errors(values):
        errors.setdefault(cross.field, cross)
    if errors:
        ordered = [errors[field] for field in ALL_FIELDS if field in errors]
        raise one_error(ordered)


def _check_text(max_length: int) -> Callable[[Any, str], Any]:
    def check(value: Any, field: str) -> Any:
        if not isinstance(value, str):
            raise InputError(field, "must be a str")
        # clean_text's rules; its cost grows with the text, so the length bound comes first.
        if len(value) > max_length:
            raise InputError(field, f"is longer than {max_length} characters")
        if clean_text(value, field, max_length) != value:
            raise InputError(
                field, "must be one line with single spaces and none at either end, as build_case gives it"
            )
        return value

    return check


def _check_choice(value: Any, field: str) -> Any:
    allowed = _CHOICES[field][1]
    if value not in allowed or not isinstance(value, str):
        raise InputError(field, f"must be one of: {', '.join(allowed)}")
    return value


def _check_date_value(value: Any, field: str) -> Any:
    # A datetime is a date too, but compares with neither a date nor the bounds: only a plain date passes.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InputError(field, "must be a datetime.date")
    return check_date(value, field)


def _check_datetime(value: Any, field: str) -> Any:
    if not isinstance(value, dt.datetime):
        raise InputError(field, "must be a datetime.datetime")
    check_date(value.date(), field)
    return value


def _check_time(value: Any, field: str) -> Any:
    if not isinstance(value, dt.time):
        raise InputError(field, "must be a datetime.time")
    return value


def _check_bool(value: Any, field: str) -> Any:
    if not isinstance(value, bool):
        raise InputError(field, "must be True or False")
    return value


# The rule for each field's value in a Case, in field order: the same rules as _PARSERS, without the parsing.
_CHECKERS: dict[str, Callable[[Any, str], Any]] = {
    "patient_name": _check_text(MAX_NAME_LENGTH),
    "mrn": _check_text(MAX_MRN_LENGTH),
    "dob": _check_date_value,
    "procedure": _check_choice,
    "levels": check_levels,
    "anesthesia": _check_choice,
    "overnight": _check_bool,
    "procedure_date": _check_date_value,
    "cause": _check_choice,
    "follow_up": _check_datetime,
    "brace": _check_bool,
    "blood_thinner_restart": _check_date_value,
    "blood_thinner": _check_bool,
    "physical_therapy": _check_bool,
    "large_print": _check_bool,
    "paper": _check_choice,
    "language": _check_choice,
    "procedure_time": _check_time,
}
# Optional fields whose Case default is None: None means "not given", as build_case leaves them.
_MAY_BE_NONE = frozenset(field.name for field in dataclasses.fields(Case) if field.default is None)


def check_case(case: Case) -> None:
    """Hold a Case built in code (dataclasses.replace, a caller's own constructor) to build_case's rules.

    Raises what build_case would: an InputError naming the field, InvalidFields for several, in field order;
    never the value. A Case from build_case always passes. A few comparisons per field: render_pdf calls it
    for every document."""
    values: dict[str, Any] = {}
    errors: dict[str, InputError] = {}
    for field, check in _CHECKERS.items():
        value = getattr(case, field)
        if value is None and field in _MAY_BE_NONE:
            continue
        try:
            values[field] = check(value, field)
        except InputError as error:
            errors[field] = error
    _raise_in_field_order(errors, values)
