"""Issue 11, the packet and the batch run's lifetime: a packet never replaces a file the run reads or writes
(item 3), the run's lock is held until the packet is whole (item 10), any --sort-by text sorts (item 11), and
a missing packet folder or a full disk is one line naming the packet (item 12, part)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from dischargegen.batch import PacketItem
from dischargegen.batch.packet import natural_key, ordered
from tests.helpers import (
    GOOD,
    NAMES,
    REPO,
    batch,
    bookmarked,
    insert_pdf,
    manifest,
    packet_layout,
    pdfs,
    person,
    write_csv,
)

DOCUMENTS = ["Q-101_2027-01-01.pdf", "Q-102_2027-01-01.pdf", "Q-103_2027-01-01.pdf"]


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "in.csv", GOOD)


def snapshot(*paths: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in paths}


def unchanged(before: dict[Path, bytes]) -> bool:
    return all(path.read_bytes() == data for path, data in before.items())


def error_lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


def assert_refused(result: Result, *fragments: str) -> None:
    """Exit 2 and one line, no traceback and no internal error."""
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1, result.output  # nothing was rendered: no summary either
    (line,) = error_lines(result)
    for fragment in fragments:
        assert fragment in line, line
    assert "internal error" not in line and "Traceback" not in result.output


def whole_packet(path: Path, out: Path) -> int:
    """The packet holds every page of every document the manifest lists; its page count."""
    reader = pypdf.PdfReader(path)
    listed = [row for row in manifest(out) if row["status"] in ("written", "unchanged")]
    assert len(reader.pages) == sum(int(row["pages"]) for row in listed)
    assert len(reader.outline) == len(listed)
    return len(reader.pages)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_documents_kept(out: Path) -> None:
    """Every row done, and each file the manifest lists is there with the listed digest."""
    rows = manifest(out)
    assert len(rows) == len(GOOD) and all(row["status"] in ("written", "unchanged") for row in rows)
    for row in rows:
        assert sha256(out / row["file"]) == row["sha256"]


# --- item 3: a packet never replaces what the run reads or writes ---------------------------------------
@pytest.mark.parametrize("how", ["same path", "symbolic link", "hard link", "other case", "dotted path"])
def test_a_packet_onto_the_input_is_refused_before_the_first_row(
    tmp_path: Path, export: Path, how: str
) -> None:
    packet = {
        "same path": export,
        "symbolic link": tmp_path / "link.csv",
        "hard link": tmp_path / "hard.csv",
        "other case": tmp_path / "IN.CSV",
        "dotted path": tmp_path / "sub" / ".." / "in.csv",
    }[how]
    (tmp_path / "sub").mkdir()
    if how == "symbolic link":
        packet.symlink_to(export)
    elif how == "hard link":
        os.link(export, packet)
    before = snapshot(export)
    out = tmp_path / "out"
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", packet)
    assert_refused(result, f"--packet {packet} would replace the input")
    assert unchanged(before) and export.is_file() and not export.is_symlink()
    assert pdfs(out) == [] and not (out / "manifest.csv").exists()


def test_a_packet_inside_a_fhir_input_folder_is_refused(tmp_path: Path) -> None:
    folder = shutil.copytree(REPO / "samples" / "fhir", tmp_path / "fhir")
    before = snapshot(*folder.iterdir())
    out = tmp_path / "out"
    for packet in (folder / "Procedure.ndjson", folder / "packet.pdf"):
        result = batch(folder, "--out-dir", out, "--jobs", "1", "--packet", packet)
        assert_refused(result, f"--packet {packet} would replace a file inside the input")
    assert unchanged(before) and sorted(folder.iterdir()) == sorted(before)
    assert pdfs(out) == []


def test_a_packet_onto_a_file_the_ndjson_reader_reads_beside_its_input_is_refused(tmp_path: Path) -> None:
    # A Procedure .ndjson is read with the Patient and Encounter files beside it: they are input too.
    folder = shutil.copytree(REPO / "samples" / "fhir", tmp_path / "fhir")
    before = snapshot(*folder.iterdir())
    out = tmp_path / "out"
    for name in ("Patient.ndjson", "Encounter.ndjson"):
        packet = folder / name
        result = batch(folder / "Procedure.ndjson", "--out-dir", out, "--jobs", "1", "--packet", packet)
        assert_refused(result, f"--packet {packet} would replace the input")
    assert unchanged(before) and pdfs(out) == []
    # A new file beside them is not input: the packet may go there.
    result = batch(folder / "Procedure.ndjson", "--out-dir", out, "--jobs", "1", "--packet", folder / "p.pdf")
    assert result.exit_code in (0, 1), result.output
    assert (folder / "p.pdf").is_file() and unchanged(before)


def test_per_unit_packets_inside_a_protected_folder_are_refused(tmp_path: Path) -> None:
    folder = shutil.copytree(REPO / "samples" / "fhir", tmp_path / "fhir")
    (folder / "packets").mkdir()
    packet = folder / "packets" / "p-{language}.pdf"
    result = batch(folder, "--out-dir", tmp_path / "out", "--jobs", "1", "--packet", packet)
    assert_refused(result, f"--packet {packet} would replace a file inside the input")
    assert list((folder / "packets").iterdir()) == []


def minimal_site(path: Path, extra: str = "") -> Path:
    path.write_text(f'[content]\nversion = "test-1"\n{extra}', encoding="utf-8")
    return path


def test_a_packet_onto_the_site_file_is_refused(
    tmp_path: Path, export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = minimal_site(tmp_path / "site.toml")
    before = snapshot(site, export)
    out = tmp_path / "out"
    result = batch(export, "--site", site, "--out-dir", out, "--jobs", "1", "--packet", site)
    assert_refused(result, f"--packet {site} would replace the site settings file")
    # The same file named through $DISCHARGEGEN_SITE, and through a symbolic link.
    monkeypatch.setenv("DISCHARGEGEN_SITE", str(site))
    (tmp_path / "site-link.pdf").symlink_to(site)
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", tmp_path / "site-link.pdf")
    assert_refused(result, "would replace the site settings file")
    assert unchanged(before) and pdfs(out) == []


def test_a_packet_in_the_site_templates_folder_is_refused(tmp_path: Path, export: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    site = minimal_site(tmp_path / "site.toml", 'templates_dir = "templates"\n')
    out = tmp_path / "out"
    packet = templates / "packet.pdf"
    result = batch(export, "--site", site, "--out-dir", out, "--jobs", "1", "--packet", packet)
    assert_refused(result, "would replace a file inside the site's templates folder")
    assert list(templates.iterdir()) == []


@pytest.mark.parametrize(
    "name",
    [
        "manifest.csv",
        "errors.csv",
        "Manifest.CSV",
        ".manifest.journal",
        ".errors.journal",
        ".manifest.2.journal",
        ".dischargegen.lock",
        ".partial-abc.tmp",
    ],
)
def test_a_packet_onto_a_file_the_run_writes_is_refused(tmp_path: Path, export: Path, name: str) -> None:
    out = tmp_path / "out"
    assert batch(export, "--out-dir", out, "--jobs", "1").exit_code == 0
    before = snapshot(out / "manifest.csv", out / "errors.csv", *pdfs(out))
    existed = sorted(out.iterdir())
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", out / name)
    assert_refused(result, f"--packet {out / name} would replace", "a file the batch run writes")
    assert unchanged(before) and sorted(out.iterdir()) == existed


def test_a_packet_onto_manifest_csv_is_refused_on_the_first_run_too(tmp_path: Path, export: Path) -> None:
    out = tmp_path / "out"
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", out / "manifest.csv")
    assert_refused(result, "manifest.csv, a file the batch run writes")
    assert pdfs(out) == [] and not (out / "manifest.csv").exists()


def test_a_packet_onto_the_insert_is_refused(tmp_path: Path, export: Path) -> None:
    insert = insert_pdf(tmp_path / "leaflet.pdf")
    (tmp_path / "leaflet-link.pdf").symlink_to(insert)
    before = snapshot(insert)
    out = tmp_path / "out"
    for packet in (insert, tmp_path / "leaflet-link.pdf", tmp_path / "LEAFLET.pdf"):
        result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", packet, "--insert", insert)
        assert_refused(result, f"--packet {packet} would replace the --insert PDF")
    assert unchanged(before) and len(pypdf.PdfReader(insert).pages) == 1
    # Inside --out-dir as well.
    out.mkdir(exist_ok=True)
    inside = shutil.copy(insert, out / "leaflet.pdf")
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", inside, "--insert", inside)
    assert_refused(result, "would replace the --insert PDF")
    assert unchanged(before) and Path(inside).read_bytes() == insert.read_bytes()


def test_a_packet_onto_an_earlier_document_is_refused(tmp_path: Path, export: Path) -> None:
    out = tmp_path / "out"
    assert batch(export, "--out-dir", out, "--jobs", "1").exit_code == 0
    before = snapshot(*pdfs(out), out / "manifest.csv")
    (tmp_path / "elsewhere.pdf").symlink_to(out / DOCUMENTS[1])
    for packet in (out / DOCUMENTS[0], out / DOCUMENTS[2].upper(), tmp_path / "elsewhere.pdf"):
        result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", packet)
        assert_refused(result, f"--packet {packet} would replace a document listed in manifest.csv")
    assert unchanged(before) and sorted(p.name for p in pdfs(out)) == DOCUMENTS


def test_a_packet_onto_a_document_of_a_killed_run_is_refused(tmp_path: Path, export: Path) -> None:
    """A killed run's journal lists documents that manifest.csv does not yet."""
    out = tmp_path / "out"
    assert batch(export, "--out-dir", out, "--jobs", "1").exit_code == 0
    (out / "manifest.csv").rename(out / ".manifest.journal")
    before = snapshot(*pdfs(out))
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", out / DOCUMENTS[1])
    assert_refused(result, "would replace a document listed in manifest.csv")
    assert unchanged(before)


def test_a_new_packet_in_out_dir_is_still_written(tmp_path: Path, export: Path) -> None:
    """The guard refuses only protected files: a fresh name next to the documents is fine, twice."""
    out = tmp_path / "out"
    for _ in range(2):
        result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", out / "packet.pdf")
        assert result.exit_code == 0, result.output
        assert whole_packet(out / "packet.pdf", out) > 0
    assert sorted(p.name for p in pdfs(out)) == [*DOCUMENTS, "packet.pdf"]


def test_per_unit_packets_step_around_the_input(tmp_path: Path) -> None:
    """A per-unit packet whose name is a protected file takes the next number, as document names do."""
    folder = tmp_path / "packets"
    folder.mkdir()
    export = write_csv(folder / "4_West.pdf", GOOD)  # a CSV export, oddly named
    (folder / "5_North.pdf").symlink_to(export)  # another name for it
    before = snapshot(export)
    out = tmp_path / "out"
    result = batch(
        export, "--format", "csv", "--out-dir", out, "--jobs", "1", "--packet", folder / "{unit}.pdf"
    )
    assert result.exit_code == 0, result.output
    assert unchanged(before) and (folder / "5_North.pdf").is_symlink()
    assert f"Packet: {folder / '5_North-2.pdf'} (2 patients" in result.output
    assert f"Packet: {folder / '4_West-2.pdf'} (1 patients" in result.output
    assert bookmarked(folder / "5_North-2.pdf") == [NAMES[0], NAMES[2]]
    assert bookmarked(folder / "4_West-2.pdf") == [NAMES[1]]


def test_per_unit_packets_step_around_earlier_documents(tmp_path: Path, export: Path) -> None:
    out = tmp_path / "out"
    assert batch(export, "--out-dir", out, "--jobs", "1").exit_code == 0
    before = snapshot(out / DOCUMENTS[0])
    # A later export without Q-101's row, where a unit happens to be named like Q-101's document.
    later = write_csv(tmp_path / "later.csv", [{**GOOD[1], "unit": "Q-101_2027-01-01"}, GOOD[2]])
    result = batch(later, "--out-dir", out, "--jobs", "1", "--packet", out / "{unit}.pdf")
    assert result.exit_code == 0, result.output
    assert unchanged(before)
    assert bookmarked(out / "Q-101_2027-01-01-2.pdf") == [NAMES[1]]


# --- item 10: the lock is held until the packet is whole ----------------------------------------------
# The first run, in its own process, stops once the temporary file of its `pause_at`-th packet exists, says
# so on standard output, and goes on when a line arrives on standard input: no sleeping, no timing.
PAUSING_RUN = """
import contextlib, sys
from dischargegen.batch import packet
from dischargegen.cli import cli

pause_at, real, calls = int(sys.argv[1]), packet.atomic_file, []

@contextlib.contextmanager
def paused(path, **options):
    with real(path, **options) as handle:
        calls.append(path)
        if len(calls) == pause_at:
            print("writing the packet", flush=True)
            sys.stdin.readline()
        yield handle

packet.atomic_file = paused
cli(sys.argv[2:], prog_name="dischargegen")
"""
HANG_GUARD = 600  # seconds: only so that a broken build cannot hang the suite; never an assertion


def start_pausing_run(pause_at: int, *args: str | Path) -> subprocess.Popen[str]:
    first = subprocess.Popen(
        [sys.executable, "-c", PAUSING_RUN, str(pause_at), "batch", *(str(a) for a in args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert first.stdout is not None
    line = first.stdout.readline()
    if line != "writing the packet\n":
        first.kill()
        _, stderr = first.communicate(timeout=HANG_GUARD)
        pytest.fail(f"the first run never reached its packet: {line!r} {stderr}")
    return first


def second_run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dischargegen", "batch", *(str(a) for a in args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=HANG_GUARD,
    )


def finish(first: subprocess.Popen[str]) -> tuple[int, str]:
    _, stderr = first.communicate("\n", timeout=HANG_GUARD)
    return first.returncode, stderr


def assert_told_to_wait(second: subprocess.CompletedProcess[str], out: Path) -> None:
    assert second.returncode == 2, second.stderr
    assert second.stderr.startswith("Error: another batch run is writing to "), second.stderr
    assert str(out) in second.stderr and second.stderr.count("\n") == 1


def test_a_second_run_waits_while_the_first_writes_its_packet(tmp_path: Path, export: Path) -> None:
    out = tmp_path / "out"
    args = [export, "--out-dir", out, "--jobs", "1", "--packet", out / "packet.pdf"]
    first = start_pausing_run(1, *args)
    try:
        temporary = list(out.glob(".partial-*.tmp"))
        assert len(temporary) == 1  # the packet is being written now
        second = second_run(*args)
        assert temporary[0].exists()  # the second run did not clean it away
    finally:
        code, stderr = finish(first)
    assert_told_to_wait(second, out)
    assert code == 0, stderr
    assert "Packet: " in stderr and "internal error" not in stderr
    assert whole_packet(out / "packet.pdf", out) > 0
    assert list(out.glob(".partial-*")) == []
    assert_documents_kept(out)


def test_the_lock_holds_between_per_unit_packets(tmp_path: Path, export: Path) -> None:
    """The second run comes while the first writes its second packet, after the first one is done; it
    has no packet of its own, and is still told to wait."""
    out, packets = tmp_path / "out", tmp_path / "packets"
    packets.mkdir()
    first = start_pausing_run(
        2, export, "--out-dir", out, "--jobs", "1", "--packet", packets / "p-{unit}.pdf"
    )
    try:
        assert (packets / "p-5_North.pdf").is_file() and len(list(packets.glob(".partial-*.tmp"))) == 1
        second = second_run(export, "--out-dir", out, "--jobs", "1")
    finally:
        code, stderr = finish(first)
    assert_told_to_wait(second, out)
    assert code == 0, stderr
    assert bookmarked(packets / "p-5_North.pdf") == [NAMES[0], NAMES[2]]
    assert bookmarked(packets / "p-4_West.pdf") == [NAMES[1]]
    assert sorted(p.name for p in packets.iterdir()) == ["p-4_West.pdf", "p-5_North.pdf"]
    assert_documents_kept(out)


# --- item 11: any --sort-by text sorts --------------------------------------------------------------
def marked(path: Path) -> list[str]:
    return [title.split(" \u00b7 ")[0] for title, _ in packet_layout(path)[1]]


def test_superscript_and_circled_digits_sort_as_text(tmp_path: Path) -> None:
    rows = [{**GOOD[0], "room": "4²"}, {**GOOD[1], "room": "①"}, {**GOOD[2], "room": "10"}]
    export = write_csv(tmp_path / "in.csv", rows)
    out, packet = tmp_path / "out", tmp_path / "packet.pdf"
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", packet, "--sort-by", "room")
    assert result.exit_code == 0, result.output
    # 4² is the number 4 then the text ²; ① is text, after every number.
    assert marked(packet) == [NAMES[0], NAMES[2], NAMES[1]]


def test_other_digits_and_huge_numbers_sort_without_a_crash(tmp_path: Path) -> None:
    huge = "9" * 5000  # past int()'s limit on digits
    rooms = ["\u0663", huge, "\uff13", "2"]  # Arabic-Indic three, a huge number, fullwidth three, 2
    rows = [person(f"Patient {i}", f"Q-{200 + i}", room=room) for i, room in enumerate(rooms)]
    export = write_csv(tmp_path / "in.csv", rows)
    out, packet = tmp_path / "out", tmp_path / "packet.pdf"
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", packet, "--sort-by", "room")
    assert result.exit_code == 0, result.output
    # Numbers first in their order, then the other digits as text (by code point).
    assert marked(packet) == ["Patient 3", "Patient 1", "Patient 0", "Patient 2"]


def item(line: int, sort_key: str) -> PacketItem:
    return PacketItem(line, f"{line}.pdf", f"patient {line}", sort_key)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(), max_size=12))
def test_any_text_values_sort(values: list[str]) -> None:
    items = [item(line, value) for line, value in enumerate(values, start=2)]
    result = ordered(items, "room")
    assert sorted(result, key=lambda it: it.line) == items  # a permutation: nothing lost
    blank = [it.sort_key.strip() == "" for it in result]
    assert blank == sorted(blank)  # empty values last
    for before, after in zip(result, result[1:], strict=False):
        assert natural_key(before.sort_key) <= natural_key(after.sort_key)
        if natural_key(before.sort_key) == natural_key(after.sort_key):
            assert before.line < after.line  # ties keep input order


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0), st.integers(min_value=0), st.text(max_size=5), st.integers(0, 3))
def test_numbers_sort_as_numbers(first: int, second: int, prefix: str, zeros: int) -> None:
    prefix = prefix.rstrip("0123456789")  # a digit before would be part of the number
    left, right = natural_key(f"{prefix}{'0' * zeros}{first}"), natural_key(f"{prefix}{second}")
    assert (left < right) == (first < second) and (left == right) == (first == second)


# Any printable text: line and paragraph separators are the CSV reader's business, not the sort's.
ROOM_CHARACTERS = st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"))
TRICKY_ROOMS = ["4²", "①", "Room 10", "room 2", "\u0663", "\uff13", "", "007"]


@settings(max_examples=8, deadline=None)
@given(st.lists(st.text(ROOM_CHARACTERS, max_size=8) | st.sampled_from(TRICKY_ROOMS), min_size=3, max_size=3))
def test_any_room_text_through_the_batch(rooms: list[str]) -> None:
    rows = [{**row, "room": room} for row, room in zip(GOOD, rooms, strict=True)]
    with tempfile.TemporaryDirectory() as folder:
        export = write_csv(Path(folder) / "in.csv", rows)
        out, packet = Path(folder) / "out", Path(folder) / "packet.pdf"
        result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", packet, "--sort-by", "room")
        assert result.exit_code == 0, result.output
        expected = ordered([item(i, room.strip()) for i, room in enumerate(rooms)], "room")
        assert marked(packet) == [NAMES[it.line] for it in expected]


# --- item 12 (part): the packet's folder and a full disk -------------------------------------------------
@pytest.mark.parametrize("name", ["p.pdf", "p-{unit}.pdf"])
def test_a_missing_packet_folder_is_found_before_the_first_row(
    tmp_path: Path, export: Path, name: str
) -> None:
    out = tmp_path / "out"
    packet = tmp_path / "no-such-folder" / name
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", packet)
    assert_refused(result, f"--packet: no folder at {tmp_path / 'no-such-folder'}")
    assert pdfs(out) == [] and not (out / "manifest.csv").exists()


def test_a_packet_that_is_the_new_out_dir_is_found_before_the_first_row(tmp_path: Path, export: Path) -> None:
    out = tmp_path / "out"
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", out)
    assert_refused(result, f"--packet {out} is a folder")
    assert pdfs(out) == [] and not (out / "manifest.csv").exists()


def test_a_packet_folder_that_is_a_file_is_found_before_the_first_row(tmp_path: Path, export: Path) -> None:
    (tmp_path / "a-file").write_bytes(b"keep me")
    out = tmp_path / "out"
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", tmp_path / "a-file" / "p.pdf")
    assert_refused(result, f"--packet: no folder at {tmp_path / 'a-file'}")
    assert (tmp_path / "a-file").read_bytes() == b"keep me" and pdfs(out) == []


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB file system: room for one document's packet, not for three."""
    folder = tmp_path / "small"
    folder.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command: cannot make a small file system")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_while_writing_the_packet_is_one_line(
    tmp_path: Path, export: Path, small_disk: Path
) -> None:
    out, packet = tmp_path / "out", small_disk / "packet.pdf"
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", packet)
    assert result.exit_code == 2, result.output
    assert error_lines(result) == [f"Error: cannot write the packet {packet}: No space left on device"]
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert list(small_disk.iterdir()) == []  # the temporary file is gone
    assert_documents_kept(out)
    # A rerun without the packet finds everything done.
    again = batch(export, "--out-dir", out, "--jobs", "1")
    assert again.exit_code == 0 and "0 written" in again.output and "3 already done" in again.output


def test_a_full_disk_keeps_the_earlier_packet_whole(tmp_path: Path, small_disk: Path) -> None:
    out, packet = tmp_path / "out", small_disk / "packet.pdf"
    one = write_csv(tmp_path / "one.csv", GOOD[:1])
    assert batch(one, "--out-dir", out, "--jobs", "1", "--packet", packet).exit_code == 0
    before = snapshot(packet)
    three = write_csv(tmp_path / "three.csv", GOOD)
    result = batch(three, "--out-dir", out, "--jobs", "1", "--packet", packet)
    assert result.exit_code == 2, result.output
    assert error_lines(result) == [f"Error: cannot write the packet {packet}: No space left on device"]
    assert unchanged(before) and marked(packet) == [NAMES[0]]
    assert sorted(p.name for p in small_disk.iterdir()) == ["packet.pdf"]
    assert_documents_kept(out)


def test_the_library_refuses_an_unreadable_insert_before_the_first_row(tmp_path: Path, export: Path) -> None:
    # The check lives in the packet guard, so a host calling run_batch learns it before any rendering.
    from dischargegen.batch import run_batch
    from dischargegen.batch.packet import PacketOptions
    from dischargegen.errors import PacketError
    from dischargegen.site import DEFAULT_SITE
    from dischargegen.sources.csv import read_csv_records

    insert, out = tmp_path / "leaflet.pdf", tmp_path / "out"
    insert.write_bytes(b"not a PDF")
    options = PacketOptions(tmp_path / "packet.pdf", insert=insert, export=export)
    with pytest.raises(PacketError) as caught:
        run_batch(read_csv_records(export, DEFAULT_SITE), DEFAULT_SITE, out, packet=options)
    assert "--insert" in str(caught.value) and "not a readable PDF" in str(caught.value)
    assert not list(out.glob("*.pdf")) and not (tmp_path / "packet.pdf").exists()
