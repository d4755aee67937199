"""The chart copy on paper (issue 14, item 2, wired into item 1): `--chart-copy` (or `[printing]
chart_copy = true`) prints the signature page marked "Chart copy" and the nurse's teach-back card once,
after the patient's document, from `render --print` and `batch --print`; against the private cupsd."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdf
import pytest

from dischargegen import build_case, render_chart_copy
from dischargegen.printing import CHART_COPY_JOB_TITLE, JOB_TITLE
from dischargegen.site import DEFAULT_SITE
from tests.helpers import BASE_FIELDS, GOOD, NAMES, Queue, batch, fields, pdf_text, write_csv
from tests.helpers import render_base as render

PATIENT_DATA = (BASE_FIELDS["patient_name"], "Diaz", BASE_FIELDS["mrn"], BASE_FIELDS["dob"])


def pages(pdf: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def assert_chart_copy(pdf: bytes, patients: int = 1) -> None:
    """Signature page marked "Chart copy", then the teach-back card, once per patient."""
    texts = pages(pdf)
    assert len(texts) == 2 * patients
    for signature, card in zip(texts[::2], texts[1::2], strict=True):
        assert "Chart copy" in signature and "Signatures" in signature
        assert "Teach-back card" in card and "When may you drive again?" in card


def test_render_prints_the_document_then_one_chart_copy(cups: Queue, tmp_path: Path) -> None:
    out = tmp_path / "doc.pdf"
    result = render("-o", out, "--print", "--printer", "ward5", "--copies", "2", "--chart-copy")
    assert result.exit_code == 0, result.output
    document, chart = cups.wait_for_jobs(2)
    assert document.data == out.read_bytes() and document.copies == 2 and document.title == JOB_TITLE
    # One copy, whatever --copies asked: it goes in the chart, not home.
    assert chart.copies == 1 and chart.title == CHART_COPY_JOB_TITLE
    assert chart.data == render_chart_copy(build_case(fields()), DEFAULT_SITE)
    assert_chart_copy(chart.data)
    assert "Chart copy" not in pdf_text(document.data)
    assert f"Printed the chart copy on ward5: job ward5-{chart.job}" in result.stderr
    for text in (json.dumps(chart.argv), result.stderr):
        assert not any(value in text for value in PATIENT_DATA)


def test_without_output_the_chart_copy_follows_and_no_file_is_left(
    cups: Queue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = render("--print", "--printer", "ward5", "--chart-copy", "--duplex")
    assert result.exit_code == 0, result.output
    document, chart = cups.wait_for_jobs(2)
    assert "Chart copy" not in pdf_text(document.data)
    assert_chart_copy(chart.data)
    # Two-sided as the document: the card on the back of the signature page.
    assert chart.options.get("sides") == "two-sided-long-edge"
    assert list(work.iterdir()) == []


def test_the_site_setting_prints_the_chart_copy_and_the_option_turns_it_off(
    cups: Queue, tmp_path: Path
) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[printing]\nprinter = "ward5"\nchart_copy = true\n', encoding="utf-8")
    assert render("-o", tmp_path / "a.pdf", "--site", site, "--print").exit_code == 0
    document, chart = cups.wait_for_jobs(2)
    assert_chart_copy(chart.data)
    off = render("-o", tmp_path / "b.pdf", "--site", site, "--print", "--no-chart-copy")
    assert off.exit_code == 0, off.output
    jobs = cups.wait_for_jobs(3)
    assert len(jobs) == 3 and jobs[2].data == (tmp_path / "b.pdf").read_bytes()
    assert "chart copy" not in off.stderr


def test_the_chart_copy_needs_print(tmp_path: Path) -> None:
    out = tmp_path / "doc.pdf"
    result = render("-o", out, "--chart-copy")
    assert result.exit_code == 2
    assert "--chart-copy is printed after the document: give --print too." in result.output
    assert not out.exists()
    export = write_csv(tmp_path / "in.csv", GOOD)
    refused = batch(export, "--out-dir", tmp_path / "out", "--chart-copy")
    assert refused.exit_code == 2 and "--chart-copy go with --print" in refused.output
    assert not (tmp_path / "out").exists()


def test_the_site_setting_alone_prints_nothing_without_print(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[printing]\nchart_copy = true\n", encoding="utf-8")
    result = render("-o", tmp_path / "doc.pdf", "--site", site)
    assert result.exit_code == 0, result.output
    assert "Chart copy" not in pdf_text((tmp_path / "doc.pdf").read_bytes())


def test_batch_prints_each_document_then_its_chart_copy(cups: Queue, tmp_path: Path) -> None:
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    result = batch(export, "--out-dir", out, "--print", "--printer", "ward5", "--chart-copy")
    assert result.exit_code == 0, result.output
    jobs = cups.wait_for_jobs(2 * len(GOOD))
    for name, document, chart in zip(NAMES, jobs[::2], jobs[1::2], strict=True):
        assert name in pdf_text(document.data) and "Chart copy" not in pdf_text(document.data)
        assert name in pdf_text(chart.data)
        assert_chart_copy(chart.data)
        assert chart.title == CHART_COPY_JOB_TITLE and chart.copies == 1
    assert f"Printed {len(GOOD)} chart copies on ward5" in result.stderr
    assert not any(name in result.stderr for name in NAMES)


def test_batch_prints_a_packets_chart_copies_once_after_it(cups: Queue, tmp_path: Path) -> None:
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    args = [export, "--out-dir", out, "--packet", out / "packet.pdf", "--print", "--printer", "ward5"]
    result = batch(*args, "--chart-copy")
    assert result.exit_code == 0, result.output
    packet, charts = cups.wait_for_jobs(2)
    assert packet.data == (out / "packet.pdf").read_bytes()  # the packet file itself, no chart copy in it
    assert "Chart copy" not in pdf_text(packet.data)
    assert_chart_copy(charts.data, patients=len(GOOD))
    card_pages = pages(charts.data)[::2]
    assert [next(name for name in NAMES if name in page) for page in card_pages] == NAMES
    assert f"job ward5-{charts.job} (the chart copies of packet" in result.stderr
    again = batch(*args, "--chart-copy")
    assert again.exit_code == 0, again.output
    assert len(cups.jobs()) == 2  # nothing new: neither the packet nor its chart copies again
