"""Input is printed literally, never interpreted; output is deterministic and carries no patient data
in its metadata; characters the font cannot draw are refused with a clear error."""

from __future__ import annotations

import io
import string
from collections import Counter

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dischargegen import InputError, build_case, render_pdf
from dischargegen.pdf.fonts import first_undrawable
from dischargegen.site import DEFAULT_SITE
from tests.helpers import fields, pdf_text, render, render_text


@pytest.mark.parametrize(
    "name",
    [
        "<b>Bold</b> Person",
        "Tom & Jerry",
        "AT&T Smith",
        "{{ 7*7 }} Jones",
        "{% for x in y %}Lee",
        'O\'Brien "Bud"',
        "&lt;script&gt; Ray",
        "<para>Ann</para>",
        "José Ñúñez-Müller",
        "Ελένη Παπαδοπούλου",
        "Ольга Иванова",
    ],
)
def test_names_are_printed_literally(name: str) -> None:
    text = render_text(patient_name=name, mrn="A<1>&{{x}}")
    assert name in text
    assert "A<1>&{{x}}" in text
    assert "49 Jones" not in text


def test_identification_is_on_every_page() -> None:
    pdf = render(
        patient_name="Ana Diaz", mrn="MRN-1001", levels="T11-L1", anesthesia="general", cause="osteoporosis"
    )
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    total = len(reader.pages)
    assert total >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join((page.extract_text() or "").split())
        assert "Patient: Ana Diaz" in text
        assert "Date of birth: May 6, 1944" in text
        assert "Medical record number: MRN-1001" in text
        assert f"Page {number} of {total}" in text
        assert "Content version 2026.11-1, last reviewed November 20, 2026" in text


@pytest.mark.parametrize(
    ("field", "char"), [("patient_name", "\U0001f600"), ("mrn", "\u0645"), ("patient_name", "\u0905")]
)
def test_characters_outside_the_font_are_an_error_naming_field_and_character(field: str, char: str) -> None:
    with pytest.raises(InputError) as caught:
        render(**{field: f"Ana{char}"})
    assert caught.value.field == field
    assert f"U+{ord(char):04X}" in caught.value.message


def test_same_input_gives_the_same_bytes() -> None:
    first = render(anesthesia="general", cause="cancer", levels="T11-L1", follow_up="2027-01-12 10:30")
    second = render(anesthesia="general", cause="cancer", levels="T11-L1", follow_up="2027-01-12 10:30")
    assert first == second


def test_metadata_holds_no_patient_data() -> None:
    pdf = render(patient_name="Zelda Quimby", mrn="Q-777")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
    assert "Zelda" not in metadata and "Quimby" not in metadata and "Q-777" not in metadata
    assert "1944" not in metadata
    assert b"Zelda" not in pdf  # not even uncompressed anywhere else in the file
    assert reader.trailer["/Root"]["/Lang"] == "en-US"


def body_size(pdf: bytes) -> float:
    """The type size most of the text is set in: the body size."""
    counts: Counter[float] = Counter()

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        counts[round(size * tm[0] * cm[0], 1)] += len(text.strip())

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return counts.most_common(1)[0][0]


def test_body_type_is_14_point_and_18_in_large_print() -> None:
    assert body_size(render()) == 14.0
    assert body_size(render(large_print="yes")) == 18.0


def test_a4_and_letter() -> None:
    letter = pypdf.PdfReader(io.BytesIO(render())).pages[0].mediabox
    a4 = pypdf.PdfReader(io.BytesIO(render(paper="a4"))).pages[0].mediabox
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)


printable_names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=printable_names, mrn=st.text(alphabet=string.printable + "ÅéΩЖ", min_size=1, max_size=20))
def test_any_name_and_mrn_come_back_exactly_or_give_a_clear_error(name: str, mrn: str) -> None:
    try:
        case = build_case(fields(patient_name=name, mrn=mrn))
        pdf = render_pdf(case, DEFAULT_SITE)
    except InputError as error:
        assert error.field in ("patient_name", "mrn")
        assert name not in str(error) or len(name) < 2  # messages do not echo the value
        return
    text = pdf_text(pdf)
    # White space is folded to single spaces on input (documented); everything else comes back as typed.
    assert " ".join(name.split()) in text
    assert " ".join(mrn.split()) in text
    assert first_undrawable(name) is None
