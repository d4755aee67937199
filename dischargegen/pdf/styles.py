"""Type sizes, spacing and colours for normal and large print. Sizes follow the brief: body 14 pt
(large print 18 pt), line spacing about 1.4, left-aligned ragged right, margins about one inch."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch

from .fonts import BOLD, REGULAR

PAGE_SIZES = {"letter": LETTER, "a4": A4}
# Every paper has Letter's line length: 0.9-inch sides on Letter, about 0.78 inch on A4, which is 6 mm
# narrower and 18 mm taller. Lines break where they break on Letter, so a document never takes more pages
# on A4 than on Letter (with 0.9-inch sides on A4 as well, page 1's summary box of the tallest Spanish
# document ran onto page 2, and the document to six pages).
TEXT_WIDTH: float = LETTER[0] - 2 * 0.9 * inch
MARGIN_TOP = 1.25 * inch  # room for the two-identifier header
MARGIN_BOTTOM = 0.95 * inch  # room for the page footer


def side_margin(page_width: float) -> float:
    """The left (and the right) margin of a page `page_width` points wide: what TEXT_WIDTH leaves, halved."""
    return (page_width - TEXT_WIDTH) / 2


INK = colors.HexColor("#111111")
EMERGENCY = colors.HexColor("#9B1111")
CALL_BORDER = colors.HexColor("#6B4E00")
CALL_FILL = colors.HexColor("#FFF6D9")
SUMMARY_BORDER = colors.HexColor("#1F4E79")
SUMMARY_FILL = colors.HexColor("#EAF1F8")
RULE = colors.HexColor("#555555")


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    bullet: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    emergency_heading: ParagraphStyle
    small: ParagraphStyle
    caption: ParagraphStyle
    body_size: float
    large_print: bool
    header_size: float
    footer_size: float


# How a language's lines break: Chinese has no spaces between words, so a line may break between any two
# characters (ReportLab's "CJK" wrapping, which also keeps closing punctuation off a line's start). Korean
# puts spaces between words and wraps at them, like the other languages.
WORD_WRAP = {"zh": "CJK"}


@functools.cache
def styles_for(large_print: bool, language: str = "en") -> Styles:
    size = 18.0 if large_print else 14.0
    word_wrap = WORD_WRAP.get(language)
    leading = round(size * 1.4, 1)
    body = ParagraphStyle(
        "body",
        fontName=REGULAR,
        bulletFontName=REGULAR,  # embedded, as PDF/A wants (ReportLab's default bullet font is not)
        fontSize=size,
        leading=leading,
        alignment=TA_LEFT,
        textColor=INK,
        spaceAfter=size * 0.35,
        **({"wordWrap": word_wrap} if word_wrap else {}),
    )
    bullet = ParagraphStyle(
        "bullet", parent=body, leftIndent=size * 1.4, bulletIndent=size * 0.3, spaceAfter=size * 0.2
    )
    title = ParagraphStyle(
        "title", parent=body, fontName=BOLD, fontSize=size * 1.6, leading=size * 1.95, spaceAfter=size * 0.4
    )
    heading = ParagraphStyle(
        "heading",
        parent=body,
        fontName=BOLD,
        fontSize=size * 1.25,
        leading=size * 1.6,
        spaceBefore=size * 0.75,
        spaceAfter=size * 0.35,
        keepWithNext=0,  # flowables.py keeps a heading with the start of what follows
    )
    subheading = ParagraphStyle(
        "subheading", parent=heading, fontSize=size * 1.1, leading=size * 1.5, spaceBefore=size * 0.5
    )
    emergency_heading = ParagraphStyle(
        "emergency_heading", parent=heading, textColor=colors.white, spaceBefore=0, spaceAfter=0
    )
    small = ParagraphStyle("small", parent=body, fontSize=size * 0.8, leading=size * 1.05, spaceAfter=0)
    return Styles(
        body=body,
        bullet=bullet,
        title=title,
        heading=heading,
        subheading=subheading,
        emergency_heading=emergency_heading,
        small=small,
        caption=ParagraphStyle("caption", parent=body, fontName=BOLD),
        body_size=size,
        large_print=large_print,
        header_size=13.0 if large_print else 11.0,
        footer_size=12.0 if large_print else 10.0,
    )
