"""The document's pictures and the scan-back code as inline SVG: the same ReportLab Drawings the PDF draws
(pdf/pictures.py), written by ReportLab's SVG renderer and made fit to sit inside an HTML page."""

from __future__ import annotations

import functools
import html
import re

from reportlab.graphics.shapes import Drawing

from ..pdf.fonts import BOLD, CJK, REGULAR
from ..pdf.scancode import QUIET_ZONE_MODULES, dark_rectangles, qr_modules

# What renderSVG writes before the <svg> element (an XML declaration and a DOCTYPE naming a DTD's web
# address): not wanted inside HTML, where the browser would not fetch it but a checker would see a URL.
_PROLOGUE = re.compile(r"\A.*?(?=<svg )", re.DOTALL)
_OPEN_TAG = re.compile(r"<svg [^>]*>")
# renderSVG's own <title>...</title> and <desc>...</desc>, both "...": the accessible name is ours.
_PLACEHOLDERS = re.compile(r"\s*<title>\.\.\.</title>\s*<desc>\.\.\.</desc>")
_IDS = re.compile(r'\bid="([A-Za-z][\w-]*)"|url\(#([A-Za-z][\w-]*)\)')
# The document font's registered names (pdf/fonts.py); the page names the font family instead.
_FONTS = {
    f"font-family: {BOLD};": "font-family: 'Noto Sans', Arial, sans-serif; font-weight: bold;",
    f"font-family: {REGULAR};": "font-family: 'Noto Sans', Arial, sans-serif;",
    # Chinese and Korean runs of a label (pdf/fonts.font_runs): the shipped CJK font where the reader has
    # it, else the system's.
    f"font-family: {CJK};": "font-family: 'Droid Sans Fallback', 'PingFang SC', 'Microsoft YaHei',"
    " 'Noto Sans CJK SC', 'Apple SD Gothic Neo', 'Malgun Gothic', sans-serif;",
}


def picture_svg(drawing: Drawing, alt: str, id_prefix: str) -> str:
    """`drawing` as an <svg role="img"> element whose accessible name is `alt` (its <title>, which the
    svg's aria-labelledby points at). `id_prefix` makes the element ids unique in the page."""
    return _with_name(_drawing_svg(drawing), alt, id_prefix)


@functools.lru_cache(maxsize=256)
def _drawing_svg(drawing: Drawing) -> str:
    # Drawings are built once per arguments and kept (pictures.draw_picture): the same object, the same SVG.
    from reportlab.graphics import renderSVG  # here: only HTML needs it, and every command would load it

    svg = _PROLOGUE.sub("", renderSVG.drawToString(drawing))
    svg = _PLACEHOLDERS.sub("", svg, count=1)
    for registered, family in _FONTS.items():
        svg = svg.replace(registered, family)
    # The size in the page comes from its figure (in em, so it grows with the text when zoomed); the
    # viewBox keeps the proportions.
    width, height = float(drawing.width), float(drawing.height)
    opening = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_number(width)} {_number(height)}" '
        f'class="picture" role="img" aria-labelledby="@ID@-name">'
        '<title id="@ID@-name">@ALT@</title>'
    )
    return _OPEN_TAG.sub(lambda _match: opening, svg, count=1).strip()


def _with_name(svg: str, alt: str, id_prefix: str) -> str:
    svg = _IDS.sub(lambda match: _prefixed(match, id_prefix), svg)
    return svg.replace("@ID@", id_prefix).replace("@ALT@", html.escape(alt))


def _prefixed(match: re.Match[str], prefix: str) -> str:
    if match.group(1) is not None:
        return f'id="{prefix}-{match.group(1)}"'
    return f"url(#{prefix}-{match.group(2)})"


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@functools.lru_cache(maxsize=8)
def scan_code_svg(payload: str) -> str:
    """The QR code (with its quiet zone) as one SVG path, one rectangle per run of dark modules. Hidden
    from screen readers: the payload is printed beneath it as text."""
    modules = qr_modules(payload)
    size = len(modules)
    side = size + 2 * QUIET_ZONE_MODULES
    # dark_rectangles counts rows from the bottom (PDF's way); SVG counts from the top.
    path = "".join(
        f"M{x + QUIET_ZONE_MODULES} {size - y - h + QUIET_ZONE_MODULES}h{w}v{h}h-{w}z"
        for x, y, w, h in dark_rectangles(modules)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" class="scan-code" '
        f'aria-hidden="true" focusable="false" shape-rendering="crispEdges">'
        f'<rect width="{side}" height="{side}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )
