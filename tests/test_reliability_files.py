"""Writing files and ending the process (issue 11, items 4, 12, 17, 19 and 20): only regular files or new names
are written, a killed writer's temporary file is removed by the next one (never a live writer's), replaced
files keep their mode and owner, new ones follow the umask, Ctrl-C exits 130, and an out-dir that cannot be
written is named before the first row. Real commands, real signals and real processes; files read back."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner, Result

from dischargegen import DischargeGenError
from dischargegen.cli import cli
from dischargegen.files import NotAFileError, atomic_file, write_atomically
from tests.helpers import GOOD, REPO, children, environment, errors, long_export, manifest, write_csv

RENDER = [
    "render",
    *("--procedure", "kyphoplasty", "--levels", "L1", "--anesthesia", "local", "--same-day"),
    *("--patient-name", "Zelda Quimby", "--mrn", "Q-777", "--dob", "1944-05-06"),
    *("--procedure-date", "2027-01-01"),
]
PDF_NAMES = ["Q-101_2027-01-01.pdf", "Q-102_2027-01-01.pdf", "Q-103_2027-01-01.pdf"]
BAD_ROW = {**GOOD[0], "mrn": "Q-104", "levels": "T13"}

# The real render command, with its writer paused halfway through the temporary file: a deterministic
# point at which to kill or signal a render that is writing patient data.
PAUSED_RENDER = """
import sys, time
import dischargegen.cli as cli_module
import dischargegen.cli.render as render_module
from dischargegen.files import atomic_file

def paused_write(path, data, *, to_disk=True):
    with atomic_file(path) as handle:
        handle.write(data[: len(data) // 2])
        handle.flush()
        print("writing", flush=True)
        time.sleep(300)
        handle.write(data[len(data) // 2 :])

render_module.write_atomically = paused_write
cli_module.cli(sys.argv[1:], prog_name="dischargegen")
"""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def batch(*args: str | Path) -> Result:
    return run("batch", *args)


def one_line_error(result: Result) -> str:
    """The whole of what the user sees: one `Error:` line, exit status 2, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    return lines[0]


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".partial-"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextlib.contextmanager
def umask(value: int) -> Iterator[None]:
    previous = os.umask(value)
    try:
        yield
    finally:
        os.umask(previous)


def make_character_device(path: Path) -> Path:
    """A private copy of /dev/null (same device numbers): the reproduction without risking the real one."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError) as error:
        pytest.skip(f"cannot make a device node here ({type(error).__name__})")
    return path


def paused_render(output: Path) -> subprocess.Popen[str]:
    """A render that has written half its temporary file next to `output` and waits there."""
    process = subprocess.Popen(
        [sys.executable, "-c", PAUSED_RENDER, *RENDER, "-o", str(output)],
        cwd=REPO,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "writing\n", process.communicate()
    return process


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    _, stderr = process.communicate(timeout=120)
    return process.returncode, stderr


# --- 4: only a regular file or a new name is written ---------------------------------------------------
def test_render_onto_a_fifo_is_refused_and_the_fifo_left(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    line = one_line_error(run(*RENDER, "-o", fifo))
    assert "--output" in line and "FIFO" in line and "a regular file or a new file name" in line
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


def test_render_onto_a_character_device_is_refused_and_the_node_left(tmp_path: Path) -> None:
    device = make_character_device(tmp_path / "null")
    line = one_line_error(run(*RENDER, "-o", device))
    assert "--output" in line and "character device" in line
    status = os.lstat(device)
    assert stat.S_ISCHR(status.st_mode) and status.st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_the_library_writers_refuse_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo, folder, sock = tmp_path / "fifo", tmp_path / "folder", tmp_path / "sock"
    os.mkfifo(fifo)
    folder.mkdir()
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock))
    try:
        for path, kind in ((fifo, "FIFO"), (folder, "a folder"), (sock, "a socket")):
            with pytest.raises(NotAFileError) as caught:
                write_atomically(path, b"%PDF-patient data")
            assert isinstance(caught.value, DischargeGenError) and kind in str(caught.value)
            assert str(path) not in str(caught.value)  # a batch file name can hold patient data
            with pytest.raises(NotAFileError), atomic_file(path) as handle:
                handle.write(b"never")
    finally:
        server.close()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and stat.S_ISSOCK(os.lstat(sock).st_mode)
    assert list(folder.iterdir()) == [] and temporaries(tmp_path) == []


def test_a_batch_document_named_like_a_fifo_fails_that_row_only(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / PDF_NAMES[1])
    result = batch(write_csv(tmp_path / "in.csv", GOOD), "--out-dir", out, "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert [(e["line"], e["field"]) for e in errors(out)] == [("3", "output")]
    assert "FIFO" in errors(out)[0]["message"] and "Q-102" not in errors(out)[0]["message"]
    assert stat.S_ISFIFO(os.lstat(out / PDF_NAMES[1]).st_mode)
    assert [r["status"] for r in manifest(out)] == ["written", "failed", "written"]
    assert temporaries(out) == []


def test_a_packet_onto_a_fifo_is_refused_before_the_first_row(tmp_path: Path) -> None:
    out, packet = tmp_path / "out", tmp_path / "packet.pdf"
    os.mkfifo(packet)
    line = one_line_error(
        batch(write_csv(tmp_path / "in.csv", GOOD), "--out-dir", out, "--jobs", "1", "--packet", packet)
    )
    assert "--packet" in line and "FIFO" in line
    assert stat.S_ISFIFO(os.lstat(packet).st_mode)
    assert not out.exists() or not list(out.glob("*.pdf"))


def test_the_library_refuses_a_packet_onto_a_fifo_before_the_first_row(tmp_path: Path) -> None:
    # The rule lives in the library's packet guard, not only in the command line: a host calling run_batch
    # learns it before any row is rendered, and the FIFO is never opened.
    from dischargegen.batch import run_batch
    from dischargegen.batch.packet import PacketOptions
    from dischargegen.errors import PacketError
    from dischargegen.site import DEFAULT_SITE
    from dischargegen.sources.csv import read_csv_records

    export, out, packet = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out", tmp_path / "packet.pdf"
    os.mkfifo(packet)
    with pytest.raises(PacketError) as caught:
        run_batch(
            read_csv_records(export, DEFAULT_SITE),
            DEFAULT_SITE,
            out,
            packet=PacketOptions(packet, export=export),
        )
    assert "FIFO" in str(caught.value) and stat.S_ISFIFO(os.lstat(packet).st_mode)
    assert not list(out.glob("*.pdf"))


def test_a_symbolic_link_is_replaced_and_what_it_points_to_left_as_before(tmp_path: Path) -> None:
    target, link = tmp_path / "target.pdf", tmp_path / "link.pdf"
    target.write_bytes(b"the linked file")
    link.symlink_to(target)
    assert run(*RENDER, "-o", link).exit_code == 0
    assert not link.is_symlink() and link.read_bytes().startswith(b"%PDF-")
    assert target.read_bytes() == b"the linked file"
    # A link to a FIFO: the link is replaced, the FIFO is never opened or replaced.
    fifo, to_fifo = tmp_path / "fifo", tmp_path / "to-fifo.pdf"
    os.mkfifo(fifo)
    to_fifo.symlink_to(fifo)
    assert run(*RENDER, "-o", to_fifo).exit_code == 0
    assert to_fifo.read_bytes().startswith(b"%PDF-") and stat.S_ISFIFO(os.lstat(fifo).st_mode)


# --- 12 (part): an out-dir that cannot be written, manifest paths that are folders ---------------------
@contextlib.contextmanager
def read_only_mount(folder: Path, *, writable_first: bool = False) -> Iterator[Path]:
    """A tmpfs mounted at `folder`, read-only (or writable until remount_read_only)."""
    folder.mkdir(exist_ok=True)
    options = "rw" if writable_first else "ro"
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"{options},size=16m", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)


def test_a_read_only_out_dir_is_named_before_the_first_row(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "in.csv", GOOD)
    with read_only_mount(tmp_path / "out") as out:
        line = one_line_error(batch(export, "--out-dir", out, "--jobs", "1"))
        assert "--out-dir" in line and str(out) in line and "Read-only file system" in line
        assert list(out.iterdir()) == []


def test_an_earlier_runs_out_dir_made_read_only_is_left_as_it_was(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "in.csv", GOOD)
    with read_only_mount(tmp_path / "out", writable_first=True) as out:
        assert batch(export, "--out-dir", out, "--jobs", "1").exit_code == 0
        before = {p.name: p.read_bytes() for p in out.iterdir()}
        remount_read_only(out)
        line = one_line_error(batch(export, "--out-dir", out, "--jobs", "1", "--packet", out / "p.pdf"))
        assert "--out-dir" in line and "Read-only file system" in line
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_an_out_dir_this_user_may_not_write_is_named_before_the_first_row() -> None:
    if os.geteuid() != 0:
        pytest.skip("switching to an unprivileged user needs root")
    # A folder only root may write, used by `nobody`: permission bits, not a mount. (pytest's own
    # temporary folders are private to root, so this one is made beside them.)
    base = Path(tempfile.mkdtemp(prefix="dischargegen-unprivileged-"))
    try:
        base.chmod(0o755)
        export = write_csv(base / "in.csv", GOOD)
        export.chmod(0o644)
        out = base / "out"
        out.mkdir(mode=0o755)
        done = subprocess.run(
            [
                *("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
                *(sys.executable, "-m", "dischargegen", "batch", str(export), "--out-dir", str(out)),
            ],
            cwd=REPO,
            env={**environment(), "HOME": str(base)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        if "dischargegen" not in done.stderr and "Error:" not in done.stderr:
            pytest.skip(f"the unprivileged user cannot run this Python: {done.stderr.strip()}")
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert "--out-dir" in done.stderr and "Permission denied" in done.stderr
        assert list(out.iterdir()) == []
    finally:
        shutil.rmtree(base)


@pytest.mark.parametrize("name", ["manifest.csv", "errors.csv", ".dischargegen.lock"])
def test_a_folder_where_batch_writes_its_own_files_is_named_before_the_first_row(
    tmp_path: Path, name: str
) -> None:
    out = tmp_path / "out"
    (out / name).mkdir(parents=True)
    line = one_line_error(batch(write_csv(tmp_path / "in.csv", GOOD), "--out-dir", out, "--jobs", "1"))
    assert str(out / name) in line and "is a folder" in line
    assert sorted(p.name for p in out.iterdir()) == [name]  # not one row rendered
    assert (out / name).is_dir()


def test_a_fifo_at_the_manifest_path_is_refused_and_left(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "manifest.csv")
    line = one_line_error(batch(write_csv(tmp_path / "in.csv", GOOD), "--out-dir", out, "--jobs", "1"))
    assert "manifest.csv" in line and "FIFO" in line
    assert stat.S_ISFIFO(os.lstat(out / "manifest.csv").st_mode)
    assert not list(out.glob("*.pdf"))


# --- 17: a killed writer's temporary file is removed by the next writer, a live one's never ------------
def test_a_killed_render_leaves_a_file_that_the_next_render_removes(tmp_path: Path) -> None:
    killed = paused_render(tmp_path / "killed.pdf")
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    [leftover] = temporaries(tmp_path)
    assert f"-{killed.pid}@" in leftover and (tmp_path / leftover).stat().st_size > 0
    # A live writer's file, and one from another host sharing the folder, must stay.
    live = paused_render(tmp_path / "live.pdf")
    other_host = tmp_path / ".partial-0123456789ab-1@another-host.tmp"
    other_host.write_bytes(b"%PDF-elsewhere")
    try:
        [live_file] = [name for name in temporaries(tmp_path) if f"-{live.pid}@" in name]
        assert run(*RENDER, "-o", tmp_path / "next.pdf").exit_code == 0
        assert temporaries(tmp_path) == sorted([live_file, other_host.name])
    finally:
        os.killpg(live.pid, signal.SIGTERM)
        status, stderr = finish(live)
    # Stopped cleanly: its own temporary file is gone, and nothing was written in its name.
    assert status == 128 + signal.SIGTERM, stderr
    assert temporaries(tmp_path) == [other_host.name]
    assert not (tmp_path / "killed.pdf").exists() and not (tmp_path / "live.pdf").exists()


@pytest.mark.parametrize(
    ("number", "status", "first_word"),
    [(signal.SIGTERM, 143, "Stopped by SIGTERM"), (signal.SIGHUP, 129, "Stopped by SIGHUP")]
    + [(signal.SIGINT, 130, "Interrupted")],
)
def test_a_signal_during_a_render_removes_its_temporary_file(
    tmp_path: Path, number: int, status: int, first_word: str
) -> None:
    old = tmp_path / "out.pdf"
    old.write_bytes(b"%PDF- the previous version")
    process = paused_render(old)
    assert len(temporaries(tmp_path)) == 1
    os.kill(process.pid, number)
    returned, stderr = finish(process)
    assert returned == status, stderr
    assert stderr.splitlines() == [f"{first_word}; no file was half-written."]
    assert temporaries(tmp_path) == [] and old.read_bytes() == b"%PDF- the previous version"


def test_a_killed_packet_outside_out_dir_is_removed_by_the_next_batch(tmp_path: Path) -> None:
    packets = tmp_path / "packets"
    packets.mkdir()
    killed = paused_render(packets / "packet.pdf")  # any writer killed in that folder: the same file
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    assert len(temporaries(packets)) == 1
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", packets / "packet.pdf")
    assert result.exit_code == 0, result.output
    assert temporaries(packets) == [] and temporaries(out) == []
    assert len(pypdf.PdfReader(packets / "packet.pdf").outline) == 3


def test_batch_keeps_a_live_writers_file_in_out_dir_and_removes_it_once_dead(tmp_path: Path) -> None:
    export, out = write_csv(tmp_path / "in.csv", GOOD), tmp_path / "out"
    out.mkdir()
    legacy = out / ".partial-abc123.tmp"  # unnamed, from a version that did not name its writer
    legacy.write_bytes(b"%PDF-half")
    live = paused_render(out / "by-hand.pdf")
    try:
        live_file = next(name for name in temporaries(out) if "@" in name)
        assert batch(export, "--out-dir", out, "--jobs", "2").exit_code == 0
        assert temporaries(out) == [live_file]
    finally:
        os.killpg(live.pid, signal.SIGKILL)
        live.wait()
    assert batch(export, "--out-dir", out, "--jobs", "1").exit_code == 0
    assert temporaries(out) == []


# --- 19: a replaced file keeps its mode and owner; a new one follows the umask -------------------------
def batch_everything(tmp_path: Path, rows: list[dict[str, str]]) -> tuple[Result, Path, Path]:
    out, packet = tmp_path / "out", tmp_path / "packets" / "packet.pdf"
    packet.parent.mkdir(exist_ok=True)
    result = batch(write_csv(tmp_path / "in.csv", rows), "--out-dir", out, "--jobs", "1", "--packet", packet)
    assert result.exit_code == 1, result.output
    return result, out, packet


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077, 0o002], ids=lambda mask: f"umask-{mask:03o}")
def test_new_files_follow_the_umask(tmp_path: Path, mask: int) -> None:
    expected = 0o666 & ~mask
    with umask(mask):
        assert run(*RENDER, "-o", tmp_path / "one.pdf").exit_code == 0
        _, out, packet = batch_everything(tmp_path, [*GOOD, BAD_ROW])
    assert mode(tmp_path / "one.pdf") == expected
    written = [out / name for name in PDF_NAMES] + [out / "manifest.csv", out / "errors.csv", packet]
    assert {path.name: mode(path) for path in written} == {path.name: expected for path in written}


@pytest.mark.parametrize("mask", [0o022, 0o077], ids=lambda mask: f"umask-{mask:03o}")
def test_replaced_files_keep_their_mode_and_owner(tmp_path: Path, mask: int) -> None:
    as_root = os.geteuid() == 0
    render_out = tmp_path / "one.pdf"
    _, out, packet = batch_everything(tmp_path, [*GOOD, BAD_ROW])
    assert run(*RENDER, "-o", render_out).exit_code == 0
    replaced = [render_out, out / PDF_NAMES[0], out / "manifest.csv", out / "errors.csv", packet]
    modes = [0o640, 0o604, 0o664, 0o600, 0o444]
    for path, wanted in zip(replaced, modes, strict=True):
        path.chmod(wanted)
        if as_root:
            os.chown(path, 65534, 65534)
    before = [path.read_bytes() for path in replaced]
    with umask(mask):
        assert run(*RENDER, "--mrn", "Q-778", "-o", render_out).exit_code == 0
        # A corrected first row: its PDF is rendered again; manifest, errors and packet are rewritten.
        corrected = {**GOOD[0], "levels": "T12,L1"}
        batch_everything(tmp_path, [corrected, *GOOD[1:], {**BAD_ROW, "levels": "L1", "dob": "1944-13-01"}])
    for path, wanted, old in zip(replaced, modes, before, strict=True):
        assert path.read_bytes() != old, path.name  # really replaced, not left alone
        assert mode(path) == wanted, path.name
        if as_root:
            assert (path.stat().st_uid, path.stat().st_gid) == (65534, 65534), path.name
    assert [r["status"] for r in manifest(out)] == ["written", "unchanged", "unchanged", "failed"]
    assert mode(out / PDF_NAMES[1]) == 0o644 and temporaries(out) == []


# --- 20: Ctrl-C exits 130 (interrupted), with one line and no traceback --------------------------------
def running(process: object) -> bool:
    if isinstance(process, subprocess.Popen):
        return process.poll() is None
    return bool(process.isalive())  # a pexpect child


def wait_until(condition: Callable[[], bool], process: object, what: str) -> None:
    """Poll until `condition` holds while the command (a Popen or a pexpect child) still runs."""
    deadline = time.monotonic() + 120
    while not condition():
        assert running(process), f"the command ended before {what}"
        assert time.monotonic() < deadline, f"waited too long for {what}"
        time.sleep(0.005)


def waiting(pid: int) -> bool:
    """Whether the process sleeps (state S in /proc): at a prompt, blocked in its read."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "S"
    except OSError:
        return False


def ignores_ctrl_c(pid: int) -> bool:
    """Whether a worker has set itself up (it ignores SIGINT from then on): /proc's SigIgn mask."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    ignored = next(line for line in status.splitlines() if line.startswith("SigIgn:")).split()[1]
    return bool(int(ignored, 16) & (1 << (signal.SIGINT - 1)))


def workers_ready(pid: int, count: int) -> bool:
    workers = children(pid)
    return len(workers) >= count and all(ignores_ctrl_c(worker) for worker in workers)


needs_proc = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads processes from /proc")


@needs_proc
@pytest.mark.parametrize(
    ("jobs", "number", "status", "first_word"),
    [("2", signal.SIGINT, 130, "Interrupted"), ("1", signal.SIGINT, 130, "Interrupted")]
    + [("2", signal.SIGTERM, 143, "Stopped by SIGTERM")],
)
def test_a_batch_interrupted_part_way_exits_130_and_a_rerun_resumes(
    tmp_path: Path, jobs: str, number: int, status: int, first_word: str
) -> None:
    source, out = long_export(tmp_path / "export.csv", 40), tmp_path / "out"
    command = [sys.executable, "-m", "dischargegen", "batch", str(source), "--out-dir", str(out)]
    process = subprocess.Popen(
        [*command, "--jobs", jobs],
        cwd=REPO,
        env=environment(),
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    wait_until(lambda: any(out.glob("*.pdf")), process, "the first PDF")
    if jobs != "1":
        wait_until(lambda: workers_ready(process.pid, int(jobs)), process, "the workers")
    os.killpg(process.pid, number)  # as a terminal sends Ctrl-C: to every process of the command
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == status, stderr
    assert stderr.decode().splitlines() == [
        f"{first_word}; files written so far are whole, run again to resume."
    ]
    assert temporaries(out) == [] and not (out / "manifest.csv").exists()
    written = list(out.glob("*.pdf"))
    assert 1 <= len(written) < 40
    for path in written:
        assert len(pypdf.PdfReader(path, strict=True).pages) >= 1
    rerun = subprocess.run([*command, "--jobs", "2"], cwd=REPO, env=environment(), capture_output=True)
    assert rerun.returncode == 0, rerun.stderr
    assert len(manifest(out)) == 40 and len(list(out.glob("*.pdf"))) == 40


@needs_proc
def test_ctrl_c_while_the_batch_workers_start_exits_130(tmp_path: Path) -> None:
    """The earliest moment: the first worker exists, the pool may still be starting."""
    source, out = long_export(tmp_path / "export.csv", 40), tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "dischargegen", "batch", str(source), "--out-dir", str(out), "--jobs", "2"],
        cwd=REPO,
        env=environment(),
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    wait_until(lambda: bool(children(process.pid)), process, "the first worker")
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert stderr.decode().splitlines() == [
        "Interrupted; files written so far are whole, run again to resume."
    ]
    assert temporaries(out) == [] and len(list(out.glob("*.pdf"))) < 40


@needs_proc
def test_ctrl_c_at_a_render_prompt_exits_130(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    out = tmp_path / "ana.pdf"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "dischargegen", "render", "--procedure", "kyphoplasty", "--levels", "L1", "-o", str(out)],
        cwd=str(REPO),
        env=environment(),
        encoding="utf-8",
        timeout=60,
    )
    child.expect("Patient name")
    child.sendline("Ana Diaz")
    child.expect("Medical record number")
    # Python checks for a signal before it starts to read, not once it has: a Ctrl-C that came between the
    # prompt and the read would wait for the next key. A person presses it while the program waits.
    wait_until(lambda: waiting(child.pid), child, "the prompt to wait for input")
    child.sendintr()  # Ctrl-C through the terminal driver: SIGINT to the foreground process group
    child.expect(pexpect.EOF)
    child.close()
    screen = child.before
    assert child.exitstatus == 130, screen
    assert "Interrupted; no file was half-written." in screen
    assert "Traceback" not in screen and "Aborted" not in screen
    assert list(tmp_path.iterdir()) == []


def test_end_of_input_at_a_prompt_is_still_an_abort_not_an_interrupt(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "dischargegen", "render", "--procedure", "kyphoplasty", "-o", str(tmp_path / "a.pdf")],
        cwd=str(REPO),
        env=environment(),
        encoding="utf-8",
        timeout=60,
    )
    child.expect("Patient name")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1 and "Aborted" in child.before and "Traceback" not in child.before


@needs_proc
def test_ctrl_c_during_check_exits_130_without_waiting_for_every_variant() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "dischargegen", "check", "--jobs", "2"],
        cwd=REPO,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    # As soon as the first worker exists: the pool may still be starting, the worker not set up yet.
    wait_until(lambda: bool(children(process.pid)), process, "the first worker")
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert stderr.decode().splitlines() == ["Interrupted."]
    assert b"Traceback" not in stdout + stderr and stdout == b""


def test_ctrl_c_in_process_exits_130_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same mapping without a process: a KeyboardInterrupt raised while the rows are read."""
    from dischargegen.cli import batch as batch_cli

    def interrupted(*_args: object, **_options: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(batch_cli, "run_batch", interrupted)
    result = batch(write_csv(tmp_path / "in.csv", GOOD), "--out-dir", tmp_path / "out")
    assert result.exit_code == 130, result.output
    assert result.output.splitlines() == ["Interrupted; files written so far are whole, run again to resume."]
