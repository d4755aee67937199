"""The chart copy: the patient's signature page again, marked "Chart copy" in its header, then on the next
page (its back, printed two-sided) the nurse's teach-back card.

The signature page is laid out by the same story path as the patient's document (`build_story` over the
document's receipt section), so it prints the same words, in the same type, as the document's last page.
"""

from __future__ import annotations

import dataclasses
import functools
import io

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    Flowable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
    TableStyle,
)

from ..barcode import payload_for
from ..case import Case
from ..content import RenderedContent, patient_values
from ..content.blocks import Block
from ..content.teach_back import TeachBackCard
from ..errors import ContentError
from ..site import SiteSettings
from . import document_template, shipped_settings, speedups, with_content_id
from .archival import with_stream_eols
from .flowables import BULLET, CELL_FONT, _flowable, _markup, build_story
from .fonts import BOLD, register_fonts
from .page import CARD_PAGE, page_frame
from .speedups import Kit
from .styles import (
    INK,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    PAGE_SIZES,
    TEXT_WIDTH,
    Styles,
    side_margin,
    styles_for,
)

CHART_COPY_MARK = "Chart copy"  # in the header of every page, in English: the ward's language
SIGNATURE_PAGE = "signature"
# The card's table: the question, the expected answer, the box. Staff-facing labels, English like the card.
CARD_COLUMNS = ("Ask", "Expected answer (the document's words)", "Own words")
CARD_COLUMN_SHARES = (0.28, 0.58, 0.14)
CARD_SHADE = colors.HexColor("#E6E6E6")  # the table's heading row: light grey, dark text


def receipt_content(content: RenderedContent) -> RenderedContent:
    """The document's last page: its receipt section (checklist and signatures), the same blocks."""
    receipt = [section for section in content.sections if section.kind == "receipt"]
    if not receipt:
        raise ContentError('the document has no <section class="receipt"> for the chart copy to copy')
    return RenderedContent(receipt, content.messages, content.language)


@functools.cache
def _card_page_styles() -> Styles:
    """The regular print's styles with the small size for paragraphs and lists: the card is read by staff,
    and six questions with their answers must fit one page."""
    regular = styles_for(False)
    small = regular.small
    body = ParagraphStyle("card_body", parent=small, spaceAfter=small.fontSize * 0.3)
    bullet = ParagraphStyle(
        "card_bullet", parent=body, leftIndent=small.fontSize * 1.2, bulletIndent=small.fontSize * 0.2
    )
    return dataclasses.replace(regular, body=body, bullet=bullet)


@functools.cache
def _card_styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    """Cell text: the regular print's small size, so six questions and their answers fit one page."""
    small = styles_for(False).small
    answer = ParagraphStyle("card_answer", parent=small, spaceAfter=small.fontSize * 0.25)
    listed = ParagraphStyle("card_answer_item", parent=answer, leftIndent=small.fontSize, bulletIndent=0)
    question = ParagraphStyle("card_question", parent=small, fontName=BOLD)
    return question, answer, listed


class TickBox(Flowable):  # type: ignore[misc]
    """An empty square to tick, drawn as a shape (the font has no box glyph)."""

    def __init__(self, size: float) -> None:
        super().__init__()
        self.width = self.height = size

    def draw(self) -> None:
        self.canv.setLineWidth(1.2)
        self.canv.setStrokeColor(INK)
        self.canv.rect(0, 0, self.width, self.height)


def _answer_cell(kit: Kit, answers: list[Block]) -> list[Flowable]:
    _, answer, listed = _card_styles()
    if len(answers) == 1:
        return [kit.paragraph(_markup(answers[0]), answer)]
    return [kit.paragraph(_markup(block), listed, bulletText=BULLET) for block in answers]


def card_story(card: TeachBackCard, width: float, kit: Kit) -> list[Flowable]:
    """The card: its heading and method lines, then one table row a question."""
    styles = _card_page_styles()  # staff-facing: regular print, whatever the patient's
    question, _, _ = _card_styles()
    story = [_flowable(kit, block, styles, width, False) for block in card.before]
    box = styles.body_size
    rows: list[list[object]] = [[kit.paragraph(label, question) for label in CARD_COLUMNS]]
    rows += [
        [kit.paragraph(_markup(item.question), question), _answer_cell(kit, item.answers), TickBox(box)]
        for item in card.questions
    ]
    table = kit.table(rows, colWidths=[width * share for share in CARD_COLUMN_SHARES], repeatRows=1)
    pad = styles.body_size * 0.3
    table.setStyle(
        TableStyle(
            [
                CELL_FONT,
                ("GRID", (0, 0), (-1, -1), 0.8, INK),
                ("BACKGROUND", (0, 0), (-1, 0), CARD_SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("TOPPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
                ("ALIGN", (2, 1), (2, -1), "CENTER"),
            ]
        )
    )
    story += [Spacer(1, styles.body_size * 0.4), table]
    story += [_flowable(kit, block, styles, width, False) for block in card.after]
    return story


def build_chart_copy(
    case: Case, site: SiteSettings, content: RenderedContent, card: TeachBackCard, kit: Kit | None = None
) -> bytes:
    """The chart copy's PDF: the signature page, then the card on the next page. Raises ContentError when
    the card runs over one page."""
    with shipped_settings():
        pdf, pages = _build(case, site, content, card, kit)
    if pages != 2:  # the signature page is never split (NeverSplit), so the card ran over
        raise ContentError(
            "the teach-back card is longer than one page; shorten its questions or the marked answers"
        )
    return pdf


def _build(
    case: Case, site: SiteSettings, content: RenderedContent, card: TeachBackCard, kit: Kit | None
) -> tuple[bytes, int]:
    register_fonts()
    kit = kit or speedups.kit()
    styles: Styles = styles_for(case.large_print, content.language)  # the patient's print size
    page_size = PAGE_SIZES[case.paper or site.document.paper]
    width = TEXT_WIDTH
    buffer = io.BytesIO()
    title = f"{CHART_COPY_MARK}: {content.messages['title']}"  # no patient data: see document_template
    document = document_template(buffer, page_size, title, site, content.language, kit)
    card_content = card.as_content()
    canvas_class, on_page = page_frame(
        case, site, content, styles, kit, mark=CHART_COPY_MARK, card=card_content
    )
    frame_height = page_size[1] - MARGIN_TOP - MARGIN_BOTTOM

    def frame() -> object:
        return kit.frame(
            side_margin(page_size[0]), MARGIN_BOTTOM, width, frame_height,
            leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body",
            overlapAttachedSpace=1,
        )  # fmt: skip

    document.addPageTemplates(
        [
            PageTemplate(id=SIGNATURE_PAGE, frames=[frame()], onPage=on_page),
            PageTemplate(id=CARD_PAGE, frames=[frame()], onPage=on_page),
        ]
    )
    # The same scan-back code as the patient's signature page: the signed chart copy files itself too.
    signature_page = build_story(
        receipt_content(content), styles, width, patient_values(case), kit, payload_for(case, site)
    )
    story = [*signature_page, NextPageTemplate(CARD_PAGE), PageBreak(), *card_story(card, width, kit)]
    document.build(story, canvasmaker=canvas_class)
    return with_content_id(with_stream_eols(buffer.getvalue())), int(document.page)
