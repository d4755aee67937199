"""The document font (Noto Sans, shipped in the package with its licence) and coverage checks.

ReportLab would draw a character the font lacks as an empty box; we refuse it instead, naming the field.
"""

from __future__ import annotations

import functools
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics

from .speedups.subsets import RememberingTTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
# Registered under names of our own: ReportLab's font registry is process-wide, and a host application
# may have registered its own "NotoSans" (another version, another file).
REGULAR = "DischargeGen-NotoSans"
BOLD = "DischargeGen-NotoSans-Bold"


@functools.cache
def register_fonts() -> frozenset[int]:
    """Register the font family once per process; return the code points both weights can draw."""
    regular = RememberingTTFont(REGULAR, str(FONT_DIR / "NotoSans-Regular.ttf"))
    bold = RememberingTTFont(BOLD, str(FONT_DIR / "NotoSans-Bold.ttf"))
    for font in (regular, bold):
        _register_as_our_own(font)
    for italic in (0, 1):
        addMapping(REGULAR, 0, italic, REGULAR)
        addMapping(REGULAR, 1, italic, BOLD)
    return frozenset(regular.face.charToGlyph) & frozenset(bold.face.charToGlyph)


def _register_as_our_own(font: RememberingTTFont) -> None:
    """pdfmetrics.registerFont, without its sharing by face: it hands a new font whose file's PostScript
    name (NotoSans-Regular) is already registered the earlier font (a host's own Noto Sans, perhaps
    another version), and hands ours to every later registration of that face. Ours goes in under our
    name only, as registerFont puts in a face it has not seen."""
    pdfmetrics._fonts[font.fontName] = font
    pdfmetrics.registerFontFamily(font.fontName)


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
