"""The batch engine: records in, one PDF per patient out, with a manifest, an error list and resume.

Rows stream through: the reader yields one record at a time, the parent validates it and picks its file
name, a process pool renders and writes it (fonts and templates load once per worker), and results are
recorded in input order through a bounded window, so memory stays flat however long the input is. Kept
for the whole run, per row: the file name handed out (names stay unique) and, only when a packet is asked
for, its sort key, packet group (a --packet placeholder's column) and bookmark title.

A bad row is recorded and the run goes on. Every file is written atomically, so a kill leaves either the old
file or the new one. A rerun skips rows whose file is there and matches the manifest (same digest, same
input, same content), so it finishes the job instead of starting over.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import hashlib
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .._version import __version__
from ..case import ALL_FIELDS, Case, build_case
from ..content.templating import default_templates_dir
from ..errors import (
    BatchSetupError,
    InputError,
    InputFileError,
    NotAFileError,
    PatternError,
    each_error,
    one_error,
)
from ..files import (
    TEMPORARY_PREFIX,
    TEMPORARY_SUFFIX,
    check_folder_writable,
    check_target,
    flush_to_disk,
    remove_dead_writers_files,
)
from ..html import GENERATOR_MARK
from ..interrupts import signals_held
from ..site import SiteSettings
from ..sources import DISCHARGE_DATE, Record, column_key
from .manifest import (
    ERROR_COLUMNS,
    ERRORS,
    ERRORS_JOURNAL,
    LOCK_FILE,
    MANIFEST,
    MANIFEST_COLUMNS,
    MANIFEST_JOURNAL,
    Entry,
    Journal,
    PreviousRuns,
    read_entries,
    remove_journals,
    set_aside_journals,
)
from .naming import NameAllocator, check_pattern, file_name
from .packet import PacketOptions, PacketWritten, guard_packet, packet_reserved, write_packets
from .results import BatchResult, PacketItem
from .worker import (
    Done,
    Job,
    render_in_worker,
    render_to_file,
    settled_for_rendering,
    start_worker,
    warm_up,
)

# Results wait in input order; this many renders per worker may be in flight at once.
WINDOW_PER_WORKER = 8
# Rows sent to a worker in one task. Each task costs the command's process CPU (pickling, its pool
# threads, waking up) that the workers need; a few rows a task share that cost (docs/performance.md).
ROWS_PER_TASK = 4
FAILED_LINES_SHOWN = 20


def default_jobs() -> int:
    """The CPUs this process may use (a container's limit, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def content_digest(site: SiteSettings) -> str:
    """What a document depends on besides the row: program version, site settings and template files.
    Part of each row's fingerprint, so a rerun after any of them changed renders again."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(repr(dataclasses.replace(site, source=None)).encode())
    for folder in (default_templates_dir(), site.content.templates_dir):
        if folder is None or not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _fingerprint(base: str, case: Case, name: str) -> str:
    return hashlib.sha256(repr((base, case, name)).encode()).hexdigest()


def _file_digest(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def _bookmark(case: Case) -> str:
    return f"{case.patient_name} \u00b7 {case.mrn}"


def _sort_value(record: Record, column: str) -> str:
    key = column_key(column)
    for name, value in record.fields.items():
        if column_key(name) == key:
            return value or ""
    return record.extra.get(key, "")


def _has_column(record: Record, column: str) -> bool:
    key = column_key(column)
    return key in record.extra or any(column_key(name) == key for name in (*ALL_FIELDS, *record.fields))


def _check_columns(record: Record, sort_by: str | None, group_by: str | None) -> None:
    """On the first record, before it is rendered: a misspelt column is found before an hour of work."""
    for option, column in (("--sort-by", sort_by), ("--packet", group_by)):
        if column is not None and column_key(column) in record.ambiguous:
            raise InputFileError(
                f"{option}: the input has more than one column {column!r}; rename all but one"
            )
        if column is not None and not _has_column(record, column):
            raise InputFileError(f"{option}: the input has no column {column!r}")


# Where a field's errors go among a row's errors.csv lines: case fields in field order, a discharge_date
# beside overnight (which it stands for), anything else (a row-wide problem) last.
_ERROR_ORDER = {name: position for position, name in enumerate(ALL_FIELDS)}
_ERROR_ORDER[DISCHARGE_DATE] = _ERROR_ORDER["overnight"]


def _case_of(record: Record) -> Case:
    """The record's Case, or an error holding every failing field: the reader's and the case's together.

    A reader that found errors hands over the fields it could read; a field it could not read is absent,
    and is not reported again as missing. One error a field: the reader's comes first."""
    if record.error is None:
        return build_case(record.fields)
    found = list(each_error(record.error))
    try:
        build_case(record.fields)
    except InputError as error:
        reported = {single.field for single in found}
        found.extend(
            single
            for single in each_error(error)
            if single.field in record.fields and single.field not in reported
        )
    found.sort(key=lambda single: _ERROR_ORDER.get(single.field, len(ALL_FIELDS)))
    raise one_error(found)


FALLBACK_LANGUAGE = "en"


def in_an_enabled_language(case: Case, site: SiteSettings) -> tuple[Case, str]:
    """The case in a language the site has enabled, with the manifest's warning: a row in a language not
    enabled is rendered in English (a patient still gets instructions), and the warning says which
    language was asked for (a code from the closed list, not patient data) and which setting enables it."""
    if case.language in site.content.enabled_languages:
        return case, ""
    warning = (
        f"language {case.language} is not enabled for this site ([content] enabled_languages);"
        f" rendered in English"
    )
    return dataclasses.replace(case, language=FALLBACK_LANGUAGE), warning


@dataclass
class _Slot:
    """One row on its way to the manifest: either already settled or waiting for a worker."""

    line: int
    file: str = ""
    fingerprint: str = ""
    entry: Entry | None = None
    # (field, message) for each failing field of a failed row: one errors.csv line each.
    errors: tuple[tuple[str, str], ...] = ()
    # Rendered in a worker: the task's future, and the row's place in the task.
    future: concurrent.futures.Future[list[Done]] | None = None
    index: int = 0
    packet: PacketItem | None = None
    html_file: str = ""  # with --also-html: the HTML rendition's name
    warning: str = ""  # the manifest's warning column (see in_an_enabled_language)


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """One run per output folder at a time: two would overwrite each other's journals."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory lock
        yield
        return
    try:
        handle: IO[bytes] = (out_dir / LOCK_FILE).open("ab")
    except OSError as error:
        raise BatchSetupError(
            f"cannot write in the output folder (--out-dir) {out_dir}: {error.strerror}"
        ) from None
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BatchSetupError(
                f"another batch run is writing to {out_dir}; wait for it to finish"
            ) from None
        yield
    finally:
        handle.close()


def _prepare(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BatchSetupError(f"cannot create the output folder {out_dir}: {error.strerror}") from None
    if not out_dir.is_dir():
        raise BatchSetupError(f"{out_dir} is not a folder")
    # Found before the first row, not after the last: files the run writes in out_dir must be files...
    for name in (MANIFEST, ERRORS, MANIFEST_JOURNAL, ERRORS_JOURNAL, LOCK_FILE):
        try:
            check_target(out_dir / name)
        except NotAFileError as error:
            raise BatchSetupError(
                f"{out_dir / name} is {error.kind}; batch writes its {name} there: move it away"
            ) from None
    # ...and the folder must take new files (a read-only mount, no permission).
    try:
        check_folder_writable(out_dir)
    except OSError as error:
        raise BatchSetupError(
            f"cannot write in the output folder (--out-dir) {out_dir}: {error.strerror}"
        ) from None


def _clean_leftovers(out_dir: Path) -> None:
    """Temporary files of killed writers: never valid output, and named so that nothing else matches.
    Those of a live writer (a render or packet written into out_dir meanwhile) and of other hosts stay.
    Unnamed ones (from versions that did not name the writer) can only be a killed run's: under the lock
    no other run writes here."""
    remove_dead_writers_files(out_dir)
    for path in out_dir.glob(f"{TEMPORARY_PREFIX}*{TEMPORARY_SUFFIX}"):
        if "@" not in path.name:
            path.unlink(missing_ok=True)
    (out_dir / ERRORS_JOURNAL).unlink(missing_ok=True)


class _Run:
    def __init__(
        self,
        site: SiteSettings,
        out_dir: Path,
        jobs: int,
        sort_by: str | None,
        group_by: str | None,
        want_packet: bool,
        reserved: Iterable[str],
        on_row: Callable[[Entry], None] | None,
    ) -> None:
        self.site, self.out_dir, self.jobs = site, out_dir, jobs
        self.sort_by, self.group_by = sort_by, group_by
        self.want_packet, self.on_row = want_packet, on_row
        self.keep_cases = False
        # batch --also-html: each PDF's HTML rendition beside it. `html_written`: the HTML names (folded
        # for case) earlier runs listed, which this run may replace; any other file of such a name stays.
        self.also_html = False
        self.html_written: set[str] = set()
        self.pattern = site.batch.file_name_pattern
        self.names = NameAllocator(reserved)
        self.base = content_digest(site)
        self.result = BatchResult(names=self.names)
        self.pool: concurrent.futures.ProcessPoolExecutor | None = None
        self.pending: deque[_Slot] = deque()
        self.unsent: list[tuple[_Slot, Job]] = []  # rows for the next task
        self.in_flight = 0

    # -- per row, in the parent --------------------------------------------------------------------
    def admit(self, record: Record, previous: PreviousRuns) -> _Slot:
        if record.skipped is not None:
            return _Slot(record.line, entry=Entry(record.line, "skipped"))
        try:
            case = _case_of(record)
        except InputError as error:
            return self._failed(record.line, error)
        case, warning = in_an_enabled_language(case, self.site)
        name = self.names.allocate(file_name(self.pattern, case, record.line))
        if self.keep_cases:
            self.result.cases[record.line] = case
        slot = _Slot(record.line, name, _fingerprint(self.base, case, name))
        slot.html_file = html_file_name(name) if self.also_html else ""
        if self.want_packet:
            sort_key = _sort_value(record, self.sort_by) if self.sort_by else ""
            group = _sort_value(record, self.group_by) if self.group_by else ""
            slot.packet = PacketItem(record.line, name, _bookmark(case), sort_key, group)
        slot.warning = warning
        done = self._already_done(slot, previous)
        if done is not None:
            slot.entry = dataclasses.replace(done, warning=warning)
        elif slot.html_file and self._not_ours(slot.html_file):
            slot.entry = Entry(record.line, "failed")
            slot.errors = (("output", FOREIGN_HTML),)
        elif self.pool is None:
            job = Job(record.line, case, name, slot.html_file)
            self._settle(slot, render_to_file(job, self.site, self.out_dir))
        else:
            self.unsent.append((slot, Job(record.line, case, name, slot.html_file)))
            self.in_flight += 1
            if len(self.unsent) >= ROWS_PER_TASK:
                self._send()
        return slot

    def _send(self) -> None:
        assert self.pool is not None
        with signals_held():  # the first task starts the pool (interrupts.signals_held)
            future = self.pool.submit(render_in_worker, [job for _, job in self.unsent])
        for index, (slot, _) in enumerate(self.unsent):
            slot.future, slot.index = future, index
        self.unsent = []

    def _not_ours(self, html_file: str) -> bool:
        """A file of that name is there, and no earlier run listed it: the user's, never replaced."""
        path = self.out_dir / html_file
        if not (path.exists() or path.is_symlink()) or html_file.casefold() in self.html_written:
            return False
        return not written_by_dischargegen(path)  # a killed run's, which no manifest lists yet

    def _failed(self, line: int, error: InputError) -> _Slot:
        errors = tuple((single.field, single.message) for single in each_error(error))
        return _Slot(line, entry=Entry(line, "failed"), errors=errors)

    def _already_done(self, slot: _Slot, previous: PreviousRuns) -> Entry | None:
        version = self.site.content.version
        for old in previous.candidates(slot.line):
            if old.file != slot.file or old.fingerprint != slot.fingerprint or old.content_version != version:
                continue
            if _file_digest(self.out_dir / slot.file) != old.sha256:
                continue
            html_there = bool(old.html_file) and _file_digest(self.out_dir / old.html_file) == old.html_sha256
            if slot.html_file and not (old.html_file == slot.html_file and html_there):
                continue  # the HTML asked for is missing or changed: both are rendered again
            if not html_there:
                old = dataclasses.replace(old, html_file="", html_sha256="")
            return dataclasses.replace(old, status="unchanged")
        return None

    def _settle(self, slot: _Slot, done: Done) -> None:
        if not done.message:
            # Workers only rename their files into place (whole for every process, whatever is killed);
            # a manifest line must never reach the disk before its file does, in case of a power cut.
            try:
                flush_to_disk(self.out_dir / slot.file)
                if slot.html_file:
                    flush_to_disk(self.out_dir / slot.html_file)
            except OSError as error:
                done = Done(slot.line, field="output", message=f"cannot write the file: {error.strerror}")
        if done.message:
            slot.entry, slot.errors = Entry(slot.line, "failed"), ((done.field, done.message),)
        else:
            slot.entry = Entry(
                slot.line,
                "written",
                slot.file,
                done.sha256,
                done.pages,
                self.site.content.version,
                slot.fingerprint,
                html_file=slot.html_file,
                html_sha256=done.html_sha256,
                warning=slot.warning,
            )

    # -- in input order ------------------------------------------------------------------------------
    def drain(self, manifest: Journal, errors: Journal, keep: int) -> None:
        """Record finished rows from the front; wait while more than `keep` renders are in flight."""
        while self.pending:
            slot = self.pending[0]
            if slot.entry is None:  # rendered in a worker
                if slot.future is None:
                    # Its task is still gathering rows. Send it when the window is full, or when more
                    # rows wait behind it than the window holds: in a rerun where most rows are
                    # unchanged, those must not pile up behind a row that waits for three more.
                    if self.in_flight <= keep and len(self.pending) <= keep:
                        return
                    self._send()
                assert slot.future is not None
                if not slot.future.done() and self.in_flight <= keep:
                    return
                self._settle(slot, slot.future.result()[slot.index])
                slot.future = None
                self.in_flight -= 1
            self.pending.popleft()
            self._record(slot, manifest, errors)

    def _record(self, slot: _Slot, manifest: Journal, errors: Journal) -> None:
        entry = slot.entry
        assert entry is not None
        manifest.write(entry.row())
        for field_name, message in slot.errors:
            errors.write([str(slot.line), field_name, message])
        result = self.result
        if entry.status == "failed":
            result.failed += 1
            if len(result.failed_lines) < FAILED_LINES_SHOWN:
                result.failed_lines.append(slot.line)
        elif entry.status == "skipped":
            result.skipped += 1
        else:
            if entry.status == "written":
                result.written += 1
            else:
                result.unchanged += 1
            if entry.warning:
                result.in_english_instead += 1
            if slot.packet is not None:
                result.packet_items.append(slot.packet)
        if self.on_row is not None:
            self.on_row(entry)


def _listed_files(out_dir: Path) -> list[str]:
    """The document names earlier runs listed in out_dir: manifest.csv and any killed run's journals."""
    return [entry.file for entry in _listed_entries(out_dir) if entry.file]


def _listed_entries(out_dir: Path) -> Iterator[Entry]:
    sources = [out_dir / MANIFEST, out_dir / MANIFEST_JOURNAL, *out_dir.glob(".manifest.*.journal")]
    for source in sources:
        yield from read_entries(source)


def written_by_dischargegen(path: Path) -> bool:
    """An HTML file that carries render_html's generator mark near its start."""
    try:
        with path.open("rb") as handle:
            return GENERATOR_MARK in handle.read(1024)
    except OSError:
        return False


def html_file_name(pdf_name: str) -> str:
    """The HTML rendition's name beside a PDF's: the same base name (names end in .pdf: naming.py)."""
    base = pdf_name[: -len(".pdf")] if pdf_name.lower().endswith(".pdf") else pdf_name
    return f"{base}.html"


# Names no file or value: a file name holds the MRN.
FOREIGN_HTML = (
    "its HTML file's name (the PDF's, ending in .html) is taken in --out-dir by a file no run wrote; "
    "move that file away and run again"
)


def run_batch(
    records: Iterable[Record],
    site: SiteSettings,
    out_dir: Path,
    *,
    jobs: int = 1,
    sort_by: str | None = None,
    group_by: str | None = None,
    want_packet: bool = False,
    reserved: Iterable[str] = (),
    on_row: Callable[[Entry], None] | None = None,
    packet: PacketOptions | None = None,
    on_rows_done: Callable[[BatchResult], None] | None = None,
    on_packet: Callable[[PacketWritten], None] | None = None,
    on_finish: Callable[[BatchResult], None] | None = None,
    keep_cases: bool = False,
    also_html: bool = False,
) -> BatchResult:
    """Render every record into out_dir; write manifest.csv and errors.csv. `reserved` names files in
    out_dir that rows must not take; `group_by` is the column that splits the packet (its value lands in
    PacketItem.group). With `packet` (which sets sort_by, group_by, want_packet and reserves its names) the
    packet is checked before the first row and written after the manifest, both inside the run's lock, so no
    other run can use the folder until the packet is whole; `on_rows_done` hears of the rows before it, and
    `on_packet` of each packet written, and `on_finish` (printing) of the end of it all, still inside the
    lock, so that it may rewrite manifest.csv. `keep_cases` keeps each row's Case in BatchResult.cases (the
    chart copies printed after the run are made from them). `also_html` writes each document's HTML
    rendition beside it (NAME.html), listed in the manifest's html_file and html_sha256; a file of that
    name that no earlier run listed is never replaced (the row fails). Raises InputFileError when the input turns out unusable,
    BatchSetupError when the run cannot start, PacketError for a packet path that would replace a file the
    run reads or writes, a missing packet folder or a packet that cannot be written (documents and manifest
    stay); row problems only count as failed."""
    if packet is not None:
        sort_by, group_by, want_packet = packet.sort_by, packet.group_by, True
        reserved = [*reserved, *packet_reserved(packet, out_dir)]
    try:
        check_pattern(site.batch.file_name_pattern)
    except PatternError as error:
        raise BatchSetupError(str(error)) from None
    _prepare(out_dir)
    with _locked(out_dir):
        # Refused before anything in out_dir changes; inside the lock, so the manifest read is not moving.
        guard = guard_packet(packet, out_dir, site, _listed_files(out_dir)) if packet is not None else None
        _clean_leftovers(out_dir)
        html_written = {e.html_file.casefold() for e in _listed_entries(out_dir) if e.html_file}
        sources = set_aside_journals(out_dir)
        previous = PreviousRuns([*reversed(sources), out_dir / MANIFEST])
        run = _Run(site, out_dir, jobs, sort_by, group_by, want_packet, reserved, on_row)
        run.keep_cases = keep_cases
        run.also_html, run.html_written = also_html, html_written
        manifest = Journal(out_dir / MANIFEST_JOURNAL, MANIFEST_COLUMNS)
        errors = Journal(out_dir / ERRORS_JOURNAL, ERROR_COLUMNS)
        try:
            # Before the pool starts: forked workers inherit loaded fonts and compiled templates (shared,
            # copy-on-write) instead of each loading their own; other start methods load them per worker.
            warm_up(site)
            with settled_for_rendering():
                if jobs > 1:
                    run.pool = concurrent.futures.ProcessPoolExecutor(
                        max_workers=jobs, initializer=start_worker, initargs=(site, out_dir)
                    )
                window = jobs * WINDOW_PER_WORKER
                first = True
                for record in records:
                    if first:
                        _check_columns(record, sort_by, group_by)
                    first = False
                    run.pending.append(run.admit(record, previous))
                    run.drain(manifest, errors, keep=window)
                run.drain(manifest, errors, keep=-1)
        except BaseException:
            # Keep what finished for the rerun; the journals stay, manifest.csv is left as it was.
            if run.pool is not None:
                run.pool.shutdown(wait=True, cancel_futures=True)
            manifest.close()
            errors.close()
            raise
        finally:
            previous.close()
        if run.pool is not None:
            run.pool.shutdown()
        manifest.finish(out_dir / MANIFEST)
        errors.finish(out_dir / ERRORS)
        remove_journals(out_dir)
        if on_rows_done is not None:
            on_rows_done(run.result)
        if packet is not None and guard is not None:
            # Still locked: a second run would clean up this packet's temporary file as a leftover.
            for written in write_packets(run.result, out_dir, packet, guard):
                if on_packet is not None:
                    on_packet(written)
        if on_finish is not None:
            on_finish(run.result)
    return run.result
