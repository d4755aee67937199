"""The page frame: the header with the patient's two identifiers on every page, the footer with the content
version and "Page N of M", and the logo; each wraps or shrinks its text so it never overprints."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.utils import TimeStamp
from reportlab.pdfgen.canvas import Canvas

from ..case import Case
from ..content import RenderedContent
from ..content.formatting import filters_for
from ..logo import draw_logo
from ..site import SiteSettings
from . import speedups
from .archival import make_archival
from .flowables import BULLET
from .fonts import BOLD, CJK, REGULAR, draw_text, split_by_font, text_width
from .speedups import Kit
from .speedups.paragraphs import fix_font_codes
from .styles import (
    INK,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    RULE,
    TEXT_WIDTH,
    Styles,
    side_margin,
)
from .tagging import CANVAS_ATTRIBUTE, PageMarks, StructureTree, artifact, finish


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


def _fit(text: str, font: str, size: float, width: float) -> float:
    """The largest size up to `size` (at least 7 pt) at which `text` fits in `width`."""
    while size > 7 and text_width(text, font, size) > width:
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
CARD_PAGE = "card"  # the page template whose pages carry the card's labels (page_frame's `card`)
MARK_BORDER = 2.0  # the mark's box: heavy and black, so it shows on a greyscale copy or a scan


def _wrapped(
    segments: Sequence[str], gap: str, font: str, size: float, width: float, break_words: bool
) -> list[str] | None:
    """`segments` joined by `gap` on one line if that fits in `width`; else each segment starts a line
    and is wrapped at spaces. A word wider than a line is broken (after a hyphen where one is near) only
    if `break_words`; otherwise the answer is None."""

    def fits(text: str) -> bool:
        return bool(text_width(text, font, size) <= width)

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
    while cut < len(word) and text_width(word[: cut + 1], font, size) <= width:
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
            text_width(patient_line, BOLD, line_size + 1) <= width
            and text_width(ids_line, REGULAR, line_size) <= width
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
    if text_width(text, REGULAR, _fit(text, REGULAR, size, width)) <= width:
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


@dataclass(frozen=True)
class _Labels:
    """The header's and footer's words in one language."""

    patient_line: str
    identifiers: list[str]
    footer_left: str
    footer_page: str


def _labels(case: Case, site: SiteSettings, messages: dict[str, str], language: str) -> _Labels:
    formats = filters_for(language)
    version_line = messages["footer_version"].format(
        version=site.content.version, reviewed=formats["full_date"](site.content.last_reviewed)
    )
    institution = site.institution.name
    return _Labels(
        patient_line=f"{messages['header_patient']}: {case.patient_name}",
        identifiers=[
            f"{messages['header_dob']}: {formats['full_date'](case.dob)}",
            f"{messages['header_mrn']}: {case.mrn}",
        ],
        footer_left=f"{institution}{FOOTER_GAP}{version_line}" if institution else version_line,
        footer_page=messages["footer_page"],
    )


def page_frame(
    case: Case,
    site: SiteSettings,
    content: RenderedContent,
    styles: Styles,
    kit: Kit | None = None,
    *,
    mark: str | None = None,
    card: RenderedContent | None = None,
    tree: StructureTree | None = None,
) -> tuple[type[Canvas], Callable[..., None]]:
    """A Canvas class that draws the footer once the page count is known, and the on-page hook that draws
        the identification header (and the logo on page one). `mark` ("Chart copy"): drawn boxed in bold at
        the header's right on every page, in place of the logo. `card`: the pages of the CARD_PAGE template
        carry its labels (its language) instead of the document's. `tree`: a tagged document's structure tree
    (tagging.py), written with the document; the header, footer, logo and mark are artifacts."""
    document_labels = _labels(case, site, content.messages, content.language)
    card_labels = document_labels if card is None else _labels(case, site, card.messages, card.language)
    logo = site.document.logo
    every_text = [BULLET, mark or ""]
    for labels in (document_labels, card_labels):
        every_text += [
            labels.patient_line,
            HEADER_GAP.join(labels.identifiers),
            labels.footer_left,
            labels.footer_page,
        ]
    for part in (content, card):
        for section in part.sections if part is not None else []:
            for block in section.all_blocks():
                every_text += [block.text, *block.attributes.values()]
    document_text = "".join(every_text)
    reuses_drawings = (kit or speedups.kit()).reuses_drawings

    class PageFrameCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._doc._timeStamp = InvariantTime()
            self._pages: list[dict[str, Any]] = []
            self._header: dict[tuple[int, float], list[str]] = {}  # by labels and the width drawn in
            self._labels = document_labels  # this page's: on_page sets them
            self._footer_left: dict[tuple[tuple[str, ...], float], list[str]] = {}  # by lines and size
            # Before anything is drawn, so remembered paragraph drawings fit this document's font codes.
            # CJK characters take codes in the CJK font only (and it is named only where there are some).
            noto_text, cjk_text = split_by_font(document_text)
            fix_font_codes(self, noto_text, (REGULAR, BOLD))
            if cjk_text:
                fix_font_codes(self, cjk_text, (CJK,))
            if tree is not None:
                setattr(self, CANVAS_ATTRIBUTE, PageMarks())

        def _draw_header(self, width: float) -> None:
            """The header, its text within `width` from the left margin."""
            labels = self._labels
            key = (id(labels), width)
            drawn = self._header.get(key)
            if drawn is not None:
                # Every page starts from the same graphics state, so its header is the same operators.
                self._code.extend(drawn)
                return
            start = len(self._code)
            page_width, page_height = self._pagesize
            left = side_margin(page_width)
            lines, rule = _header_layout(labels.patient_line, labels.identifiers, styles.header_size, width)
            self.setFillColor(INK)
            for font, size, below_top, text in lines:
                draw_text(self, left, page_height - below_top, text, font, size)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.8)
            rule_y = page_height - rule
            self.line(left, rule_y, left + TEXT_WIDTH, rule_y)
            if reuses_drawings:
                self._header[key] = self._code[start:]

        def _draw_mark(self, text: str, size: float) -> float:
            """`text` in bold in a heavy black box at the header's right; the width it takes."""
            page_width, page_height = self._pagesize
            pad = size * 0.45
            box_width = float(text_width(text, BOLD, size)) + 2 * pad
            box_height = size * 1.8
            right = side_margin(page_width) + TEXT_WIDTH
            top = page_height - LOGO_TOP
            self.setStrokeColor(INK)
            self.setLineWidth(MARK_BORDER)
            self.rect(right - box_width, top - box_height, box_width, box_height)
            self.setFillColor(INK)
            draw_text(self, right - box_width + pad, top - box_height / 2 - size * 0.35, text, BOLD, size)
            return box_width

        def _draw_footer(self, page: int, pages: int) -> None:
            left = side_margin(self._pagesize[0])
            size = styles.footer_size
            y = 0.5 * 72
            labels = self._labels
            page_text = labels.footer_page.format(page=page, pages=pages)
            # "Page N of M" takes at most half the line (a site's long wording is made smaller), so the
            # text on its left always has the other half and never runs under it.
            page_size = _fit(page_text, BOLD, size + 2, TEXT_WIDTH / 2)
            room = TEXT_WIDTH - text_width(page_text, BOLD, page_size) - 12
            lines, left_size = _footer_lines(labels.footer_left, size, room)
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
                self.line(left, rule_y, left + TEXT_WIDTH, rule_y)
                self.setFillColor(INK)
                self.setFont(REGULAR, left_size)
                for index, line in enumerate(lines):
                    draw_text(self, left, y + step * (len(lines) - 1 - index), line, REGULAR, left_size)
                if reuses_drawings:
                    self._footer_left[(tuple(lines), left_size)] = self._code[start:]
            page_width_drawn = text_width(page_text, BOLD, page_size)
            draw_text(self, left + TEXT_WIDTH - page_width_drawn, y, page_text, BOLD, page_size)

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            # Hold each finished page until the total page count is known.
            self._pages.append(dict(self.__dict__))
            self._startPage()
            if tree is not None:
                getattr(self, CANVAS_ATTRIBUTE).next_page()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                with artifact(self, "Footer"):
                    self._draw_footer(number, total)
                Canvas.showPage(self)
            if tree is not None:
                finish(self._doc, tree, getattr(self, CANVAS_ATTRIBUTE))
            make_archival(self._doc, tagged=tree is not None)  # PDF/A-2b: see archival.py
            Canvas.save(self)

    def on_page(canvas: PageFrameCanvas, doc: Any) -> None:
        canvas.saveState()
        canvas._labels = card_labels if doc.pageTemplate.id == CARD_PAGE else document_labels
        with artifact(canvas, "Header"):
            _draw_page_header(canvas)
        canvas.restoreState()

    def _draw_page_header(canvas: PageFrameCanvas) -> None:
        page_width, page_height = canvas._pagesize
        if mark:
            # A copy for the chart: marked on every page, and without the logo, which the patient's
            # signature page does not have either.
            mark_width = canvas._draw_mark(mark, styles.header_size + 3)
            canvas._draw_header(TEXT_WIDTH - mark_width - LOGO_CLEARANCE)
        elif logo is not None and canvas.getPageNumber() == 1:
            # The header text keeps clear of the logo beside it.
            canvas._draw_header(TEXT_WIDTH - logo.printed_size()[0] - LOGO_CLEARANCE)
            draw_logo(canvas, logo, side_margin(page_width) + TEXT_WIDTH, page_height - LOGO_TOP)
        else:
            canvas._draw_header(TEXT_WIDTH)

    return PageFrameCanvas, on_page
