"""The document body as ReportLab flowables: paragraphs, lists, checklists, boxed sections that never split
and the signature block, built from the rendered content's sections."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.graphics.shapes import Drawing
from reportlab.platypus import (
    ActionFlowable,
    CondPageBreak,
    Flowable,
    ImageAndFlowables,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..content import RenderedContent
from ..content.markup import Block, Section
from ..content.templating import TemplateFailure
from . import speedups
from .fonts import REGULAR, markup
from .pictures import draw_picture
from .scancode import ScanCode
from .speedups import Kit
from .styles import (
    CALL_BORDER,
    CALL_FILL,
    EMERGENCY,
    INK,
    SUMMARY_BORDER,
    SUMMARY_FILL,
    Styles,
)
from .tagging import Element, StructureTree, list_item, marked, tag

BULLET = "\u2022"
# Every table's cells in the document font: ReportLab sets a cell's font (Helvetica unless told) before
# drawing it even where the cell holds paragraphs, and PDF/A refuses a font that is not embedded.
CELL_FONT = ("FONTNAME", (0, 0), (-1, -1), REGULAR)
# How wide each picture is drawn, as a share of the text width; the words beside it take the rest.
PICTURE_SHARE = {"spine": 0.23, "lifting": 0.22, "rolling": 0.34, "ice": 0.24, "one_in_five": 0.3}
PICTURE_GAP = 0.04  # between a picture and its words, as a share of the text width


def escape(text: str) -> str:
    """&, < and > as entities (not xml.sax.saxutils.escape: importing it loads urllib.request too, which
    every command would wait for at its start), and CJK runs in the CJK font (fonts.markup)."""
    return markup(text)


def _markup(block: Block) -> str:
    """ReportLab paragraph markup for a block: every character of text is escaped, so input is literal."""
    parts = []
    for run in block.runs:
        if run.text == "\n":
            parts.append("<br/>")
        elif run.bold:
            parts.append(f"<b>{escape(run.text)}</b>")
        else:
            parts.append(escape(run.text))
    return "".join(parts)


class CheckItem(Flowable):  # type: ignore[misc]
    """A list item with an empty square to tick, drawn as a shape (the font has no box glyph)."""

    def __init__(
        self, paragraph: Paragraph, box_size: float, indent: float, label: Element | None = None
    ) -> None:
        super().__init__()
        self.paragraph = paragraph
        self.label = label  # tagged: the square is the list item's Lbl
        self.box_size = box_size
        self.indent = indent
        self.spaceAfter = paragraph.style.spaceAfter

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        _, height = self.paragraph.wrap(available_width - self.indent, available_height)
        self.width, self.height = available_width, height
        return available_width, height

    def draw(self) -> None:
        style = self.paragraph.style
        first_line_bottom = self.height - style.leading
        box_bottom = first_line_bottom + (style.leading - self.box_size) / 2 - style.fontSize * 0.12
        self.canv.setLineWidth(1.2)
        self.canv.setStrokeColor(INK)
        with marked(self.canv, self.label):
            self.canv.rect(self.box_size * 0.15, box_bottom, self.box_size, self.box_size)
        self.paragraph.drawOn(self.canv, self.indent, 0)


def _signature(kit: Kit, block: Block, styles: Styles, width: float, parent: Element | None) -> Table:
    sign = block.attributes.get("sign", "")
    date = block.attributes.get("date", "")
    labels = [kit.paragraph(escape(sign), styles.small), kit.paragraph(escape(date), styles.small)]
    if parent is not None:
        group = Element("Div", parent)
        labels = [tag(label, Element("P", group)) for label in labels]
    table = kit.table(
        [["", ""], labels],
        colWidths=[width * 0.64, width * 0.36],
        rowHeights=[styles.body_size * 2.6, None],
    )
    table.setStyle(
        TableStyle(
            [
                CELL_FONT,
                ("LINEBELOW", (0, 0), (0, 0), 1, INK),
                ("LINEBELOW", (1, 0), (1, 0), 1, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, -1), styles.body_size),
                ("RIGHTPADDING", (1, 0), (1, -1), 0),
                ("TOPPADDING", (0, 1), (-1, 1), 3),
                ("BOTTOMPADDING", (0, 1), (-1, 1), styles.body_size * 0.8),
            ]
        )
    )
    return table


class Picture(Flowable):  # type: ignore[misc]
    """A drawing as ImageAndFlowables wants its image: a fixed size it never scales (one too tall for the
    space left moves to the next page with its words). With the speed-ups on, a picture drawn before in
    this process is replayed from memory (speedups/pictures.py): the same operators."""

    def __init__(self, drawing: Drawing, element: Element | None = None) -> None:
        super().__init__()
        self.drawing = drawing
        self.element = element  # tagged: a Figure with the picture's text alternative
        self.width, self.height = drawing.width, drawing.height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def _restrictSize(self, available_width: float, available_height: float) -> tuple[float, float]:  # noqa: N802
        return self.width, self.height

    def _unRestrictSize(self) -> None:  # noqa: N802
        pass

    def draw(self) -> None:
        with marked(self.canv, self.element):
            speedups.pictures.draw(self.drawing, self.canv)


def _figure(kit: Kit, block: Block, styles: Styles, width: float, parent: Element | None) -> Flowable:
    """A picture with its caption and the blocks that go with it beside it; the words run on below the
    picture, and onto the next page, when they are longer than it."""
    attributes = dict(block.attributes)
    name = attributes.pop("picture")
    alt = attributes.pop("alt")  # the text alternative: for the accessible renditions, not drawn
    drawing = draw_picture(name, attributes, width * PICTURE_SHARE.get(name, 0.3), styles.large_print)
    text_width = width * (1 - PICTURE_SHARE.get(name, 0.3) - PICTURE_GAP)
    figure = None if parent is None else Element("Figure", parent, alt=alt)
    words = [_tagged(kit.paragraph(_markup(block), styles.caption), "P", parent)]
    words += [_flowable(kit, child, styles, text_width, False, parent) for child in block.children]
    return kit.image_and_flowables(
        Picture(drawing, figure),
        words,
        imageSide="left",
        imageRightPadding=width * PICTURE_GAP,
        imageTopPadding=4,
        imageBottomPadding=styles.body_size * 0.5,
    )


def _tagged(flowable: Flowable, role: str, parent: Element | None) -> Flowable:
    """`flowable` as a new `role` element of `parent`; as it is when the document is not tagged."""
    return flowable if parent is None else tag(flowable, Element(role, parent))


def _list_item(
    paragraph: Paragraph, kind: str, parent: Element | None, bullet_is_label: bool = True
) -> tuple[Paragraph, Element | None]:
    """A list item's paragraph as the LBody of a new LI, and its Lbl (the bullet or number the paragraph
    draws, if `bullet_is_label`); as it is when not tagged."""
    if parent is None:
        return paragraph, None
    label, body = list_item(kind, parent)
    if bullet_is_label:
        paragraph._label = label
    return tag(paragraph, body), label


def _flowable(
    kit: Kit,
    block: Block,
    styles: Styles,
    width: float,
    in_emergency: bool,
    parent: Element | None = None,
) -> Flowable:
    """The flowable of one block; tagged as an element of `parent` when there is one."""
    if block.kind == "page_break":
        return PageBreak()
    if block.kind == "figure":
        return _figure(kit, block, styles, width, parent)
    markup = _markup(block)
    paragraph = kit.paragraph
    if block.kind == "h1":
        return _tagged(paragraph(markup, styles.title), "H1", parent)
    if block.kind == "h2":
        heading = styles.emergency_heading if in_emergency else styles.heading
        return _tagged(paragraph(markup, heading), "H2", parent)
    if block.kind == "h3":
        return _tagged(paragraph(markup, styles.subheading), "H3", parent)
    if block.kind == "bullet":
        return _list_item(paragraph(markup, styles.bullet, bulletText=BULLET), "bullet", parent)[0]
    if block.kind == "number":
        item = paragraph(markup, styles.bullet, bulletText=f"{block.number}.")
        return _list_item(item, "number", parent)[0]
    if block.kind == "check":
        box = styles.body_size * 0.9
        # The square, drawn by CheckItem, is the Lbl.
        words, label = _list_item(paragraph(markup, styles.body), "check", parent, bullet_is_label=False)
        return CheckItem(words, box, box * 1.8, label)
    if block.kind == "signature":
        return _signature(kit, block, styles, width, parent)
    return _tagged(paragraph(markup, styles.body), "P", parent)


# The share of the space between its blocks a never-split group keeps when it is taller than a page as
# set: the tallest legal receipt in large print on Letter (every checklist item, a 20-character
# emergency number, Tagalog or Russian) is about 13 pt taller than the page, and its spacing about 75 pt.
TIGHTER_SPACING = 0.4


class NeverSplit(KeepTogether):  # type: ignore[misc]
    """The emergency box and the receipt: always on one page, never split. One taller than a whole page
    is set again with less space between its blocks (TIGHTER_SPACING; the type and the lines stay as they
    are), so the tallest legal document still prints; one taller than a page even so cannot be kept
    together and ReportLab would split it anyway, so it is refused, naming it (never a value)."""

    def __init__(self, flowables: list[Flowable], name: str) -> None:
        super().__init__(flowables)
        self.name = name
        self.tightened = False

    def _tighten(self) -> None:
        """Less space before and after each block (an instance's own spacing wins over its style's)."""
        for flowable in self._content:
            flowable.spaceBefore = flowable.getSpaceBefore() * TIGHTER_SPACING
            flowable.spaceAfter = flowable.getSpaceAfter() * TIGHTER_SPACING
        self.tightened = True

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        if getattr(self, "_wrapInfo", None) != (availWidth, availHeight):
            self.wrap(availWidth, availHeight)
        frame = getattr(self, "_frame", None)
        if frame is not None and frame._y2 - frame._y1 < self._H and not self.tightened:
            self._tighten()
            self.wrap(availWidth, availHeight)
        if frame is not None and frame._y2 - frame._y1 < self._H:
            raise TemplateFailure(
                f"{self.name} is taller than a page and must not be split across pages; shorten it"
                " (fewer or shorter items), or move text out of it into a section of its own"
            )
        return super().split(availWidth, availHeight)  # type: ignore[no-any-return]


class MeasuredNeverSplit(NeverSplit, speedups.MeasuredKeepTogether):
    """NeverSplit, measured as the speed-ups measure a keep-together group."""


def _never_split(kit: Kit, flowables: list[Flowable], name: str) -> NeverSplit:
    if issubclass(kit.keep_together, speedups.MeasuredKeepTogether):
        return MeasuredNeverSplit(flowables, name)
    return NeverSplit(flowables, name)


def _box_name(section: Section, number: int, private: Sequence[str]) -> str:
    """How an error names a section: by its heading, unless the heading holds a patient value."""
    noun = "section" if section.kind == "receipt" else "box"
    heading = next((" ".join(b.text.split()) for b in section.blocks if b.kind in ("h2", "h3")), "")
    folded = heading.casefold()
    if heading and not any(value.casefold() in folded for value in private if value):
        return f'the {section.kind} {noun} "{heading[:60]}"'
    return f'the {section.kind} {noun} (<section class="{section.kind}"> number {number} of the document)'


def _boxed(
    kit: Kit, section: Section, styles: Styles, width: float, name: str = "", parent: Element | None = None
) -> Flowable:
    """A section in a box. One row per block, so a long box can still break between pages."""
    emergency = section.kind == "emergency"
    pad = styles.body_size * 0.7
    inner = width - 2 * pad
    rows = [
        [flowable]
        for flowable in [_flowable(kit, block, styles, inner, emergency, parent) for block in section.blocks]
    ]
    table = kit.table(rows, colWidths=[width], splitByRow=1)
    commands: list[tuple[Any, ...]] = [
        CELL_FONT,
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, 0), pad * 0.7),
        ("BOTTOMPADDING", (0, -1), (-1, -1), pad * 0.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if emergency:
        commands += [("BOX", (0, 0), (-1, -1), 3, EMERGENCY)]
        if section.blocks and section.blocks[0].kind == "h2":
            commands += [
                ("BACKGROUND", (0, 0), (-1, 0), EMERGENCY),
                ("BOTTOMPADDING", (0, 0), (-1, 0), pad * 0.6),
            ]
    elif section.kind == "call":
        commands += [("BOX", (0, 0), (-1, -1), 2, CALL_BORDER), ("BACKGROUND", (0, 0), (-1, -1), CALL_FILL)]
    else:
        commands += [
            ("BOX", (0, 0), (-1, -1), 1.5, SUMMARY_BORDER),
            ("BACKGROUND", (0, 0), (-1, -1), SUMMARY_FILL),
        ]
    table.setStyle(TableStyle(commands))
    flowable: Flowable = _never_split(kit, [table], name or "the emergency box") if emergency else table
    return flowable


def build_story(
    content: RenderedContent,
    styles: Styles,
    width: float,
    private: Sequence[str] = (),
    kit: Kit | None = None,
    scan_code: str | None = None,
    tree: StructureTree | None = None,
    scan_code_alt: str = "",
) -> list[Flowable]:
    """The flowables of the document body. `private`: patient values an error must never name.
    `scan_code`: the scan-back code's payload (barcode.payload_for), drawn in the receipt section; None
    draws none. `tree`: for a tagged document, the structure tree to build (with a tagging kit, see
    tagging.py), `scan_code_alt` the scan-back code's text alternative."""
    kit = kit or speedups.kit()
    story: list[Flowable] = []
    for number, section in enumerate(content.sections, start=1):
        parent = None if tree is None else tree.section()
        if section.kind in ("summary", "call", "emergency"):
            name = _box_name(section, number, private)
            story += [Spacer(1, styles.body_size * 0.6), _boxed(kit, section, styles, width, name, parent)]
        elif section.kind == "receipt":
            # Kept on one page, as the signatures must be; never split (see NeverSplit).
            blocks = _receipt(kit, section, styles, width, scan_code, parent, scan_code_alt)
            story.append(_never_split(kit, blocks, _box_name(section, number, private)))
        else:
            story += _headings_kept_with_what_follows(
                [_flowable(kit, block, styles, width, False, parent) for block in section.blocks],
                width,
                styles,
            )
    return _page_one_ended(story)


# The scan-back code's column, at the right of the signature lines: the code with its quiet zone (at most
# 1.38 inches, version 1) and its text in lines this wide.
SCAN_CODE_COLUMN = 1.75 * 72
SCAN_CODE_GAP = 0.2 * 72  # between the signature lines' end and the column


def _receipt(
    kit: Kit,
    section: Section,
    styles: Styles,
    width: float,
    scan_code: str | None,
    parent: Element | None = None,
    scan_code_alt: str = "",
) -> list[Flowable]:
    """The receipt section's flowables, with the scan-back code when there is one: beside its closing
    signature lines, so the section takes no more height than without it (large print fills its page), or
    below the section when a site's templates end it without signature lines."""
    blocks = list(section.blocks)
    if scan_code is None:
        return [_flowable(kit, block, styles, width, False, parent) for block in blocks]
    text_size = 10.0 if styles.large_print else 8.0
    first_signature = len(blocks)
    while first_signature > 0 and blocks[first_signature - 1].kind == "signature":
        first_signature -= 1
    before = [_flowable(kit, block, styles, width, False, parent) for block in blocks[:first_signature]]
    code = ScanCode(scan_code, SCAN_CODE_COLUMN, text_size)
    if first_signature == len(blocks):
        code.tag(parent, scan_code_alt)
        code.hAlign = "RIGHT"
        return [*before, Spacer(1, styles.body_size * 0.5), code]
    lines_width = width - SCAN_CODE_COLUMN - SCAN_CODE_GAP
    lines = [_flowable(kit, block, styles, lines_width, False, parent) for block in blocks[first_signature:]]
    code.tag(parent, scan_code_alt)  # after the signature lines: the column at their right
    return [*before, Beside(lines, width - SCAN_CODE_COLUMN, code)]


class Beside(Flowable):  # type: ignore[misc]
    """Flowables one below the other, with another at their right, the tops level: the signature lines
    and the scan-back code. Kept whole (it is inside the never-split receipt), so it never splits."""

    def __init__(self, column: list[Flowable], column_width: float, right: Flowable) -> None:
        super().__init__()
        self.column = column
        self.column_width = column_width
        self.right = right
        self.spaceBefore = column[0].getSpaceBefore()
        self.spaceAfter = column[-1].getSpaceAfter()

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._placed: list[tuple[Flowable, float]] = []  # each flowable and its top, from this one's top
        top = 0.0
        for index, flowable in enumerate(self.column):
            if index:
                top += max(self.column[index - 1].getSpaceAfter(), flowable.getSpaceBefore())
            _, height = flowable.wrap(self.column_width, available_height)
            self._placed.append((flowable, top + height))
            top += height
        _, right_height = self.right.wrap(available_width - self.column_width, available_height)
        self.width, self.height = available_width, max(top, right_height)
        return self.width, self.height

    def draw(self) -> None:
        for flowable, bottom in self._placed:
            flowable.drawOn(self.canv, 0, self.height - bottom)
        self.right.drawOn(self.canv, self.column_width, self.height - self.right.height)


def _headings_kept_with_what_follows(
    flowables: list[Flowable], width: float, styles: Styles
) -> list[Flowable]:
    """Before each heading, a new page unless the heading fits with the start of what follows: a picture
    with the words beside it, or three lines of text. (ReportLab's keepWithNext keeps a heading with all of the next paragraph,
    and with nothing when the next is a picture with its words: a container. A long paragraph would move
    whole to the next page and leave half a page empty, and a heading could end a page alone.)"""
    kept: list[Flowable] = []
    for index, flowable in enumerate(flowables):
        following = flowables[index + 1] if index + 1 < len(flowables) else None
        if isinstance(flowable, Paragraph) and flowable.style in (styles.heading, styles.subheading):
            _, heading = flowable.wrap(width, 10**6)
            style = flowable.style
            height = style.spaceBefore + heading + style.spaceAfter
            if isinstance(following, ImageAndFlowables):
                kept.append(BreakUnlessFigureFits(height, following))
            else:
                kept.append(CondPageBreak(height + 3 * styles.body.leading))
        kept.append(flowable)
    return kept


class BreakUnlessFigureFits(CondPageBreak):  # type: ignore[misc]
    """A new page unless a heading (`height`) fits with the figure after it: the picture and the words
    beside it, whichever is taller, which ReportLab moves to the next page whole when they do not fit. The
    figure is measured here, when placed, where the page's canvas is at hand (the picture's height alone
    left headings alone at the foot of a page when the words beside it ran longer)."""

    def __init__(self, height: float, figure: ImageAndFlowables) -> None:
        super().__init__(height)
        self._heading_height = height
        self._figure = figure

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self._figure.wrapOn(self.canv, availWidth, 10**6)
        self.height = self._heading_height + self._figure._aH
        return super().wrap(availWidth, availHeight)  # type: ignore[no-any-return]


class EndOfPageOne(ActionFlowable):  # type: ignore[misc]
    """The first page break: the text after it starts on page 2. When page 1's own material ran over onto
    page 2 (large print, or a case with every optional line), the text follows it there instead of
    leaving the rest of page 2 empty."""

    def apply(self, doc: Any) -> None:
        if doc.page == 1:
            doc.handle_pageBreak()


def _page_one_ended(story: list[Flowable]) -> list[Flowable]:
    """The story with its first page break made an EndOfPageOne."""
    for index, flowable in enumerate(story):
        if isinstance(flowable, PageBreak):
            return [*story[:index], EndOfPageOne(), *story[index + 1 :]]
    return story
