"""The print-ready packet: every written document in one PDF, one bookmark per patient.

Assembled after the run from the PDFs on disk, one at a time, so only sort keys, file names and bookmark
titles are held until then. With duplex printing each patient is padded to an even page count, so no sheet
carries two patients; an insert (a medication sheet, a leaflet) follows each patient and is padded the
same way, so it starts and ends on its own sheets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from .batch import PacketItem
from .errors import DischargeGenError
from .files import atomic_file

PACKET_TITLE = "Discharge instructions"
_NUMBER = re.compile(r"(\d+)")


class PacketError(DischargeGenError):
    """The packet could not be assembled (an insert or a document that pypdf cannot read)."""


@dataclass(frozen=True)
class PacketOptions:
    path: Path
    duplex: bool = False
    insert: Path | None = None
    sort_by: str | None = None


def natural_key(text: str) -> tuple[Any, ...]:
    """A sort key that puts Room 2 before Room 10, ignores case and puts empty values last."""
    parts = _NUMBER.split(text.strip().casefold())
    return (not text.strip(), tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p))


def ordered(items: Sequence[PacketItem], sort_by: str | None) -> list[PacketItem]:
    """Input order, or stably sorted by the --sort-by column (ties keep input order)."""
    if sort_by is None:
        return sorted(items, key=lambda item: item.line)
    return sorted(items, key=lambda item: (natural_key(item.sort_key), item.line))


def read_insert(path: Path) -> PdfReader:
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


def build_packet(items: Sequence[PacketItem], out_dir: Path, options: PacketOptions) -> int:
    """Write the packet atomically; return its page count."""
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
    with atomic_file(options.path) as handle:
        writer.write(handle)
    return len(writer.pages)
