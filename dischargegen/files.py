"""Writing output files so that a crash or kill never leaves a half-written one behind.

Every writer here writes a temporary file in the target's folder and renames it into place. It writes only to
a regular file or a new name: a device, a FIFO, a socket or a folder at the path is refused (renaming onto
/dev/null would replace the system's /dev/null). A symbolic link is replaced by the file, as `mv` does; what
it pointed to is left alone. A replaced file keeps its mode (and, when permitted, its owner and group); a new
file gets the umask's mode, as other tools give.

Temporary files are named `.partial-TOKEN-PID@HOST.tmp`: a writer that dies without cleaning up (SIGKILL, a
power cut) leaves one, and the next writer in that folder on the same host removes it once that process is
gone. A live writer's file, and any other host's, is never touched.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import NotAFileError as NotAFileError  # its old home; errors.py holds it now

TEMPORARY_PREFIX = ".partial-"
TEMPORARY_SUFFIX = ".tmp"
_TEMPORARY_NAME = re.compile(
    r"\.partial-[0-9a-f]{12}-(?P<pid>[0-9]{1,10})@(?P<host>[A-Za-z0-9._-]{0,63})\.tmp"
)
_NEW_FILE_MODE = 0o666  # less the umask, as for any file a tool creates
# Folders this process has already cleared of dead writers' files (forked workers inherit the parent's).
_swept: set[str] = set()


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _existing(path: Path) -> os.stat_result | None:
    """What is at the path itself (a link is not followed), or None for a new name; refuses anything
    that a rename must not replace."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None
    if not (stat.S_ISREG(status.st_mode) or stat.S_ISLNK(status.st_mode)):
        raise NotAFileError(_kind(status.st_mode), str(path))
    return status


def check_target(path: Path) -> None:
    """Raise NotAFileError unless the path is a new name, a regular file or a symbolic link: for a front
    end that wants to refuse before it does the work. A path that cannot even be looked at passes: the
    write itself reports that."""
    with contextlib.suppress(FileNotFoundError, PermissionError, NotADirectoryError):
        _existing(path)


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", socket.gethostname())[:63]


def _create_temporary(folder: Path) -> tuple[int, Path]:
    """A new, empty temporary file named after this process, created with the umask's mode."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    while True:
        name = f"{TEMPORARY_PREFIX}{secrets.token_hex(6)}-{os.getpid()}@{_host()}{TEMPORARY_SUFFIX}"
        try:
            return os.open(folder / name, flags, _NEW_FILE_MODE), folder / name
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue


def _writer_is_alive(pid: int) -> bool:
    if os.name != "posix":  # pragma: no cover - no way to ask without side effects: keep the file
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, or a pid this system cannot hold: leave it be
        return True
    return True


def is_dead_writers_file(name: str) -> bool:
    """A temporary file whose writer ran on this host and is gone: it is never valid output."""
    match = _TEMPORARY_NAME.fullmatch(name)
    if match is None or match["host"] != _host():
        return False
    pid = int(match["pid"])
    return pid != os.getpid() and not _writer_is_alive(pid)


def remove_dead_writers_files(folder: Path) -> None:
    """Remove the temporary files that killed writers on this host left in the folder."""
    _swept.add(os.path.abspath(folder))
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(TEMPORARY_PREFIX) and is_dead_writers_file(entry.name):
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)


def check_folder_writable(folder: Path) -> None:
    """Create and remove a temporary file: raises OSError when no file can be written in the folder (a
    read-only mount, missing permission), before any work is done."""
    descriptor, temporary = _create_temporary(folder)
    os.close(descriptor)
    temporary.unlink()


def keep_mode_and_owner(descriptor: int, path: Path) -> None:
    """Give an open file that is about to replace `path` the replaced file's mode and, when permitted, its
    owner and group. Raises NotAFileError when `path` has become something that must not be replaced."""
    old = _existing(path)
    if old is None or not stat.S_ISREG(old.st_mode):
        return  # a new name, or a link that is replaced: the umask's mode, as for any new file
    new = os.fstat(descriptor)
    if (new.st_uid, new.st_gid) != (old.st_uid, old.st_gid) and hasattr(os, "fchown"):
        try:
            os.fchown(descriptor, old.st_uid, old.st_gid)
        except PermissionError:
            with contextlib.suppress(PermissionError):  # a group this user belongs to, at least
                os.fchown(descriptor, -1, old.st_gid)
    if hasattr(os, "fchmod"):
        os.fchmod(descriptor, stat.S_IMODE(old.st_mode))  # after chown, which may clear set-id bits


@contextlib.contextmanager
def atomic_file(path: Path, *, to_disk: bool = True) -> Iterator[BinaryIO]:
    """A binary handle on a temporary file in the same folder; on a clean exit it is flushed to disk
    (unless `to_disk` is False: see write_atomically) and renamed into place, on an error it is removed.
    For output too big to hold in memory (a packet). Raises NotAFileError (before writing anything)
    when the path is not a regular file or a new name."""
    _existing(path)
    if os.path.abspath(path.parent) not in _swept:
        remove_dead_writers_files(path.parent)
    descriptor, temporary = _create_temporary(path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            handle.flush()
            keep_mode_and_owner(handle.fileno(), path)
            if to_disk:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomically(path: Path, data: bytes, *, to_disk: bool = True) -> None:
    """Write to a temporary file in the same folder, flush it to disk, then rename it into place.

    The rename alone makes the file whole for every other process, whenever this one is killed; the
    flush to disk guards against a power cut. With `to_disk` False the caller must call flush_to_disk
    before it relies on the file (a batch worker leaves that to the command's process, which waits on
    the disk while the workers go on rendering)."""
    with atomic_file(path, to_disk=to_disk) as handle:
        handle.write(data)


def flush_to_disk(path: Path) -> None:
    """Make sure a file written earlier (by any process) is on disk, not only in the system's cache."""
    descriptor = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
