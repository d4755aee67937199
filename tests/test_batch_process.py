"""The batch command as a real process: SIGKILL part-way leaves no torn PDF and a rerun completes the set;
at a real terminal the progress bar shows counts, never patient data."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest

from tests.helpers import REPO, children, environment, long_export

ROWS = 40


def command(source: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "dischargegen", "batch", str(source), "--out-dir", str(out), "--jobs", "2"]


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def wait_for_pdfs(out: Path, count: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while len(list(out.glob("*.pdf"))) < count:
        assert process.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)


def wait_for_journal_rows(out: Path, count: int, process: subprocess.Popen[bytes]) -> None:
    """Until the run's manifest journal lists `count` rows (its header line aside)."""
    journal, deadline = out / ".manifest.journal", time.monotonic() + 60
    while not journal.exists() or len(journal.read_bytes().splitlines()) < count + 1:
        assert process.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)


def assert_every_pdf_whole(out: Path) -> int:
    found = list(out.glob("*.pdf"))
    for path in found:
        reader = pypdf.PdfReader(path, strict=True)
        assert len(reader.pages) >= 1
    return len(found)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads worker processes from /proc")
def test_sigkill_then_rerun_completes_the_set(tmp_path: Path) -> None:
    source, out = long_export(tmp_path / "export.csv", ROWS), tmp_path / "out"
    # First kill: the parent alone (as the OOM killer would); its workers must notice and leave.
    process = subprocess.Popen(command(source, out), cwd=REPO, env=environment(), stderr=subprocess.PIPE)
    wait_for_pdfs(out, 3, process)
    workers = children(process.pid)
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "workers outlived their killed parent"
        time.sleep(0.05)
    first = assert_every_pdf_whole(out)
    assert first < ROWS and not (out / "manifest.csv").exists()

    # Second kill: the whole process group, later in the run.
    process = subprocess.Popen(
        command(source, out), cwd=REPO, env=environment(), stderr=subprocess.PIPE, start_new_session=True
    )
    wait_for_pdfs(out, first + 8, process)
    # The journal follows the PDFs by up to a window of rows, further on a busy machine: kill once it has
    # recorded a row, so that the rerun has something of the killed runs' to reuse.
    wait_for_journal_rows(out, 1, process)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert_every_pdf_whole(out)

    # The rerun finishes the job, reusing what the killed runs wrote.
    done = subprocess.run(command(source, out), cwd=REPO, env=environment(), capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    summary = done.stderr.decode()
    # Rows whose results the killed runs had recorded are not rendered again (how many depends on timing:
    # the journal follows the PDFs by up to a window of rows).
    already = int(summary.split("skipped (")[1].split(" already done")[0])
    assert already >= 1, summary
    assert assert_every_pdf_whole(out) == ROWS
    with (out / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["line"]) for r in rows] == list(range(2, ROWS + 2))
    assert {r["status"] for r in rows} <= {"written", "unchanged"}
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".dischargegen.lock"]
    assert "Testperson" not in summary and "K0" not in summary


def test_progress_bar_at_a_real_terminal(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    source, out = long_export(tmp_path / "export.csv", 3), tmp_path / "out"
    child = pexpect.spawn(
        sys.executable,
        command(source, out)[1:-1] + ["1"],
        cwd=str(REPO),
        env=environment(),
        encoding="utf-8",
        timeout=60,
    )
    child.expect(pexpect.EOF)
    child.close()
    screen = child.before
    assert child.exitstatus == 0, screen
    assert "Rendering" in screen and "3/3" in screen and "Done: 3 written" in screen
    assert "Testperson" not in screen and "K00" not in screen
