"""The document font (Noto Sans, shipped in the package with its licence) and coverage checks.

ReportLab would draw a character the font lacks as an empty box; we refuse it instead, naming the field.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
# Registered under names of our own: ReportLab's font registry is process-wide, and a host application
# may have registered its own "NotoSans" (another version, another file).
REGULAR = "DischargeGen-NotoSans"
BOLD = "DischargeGen-NotoSans-Bold"


@functools.cache
def register_fonts() -> frozenset[int]:
    """Register the font family once per process; return the code points both weights can draw."""
    regular = TTFont(REGULAR, str(FONT_DIR / "NotoSans-Regular.ttf"))
    bold = TTFont(BOLD, str(FONT_DIR / "NotoSans-Bold.ttf"))
    for font in (regular, bold):
        _remember_subsets(font)
        pdfmetrics.registerFont(font)
    for italic in (0, 1):
        addMapping(REGULAR, 0, italic, REGULAR)
        addMapping(REGULAR, 1, italic, BOLD)
    return frozenset(regular.face.charToGlyph) & frozenset(bold.face.charToGlyph)


SUBSET_ENTRIES = 64  # a subset file is some 20-40 KiB


class _FormattedArray(pdfdoc.PDFArray):  # type: ignore[misc]
    """A PDF array of plain numbers, formatted once: the same bytes in every document that embeds it."""

    def __init__(self, formatted: bytes) -> None:
        super().__init__(())
        self.formatted = formatted

    def format(self, document: Any, IND: bytes = b"\n ") -> bytes:  # noqa: N803 (ReportLab's name)
        return self.formatted


@functools.lru_cache(maxsize=SUBSET_ENTRIES * 4)
def _formatted_widths(widths: tuple[Any, ...]) -> _FormattedArray:
    return _FormattedArray(pdfdoc.PDFArray(widths).format(None))


@functools.lru_cache(maxsize=SUBSET_ENTRIES * 4)
def _compressed(content: bytes) -> bytes:
    return bytes(pdfdoc.PDFZCompress.encode(content))


def _compress_once(stream: Any) -> None:
    """Compress `stream` as PDFStream.format would with its filter, remembering the result: ReportLab
    leaves a stream that already names a Filter alone."""
    if (
        stream is not None
        and stream.filters == [pdfdoc.PDFZCompress]
        and "Filter" not in stream.dictionary.dict
    ):
        stream.content = _compressed(stream.content)
        stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName(pdfdoc.PDFZCompress.pdfname)])


def _remember_subsets(font: TTFont) -> None:
    """Every document embeds the part of the font it uses. Documents with the same characters (their codes
    are fixed up front, see paragraphs.fix_font_codes) need the same part, so make it once: building it
    reads and rewrites the font's tables, and compressing it costs about 0.7 ms, each time. The same goes
    for each part's width table (some 250 numbers, formatted one by one) and the compressing of its
    character map (which pdf_writing writes out once)."""
    face = font.face
    make_subset = face.makeSubset
    add_subset_objects = face.addSubsetObjects
    add_font_objects = font.addObjects

    @functools.lru_cache(maxsize=SUBSET_ENTRIES)
    def remembered(subset: tuple[int, ...]) -> bytes:
        return bytes(make_subset(list(subset)))

    def add_objects(doc: Any, font_name: str, subset: list[int]) -> Any:
        reference = add_subset_objects(doc, font_name, subset)
        _compress_once(doc.idToObject.get(f"fontFile:{face.filename}({font_name})"))
        return reference

    def add_font_objects_once(doc: Any) -> None:
        add_font_objects(doc)
        prefix = f"Font {font.fontName} subset "
        for pdf_font in doc.idToObject["BasicFonts"].dict.values():
            if (
                getattr(pdf_font, "__Comment__", "").startswith(prefix)
                and type(pdf_font.Widths) is pdfdoc.PDFArray
            ):
                pdf_font.Widths = _formatted_widths(tuple(pdf_font.Widths.sequence))
                _compress_once(doc.idToObject.get(pdf_font.ToUnicode.name))

    face.makeSubset = lambda subset: remembered(tuple(subset))
    face.addSubsetObjects = add_objects
    font.addObjects = add_font_objects_once


# Remembered because a batch checks the same template sentences for every patient; bounded.
@functools.lru_cache(maxsize=4096)
def first_undrawable(text: str) -> str | None:
    """The first character of `text` the font cannot draw, or None. White space is always fine."""
    drawable = register_fonts()
    for char in text:
        if ord(char) not in drawable and not char.isspace():
            return char
    return None


def describe_character(char: str) -> str:
    import unicodedata

    name = unicodedata.name(char, "unnamed character")
    return f"U+{ord(char):04X} ({name.lower()})"
