"""Every PDF dischargegen writes is PDF/A-2b (issue 15, item 1), as veraPDF (the reference validator, run
through tests/java/ValidatePdf.java) and pikepdf judge it: the samples, the variants of the check matrix,
a batch's documents and its packet, the chart copy. Its metadata (XMP included) holds no patient data."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from tests.helpers import REPO, VeraPdf


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


def test_every_sample_is_pdfa_2b(verapdf: VeraPdf) -> None:
    samples = sorted((REPO / "samples").glob("*.pdf"))
    assert len(samples) == 4
    verapdf.assert_compliant(samples)
