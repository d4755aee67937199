"""The print-ready packet: every written document in one PDF, one bookmark per patient.

Assembled after the run from the PDFs on disk, one at a time, so only sort keys, file names and bookmark
titles are held until then. With duplex printing each patient is padded to an even page count, so no sheet
carries two patients; an insert (a medication sheet, a leaflet) follows each patient and is padded the
same way, so it starts and ends on its own sheets.

A placeholder in the packet's file name (`packet-{unit}.pdf`) writes one packet per distinct value of that
input column, one after the other. The value becomes part of a file name only through naming.sanitise().
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .batch import PacketItem
from .csv_source import column_key
from .errors import DischargeGenError
from .files import atomic_file
from .naming import SUFFIX, NameAllocator, sanitise

if TYPE_CHECKING:
    from pypdf import PdfReader, PdfWriter

PACKET_TITLE = "Discharge instructions"
# ASCII digits only: other characters that str.isdigit() accepts (4², ①, Arabic-Indic digits) sort as text.
_NUMBER = re.compile(r"([0-9]+)")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# Columns that identify a patient: a packet named by one would print patient data in the summary.
_IDENTIFYING = frozenset(column_key(name) for name in ("patient_name", "mrn", "dob"))
EMPTY_VALUE_PREFIX = "no-"  # an empty unit gives packet-no-unit.pdf


class PacketError(DischargeGenError):
    """The packet could not be assembled (an insert or a document that pypdf cannot read)."""


@dataclass(frozen=True)
class PacketOptions:
    path: Path
    duplex: bool = False
    insert: Path | None = None
    sort_by: str | None = None
    # The input column named by a placeholder in path's file name: one packet per value. None: one packet.
    group_by: str | None = None


@dataclass(frozen=True)
class PacketWritten:
    path: Path
    patients: int
    pages: int


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


def packet_paths(path: Path, column: str, values: Sequence[str], taken: NameAllocator) -> list[Path]:
    """One path per value, in the order given. Values whose safe names coincide (a/b and a_b, or a case
    difference) get -2, -3, ... as document names do; `taken` also keeps them off documents' names."""
    placeholder = "{" + column + "}"
    return [
        path.parent / taken.allocate(path.name.replace(placeholder, _value_stem(value, column)))
        for value in values
    ]


def _groups(items: Sequence[PacketItem]) -> dict[str, list[PacketItem]]:
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


def build_packets(
    items: Sequence[PacketItem], out_dir: Path, options: PacketOptions, taken: NameAllocator
) -> Iterator[PacketWritten]:
    """Write the packet, or one per group, one at a time (only one is ever in memory); yield each as it is
    written. `taken` holds the names already used in the packet's folder."""
    if options.group_by is None:
        yield PacketWritten(options.path, len(items), build_packet(items, out_dir, options))
        return
    groups = _groups(items)
    paths = packet_paths(options.path, options.group_by, list(groups), taken)
    for path, members in zip(paths, groups.values(), strict=True):
        pages = build_packet(members, out_dir, options, path)
        yield PacketWritten(path, len(members), pages)


def build_packet(
    items: Sequence[PacketItem], out_dir: Path, options: PacketOptions, path: Path | None = None
) -> int:
    """Write one packet atomically to `path` (default: options.path); return its page count."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    insert = read_insert(options.insert) if options.insert is not None else None
    writer = PdfWriter()
    writer.add_metadata({"/Title": PACKET_TITLE})
    for item in ordered(items, options.sort_by):
        try:
            document = PdfReader(out_dir / item.file)
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
    with atomic_file(path or options.path) as handle:
        writer.write(handle)
    return len(writer.pages)
