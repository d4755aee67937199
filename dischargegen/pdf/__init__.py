"""Lay out rendered content as a PDF with ReportLab: the body (flowables.py) on pages framed by the header
and footer (page.py), in the type and colours of styles.py.

Every page carries the patient's name, date of birth and medical record number (two identifiers) at the
top, and "Page N of M" with the content version at the bottom; text too long for its line is wrapped or
made smaller, never run into other text or off the page. Output is deterministic: the dates are fixed
(ReportLab's invariant date, whatever the environment says) and the document ID is a digest of the
document itself, so the same input gives the same bytes and different documents different IDs.
"""

from __future__ import annotations

import hashlib
import io
import re

from reportlab.platypus import BaseDocTemplate, PageTemplate

from .._version import __version__
from ..case import Case
from ..content import RenderedContent, patient_values
from ..site import SiteSettings
from . import speedups
from .flowables import build_story
from .fonts import register_fonts
from .page import page_frame
from .speedups import Kit
from .styles import MARGIN_BOTTOM, MARGIN_SIDE, MARGIN_TOP, PAGE_SIZES, styles_for

PDF_LANGUAGE = {"en": "en-US", "es": "es-US"}


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
    canvas_class, on_page = page_frame(case, site, content, styles, kit)
    frame = kit.frame(
        MARGIN_SIDE, MARGIN_BOTTOM, width, page_size[1] - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body",
    )  # fmt: skip
    document.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    document.build(build_story(content, styles, width, patient_values(case), kit), canvasmaker=canvas_class)
    return with_content_id(buffer.getvalue()), int(document.page)


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
