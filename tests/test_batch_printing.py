"""`batch --print` (issue 14, item 1): the packet(s) or the documents to a private cupsd (the `cups` fixture),
printed once and not again on a rerun, the job ids in manifest.csv, and an older manifest still read."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dischargegen.batch import printed as batch_printing
from dischargegen.errors import PrintError
from dischargegen.printing import PrintedJob, PrintOptions
from tests.helpers import (
    COLUMNS,
    GOOD,
    NAMES,
    Queue,
    batch,
    bookmarked,
    manifest,
    packet_layout,
    pdf_text,
    pdfs,
    write_csv,
)

MRNS = [row["mrn"] for row in GOOD]


def assert_no_patient_data(text: str) -> None:
    for value in (*NAMES, *MRNS, *(name.split()[-1] for name in NAMES)):
        assert value not in text


def jobs_column(out: Path) -> list[str]:
    return [row["print_job"] for row in manifest(out)]


def test_the_packet_is_printed_once_and_not_again_on_a_rerun(cups: Queue, tmp_path: Path) -> None:
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    args = [export, "--out-dir", out, "--packet", out / "packet.pdf", "--print", "--printer", "ward5"]
    first = batch(*args)
    assert first.exit_code == 0, first.output
    [job] = cups.wait_for_jobs(1)
    assert job.data == (out / "packet.pdf").read_bytes()
    assert job.title == "Discharge instructions"
    assert_no_patient_data(json.dumps(job.argv))
    assert_no_patient_data(first.stderr)
    assert f"Printed on ward5: job ward5-{job.job} (packet {out / 'packet.pdf'}, 3 patients)." in first.stderr
    assert jobs_column(out) == [f"ward5-{job.job}"] * 3

    again = batch(*args)
    assert again.exit_code == 0, again.output
    assert "Not printed again: 3 documents an earlier run printed" in again.stderr
    assert "Printed on" not in again.stderr
    assert cups.server.run("lpstat", "-o").stdout == ""
    assert len(cups.jobs()) == 1
    assert jobs_column(out) == [f"ward5-{job.job}"] * 3


def test_reprint_prints_the_packet_again_and_records_the_new_job(cups: Queue, tmp_path: Path) -> None:
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    args = [export, "--out-dir", out, "--packet", out / "packet.pdf", "--print", "--printer", "ward5"]
    assert batch(*args).exit_code == 0
    again = batch(*args, "--reprint")
    assert again.exit_code == 0, again.output
    first, second = cups.wait_for_jobs(2)
    assert second.data == first.data == (out / "packet.pdf").read_bytes()
    assert jobs_column(out) == [f"ward5-{second.job}"] * 3


def test_a_rerun_with_new_rows_prints_only_those(cups: Queue, tmp_path: Path) -> None:
    out = tmp_path / "out"
    packet = out / "packet.pdf"
    options = ["--out-dir", out, "--packet", packet, "--print", "--printer", "ward5"]
    assert batch(write_csv(tmp_path / "in.csv", GOOD[:2]), *options).exit_code == 0
    result = batch(write_csv(tmp_path / "in.csv", GOOD), *options)
    assert result.exit_code == 0, result.output
    first, second = cups.wait_for_jobs(2)
    assert bookmarked(packet) == NAMES  # the packet file holds everyone
    text = pdf_text(second.data)
    assert NAMES[2] in text and NAMES[0] not in text and NAMES[1] not in text
    assert f"job ward5-{second.job} (the 1 patient new to packet {packet})." in result.stderr
    assert "Not printed again: 2 documents" in result.stderr
    assert jobs_column(out) == [f"ward5-{first.job}", f"ward5-{first.job}", f"ward5-{second.job}"]
    assert list(tmp_path.rglob("dischargegen-print-*")) == []


def test_without_a_packet_each_document_prints_in_input_order(cups: Queue, tmp_path: Path) -> None:
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    result = batch(export, "--out-dir", out, "--print", "--printer", "ward5", "--copies", "2")
    assert result.exit_code == 0, result.output
    jobs = cups.wait_for_jobs(3)
    files = [out / row["file"] for row in manifest(out)]
    assert [job.data for job in jobs] == [path.read_bytes() for path in files]
    assert {job.copies for job in jobs} == {2}
    ids = [f"ward5-{job.job}" for job in jobs]
    assert jobs_column(out) == ids
    assert f"Printed 3 documents on ward5: jobs {', '.join(ids)}." in result.stderr
    assert_no_patient_data(result.stderr)
    for job in jobs:
        assert_no_patient_data(json.dumps(job.argv))


def test_each_unit_packet_prints_in_turn(cups: Queue, tmp_path: Path) -> None:
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    result = batch(
        export, "--out-dir", out, "--packet", out / "packet-{unit}.pdf", "--print", "--printer", "ward5"
    )
    assert result.exit_code == 0, result.output
    north, west = cups.wait_for_jobs(2)
    assert north.data == (out / "packet-5_North.pdf").read_bytes()
    assert west.data == (out / "packet-4_West.pdf").read_bytes()
    rows = manifest(out)
    assert [row["print_job"] for row in rows] == [
        f"ward5-{north.job}",
        f"ward5-{west.job}",
        f"ward5-{north.job}",
    ]


def test_duplex_pads_the_packet_and_prints_two_sided(cups: Queue, tmp_path: Path) -> None:
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    args = [export, "--out-dir", out, "--packet", out / "p.pdf", "--print", "--printer", "ward5", "--duplex"]
    assert batch(*args).exit_code == 0
    [job] = cups.wait_for_jobs(1)
    assert job.options["sides"] == "two-sided-long-edge"
    reader, marks = packet_layout(out / "p.pdf")
    starts = [page for _, page in marks]
    assert all(page % 2 == 0 for page in starts) and len(reader.pages) % 2 == 0


def test_a_site_printing_two_sided_pads_the_packet_too(cups: Queue, tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[printing]\nprinter = "ward5"\nduplex = true\n[document]\npaper = "a4"\n')
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    assert (
        batch(export, "--out-dir", out, "--packet", out / "p.pdf", "--print", "--site", site).exit_code == 0
    )
    [job] = cups.wait_for_jobs(1)
    assert job.options["sides"] == "two-sided-long-edge"
    assert len(packet_layout(out / "p.pdf")[0].pages) % 2 == 0
    simplex = batch(export, "--out-dir", tmp_path / "o2", "--print", "--site", site, "--simplex")
    assert simplex.exit_code == 0, simplex.output
    jobs = cups.wait_for_jobs(4)
    assert {job.options["sides"] for job in jobs[1:]} == {"one-sided"}


def test_a_stopped_printer_stops_the_run_before_the_first_row(cups: Queue, tmp_path: Path) -> None:
    cups.disable()
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    result = batch(export, "--out-dir", out, "--print", "--printer", "ward5")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: the printer ward5 is stopped")
    assert len(result.stderr.splitlines()) == 1
    assert not out.exists() or pdfs(out) == []


def test_a_print_failure_mid_run_records_what_printed(
    cups: Queue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = batch_printing.print_pdf
    calls: list[int] = []

    def second_fails(pdf: bytes, options: PrintOptions, paper: str) -> PrintedJob:
        calls.append(1)
        if len(calls) == 2:
            raise PrintError("the printer ward5 is stopped, so a job would wait in its queue unprinted")
        return real(pdf, options, paper)

    monkeypatch.setattr(batch_printing, "print_pdf", second_fails)
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    result = batch(export, "--out-dir", out, "--print", "--printer", "ward5")
    assert result.exit_code == 2
    [job] = cups.wait_for_jobs(1)
    assert result.stderr.splitlines()[-1] == (
        "Error: the printer ward5 is stopped, so a job would wait in its queue unprinted; "
        "1 document(s) printed before it, their jobs recorded in manifest.csv"
    )
    assert jobs_column(out) == [f"ward5-{job.job}", "", ""]
    # The rerun prints the two that did not print.
    monkeypatch.setattr(batch_printing, "print_pdf", real)
    again = batch(export, "--out-dir", out, "--print", "--printer", "ward5")
    assert again.exit_code == 0, again.output
    jobs = cups.wait_for_jobs(3)
    assert jobs_column(out) == [f"ward5-{j.job}" for j in jobs]


def test_an_unknown_queue_is_one_line_and_exit_2(cups: Queue, tmp_path: Path) -> None:
    export = write_csv(tmp_path / "in.csv", GOOD)
    result = batch(export, "--out-dir", tmp_path / "out", "--print", "--printer", "ward9")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: no print queue named ward9; `lpstat -p` lists the queues, or set [printing] printer in the "
        "site settings"
    ]


@pytest.mark.parametrize(
    "extra", [["--printer", "ward5"], ["--copies", "2"], ["--simplex"], ["--reprint"], ["--duplex"]]
)
def test_print_options_without_print_are_a_usage_error(tmp_path: Path, extra: list[str]) -> None:
    result = batch(write_csv(tmp_path / "in.csv", GOOD[:1]), "--out-dir", tmp_path / "out", *extra)
    assert result.exit_code == 2
    assert "--print" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_manifest_has_an_empty_print_job_without_print(tmp_path: Path) -> None:
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    assert batch(export, "--out-dir", out).exit_code == 0
    assert list(manifest(out)[0])[-1] == "print_job"
    assert jobs_column(out) == ["", "", ""]


def test_a_manifest_from_before_printing_is_still_read(tmp_path: Path) -> None:
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    assert batch(export, "--out-dir", out).exit_code == 0
    rows = manifest(out)
    with (out / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(list(rows[0])[:-1])  # the seven columns of the version before
        writer.writerows([list(row.values())[:-1] for row in rows])
    again = batch(export, "--out-dir", out)
    assert again.exit_code == 0, again.output
    assert "0 written" in again.stderr and "3 already done" in again.stderr
    assert [row["status"] for row in manifest(out)] == ["unchanged"] * 3
    assert jobs_column(out) == ["", "", ""]


def test_an_old_manifest_then_print_prints_everything_once(cups: Queue, tmp_path: Path) -> None:
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    assert batch(export, "--out-dir", out).exit_code == 0
    text = (out / "manifest.csv").read_text(encoding="utf-8").splitlines()
    old = [line.rsplit(",", 1)[0] for line in text]
    (out / "manifest.csv").write_text("\n".join(old) + "\n", encoding="utf-8")
    result = batch(export, "--out-dir", out, "--print", "--printer", "ward5")
    assert result.exit_code == 0, result.output
    assert "0 written" in result.stderr
    jobs = cups.wait_for_jobs(3)
    assert jobs_column(out) == [f"ward5-{job.job}" for job in jobs]


def test_each_document_prints_on_its_own_paper_two_sided_when_asked(cups: Queue, tmp_path: Path) -> None:
    rows = [GOOD[0], {**GOOD[1], "paper": "a4"}]
    export, out = write_csv(tmp_path / "in.csv", rows, [*COLUMNS, "paper"]), tmp_path / "out"
    result = batch(export, "--out-dir", out, "--print", "--printer", "ward5", "--duplex")
    assert result.exit_code == 0, result.output
    letter, a4 = cups.wait_for_jobs(2)
    assert (letter.options["media"], a4.options["media"]) == ("na_letter_8.5x11in", "iso_a4_210x297mm")
    assert {letter.options["sides"], a4.options["sides"]} == {"two-sided-long-edge"}
