"""Tagged PDF/UA-1 (issue 15, item 2): --tagged and [pdf] tagged write a structure tree that veraPDF accepts
as PDF/UA-1 while the document stays PDF/A-2b; the tree read back has the document's shape (one H1, an H2 per
heading, lists with Lbl and LBody, figures with the templates' text alternatives, a paragraph split over two
pages as one element); its text in reading order is the page text without header and footer; the page looks
the same; untagged documents are as before."""

from __future__ import annotations

import copy
import dataclasses
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pypdfium2
import pytest
from PIL import Image

from dischargegen import build_case, load_site, vocab
from dischargegen.content import render_content
from dischargegen.content.blocks import Block, Run
from dischargegen.errors import SiteSettingsError
from dischargegen.logo import read_logo
from dischargegen.pdf import PDF_LANGUAGE, build_pdf_counted, speedups
from dischargegen.site import DEFAULT_SITE, Pdf, SiteSettings
from tests.helpers import (
    BASE_FIELDS,
    GOOD,
    REPO,
    VeraPdf,
    batch,
    fields,
    pdfs,
    render,
    render_base,
    write_csv,
)

TAGGED = dataclasses.replace(DEFAULT_SITE, pdf=Pdf(tagged=True))
UNTAGGED = dataclasses.replace(DEFAULT_SITE, pdf=Pdf(tagged=False))

# The check matrix's extremes, each tagged.
EXTREMES: dict[str, dict[str, str]] = {
    "base": {},
    "kypho-levels-general-overnight-brace-thinner": {
        "levels": "T9-L2",
        "anesthesia": "general",
        "overnight": "yes",
        "brace": "yes",
        "blood_thinner_restart": "2027-01-03",
        "cause": "osteoporosis",
    },
    "verte-large-a4-es": {
        "procedure": "vertebroplasty",
        "large_print": "yes",
        "paper": "a4",
        "language": "es",
        "anesthesia": "sedation",
        "cause": "cancer",
    },
    "verte-large-letter-general": {
        "procedure": "vertebroplasty",
        "large_print": "yes",
        "anesthesia": "general",
        "overnight": "yes",
        "follow_up": "2027-01-12 14:30",
    },
    "es-trauma": {"language": "es", "cause": "trauma", "levels": "T12,L1", "patient_name": "Ángel Muñoz"},
}


def logo_site(folder: Path) -> SiteSettings:
    path = folder / "logo.png"
    Image.new("RGBA", (240, 90), (20, 90, 160, 255)).save(path)
    return dataclasses.replace(
        TAGGED,
        institution=dataclasses.replace(DEFAULT_SITE.institution, name="St. Anne's Spine Center"),
        document=dataclasses.replace(DEFAULT_SITE.document, logo=read_logo(path)),
    )


# --- reading the tree back ------------------------------------------------------------------------------


@dataclass
class Node:
    role: str
    alt: str | None
    content: list[tuple[int, int]] = field(default_factory=list)  # (page index, MCID) in order
    kids: list[Node] = field(default_factory=list)

    def walk(self) -> list[Node]:
        return [self, *(node for kid in self.kids for node in kid.walk())]


def structure(pdf: bytes) -> Node:
    """The structure tree, as the document holds it (pikepdf reads it; none of our code does)."""
    document = pikepdf.open(io.BytesIO(pdf))
    page_numbers = {page.objgen: index for index, page in enumerate(document.pages)}

    def read(element: pikepdf.Dictionary) -> Node:
        alt = element.get("/Alt")
        node = Node(str(element.S)[1:], None if alt is None else str(alt))
        default_page = element.get("/Pg")
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, int):
                assert default_page is not None, "an MCID without a page"
                node.content.append((page_numbers[default_page.objgen], kid))
            elif kid.get("/Type") == "/MCR":
                node.content.append((page_numbers[kid.Pg.objgen], int(kid.MCID)))
            else:
                node.kids.append(read(kid))
        return node

    root = document.Root.StructTreeRoot
    return read(root.K)


class _MarkedTextReader:
    """pypdf's visitor callbacks for one page: the text shown inside each MCID's sequence."""

    def __init__(self, page: int, texts: dict[tuple[int, int], str]) -> None:
        self.page = page
        self.texts = texts
        self.stack: list[int | None] = []

    def before(self, operator: bytes, arguments: list[object], *_: object) -> None:
        if operator == b"BDC":
            properties = arguments[1]
            mcid = properties.get("/MCID") if isinstance(properties, dict) else None
            self.stack.append(None if mcid is None else int(mcid))
        elif operator == b"BMC":
            self.stack.append(None)
        elif operator == b"EMC":
            self.stack.pop()

    def text(self, content: str, *_: object) -> None:
        current = self.stack[-1] if self.stack else None
        if current is not None:
            key = (self.page, current)
            self.texts[key] = self.texts.get(key, "") + content


def marked_text(pdf: bytes) -> dict[tuple[int, int], str]:
    """The text shown inside each marked-content sequence with an MCID: (page index, MCID) -> text."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    texts: dict[tuple[int, int], str] = {}
    for index, page in enumerate(reader.pages):
        visitor = _MarkedTextReader(index, texts)
        page.extract_text(visitor_operand_before=visitor.before, visitor_text=visitor.text)
    return texts


def words(text: str) -> str:
    return re.sub(r"\s+", "", text)


def tree_text(pdf: bytes) -> str:
    """The document's text in the tree's reading order."""
    texts = marked_text(pdf)
    return "".join(texts.get(mark, "") for node in structure(pdf).walk() for mark in node.content)


# --- validators -----------------------------------------------------------------------------------------


def test_tagged_documents_are_pdf_ua1_and_still_pdfa_2b(verapdf: VeraPdf, tmp_path: Path) -> None:
    documents = {name: render(TAGGED, **variant) for name, variant in EXTREMES.items()}
    site = logo_site(tmp_path)
    documents["logo"] = render(site)
    documents["logo-es-large-a4"] = render(site, language="es", large_print="yes", paper="a4")
    paths = []
    for name, pdf in documents.items():
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(pdf)
        paths.append(path)
    verapdf.assert_compliant(paths, "ua1")
    verapdf.assert_compliant(paths, "2b")


def test_tagged_documents_in_every_language_are_pdf_ua1_and_pdfa_2b(verapdf: VeraPdf, tmp_path: Path) -> None:
    """Chinese and Korean draw in a second font (the CJK one), switched run by run: still one tree, every
    glyph embedded, /Lang the language's own tag. Names in other scripts print on an English document."""
    content = dataclasses.replace(TAGGED.content, enabled_languages=vocab.LANGUAGES)
    site = dataclasses.replace(TAGGED, content=content)
    documents = {language: render(site, language=language) for language in vocab.LANGUAGES}
    documents["zh-large"] = render(site, language="zh", large_print="yes", paper="a4")
    documents["en-named-in-hangul"] = render(site, patient_name="김민준")
    documents["ru-named-in-hanzi"] = render(site, language="ru", patient_name="王小明")
    paths = []
    for name, pdf in documents.items():
        language = name.split("-")[0]
        assert pikepdf.open(io.BytesIO(pdf)).Root.Lang == PDF_LANGUAGE[language]
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(pdf)
        paths.append(path)
    verapdf.assert_compliant(paths, "ua1")
    verapdf.assert_compliant(paths, "2b")


def test_every_sample_with_the_sample_site_settings_is_pdf_ua1(verapdf: VeraPdf) -> None:
    """samples/site.toml turns tagging on; the A4 sample is made with the defaults: untagged."""
    samples = sorted((REPO / "samples").glob("*.pdf"))
    assert len(samples) == 4
    defaults = REPO / "samples" / "kyphoplasty-local-a4.pdf"
    tagged = [sample for sample in samples if sample != defaults]
    assert all(tagged_pdf(sample) for sample in tagged) and not tagged_pdf(defaults)
    verapdf.assert_compliant(tagged, "ua1")


def test_the_untagged_document_is_not_pdf_ua1(verapdf: VeraPdf, tmp_path: Path) -> None:
    """The validator sees the difference: without the tree the same document fails PDF/UA-1's rules."""
    path = tmp_path / "untagged.pdf"
    path.write_bytes(render(UNTAGGED))
    verdict = verapdf.validate([path], "ua1")[path]
    assert not verdict.compliant
    assert "7.1" in {rule.clause for rule in verdict.failed}  # content neither tagged nor an artifact


def test_a_packet_of_tagged_documents_is_pdfa_2b(verapdf: VeraPdf, tmp_path: Path) -> None:
    export = write_csv(tmp_path / "in.csv", GOOD)
    out = tmp_path / "out"
    packet = out / "packet.pdf"
    result = batch(export, "--out-dir", out, "--packet", packet, "--tagged", "--jobs", "1")
    assert result.exit_code == 0, result.output
    documents = [path for path in pdfs(out) if path != packet]
    assert documents and all(tagged_pdf(path) for path in documents)
    with pikepdf.open(packet) as opened:
        # A packet is for printing: its pages keep no structure, and no page points into a tree it lacks.
        assert "/StructTreeRoot" not in opened.Root
        assert all("/StructParents" not in page.obj for page in opened.pages)
    verapdf.assert_compliant([packet, *documents], "2b")


# --- the tree's shape -----------------------------------------------------------------------------------


def test_the_tree_has_the_documents_shape() -> None:
    case = build_case(fields(language="es", levels="T11-L1", anesthesia="general"))
    content = render_content(case, TAGGED)
    pdf, _ = build_pdf_counted(case, TAGGED, content)
    tree = structure(pdf)
    nodes = tree.walk()
    assert tree.role == "Document"
    roles = [node.role for node in nodes]
    assert roles.count("H1") == 1
    headings = [block for section in content.sections for block in section.all_blocks() if block.kind == "h2"]
    assert roles.count("H2") == len(headings) > 3
    assert roles.count("H3") == sum(
        block.kind == "h3" for section in content.sections for block in section.all_blocks()
    )
    items = [node for node in nodes if node.role == "LI"]
    assert len(items) > 10
    assert all([kid.role for kid in item.kids] == ["Lbl", "LBody"] for item in items)
    assert all(node.role == "L" for node in nodes if any(kid.role == "LI" for kid in node.kids))
    texts = marked_text(pdf)
    labels = {words(texts[mark]) for item in items for mark in item.kids[0].content if mark in texts}
    assert labels == {"\u2022"}  # the bullets (the templates number no list); the squares draw no text
    checks = [item for item in items if not any(mark in texts for mark in item.kids[0].content)]
    assert checks, "the checklist's squares are the Lbl of their items"
    # Each picture is a Figure with the template's text alternative; the scan-back code's says no value.
    alts = [
        block.attributes["alt"]
        for section in content.sections
        for block in section.all_blocks()
        if block.kind == "figure"
    ]
    figures = [node for node in nodes if node.role == "Figure"]
    assert [node.alt for node in figures] == [*alts, content.messages["scan_code_alt"]]
    assert all(node.alt and case.mrn not in node.alt for node in figures)
    assert all(node.content for node in figures)


def test_header_and_footer_are_artifacts_and_the_tree_reads_as_the_pages() -> None:
    case = build_case(fields())
    pdf = render(TAGGED)
    in_tree = words(tree_text(pdf))
    assert case.patient_name.replace(" ", "") not in in_tree  # the header's patient line
    assert "Pagina" not in in_tree and "Page1of" not in in_tree  # the footer
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    page_text = ""
    for page in reader.pages:
        lines = page.extract_text().splitlines()
        # The page's text without its header (the first two lines) and footer (the last two).
        page_text += "".join(lines[2:-2])
    assert words(page_text) == in_tree


def test_a_paragraph_split_over_two_pages_is_one_element() -> None:
    case = build_case(fields(large_print="yes"))
    content = copy.deepcopy(render_content(case, TAGGED))
    sentence = "This sentence is here many times so that the paragraph must run over onto the next page. "
    long_block = Block("p", [Run(sentence * 40)])
    plain = [section for section in content.sections if section.kind not in ("summary", "call", "emergency")]
    plain[2].blocks.append(long_block)
    pdf, _ = build_pdf_counted(case, TAGGED, content)
    texts = marked_text(pdf)
    split = [
        node for node in structure(pdf).walk() if node.role == "P" and len({p for p, _ in node.content}) > 1
    ]
    (paragraph,) = [node for node in split if words(long_block.text[:60]) in words(texts[node.content[0]])]
    pages = [page for page, _ in paragraph.content]
    assert len(pages) >= 2 and pages == list(range(pages[0], pages[0] + len(pages)))  # one piece a page
    assert words("".join(texts[mark] for mark in paragraph.content)) == words(long_block.text)


def test_page_structure_entries() -> None:
    pdf = render(TAGGED)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root
        assert bool(root.MarkInfo.Marked) is True
        assert str(root.Lang) == "en-US"
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert b"<pdfuaid:part" in root.Metadata.read_bytes()
        nums = root.StructTreeRoot.ParentTree.Nums
        assert [int(page.StructParents) for page in document.pages] == list(range(len(document.pages)))
        assert [int(nums[index]) for index in range(0, len(nums), 2)] == list(range(len(document.pages)))
        assert int(root.StructTreeRoot.ParentTreeNextKey) == len(document.pages)
        assert all("/Annots" not in page.obj for page in document.pages)  # no links to tag


# --- bytes and looks ------------------------------------------------------------------------------------


def test_tagged_output_is_the_same_bytes_each_time_with_and_without_the_speedups() -> None:
    first = render(TAGGED, levels="T11-L1", large_print="yes")
    assert render(TAGGED, levels="T11-L1", large_print="yes") == first
    with speedups.switched_off():
        assert render(TAGGED, levels="T11-L1", large_print="yes") == first


def test_untagged_is_the_default() -> None:
    """Tagging is a site's choice (docs/accessibility.md says why it is not the default)."""
    assert not DEFAULT_SITE.pdf.tagged
    assert render() == render(UNTAGGED)


def test_untagged_output_has_no_tags() -> None:
    pdf = render(UNTAGGED)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert "/StructTreeRoot" not in document.Root and "/MarkInfo" not in document.Root
        assert b"pdfuaid" not in document.Root.Metadata.read_bytes()
        assert all(b"BDC" not in page.Contents.read_bytes() for page in document.pages)


def page_pixels(pdf: bytes) -> list[bytes]:
    """Each page drawn at 60 dpi (PDFium, from the test extra: no program to install)."""
    document = pypdfium2.PdfDocument(pdf)
    return [page.render(scale=60 / 72).to_pil().tobytes() for page in document]


def test_a_tagged_page_looks_exactly_like_the_untagged_one() -> None:
    tagged = page_pixels(render(TAGGED, large_print="yes"))
    plain = page_pixels(render(UNTAGGED, large_print="yes"))
    assert len(tagged) == len(plain) > 1
    assert tagged == plain


# --- settings and commands ------------------------------------------------------------------------------


def tagged_pdf(path: Path) -> bool:
    with pikepdf.open(path) as document:
        return "/StructTreeRoot" in document.Root


def test_render_tagged_and_no_tagged_on_the_command_line(tmp_path: Path) -> None:
    tagged = tmp_path / "tagged.pdf"
    result = render_base("--tagged", "-o", tagged)
    assert result.exit_code == 0, result.output
    assert tagged_pdf(tagged)
    site = tmp_path / "site.toml"
    site.write_text("[pdf]\ntagged = false\n")
    by_site = tmp_path / "by-site.pdf"
    result = render_base("--site", site, "-o", by_site)
    assert result.exit_code == 0, result.output
    assert not tagged_pdf(by_site)
    assert by_site.read_bytes() == render(UNTAGGED)
    result = render_base("--site", site, "--tagged", "-o", by_site)
    assert result.exit_code == 0, result.output
    assert by_site.read_bytes() == tagged.read_bytes()
    untagged = tmp_path / "untagged.pdf"
    result = render_base("--no-tagged", "-o", untagged)
    assert result.exit_code == 0, result.output
    assert untagged.read_bytes() == render(UNTAGGED)


def test_batch_tagged_tags_every_document(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "in.csv", GOOD[:2])
    site = tmp_path / "site.toml"
    site.write_text("[pdf]\ntagged = false\n")
    result = batch(export, "--out-dir", tmp_path / "out", "--site", site, "--tagged")
    assert result.exit_code == 0, result.output
    documents = pdfs(tmp_path / "out")
    assert len(documents) == 2 and all(tagged_pdf(path) for path in documents)
    result = batch(export, "--out-dir", tmp_path / "plain", "--no-tagged")
    assert result.exit_code == 0, result.output
    assert not any(tagged_pdf(path) for path in pdfs(tmp_path / "plain"))


def test_the_site_setting(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[pdf]\ntagged = true\n")
    assert load_site(site).pdf.tagged is True
    assert load_site(None).pdf.tagged is False  # the default (docs/accessibility.md says why)
    site.write_text('[pdf]\ntagged = "yes"\n')
    with pytest.raises(SiteSettingsError) as raised:
        load_site(site)
    assert raised.value.key == "pdf.tagged"
    site.write_text("[pdf]\ntaged = true\n")
    with pytest.raises(SiteSettingsError) as raised:
        load_site(site)
    assert raised.value.key == "pdf.taged" and "tagged" in raised.value.message
    assert BASE_FIELDS["mrn"] not in str(raised.value)


# --- headings kept with what follows, read from the tree ------------------------------------------------


def _pages_of(element: Any, page_index: dict[tuple[int, int], int]) -> list[int]:
    """The pages an element's content is on (its marked-content references and its children's)."""
    kids = element.get("/K")
    items = list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
    pages: list[int] = []
    for item in items:
        if isinstance(item, pikepdf.Dictionary) and "/S" in item:
            pages += _pages_of(item, page_index)
        elif isinstance(item, pikepdf.Dictionary) and "/Pg" in item:
            pages.append(page_index[item.Pg.objgen])
        elif isinstance(item, int) and element.get("/Pg") is not None:
            pages.append(page_index[element.Pg.objgen])
    return pages


def headings_left_alone(pdf: bytes) -> list[tuple[str, int]]:
    """Each heading whose next element starts on a later page: (H2/H3, the heading's page)."""
    found: list[tuple[str, int]] = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        page_index = {page.obj.objgen: index for index, page in enumerate(document.pages)}

        def walk(element: Any) -> None:
            kids = element.get("/K")
            items = list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
            children = [kid for kid in items if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]
            for heading, following in itertools.pairwise(children):
                if str(heading.S) in ("/H2", "/H3"):
                    here, there = _pages_of(heading, page_index), _pages_of(following, page_index)
                    if here and there and max(here) < min(there):
                        found.append((str(heading.S), max(here) + 1))
            for child in children:
                walk(child)

        walk(document.Root.StructTreeRoot)
    return found


@pytest.mark.parametrize("language", vocab.LANGUAGES)
def test_no_heading_is_left_alone_at_the_foot_of_a_page(language: str) -> None:
    """A picture's words can run longer than the picture: the heading before it must allow for them (in
    English large print, "What your doctor did" ended page 2 with its picture on page 3)."""
    content = dataclasses.replace(TAGGED.content, enabled_languages=vocab.LANGUAGES)
    site = dataclasses.replace(TAGGED, content=content)
    for procedure, anesthesia, large_print in itertools.product(
        ("kyphoplasty", "vertebroplasty"), ("local", "general"), ("no", "yes")
    ):
        pdf = render(
            site,
            language=language,
            procedure=procedure,
            anesthesia=anesthesia,
            large_print=large_print,
            overnight="yes",
        )
        assert headings_left_alone(pdf) == [], (procedure, anesthesia, large_print)
