"""Read an EHR export (CSV) into Records for the batch engine, one row at a time.

What real exports do and how each is handled:
- encoding: UTF-8 with or without a BOM, else Windows-1252 (found by a first streaming pass over the bytes),
  or the encoding given by --encoding or [csv] encoding;
- CRLF line ends, quoted fields holding commas and line breaks, blank lines, trailing spaces;
- their own header names: [csv.columns] maps a canonical name to the export's header; headers match
  ignoring case, spaces, underscores and hyphens; unknown columns are kept only for --sort-by;
- a discharge_date column instead of overnight: overnight means discharged on a later day.

Record.line is the physical line where the row starts (the header is line 1 when the file starts with it).
Errors name the field and what is allowed, never the value: values are patient data.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .case import ALL_FIELDS, REQUIRED_FIELDS, parse_bool, parse_date
from .errors import InputError, InvalidFields
from .records import InputFileError, Record
from .site import SiteSettings

DISCHARGE_DATE = "discharge_date"
FALLBACK_ENCODING = "cp1252"
_CHUNK = 1 << 20
_IGNORED_IN_HEADERS = re.compile(r"[\s_\-]+")


def column_key(name: str) -> str:
    """How header names are compared: case, spaces, underscores and hyphens do not count."""
    return _IGNORED_IN_HEADERS.sub("", name).casefold()


def _valid_in(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    """UTF-8 (BOM or not) when every byte is valid UTF-8, else Windows-1252. Streams; never loads the file."""
    with path.open("rb") as handle:
        start = handle.read(4)
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _valid_in(path, "utf-8"):
        return "utf-8-sig"
    if _valid_in(path, FALLBACK_ENCODING):
        return FALLBACK_ENCODING
    raise InputFileError(
        f"{path.name} is neither UTF-8 nor Windows-1252 text; give its encoding with --encoding"
    )


def resolve_encoding(name: str) -> str:
    """A codec name as Python knows it; UTF-8 always tolerates a BOM. Raises InputFileError if unknown."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise InputFileError(f"unknown encoding {name!r}; use for example utf-8 or cp1252") from None
    return "utf-8-sig" if info.name == "utf-8" else info.name


@dataclass(frozen=True)
class Columns:
    """Where each canonical field sits in a row, and the other columns kept for sorting."""

    fields: Mapping[str, int]
    extra: Mapping[str, int]
    width: int


def map_header(header: list[str], mapping: Mapping[str, str]) -> Columns:
    """Match the header to canonical fields; raise InputFileError when a required column is absent."""
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        key = column_key(name)
        if key and key not in positions:  # a repeated header: the first one counts
            positions[key] = index
    wanted = (*ALL_FIELDS, DISCHARGE_DATE)
    fields: dict[str, int] = {}
    used: set[int] = set()
    for field in wanted:
        # A mapped header first; the canonical name still works, so a partly renamed export is fine.
        for candidate in (mapping.get(field), field):
            if candidate is not None and column_key(candidate) in positions:
                fields[field] = positions[column_key(candidate)]
                used.add(fields[field])
                break
    for field in REQUIRED_FIELDS:
        if field in fields or (field == "overnight" and DISCHARGE_DATE in fields):
            continue
        looked_for = mapping.get(field, field)
        also = " (or discharge_date)" if field == "overnight" else ""
        raise InputFileError(
            f"the required column {field}{also} is missing (looked for the header {looked_for!r})"
        )
    # Other columns are kept under their own key, or under a [csv.columns] alias such as unit = "DEPT".
    aliases = {
        column_key(header_name): alias for alias, header_name in mapping.items() if alias not in wanted
    }
    extra: dict[str, int] = {}
    for key, index in positions.items():
        if index not in used:
            extra[column_key(aliases.get(key, key))] = index
    return Columns(fields=fields, extra=extra, width=len(header))


def _cell(row: list[str], index: int) -> str | None:
    value = row[index].strip() if index < len(row) else ""
    return value or None


def _overnight_from_discharge(fields: dict[str, str | None]) -> None:
    """Fill overnight from discharge_date (a later day means a night in hospital); check the two agree."""
    discharge_text = fields.pop(DISCHARGE_DATE, None)
    procedure_text = fields.get("procedure_date")
    if discharge_text is None:
        # An empty discharge date leaves overnight to build_case: "is required" if its column is empty too.
        fields.setdefault("overnight", None)
        return
    if procedure_text is None:
        return  # build_case reports the missing procedure date; overnight cannot be told without it
    discharge = parse_date(discharge_text, DISCHARGE_DATE)
    try:
        procedure = parse_date(procedure_text, "procedure_date")
    except InputError:
        return  # build_case reports the procedure date itself
    if discharge < procedure:
        raise InputError(DISCHARGE_DATE, "must not be before the procedure date")
    stayed = discharge > procedure
    given = fields.get("overnight")
    if given is None:
        fields["overnight"] = "yes" if stayed else "no"
    elif parse_bool(given, "overnight") != stayed:
        raise InputError(
            "overnight", "does not agree with discharge_date (a later discharge day means an overnight stay)"
        )


def _record(line: int, row: list[str], columns: Columns) -> Record:
    """The row's fields, and its errors when the reader finds any: the fields still go with them (those it
    could read), so the batch reports the case's own field errors beside the reader's in one run."""
    extra = {key: (_cell(row, index) or "") for key, index in columns.extra.items()}
    fields: dict[str, str | None] = {field: _cell(row, index) for field, index in columns.fields.items()}
    errors: list[InputError] = []
    try:
        _overnight_from_discharge(fields)
    except InputError as error:
        errors.append(error)
        if error.field == DISCHARGE_DATE and fields.get("overnight") is None:
            # An empty overnight would have come from the discharge date: not a second problem.
            fields.pop("overnight", None)
    fields.pop(DISCHARGE_DATE, None)
    if any(cell.strip() for cell in row[columns.width :]):
        errors.append(InputError("row", "has more values than the header has columns; check the quoting"))
    if errors:
        found = errors[0] if len(errors) == 1 else InvalidFields(errors)
        return Record(line=line, fields=fields, extra=extra, error=found)
    return Record(line=line, fields=fields, extra=extra)


def _rows(handle: TextIO) -> Iterator[tuple[int, list[str]]]:
    """Non-blank rows with the physical line each starts on."""
    reader = csv.reader(handle, strict=False)
    end = 0
    for row in reader:
        start, end = end + 1, reader.line_num
        if any(cell.strip() for cell in row):
            yield start, row


def read_csv_records(path: Path, site: SiteSettings, encoding: str | None = None) -> Iterator[Record]:
    """Records in input order. Raises InputFileError when the file is unusable: at once for a missing file
    or unknown encoding, on the first next() for a missing header or column, mid-way for bad bytes."""
    if not path.is_file():
        raise InputFileError(f"no input file at {path}")
    chosen = encoding or site.csv.encoding
    text_encoding = resolve_encoding(chosen) if chosen else detect_encoding(path)
    return _records(path, text_encoding, site.csv.columns)


def _records(path: Path, encoding: str, mapping: Mapping[str, str]) -> Iterator[Record]:
    line = 0
    try:
        with path.open(encoding=encoding, newline="") as handle:
            rows = _rows(handle)
            first = next(rows, None)
            if first is None:
                raise InputFileError(f"{path.name} has no header row")
            columns = map_header(first[1], mapping)
            for line, row in rows:
                yield _record(line, row, columns)
    except UnicodeDecodeError:
        raise InputFileError(
            f"{path.name} is not valid {encoding} text (after line {line}); give the right --encoding"
        ) from None
    except csv.Error as error:
        raise InputFileError(f"{path.name} is not readable CSV after line {line} ({error})") from None
    except OSError as error:
        raise InputFileError(f"cannot read {path.name}: {error.strerror}") from None
