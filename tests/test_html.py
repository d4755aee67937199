"""The HTML rendition (render_html, render --format html, batch --also-html), read back with Python's own
HTML parser: the structure a screen reader relies on, the same words as the PDF, escaping, nothing fetched
from anywhere, the same bytes every time. tests/test_html_browser.py checks it in a real browser."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dischargegen import DischargeGenError, InputError, build_case, render_html, render_pdf
from dischargegen.cli import cli
from dischargegen.content import render_content
from dischargegen.site import DEFAULT_SITE, SiteSettings
from tests.helpers import (
    GOOD,
    PHONES_SITE,
    RENDER_BASE,
    REPO,
    batch,
    errors,
    fields,
    manifest,
    pages,
    pdfs,
    write_csv,
)

VOID = {"meta", "br", "hr", "img", "input", "link", "rect", "path"}
BLOCK_TAGS = ("h1", "h2", "h3", "p", "li", "figcaption")


@dataclasses.dataclass
class Element:
    tag: str
    attributes: dict[str, str]
    parent: Element | None
    children: list[Element | str] = dataclasses.field(default_factory=list)

    def text(self) -> str:
        """Its words as a reader hears them: white space folded; what is aria-hidden left out."""
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.attributes.get("aria-hidden") != "true" and child.tag not in ("style", "svg"):
                parts.append(child.text())
        return " ".join("".join(parts).split())

    def walk(self) -> list[Element]:
        found = [self]
        for child in self.children:
            if isinstance(child, Element):
                found += child.walk()
        return found

    def inside(self, tag: str) -> bool:
        node = self.parent
        while node is not None:
            if node.tag == tag:
                return True
            node = node.parent
        return False


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {name: value or "" for name, value in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        assert self.current.parent is not None
        self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


class Page:
    """A rendered page, parsed."""

    def __init__(self, data: bytes) -> None:
        self.source = data.decode("utf-8")
        builder = _TreeBuilder()
        builder.feed(self.source)
        builder.close()
        assert builder.current is builder.root, "an element is not closed"
        self.doctype = builder.doctype
        self.elements = builder.root.walk()[1:]

    def all(self, tag: str) -> list[Element]:
        return [element for element in self.elements if element.tag == tag]

    def one(self, tag: str) -> Element:
        found = self.all(tag)
        assert len(found) == 1, f"{len(found)} <{tag}> elements"
        return found[0]

    def title(self) -> str:
        """The document's title (the pictures' <title> elements name the pictures)."""
        return self.one("head").walk()[1:][[e.tag for e in self.one("head").walk()[1:]].index("title")].text()

    def by_id(self, identifier: str) -> Element:
        found = [element for element in self.elements if element.attributes.get("id") == identifier]
        assert len(found) == 1, f"{len(found)} elements with id {identifier}"
        return found[0]

    def main_blocks(self) -> list[str]:
        """The text of each text block in main, in reading order."""
        return [
            element.text()
            for element in self.elements
            if element.tag in BLOCK_TAGS
            and element.inside("main")
            and element.attributes.get("class") != "scan-text"
        ]


def page_of(site: SiteSettings = DEFAULT_SITE, **overrides: str) -> Page:
    return Page(render_html(build_case(fields(**overrides)), site))


LANGUAGE_CASES = [
    pytest.param({}, "en-US", id="en"),
    pytest.param({"language": "es"}, "es-US", id="es"),
    pytest.param({"large_print": "yes"}, "en-US", id="en-large-print"),
    pytest.param({"language": "es", "large_print": "yes"}, "es-US", id="es-large-print"),
]


# --- structure ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("overrides", "lang"), LANGUAGE_CASES)
def test_the_page_has_a_language_one_h1_landmarks_and_headings_in_order(
    overrides: dict[str, str], lang: str
) -> None:
    page = page_of(**overrides)
    assert page.doctype.lower() == "doctype html"
    assert page.one("html").attributes["lang"] == lang
    assert page.all("meta")[0].attributes == {"charset": "utf-8"}  # first: before any text is read
    page.one("h1")
    header, main, footer = page.one("header"), page.one("main"), page.one("footer")
    for landmark in (header, main, footer):
        assert landmark.parent is not None and landmark.parent.tag == "body"
    levels = [int(element.tag[1]) for element in page.elements if re.fullmatch(r"h[1-6]", element.tag)]
    assert levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in itertools_pairwise(levels)), levels
    # Every element id is unique: the pictures' own ids are numbered per figure.
    ids = [element.attributes["id"] for element in page.elements if "id" in element.attributes]
    assert len(ids) == len(set(ids))
    # Every aria-labelledby points at an element with words.
    for element in page.elements:
        if "aria-labelledby" in element.attributes:
            assert page.by_id(element.attributes["aria-labelledby"]).text()


def itertools_pairwise(values: list[int]) -> list[tuple[int, int]]:
    return list(zip(values, values[1:], strict=False))


def test_the_header_shows_the_patient_line_and_the_footer_the_site_and_version() -> None:
    site = dataclasses.replace(
        PHONES_SITE, institution=dataclasses.replace(PHONES_SITE.institution, name="Riverside Spine Center")
    )
    page = page_of(site)
    header = page.one("header").text()
    assert "Patient: Ana Diaz" in header
    assert "Date of birth: May 6, 1944" in header
    assert "Medical record number: MRN-1001" in header
    footer = page.one("footer").text()
    assert "Riverside Spine Center" in footer
    assert f"Content version {site.content.version}" in footer


@pytest.mark.parametrize(("overrides", "lang"), LANGUAGE_CASES)
def test_the_911_box_is_a_labelled_region_with_every_sign_and_both_phones(
    overrides: dict[str, str], lang: str
) -> None:
    case = build_case(fields(**overrides))
    page = Page(render_html(case, PHONES_SITE))
    content = render_content(case, PHONES_SITE)
    emergency = next(section for section in content.sections if section.kind == "emergency")
    regions = [element for element in page.all("section") if "emergency" in element.attributes["class"]]
    assert len(regions) == 1
    region = regions[0]
    label = page.by_id(region.attributes["aria-labelledby"])
    assert label.tag == "h2" and label.parent is region
    assert "911" in label.text()
    signs = [block.text for block in emergency.blocks if block.kind == "bullet"]
    assert len(signs) >= 5
    assert [item.text() for item in region.walk() if item.tag == "li"] == signs
    # The clinic box, with both phones, is a section of its own.
    call = [element for element in page.all("section") if element.attributes["class"] == "call"]
    assert len(call) == 1
    assert "(555) 010-2200" in call[0].text() and "(555) 010-2299" in call[0].text()
    # The dates box too.
    assert len([element for element in page.all("section") if element.attributes["class"] == "summary"]) == 1


@pytest.mark.parametrize(("overrides", "lang"), LANGUAGE_CASES)
def test_every_picture_is_an_inline_svg_named_by_its_text_alternative_with_its_caption(
    overrides: dict[str, str], lang: str
) -> None:
    case = build_case(fields(cause="osteoporosis", **overrides))
    page = Page(render_html(case, DEFAULT_SITE))
    figures = [
        block
        for section in render_content(case, DEFAULT_SITE).sections
        for block in section.blocks
        if block.kind == "figure"
    ]
    assert len(figures) == 5
    shown = page.all("figure")
    assert len(shown) == len(figures)
    for block, figure in zip(figures, shown, strict=True):
        svg = [child for child in figure.children if isinstance(child, Element) and child.tag == "svg"]
        assert len(svg) == 1
        assert svg[0].attributes["role"] == "img"
        name = page.by_id(svg[0].attributes["aria-labelledby"])
        assert name.tag == "title" and name.parent is svg[0]
        assert name.text() == " ".join(block.attributes["alt"].split())
        caption = [
            child for child in figure.children if isinstance(child, Element) and child.tag == "figcaption"
        ]
        assert len(caption) == 1 and caption[0].text() == block.text
        # Drawn: the picture has shapes, and its labels (the spine's "L1") are text in it.
        assert any(element.tag == "path" for element in svg[0].walk())
    spine = shown[0].walk()
    assert "L1" in [element.text() for element in spine if element.tag == "text"]


def test_lists_are_lists_and_the_checklist_is_printed_boxes_not_form_controls() -> None:
    page = page_of()
    assert not page.all("input") and not page.all("form") and not page.all("button")
    checklists = [element for element in page.all("ul") if element.attributes.get("class") == "checklist"]
    assert len(checklists) == 1
    items = [child for child in checklists[0].children if isinstance(child, Element)]
    assert items and all(item.tag == "li" for item in items)
    for item in items:
        box = item.children[0]
        assert isinstance(box, Element) and box.attributes["aria-hidden"] == "true"
        assert box.children == ["\u2610"]  # printed, never read out
        assert "\u2610" not in item.text()
    # Every <li> is in a list.
    assert all(item.parent is not None and item.parent.tag in ("ul", "ol") for item in page.all("li"))
    # The signature lines and their labels.
    signatures = [element for element in page.all("div") if element.attributes.get("class") == "signature"]
    labels = [
        [label.text() for label in signature.walk() if label.attributes.get("class") == "label"]
        for signature in signatures
    ]
    assert labels == [["Patient or caregiver", "Date"], ["Nurse", "Date"]]


def test_the_scan_back_code_is_an_svg_with_its_payload_as_text() -> None:
    page = page_of()
    scan = [element for element in page.all("div") if element.attributes.get("class") == "scan"]
    assert len(scan) == 1
    assert scan[0].text() == "MRN-1001|SPINE-DC|2027-01-01"
    svg = [element for element in scan[0].walk() if element.tag == "svg"]
    assert len(svg) == 1 and svg[0].attributes["aria-hidden"] == "true"
    path = next(element for element in svg[0].walk() if element.tag == "path")
    assert path.attributes["d"].startswith(
        "M4 4h7v1h-7z"
    )  # the top-left finder pattern, after the quiet zone


def test_without_the_scan_back_code_the_page_has_none() -> None:
    site = dataclasses.replace(DEFAULT_SITE, barcode=dataclasses.replace(DEFAULT_SITE.barcode, enabled=False))
    page = page_of(site)
    assert not [element for element in page.all("div") if element.attributes.get("class") == "scan"]


def test_page_breaks_follow_the_pdf_and_print_css_keeps_boxes_whole_in_black() -> None:
    page = page_of()
    breaks = [element for element in page.all("div") if element.attributes.get("class") == "page-break"]
    assert len(breaks) == 2  # as the templates' <hr class="page-break">: after page 1, before the signatures
    style = page.one("style").text()
    print_css = style[style.index("@media print") :]
    assert ".page-break { break-after: page; }" in print_css
    assert "section.emergency h2 { background: none; color: #000;" in print_css
    assert "break-inside: avoid" in print_css
    # Type sizes from the content brief, in print; rem on screen, so the page reflows when zoomed.
    assert "font-size: 14pt" in print_css and "font-size: 18pt" in print_css
    assert not re.search(r"font-size:\s*[\d.]+px", style)


# --- nothing fetched, nothing run ---------------------------------------------------------------------

URL = re.compile(r"(?:https?:|ftp:|file:|data:|//)", re.IGNORECASE)


@pytest.mark.parametrize(("overrides", "lang"), LANGUAGE_CASES)
def test_no_script_and_no_external_reference(overrides: dict[str, str], lang: str) -> None:
    page = page_of(cause="osteoporosis", **overrides)
    assert not page.all("script") and not page.all("link") and not page.all("img")
    assert not page.all("iframe") and not page.all("object") and not page.all("base")
    for element in page.elements:
        for name, value in element.attributes.items():
            assert not name.startswith("on"), f"event handler {name} on <{element.tag}>"
            if name in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
                raise AssertionError(f"<{element.tag} {name}>")
            if name == "xmlns":
                assert value == "http://www.w3.org/2000/svg"  # a namespace name, never fetched
            elif name == "style" or name not in ("content",):
                assert not URL.search(value), f"<{element.tag} {name}={value!r}>"
    css = page.one("style").text() + " ".join(e.attributes.get("style", "") for e in page.elements)
    assert "@import" not in css
    assert all(reference.startswith("#") for reference in re.findall(r"url\(\s*['\"]?([^)'\"]*)", css))
    # A DOCTYPE or DTD address from the SVG writer would be a URL in the page, even if never fetched.
    assert "w3.org/TR" not in page.source and "<?xml" not in page.source


# --- escaping and patient data -------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script> O\'Brien & <b>Co</b>'


def test_a_hostile_name_prints_as_text_and_never_as_markup() -> None:
    page = page_of(patient_name=HOSTILE, mrn="<i>M1</i>")
    assert not page.all("script") and not page.all("b") and not page.all("i")
    assert page.one("header").text().startswith(f"Patient: {HOSTILE}")
    assert "Medical record number: <i>M1</i>" in page.one("header").text()
    assert "<script>" not in page.source


def test_no_patient_data_in_the_title_or_any_attribute() -> None:
    values = ["Zebulon", "Quartermaine", "ZQ-77301", "1944-05-06", "May 6, 1944"]
    page = page_of(patient_name="Zebulon Quartermaine", mrn="ZQ-77301")
    assert page.title() == "Going home after your spine procedure"
    for element in page.elements:
        for value in values:
            assert all(value not in attribute for attribute in element.attributes.values())
    # Only the header (and the scan-back code's text, which shows the MRN as the PDF's does) shows them.
    shown = [e for e in page.elements if any(isinstance(c, str) and "ZQ-77301" in c for c in e.children)]
    assert {element.attributes.get("class") for element in shown} == {None, "scan-text"}


PRINTABLE_NAMES = st.text(
    alphabet=st.sampled_from(list("AZaz <>&\"'/;=éñ-.")), min_size=1, max_size=40
).filter(lambda text: text.strip() != "")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=PRINTABLE_NAMES)
def test_any_name_is_text_in_the_header_and_nowhere_markup(name: str) -> None:
    try:
        case = build_case(fields(patient_name=name))
    except InputError:
        assume(False)
        return
    page = Page(render_html(case, DEFAULT_SITE))
    assert page.one("header").text().startswith(" ".join(f"Patient: {case.patient_name}".split()))
    assert [element.tag for element in page.elements if element.inside("header")] == [
        "p",
        "p",
        "span",
        "span",
    ]
    assert page.title() == "Going home after your spine procedure"


# --- one source of text --------------------------------------------------------------------------------


@pytest.mark.parametrize(("overrides", "lang"), LANGUAGE_CASES)
def test_the_same_words_as_the_rendered_content_and_the_pdf(overrides: dict[str, str], lang: str) -> None:
    case = build_case(
        fields(cause="osteoporosis", brace="yes", blood_thinner_restart="2027-01-03", **overrides)
    )
    page = Page(render_html(case, PHONES_SITE))
    content = render_content(case, PHONES_SITE)
    expected = [
        block.text
        for section in content.sections
        for block in section.all_blocks()
        if block.kind not in ("page_break", "signature")
    ]
    assert page.main_blocks() == [" ".join(text.split()) for text in expected]
    # And every block's words are in the PDF (its text read back, white space folded), once the pages'
    # headers (which end with the MRN) and footers (from the content version on) are taken out.
    footer_start = content.messages["footer_version"].split("{")[0].strip()
    pdf = " ".join(
        text.split("MRN-1001", 1)[1].rsplit(footer_start, 1)[0]
        for text in pages(render_pdf(case, PHONES_SITE))
    )
    pdf = " ".join(pdf.split())
    for text in page.main_blocks():
        assert text in pdf, text


def test_large_print_is_marked_for_the_style_sheet() -> None:
    assert page_of(large_print="yes").one("body").attributes["class"] == "large-print"
    assert page_of().one("body").attributes["class"] == "regular-print"


# --- the same bytes ------------------------------------------------------------------------------------


def test_the_same_input_gives_the_same_bytes_in_another_process_and_environment() -> None:
    case = build_case(fields(cause="osteoporosis", language="es"))
    here = render_html(case, DEFAULT_SITE)
    assert render_html(case, DEFAULT_SITE) == here
    script = (
        "import hashlib, sys\n"
        "from dischargegen import build_case, render_html\n"
        "from dischargegen.site import DEFAULT_SITE\n"
        "from tests.helpers import fields\n"
        "case = build_case(fields(cause='osteoporosis', language='es'))\n"
        "print(hashlib.sha256(render_html(case, DEFAULT_SITE)).hexdigest())\n"
    )
    environment = {
        **os.environ,
        "PYTHONHASHSEED": "12345",
        "TZ": "Pacific/Kiritimati",
        "LANG": "de_DE.UTF-8",
        "LC_ALL": "C",
        "SOURCE_DATE_EPOCH": "0",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=environment, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == hashlib.sha256(here).hexdigest()


def test_bad_input_is_a_library_error() -> None:
    case = dataclasses.replace(build_case(fields()), patient_name="Ana\u0007Diaz")
    with pytest.raises(DischargeGenError):
        render_html(case, DEFAULT_SITE)


# --- render --format html --------------------------------------------------------------------------------

ARGS = RENDER_BASE  # the base case's render command


def render_command(*extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*ARGS, *extra])
    return result.exit_code, result.output


@pytest.mark.parametrize("name", ["out.html", "out.HTM", "out.htm"])
def test_an_html_output_name_writes_html(tmp_path: Path, name: str) -> None:
    code, output = render_command("-o", str(tmp_path / name))
    assert code == 0, output
    written = (tmp_path / name).read_bytes()
    assert written == render_html(build_case(fields()), DEFAULT_SITE)


def test_format_html_writes_html_and_the_default_stays_pdf(tmp_path: Path) -> None:
    assert render_command("--format", "html", "-o", str(tmp_path / "a.html"))[0] == 0
    assert (tmp_path / "a.html").read_bytes().startswith(b"<!DOCTYPE html>")
    assert render_command("-o", str(tmp_path / "b.pdf"))[0] == 0
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF")
    assert render_command("--format", "PDF", "-o", str(tmp_path / "c.out"))[0] == 0
    assert (tmp_path / "c.out").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--format", "pdf", "-o", "x.html"], "--format pdf does not match --output"),
        (["--format", "html", "-o", "x.pdf"], "--format html does not match --output"),
        (["--format", "html", "--print"], "--print prints the PDF"),
        (["-o", "x.html", "--print"], "--print prints the PDF"),
        (["--format", "docx", "-o", "x.docx"], "Invalid value for '--format'"),
    ],
)
def test_a_format_that_contradicts_the_name_or_printing_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str], said: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = render_command(*extra)
    assert code == 2
    assert said in output
    assert "Traceback" not in output
    assert list(tmp_path.iterdir()) == []


def test_render_html_keeps_an_existing_file_when_the_input_is_bad(tmp_path: Path) -> None:
    out = tmp_path / "out.html"
    out.write_text("before")
    result = CliRunner().invoke(cli, [*ARGS[:4], "L9", *ARGS[5:], "-o", str(out)])
    assert result.exit_code == 2 and "--levels" in result.output
    assert out.read_text() == "before"


# --- batch --also-html -----------------------------------------------------------------------------------


def test_batch_also_html_writes_html_beside_each_pdf_and_lists_it(tmp_path: Path) -> None:
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    result = batch(export, "--out-dir", out, "--also-html", "--jobs", "1")
    assert result.exit_code == 0, result.output
    rows = manifest(out)
    assert len(rows) == len(GOOD) == len(pdfs(out))
    for row in rows:
        assert row["html_file"] == row["file"][: -len(".pdf")] + ".html"
        html = (out / row["html_file"]).read_bytes()
        assert hashlib.sha256(html).hexdigest() == row["html_sha256"]
        assert Page(html).one("h1")
    assert sorted(path.name for path in out.glob("*.html")) == sorted(row["html_file"] for row in rows)


def test_batch_html_is_the_library_s_bytes(tmp_path: Path) -> None:
    export, out = write_csv(tmp_path / "in.csv", GOOD[:1]), tmp_path / "out"
    assert batch(export, "--out-dir", out, "--also-html", "--jobs", "2").exit_code == 0
    row = manifest(out)[0]
    case = build_case(fields(patient_name=GOOD[0]["patient_name"], mrn=GOOD[0]["mrn"]))
    assert (out / row["html_file"]).read_bytes() == render_html(case, DEFAULT_SITE)
    assert (out / row["file"]).read_bytes() == render_pdf(case, DEFAULT_SITE)


def test_batch_rerun_with_also_html_skips_what_is_there_and_writes_what_is_missing(tmp_path: Path) -> None:
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    assert batch(export, "--out-dir", out, "--jobs", "1").exit_code == 0
    assert not list(out.glob("*.html"))
    assert {row["html_file"] for row in manifest(out)} == {""}
    # Asked for later: the rows are rendered again, HTML and all.
    again = batch(export, "--out-dir", out, "--also-html", "--jobs", "1")
    assert again.exit_code == 0, again.output
    assert f"{len(GOOD)} written" in again.stderr
    before = {path.name: path.stat().st_mtime_ns for path in out.glob("*.html")}
    assert len(before) == len(GOOD)
    # Everything there: nothing rendered, nothing touched.
    third = batch(export, "--out-dir", out, "--also-html", "--jobs", "1")
    assert "0 written" in third.stderr and f"{len(GOOD)} already done" in third.stderr
    assert {path.name: path.stat().st_mtime_ns for path in out.glob("*.html")} == before
    # One HTML lost: that row alone is written again.
    lost = manifest(out)[1]["html_file"]
    (out / lost).unlink()
    fourth = batch(export, "--out-dir", out, "--also-html", "--jobs", "1")
    assert "1 written" in fourth.stderr
    assert (out / lost).exists()
    assert [row["status"] for row in manifest(out)] == [
        "unchanged",
        "written",
        *["unchanged"] * (len(GOOD) - 2),
    ]
    # Without --also-html the HTML stays, listed while it is there.
    fifth = batch(export, "--out-dir", out, "--jobs", "1")
    assert "0 written" in fifth.stderr
    assert all(row["html_file"] for row in manifest(out))


def test_batch_never_replaces_an_html_file_no_run_wrote(tmp_path: Path) -> None:
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    assert batch(export, "--out-dir", out, "--jobs", "1").exit_code == 0
    first = manifest(out)[0]["file"]
    theirs = out / (first[: -len(".pdf")] + ".html")
    theirs.write_text("<p>the portal's own page</p>")
    result = batch(export, "--out-dir", out, "--also-html", "--jobs", "1")
    assert result.exit_code == 1
    assert theirs.read_text() == "<p>the portal's own page</p>"
    assert [(e["line"], e["field"]) for e in errors(out)] == [("2", "output")]
    assert "no run wrote" in errors(out)[0]["message"] and first[:8] not in errors(out)[0]["message"]
    assert [row["status"] for row in manifest(out)][1:] == ["written"] * (len(GOOD) - 1)


def test_batch_replaces_an_html_file_a_killed_run_left_unlisted(tmp_path: Path) -> None:
    export, out = write_csv(tmp_path / "in.csv", GOOD[:1]), tmp_path / "out"
    assert batch(export, "--out-dir", out, "--also-html", "--jobs", "1").exit_code == 0
    row = manifest(out)[0]
    html = out / row["html_file"]
    (out / "manifest.csv").unlink()  # as if killed before the manifest listed it
    html.write_bytes(html.read_bytes().replace(b"Ana", b"Ann"))
    result = batch(export, "--out-dir", out, "--also-html", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(html.read_bytes()).hexdigest() == manifest(out)[0]["html_sha256"]
