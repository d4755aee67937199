"""The nurse's form: which inputs show each case field, and a posted form read back as the case fields.

The field names are the batch CSV's (case.ALL_FIELDS); the choices come from vocab, so a language or a
value the library learns shows up here without an edit. The rules are the library's: a post is checked by
build_case and its errors are shown beside the field they name. Only the labels and hints are this page's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

from .. import vocab
from ..case import ALL_FIELDS, MAX_MRN_LENGTH, MAX_NAME_LENGTH, REQUIRED_FIELDS
from ..errors import InputError, PrintError, each_error
from ..languages import enabled_languages
from ..printing import MAX_COPIES, PrintOptions
from ..site import SiteSettings

# How a field is typed: an <input type=...> or "radio", "select", "checkbox".
TEXT, DATE, TIME, DATETIME, RADIO, SELECT, CHECKBOX = (
    "text",
    "date",
    "time",
    "datetime-local",
    "radio",
    "select",
    "checkbox",
)
NOT_STATED = ""  # the value of the "Not stated" choice: the field is left out, as a blank CSV cell


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    name: str  # the case field (a batch CSV column)
    label: str
    kind: str
    hint: str = ""
    choices: tuple[Choice, ...] = ()
    max_length: int | None = None

    @property
    def required(self) -> bool:
        return self.name in REQUIRED_FIELDS

    @property
    def grouped(self) -> bool:
        """Radio buttons: a fieldset whose legend is the label."""
        return self.kind == RADIO


@dataclass(frozen=True)
class Group:
    legend: str
    fields: tuple[FormField, ...]


def _named(values: tuple[str, ...]) -> tuple[Choice, ...]:
    return tuple(Choice(value, value.capitalize()) for value in values)


def language_name(code: str) -> str:
    """The language as "Spanish (español)": in English for the nurse, and in itself; the code itself
    where Babel does not know it (a language is offered as soon as the library has it)."""
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    english = locale.get_display_name("en") or code
    own = locale.get_display_name(locale) or english
    return english if own == english else f"{english} ({own})"


def _languages(site: SiteSettings) -> tuple[Choice, ...]:
    # Only what the site has enabled ([content] enabled_languages): a draft translation nobody at the site
    # has reviewed is not offered (the library would refuse it anyway).
    return tuple(Choice(language.code, language_name(language.code)) for language in enabled_languages(site))


_YES_NO_NOT_STATED = (Choice("yes", "Yes"), Choice("no", "No"), Choice(NOT_STATED, "Not stated"))


def form_groups(site: SiteSettings) -> tuple[Group, ...]:
    """Every case field, grouped as a nurse fills them in."""
    return (
        Group(
            "Patient",
            (
                FormField("patient_name", "Patient name", TEXT, max_length=MAX_NAME_LENGTH),
                FormField("mrn", "Medical record number (MRN)", TEXT, max_length=MAX_MRN_LENGTH),
                FormField("dob", "Date of birth", DATE),
            ),
        ),
        Group(
            "Procedure",
            (
                FormField("procedure", "Procedure", RADIO, choices=_named(vocab.PROCEDURES)),
                FormField(
                    "levels",
                    "Levels treated",
                    TEXT,
                    hint="T1 to T12 and L1 to L5: a list such as T12,L1 or a range such as T11-L1",
                ),
                FormField("anesthesia", "Anesthesia", RADIO, choices=_named(vocab.ANESTHESIA)),
                FormField("procedure_date", "Procedure date", DATE),
                FormField(
                    "procedure_time",
                    "Time the procedure ended",
                    TIME,
                    hint="Optional; with it the 24-hour limits end at a clock time",
                ),
                FormField(
                    "overnight",
                    "Stay",
                    RADIO,
                    choices=(Choice("yes", "Stayed one night"), Choice("no", "Went home the same day")),
                ),
            ),
        ),
        Group(
            "Details",
            (
                FormField(
                    "cause",
                    "Cause of the fracture",
                    SELECT,
                    choices=(Choice(NOT_STATED, "Not stated"), *_named(vocab.CAUSES)),
                ),
                FormField("follow_up", "Follow-up appointment", DATETIME, hint="Optional: date and time"),
                FormField("brace", "Back brace prescribed", RADIO, choices=_YES_NO_NOT_STATED),
                FormField("blood_thinner", "Takes a blood thinner", RADIO, choices=_YES_NO_NOT_STATED),
                FormField(
                    "blood_thinner_restart",
                    "Date to restart the blood thinner",
                    DATE,
                    hint="Optional; only for a patient who takes one",
                ),
                FormField("physical_therapy", "Physical therapy ordered", RADIO, choices=_YES_NO_NOT_STATED),
            ),
        ),
        Group(
            "Document",
            (
                FormField("language", "Language", SELECT, choices=_languages(site)),
                FormField("large_print", "Large print (bigger type, same content)", CHECKBOX),
                FormField(
                    "paper",
                    "Paper size",
                    RADIO,
                    choices=tuple(Choice(size, size.capitalize()) for size in vocab.PAPER_SIZES),
                ),
            ),
        ),
    )


def defaults(site: SiteSettings) -> dict[str, str]:
    """What a blank form shows: the site's paper, English, and "Not stated" for the optional yes/no."""
    return {
        "language": "en",
        "paper": site.document.paper,
        "brace": NOT_STATED,
        "blood_thinner": NOT_STATED,
        "physical_therapy": NOT_STATED,
    }


def posted_fields(form: Mapping[str, str]) -> dict[str, str | None]:
    """The case fields of a post, as build_case takes them: a blank is left out. A checkbox that is not
    ticked is not sent, so large print is then "no" (the Case's default)."""
    fields: dict[str, str | None] = {}
    for name in ALL_FIELDS:
        value = form.get(name, "")
        if value.strip():
            fields[name] = value
    return fields


def kept_values(form: Mapping[str, str]) -> dict[str, str]:
    """The posted case fields as typed, to show again (the template escapes them)."""
    return {name: form[name] for name in ALL_FIELDS if name in form}


def field_errors(error: InputError) -> dict[str, str]:
    """Each field's error, in the library's words ("must be before the procedure date")."""
    return {single.field: single.message for single in each_error(error)}


@dataclass(frozen=True)
class PrintRequest:
    options: PrintOptions
    chart_copy: bool


def print_request(form: Mapping[str, str], base: PrintOptions) -> PrintRequest:
    """Copies and the chart copy as the preview page posts them, over the service's print options.
    Raises PrintError naming `copies` (the library's check) for a count outside 1 to MAX_COPIES."""
    text = form.get("copies", "").strip()
    try:
        copies = int(text) if text else base.copies
    except ValueError:
        raise PrintError(f"copies: must be 1 to {MAX_COPIES}") from None
    options = dataclasses.replace(base, copies=copies)  # PrintOptions checks the count
    return PrintRequest(options, form.get("chart_copy") == "yes")
