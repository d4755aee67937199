"""manifest.csv and errors.csv: what a batch run did, row by row, and how a rerun finds finished work.

Both files are written as journals while the run goes on (".manifest.journal", ".errors.journal": one line a
row, in input order, flushed at once and fsynced at least every second) and renamed into place when the
run ends, so manifest.csv and errors.csv are always whole. A run killed part-way leaves its journal; the
next run reads it (a torn last line is ignored) together with the last manifest.csv, keeps what still
checks out and renames the journal aside (".manifest.N.journal") until it finishes. Nothing here ever holds
patient data: lines, statuses, file names (made safe), digests, page counts, versions, field names and
messages that never include values.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import time
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ..files import keep_mode_and_owner, write_atomically

MANIFEST = "manifest.csv"
# Held for the length of a run: one run at a time in a folder.
LOCK_FILE = ".dischargegen.lock"
ERRORS = "errors.csv"
MANIFEST_JOURNAL = ".manifest.journal"
ERRORS_JOURNAL = ".errors.journal"
MANIFEST_COLUMNS = (
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
)
# Every manifest has the first seven; the later ones came with later versions (print_job with printing,
# html_file and html_sha256 with --also-html, warning with the language fallback), and a manifest without
# some of them is still read, so an upgrade re-renders nothing. print_job stays last: it is rewritten
# after the run (record_print_jobs).
OLD_MANIFEST_COLUMNS = MANIFEST_COLUMNS[:7]
LATER_COLUMNS = MANIFEST_COLUMNS[7:]
ERROR_COLUMNS = ("line", "field", "message")
# written: rendered by this run; unchanged: already there and checked; failed: see errors.csv;
# skipped: not a case for this tool (a reason in errors.csv's message column is not needed: not an error).
STATUSES = ("written", "unchanged", "failed", "skipped")
FSYNC_SECONDS = 1.0


@dataclass(frozen=True)
class Entry:
    line: int
    status: str
    file: str = ""
    sha256: str = ""
    pages: int = 0
    content_version: str = ""
    fingerprint: str = ""
    # The CUPS job that last printed the document ("ward5-12"); empty: never printed.
    print_job: str = ""
    # The HTML rendition beside the PDF (batch --also-html) and its SHA-256; empty: none written.
    html_file: str = ""
    html_sha256: str = ""
    # What the reader of the manifest should know about a written row (a language the site has not
    # enabled, rendered in English instead): words of the program's and field names, never a value.
    warning: str = ""

    def row(self) -> list[str]:
        pages = str(self.pages) if self.file else ""
        return [
            str(self.line),
            self.status,
            self.file,
            self.sha256,
            pages,
            self.content_version,
            self.fingerprint,
            self.html_file,
            self.html_sha256,
            self.warning,
            self.print_job,
        ]


class Journal:
    """A CSV written one row at a time, safe to read back after a kill, renamed into place at the end."""

    def __init__(self, path: Path, columns: tuple[str, ...]) -> None:
        self.path = path
        self._handle: TextIO = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._handle, lineterminator="\n")
        self._synced = time.monotonic()
        self.write(list(columns))

    def write(self, row: list[str]) -> None:
        self._writer.writerow(row)
        # The kernel keeps flushed lines through a kill; fsync bounds what a power cut can take.
        self._handle.flush()
        if time.monotonic() - self._synced >= FSYNC_SECONDS:
            self._sync()

    def _sync(self) -> None:
        os.fsync(self._handle.fileno())
        self._synced = time.monotonic()

    def finish(self, final: Path) -> None:
        keep_mode_and_owner(self._handle.fileno(), final)  # a replaced manifest keeps its mode
        self._sync()
        self._handle.close()
        os.replace(self.path, final)

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()


def read_entries(path: Path) -> Generator[Entry, None, None]:
    """Entries of a manifest or journal in file order; stops at the first line that does not parse (a torn
    line at the end of a killed run's journal) or that breaks the input order."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            columns = tuple(next(reader, ()))
            later = columns[len(OLD_MANIFEST_COLUMNS) :]
            if columns[: len(OLD_MANIFEST_COLUMNS)] != OLD_MANIFEST_COLUMNS or not _known_later(later):
                return
            previous = 0
            for row in reader:
                if len(row) != len(columns):
                    return
                try:
                    line, pages = int(row[0]), int(row[4] or 0)
                except ValueError:
                    return
                if line <= previous or row[1] not in STATUSES:
                    return
                previous = line
                named = dict(zip(columns, row, strict=True))
                yield Entry(
                    line,
                    row[1],
                    row[2],
                    row[3],
                    pages,
                    row[5],
                    row[6],
                    named.get("print_job", ""),
                    named.get("html_file", ""),
                    named.get("html_sha256", ""),
                    named.get("warning", ""),
                )
    except (OSError, UnicodeDecodeError, csv.Error):
        return


def _known_later(columns: tuple[str, ...]) -> bool:
    """Later columns of this version's, in its order, each at most once."""
    order = [LATER_COLUMNS.index(column) for column in columns if column in LATER_COLUMNS]
    return len(order) == len(columns) and order == sorted(set(order))


def record_print_jobs(out_dir: Path, jobs: Mapping[int, str]) -> None:
    """Rewrite manifest.csv (atomically: whole before or after) with the print job of each input line in
    `jobs`; the other rows stay as they are."""
    path = out_dir / MANIFEST
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    for entry in read_entries(path):
        if entry.line in jobs:
            entry = dataclasses.replace(entry, print_job=jobs[entry.line])
        writer.writerow(entry.row())
    write_atomically(path, text.getvalue().encode("utf-8"))


class _Cursor:
    """Walks one source's entries forward as the input advances: memory stays flat however long it is."""

    def __init__(self, entries: Generator[Entry, None, None]) -> None:
        self._entries = entries
        self._next: Entry | None = next(entries, None)

    def close(self) -> None:
        self._entries.close()

    def take(self, line: int) -> Entry | None:
        while self._next is not None and self._next.line < line:
            self._next = next(self._entries, None)
        if self._next is not None and self._next.line == line:
            return self._next
        return None


class PreviousRuns:
    """What earlier runs wrote, looked up by input line. Input lines must come in increasing order (they do
    for CSV); when they do not, lookups just find nothing and the rows are rendered again."""

    def __init__(self, sources: list[Path]) -> None:
        self._cursors = [_Cursor(read_entries(path)) for path in sources]

    def candidates(self, line: int) -> list[Entry]:
        found = [cursor.take(line) for cursor in self._cursors]
        return [entry for entry in found if entry is not None and entry.status in ("written", "unchanged")]

    def close(self) -> None:
        """Close the files read (manifest.csv is about to be replaced)."""
        for cursor in self._cursors:
            cursor.close()


def _journal_number(path: Path) -> int:
    middle = path.name.split(".")[2]  # ".manifest.N.journal"
    return int(middle) if middle.isdigit() else 0


def set_aside_journals(out_dir: Path) -> list[Path]:
    """Rename a killed run's journal out of the way of the new one; return every journal still to read.
    They are kept until a run finishes, so two kills in a row lose nothing."""
    journals = sorted(out_dir.glob(".manifest.*.journal"), key=_journal_number)
    current = out_dir / MANIFEST_JOURNAL
    if current.exists():
        number = max((_journal_number(path) for path in journals), default=0) + 1
        aside = out_dir / f".manifest.{number}.journal"
        os.replace(current, aside)
        journals.append(aside)
    return journals


def remove_journals(out_dir: Path) -> None:
    for path in out_dir.glob(".manifest.*.journal"):
        path.unlink(missing_ok=True)
