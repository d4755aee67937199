"""Writing output files so that a crash or kill never leaves a half-written one behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

TEMPORARY_PREFIX = ".partial-"
TEMPORARY_SUFFIX = ".tmp"


@contextlib.contextmanager
def atomic_file(path: Path, *, to_disk: bool = True) -> Iterator[BinaryIO]:
    """A binary handle on a temporary file in the same folder; on a clean exit it is flushed to disk
    (unless `to_disk` is False: see write_atomically) and renamed into place, on an error it is removed.
    For output too big to hold in memory (a packet)."""
    descriptor, temporary = tempfile.mkstemp(
        prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX, dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            if to_disk:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
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
