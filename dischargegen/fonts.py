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
REGULAR = "NotoSans"
BOLD = "NotoSans-Bold"


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


def _remember_subsets(font: TTFont) -> None:
    """Every document embeds the part of the font it uses. Documents with the same characters (their codes
    are fixed up front, see paragraphs.fix_font_codes) need the same part, so make it once: building it
    reads and rewrites the font's tables, and compressing it costs about 0.7 ms, each time."""
    face = font.face
    make_subset = face.makeSubset
    add_subset_objects = face.addSubsetObjects

    @functools.lru_cache(maxsize=SUBSET_ENTRIES)
    def remembered(subset: tuple[int, ...]) -> bytes:
        return bytes(make_subset(list(subset)))

    @functools.lru_cache(maxsize=SUBSET_ENTRIES)
    def compressed(content: bytes) -> bytes:
        return bytes(pdfdoc.PDFZCompress.encode(content))

    def add_objects(doc: Any, font_name: str, subset: list[int]) -> Any:
        reference = add_subset_objects(doc, font_name, subset)
        stream = doc.idToObject.get(f"fontFile:{face.filename}({font_name})")
        if (
            stream is not None
            and stream.filters == [pdfdoc.PDFZCompress]
            and "Filter" not in stream.dictionary.dict
        ):
            # What PDFStream.format would do with this filter: ReportLab leaves a stream with a Filter alone.
            stream.content = compressed(stream.content)
            stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName(pdfdoc.PDFZCompress.pdfname)])
        return reference

    face.makeSubset = lambda subset: remembered(tuple(subset))
    face.addSubsetObjects = add_objects


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
