"""Issue 11, the page frame and the bytes: the site logo (item 6), site text in the footer (14), bytes and
/ID whatever the environment (18), and the header with long names and MRNs (22).

Positions are read back from the PDF (pypdf's text visitor) and measured with the document font's metrics,
so "never overprints" is checked on the page as written, not on the layout code's own numbers."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import pickle
import re
import struct
import subprocess
import sys
import tomllib
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from dischargegen import build_case, logo, pdf, render_pdf
from dischargegen.case import MAX_MRN_LENGTH, MAX_NAME_LENGTH
from dischargegen.check.matrix import tallest_variant
from dischargegen.cli import cli
from dischargegen.errors import InputError, SiteSettingsError
from dischargegen.pdf import page as pdf_page
from dischargegen.pdf.fonts import BOLD, REGULAR, register_fonts
from dischargegen.pdf.styles import MARGIN_BOTTOM, MARGIN_TOP, PAGE_SIZES, side_margin
from dischargegen.site import DEFAULT_SITE, SiteSettings, load_site, parse_site
from tests.helpers import GOOD, RENDER_BASE, REPO, fields, pages, pdf_text, write_csv

ARGS = RENDER_BASE  # the base case's render command


def write_site(folder: Path, text: str) -> Path:
    path = folder / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def render_command(site: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*ARGS, *extra, "--site", str(site), "-o", str(out)])
    return result.exit_code, result.output


def assert_one_line_error(code: int, output: str, key: str, out: Path) -> None:
    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and key in lines[0], output
    assert "Traceback" not in output
    assert not out.exists()


# --- Item 6: the logo --------------------------------------------------------------------------------


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int, height: int) -> bytes:
    """A real PNG of one grey level: a few hundred kilobytes that decode to width x height pixels."""
    compressor = zlib.compressobj(1)
    rows = b"\x00" * (width + 1) * 500  # each row: its filter byte, then one byte a pixel
    data = b"".join(compressor.compress(rows) for _ in range(height // 500)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return logo.PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def bomb_header(width: int, height: int) -> bytes:
    """A PNG that declares a huge image and stops there: it must be refused before decoding starts."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return logo.PNG_SIGNATURE + chunk(b"IHDR", header)


def noisy_logo(width: int, height: int, alpha: bool = False) -> Image.Image:
    """A picture that does not compress (the worst case for file size), deterministic."""
    mode = "RGBA" if alpha else "RGB"
    data = hashlib.shake_256(b"logo").digest(width * height * len(mode))
    return Image.frombytes(mode, (width, height), data)


def logo_site(folder: Path, data: bytes, name: str = "logo.png") -> Path:
    (folder / name).write_bytes(data)
    return write_site(folder, f'[document]\nlogo = "{name}"\n')


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda: bomb_png(12000, 12000), "12000x12000 pixels", id="12000x12000"),
        pytest.param(lambda: bomb_header(50_000, 50_000), "50000x50000 pixels", id="bomb header"),
        pytest.param(lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200, "not a PNG", id="jpeg"),
        pytest.param(lambda: b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a PNG", id="svg"),
        pytest.param(lambda: b"", "not a PNG", id="empty"),
        pytest.param(lambda: png_bytes(noisy_logo(300, 100))[:2000], "damaged or cut short", id="truncated"),
        pytest.param(lambda: logo.PNG_SIGNATURE + b"\x00" * 40, "damaged or cut short", id="no header"),
        pytest.param(
            lambda: png_bytes(noisy_logo(300, 100)).replace(b"IDAT", b"IDAX", 1),
            "damaged or cut short",
            id="no image data",
        ),
    ],
)
def test_a_bad_logo_is_one_error_naming_document_logo(tmp_path: Path, make: Any, message: str) -> None:
    site = logo_site(tmp_path, make())
    with pytest.raises(SiteSettingsError) as caught:
        load_site(site)
    assert caught.value.key == "document.logo"
    assert message in caught.value.message
    out = tmp_path / "out.pdf"
    code, output = render_command(site, out)
    assert_one_line_error(code, output, "document.logo", out)
    assert message in output


def test_a_logo_file_over_the_byte_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = png_bytes(noisy_logo(400, 200))
    monkeypatch.setattr(logo, "MAX_LOGO_BYTES", len(data) - 1)
    with pytest.raises(SiteSettingsError, match="larger than"):
        load_site(logo_site(tmp_path, data))


def test_a_logo_link_to_nothing_to_a_folder_or_to_a_fifo_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    for target, message in [
        (tmp_path / "missing.png", "no file at"),
        (tmp_path / "folder", "not a regular file"),
        (tmp_path / "pipe", "not a regular file"),  # opening a FIFO would wait for ever
    ]:
        if target.name == "folder":
            target.mkdir()
        elif target.name == "pipe":
            os.mkfifo(target)
        link = tmp_path / f"link-{target.name}.png"
        link.symlink_to(target)
        site = write_site(tmp_path, f'[document]\nlogo = "{link.name}"\n')
        with pytest.raises(SiteSettingsError, match=message):
            load_site(site)
        code, output = render_command(site, out)
        assert_one_line_error(code, output, "document.logo", out)


def test_an_unreadable_logo_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = logo_site(tmp_path, png_bytes(noisy_logo(40, 20)))
    if os.geteuid() == 0:  # root reads a file whatever its mode: refuse the read as the system would

        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(logo, "open", refuse, raising=False)
    else:
        (tmp_path / "logo.png").chmod(0)
    with pytest.raises(SiteSettingsError) as caught:
        load_site(site)
    assert caught.value.key == "document.logo" and "cannot read" in caught.value.message
    assert "Permission denied" in caught.value.message
    out = tmp_path / "out.pdf"
    code, output = render_command(site, out)
    assert_one_line_error(code, output, "document.logo", out)


def embedded_images(data: bytes) -> list[tuple[int, int, bool]]:
    """Width, height and whether it has a soft mask, of every image in the PDF."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    found = []
    for page in reader.pages:
        for item in (page["/Resources"].get("/XObject") or {}).values():
            image = item.get_object()
            if image["/Subtype"] == "/Image":
                found.append((int(image["/Width"]), int(image["/Height"]), "/SMask" in image))
    return found


def test_a_large_logo_is_embedded_at_print_resolution(tmp_path: Path) -> None:
    # The issue's case: a multi-megabyte logo made every PDF as large as itself.
    data = png_bytes(noisy_logo(2000, 750))
    assert len(data) > 4_000_000
    site = load_site(logo_site(tmp_path, data))
    document = render_pdf(build_case(fields()), site)
    plain = render_pdf(build_case(fields()), DEFAULT_SITE)
    # 1.6 x 0.6 inches at 300 dpi: 480 x 180 pixels; noise, so about 260 KB (A85: 330 KB) at most.
    assert embedded_images(document) == [(480, 180, False)]
    assert len(document) - len(plain) < 400_000
    assert embedded_images(plain) == []


def test_a_small_logo_is_not_enlarged_and_keeps_its_transparency(tmp_path: Path) -> None:
    image = noisy_logo(120, 60, alpha=True)
    site = load_site(logo_site(tmp_path, png_bytes(image)))
    document = render_pdf(build_case(fields()), site)
    assert embedded_images(document) == [(120, 60, True)]
    # An opaque alpha channel is dropped: nothing to mask.
    opaque = image.copy()
    opaque.putalpha(255)
    site = load_site(logo_site(tmp_path, png_bytes(opaque), "opaque.png"))
    assert embedded_images(render_pdf(build_case(fields()), site)) == [(120, 60, False)]


def test_the_logo_is_prepared_once_when_the_settings_load(tmp_path: Path) -> None:
    site = load_site(logo_site(tmp_path, png_bytes(noisy_logo(900, 300))))
    (tmp_path / "logo.png").unlink()  # rendering never reads the file again
    first = render_pdf(build_case(fields()), site)
    second = render_pdf(build_case(fields(patient_name="Bo Li")), site)
    assert embedded_images(first) == embedded_images(second) == [(480, 160, False)]
    # A batch hands the settings to its workers: the prepared logo goes with them, the same bytes.
    copy: SiteSettings = pickle.loads(pickle.dumps(site))
    assert render_pdf(build_case(fields()), copy) == first


def test_logo_output_is_deterministic_and_follows_the_picture(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    data = png_bytes(noisy_logo(700, 300, alpha=True))
    first = render_pdf(build_case(fields()), load_site(logo_site(one, data)))
    again = render_pdf(build_case(fields()), load_site(logo_site(two, data)))
    assert first == again
    other = load_site(logo_site(two, png_bytes(noisy_logo(700, 300).rotate(180))))
    assert repr(other) != repr(load_site(one / "site.toml"))  # a batch resume sees a new picture
    assert render_pdf(build_case(fields()), other) != first


def test_batch_refuses_a_bad_logo_before_the_first_row_and_workers_share_a_good_one(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "export.csv", GOOD)
    (tmp_path / "bad").mkdir()
    bad = logo_site(tmp_path / "bad", b"GIF89a" + b"\0" * 50)
    result = CliRunner().invoke(
        cli, ["batch", str(export), "--site", str(bad), "--out-dir", str(tmp_path / "x")]
    )
    assert result.exit_code == 2, result.output
    assert "document.logo" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())
    good = logo_site(tmp_path, png_bytes(noisy_logo(1200, 450, alpha=True)))
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        args = ["batch", str(export), "--site", str(good), "--out-dir", str(out), "--jobs", jobs]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        written = sorted(out.glob("*.pdf"))
        assert len(written) == len(GOOD)
        outputs.append([path.read_bytes() for path in written])
    assert outputs[0] == outputs[1]  # workers draw the logo they were handed, the same bytes
    for data in outputs[1]:
        assert embedded_images(data) == [(480, 180, True)]


@pytest.mark.parametrize("alpha", [False, True])
def test_the_prepared_logo_draws_as_reportlabs_draw_image(tmp_path: Path, alpha: bool) -> None:
    """draw_logo reuses the prepared image instead of canvas.drawImage: the same PDF must come out."""
    data = png_bytes(noisy_logo(1000, 250, alpha=alpha))
    prepared = logo.read_logo(logo_site(tmp_path, data).parent / "logo.png")
    scaled = logo.scaled_image(tmp_path / "logo.png", data, 1000, 250)
    outputs = []
    for use_reportlab in (True, False):
        canvas = Canvas(io.BytesIO(), invariant=1)
        for _ in range(2):  # the second page refers to the image already in the document
            if use_reportlab:
                canvas.drawImage(
                    ImageReader(scaled), 400 - 1.6 * 72, 700 - 0.6 * 72, width=1.6 * 72,
                    height=0.6 * 72, preserveAspectRatio=True, anchor="ne", mask="auto",
                )  # fmt: skip
            else:
                logo.draw_logo(canvas, prepared, 400, 700)
            canvas.showPage()
        outputs.append(canvas.getpdfdata())
    assert outputs[0] == outputs[1]


# --- Item 14: site text ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drawn:
    page: int
    x: float
    y: float
    size: float
    bold: bool
    text: str

    @property
    def right(self) -> float:
        return self.x + stringWidth(self.text, BOLD if self.bold else REGULAR, self.size)


def drawn_text(data: bytes) -> list[Drawn]:
    """Every piece of text on every page, where it was drawn and at what size."""
    register_fonts()
    reader = pypdf.PdfReader(io.BytesIO(data))
    found: list[Drawn] = []
    for number, page in enumerate(reader.pages, start=1):

        def visit(text: str, cm: Any, tm: Any, font: Any, size: float, number: int = number) -> None:
            if text.strip():
                bold = "Bold" in str(font.get("/BaseFont", "")) if font else False
                x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
                found.append(Drawn(number, x, y, size * tm[0] * cm[0], bold, text.strip("\n")))

        page.extract_text(visitor_text=visit)
    return found


def page_frame(data: bytes, paper: str) -> tuple[list[Drawn], list[Drawn]]:
    """The header and the footer text of every page."""
    height = PAGE_SIZES[paper][1]
    drawn = drawn_text(data)
    header = [d for d in drawn if d.y > height - MARGIN_TOP + 4]
    footer = [d for d in drawn if d.y < MARGIN_BOTTOM - 4]
    return header, footer


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("large_print", [False, True])
def test_a4_has_letters_line_length_and_never_more_pages(language: str, large_print: bool) -> None:
    """A4 is 6 mm narrower than Letter and 18 mm taller: with Letter's line length its lines break where
    Letter's do and a document takes no more pages than on Letter (with Letter's margins, the tallest
    Spanish document took 6 pages on A4, 5 on Letter, and page 1's summary box ran onto page 2)."""
    variant = tallest_variant(language)
    counts, widest = {}, {}
    for paper in ("letter", "a4"):
        case = dataclasses.replace(variant.case(large_print), paper=paper)
        data = render_pdf(case, DEFAULT_SITE)
        counts[paper] = len(pypdf.PdfReader(io.BytesIO(data)).pages)
        width, height = PAGE_SIZES[paper]
        body = [d for d in drawn_text(data) if MARGIN_BOTTOM < d.y < height - MARGIN_TOP]
        left = min(line.x for line in body)
        assert left == pytest.approx(side_margin(width), abs=0.01)
        widest[paper] = max(line.right for line in body) - left
    assert widest["a4"] == pytest.approx(widest["letter"], abs=0.01)  # the same lines, as wide
    assert counts["a4"] <= counts["letter"], counts
    assert side_margin(PAGE_SIZES["a4"][0]) >= 0.75 * 72  # still a generous margin to print


def assert_frame_is_clear(data: bytes, paper: str, logo_width: float = 0.0) -> None:
    """Header and footer text stays within the margins and above/below the body, no line over another,
    the footer's left text never reaches "Page N of M", and page one's header keeps clear of the logo."""
    width, height = PAGE_SIZES[paper]
    header, footer = page_frame(data, paper)
    for line in header + footer:
        assert line.x >= side_margin(width) - 0.01 and line.right <= width - side_margin(width) + 0.01, line
        assert line.size >= 1
    for line in header:
        assert line.y + line.size <= height - 0.25 * 72, line  # not at the paper's edge
        assert line.y - line.size * 0.3 >= height - MARGIN_TOP, line  # not into the body
        if line.page == 1 and logo_width:
            assert line.right <= width - side_margin(width) - logo_width, line
    for line in footer:
        assert line.y - line.size * 0.3 >= 0.25 * 72, line
        assert line.y + line.size <= MARGIN_BOTTOM, line
    for group in (header, footer):
        for page in {line.page for line in group}:
            lines = sorted((line for line in group if line.page == page), key=lambda d: -d.y)
            for upper, lower in zip(lines, lines[1:], strict=False):
                if abs(upper.y - lower.y) < 0.01:  # side by side: the footer's text and page number
                    left, right = sorted((upper, lower), key=lambda d: d.x)
                    assert left.right + 6 <= right.x, (left, right)
                else:
                    assert upper.y - lower.y >= max(upper.size, lower.size) * 0.95, (upper, lower)
            numbers = [line for line in lines if re.fullmatch(r"(Page|Página) \d+ (of|de) \d+", line.text)]
            assert len(numbers) == (1 if group is footer else 0)
            for line in lines:
                if numbers and line is not numbers[0]:
                    assert line.right + 6 <= numbers[0].x, (line, numbers[0])


def squeezed(text: str) -> str:
    return "".join(text.split())


LONG_NAME = (
    "Saint Wilhelmina and Wolfgang Memorial Hospital of the Western Washington Spine Institute Network"
)


@pytest.mark.parametrize(("paper", "large_print"), [("a4", "yes"), ("letter", "no"), ("a4", "no")])
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_long_institution_name_never_reaches_the_page_number(
    tmp_path: Path, paper: str, large_print: str, language: str
) -> None:
    assert len(LONG_NAME) <= 100
    site = load_site(
        write_site(tmp_path, f'[institution]\nname = "{LONG_NAME}"\n[content]\nversion = "{"W" * 40}"\n')
    )
    data = render_pdf(build_case(fields(paper=paper, large_print=large_print, language=language)), site)
    assert_frame_is_clear(data, paper)
    _, footer = page_frame(data, paper)
    first_page = " ".join(line.text for line in footer if line.page == 1)
    assert squeezed(LONG_NAME) in squeezed(first_page) and "W" * 40 in squeezed(first_page)


def test_a_short_footer_is_drawn_as_before(tmp_path: Path) -> None:
    site = load_site(write_site(tmp_path, '[institution]\nname = "North Clinic"\n'))
    _, footer = page_frame(render_pdf(build_case(fields()), site), "letter")
    first = [line for line in footer if line.page == 1]
    assert [(line.y, line.size) for line in first] == [(36.0, 10.0), (36.0, 12.0)]
    assert first[0].text.startswith("North Clinic  ·  Content version 2026.11-1")


def site_with_footer_page(folder: Path, footer_page: str) -> Path:
    """A site whose en/messages.toml words "Page N of M" its own way, with the longest institution name."""
    shipped = (REPO / "templates" / "en" / "messages.toml").read_text(encoding="utf-8")
    messages = re.sub(r"(?m)^footer_page = .*$", f"footer_page = {json.dumps(footer_page)}", shipped)
    (folder / "templates" / "en").mkdir(parents=True)
    (folder / "templates" / "en" / "messages.toml").write_text(messages, encoding="utf-8")
    return write_site(
        folder, f'[content]\ntemplates_dir = "templates"\n[institution]\nname = "{"N" * 100}"\n'
    )


def test_a_long_site_wording_of_page_n_of_m_never_runs_over_the_footer_text(tmp_path: Path) -> None:
    # The review's case: "Page N of M" worded long beside a long institution name printed over it. The
    # longest allowed wording, in wide letters, in large print on A4 (the narrowest line).
    site = load_site(site_with_footer_page(tmp_path, "WWWWWWWWWWWWWWWWW {page} / {pages}"))
    data = render_pdf(build_case(fields(large_print="yes", paper="a4")), site)
    _, footer = page_frame(data, "a4")
    width = PAGE_SIZES["a4"][0]
    for page in {line.page for line in footer}:
        numbers = [line for line in footer if line.page == page and line.text.startswith("WWW")]
        assert len(numbers) == 1
        number = numbers[0]
        assert number.x >= width / 2 - 0.01 and number.right <= width - side_margin(width) + 0.01, number
        for line in footer:
            if line.page == page and line is not number and abs(line.y - number.y) < 0.01:
                assert line.right + 6 <= number.x, (line, number)


def test_a_site_wording_of_page_n_of_m_too_long_for_the_footer_is_refused(tmp_path: Path) -> None:
    site = site_with_footer_page(tmp_path, "Page {page} of {pages}. Keep this sheet with your medicines.")
    code, output = render_command(site, tmp_path / "out.pdf")
    assert code == 2 and output.count("\n") == 1 and "Traceback" not in output, output
    assert "messages.toml, key footer_page: is longer than 30 characters" in output
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize(
    ("toml", "key", "message"),
    [
        # The issue's case: a 100,000-character content version ran off the page.
        (f'[content]\nversion = "{"9" * 100_000}"\n', "content.version", "at most 40 characters"),
        (f'[institution]\nname = "{"N" * 101}"\n', "institution.name", "at most 100 characters"),
        (f'[institution]\nclinic_phone = "{"5" * 41}"\n', "institution.clinic_phone", "at most 40"),
        (f'[institution]\nafter_hours_phone = "{"5" * 41}"\n', "institution.after_hours_phone", "at most 40"),
        (f'[institution]\nemergency_number = "{"1" * 21}"\n', "institution.emergency_number", "at most 20"),
        # The issue's case: an emoji in the version was silently dropped from every footer.
        ('[content]\nversion = "2026.11 \U0001f600"\n', "content.version", "U+1F600"),
        ('[institution]\nname = "Clinic \u0645"\n', "institution.name", "U+0645"),  # Arabic: no font
        ('[institution]\nclinic_phone = "555 \u260e 0100"\n', "institution.clinic_phone", "U+260E"),
        ('[institution]\nemergency_number = "1\\u200b12"\n', "institution.emergency_number", "U+200B"),
        ('[institution]\nname = "North\\nClinic"\n', "institution.name", "one line"),
    ],
)
def test_site_text_that_cannot_be_printed_is_refused_at_load(
    tmp_path: Path, toml: str, key: str, message: str
) -> None:
    site = write_site(tmp_path, toml)
    with pytest.raises(SiteSettingsError) as caught:
        load_site(site)
    assert caught.value.key == key and message in caught.value.message
    out = tmp_path / "out.pdf"
    code, output = render_command(site, out)
    assert_one_line_error(code, output, key, out)
    assert len(output) < 300  # the value is never echoed


PRINTABLE = st.text(
    alphabet=st.sampled_from("WMmwil .,-&'()#/0123456789ÆŒÉéñüßЩЖΩ"), min_size=1, max_size=100
).filter(str.strip)


@settings(max_examples=25, deadline=None)
@given(
    name=PRINTABLE,
    version=PRINTABLE.map(lambda text: text[:40]).filter(str.strip),
    paper=st.sampled_from(["letter", "a4"]),
    large_print=st.sampled_from(["no", "yes"]),
    language=st.sampled_from(["en", "es"]),
)
def test_any_allowed_site_text_keeps_the_footer_clear(
    name: str, version: str, paper: str, large_print: str, language: str
) -> None:
    toml = f"[institution]\nname = {json.dumps(name)}\n[content]\nversion = {json.dumps(version)}\n"
    site = parse_site(tomllib.loads(toml), Path("."))
    data = render_pdf(build_case(fields(paper=paper, large_print=large_print, language=language)), site)
    assert_frame_is_clear(data, paper)
    _, footer = page_frame(data, paper)
    text = squeezed(" ".join(line.text for line in footer if line.page == 1))
    assert squeezed(name.strip()) in text and squeezed(version.strip()) in text


def test_site_text_built_in_code_is_checked_when_rendering() -> None:
    for section, key, value in [
        ("content", "version", "v \U0001f600"),
        ("content", "version", "9" * 100_000),
        ("institution", "name", "N" * 101),
    ]:
        changed = dataclasses.replace(getattr(DEFAULT_SITE, section), **{key: value})
        site = dataclasses.replace(DEFAULT_SITE, **{section: changed})
        with pytest.raises(SiteSettingsError) as caught:
            render_pdf(build_case(fields()), site)
        assert caught.value.key == f"{section}.{key}"


def test_the_longest_allowed_site_text_is_printed_whole(tmp_path: Path) -> None:
    site = load_site(
        write_site(
            tmp_path,
            f'[institution]\nname = "{"Wm " * 33}W"\nclinic_phone = "{"(555) 010-2200 x" + "9" * 24}"\n'
            f'after_hours_phone = "{"8" * 40}"\nemergency_number = "{"1" * 20}"\n'
            f'[content]\nversion = "{"M" * 40}"\n',
        )
    )
    for paper in ("letter", "a4"):
        data = render_pdf(build_case(fields(paper=paper, large_print="yes")), site)
        assert_frame_is_clear(data, paper)
        text = squeezed(pdf_text(data))
        assert "9" * 24 in text and "8" * 40 in text and "1" * 20 in text and "M" * 40 in text


# --- Item 18: the same bytes whatever the environment, an ID from the content -------------------------

RENDER_SCRIPT = """
import sys
from dischargegen.cli import cli
cli.main(sys.argv[1:], prog_name="dischargegen", standalone_mode=True)
"""


def render_in_subprocess(out: Path, environment: dict[str, str], *extra: str) -> bytes:
    env = {key: value for key, value in os.environ.items() if key not in ("SOURCE_DATE_EPOCH", "TZ")}
    env.update(environment)
    env["PYTHONPATH"] = str(REPO)
    result = subprocess.run(
        [sys.executable, "-c", RENDER_SCRIPT, *ARGS, *extra, "-o", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


def test_the_same_bytes_whatever_the_environment(tmp_path: Path) -> None:
    plain = render_in_subprocess(tmp_path / "plain.pdf", {"PYTHONHASHSEED": "0"})
    # The issue's case: SOURCE_DATE_EPOCH changed CreationDate, ModDate and /ID.
    epoch = render_in_subprocess(tmp_path / "epoch.pdf", {"SOURCE_DATE_EPOCH": "1700000000"})
    assert epoch == plain
    other = render_in_subprocess(
        tmp_path / "other.pdf",
        {"SOURCE_DATE_EPOCH": "0", "TZ": "Asia/Kolkata", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "4242"},
    )
    assert other == plain
    # ReportLab reads RL_<setting> variables into rl_config at import: each of these changed the bytes
    # (uncompressed pages, no A85, comments with the install path, A85 wrapped, other subset codes).
    for setting in ("pageCompression=0", "useA85=0", "pdfComments=1", "wrapA85=1", "ttfAsciiReadable=0"):
        name, value = setting.split("=")
        rendered = render_in_subprocess(tmp_path / f"{name}.pdf", {f"RL_{name}": value})
        assert rendered == plain, f"RL_{setting}"
    assert render_pdf(build_case(fields()), DEFAULT_SITE) == plain  # the command's case, in this process
    assert render_pdf(build_case(fields(patient_name="Bo Li")), DEFAULT_SITE) != plain
    info = pypdf.PdfReader(io.BytesIO(plain)).metadata
    assert info is not None
    assert info["/CreationDate"] == info["/ModDate"] == "D:20000101000000+00'00'"


def test_the_same_bytes_with_source_date_epoch_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    case = build_case(fields(patient_name="Bo Li"))
    before = render_pdf(case, DEFAULT_SITE)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234567890")
    assert render_pdf(case, DEFAULT_SITE) == before


# A host's own ReportLab settings: each would change the bytes if the build read it.
HOST_SETTINGS: dict[str, Any] = {
    "useA85": 0,
    "wrapA85": 1,
    "pdfComments": 1,
    "pdfMultiLine": 1,
    "canvas_baseColor": "red",
    "defaultEncoding": "MacRomanEncoding",
}


def test_a_hosts_reportlab_settings_neither_change_the_bytes_nor_are_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = build_case(fields(patient_name="Bo Li"))
    before = render_pdf(case, DEFAULT_SITE)
    for name, value in HOST_SETTINGS.items():
        monkeypatch.setattr(rl_config, name, value)
    assert render_pdf(case, DEFAULT_SITE) == before
    after = {name: getattr(rl_config, name) for name in HOST_SETTINGS}
    assert after == HOST_SETTINGS  # as the host left them


def trailer_id(data: bytes) -> tuple[bytes, bytes]:
    found = re.search(rb"/ID \n\[<([0-9a-f]{32})><([0-9a-f]{32})>\]", data[-2048:])
    assert found is not None
    return found.group(1), found.group(2)


def test_each_document_has_its_own_id_made_from_its_content() -> None:
    ana = render_pdf(build_case(fields()), DEFAULT_SITE)
    bo = render_pdf(build_case(fields(patient_name="Bo Li", mrn="MRN-2002")), DEFAULT_SITE)
    twin = render_pdf(build_case(fields(mrn="MRN-1002")), DEFAULT_SITE)  # one character differs
    ids = [trailer_id(data) for data in (ana, bo, twin)]
    assert len({first for first, _ in ids}) == 3
    for data, (first, second) in zip((ana, bo, twin), ids, strict=True):
        assert first == second
        # The digest of the document with its ID as zeros: anyone can check it, no patient text in clear.
        blank = data.replace(b"<" + first + b"><" + first + b">", b"<" + b"0" * 32 + b"><" + b"0" * 32 + b">")
        assert hashlib.sha256(blank).hexdigest()[:32].encode() == first
        assert b"Ana" not in data[-2048:] and b"MRN" not in data[-2048:]
        pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()  # offsets still right: it reads


def test_the_id_step_keeps_every_offset() -> None:
    data = render_pdf(build_case(fields()), DEFAULT_SITE)
    assert pdf.with_content_id(data) == data  # already its own digest: a fixed point
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) > 1


# --- Item 22: the header with long names and identifiers -------------------------------------------------

UUID_MRN = "urn:uuid:0b3e6c1e-9f6a-4f3e-8d2c-7a4b5c6d7e8f-2a1b3c4d5e6f708192"  # 64 characters
WIDE_NAME = ("Wolfgang Maximilian " * 4)[:MAX_NAME_LENGTH]


def test_mrns_as_long_as_real_systems_make_them_are_accepted() -> None:
    assert MAX_MRN_LENGTH == 64 and len(UUID_MRN) == 64
    assert build_case(fields(mrn=UUID_MRN)).mrn == UUID_MRN
    with pytest.raises(InputError, match="mrn"):
        build_case(fields(mrn=UUID_MRN + "0"))


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("large_print", ["no", "yes"])
def test_a_long_name_and_mrn_never_overprint_or_run_off_the_page(
    language: str, paper: str, large_print: str
) -> None:
    case = build_case(
        fields(patient_name=WIDE_NAME, mrn=UUID_MRN, language=language, paper=paper, large_print=large_print)
    )
    data = render_pdf(case, DEFAULT_SITE)
    assert_frame_is_clear(data, paper)
    header, _ = page_frame(data, paper)
    for page in range(1, len(pages(data)) + 1):
        text = squeezed(" ".join(line.text for line in header if line.page == page))
        assert squeezed(WIDE_NAME) in text and UUID_MRN in text, page
        assert min(line.size for line in header if line.page == page) >= pdf_page.READABLE_SIZE


def test_the_widest_name_and_mrn_fit_beside_a_logo(tmp_path: Path) -> None:
    site = load_site(logo_site(tmp_path, png_bytes(noisy_logo(800, 300))))
    assert site.document.logo is not None
    logo_width = site.document.logo.printed_size()[0]
    for paper, large_print in (("a4", "yes"), ("letter", "no")):
        case = build_case(
            fields(patient_name="W" * MAX_NAME_LENGTH, mrn="W" * 64, paper=paper, large_print=large_print)
        )
        data = render_pdf(case, site)
        assert_frame_is_clear(data, paper, logo_width)
        header, _ = page_frame(data, paper)
        for page in (1, 2):
            text = squeezed(" ".join(line.text for line in header if line.page == page))
            assert "W" * MAX_NAME_LENGTH in text and "W" * 64 in text


def test_a_short_header_is_drawn_as_before() -> None:
    header, _ = page_frame(render_pdf(build_case(fields()), DEFAULT_SITE), "letter")
    first = [(line.y, line.size, line.bold) for line in header if line.page == 1]
    assert first == [(752.4, 12.0, True), (736.45, 11.0, False)]


@settings(max_examples=50, deadline=None)
@given(
    name=st.text(alphabet=st.sampled_from("WMmiIl ÆŒœ-'.Щ"), min_size=1, max_size=MAX_NAME_LENGTH).filter(
        str.strip
    ),
    mrn=st.text(alphabet=st.sampled_from("W0-:.abcM"), min_size=1, max_size=MAX_MRN_LENGTH),
    size=st.sampled_from([11.0, 13.0]),
    width=st.sampled_from([482.4, 465.7, 340.0]),
)
def test_the_header_layout_always_fits_and_keeps_every_character(
    name: str, mrn: str, size: float, width: float
) -> None:
    register_fonts()
    patient = f"Paciente: {' '.join(name.split())}"
    identifiers = ["Fecha de nacimiento: 30 de septiembre de 1944", f"Número de expediente médico: {mrn}"]
    lines, rule = pdf_page._header_layout(patient, identifiers, size, width)
    assert rule <= MARGIN_TOP - 4
    assert lines[0][2] - lines[0][1] >= 0.25 * 72 - 0.01  # the first line's top is on the paper
    for font, font_size, _, text in lines:
        assert stringWidth(text, font, font_size) <= width + 0.01
        assert font_size >= pdf_page.READABLE_SIZE
    assert squeezed("".join(text for *_, text in lines)) == squeezed(patient + "".join(identifiers))


def test_a_name_a_little_too_long_is_made_a_little_smaller_not_wrapped() -> None:
    register_fonts()
    width = 482.4
    patient = "Patient: Bartholomew"
    while stringWidth(patient, BOLD, 12) <= width:
        patient += " Ann" if patient[-1] == "n" else "n"
    assert stringWidth(patient, BOLD, 10.5) <= width  # the case at hand: fits a little smaller
    lines, _ = pdf_page._header_layout(patient, ["Date of birth: May 6, 1944", "MRN: 1"], 11.0, width)
    assert [text for *_, text in lines] == [patient, "Date of birth: May 6, 1944     MRN: 1"]
    assert 10 <= lines[0][1] < 12
