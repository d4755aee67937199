"""Every PDF dischargegen writes is PDF/A-2b (issue 15, item 1), as veraPDF (the reference validator, run
through tests/java/ValidatePdf.java) and pikepdf judge it: the samples, the variants of the check matrix,
a batch's documents and its packet, the chart copy. Its metadata (XMP included) holds no patient data."""

from __future__ import annotations

import dataclasses
import datetime
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pikepdf
import pikepdf.pdfa
import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms
from reportlab.pdfgen.canvas import Canvas

from dischargegen import build_case, render_chart_copy
from dischargegen.logo import read_logo
from dischargegen.pdf.archival import PROFILE_PATH, declares_pdfa, with_stream_eols
from dischargegen.site import DEFAULT_SITE, SiteSettings
from tests.helpers import (
    GOOD,
    REPO,
    VeraPdf,
    batch,
    fields,
    missing_for_verapdf,
    packet_layout,
    pdfs,
    person,
    render,
    skip_or_fail_without_verapdf,
    write_csv,
)


def bare_reportlab_pdf(path: Path) -> Path:
    """What ReportLab writes by default: Helvetica (not embedded), DeviceRGB without an output intent, no
    XMP, no EOL before endstream. The four rules the issue saw our documents fail."""
    canvas = Canvas(str(path), invariant=1)
    canvas.setFillColorRGB(0.2, 0.3, 0.6)
    canvas.drawString(72, 720, "Discharge instructions")
    canvas.showPage()
    canvas.save()
    return path


def test_the_harness_reports_what_bare_reportlab_breaks(verapdf: VeraPdf, tmp_path: Path) -> None:
    pdf = bare_reportlab_pdf(tmp_path / "bare.pdf")
    verdict = verapdf.validate([pdf])[pdf]
    assert verdict.error is None
    assert not verdict.compliant
    broken = {(rule.clause, rule.test) for rule in verdict.failed}
    assert {("6.1.7.1", 2), ("6.2.4.3", 2), ("6.6.2.1", 1), ("6.2.11.4.1", 1)} <= broken, verdict


def test_the_harness_reports_a_file_it_cannot_read(verapdf: VeraPdf, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot a PDF\n")
    verdict = verapdf.validate([broken])[broken]
    assert not verdict.compliant
    assert verdict.error or verdict.failed


def test_without_java_the_validation_tests_skip_naming_it_and_fail_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no java, no javac
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="need Java's java .*default-jdk-headless"):
        skip_or_fail_without_verapdf()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="need Java's java .*CI must not skip"):
        skip_or_fail_without_verapdf()


def test_without_the_jaxb_runtime_the_validation_tests_name_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for program in ("java", "javac"):
        (tmp_path / program).write_text("#!/bin/sh\n")
        (tmp_path / program).chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "Debian: libjaxb-java" in (missing_for_verapdf(tmp_path / "java") or "")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(alphabet="endstrmobj \nxref()\\<>%", max_size=40), min_size=1, max_size=4))
def test_the_eol_step_keeps_every_offset_whatever_the_streams_hold(texts: list[str]) -> None:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, pageCompression=0)
    for text in texts:
        canvas.drawString(72, 720, text)
        canvas.showPage()
    canvas.save()
    after = with_stream_eols(buffer.getvalue())
    table = after[after.rindex(b"\nxref\n") :]
    for number, offset in enumerate(re.findall(rb"(\d{10}) \d{5} n ", table), start=1):
        assert after[int(offset) :].startswith(b"%d 0 obj" % number)
    assert len(pypdf.PdfReader(io.BytesIO(after), strict=True).pages) == len(texts)


def test_pikepdf_refuses_what_bare_reportlab_writes(tmp_path: Path) -> None:
    report = pikepdf.pdfa.validate_written(bare_reportlab_pdf(tmp_path / "bare.pdf"), "2b")
    assert not report.passed
    assert "ISO_19005_2:6.6.2.1-1" in {finding.rule for finding in report.findings}  # no XMP


def test_every_sample_is_pdfa_2b(verapdf: VeraPdf) -> None:
    samples = sorted((REPO / "samples").glob("*.pdf"))
    assert len(samples) == 4
    verapdf.assert_compliant(samples)
    assert pikepdf_verdicts(samples) == {}


# --- what dischargegen writes ------------------------------------------------------------------------------

# The check matrix's extremes: both languages, both print sizes, both papers, each with another clinical
# variant, so every picture, box and table shows up somewhere.
MATRIX: list[dict[str, str]] = [
    {"language": language, "large_print": large, "paper": paper, **variant}
    for (language, large, paper), variant in zip(
        [
            (language, large, paper)
            for language in ("en", "es")
            for large in ("no", "yes")
            for paper in ("letter", "a4")
        ],
        [
            {},
            {"procedure": "vertebroplasty", "anesthesia": "general", "overnight": "yes", "cause": "cancer"},
            {"levels": "T11-L1", "anesthesia": "sedation", "brace": "yes", "follow_up": "2027-01-12 14:30"},
            {"cause": "trauma", "blood_thinner_restart": "2027-01-03"},
            {"procedure": "vertebroplasty", "levels": "T9-L2", "overnight": "yes"},
            {"anesthesia": "general", "cause": "osteoporosis", "patient_name": "Ólafur Þórsson"},
            {"anesthesia": "sedation", "levels": "T12,L1", "patient_name": "Νίκος Ζαχαρίου"},
            {"cause": "cancer", "brace": "yes", "patient_name": "Ángel Muñoz"},
        ],
        strict=True,
    )
]


def logo_site(folder: Path, alpha: bool) -> SiteSettings:
    """The default site with a small PNG logo (with a transparent part, if `alpha`: a soft mask)."""
    mode = "RGBA" if alpha else "RGB"
    picture = Image.new(mode, (240, 90), (20, 90, 160, 255) if alpha else (20, 90, 160))
    if alpha:
        picture.paste((0, 0, 0, 0), (0, 0, 120, 45))
    path = folder / f"logo-{mode}.png"
    picture.save(path)
    return dataclasses.replace(
        DEFAULT_SITE,
        institution=dataclasses.replace(DEFAULT_SITE.institution, name='St. Anne\'s & "Mercy" <Spine>'),
        document=dataclasses.replace(DEFAULT_SITE.document, logo=read_logo(path)),
    )


def written(folder: Path, documents: dict[str, bytes]) -> list[Path]:
    paths = []
    for name, pdf in documents.items():
        path = folder / f"{name}.pdf"
        path.write_bytes(pdf)
        paths.append(path)
    return paths


# A tagged document's XMP says PDF/UA-1 (pdfuaid:part) and describes that property in an extension
# schema, as PDF/A-2 requires for a property outside its predefined schemas. pikepdf's checker reads no
# extension schemas (its canonicalize_xmp says so) and refuses both; veraPDF, the reference, reads them
# and accepts them (tests/test_tagged.py).
PDF_UA_IDENTIFICATION = re.compile(r"\b(pdfuaid:part|pdfaExtension|pdfaSchema|pdfaProperty)\b")


def pikepdf_verdicts(paths: list[Path]) -> dict[str, str]:
    """pikepdf's own PDF/A-2b check (an allowlist: it approves only what it knows conforms), on each file
    it does not approve: its findings. The PDF/UA identification is not held against a tagged document."""
    failing = {}
    for path in paths:
        report = pikepdf.pdfa.validate_written(path, "2b")
        others = [
            finding
            for finding in report.findings
            if not (
                finding.rule == "ISO_19005_2:6.6.2.3.1-1" and PDF_UA_IDENTIFICATION.search(finding.message)
            )
        ]
        if others or report.unsupported:
            failing[path.name] = report.summary()
    return failing


def test_the_check_matrix_and_logos_are_pdfa_2b(verapdf: VeraPdf, tmp_path: Path) -> None:
    documents = {f"variant-{index}": render(**variant) for index, variant in enumerate(MATRIX)}
    for alpha in (False, True):
        site = logo_site(tmp_path, alpha)
        documents[f"logo-alpha-{alpha}"] = render(site)
        documents[f"logo-alpha-{alpha}-a4-es"] = render(site, paper="a4", language="es", large_print="yes")
    paths = written(tmp_path, documents)
    verapdf.assert_compliant(paths)
    assert pikepdf_verdicts(paths) == {}


def test_the_chart_copy_is_pdfa_2b(verapdf: VeraPdf, tmp_path: Path) -> None:
    documents = {
        "chart": render_chart_copy(build_case(fields()), DEFAULT_SITE),
        "chart-es-large-a4": render_chart_copy(
            build_case(fields(language="es", large_print="yes", paper="a4", anesthesia="general")),
            logo_site(tmp_path, alpha=True),
        ),
    }
    paths = written(tmp_path, documents)
    verapdf.assert_compliant(paths)
    assert pikepdf_verdicts(paths) == {}


def test_a_batchs_documents_and_its_padded_packet_with_an_insert_are_pdfa_2b(
    verapdf: VeraPdf, tmp_path: Path
) -> None:
    leaflet = tmp_path / "leaflet.pdf"
    leaflet.write_bytes(render(patient_name="Leaflet Sample", language="es"))  # one of our own PDFs
    export = write_csv(tmp_path / "in.csv", GOOD)
    out = tmp_path / "out"
    packet = out / "packet.pdf"
    result = batch(export, "--out-dir", out, "--packet", packet, "--duplex", "--insert", leaflet)
    assert result.exit_code == 0, result.output
    documents = pdfs(out)
    assert len(documents) == len(GOOD) + 1  # the packet is in the folder too
    reader, marks = packet_layout(packet)
    assert len(marks) == len(GOOD)
    assert any(page.get("/Contents") is None for page in reader.pages)  # the duplex padding is there
    verapdf.assert_compliant(documents)
    assert pikepdf_verdicts(documents) == {}


def test_a_packet_with_an_insert_that_is_not_pdfa_says_so_and_does_not_claim_it(
    verapdf: VeraPdf, tmp_path: Path
) -> None:
    leaflet = bare_reportlab_pdf(tmp_path / "leaflet.pdf")  # Helvetica unembedded, no XMP: not PDF/A
    export = write_csv(tmp_path / "in.csv", GOOD)
    out = tmp_path / "out"
    packet = out / "packet.pdf"
    result = batch(export, "--out-dir", out, "--packet", packet, "--insert", leaflet)
    assert result.exit_code == 0, result.output
    said = [line for line in result.output.splitlines() if "not PDF/A-2b" in line]
    assert len(said) == 1 and "--insert" in said[0], result.output
    root = pypdf.PdfReader(packet).trailer["/Root"]
    assert "/Metadata" not in root and "/OutputIntents" not in root  # no claim it cannot keep
    assert len(packet_layout(packet)[1]) == len(GOOD)  # and the packet is whole
    verapdf.assert_compliant([path for path in pdfs(out) if path != packet])  # the documents still are


def test_a_packet_with_a_pdfa_insert_says_nothing_more(tmp_path: Path) -> None:
    leaflet = tmp_path / "leaflet.pdf"
    leaflet.write_bytes(render(patient_name="Leaflet Sample"))
    export = write_csv(tmp_path / "in.csv", GOOD)
    out = tmp_path / "out"
    result = batch(export, "--out-dir", out, "--packet", out / "packet.pdf", "--insert", leaflet)
    assert result.exit_code == 0, result.output
    assert "PDF/A" not in result.output
    assert xmp_value(xmp_of((out / "packet.pdf").read_bytes())[1], "pdfaid:part") == "2"


def pdf_saying(tmp_path: Path, xmp: bytes | None, intent_channels: int | None = None) -> pypdf.PdfReader:
    """A one-page PDF with `xmp` as its metadata and, if given, an output intent of that many channels."""
    pdf = pikepdf.open(bare_reportlab_pdf(tmp_path / "base.pdf"))
    if xmp is not None:
        pdf.Root.Metadata = pdf.make_stream(xmp, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    if intent_channels is not None:
        profile = pdf.make_stream(b"profile", N=intent_channels)
        intent = pikepdf.Dictionary(Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1)
        intent.DestOutputProfile = profile
        pdf.Root.OutputIntents = pikepdf.Array([intent])
    path = tmp_path / "saying.pdf"
    pdf.save(path)
    return pypdf.PdfReader(path)


def xmp_claiming(part: str, as_attribute: bool) -> bytes:
    claim = (
        f'<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="{part}"'
        ' pdfaid:conformance="B"/>'
        if as_attribute
        else '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">'
        f"<pdfaid:part>{part}</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>"
    )
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">{claim}</rdf:RDF>'
        '</x:xmpmeta><?xpacket end="w"?>'
    ).encode()


@pytest.mark.parametrize(
    ("xmp", "channels", "taken"),
    [
        (xmp_claiming("2", as_attribute=False), None, True),
        (xmp_claiming("1", as_attribute=True), None, True),
        (xmp_claiming("2", as_attribute=True), 3, True),
        (xmp_claiming("2", as_attribute=False), 4, False),  # a CMYK output intent is not the packet's
        (xmp_claiming("3", as_attribute=False), None, False),  # PDF/A-3 may carry attached files
        (xmp_claiming("3", as_attribute=True), None, False),
        (b"<x:xmpmeta/>", None, False),
        (None, None, False),
    ],
)
def test_which_inserts_a_pdfa_packet_takes(
    tmp_path: Path, xmp: bytes | None, channels: int | None, taken: bool
) -> None:
    assert declares_pdfa(pdf_saying(tmp_path, xmp, channels)) is taken


def test_an_insert_whose_metadata_cannot_be_read_makes_no_claim(tmp_path: Path) -> None:
    pdf = pikepdf.open(bare_reportlab_pdf(tmp_path / "base.pdf"))
    pdf.Root.Metadata = pdf.make_stream(b"not deflated at all", Filter=pikepdf.Name.FlateDecode)
    pdf.save(tmp_path / "broken.pdf", fix_metadata_version=False)
    assert declares_pdfa(pypdf.PdfReader(tmp_path / "broken.pdf")) is False


def test_our_own_documents_are_taken_as_pdfa_inserts() -> None:
    assert declares_pdfa(pypdf.PdfReader(io.BytesIO(render())))


def test_a_packet_is_the_same_bytes_each_time_and_its_id_follows_its_content(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "in.csv", GOOD)
    packets = []
    for run, rows in enumerate((GOOD, GOOD, GOOD[:2])):
        write_csv(export, rows)
        out = tmp_path / f"out{run}"
        assert batch(export, "--out-dir", out, "--packet", out / "packet.pdf").exit_code == 0
        packets.append((out / "packet.pdf").read_bytes())
    assert packets[0] == packets[1]
    identifiers = [pypdf.PdfReader(io.BytesIO(packet)).trailer["/ID"] for packet in packets]
    assert identifiers[0] == identifiers[1] != identifiers[2]


# --- the metadata ------------------------------------------------------------------------------------------

XMP_NAMESPACES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
}
PATIENT = {"patient_name": "Zelda Quixote-Marsh", "mrn": "MRN-7731904", "dob": "1938-09-17"}
# The date of birth as any part of a document could write it.
DOB_FORMS = ("1938-09-17", "19380917", "09/17/1938", "17/09/1938", "September 17, 1938", "1938")


def xmp_of(pdf: bytes) -> tuple[bytes, ElementTree.Element]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    stream = reader.trailer["/Root"]["/Metadata"].get_object()
    assert stream["/Subtype"] == "/XML"
    assert "/Filter" not in stream  # readable as it is, by archives and indexers
    data = stream.get_data()
    return data, ElementTree.fromstring(data.split(b"?>", 1)[1].rsplit(b"<?xpacket", 1)[0])


def xmp_value(root: ElementTree.Element, path: str) -> str | None:
    found = root.find(f".//rdf:Description/{path}", XMP_NAMESPACES)
    return None if found is None else "".join(found.itertext())


def no_patient_data(data: bytes, where: str) -> None:
    text = data.decode("utf-8", "replace")
    for value in (PATIENT["patient_name"], *PATIENT["patient_name"].split(), PATIENT["mrn"], "7731904"):
        assert value not in text, f"{where} holds the patient's {value!r}"
    for form in DOB_FORMS:
        assert form not in text, f"{where} holds the date of birth as {form!r}"


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_xmp_says_pdfa_2b_agrees_with_info_and_holds_no_patient_data(language: str) -> None:
    site = dataclasses.replace(
        DEFAULT_SITE, institution=dataclasses.replace(DEFAULT_SITE.institution, name="Riverside & Co <Spine>")
    )
    for pdf in (
        render(site, language=language, **PATIENT),
        render_chart_copy(build_case(fields(language=language, **PATIENT)), site),
    ):
        data, root = xmp_of(pdf)
        assert xmp_value(root, "pdfaid:part") == "2"
        assert xmp_value(root, "pdfaid:conformance") == "B"
        info = pypdf.PdfReader(io.BytesIO(pdf)).metadata
        assert info is not None
        assert xmp_value(root, "dc:title") == info["/Title"]
        assert xmp_value(root, "dc:creator") == info["/Author"] == "Riverside & Co <Spine>"
        assert xmp_value(root, "dc:description") == info["/Subject"]
        assert xmp_value(root, "xmp:CreatorTool") == info["/Creator"]
        assert xmp_value(root, "pdf:Producer") == info["/Producer"]
        assert xmp_value(root, "xmp:CreateDate") == "2000-01-01T00:00:00Z"
        assert xmp_value(root, "dc:language") == {"en": "en-US", "es": "es-US"}[language]
        no_patient_data(data, "the XMP")
        no_patient_data(repr(dict(info)).encode(), "the Info dictionary")


def test_a_packets_metadata_agrees_and_holds_no_patient_data(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "in.csv", [person(PATIENT["patient_name"], PATIENT["mrn"], dob=PATIENT["dob"])]
    )
    out = tmp_path / "out"
    assert batch(export, "--out-dir", out, "--packet", out / "packet.pdf").exit_code == 0
    pdf = (out / "packet.pdf").read_bytes()
    data, root = xmp_of(pdf)
    info = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None
    assert (xmp_value(root, "pdfaid:part"), xmp_value(root, "pdfaid:conformance")) == ("2", "B")
    assert xmp_value(root, "dc:title") == info["/Title"]
    assert xmp_value(root, "pdf:Producer") == info["/Producer"]
    no_patient_data(data, "the packet's XMP")
    no_patient_data(repr(dict(info)).encode(), "the packet's Info dictionary")


def test_the_output_intent_is_the_shipped_srgb_profile() -> None:
    pdf = render()
    intents = pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/OutputIntents"]
    assert len(intents) == 1
    intent = intents[0].get_object()
    assert (intent["/S"], intent["/OutputConditionIdentifier"]) == ("/GTS_PDFA1", "sRGB IEC61966-2.1")
    profile = intent["/DestOutputProfile"].get_object()
    assert profile.get_data() == PROFILE_PATH.read_bytes()
    assert profile["/N"] == 3
    opened = ImageCms.ImageCmsProfile(io.BytesIO(PROFILE_PATH.read_bytes())).profile
    assert (opened.xcolor_space, opened.device_class) == ("RGB ", "mntr")
    assert opened.creation_date == datetime.datetime(2000, 1, 1)  # fixed: the same bytes for everyone


# --- the same bytes, and the end-of-line step --------------------------------------------------------------

RENDER_SCRIPT = (
    "import sys\n"
    "from dischargegen import build_case, render_pdf\n"
    "from dischargegen.site import DEFAULT_SITE\n"
    "from tests.helpers import fields\n"
    "sys.stdout.buffer.write(render_pdf(build_case(fields(language='es')), DEFAULT_SITE))\n"
)


def test_pdfa_documents_are_the_same_bytes_whatever_the_environment() -> None:
    """Another process, time zone, locale, hash seed and SOURCE_DATE_EPOCH, with the speed-ups off."""
    environment = {
        **os.environ,
        "TZ": "Pacific/Chatham",
        "LC_ALL": "C.UTF-8",
        "PYTHONHASHSEED": "99",
        "SOURCE_DATE_EPOCH": "1800000000",
        "DISCHARGEGEN_SPEEDUPS": "0",
    }
    done = subprocess.run(
        [sys.executable, "-c", RENDER_SCRIPT], cwd=REPO, env=environment, capture_output=True, check=True
    )
    assert done.stdout == render(language="es")


def test_every_stream_ends_with_an_eol_and_every_offset_still_points_at_its_object() -> None:
    """Even where a stream's data holds the keyword `endstream` itself (skipped by its Length)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, pageCompression=0)
    canvas.drawString(72, 720, "endstream endobj stream")
    canvas.showPage()
    canvas.drawString(72, 720, "second page")
    canvas.showPage()
    canvas.save()
    before = buffer.getvalue()
    after = with_stream_eols(before)
    assert len(after) == len(before) + before.count(b"\nstream\n")
    assert after.count(b"\nendstream\n") == before.count(b"\nstream\n")
    table = after[after.rindex(b"\nxref\n") :]
    offsets = [int(offset) for offset in re.findall(rb"(\d{10}) \d{5} n ", table)]
    assert offsets
    for number, offset in enumerate(offsets, start=1):
        assert after[offset:].startswith(b"%d 0 obj" % number)
    start = int(re.findall(rb"startxref\n(\d+)", after)[-1])
    assert after[start:].startswith(b"xref")
    assert "endstream endobj stream" in " ".join(
        pypdf.PdfReader(io.BytesIO(after)).pages[0].extract_text().split()
    )
