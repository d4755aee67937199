"""`dischargegen batch`: PDFs, manifest, errors, exit codes, resume, the packet, and no patient data on the
terminal. Inputs are a few rows each; the PDFs are read back with pypdf."""

from __future__ import annotations

import concurrent.futures
import csv
import gc
import hashlib
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from dischargegen import files
from dischargegen.batch import engine as batch_module
from dischargegen.batch import manifest as manifest_module
from dischargegen.batch import run_batch
from dischargegen.batch import worker as batch_worker
from dischargegen.cli import batch as batch_cli
from dischargegen.site import DEFAULT_SITE
from dischargegen.sources import Record
from dischargegen.sources.csv import read_csv_records
from tests.helpers import (
    BASE_FIELDS,
    GOOD,
    NAMES,
    REPO,
    batch,
    bookmarked,
    errors,
    insert_pdf,
    manifest,
    packet_layout,
    pdf_text,
    pdfs,
    person,
    write_csv,
)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "export.csv", GOOD)


# --- the sample export --------------------------------------------------------------------------------
def test_sample_export_in_two_workers(tmp_path: Path) -> None:
    out = tmp_path / "out"
    site = REPO / "samples" / "ehr_site.toml"
    export = REPO / "samples" / "ehr_export_with_errors.csv"
    result = batch(export, "--site", site, "--out-dir", out, "--jobs", "2")
    assert result.exit_code == 1, result.output
    # The three deliberately bad rows, as samples/README.md documents them.
    assert [(e["line"], e["field"]) for e in errors(out)] == [
        ("25", "procedure"),
        ("26", "discharge_date"),
        ("27", "blood_thinner"),
    ]
    rows = manifest(out)
    assert len(rows) == 25 and sum(r["status"] == "written" for r in rows) == 22
    for row in rows:
        if row["status"] != "written":
            continue
        data = (out / row["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"]
        assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == int(row["pages"])
        assert row["content_version"] == DEFAULT_SITE.content.version
    assert "Νικόλαος Παπαδόπουλος" in pdf_text((out / "SPN10003_2027-01-04.pdf").read_bytes())
    assert "Done: 22 written, 3 failed, 0 skipped" in result.stderr
    assert "Failed input lines: 25, 26, 27." in result.stderr
    with export.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            assert row["PAT_NAME"] not in result.output and row["MRN"] not in result.output


# --- output, manifest and exit codes ----------------------------------------------------------------
def test_every_row_written_exits_0_with_a_manifest(tmp_path: Path, export: Path) -> None:
    out = tmp_path / "out"
    result = batch(export, "--out-dir", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # silence off a terminal; the summary is on stderr
    assert result.stderr.startswith("Done: 3 written, 0 failed, 0 skipped")
    assert [p.name for p in pdfs(out)] == [
        "Q-101_2027-01-01.pdf",
        "Q-102_2027-01-01.pdf",
        "Q-103_2027-01-01.pdf",
    ]
    rows = manifest(out)
    assert list(rows[0]) == [
        "line",
        "status",
        "file",
        "sha256",
        "pages",
        "content_version",
        "fingerprint",
        "html_file",
        "html_sha256",
        "warning",
        "print_job",
    ]
    assert [(r["line"], r["status"], r["file"]) for r in rows] == [
        ("2", "written", "Q-101_2027-01-01.pdf"),
        ("3", "written", "Q-102_2027-01-01.pdf"),
        ("4", "written", "Q-103_2027-01-01.pdf"),
    ]
    assert errors(out) == []
    assert "Philippa Xanthopoulos" in pdf_text((out / "Q-102_2027-01-01.pdf").read_bytes())
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        *(p.name for p in pdfs(out)),
        "errors.csv",
        "manifest.csv",
    ]


def test_bad_rows_are_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    rows = [
        GOOD[0],
        person("Bad Dob", "Q-201", dob="2030-01-01"),
        person("Bad Level", "Q-202", levels="Zebulon"),  # a shifted column: the name must not be quoted back
        GOOD[1],
        person("Bad Name", "Q-203", patient_name="Ana\u200bDiaz"),
    ]
    out = tmp_path / "out"
    result = batch(write_csv(tmp_path / "in.csv", rows), "--out-dir", out, "--jobs", "1")
    assert result.exit_code == 1
    assert [(e["line"], e["field"]) for e in errors(out)] == [
        ("3", "dob"),
        ("4", "levels"),
        ("6", "patient_name"),
    ]
    assert errors(out)[1]["message"].startswith("an entry is not a vertebra")
    assert [r["status"] for r in manifest(out)] == ["written", "failed", "failed", "written", "failed"]
    assert len(pdfs(out)) == 2
    assert "Failed input lines: 3, 4, 6." in result.stderr
    text = result.output + (out / "errors.csv").read_text(encoding="utf-8")
    for secret in ("Zebulon", "Bad Dob", "Bad Level", "Q-20", "2030", *NAMES):
        assert secret not in text


@pytest.mark.parametrize(
    ("make", "args", "message"),
    [
        (lambda d: d / "missing.csv", [], "no input file"),
        (lambda d: write_text(d / "empty.csv", ""), [], "no header row"),
        (
            lambda d: write_text(d / "h.csv", "patient_name,mrn\nAna,1\n"),
            [],
            "required column dob is missing",
        ),
        (lambda d: write_csv(d / "ok.csv", GOOD[:1]), ["--encoding", "nope"], "unknown encoding"),
        (lambda d: write_csv(d / "ok.csv", GOOD[:1]), ["--duplex"], "give --packet too"),
        (
            lambda d: write_csv(d / "ok.csv", GOOD[:1]),
            ["--packet", "p.pdf", "--insert", "nope.pdf"],
            "--insert",
        ),
        (
            lambda d: write_csv(d / "ok.csv", GOOD[:1]),
            ["--packet", "p.pdf", "--sort-by", "bed"],
            "no column 'bed'",
        ),
        (lambda d: write_csv(d / "ok.csv", GOOD[:1]), ["--site", "nope.toml"], "no settings file"),
    ],
)
def test_unusable_input_exits_2(tmp_path: Path, make: object, args: list[str], message: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    result = batch(path, "--out-dir", tmp_path / "out", "--jobs", "1", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not pdfs(tmp_path / "out") if (tmp_path / "out").exists() else True


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_file_name_pattern_exits_2(tmp_path: Path, export: Path) -> None:
    site = write_text(tmp_path / "site.toml", '[batch]\nfile_name_pattern = "{patient_name}.pdf"\n')
    result = batch(export, "--site", site, "--out-dir", tmp_path / "out")
    assert result.exit_code == 2 and "unknown placeholder {patient_name}" in result.output


def test_windows_1252_export_renders_the_right_name(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "in.csv", [person("José Núñez Müller", "Q-301")], encoding="cp1252")
    result = batch(export, "--out-dir", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "José Núñez Müller" in pdf_text(pdfs(tmp_path / "out")[0].read_bytes())


def test_mapped_columns_from_site_settings(tmp_path: Path) -> None:
    site = write_text(
        tmp_path / "site.toml",
        '[batch]\nfile_name_pattern = "{line}-{mrn}.pdf"\n[csv.columns]\npatient_name = "PAT_NAME"\n'
        'mrn = "PAT MRN"\nprocedure = "CPT"\n',
    )
    columns = [
        "PAT_NAME",
        "Pat Mrn",
        *[c for c in BASE_FIELDS if c not in ("patient_name", "mrn", "procedure")],
        "CPT",
    ]
    row = {**BASE_FIELDS, "PAT_NAME": "Otto Mapped", "Pat Mrn": "M-1", "CPT": "22514"}
    result = batch(
        write_csv(tmp_path / "in.csv", [row], columns), "--site", site, "--out-dir", tmp_path / "out"
    )
    assert result.exit_code == 0, result.output
    (pdf,) = pdfs(tmp_path / "out")
    assert pdf.name == "2-M-1.pdf"
    assert "Otto Mapped" in pdf_text(pdf.read_bytes())


def test_hostile_mrns_make_safe_unique_names(tmp_path: Path) -> None:
    hostile = ["../../etc/x", "a/b", "a\\b", "..", "CON", "=1+2", "a/b"]
    rows = [person(f"Hostile Person{i}", mrn) for i, mrn in enumerate(hostile)]
    out = tmp_path / "deep" / "out"
    result = batch(write_csv(tmp_path / "in.csv", rows), "--out-dir", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    names = [r["file"] for r in manifest(out)]
    assert names == [
        "etc_x_2027-01-01.pdf",
        "a_b_2027-01-01.pdf",
        "a_b_2027-01-01-2.pdf",
        "2027-01-01.pdf",
        "CON_2027-01-01.pdf",
        "_=1+2_2027-01-01.pdf",
        "a_b_2027-01-01-3.pdf",
    ]
    assert sorted(p.name for p in pdfs(out)) == sorted(names)
    assert [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != out and p.name != "in.csv"] == []


# --- rerun and resume ---------------------------------------------------------------------------------
def test_rerun_skips_what_is_done_and_redoes_what_is_not(tmp_path: Path, export: Path) -> None:
    out = tmp_path / "out"
    assert batch(export, "--out-dir", out, "--jobs", "1").exit_code == 0
    before = {p.name: p.stat().st_mtime_ns for p in pdfs(out)}

    again = batch(export, "--out-dir", out, "--jobs", "1")
    assert again.exit_code == 0
    assert "Done: 0 written, 0 failed, 3 skipped (3 already done" in again.stderr
    assert {p.name: p.stat().st_mtime_ns for p in pdfs(out)} == before
    assert [r["status"] for r in manifest(out)] == ["unchanged"] * 3

    (out / "Q-102_2027-01-01.pdf").write_bytes(b"%PDF-1.4 torn")  # damaged since: redone
    changed = [GOOD[0], GOOD[1], {**GOOD[2], "levels": "T12,L1"}]  # a corrected row: redone
    third = batch(write_csv(export, changed), "--out-dir", out, "--jobs", "1")
    assert third.exit_code == 0
    assert [r["status"] for r in manifest(out)] == ["unchanged", "written", "written"]
    assert len(pypdf.PdfReader(out / "Q-102_2027-01-01.pdf").pages) > 1


def test_a_killed_runs_journal_is_used_and_a_torn_line_ignored(tmp_path: Path, export: Path) -> None:
    out = tmp_path / "out"
    assert batch(export, "--out-dir", out, "--jobs", "1").exit_code == 0
    lines = (out / "manifest.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "manifest.csv").unlink()
    (out / ".manifest.journal").write_text("".join(lines[:3]) + lines[3][:40], encoding="utf-8")
    (out / ".partial-abc.tmp").write_bytes(b"%PDF-half")
    result = batch(export, "--out-dir", out, "--jobs", "1")
    assert result.exit_code == 0
    assert [r["status"] for r in manifest(out)] == ["unchanged", "unchanged", "written"]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".dischargegen.lock"]


def test_results_do_not_depend_on_the_number_of_workers(tmp_path: Path, export: Path) -> None:
    assert batch(export, "--out-dir", tmp_path / "one", "--jobs", "1").exit_code == 0
    assert batch(export, "--out-dir", tmp_path / "two", "--jobs", "2").exit_code == 0
    assert (tmp_path / "one" / "manifest.csv").read_bytes() == (
        tmp_path / "two" / "manifest.csv"
    ).read_bytes()
    for one, two in zip(pdfs(tmp_path / "one"), pdfs(tmp_path / "two"), strict=True):
        assert one.read_bytes() == two.read_bytes()


def test_an_in_process_run_settles_the_collector_and_puts_it_back(tmp_path: Path, export: Path) -> None:
    before = gc.get_threshold(), gc.get_freeze_count()
    seen = []
    records = read_csv_records(export, DEFAULT_SITE)
    run_batch(records, DEFAULT_SITE, tmp_path / "out", on_row=lambda _: seen.append(gc.get_threshold()[0]))
    assert seen and set(seen) == {batch_worker.YOUNG_GENERATION_THRESHOLD}
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_a_worker_freezes_what_it_loaded_and_collects_less_often() -> None:
    script = (
        "import gc\n"
        "from pathlib import Path\n"
        "from dischargegen.batch.worker import start_worker\n"
        "from dischargegen.site import DEFAULT_SITE\n"
        "start_worker(DEFAULT_SITE, Path('.'))\n"
        "print(gc.get_threshold()[0], gc.get_freeze_count() > 10_000)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(batch_worker.YOUNG_GENERATION_THRESHOLD), "True"]


def test_a_file_is_on_disk_before_the_manifest_lists_it(
    tmp_path: Path, export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, str]] = []
    flush = files.flush_to_disk

    def flushing(path: Path) -> None:
        events.append(("on disk", path.name))
        flush(path)

    write = manifest_module.Journal.write

    def listing(journal: manifest_module.Journal, row: list[str]) -> None:
        if journal.path.name == manifest_module.MANIFEST_JOURNAL and row[1] == "written":
            events.append(("listed", row[2]))
        write(journal, row)

    monkeypatch.setattr(batch_module, "flush_to_disk", flushing)
    monkeypatch.setattr(manifest_module.Journal, "write", listing)
    run_batch(read_csv_records(export, DEFAULT_SITE), DEFAULT_SITE, tmp_path / "out")
    listed = [name for kind, name in events if kind == "listed"]
    assert len(listed) == len(GOOD)
    for name in listed:
        assert events.index(("on disk", name)) < events.index(("listed", name))


def test_a_worker_leaves_the_wait_for_the_disk_to_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    sync = files.os.fsync
    monkeypatch.setattr(
        files.os, "fsync", lambda descriptor: (synced.append(descriptor), sync(descriptor))[1]
    )
    files.write_atomically(tmp_path / "a.pdf", b"%PDF-", to_disk=False)
    assert synced == [] and (tmp_path / "a.pdf").read_bytes() == b"%PDF-"
    files.flush_to_disk(tmp_path / "a.pdf")
    assert len(synced) == 1
    files.write_atomically(tmp_path / "b.pdf", b"%PDF-")  # the default: flushed before the rename
    assert len(synced) == 2


def test_workers_get_rows_a_few_at_a_time_and_results_stay_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [person(f"Patient {number}", f"T-{number:03d}") for number in range(10)]
    export = write_csv(tmp_path / "ten.csv", rows)
    tasks: list[int] = []
    submit = concurrent.futures.ProcessPoolExecutor.submit

    def counting(
        pool: concurrent.futures.ProcessPoolExecutor, function: object, jobs: list[object]
    ) -> object:
        tasks.append(len(jobs))
        return submit(pool, function, jobs)  # type: ignore[arg-type]

    monkeypatch.setattr(concurrent.futures.ProcessPoolExecutor, "submit", counting)
    result = run_batch(read_csv_records(export, DEFAULT_SITE), DEFAULT_SITE, tmp_path / "out", jobs=2)
    assert result.written == 10
    assert tasks == [4, 4, 2]  # batch.ROWS_PER_TASK, and the rest at the end
    listed = manifest(tmp_path / "out")
    assert [row["line"] for row in listed] == [str(line) for line in range(2, 12)]
    assert [row["file"].split("_")[0] for row in listed] == [f"T-{number:03d}" for number in range(10)]


# --- the packet ----------------------------------------------------------------------------------------
def test_packet_in_input_order_with_one_bookmark_per_patient(tmp_path: Path, export: Path) -> None:
    out, packet = tmp_path / "out", tmp_path / "out" / "packet.pdf"
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", packet)
    assert result.exit_code == 0, result.output
    reader, marks = packet_layout(packet)
    assert [title.split(" \u00b7 ")[0] for title, _ in marks] == NAMES
    sizes = [int(r["pages"]) for r in manifest(out)]
    assert [page for _, page in marks] == [0, sizes[0], sizes[0] + sizes[1]]
    assert len(reader.pages) == sum(sizes)
    for (_, first), name in zip(marks, NAMES, strict=True):
        assert name in (reader.pages[first].extract_text() or "")
    assert "packet.pdf" not in [r["file"] for r in manifest(out)]
    first_bytes = packet.read_bytes()
    assert batch(export, "--out-dir", out, "--jobs", "1", "--packet", packet).exit_code == 0
    assert packet.read_bytes() == first_bytes  # deterministic, resumed or not
    assert NAMES[0] not in result.output


def test_duplex_insert_and_sort(tmp_path: Path, export: Path) -> None:
    out, packet = tmp_path / "out", tmp_path / "packet.pdf"
    insert = insert_pdf(tmp_path / "leaflet.pdf")
    args = ["--packet", packet, "--duplex", "--insert", insert, "--sort-by", "room"]
    result = batch(export, "--out-dir", out, "--jobs", "1", *args)
    assert result.exit_code == 0, result.output
    reader, marks = packet_layout(packet)
    # room 2 (4 West, line 3), room 2 (line 4), room 10: natural order, ties in input order
    assert [title.split(" \u00b7 ")[0] for title, _ in marks] == [NAMES[1], NAMES[2], NAMES[0]]
    sizes = {r["file"][:5]: int(r["pages"]) for r in manifest(out)}
    assert any(size % 2 for size in sizes.values()), "the test needs an odd-length document"
    expected_starts, page = [], 0
    for mrn in ("Q-102", "Q-103", "Q-101"):
        expected_starts.append(page)
        document = sizes[mrn] + sizes[mrn] % 2
        page += document + 2  # the one-page insert, padded to a sheet
        texts = [reader.pages[i].extract_text() or "" for i in range(page - 2 - document, page)]
        assert all(t.strip() == "" for t in texts[sizes[mrn] : document])  # the blank back
        assert "MEDICATION SHEET" in texts[document] and texts[document + 1].strip() == ""
    assert [start for _, start in marks] == expected_starts
    assert all(start % 2 == 0 for start in expected_starts)
    assert len(reader.pages) == page


# --- one packet per unit ------------------------------------------------------------------------------
def test_one_packet_per_unit_sorted_and_duplexed(tmp_path: Path, export: Path) -> None:
    out = tmp_path / "out"
    args = ["--packet", out / "packet-{unit}.pdf", "--sort-by", "room", "--duplex"]
    result = batch(export, "--out-dir", out, "--jobs", "1", *args)
    assert result.exit_code == 0, result.output
    north, west = out / "packet-5_North.pdf", out / "packet-4_West.pdf"
    assert bookmarked(north) == [NAMES[2], NAMES[0]]  # room 2 before room 10 within the unit
    assert bookmarked(west) == [NAMES[1]]
    sizes = {r["file"][:5]: int(r["pages"]) for r in manifest(out)}
    for path, mrns in ((north, ("Q-103", "Q-101")), (west, ("Q-102",))):
        reader, marks = packet_layout(path)
        padded = [sizes[mrn] + sizes[mrn] % 2 for mrn in mrns]
        assert [start for _, start in marks] == [sum(padded[:i]) for i in range(len(mrns))]
        assert len(reader.pages) == sum(padded)
        assert f"Packet: {path} ({len(mrns)} patients, {sum(padded)} pages)." in result.stderr
    # Groups in the input order of their first patient; packets are not documents.
    assert result.stderr.index("packet-5_North") < result.stderr.index("packet-4_West")
    assert not any(r["file"].startswith("packet") for r in manifest(out))
    for row in GOOD:
        assert row["patient_name"] not in result.output and row["mrn"] not in result.output
    before = {p.name: p.read_bytes() for p in (north, west)}
    again = batch(export, "--out-dir", out, "--jobs", "1", *args)
    assert again.exit_code == 0 and "3 already done" in again.stderr
    assert {p.name: p.read_bytes() for p in (north, west)} == before  # rebuilt from unchanged rows


def test_unit_values_become_safe_distinct_file_names(tmp_path: Path) -> None:
    units = ["../x", "a/b", "", "a_b", "Q-101_2027-01-01"]
    rows = [person(f"Unit Person{i}", f"Q-{101 + i}", unit=unit) for i, unit in enumerate(units)]
    out = tmp_path / "deep" / "out"
    export = write_csv(tmp_path / "in.csv", rows)
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", out / "{unit}.pdf")
    assert result.exit_code == 0, result.output
    expected = [
        "x.pdf",
        "a_b.pdf",
        "no-unit.pdf",
        "a_b-2.pdf",  # a_b and a/b are different units: not merged
        "Q-101_2027-01-01-2.pdf",  # never overwrites a patient's document
    ]
    for name, patient in zip(expected, rows, strict=True):
        assert bookmarked(out / name) == [patient["patient_name"]]
    documents = [r["file"] for r in manifest(out)]
    assert sorted(p.name for p in pdfs(out)) == sorted([*documents, *expected])
    assert "Unit Person0" in pdf_text((out / "Q-101_2027-01-01.pdf").read_bytes())
    assert [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != out and p != export] == []


def test_packet_column_through_the_site_mapping(tmp_path: Path) -> None:
    site = write_text(tmp_path / "site.toml", '[csv.columns]\nunit = "DEPT NAME"\n')
    rows = [{**row, "Dept_Name": row["unit"]} for row in GOOD]
    export = write_csv(tmp_path / "in.csv", rows, [*BASE_FIELDS, "Dept_Name"])
    packet = tmp_path / "packets" / "p-{ Unit }.pdf"
    packet.parent.mkdir()
    result = batch(export, "--site", site, "--out-dir", tmp_path / "out", "--jobs", "1", "--packet", packet)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in packet.parent.iterdir()) == ["p-4_West.pdf", "p-5_North.pdf"]
    assert bookmarked(packet.parent / "p-5_North.pdf") == [NAMES[0], NAMES[2]]


@pytest.mark.parametrize(
    ("packet", "message"),
    [
        ("p-{bed}.pdf", "--packet: the input has no column 'bed'"),
        ("p-{unit}-{room}.pdf", "--packet: use at most one {column} placeholder"),
        ("p-{}.pdf", "--packet: the placeholder {} names no column"),
        ("p-{ }.pdf", "--packet: the placeholder {} names no column"),
        ("{unit}/p.pdf", "--packet: the {column} placeholder belongs in the file name"),
        ("p-{unit}", "--packet: a packet name with a {column} placeholder must end in .pdf"),
        ("p-{Patient Name}.pdf", "--packet: {Patient Name} would put patient data into file names"),
    ],
)
def test_bad_packet_placeholders_exit_2_before_rendering(
    tmp_path: Path, export: Path, packet: str, message: str
) -> None:
    out = tmp_path / "out"
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", tmp_path / packet)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists() or pdfs(out) == []
    assert list(tmp_path.rglob("*.pdf")) == []


def test_fhir_input_has_no_unit_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dischargegen.sources.fhir as fhir_source

    def fake(path: Path, site: object) -> Iterator[Record]:
        yield Record(line=1, fields={key: GOOD[0][key] for key in BASE_FIELDS})

    monkeypatch.setattr(fhir_source, "read_fhir_records", fake)
    source = write_text(tmp_path / "bundle.json", "{}")
    out = tmp_path / "out"
    result = batch(source, "--out-dir", out, "--jobs", "1", "--packet", out / "p-{unit}.pdf")
    assert result.exit_code == 2 and "--packet: the input has no column 'unit'" in result.output
    assert pdfs(out) == []


# --- FHIR input and the terminal ----------------------------------------------------------------------
def test_fhir_input_goes_to_the_fhir_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dischargegen.sources.fhir as fhir_source

    def fake(path: Path, site: object) -> Iterator[Record]:
        yield Record(line=1, fields={key: GOOD[0][key] for key in BASE_FIELDS})
        yield Record(line=2, skipped="not vertebral augmentation")

    monkeypatch.setattr(fhir_source, "read_fhir_records", fake)
    source = write_text(tmp_path / "bundle.json", "{}")
    result = batch(source, "--out-dir", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "1 written, 0 failed, 1 skipped (0 already done, 1 not a kyphoplasty" in result.stderr
    assert [r["status"] for r in manifest(tmp_path / "out")] == ["written", "skipped"]


def test_progress_path_shows_no_patient_data(
    tmp_path: Path, export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_cli, "on_terminal", lambda: True)
    result = batch(export, "--out-dir", tmp_path / "out", "--jobs", "1", "--packet", tmp_path / "p.pdf")
    assert result.exit_code == 0, result.output
    assert "Rendering" in result.stderr
    for row in GOOD:
        assert row["patient_name"] not in result.output and row["mrn"] not in result.output


def test_a_crash_is_reported_without_its_message(
    tmp_path: Path, export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*_args: object, **_kwargs: object) -> None:
        raise KeyError(NAMES[0])

    monkeypatch.setattr(batch_cli, "run_batch", crash)
    result = batch(export, "--out-dir", tmp_path / "out")
    assert result.exit_code == 2
    assert "internal error (KeyError at test_batch.py:" in result.output
    assert NAMES[0] not in result.output


def test_one_run_at_a_time_per_output_folder(tmp_path: Path, export: Path) -> None:
    fcntl = pytest.importorskip("fcntl")
    out = tmp_path / "out"
    out.mkdir()
    with (out / ".dischargegen.lock").open("ab") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        result = batch(export, "--out-dir", out, "--jobs", "1")
    assert result.exit_code == 2 and "another batch run is writing to" in result.output
    assert pdfs(out) == []


def test_a_row_waiting_for_its_task_is_sent_before_unchanged_rows_pile_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [person(f"Patient {number}", f"U-{number:03d}") for number in range(40)]
    export = write_csv(tmp_path / "forty.csv", rows)
    out = tmp_path / "out"
    run_batch(read_csv_records(export, DEFAULT_SITE), DEFAULT_SITE, out)
    rows[0] = person("Patient zero, corrected", "U-000")  # only the first row renders again
    write_csv(export, rows)
    read = 0

    def counted(records: Iterator[Record]) -> Iterator[Record]:
        nonlocal read
        for record in records:
            read += 1
            yield record

    read_when_sent: list[int] = []
    submit = concurrent.futures.ProcessPoolExecutor.submit

    def sending(pool: concurrent.futures.ProcessPoolExecutor, function: object, jobs: list[object]) -> object:
        read_when_sent.append(read)
        return submit(pool, function, jobs)  # type: ignore[arg-type]

    monkeypatch.setattr(concurrent.futures.ProcessPoolExecutor, "submit", sending)
    result = run_batch(counted(read_csv_records(export, DEFAULT_SITE)), DEFAULT_SITE, out, jobs=2)
    assert (result.written, result.unchanged) == (1, 39)
    # Sent once the rows behind it fill the window, not when the input ends (a task waits for four rows).
    assert read_when_sent == [2 * batch_module.WINDOW_PER_WORKER + 1]
