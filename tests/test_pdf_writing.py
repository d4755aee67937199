"""The quicker PDF-writing functions must answer exactly as ReportLab's own."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase import pdfdoc, ttfonts

from dischargegen import build_case, render_pdf
from dischargegen.pdf import flowables, fonts
from dischargegen.pdf.speedups import writer as pdf_writing
from dischargegen.site import DEFAULT_SITE
from tests.helpers import RENDER_VARIANTS, fields


def test_every_one_byte_character_encodes_as_reportlab_encodes_it() -> None:
    for code in range(256):
        char = chr(code)
        try:
            expected: object = pdf_writing._reportlab_encode(char)
        except UnicodeError:
            expected = UnicodeError
        try:
            got: object = pdf_writing.pdfdoc_encode(char)
        except UnicodeError:
            got = UnicodeError
        assert got == expected, f"U+{code:04X}"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x20AC), max_size=20))
def test_text_encodes_as_reportlab_encodes_it(text: str) -> None:
    def outcome(encode: object) -> object:
        try:
            return encode(text)  # type: ignore[operator]
        except UnicodeError:
            return UnicodeError

    assert outcome(pdf_writing.pdfdoc_encode) == outcome(pdf_writing._reportlab_encode)
    assert pdf_writing.pdfdoc_encode(text.encode("utf-8")) == text.encode("utf-8")  # bytes pass through


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_names_are_written_as_reportlab_writes_them(name: str) -> None:
    assert pdf_writing.pdf_name(name) == pdf_writing._reportlab_name(name)
    assert pdf_writing.pdf_name(name) == pdf_writing._reportlab_name(name)  # from memory this time


class _Text(str):
    """A subclass: goes to ReportLab's own function."""


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.integers(-(10**12), 10**12),
        st.floats(allow_nan=False, allow_infinity=False, width=32),
        st.text(alphabet=st.characters(max_codepoint=0x20AC), max_size=12),
        st.binary(max_size=12),
        st.booleans(),
        st.none(),
        st.text(max_size=6).map(_Text),
        st.text(alphabet="abcXYZ", min_size=1, max_size=6).map(pdfdoc.PDFString),
        st.lists(st.integers(0, 999), max_size=4).map(pdfdoc.PDFArray),
    )
)
def test_values_are_formatted_as_reportlab_formats_them(value: object) -> None:
    def outcome(format_value: object) -> object:
        try:
            return format_value(value, pdfdoc.PDFDocument(invariant=1))  # type: ignore[operator]
        except (UnicodeError, ValueError) as error:  # ValueError: numbers beyond what PDF writes
            return type(error)

    assert outcome(pdf_writing.pdf_format) == outcome(pdf_writing._reportlab_format)


@pytest.mark.parametrize("variant", RENDER_VARIANTS)
def test_documents_are_the_bytes_reportlab_writes(variant: dict[str, str]) -> None:
    case = build_case(fields(**variant))
    with pdf_writing.installed():
        assert pdfdoc.pdfdocEnc is pdf_writing.pdfdoc_encode and pdfdoc.PDFName is pdf_writing.pdf_name
        assert pdfdoc.format is pdf_writing.pdf_format
        assert ttfonts.makeToUnicodeCMap is pdf_writing.character_map
        quick = render_pdf(case, DEFAULT_SITE)
    with pdf_writing.as_reportlab_ships():
        assert pdfdoc.pdfdocEnc is pdf_writing._reportlab_encode
        assert pdfdoc.format is pdf_writing._reportlab_format
        assert ttfonts.makeToUnicodeCMap is pdf_writing._reportlab_character_map
        plain = render_pdf(case, DEFAULT_SITE)
    assert quick == plain


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("&<>\"'; a1é\u2022"), max_size=16) | st.text(max_size=16))
def test_markup_escapes_as_saxutils_does(text: str) -> None:
    from xml.sax.saxutils import escape

    # CJK runs are wrapped in the CJK font's tag (fonts.markup): escaped text never holds a raw "<".
    opening = f'<font name="{fonts.CJK}">'
    assert flowables.escape(text).replace(opening, "").replace("</font>", "") == escape(text)
