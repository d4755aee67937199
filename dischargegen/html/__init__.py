"""Lay out rendered content as one self-contained HTML page, for patient portals and screen readers: the
same sections and blocks the PDF is made from (content.render_content), so both say the same words.

The page needs nothing else: no script, no request anywhere (the style sheet is inline, the pictures and
the scan-back code are inline SVG, the site's logo a data: URI). Every text that came in is escaped here;
the only markup is ours.
The header carries the patient line and identifiers as every PDF page does; the <title> carries the
document title only (a browser shows it in tabs, history and bookmarks). Same input, same bytes.
"""

from __future__ import annotations

import html
from collections.abc import Iterator

from .._version import __version__
from ..case import Case
from ..content import RenderedContent
from ..content.blocks import Block, Run, Section
from ..logo import Logo
from ..pdf import PDF_LANGUAGE
from ..pdf.flowables import PICTURE_SHARE
from ..pdf.page import FOOTER_GAP, _labels
from ..pdf.pictures import draw_picture
from ..pdf.styles import TEXT_WIDTH
from ..site import SiteSettings
from .style import style_sheet
from .svg import picture_svg, scan_code_svg

# Pictures are drawn at the width they have on a letter page, so their labels keep the same size relative
# to the drawing; the style sheet sizes them in the page.
POINTS_PER_EM = 10.0  # a picture's width in the page: its width on paper, in points, over this
CHECK_BOX = "\u2610"  # BALLOT BOX: a printed box to tick by hand, not a form control
LIST_TAGS = {"bullet": "ul", "number": "ol", "check": "ul"}
# The logo's text alternative where the site has no institution name and the language's messages.toml no
# `logo_alt` (a site's own copy made before the key existed).
LOGO_ALT = "Logo"
# Marks a page as ours: batch --also-html replaces an HTML file only when a run wrote it (engine.py).
GENERATOR_MARK = b'<meta name="generator" content="dischargegen'


def build_html(case: Case, site: SiteSettings, content: RenderedContent, scan_code: str | None) -> bytes:
    """The page, UTF-8. `scan_code`: the scan-back code's payload (barcode.payload_for), or None."""
    labels = _labels(case, site, content.messages, content.language)
    writer = _Writer(case.large_print)
    body = "".join(writer.sections(content.sections, scan_code))
    logo = site.document.logo
    header = (
        f'<header class="patient{" with-logo" if logo is not None else ""}">'
        f"{_logo(logo, site.institution.name, content.messages) if logo is not None else ''}"
        f'<p class="patient-line">{_text(labels.patient_line)}</p>'
        f'<p class="identifiers">{"".join(f"<span>{_text(i)}</span>" for i in labels.identifiers)}</p>'
        "</header>"
    )
    footer = "".join(f"<span>{_text(part)}</span>" for part in labels.footer_left.split(FOOTER_GAP))
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{PDF_LANGUAGE[content.language]}">\n'
        '<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'{GENERATOR_MARK.decode()} {__version__}">\n'
        f"<title>{_text(content.messages['title'])}</title>\n"
        f"<style>{style_sheet(with_logo=logo is not None)}</style>\n"
        "</head>\n"
        f'<body class="{"large-print" if case.large_print else "regular-print"}">\n'
        f"{header}\n<main>\n{body}</main>\n"
        f'<footer class="document">{footer}</footer>\n'
        "</body>\n</html>\n"
    )
    return page.encode("utf-8")


def _logo(logo: Logo, institution: str | None, messages: dict[str, str]) -> str:
    """The logo where the PDF prints it (the top right of the first page), at its printed size. Its text
    alternative is the institution's name: the document prints that name only in the footer, at the very
    end for a screen reader, so the logo is the first place a listener learns whose document this is (as a
    reader sees at a glance). Without a name, the language's word for "Logo"."""
    width, height = logo.css_size()
    alt = institution or messages.get("logo_alt", LOGO_ALT)
    return f'<img class="logo" src="{logo.data_uri}" width="{width}" height="{height}" alt="{_text(alt)}">'


def _text(text: str) -> str:
    return html.escape(text, quote=True)


def _runs(runs: list[Run]) -> str:
    parts = []
    for run in runs:
        if run.text == "\n":
            parts.append("<br>")
        elif run.bold:
            parts.append(f"<strong>{_text(run.text)}</strong>")
        else:
            parts.append(_text(run.text))
    return "".join(parts)


class _Writer:
    """Numbers the ids (headings, figures) in document order, so the same content gives the same ids."""

    def __init__(self, large_print: bool) -> None:
        self.large_print = large_print
        self.headings = 0
        self.figures = 0
        self.ids: dict[int, str] = {}  # a heading block's id() -> its element id

    def sections(self, sections: list[Section], scan_code: str | None) -> Iterator[str]:
        page_breaks = 0
        for section in sections:
            if section.kind == "plain" and all(block.kind == "page_break" for block in section.blocks):
                # Where the PDF starts a new page: the next section does in print.
                page_breaks += len(section.blocks)
                yield '<div class="page-break"></div>\n'
                continue
            yield self.section(section, scan_code, page_breaks)

    def section(self, section: Section, scan_code: str | None, page_breaks: int) -> str:
        heading = next((block for block in section.blocks if block.kind in ("h2", "h3")), None)
        inner = "".join(self.blocks(section.blocks))
        if section.kind == "receipt" and scan_code is not None:
            inner += (
                f'<div class="scan">{scan_code_svg(scan_code)}'
                f'<p class="scan-text">{_text(scan_code)}</p></div>'
            )
        classes = [section.kind]
        if any(block.kind == "h1" for block in section.blocks):
            return f'<div class="{" ".join(classes)}">{inner}</div>\n'
        label = f' aria-labelledby="{self.heading_id(heading)}"' if heading is not None else ""
        return f'<section class="{" ".join(classes)}"{label}>{inner}</section>\n'

    def heading_id(self, heading: Block) -> str:
        """The id given to `heading` when it was written (a section's blocks are written first)."""
        return self.ids[id(heading)]

    def blocks(self, blocks: list[Block]) -> Iterator[str]:
        index = 0
        while index < len(blocks):
            block = blocks[index]
            if block.kind in LIST_TAGS:
                end = index
                while end < len(blocks) and blocks[end].kind == block.kind:
                    end += 1
                yield self.list(blocks[index:end])
                index = end
                continue
            yield self.block(block)
            index += 1

    def list(self, items: list[Block]) -> str:
        kind = items[0].kind
        tag = LIST_TAGS[kind]
        if kind == "check":
            lines = "".join(
                f'<li><span class="box" aria-hidden="true">{CHECK_BOX}</span> {_runs(item.runs)}</li>'
                for item in items
            )
            return f'<ul class="checklist">{lines}</ul>'
        return f"<{tag}>{''.join(f'<li>{_runs(item.runs)}</li>' for item in items)}</{tag}>"

    def block(self, block: Block) -> str:
        if block.kind in ("h1", "h2", "h3"):
            self.headings += 1
            identifier = f"heading-{self.headings}"
            self.ids[id(block)] = identifier
            return f'<{block.kind} id="{identifier}">{_runs(block.runs)}</{block.kind}>'
        if block.kind == "figure":
            return self.figure(block)
        if block.kind == "signature":
            sign = _text(block.attributes.get("sign", ""))
            date = _text(block.attributes.get("date", ""))
            return (
                '<div class="signature">'
                f'<div class="sign"><span class="line"></span><span class="label">{sign}</span></div>'
                f'<div class="date"><span class="line"></span><span class="label">{date}</span></div>'
                "</div>"
            )
        if block.kind == "page_break":
            return '<div class="page-break"></div>'
        return f"<p>{_runs(block.runs)}</p>"

    def figure(self, block: Block) -> str:
        self.figures += 1
        attributes = dict(block.attributes)
        name = attributes.pop("picture")
        alt = attributes.pop("alt")
        drawing = draw_picture(name, attributes, TEXT_WIDTH * PICTURE_SHARE.get(name, 0.3), self.large_print)
        svg = picture_svg(drawing, alt, f"figure-{self.figures}")
        beside = "".join(self.blocks(block.children))
        return (
            f'<div class="with-picture picture-{_text(name)}">'
            f'<figure style="width: {drawing.width / POINTS_PER_EM:.1f}em">{svg}<figcaption>{_runs(block.runs)}</figcaption></figure>'
            f'<div class="beside">{beside}</div></div>'
        )
