"""Lay out rendered content as a PDF with ReportLab.

Every page carries the patient's name, date of birth and medical record number (two identifiers) at the
top, and "Page N of M" with the content version at the bottom; text too long for its line is wrapped or
made smaller, never run into other text or off the page. Output is deterministic: the dates are fixed
(ReportLab's invariant date, whatever the environment says) and the document ID is a digest of the
document itself, so the same input gives the same bytes and different documents different IDs.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .._version import __version__
from ..case import Case
from ..content import RenderedContent, patient_values
from ..content.formatting import filters_for
from ..content.markup import Block, Section
from ..content.templating import TemplateFailure
from ..logo import draw_logo
from ..site import SiteSettings
from . import speedups
from .fonts import BOLD, REGULAR, register_fonts
from .speedups import Kit
from .speedups.paragraphs import fix_font_codes
from .styles import (
    CALL_BORDER,
    CALL_FILL,
    EMERGENCY,
    INK,
    MARGIN_BOTTOM,
    MARGIN_SIDE,
    MARGIN_TOP,
    PAGE_SIZES,
    RULE,
    SUMMARY_BORDER,
    SUMMARY_FILL,
    Styles,
    styles_for,
)

PDF_LANGUAGE = {"en": "en-US", "es": "es-US"}
BULLET = "\u2022"


def escape(text: str) -> str:
    """&, < and > as entities, as xml.sax.saxutils.escape does; importing that module loads
    urllib.request too, which every command would wait for at its start."""
    return html.escape(text, quote=False)


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

    def __init__(self, paragraph: Paragraph, box_size: float, indent: float) -> None:
        super().__init__()
        self.paragraph = paragraph
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
        self.canv.rect(self.box_size * 0.15, box_bottom, self.box_size, self.box_size)
        self.paragraph.drawOn(self.canv, self.indent, 0)


def _signature(kit: Kit, block: Block, styles: Styles, width: float) -> Table:
    sign = block.attributes.get("sign", "")
    date = block.attributes.get("date", "")
    paragraph = kit.paragraph
    table = kit.table(
        [["", ""], [paragraph(escape(sign), styles.small), paragraph(escape(date), styles.small)]],
        colWidths=[width * 0.64, width * 0.36],
        rowHeights=[styles.body_size * 2.6, None],
    )
    table.setStyle(
        TableStyle(
            [
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


def _flowable(kit: Kit, block: Block, styles: Styles, width: float, in_emergency: bool) -> Flowable:
    markup = _markup(block)
    paragraph = kit.paragraph
    if block.kind == "h1":
        return paragraph(markup, styles.title)
    if block.kind == "h2":
        return paragraph(markup, styles.emergency_heading if in_emergency else styles.heading)
    if block.kind == "h3":
        return paragraph(markup, styles.subheading)
    if block.kind == "bullet":
        return paragraph(markup, styles.bullet, bulletText=BULLET)
    if block.kind == "number":
        return paragraph(markup, styles.bullet, bulletText=f"{block.number}.")
    if block.kind == "check":
        box = styles.body_size * 0.9
        return CheckItem(paragraph(markup, styles.body), box, box * 1.8)
    if block.kind == "signature":
        return _signature(kit, block, styles, width)
    return paragraph(markup, styles.body)


class NeverSplit(KeepTogether):  # type: ignore[misc]
    """The emergency box and the receipt: always on one page, never split. One taller than a whole page
    cannot be kept together and ReportLab would split it anyway, so it is refused, naming it (never a
    value)."""

    def __init__(self, flowables: list[Flowable], name: str) -> None:
        super().__init__(flowables)
        self.name = name

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        if getattr(self, "_wrapInfo", None) != (availWidth, availHeight):
            self.wrap(availWidth, availHeight)
        frame = getattr(self, "_frame", None)
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


def _boxed(kit: Kit, section: Section, styles: Styles, width: float, name: str = "") -> Flowable:
    """A section in a box. One row per block, so a long box can still break between pages."""
    emergency = section.kind == "emergency"
    pad = styles.body_size * 0.7
    inner = width - 2 * pad
    rows = [[_flowable(kit, block, styles, inner, emergency)] for block in section.blocks]
    table = kit.table(rows, colWidths=[width], splitByRow=1)
    commands: list[tuple[Any, ...]] = [
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
) -> list[Flowable]:
    """The flowables of the document body. `private`: patient values an error must never name."""
    kit = kit or speedups.kit()
    story: list[Flowable] = []
    for number, section in enumerate(content.sections, start=1):
        if section.kind in ("summary", "call", "emergency"):
            name = _box_name(section, number, private)
            story += [Spacer(1, styles.body_size * 0.8), _boxed(kit, section, styles, width, name)]
        elif section.kind == "receipt":
            # Kept on one page, as the signatures must be; never split (see NeverSplit).
            blocks = [_flowable(kit, b, styles, width, False) for b in section.blocks]
            story.append(_never_split(kit, blocks, _box_name(section, number, private)))
        else:
            story += [_flowable(kit, block, styles, width, False) for block in section.blocks]
    return story


def _fit(text: str, font: str, size: float, width: float) -> float:
    """The largest size up to `size` (at least 7 pt) at which `text` fits in `width`."""
    while size > 7 and stringWidth(text, font, size) > width:
        size -= 0.5
    return size


READABLE_SIZE = 7.0  # header and footer text is made no smaller than this while wrapping can help
HEADER_TOP = 0.3 * 72  # nothing is printed nearer the top edge (a printer's unprintable margin)
HEADER_RULE_LOWEST = MARGIN_TOP - 4  # the header's rule stays above the body text
FOOTER_RULE_HIGHEST = MARGIN_BOTTOM - 3  # the footer's rule stays below the body text
HEADER_GAP = "     "
FOOTER_GAP = "  \u00b7  "
LOGO_TOP = 0.35 * 72  # the logo's top edge, from the page top
LOGO_CLEARANCE = 12.0  # between the header text and the logo


def _wrapped(
    segments: Sequence[str], gap: str, font: str, size: float, width: float, break_words: bool
) -> list[str] | None:
    """`segments` joined by `gap` on one line if that fits in `width`; else each segment starts a line
    and is wrapped at spaces. A word wider than a line is broken (after a hyphen where one is near) only
    if `break_words`; otherwise the answer is None."""

    def fits(text: str) -> bool:
        return bool(stringWidth(text, font, size) <= width)

    whole = gap.join(segments)
    if fits(whole):
        return [whole]
    lines: list[str] = []
    for segment in segments:
        line = ""
        for word in segment.split(" "):
            candidate = f"{line} {word}" if line else word
            if fits(candidate):
                line = candidate
                continue
            if line:
                lines.append(line)
            while not fits(word):
                if not break_words:
                    return None
                cut = _longest_fitting_prefix(word, font, size, width)
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        if line:
            lines.append(line)
    return lines


def _longest_fitting_prefix(word: str, font: str, size: float, width: float) -> int:
    """How many characters of `word` to put on a line (at least one): after its last hyphen in the part
    that fits, if that keeps at least half of it, so an identifier breaks where it reads naturally."""
    cut = 1
    while cut < len(word) and stringWidth(word[: cut + 1], font, size) <= width:
        cut += 1
    hyphen = word.rfind("-", 0, cut)
    return hyphen + 1 if hyphen + 1 >= cut / 2 and hyphen + 1 < len(word) else cut


def _smaller_sizes(start: float, floor: float) -> list[float]:
    sizes = [start]
    while sizes[-1] - 0.5 >= floor:
        sizes.append(sizes[-1] - 0.5)
    return sizes


# (font, size, baseline below the page top, text) for each header line; and the rule, below the page top.
HeaderLayout = tuple[list[tuple[str, float, float, str]], float]


def _header_layout(patient_line: str, identifiers: Sequence[str], size: float, width: float) -> HeaderLayout:
    """The identification header in `width`. As it has always been drawn when both lines fit (up to 2 pt
    smaller); else wrapped and, if it must be, smaller: first without breaking a word, at READABLE_SIZE or larger, then
    breaking words, and only then smaller still (names and MRNs have length limits: nothing real needs
    that)."""
    ids_line = HEADER_GAP.join(identifiers)
    top = 0.55 * 72
    # Up to 2 pt smaller on the usual two lines reads better than a name broken over two lines.
    for line_size in _smaller_sizes(size, max(READABLE_SIZE, size - 2)):
        if (
            stringWidth(patient_line, BOLD, line_size + 1) <= width
            and stringWidth(ids_line, REGULAR, line_size) <= width
        ):
            return [
                (BOLD, line_size + 1, top, patient_line),
                (REGULAR, line_size, top + line_size * 1.45, ids_line),
            ], top + line_size * 2.2
    layout: HeaderLayout = ([], 0.0)
    for break_words, floor in ((False, READABLE_SIZE), (True, READABLE_SIZE), (True, 1.0)):
        for line_size in _smaller_sizes(size, floor):
            names = _wrapped([patient_line], "", BOLD, line_size + 1, width, break_words)
            ids = _wrapped(identifiers, HEADER_GAP, REGULAR, line_size, width, break_words)
            if names is None or ids is None:
                continue
            step = (line_size + 1) * 1.25
            first = HEADER_TOP + (line_size + 1) * 0.95
            lines = [(BOLD, line_size + 1, text) for text in names]
            lines += [(REGULAR, line_size, text) for text in ids]
            rule = first + step * (len(lines) - 1) + line_size * 0.8
            layout = (
                [
                    (font, font_size, first + step * index, text)
                    for index, (font, font_size, text) in enumerate(lines)
                ],
                rule,
            )
            if rule <= HEADER_RULE_LOWEST:
                return layout
    return layout  # at 1 pt: only labels far longer than any translation's could need it


def _footer_lines(text: str, size: float, width: float) -> tuple[list[str], float]:
    """The footer's left-hand text in `width`: on one line as it has always been drawn (made smaller down
    to 7 pt) when that fits, else on two lines (institution, then version, where they are both given),
    smaller if it must be."""
    if stringWidth(text, REGULAR, _fit(text, REGULAR, size, width)) <= width:
        return [text], _fit(text, REGULAR, size, width)
    segments = text.split(FOOTER_GAP)
    lines: list[str] | None = None
    for break_words, floor in ((False, READABLE_SIZE), (True, READABLE_SIZE), (True, 1.0)):
        for line_size in _smaller_sizes(size, floor):
            lines = _wrapped(segments, FOOTER_GAP, REGULAR, line_size, width, break_words)
            if lines is not None and len(lines) <= 2:
                return lines, line_size
    # At 1 pt: the site's text has length limits, so only a footer message far longer than any
    # translation's could need it.
    return lines or [text], 1.0


def _page_frame(
    case: Case, site: SiteSettings, content: RenderedContent, styles: Styles, kit: Kit | None = None
) -> tuple[type[Canvas], Callable[..., None]]:
    """A Canvas class that draws the footer once the page count is known, and the on-page hook that draws
    the identification header (and the logo on page one)."""
    messages = content.messages
    formats = filters_for(content.language)
    patient_line = f"{messages['header_patient']}: {case.patient_name}"
    identifiers = [
        f"{messages['header_dob']}: {formats['full_date'](case.dob)}",
        f"{messages['header_mrn']}: {case.mrn}",
    ]
    ids_line = HEADER_GAP.join(identifiers)
    version_line = messages["footer_version"].format(
        version=site.content.version, reviewed=formats["full_date"](site.content.last_reviewed)
    )
    institution = site.institution.name
    footer_left = f"{institution}{FOOTER_GAP}{version_line}" if institution else version_line
    logo = site.document.logo
    every_text = [patient_line, ids_line, footer_left, messages["footer_page"], BULLET]
    for section in content.sections:
        for block in section.blocks:
            every_text += [block.text, *block.attributes.values()]
    document_text = "".join(every_text)
    reuses_drawings = (kit or speedups.kit()).reuses_drawings

    class PageFrameCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._doc._timeStamp = InvariantTime()
            self._pages: list[dict[str, Any]] = []
            self._header: dict[float, list[str]] = {}  # by the width it is drawn in
            self._footer_left: dict[tuple[tuple[str, ...], float], list[str]] = {}  # by lines and size
            # Before anything is drawn, so remembered paragraph drawings fit this document's font codes.
            fix_font_codes(self, document_text, (REGULAR, BOLD))

        def _draw_header(self, width: float) -> None:
            """The header, its text within `width` from the left margin."""
            drawn = self._header.get(width)
            if drawn is not None:
                # Every page starts from the same graphics state, so its header is the same operators.
                self._code.extend(drawn)
                return
            start = len(self._code)
            page_width, page_height = self._pagesize
            lines, rule = _header_layout(patient_line, identifiers, styles.header_size, width)
            self.setFillColor(INK)
            for font, size, below_top, text in lines:
                self.setFont(font, size)
                self.drawString(MARGIN_SIDE, page_height - below_top, text)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.8)
            rule_y = page_height - rule
            self.line(MARGIN_SIDE, rule_y, page_width - MARGIN_SIDE, rule_y)
            if reuses_drawings:
                self._header[width] = self._code[start:]

        def _draw_footer(self, page: int, pages: int) -> None:
            page_width, _ = self._pagesize
            size = styles.footer_size
            y = 0.5 * 72
            page_text = messages["footer_page"].format(page=page, pages=pages)
            page_size = size + 2
            room = max(page_width - 2 * MARGIN_SIDE - stringWidth(page_text, BOLD, page_size) - 12, 72)
            lines, left_size = _footer_lines(footer_left, size, room)
            drawn = self._footer_left.get((tuple(lines), left_size))
            if drawn is not None:
                # The rule and the left-hand text set every state they use (line width, colours, font),
                # so on every page of the document they are the same operators. Only the number differs.
                self._code.extend(drawn)
            else:
                start = len(self._code)
                step = left_size * 1.2
                rule_y = min(y + step * (len(lines) - 1) + size * 1.6, FOOTER_RULE_HIGHEST)
                self.setStrokeColor(RULE)
                self.setLineWidth(0.8)
                self.line(MARGIN_SIDE, rule_y, page_width - MARGIN_SIDE, rule_y)
                self.setFillColor(INK)
                self.setFont(REGULAR, left_size)
                for index, line in enumerate(lines):
                    self.drawString(MARGIN_SIDE, y + step * (len(lines) - 1 - index), line)
                if reuses_drawings:
                    self._footer_left[(tuple(lines), left_size)] = self._code[start:]
            self.setFont(BOLD, page_size)
            self.drawRightString(page_width - MARGIN_SIDE, y, page_text)

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            # Hold each finished page until the total page count is known.
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._draw_footer(number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    def on_page(canvas: PageFrameCanvas, _doc: Any) -> None:
        canvas.saveState()
        page_width, page_height = canvas._pagesize
        usable = page_width - 2 * MARGIN_SIDE
        if logo is not None and canvas.getPageNumber() == 1:
            # The header text keeps clear of the logo beside it.
            canvas._draw_header(usable - logo.printed_size()[0] - LOGO_CLEARANCE)
            draw_logo(canvas, logo, page_width - MARGIN_SIDE, page_height - LOGO_TOP)
        else:
            canvas._draw_header(usable)
        canvas.restoreState()

    return PageFrameCanvas, on_page


def build_pdf_counted(
    case: Case, site: SiteSettings, content: RenderedContent, kit: Kit | None = None
) -> tuple[bytes, int]:
    """The PDF and its page count (the batch manifest lists it; parsing the PDF again would cost more).
    `kit`: the classes to lay it out with; by default what the speed-ups offer now."""
    register_fonts()
    kit = kit or speedups.kit()
    styles = styles_for(case.large_print)
    page_size = PAGE_SIZES[case.paper or site.document.paper]
    width = page_size[0] - 2 * MARGIN_SIDE
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=page_size,
        leftMargin=MARGIN_SIDE,
        rightMargin=MARGIN_SIDE,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        # Metadata: generic words only. Patient data never goes here.
        title=content.messages["title"],
        author=site.institution.name or "",
        subject=content.messages["title"],
        creator=f"dischargegen {__version__}",
        keywords=[],
        lang=PDF_LANGUAGE[content.language],
        invariant=1,
        displayDocTitle=1,
        keepTogetherClass=kit.keep_together,  # headings are kept with what follows them
    )
    canvas_class, on_page = _page_frame(case, site, content, styles, kit)
    frame = kit.frame(
        MARGIN_SIDE, MARGIN_BOTTOM, width, page_size[1] - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body",
    )  # fmt: skip
    document.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    document.build(build_story(content, styles, width, patient_values(case), kit), canvasmaker=canvas_class)
    return with_content_id(buffer.getvalue()), int(document.page)


class InvariantTime(TimeStamp):  # type: ignore[misc]
    """ReportLab's invariant-mode date (2000-01-01 00:00 UTC) for CreationDate and ModDate, whatever the
    environment: ReportLab lets SOURCE_DATE_EPOCH replace it, and the same input must give the same bytes."""

    SECONDS = 946684800

    def __init__(self) -> None:
        self.t = self.SECONDS
        self.lt = time.gmtime(self.SECONDS)
        self.YMDhms = tuple(self.lt)[:6]
        self.dhh = self.dmm = 0
        self.tzname = "UTC"


# ReportLab writes the trailer's /ID from the metadata only (title, author, dates): the same in every
# document. Two 16-byte hex strings, the permanent and the changing identifier.
_TRAILER_ID = re.compile(rb"/ID \n\[<([0-9a-fA-F]{32})><([0-9a-fA-F]{32})>\]")


def with_content_id(pdf: bytes) -> bytes:
    """`pdf` with its /ID made from its own content: the first 16 bytes of the SHA-256 of the document
    with the ID written as zeros. Same length, so no offset moves; a digest, so no patient text in clear."""
    trailer_ids = list(_TRAILER_ID.finditer(pdf, max(0, len(pdf) - 4096)))  # the trailer is at the end
    if not trailer_ids:
        raise AssertionError("ReportLab wrote no /ID in the trailer")  # a programming error
    found = trailer_ids[-1]
    zeros = b"0" * 32
    blank = pdf[: found.start(1)] + zeros + b"><" + zeros + pdf[found.end(2) :]
    digest = hashlib.sha256(blank).hexdigest()[:32].encode("ascii")
    return pdf[: found.start(1)] + digest + b"><" + digest + pdf[found.end(2) :]
