"""A Case built in code (not by build_case) and settings changed in code: render_pdf holds them to
build_case's and load_site's rules and raises only DischargeGenError subclasses, naming the field and never
the value (docs/library.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dischargegen import DischargeGenError, InputError, build_case, render_pdf
from dischargegen.case import MAX_NAME_LENGTH, Case, check_case
from dischargegen.errors import InvalidFields, SiteSettingsError, each_error
from dischargegen.levels import SPINE
from dischargegen.site import DEFAULT_SITE
from tests.helpers import BASE_FIELDS, fields, pdf_text

VALID = build_case(fields())
LONG_NAME = "Ana " + "x" * 100_000


def fields_reported(error: InputError) -> list[str]:
    return [single.field for single in each_error(error)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("paper", "b5"),
        ("language", "fr"),
        ("anesthesia", "hypnosis"),
        ("patient_name", LONG_NAME),
        ("patient_name", " Ana  Diaz"),
        ("patient_name", "Ana\x07Diaz"),
        ("patient_name", ""),
        ("mrn", 1001),
        ("procedure", "Kyphoplasty"),
        ("cause", "gravity"),
        ("levels", ()),
        ("levels", ("L6",)),
        ("levels", ("l1",)),
        ("levels", ("L1", "L1")),
        ("levels", "L1"),
        ("overnight", "no"),
        ("large_print", None),
        ("brace", 1),
        ("dob", "1944-05-06"),
        ("dob", dt.datetime(1944, 5, 6)),
        ("procedure_date", dt.date(9999, 12, 31)),
        ("follow_up", dt.date(2027, 1, 12)),
        ("blood_thinner_restart", dt.date(2026, 12, 1)),
        ("procedure_time", "09:30"),
    ],
)
def test_a_bad_field_is_an_input_error_naming_it(field: str, value: Any) -> None:
    with pytest.raises(InputError) as caught:
        render_pdf(dataclasses.replace(VALID, **{field: value}), DEFAULT_SITE)
    assert fields_reported(caught.value) == [field]
    message = str(caught.value)
    for patient_value in (BASE_FIELDS["patient_name"], BASE_FIELDS["mrn"], "xxxxx", "hypnosis", "b5"):
        assert patient_value not in message


def test_a_long_name_is_refused_at_once() -> None:
    # Before check_case the header wrapped 100,000 characters for minutes; now the length is compared first.
    with pytest.raises(InputError) as caught:
        check_case(dataclasses.replace(VALID, patient_name=LONG_NAME))
    assert caught.value.message == f"is longer than {MAX_NAME_LENGTH} characters"


def test_every_bad_field_is_reported_in_field_order() -> None:
    case = dataclasses.replace(
        VALID, anesthesia="hypnosis", paper="b5", language="fr", dob=dt.date(2030, 1, 1)
    )
    with pytest.raises(InvalidFields) as caught:
        render_pdf(case, DEFAULT_SITE)
    assert fields_reported(caught.value) == ["dob", "anesthesia", "paper", "language"]
    assert caught.value.errors[0].message == "must be before the procedure date"


def test_a_path_as_the_logo_is_a_site_settings_error(tmp_path: Path) -> None:
    # The API before the logo became a checked Logo object took a path.
    document = dataclasses.replace(DEFAULT_SITE.document, logo=tmp_path / "logo.png")
    with pytest.raises(SiteSettingsError) as caught:
        render_pdf(VALID, dataclasses.replace(DEFAULT_SITE, document=document))
    assert caught.value.key == "document.logo"
    assert str(tmp_path) not in str(caught.value)


def test_a_valid_hand_built_case_renders() -> None:
    case = Case(
        patient_name="Ana Diaz",
        mrn="MRN-1001",
        dob=dt.date(1944, 5, 6),
        procedure="vertebroplasty",
        levels=("T12", "L1"),
        anesthesia="sedation",
        overnight=True,
        procedure_date=dt.date(2027, 1, 1),
        procedure_time=dt.time(9, 30),
        cause="trauma",
        follow_up=dt.datetime(2027, 1, 12, 13, 30),
        brace=False,
        blood_thinner_restart=dt.date(2027, 1, 4),
        large_print=True,
        paper="a4",
        language="es",
    )
    check_case(case)
    text = pdf_text(render_pdf(case, DEFAULT_SITE))
    assert "Ana Diaz" in text and "MRN-1001" in text


def synonym(canonical: list[str]) -> st.SearchStrategy[str]:
    """A spelling build_case accepts: any case, spaces around."""
    return st.builds(
        lambda word, upper, pad: (" " * pad) + (word.upper() if upper else word) + (" " * pad),
        st.sampled_from(canonical),
        st.booleans(),
        st.integers(0, 2),
    )


def optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    return st.none() | strategy


# Any character clean_text keeps, and the white space it folds (line breaks and tabs too).
PRINTABLE = st.characters(exclude_categories=["Cc", "Cf", "Cs", "Co", "Cn"]) | st.sampled_from(" \t\n\u00a0")


def written(date: dt.date, us: bool) -> str:
    return f"{date.month}/{date.day}/{date.year:04d}" if us else date.isoformat()


def day(ordinal: int) -> dt.date:
    return dt.date.fromordinal(min(max(ordinal, 1), dt.date.max.toordinal()))


@st.composite
def raw_cases(draw: st.DrawFn) -> dict[str, str | None]:
    """build_case input, mostly accepted: the dates are drawn around the procedure date, near the calendar's
    ends too, so that the cross-field rules and the date bound are met often but not always."""
    procedure_date = draw(st.one_of(st.dates(), st.dates(min_value=dt.date(9998, 1, 1))))
    around = procedure_date.toordinal()
    us = draw(st.booleans())
    raw: dict[str, str | None] = {
        "patient_name": draw(st.text(PRINTABLE, min_size=1, max_size=90)),
        "mrn": draw(st.text(PRINTABLE, min_size=1, max_size=70)),
        "dob": written(day(around - draw(st.integers(-30, 126 * 366))), us),
        "procedure": draw(
            synonym(["kyphoplasty", "balloon kyphoplasty", "22513", "vertebroplasty", "22511"])
        ),
        "levels": ", ".join(draw(st.lists(st.sampled_from(SPINE), min_size=1, max_size=4, unique=True))),
        "anesthesia": draw(synonym(["local", "sedation", "general", "mac", "general anaesthesia"])),
        "overnight": draw(synonym(["yes", "no", "y", "0"])),
        "procedure_date": written(procedure_date, us),
        "cause": draw(optional(synonym(["osteoporosis", "cancer", "trauma", "tumour"]))),
        "brace": draw(optional(synonym(["yes", "no"]))),
        "large_print": draw(optional(synonym(["true", "off"]))),
        "paper": draw(optional(synonym(["letter", "us letter", "a4"]))),
        "language": draw(optional(synonym(["en", "spanish", "es-mx"]))),
        "procedure_time": draw(optional(st.sampled_from(["9:30", "14:00", "23:59:00"]))),
    }
    if draw(st.booleans()):
        raw["follow_up"] = f"{day(around + draw(st.integers(-2, 400))).isoformat()} 08:30"
    if draw(st.booleans()):
        raw["blood_thinner_restart"] = day(around + draw(st.integers(-2, 30))).isoformat()
    return raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(raw=raw_cases())
def test_every_case_build_case_makes_passes_check_case(raw: dict[str, str | None]) -> None:
    try:
        case = build_case(raw)
    except DischargeGenError:
        return
    check_case(case)
