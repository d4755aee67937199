"""Lay out rendered content as a PDF with ReportLab: the body (flowables.py) on pages framed by the header
and footer (page.py), in the type and colours of styles.py.

Every page carries the patient's name, date of birth and medical record number (two identifiers) at the
top, and "Page N of M" with the content version at the bottom; text too long for its line is wrapped or
made smaller, never run into other text or off the page. Output is deterministic: the dates are fixed
(ReportLab's invariant date, whatever the environment says) and the document ID is a digest of the
document itself, so the same input gives the same bytes and different documents different IDs. ReportLab's
own settings (RL_* environment variables, reportlab_settings files, a host's changes to rl_config) do not
reach the bytes either: what ReportLab takes as an argument is passed, and the rl_config values it reads
while writing are held at the values ReportLab ships with for the length of the build (`shipped_settings`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from collections.abc import Iterator

from reportlab import rl_config, rl_settings
from reportlab.lib import textsplit as reportlab_textsplit
from reportlab.platypus import BaseDocTemplate, PageTemplate
from reportlab.platypus import paragraph as reportlab_paragraph

from .._version import __version__
from ..barcode import payload_for
from ..case import Case
from ..content import RenderedContent, patient_values
from ..site import SiteSettings
from . import speedups
from .archival import with_stream_eols
from .flowables import build_story
from .fonts import REGULAR, register_fonts
from .page import page_frame
from .speedups import Kit
from .styles import MARGIN_BOTTOM, MARGIN_TOP, PAGE_SIZES, TEXT_WIDTH, side_margin, styles_for
from .tagging import StructureTree, tagged_kit

# BCP 47 tags for /Lang and the HTML rendition's lang. US English and US Spanish as before; the script
# subtag for Chinese ("zh-Hans": Simplified characters, what the text is written in, whatever the
# reader's region), and the bare language for the others: their text is not specific to one country
# ("tl" is Tagalog, which most readers call Filipino; screen readers know "tl").
PDF_LANGUAGE = {
    "en": "en-US",
    "es": "es-US",
    "zh": "zh-Hans",
    "vi": "vi",
    "ko": "ko",
    "tl": "tl",
    "ru": "ru",
    "ht": "ht",
}
# The scan-back code's text alternative in a tagged document, where the language's messages.toml has no
# `scan_code_alt`. Generic words only: the code holds the MRN.
SCAN_CODE_ALT = "Code that staff scan to file this signed page in your health record"

# The rl_config values ReportLab reads while it lays out and writes a document, where no argument of ours
# reaches: A85 encoding and its line wrapping, comments (with ReportLab's install path), one line per
# dictionary entry, the TrueType subsets' codes (our fonts pass it too: they may be registered before a
# build), the canvas's first colours, a standard font's encoding, how far too-wide table columns shrink.
# ReportLab fills rl_config from RL_<name> environment variables and settings files at import, and a host
# may change it; each of these changes the bytes.
HELD_SETTINGS = (
    "useA85",
    "wrapA85",
    "pdfComments",
    "pdfMultiLine",
    "ttfAsciiReadable",
    "canvas_baseColor",
    "defaultEncoding",
    "defCWRF",
)


# Chinese punctuation that never starts a line. ReportLab's CJK line breaking (wordWrap="CJK") keeps the
# characters of its ALL_CANNOT_START at the end of the line before, but that list was made for Japanese and
# lacks the full-width comma, colon, semicolon, question mark, closing quotes and book-title marks that
# Chinese text uses: lines began with "，". Added for the length of a build, as HELD_SETTINGS are held.
CHINESE_CANNOT_START = "，：；？！》〉”’…"


@contextlib.contextmanager
def shipped_settings() -> Iterator[None]:
    """HELD_SETTINGS at the values ReportLab ships with (reportlab/rl_settings.py), and CJK line breaking
    that knows CHINESE_CANNOT_START, for a while; the caller's values are put back after, so a host's
    own settings are as it left them."""
    before = {name: getattr(rl_config, name) for name in HELD_SETTINGS}
    # Both modules hold the list: a one-run paragraph is broken by textsplit.wordSplit, others by
    # paragraph.cjkFragSplit.
    line_breakers = (reportlab_textsplit, reportlab_paragraph)
    cannot_start = [module.ALL_CANNOT_START for module in line_breakers]
    try:
        for name in HELD_SETTINGS:
            setattr(rl_config, name, getattr(rl_settings, name))
        for module, held in zip(line_breakers, cannot_start, strict=True):
            module.ALL_CANNOT_START = held + CHINESE_CANNOT_START
        yield
    finally:
        for name, value in before.items():
            setattr(rl_config, name, value)
        for module, held in zip(line_breakers, cannot_start, strict=True):
            module.ALL_CANNOT_START = held


def build_pdf_counted(
    case: Case, site: SiteSettings, content: RenderedContent, kit: Kit | None = None
) -> tuple[bytes, int]:
    """The PDF and its page count (the batch manifest lists it; parsing the PDF again would cost more).
    `kit`: the classes to lay it out with; by default what the speed-ups offer now."""
    with shipped_settings():
        return _build_pdf_counted(case, site, content, kit)


def _build_pdf_counted(
    case: Case, site: SiteSettings, content: RenderedContent, kit: Kit | None
) -> tuple[bytes, int]:
    register_fonts()
    kit = kit or speedups.kit()
    # Tagged (PDF/UA-1, see tagging.py) as the site says; the commands' --tagged sets it there.
    tree = StructureTree() if site.pdf.tagged else None
    if tree is not None:
        kit = tagged_kit(kit)
    styles = styles_for(case.large_print, content.language)
    page_size = PAGE_SIZES[case.paper or site.document.paper]
    width = TEXT_WIDTH
    buffer = io.BytesIO()
    document = document_template(buffer, page_size, content.messages["title"], site, content.language, kit)
    canvas_class, on_page = page_frame(case, site, content, styles, kit, tree=tree)
    frame = kit.frame(
        side_margin(page_size[0]), MARGIN_BOTTOM, width, page_size[1] - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body",
        overlapAttachedSpace=1,  # rl_config's otherwise
    )  # fmt: skip
    document.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    story = build_story(
        content,
        styles,
        width,
        patient_values(case),
        kit,
        payload_for(case, site),
        tree,
        content.messages.get("scan_code_alt", SCAN_CODE_ALT),
    )
    document.build(story, canvasmaker=canvas_class)
    return with_content_id(with_stream_eols(buffer.getvalue())), int(document.page)


def document_template(
    buffer: io.BytesIO,
    page_size: tuple[float, float],
    title: str,
    site: SiteSettings,
    language: str,
    kit: Kit,
) -> BaseDocTemplate:
    """A document with the body's margins and metadata that hold generic words only: `title` must never
    carry patient data."""
    return BaseDocTemplate(
        buffer,
        pagesize=page_size,
        leftMargin=side_margin(page_size[0]),
        rightMargin=side_margin(page_size[0]),
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        # Metadata: generic words only. Patient data never goes here.
        title=title,
        author=site.institution.name or "",
        subject=title,
        creator=f"dischargegen {__version__}",
        keywords=[],
        lang=PDF_LANGUAGE[language],
        invariant=1,
        # What ReportLab would otherwise take from rl_config (RL_pageCompression=0 doubled the size):
        pageCompression=1,
        initialFontName=REGULAR,  # embedded, as PDF/A wants every font (ReportLab's default is not)
        initialFontSize=12,
        initialLeading=14.4,
        displayDocTitle=1,
        keepTogetherClass=kit.keep_together,  # headings are kept with what follows them
    )


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
