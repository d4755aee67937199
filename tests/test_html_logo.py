"""The site's logo in the HTML rendition (render --format html, batch --also-html, the serve preview): one
<img> at the header's right, as the PDF prints it on page one, embedded as a data: PNG of the scaled image
(the same bytes for the same site, nothing of the original file's metadata or path), at its printed size,
named by the institution. The preview's Content-Security-Policy allows data: images and nothing wider.
A site without a logo gets the page it got before, byte for byte.

The browser tests use Debian's Chromium and axe-core as tests/test_html_browser.py does (skipped, naming
what is missing; failed under CI). $DISCHARGEGEN_SCREENSHOTS: a folder to keep the screenshots in."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from PIL import Image, ImageDraw, PngImagePlugin

from dischargegen import build_case, logo, render_html, vocab
from dischargegen.cli import cli
from dischargegen.html.style import style_sheet
from dischargegen.site import DEFAULT_SITE, SiteSettings, load_site
from dischargegen.web import create_app
from dischargegen.web.security import CONTENT_SECURITY_POLICY
from tests.helpers import (
    BASE_FIELDS,
    RENDER_BASE,
    REPO,
    axe_script,
    fields,
    run_axe,
    server_page,
    serving,
)

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

INSTITUTION = "Riverside Spine Center"
HOST = "127.0.0.1:8800"
# A 600 x 200 logo is scaled to 300 dpi in the 1.6 x 0.6 inch box: 480 x 160 pixels, printed 1.6 x 0.533
# inches, which is 153.6 x 51.2 CSS pixels (96 to the inch).
LOGO_PIXELS = (600, 200)
EMBEDDED_PIXELS = (480, 160)
CSS_SIZE = (154, 51)
# Words from the original file that must not reach the page (its metadata, its name).
SECRET_TEXT = "Drawn by J. Smith on ward-pc-17"


def draw_logo_png(path: Path, metadata: bool = True) -> Path:
    """A logo with transparency, text metadata, a time and a colour profile, as an export from a drawing
    program has."""
    image = Image.new("RGBA", LOGO_PIXELS, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 190, 190), fill=(31, 78, 121, 255))
    draw.ellipse((220, 30, 360, 170), fill=(155, 17, 17, 255))
    draw.rectangle((400, 60, 580, 140), fill=(20, 20, 20, 255))
    options: dict[str, Any] = {}
    if metadata:
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", SECRET_TEXT)
        info.add_text("Source", str(path))
        options = {"pnginfo": info, "icc_profile": b"\0" * 128}
    image.save(path, format="PNG", **options)
    return path


def write_logo_site(folder: Path, name: str | None = INSTITUTION, metadata: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    draw_logo_png(folder / "hospital-logo.png", metadata)
    institution = f"[institution]\nname = {json.dumps(name)}\n" if name is not None else ""
    path = folder / "site.toml"
    path.write_text(
        f'{institution}[document]\nlogo = "hospital-logo.png"\n'
        '[content]\nenabled_languages = ["en", "es", "zh", "vi", "ko", "tl", "ru", "ht"]\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def logo_site_file(tmp_path: Path) -> Path:
    return write_logo_site(tmp_path / "site")


@pytest.fixture
def logo_site(logo_site_file: Path) -> SiteSettings:
    return load_site(logo_site_file)


class _Elements(HTMLParser):
    """Every start tag, with its attributes, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def elements(page: bytes | str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(page.decode("utf-8") if isinstance(page, bytes) else page)
    return parser.tags


def images(page: bytes | str) -> list[dict[str, str | None]]:
    return [attributes for tag, attributes in elements(page) if tag == "img"]


def embedded_png(source: str | None) -> bytes:
    assert source is not None
    prefix = "data:image/png;base64,"
    assert source.startswith(prefix)
    return base64.b64decode(source[len(prefix) :], validate=True)


def png_chunks(data: bytes) -> list[bytes]:
    assert data.startswith(logo.PNG_SIGNATURE)
    chunks, offset = [], len(logo.PNG_SIGNATURE)
    while offset < len(data):
        length = int.from_bytes(data[offset : offset + 4], "big")
        chunks.append(data[offset + 4 : offset + 8])
        offset += 12 + length
    return chunks


def page_of(site: SiteSettings, **overrides: Any) -> bytes:
    return render_html(build_case(fields(cause="osteoporosis", **overrides)), site)


# --- the page --------------------------------------------------------------------------------------------
def test_the_logo_is_one_data_png_at_its_printed_size_named_by_the_institution(
    logo_site: SiteSettings,
) -> None:
    page = page_of(logo_site)
    [image] = images(page)
    data = embedded_png(image["src"])
    with Image.open(io.BytesIO(data)) as decoded:
        assert decoded.format == "PNG"
        assert decoded.size == EMBEDDED_PIXELS
        assert decoded.mode == "RGBA"  # the transparency is kept, as in the PDF's soft mask
        decoded.load()
        pixels = decoded.tobytes()
    assert (int(image["width"] or 0), int(image["height"] or 0)) == CSS_SIZE
    assert image["alt"] == INSTITUTION
    assert image["class"] == "logo"
    # The image is the one the PDF embeds: the scaled pixels logo.py prepared.
    assert logo_site.document.logo is not None
    source = logo_site.document.logo.path.read_bytes()
    with Image.open(io.BytesIO(source)) as original:
        scaled = logo.scaled_image(logo_site.document.logo.path, source, *original.size)
    assert scaled.size == EMBEDDED_PIXELS and scaled.tobytes() == pixels
    # Only pixels: no text, time or colour profile of the original, no path, nothing of the file's name.
    assert png_chunks(data) == [b"IHDR", *[b"IDAT"] * png_chunks(data).count(b"IDAT"), b"IEND"]
    text = page.decode("utf-8")
    assert SECRET_TEXT not in text and "hospital-logo" not in text
    assert str(logo_site.document.logo.path.parent) not in text


def test_the_logo_is_in_the_header_before_the_patient_line(logo_site: SiteSettings) -> None:
    # Where the PDF prints it: at the top of the document, in the header (the style sheet floats it to the
    # right); first in reading order, so a screen reader says whose document it is before the patient.
    tags = [(tag, attributes.get("class")) for tag, attributes in elements(page_of(logo_site))]
    body = tags[[tag for tag, _ in tags].index("body") + 1 :]
    assert body[:3] == [("header", "patient with-logo"), ("img", "logo"), ("p", "patient-line")]
    assert "img.logo { float: right;" in page_of(logo_site).decode("utf-8")


def test_a_site_without_a_logo_has_no_image_and_the_page_it_had(logo_site: SiteSettings) -> None:
    plain = page_of(DEFAULT_SITE)
    assert images(plain) == [] and b"logo" not in plain and b"data:" not in plain
    assert f"<style>{style_sheet()}</style>".encode() in plain
    # The logo adds the image, its class and its style rules, and changes nothing else.
    without = dataclasses.replace(logo_site, document=dataclasses.replace(logo_site.document, logo=None))
    with_logo = page_of(logo_site).decode("utf-8")
    [image] = re.findall(r"<img [^>]*>", with_logo)
    stripped = (
        with_logo.replace(image, "")
        .replace(' class="patient with-logo"', ' class="patient"')
        .replace(style_sheet(with_logo=True), style_sheet())
    )
    assert stripped.encode("utf-8") == page_of(without)


def test_the_same_site_gives_the_same_bytes(tmp_path: Path) -> None:
    # Read twice (as two runs do), and from a copy of the picture without its metadata: the same page.
    first = page_of(load_site(write_logo_site(tmp_path / "one")))
    again = page_of(load_site(write_logo_site(tmp_path / "one")))
    bare = page_of(load_site(write_logo_site(tmp_path / "two", metadata=False)))
    assert first == again == bare
    # And in another process, with another hash seed.
    script = (
        "import sys; from dischargegen import build_case, render_html; from dischargegen.site import load_site;"
        "from tests.helpers import fields;"
        "sys.stdout.buffer.write(render_html(build_case(fields(cause='osteoporosis')), load_site(sys.argv[1])))"
    )
    other = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "one" / "site.toml")],
        capture_output=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
        cwd=REPO,
    ).stdout
    assert other == first


@pytest.mark.parametrize(
    ("language", "alt"),
    [("en", "Logo"), ("es", "Logotipo"), ("zh", "标志"), ("ko", "로고"), ("ru", "Логотип")],
)
def test_without_an_institution_name_the_alt_says_logo_in_the_documents_language(
    tmp_path: Path, language: str, alt: str
) -> None:
    site = load_site(write_logo_site(tmp_path, name=None))
    [image] = images(page_of(site, language=language))
    assert image["alt"] == alt


def test_a_sites_own_messages_without_the_key_still_render(tmp_path: Path) -> None:
    # A site's copy of es/messages.toml made before logo_alt existed: the page renders, the alt says "Logo".
    shipped = (REPO / "templates" / "es" / "messages.toml").read_text(encoding="utf-8")
    older = "".join(line for line in shipped.splitlines(keepends=True) if not line.startswith("logo_alt"))
    assert older != shipped
    (tmp_path / "templates" / "es").mkdir(parents=True)
    (tmp_path / "templates" / "es" / "messages.toml").write_text(older, encoding="utf-8")
    site_file = write_logo_site(tmp_path, name=None)
    site_file.write_text(
        site_file.read_text(encoding="utf-8") + 'templates_dir = "templates"\n', encoding="utf-8"
    )
    [image] = images(page_of(load_site(site_file), language="es"))
    assert image["alt"] == "Logo"


def test_every_shipped_language_names_the_logo() -> None:
    for language in vocab.LANGUAGES:
        messages = tomllib.loads(
            (REPO / "templates" / language / "messages.toml").read_text(encoding="utf-8")
        )
        assert isinstance(messages.get("logo_alt"), str) and messages["logo_alt"].strip(), language


def test_the_alt_text_is_escaped(tmp_path: Path) -> None:
    site = load_site(write_logo_site(tmp_path, name='St. Mary & "Joseph" <Spine>'))
    page = page_of(site).decode("utf-8")
    assert 'alt="St. Mary &amp; &quot;Joseph&quot; &lt;Spine&gt;"' in page
    [image] = images(page)
    assert image["alt"] == 'St. Mary & "Joseph" <Spine>'


def test_render_and_batch_write_the_logo_into_the_html(logo_site_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "one.html"
    result = CliRunner().invoke(cli, [*RENDER_BASE, "--site", str(logo_site_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    [image] = images(out.read_bytes())
    assert Image.open(io.BytesIO(embedded_png(image["src"]))).size == EMBEDDED_PIXELS
    rows = tmp_path / "rows.csv"
    rows.write_text(",".join(BASE_FIELDS) + "\n" + ",".join(BASE_FIELDS.values()) + "\n", encoding="utf-8")
    folder = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["batch", str(rows), "--site", str(logo_site_file), "--out-dir", str(folder), "--also-html"]
    )
    assert result.exit_code == 0, result.output
    [written] = folder.glob("*.html")
    assert images(written.read_bytes()) == images(out.read_bytes())


# --- the preview's Content-Security-Policy ----------------------------------------------------------------
def directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for directive in policy.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


def test_the_policy_allows_data_images_and_nothing_wider() -> None:
    policy = directives(CONTENT_SECURITY_POLICY)
    assert policy["img-src"] == ["data:"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]


@pytest.fixture
def logo_client(logo_site: SiteSettings) -> FlaskClient:
    return create_app(logo_site).test_client()


def test_the_preview_shows_the_logo_under_the_policy(logo_client: FlaskClient) -> None:
    form = logo_client.get("/", headers={"Host": HOST})
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    response = logo_client.post(
        "/preview", data={**BASE_FIELDS, "csrf_token": token[1]}, headers={"Host": HOST}
    )
    assert response.status_code == 200
    [image] = images(response.text)
    assert image["alt"] == INSTITUTION
    assert Image.open(io.BytesIO(embedded_png(image["src"]))).size == EMBEDDED_PIXELS
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["img-src"] == ["data:"] and policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    # The preview's style sheet is served, not inline: it holds the logo's rules for this site.
    css = logo_client.get("/document.css", headers={"Host": HOST}).text
    assert css == style_sheet(with_logo=True)
    assert directives(form.headers["Content-Security-Policy"])["img-src"] == ["data:"]


# --- in a real browser -----------------------------------------------------------------------------------
def keep_screenshot(png: bytes, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DISCHARGEGEN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(png)
    return path


LOADED_LOGO = (
    "() => { const i = document.querySelector('img.logo'); const r = i.getBoundingClientRect();"
    " return {complete: i.complete, natural: [i.naturalWidth, i.naturalHeight], alt: i.alt,"
    " box: [r.left, r.right, r.top, r.width, r.height],"
    " header: document.querySelector('header.patient').getBoundingClientRect().right,"
    " line: document.querySelector('.patient-line').getBoundingClientRect().left}; }"
)


def check_logo_shown(page: Any) -> None:
    shown = page.evaluate(LOADED_LOGO)
    assert shown["complete"] and shown["natural"] == list(EMBEDDED_PIXELS)
    assert shown["alt"] == INSTITUTION
    left, right, _, width, height = shown["box"]
    assert (round(width), round(height)) == CSS_SIZE
    assert abs(right - shown["header"]) < 1  # at the header's right edge
    assert left > shown["line"] + 300  # well right of the patient line, as in the PDF


@pytest.mark.parametrize("large_print", ["no", "yes"])
def test_a_rendered_page_shows_the_logo_with_no_axe_violation(
    browser: Any, logo_site_file: Path, tmp_path: Path, large_print: str
) -> None:
    out = tmp_path / "document.html"
    options = ["--site", str(logo_site_file), *(["--large-print"] if large_print == "yes" else [])]
    result = CliRunner().invoke(cli, [*RENDER_BASE, *options, "-o", str(out)])
    assert result.exit_code == 0, result.output
    context = browser.new_context(viewport={"width": 1000, "height": 1000})
    requests: list[str] = []

    def refuse(route: Any) -> None:
        requests.append(route.request.url)
        route.abort()

    try:
        context.route("**/*", refuse)  # a data: image needs no request; anything else would be one
        page = context.new_page()
        page.set_content(out.read_text(encoding="utf-8"), wait_until="load")
        check_logo_shown(page)
        page.add_script_tag(content=axe_script().read_text(encoding="utf-8"))
        violations, passed, _ = run_axe(page)
        assert violations == []
        assert "image-alt" in passed
        assert requests == []
        keep_screenshot(page.screenshot(), f"logo-{large_print}.png", tmp_path)
        # At 400% zoom (320 CSS pixels) the logo shrinks with the header and nothing scrolls sideways.
        page.set_viewport_size({"width": 320, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert page.evaluate("document.querySelector('img.logo').getBoundingClientRect().right") <= 320
    finally:
        context.close()


@pytest.fixture
def logo_server(logo_site_file: Path, tmp_path: Path) -> Iterator[str]:
    """`dischargegen serve` for the logo site on a free loopback port (nothing is printed here)."""
    with serving(tmp_path / "serve.log", "--site", str(logo_site_file)) as (url, _):
        yield url


def test_the_preview_shows_the_logo_with_no_policy_violation(
    browser: Any, logo_server: str, tmp_path: Path
) -> None:
    with server_page(browser, logo_server) as (page, outside, problems):
        page.goto(logo_server)
        page.get_by_label("Patient name").fill("Ana Diaz")
        page.get_by_label("Medical record number (MRN)").fill("MRN-1001")
        page.get_by_label("Date of birth").fill("1944-05-06")
        page.get_by_label("Kyphoplasty").check()
        page.get_by_label("Levels treated").fill("T12,L1")
        page.get_by_label("Sedation").check()
        page.get_by_label("Procedure date").fill("2027-01-01")
        page.get_by_label("Went home the same day").check()
        page.get_by_role("button", name="Preview the document").click()
        page.wait_for_load_state("load")
        check_logo_shown(page)
        violations, passed, _ = run_axe(page)
        assert violations == []
        assert "image-alt" in passed
        keep_screenshot(page.screenshot(), "logo-preview.png", tmp_path)
    assert outside == []
    # A blocked image, style or script is a console error ("Refused to load ... Content Security Policy").
    assert problems == []
