"""The HTML rendition in a real browser: Debian's Chromium driven by Playwright, with axe-core injected to
check WCAG 2.0/2.1 A and AA and best practice, every network request blocked and none attempted, the page
reflowing at 200% and 400% zoom, and print (Chromium's own PDF) breaking pages where the PDF does.

Where the parts come from (nothing is downloaded by the tests, and Playwright never fetches a browser):
- Chromium: $DISCHARGEGEN_CHROMIUM, else /usr/bin/chromium (Debian's `chromium` package).
- Playwright: the Python package, in the test extra.
- axe-core: $DISCHARGEGEN_AXE_CORE (axe.min.js, or the folder npm installed it in), else
  ~/.cache/dischargegen-axe/node_modules/axe-core/axe.min.js, which
  `npm install --prefix ~/.cache/dischargegen-axe axe-core@4` makes (.ci/run does it and exports the path).
Where one is missing the tests skip, naming it; with CI set (.ci/run) they fail instead.
$DISCHARGEGEN_SCREENSHOTS: a folder to keep the screenshots in, to look at them."""

from __future__ import annotations

import dataclasses
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest

from dischargegen import build_case, render_html
from tests.helpers import PHONES_SITE, axe_script, fields, run_axe

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

# Rules that must have run and passed: a check that finds nothing to check proves nothing.
MUST_PASS = {
    "html-has-lang",
    "html-lang-valid",
    "document-title",
    "landmark-one-main",
    "page-has-heading-one",
    "heading-order",
    "svg-img-alt",
    "list",
    "listitem",
    "color-contrast",
    "region",
}
SITE = dataclasses.replace(
    PHONES_SITE, institution=dataclasses.replace(PHONES_SITE.institution, name="Riverside Spine Center")
)
CASES = {
    "en": {"cause": "osteoporosis", "brace": "yes", "blood_thinner_restart": "2027-01-03"},
    "es": {"cause": "osteoporosis", "language": "es", "follow_up": "2027-01-12 14:30"},
    "en-large-print": {"cause": "osteoporosis", "large_print": "yes", "anesthesia": "general"},
    "es-large-print": {"cause": "cancer", "language": "es", "large_print": "yes", "overnight": "yes"},
}


@dataclasses.dataclass
class Loaded:
    page: Any
    requests: list[str]


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    contexts = []

    def load(html: bytes, width: int = 1000) -> Loaded:
        context = browser.new_context(viewport={"width": width, "height": 1000}, java_script_enabled=True)
        contexts.append(context)
        requests: list[str] = []
        context.on("request", lambda request: requests.append(request.url))

        def refuse(route: Any) -> None:
            requests.append(route.request.url)
            route.abort()

        context.route("**/*", refuse)  # nothing leaves the browser, whatever the page asks for
        page = context.new_page()
        page.set_content(html.decode("utf-8"), wait_until="load")
        return Loaded(page, requests)

    yield load
    for context in contexts:
        context.close()


def page_html(name: str) -> bytes:
    return render_html(build_case(fields(**CASES[name])), SITE)


def keep_screenshot(png: bytes, name: str) -> None:
    folder = os.environ.get("DISCHARGEGEN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(png)


@pytest.mark.parametrize("name", list(CASES))
def test_axe_core_finds_no_violation_and_nothing_is_requested(open_page: Any, name: str) -> None:
    loaded = open_page(page_html(name))
    page = loaded.page
    page.add_script_tag(content=axe_script().read_text(encoding="utf-8"))
    violations, passed, version = run_axe(page)
    assert violations == []
    assert passed >= MUST_PASS, MUST_PASS - passed
    assert version.startswith("4.")
    # The page asked for nothing: no font, picture, style sheet or anything else from anywhere.
    assert loaded.requests == []
    assert page.evaluate("document.scripts.length") == 1  # axe's own, added by the test
    png = page.screenshot(full_page=True)
    assert len(png) > 20_000
    keep_screenshot(png, f"{name}.png")


@pytest.mark.parametrize("name", ["en", "en-large-print"])
@pytest.mark.parametrize("width", [640, 320])
def test_the_page_reflows_at_200_and_400_percent_zoom(open_page: Any, name: str, width: int) -> None:
    # 200% (400%) zoom on a 1280-pixel window is a 640 (320) CSS pixel viewport: WCAG 1.4.10 Reflow.
    loaded = open_page(page_html(name), width=width)
    page = loaded.page
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The pictures shrink with the column rather than run out of it.
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('svg')].map(s => s.getBoundingClientRect().right))"
    )
    assert widest <= width
    # The body text stays at least 14 pt equivalent (18.67 CSS px): zoom makes it larger, never smaller.
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    assert size >= (24 if "large" in name else 18.5)
    keep_screenshot(page.screenshot(full_page=True), f"{name}-{width}px.png")


@pytest.mark.parametrize("name", list(CASES))
def test_printing_breaks_pages_where_the_pdf_does_in_black_and_white(open_page: Any, name: str) -> None:
    loaded = open_page(page_html(name))
    page = loaded.page
    page.emulate_media(media="print")
    heading = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('section.emergency h2'));"
        " return [s.color, s.backgroundColor]; })()"
    )
    assert heading == ["rgb(0, 0, 0)", "rgba(0, 0, 0, 0)"]  # black on the paper, not white on red
    keep_screenshot(page.screenshot(full_page=True), f"{name}-print.png")
    printed = pypdf.PdfReader(io.BytesIO(page.pdf(format="Letter")))
    texts = [" ".join((sheet.extract_text() or "").split()) for sheet in printed.pages]
    assert len(texts) >= 3
    es = "es" in name
    # Page 1 holds the whole 911 box; in regular print all of page 1's material with both phones, and page
    # 2 starts with what was done (large print runs over, as the PDF's does). The checklist and the
    # signatures are the last page, on their own.
    assert texts[0].split()[0] == ("Paciente:" if es else "Patient:")
    last_sign = "Desmayo" if es else "Fainting (passing out)"
    assert "911" in texts[0] and last_sign in texts[0]
    second = "Lo que le hicieron" if es else "What your doctor did"
    assert second not in texts[0]
    if "large" not in name:
        assert "(555) 010-2299" in texts[0]
        assert texts[1].startswith(second)
    checklist = "Antes de irse" if es else "Before you leave"
    signatures = "Firmas" if es else "Signatures"
    assert texts[-1].startswith(checklist) and signatures in texts[-1]
    assert loaded.requests == []
