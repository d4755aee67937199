"""The inputs: each reader (CSV, FHIR) streams Records for the batch engine, one per patient document.

`open_records` picks the reader; `Record` and `column_key` (how input column names compare) are what the
engine and the packet use, and they come from here, never from a reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import InputFileError, OptionError
from ..site import SiteSettings
from . import csv, fhir
from .records import DISCHARGE_DATE, Record, column_key

FORMATS = ("csv", "fhir")
FHIR_SUFFIXES = (".json", ".ndjson")

__all__ = [
    "DISCHARGE_DATE",
    "FHIR_SUFFIXES",
    "FORMATS",
    "InputFileError",
    "Record",
    "column_key",
    "input_format",
    "input_paths",
    "open_records",
]


def input_format(path: Path, given: str | None) -> str:
    """The format given, else FHIR for a folder or a .json/.ndjson file, else CSV."""
    if given is not None:
        return given.lower()
    return "fhir" if path.is_dir() or path.suffix.lower() in FHIR_SUFFIXES else "csv"


def input_paths(path: Path) -> tuple[list[Path], list[Path]]:
    """What reading `path` may read, as (files, folders): a folder is read whole, and one .ndjson file of a
    Bulk Data export is read with the other .ndjson files beside it (its Patients and Encounters). Nothing
    the run writes may replace any of them."""
    if path.is_dir():
        return [], [path]
    if path.suffix.lower() == ".ndjson":
        try:
            siblings = sorted(p for p in path.parent.iterdir() if p.suffix.lower() == ".ndjson")
        except OSError:
            siblings = []
        return sorted({path, *siblings}), []
    return [path], []


def open_records(
    path: Path, kind: str, site: SiteSettings, encoding: str | None = None
) -> Callable[[], Iterator[Record]]:
    """A way to start reading the input (twice when a progress bar needs the row count first). `kind` is
    one of FORMATS. Raises OptionError for an encoding given with FHIR input (FHIR is UTF-8)."""
    if kind == "fhir":
        if encoding is not None:
            raise OptionError("encoding", "applies to CSV input only; FHIR input is UTF-8.")
        return lambda: fhir.read_fhir_records(path, site)
    return csv.csv_reader(path, site, encoding)
