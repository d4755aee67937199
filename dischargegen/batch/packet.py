"""The print-ready packet: every written document in one PDF, one bookmark per patient.

Assembled after the run from the PDFs on disk, one at a time, so only sort keys, file names and bookmark
titles are held until then. With duplex printing each patient is padded to an even page count, so no sheet
carries two patients; an insert (a medication sheet, a leaflet) follows each patient and is padded the
same way, so it starts and ends on its own sheets.

A placeholder in the packet's file name (`packet-{unit}.pdf`) writes one packet per distinct value of that
input column, one after the other. The value becomes part of a file name only through naming.sanitise().

A packet never replaces a file the run reads or writes (PacketGuard): a packet path that names one is refused
before the first row; a per-unit packet name that would hit one takes the next free "-2", "-3" instead, as
document names do (its value comes from the data, found only when the rows are done).
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import NotAFileError
from ..errors import PacketError as PacketError  # its old home; errors.py holds it now
from ..files import TEMPORARY_PREFIX, TEMPORARY_SUFFIX, atomic_file, check_target
from ..pdf.archival import archival_packet, declares_pdfa
from ..site import SiteSettings
from ..sources import column_key, input_paths
from .manifest import ERRORS, ERRORS_JOURNAL, LOCK_FILE, MANIFEST, MANIFEST_JOURNAL
from .naming import SUFFIX, NameAllocator, sanitise
from .results import BatchResult, PacketItem

if TYPE_CHECKING:
    from pypdf import PdfReader, PdfWriter

PACKET_TITLE = "Discharge instructions"
# ASCII digits only: other characters that str.isdigit() accepts (4², ①, Arabic-Indic digits) sort as text.
_NUMBER = re.compile(r"([0-9]+)")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# Columns that identify a patient: a packet named by one would print patient data in the summary.
_IDENTIFYING = frozenset(column_key(name) for name in ("patient_name", "mrn", "dob"))
EMPTY_VALUE_PREFIX = "no-"  # an empty unit gives packet-no-unit.pdf
# What a batch run writes in --out-dir besides documents (names compared ignoring case): never a packet.
RUN_FILES = (
    MANIFEST,
    ERRORS,
    MANIFEST_JOURNAL,
    ERRORS_JOURNAL,
    ".manifest.*.journal",
    LOCK_FILE,
    f"{TEMPORARY_PREFIX}*{TEMPORARY_SUFFIX}",
)


@dataclass(frozen=True)
class PacketOptions:
    path: Path
    duplex: bool = False
    insert: Path | None = None
    sort_by: str | None = None
    # The input column named by a placeholder in path's file name: one packet per value. None: one packet.
    group_by: str | None = None
    # The input (a file, or a FHIR folder): no packet replaces it or is written inside it.
    export: Path | None = None


@dataclass(frozen=True)
class PacketWritten:
    path: Path
    patients: int
    pages: int
    # PDF/A-2b, as the documents in it: False when the --insert PDF does not say it is PDF/A.
    archival: bool = True


def packet_column(path: Path) -> str | None:
    """The column named by the one placeholder in --packet's file name, or None when there is none.
    Raises PacketError for anything that could write outside the folder or name packets by patient."""
    names: list[str] = _PLACEHOLDER.findall(str(path))
    if not names:
        return None
    if len(names) > 1:
        raise PacketError("--packet: use at most one {column} placeholder")
    name = names[0]
    if not column_key(name):
        raise PacketError("--packet: the placeholder {} names no column; write, for example, {unit}")
    if _PLACEHOLDER.search(path.name) is None:
        raise PacketError("--packet: the {column} placeholder belongs in the file name, not the folder")
    if not path.name.lower().endswith(SUFFIX):
        raise PacketError("--packet: a packet name with a {column} placeholder must end in .pdf")
    if column_key(name) in _IDENTIFYING:
        raise PacketError(f"--packet: {{{name}}} would put patient data into file names; use a unit column")
    return name


def _value_stem(value: str, column: str) -> str:
    """A column value as a safe part of a file name; empty becomes "no-<column>"."""
    text = value.strip() or EMPTY_VALUE_PREFIX + column.strip()
    return sanitise(text)[: -len(SUFFIX)]


def packet_paths(
    path: Path, column: str, values: Sequence[str], taken: NameAllocator, guard: PacketGuard | None = None
) -> list[Path]:
    """One path per value, in the order given. Values whose safe names coincide (a/b and a_b, or a case
    difference) get -2, -3, ... as document names do; `taken` also keeps them off documents' names, and a
    name that would replace a file `guard` protects takes the next number too."""
    placeholder = "{" + column + "}"
    paths: list[Path] = []
    for value in values:
        name = path.name.replace(placeholder, _value_stem(value, column))
        candidate = path.parent / taken.allocate(name)
        while guard is not None and guard.hit(candidate) is not None:
            candidate = path.parent / taken.allocate(name)  # `taken` now holds the last one: the next number
        paths.append(candidate)
    return paths


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symbolic link loop: compare the path as written
        return path.absolute()


def _same_folder(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist (yet)
        return _resolved(first) == _resolved(second)


def _same_file(path: Path, protected: Path) -> bool:
    """Two names for one file: a symbolic or hard link, or a case difference where the file system ignores
    case. Where either does not exist yet, the same folder and the same name ignoring case (as Windows and
    macOS compare names, and as document names are kept apart)."""
    try:
        if path.exists() and protected.exists():
            return os.path.samefile(path, protected)
    except OSError:
        pass
    first, second = _resolved(path), _resolved(protected)
    return first.name.casefold() == second.name.casefold() and _same_folder(first.parent, second.parent)


class PacketGuard:
    """The files no packet may replace: the input, the site's files, the insert, and in --out-dir what the
    run writes (manifest, errors, journals, lock, temporary files) and the documents earlier runs listed.
    Built once per run, inside the run's lock, before the first row."""

    def __init__(
        self,
        out_dir: Path,
        files: Sequence[tuple[str, Path]],
        folders: Sequence[tuple[str, Path]],
        documents: Iterable[str],
    ) -> None:
        self.out_dir = out_dir
        self.files, self.folders = list(files), list(folders)
        self.documents = {name.casefold() for name in documents}

    def hit(self, path: Path) -> str | None:
        """What writing `path` would replace, in words for an error line; None when it is free."""
        for what, protected in self.files:
            if _same_file(path, protected):
                return what
        target = _resolved(path)
        for what, folder in self.folders:
            if any(_same_folder(parent, folder) for parent in target.parents):
                return f"a file inside {what}"
        if _same_folder(target.parent, self.out_dir):
            name = target.name.casefold()
            if any(fnmatch.fnmatchcase(name, pattern.casefold()) for pattern in RUN_FILES):
                return f"{target.name}, a file the batch run writes"
            if name in self.documents:
                return "a document listed in manifest.csv"
        return None


def guard_packet(
    options: PacketOptions, out_dir: Path, site: SiteSettings, documents: Iterable[str]
) -> PacketGuard:
    """Before the first row: the packet's folder must exist, and the packet path must not name a protected
    file. `documents` are the file names earlier runs listed in out_dir."""
    files: list[tuple[str, Path]] = []
    folders: list[tuple[str, Path]] = []
    if options.export is not None:
        read_files, read_folders = input_paths(options.export)
        files += [("the input", path) for path in read_files]
        folders += [("the input", path) for path in read_folders]
    if site.source is not None:
        files.append(("the site settings file", site.source))
    if site.document.logo is not None:
        files.append(("the site's logo (document.logo)", site.document.logo.path))
    if site.content.templates_dir is not None:
        folders.append(("the site's templates folder", site.content.templates_dir))
    if options.insert is not None:
        files.append(("the --insert PDF", options.insert))
    guard = PacketGuard(out_dir, files, folders, documents)
    folder = options.path.parent
    if not folder.is_dir():
        raise PacketError(f"--packet: no folder at {folder}; create it first")
    if options.path.is_dir():  # --packet naming --out-dir, created since the options were read
        raise PacketError(f"--packet {options.path} is a folder; name a PDF file")
    # A device, FIFO or socket there is left alone, and said before the first row.
    try:
        check_target(options.path)
    except NotAFileError as error:
        raise PacketError(
            f"--packet {options.path} is {error.kind}; give a regular file or a new file name"
        ) from None
    # With a placeholder this finds a protected folder; the names themselves are guarded as they are made.
    hit = guard.hit(options.path)
    if hit is not None:
        raise PacketError(f"--packet {options.path} would replace {hit}; choose another file")
    if options.insert is not None:
        read_insert(options.insert)  # a bad insert is found before an hour of rendering, not after
    return guard


def packet_reserved(options: PacketOptions, out_dir: Path) -> list[str]:
    """Names in out_dir that documents must not take: the packet's and the insert's when they are there."""
    return [
        _resolved(path).name
        for path in (options.path, options.insert)
        if path is not None and _same_folder(_resolved(path).parent, out_dir)
    ]


def group_items(items: Sequence[PacketItem]) -> dict[str, list[PacketItem]]:
    """Items by group value, groups in the input order of their first patient."""
    groups: dict[str, list[PacketItem]] = {}
    for item in sorted(items, key=lambda item: item.line):
        groups.setdefault(item.group, []).append(item)
    return groups


def natural_key(text: str) -> tuple[Any, ...]:
    """A sort key that puts Room 2 before Room 10, ignores case and puts empty values last. A run of ASCII
    digits compares as a number, by its length without leading zeros and then its digits (no int(): any
    length works); everything else, other digits included, compares as text."""
    parts = _NUMBER.split(text.strip().casefold())
    # split() with a group puts the digit runs at the odd places.
    key = tuple(
        (0, len(part.lstrip("0")), part.lstrip("0")) if index % 2 else (1, 0, part)
        for index, part in enumerate(parts)
        if part
    )
    return (not text.strip(), key)


def ordered(items: Sequence[PacketItem], sort_by: str | None) -> list[PacketItem]:
    """Input order, or stably sorted by the --sort-by column (ties keep input order)."""
    if sort_by is None:
        return sorted(items, key=lambda item: item.line)
    return sorted(items, key=lambda item: (natural_key(item.sort_key), item.line))


def read_insert(path: Path) -> PdfReader:
    # pypdf is imported where a packet is made: every command would otherwise load it at start (0.15 s).
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        if len(reader.pages) == 0:
            raise PacketError(f"--insert {path} has no pages")
    except (OSError, PyPdfError) as error:
        raise PacketError(f"--insert {path} is not a readable PDF ({type(error).__name__})") from None
    return reader


def _pad(writer: PdfWriter, count: int) -> None:
    """A blank page, the size of the last one, when `count` pages would leave a sheet's back to the next."""
    if count % 2:
        box = writer.pages[-1].mediabox
        writer.add_blank_page(width=float(box.width), height=float(box.height))


def write_packets(
    result: BatchResult, out_dir: Path, options: PacketOptions, guard: PacketGuard
) -> Iterator[PacketWritten]:
    """The run's packet(s), each yielded once written; nothing when no document was written."""
    if not result.documents:
        return
    # In out_dir, every document's name and the reserved ones are taken.
    taken = result.names if _same_folder(options.path.parent, out_dir) else NameAllocator()
    yield from build_packets(result.packet_items, out_dir, options, taken, guard)


def build_packets(
    items: Sequence[PacketItem],
    out_dir: Path,
    options: PacketOptions,
    taken: NameAllocator,
    guard: PacketGuard | None = None,
) -> Iterator[PacketWritten]:
    """Write the packet, or one per group, one at a time (only one is ever in memory); yield each as it is
    written. `taken` holds the names already used in the packet's folder; `guard` the files to keep."""
    if options.group_by is None:
        yield PacketWritten(options.path, len(items), *build_packet(items, out_dir, options))
        return
    groups = group_items(items)
    paths = packet_paths(options.path, options.group_by, list(groups), taken, guard)
    for path, members in zip(paths, groups.values(), strict=True):
        yield PacketWritten(path, len(members), *build_packet(members, out_dir, options, path))


def build_packet(
    items: Sequence[PacketItem], out_dir: Path, options: PacketOptions, path: Path | None = None
) -> tuple[int, bool]:
    """Write one packet atomically to `path` (default: options.path); return its page count and whether
    it is PDF/A-2b (it is unless its insert does not say it is PDF/A: `declares_pdfa`)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    insert = read_insert(options.insert) if options.insert is not None else None
    archival = insert is None or declares_pdfa(insert)
    writer = PdfWriter()
    writer.add_metadata({"/Title": PACKET_TITLE})
    identity = hashlib.sha256(f"duplex={options.duplex}".encode())  # the packet's file identifier
    if insert is not None:
        identity.update(repr(insert.trailer.get("/ID")).encode())
    for item in ordered(items, options.sort_by):
        try:
            document = PdfReader(out_dir / item.file)
            identity.update(repr((item.title, document.trailer.get("/ID"))).encode())
            first = len(writer.pages)
            for page in document.pages:
                writer.add_page(page)
        except (OSError, PyPdfError) as error:
            raise PacketError(
                f"the document of line {item.line} cannot be read ({type(error).__name__})"
            ) from None
        writer.add_outline_item(title=item.title, page_number=first)
        if options.duplex:
            _pad(writer, len(writer.pages) - first)
        if insert is not None:
            start = len(writer.pages)
            for page in insert.pages:
                writer.add_page(page)
            if options.duplex:
                _pad(writer, len(writer.pages) - start)
    archival_packet(writer, identity.digest(), archival)  # PDF/A-2b, as the documents in it are
    target = path or options.path
    try:
        with atomic_file(target) as handle:  # removes its temporary file on any error
            writer.write(handle)
    except OSError as error:  # a full disk, a folder that became read-only: the documents stay
        raise PacketError(
            f"cannot write the packet {target}: {error.strerror or type(error).__name__}"
        ) from None
    return len(writer.pages), archival
