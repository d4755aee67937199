"""The document fonts (shipped in the package with their licences) and coverage checks.

Noto Sans draws Latin (Vietnamese, Tagalog, Haitian Creole too), Greek and Cyrillic; Droid Sans Fallback
(TrueType outlines: ReportLab cannot embed the CFF outlines of fonts such as Noto Sans CJK) draws Chinese
characters, Hangul and CJK punctuation. ReportLab has no font fallback, so text is cut into runs by font
(`font_runs`): paragraphs wrap the CJK runs in <font name=...> (`markup`), the page frame and the pictures
draw them run by run (`draw_text`). A text without CJK characters costs one regular-expression search; the
CJK font is read from disk only when a text needs it.

ReportLab would draw a character the fonts lack as an empty box; we refuse it instead, naming the field.
Right-to-left scripts (Arabic, Hebrew) are refused too: no font here has them, and ReportLab cannot lay
them out (docs/languages.md).
"""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path
from typing import Any

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics

from .speedups.subsets import RememberingTTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
# Registered under names of our own: ReportLab's font registry is process-wide, and a host application
# may have registered its own "NotoSans" (another version, another file).
REGULAR = "DischargeGen-NotoSans"
BOLD = "DischargeGen-NotoSans-Bold"
CJK = "DischargeGen-DroidSansFallback"  # one weight: bold CJK text is drawn in it too
CJK_FILE = "DroidSansFallback.ttf"
# The blocks drawn in the CJK font: Hangul Jamo; CJK radicals, punctuation, kana, Hangul compatibility
# jamo, Han (extension A and the unified block); Hangul Jamo extended-A; Hangul syllables and Jamo
# extended-B; compatibility ideographs; vertical and compatibility forms; half- and full-width forms; the
# Han extensions beyond the Basic Multilingual Plane.
_CJK_CLASS = (
    "\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe10-\ufe1f"
    "\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
)
_CJK_CHAR = re.compile(f"[{_CJK_CLASS}]")
_CJK_RUNS = re.compile(f"([{_CJK_CLASS}]+)")


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


@functools.cache
def register_cjk_font() -> frozenset[int]:
    """Register the CJK font once per process, when a text first needs it (it is 3.4 MB to read); return
    the CJK code points it draws."""
    font = RememberingTTFont(CJK, str(FONT_DIR / CJK_FILE))
    _register_as_our_own(font)
    return frozenset(code for code in font.face.charToGlyph if _CJK_CHAR.match(chr(code)))


def has_cjk(text: str) -> bool:
    return _CJK_CHAR.search(text) is not None


def font_runs(text: str, font: str) -> list[tuple[str, str]]:
    """`text` cut into (run, font name) pieces: CJK characters in the CJK font, the rest in `font`."""
    if not has_cjk(text):
        return [(text, font)]
    register_cjk_font()
    pieces = _CJK_RUNS.split(text)  # odd places hold the CJK runs
    return [(piece, CJK if index % 2 else font) for index, piece in enumerate(pieces) if piece]


def split_by_font(text: str) -> tuple[str, str]:
    """The characters of `text` drawn in Noto Sans, and those drawn in the CJK font."""
    if not has_cjk(text):
        return text, ""
    return _CJK_RUNS.sub("", text), "".join(_CJK_RUNS.findall(text))


def markup(text: str) -> str:
    """`text` as ReportLab paragraph markup: every character escaped (input is literal, never markup), and
    CJK runs in the CJK font."""
    if not has_cjk(text):
        return html.escape(text, quote=False)
    return "".join(
        f'<font name="{CJK}">{html.escape(piece, quote=False)}</font>'
        if font == CJK
        else html.escape(piece, quote=False)
        for piece, font in font_runs(text, REGULAR)
    )


def text_width(text: str, font: str, size: float) -> float:
    """The width of `text` drawn by `draw_text`."""
    register_fonts()  # cached: measuring needs the fonts registered, whoever asks first
    return float(sum(pdfmetrics.stringWidth(piece, name, size) for piece, name in font_runs(text, font)))


def draw_text(canvas: Any, x: float, y: float, text: str, font: str, size: float) -> None:
    """`text` at (x, y), each run in its font; the canvas is left set to `font`."""
    runs = font_runs(text, font)
    if len(runs) == 1 and runs[0][1] == font:
        canvas.setFont(font, size)
        canvas.drawString(x, y, text)
        return
    for piece, name in runs:
        canvas.setFont(name, size)
        canvas.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, name, size)
    canvas.setFont(font, size)


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
    """The first character of `text` the fonts cannot draw, or None. White space is always fine."""
    drawable = register_fonts()
    for char in text:
        if ord(char) not in drawable and not char.isspace():
            if _CJK_CHAR.match(char) and ord(char) in register_cjk_font():
                continue
            return char
    return None


def describe_character(char: str) -> str:
    import unicodedata

    name = unicodedata.name(char, "unnamed character")
    return f"U+{ord(char):04X} ({name.lower()})"
