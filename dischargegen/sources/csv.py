"""Read an EHR export (CSV) into Records for the batch engine, one row at a time.

What real exports do and how each is handled:
- encoding: UTF-8 with or without a BOM, else Windows-1252 (found by a first streaming pass over the bytes),
  or the encoding given by --encoding or [csv] encoding; UTF-16 with or without a byte-order mark. Bytes
  that contradict the encoding make their row fail alone (naming the column), never print as mojibake;
- CRLF, LF or CR line ends, quoted fields holding commas and line breaks, blank lines, trailing spaces;
- their own header names: [csv.columns] maps a canonical name to the export's header; headers match
  ignoring case, spaces, underscores and hyphens; unknown columns are kept only for --sort-by;
- a discharge_date column instead of overnight: overnight means discharged on a later day.

Every physical line is accounted for: it starts a row (which reaches the manifest as written or failed), is
blank, or lies inside a quoted value of the row above it. A quote that is never closed, or that would swallow
lines that read as rows of their own, fails the row it starts on, and reading goes on at the next line.

Record.line is the physical line where the row starts (the header is line 1 when the file starts with it).
Errors name the field and what is allowed, never the value: values are patient data.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import re
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .. import vocab
from ..case import ALL_FIELDS, REQUIRED_FIELDS, parse_bool, parse_date
from ..errors import InputError, InputFileError, each_error, one_error
from ..site import SiteSettings
from .records import DISCHARGE_DATE, Record, column_key

FALLBACK_ENCODING = "cp1252"
_CHUNK = 1 << 20
# Limits no real export reaches (a value of a million characters is some 300 printed pages). Python's csv
# module stops at 128 KiB a field for the whole process; this reader splits rows itself (below), so its
# limits are its own and other code in the process keeps csv's default.
VALUE_LIMIT = 1 << 20  # characters in one value
LINE_LIMIT = 8 << 20  # characters in one physical line, and in all the lines of one row
QUOTED_LINES_LIMIT = 1000  # physical lines one quoted value may run over

# Bytes the decoder could not read, kept as lone surrogates (errors="surrogateescape") so that only the row
# holding them fails. Windows-1252 leaves five bytes undefined.
_UNDECODED = re.compile("[\udc80-\udcff]")
_UNDEFINED_IN_CP1252 = b"\x81\x8d\x8f\x90\x9d"
# UTF-16 without a byte-order mark: text in the Latin alphabet has a NUL in every other byte.
_UTF16_SNIFF = 4096
_UTF16_NUL_SHARE = 0.3


@dataclass(frozen=True)
class Decoding:
    """How the file's bytes become text, and what a row's bytes must not contradict."""

    codec: str
    # Given by --encoding or [csv] encoding rather than detected: bytes it cannot decode are that row's
    # problem, and the message names the option.
    given: bool = False
    # Windows-1252 and other one-byte encodings: a value whose bytes read as UTF-8 (a UTF-8 row in a
    # Windows-1252 file, or a UTF-8 file given as --encoding latin-1) fails rather than print as "JosÃ©".
    refuse_utf8_values: bool = False


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


def _utf16_without_bom(start: bytes) -> str | None:
    """utf-16-le or utf-16-be when the first bytes have NULs in every other place, as UTF-16 text has."""
    pairs = len(start) // 2
    if pairs < 4:
        return None
    even, odd = start[0 : 2 * pairs : 2].count(0), start[1 : 2 * pairs : 2].count(0)
    if odd >= pairs * _UTF16_NUL_SHARE and even <= odd // 10:
        return "utf-16-le"
    if even >= pairs * _UTF16_NUL_SHARE and odd <= even // 10:
        return "utf-16-be"
    return None


def _count_utf8(path: Path) -> tuple[int, int, bool]:
    """Characters beyond ASCII that are valid UTF-8, bytes that are not, and whether every byte is
    defined in Windows-1252. One streaming pass; never loads the file."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    valid = invalid = 0
    cp1252_ok = True
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            text = decoder.decode(chunk, final=not chunk)
            if not text.isascii():
                bad = len(_UNDECODED.findall(text))
                invalid += bad
                valid += len(text) - len(text.encode("ascii", "ignore")) - bad
            if cp1252_ok and any(byte in chunk for byte in _UNDEFINED_IN_CP1252):
                cp1252_ok = False
            if not chunk:
                return valid, invalid, cp1252_ok


def detect_encoding(path: Path) -> Decoding:
    """UTF-8 (BOM or not) when every byte is valid UTF-8, else Windows-1252; UTF-16 by its byte-order mark
    or its NULs. Streams; never loads the file.

    A file with both valid UTF-8 and bytes that are not is read in the encoding most of its text is in,
    and the rows in the other one fail alone: neither guess may print a name as mojibake."""
    with path.open("rb") as handle:
        start = handle.read(_UTF16_SNIFF)
    if start.startswith(codecs.BOM_UTF8):
        return Decoding("utf-8-sig")
    # UTF-16 is checked whole before the run: its bad bytes cannot be set aside for one row as others are.
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if not _valid_in(path, "utf-16"):
            raise InputFileError(
                f"{path.name} starts as UTF-16 text but is not valid UTF-16; give its encoding with --encoding"
            )
        return Decoding("utf-16")
    utf16 = _utf16_without_bom(start)
    if utf16 is not None:
        if not _valid_in(path, utf16):
            raise InputFileError(
                f"{path.name} looks like UTF-16 text without a byte-order mark but is not valid {utf16}; "
                "give its encoding with --encoding (utf-16-le or utf-16-be)"
            )
        return Decoding(utf16)
    valid, invalid, cp1252_ok = _count_utf8(path)
    if valid >= invalid:
        return Decoding("utf-8-sig")  # all or mostly UTF-8: rows with other bytes fail alone
    if not cp1252_ok and not valid:
        raise InputFileError(
            f"{path.name} is neither UTF-8 nor Windows-1252 text; give its encoding with --encoding"
        )
    return Decoding(FALLBACK_ENCODING, refuse_utf8_values=True)


def resolve_encoding(name: str) -> str:
    """A codec name as Python knows it; UTF-8 always tolerates a BOM. Raises InputFileError if unknown."""
    try:
        info = codecs.lookup(name)
        with contextlib.suppress(UnicodeError):  # a text encoding that wants more than one byte (UTF-16)
            b"\n".decode(info.name)  # rot13, base64, zlib: codecs, but not from bytes to text
    except LookupError:
        raise InputFileError(f"unknown encoding {name!r}; use for example utf-8 or cp1252") from None
    return "utf-8-sig" if info.name == "utf-8" else info.name


@dataclass(frozen=True)
class Columns:
    """Where each canonical field sits in a row, and the other columns kept for sorting."""

    fields: Mapping[str, int]
    extra: Mapping[str, int]
    width: int
    # Other columns the header has more than once (by column_key): kept out of `extra`, since no one can
    # tell which to sort or group by; naming one in --sort-by or a --packet placeholder is refused.
    ambiguous: frozenset[str] = frozenset()


def _more_than_once(header: list[str], indexes: list[int], what: str) -> InputFileError:
    names = " and ".join(f"{header[index].strip()!r} (column {index + 1})" for index in indexes)
    return InputFileError(
        f"the header has more than one column for {what}: {names}; remove or rename all but one"
    )


def map_header(header: list[str], mapping: Mapping[str, str]) -> Columns:
    """Match the header to canonical fields. Raises InputFileError when a required column is absent, or
    when a case field could be read from more than one column (a repeated header, also after the
    normalisation of column_key, or two fields mapped to one column): the wrong one would print."""
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        key = column_key(name)
        if key:
            positions.setdefault(key, []).append(index)
    wanted = (*ALL_FIELDS, DISCHARGE_DATE)
    fields: dict[str, int] = {}
    used: dict[int, str] = {}

    def take(field: str, index: int) -> None:
        if index in used:
            raise InputFileError(
                f"the column {header[index].strip()!r} (column {index + 1}) is read as both "
                f"{used[index]} and {field}; map each field to a column of its own in [csv.columns]"
            )
        fields[field] = index
        used[index] = field

    for field in wanted:
        # A mapped header first (it wins over a column with the canonical name: the site named it); the
        # canonical name still works, so a partly renamed export is fine. A field with synonyms takes its
        # canonical name with them, below.
        named = () if field in vocab.COLUMN_SYNONYMS else (field,)
        for candidate in (mapping.get(field), *named):
            found = positions.get(column_key(candidate)) if candidate is not None else None
            if not found:
                continue
            if len(found) > 1:
                raise _more_than_once(header, found, field)
            take(field, found[0])
            break
    # Then a field with other header names in exports (vocab.COLUMN_SYNONYMS) that the site did not map:
    # its canonical name or one of those, in a column no other field has. Two of them (an "Anticoagulant"
    # and a "blood_thinner" column) refuse the file, since no one can tell which is meant; a mapping in
    # [csv.columns] settles it.
    for field, synonyms in vocab.COLUMN_SYNONYMS.items():
        if field in fields:
            continue
        found = sorted(
            index
            for key in dict.fromkeys(column_key(name) for name in (field, *synonyms))
            for index in positions.get(key, ())
            if index not in used
        )
        if len(found) > 1:
            raise _more_than_once(header, found, field)
        if found:
            take(field, found[0])
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
    others: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        key = column_key(name)
        if key and index not in used:
            others.setdefault(column_key(aliases.get(key, key)), []).append(index)
    # Two "Comments" columns are common and harmless until something reads one of them. A repeated name
    # of a case field is shadowed by the field itself (--sort-by reads the field), so it is no ambiguity.
    shadowed = {column_key(field) for field in wanted}
    extra = {key: indexes[0] for key, indexes in others.items() if len(indexes) == 1}
    ambiguous = frozenset(key for key, indexes in others.items() if len(indexes) > 1 and key not in shadowed)
    return Columns(fields=fields, extra=extra, width=len(header), ambiguous=ambiguous)


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
        found = one_error(errors)
        return Record(line=line, fields=fields, extra=extra, error=found)
    return Record(line=line, fields=fields, extra=extra)


def _record_without(
    line: int, values: list[str], columns: Columns, labels: list[str], errors: list[InputError]
) -> Record:
    """A row with values the reader must not hand on (see _value_errors): the other fields still go with
    the errors, so the batch reports every failing field of the row in one run. The unread fields are left
    out of the record, so they are not reported again as missing."""
    unread = {error.field for error in errors}
    kept = [
        "" if index < len(labels) and labels[index] in unread else value for index, value in enumerate(values)
    ]
    record = _record(line, kept, columns)
    if DISCHARGE_DATE in unread and record.fields.get("overnight") is None:
        unread.add("overnight")  # an empty overnight would have come from the discharge date
    fields = {field: value for field, value in record.fields.items() if field not in unread}
    found = list(errors)
    if record.error is not None:
        found += [error for error in each_error(record.error) if error.field not in unread]
    error = one_error(found)
    return Record(line=line, fields=fields, extra=record.extra, error=error)


# --- splitting rows -------------------------------------------------------------------------------------
# The reader splits rows itself, the way csv.reader(strict=False) does with the default dialect (a quote
# opens a value only at its start, "" inside is a quote, text after a closing quote joins the value), so that
# it sees where each quoted value opens and can stop one that runs away. The tests compare the two.


def _ends_inside_quotes(line: str, inside: bool) -> bool:
    """Whether a quoted value is open at the end of this physical line, given whether one was at its start."""
    if '"' not in line:
        return inside
    pos = 0
    while True:
        if inside:
            quote = line.find('"', pos)
            if quote < 0:
                return True
            if line.startswith('"', quote + 1):
                pos = quote + 2
                continue
            inside, pos = False, quote + 1
        elif line.startswith('"', pos):
            inside, pos = True, pos + 1
            continue
        comma = line.find(",", pos)  # the rest of this value is plain text
        if comma < 0:
            return False
        pos = comma + 1


def _without_line_end(text: str) -> str:
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith(("\n", "\r")) else text


def split_row(text: str) -> list[str]:
    """The values of one row: its physical lines, joined, the last one's line end included or not."""
    body = _without_line_end(text)
    if not body:
        return []
    if '"' not in body:
        return body.split(",")
    values: list[str] = []
    pos = 0
    while True:
        parts: list[str] = []
        if body.startswith('"', pos):
            pos += 1
            while True:
                quote = body.find('"', pos)
                if quote < 0:
                    parts.append(body[pos:])
                    pos = len(body)
                    break
                parts.append(body[pos:quote])
                if body.startswith('"', quote + 1):
                    parts.append('"')
                    pos = quote + 2
                    continue
                pos = quote + 1
                break
        comma = body.find(",", pos)
        parts.append(body[pos:] if comma < 0 else body[pos:comma])
        values.append("".join(parts))
        if comma < 0:
            return values
        pos = comma + 1


def _physical_lines(handle: TextIO) -> Iterator[str | None]:
    """Each physical line with its line end (\\r\\n, \\n or \\r, as csv counts them), or None for a line
    longer than LINE_LIMIT, which is skipped without being held in memory."""
    carried: str | None = None
    while True:
        piece = carried if carried is not None else handle.readline(LINE_LIMIT)
        carried = None
        if not piece:
            return
        if len(piece) < LINE_LIMIT:
            yield piece
            continue
        while len(piece) == LINE_LIMIT and not piece.endswith(("\n", "\r")):
            piece = handle.readline(LINE_LIMIT)
        if len(piece) == LINE_LIMIT and piece.endswith("\r"):  # may be the first half of a \r\n
            following = handle.readline(LINE_LIMIT)
            carried = None if following == "\n" else following
        yield None


@dataclass(frozen=True)
class _Row:
    line: int
    text: str = ""  # the row's physical lines, joined
    problem: str | None = None  # why the row cannot be read (the row's lines after the first are read again)


class _RowReader:
    """Rows with the physical line each starts on; blank lines are rows without values.

    A quoted value may run over line ends, as far as a real export's free text does. It fails the row it
    starts on, which is then that one line, when it is never closed, runs over QUOTED_LINES_LIMIT lines or
    LINE_LIMIT characters, passes a line that reads as a row of its own (as many values as the header has
    columns), or closes where the joined lines make a row wider than the header. The lines it ran over are
    then read again as rows: a stray quote costs one row, never the rows behind it.

    Why here and not in a pass before the run: the decision needs the header's width and a bounded look
    ahead only, and one bad row must not stop the others (a night's export is not refused for one comment).
    """

    def __init__(self, lines: Iterator[str | None]) -> None:
        self._lines = lines
        self._again: deque[tuple[int, str | None]] = deque()
        self._read = 0
        self.width: int | None = None  # the header's, once known
        # What _quoted_over_lines learnt of each line it looked ahead at and gave back: whether a quoted value
        # open at its start stays open, and whether it reads as a row of its own. They depend on the line
        # alone, so the next look-ahead over the same lines (one a line, after a run of stray quotes)
        # takes them from here instead of splitting every line again.
        self._seen: dict[int, tuple[bool, bool]] = {}

    def _next(self) -> tuple[int, str | None] | None:
        if self._again:
            return self._again.popleft()
        for text in self._lines:
            self._read += 1
            return self._read, text
        return None

    def __iter__(self) -> Iterator[_Row]:
        while (first := self._next()) is not None:
            line, text = first
            self._seen.pop(line, None)
            if text is None:
                yield _Row(line, problem=f"is longer than {LINE_LIMIT} characters, more than any export has")
            elif not _ends_inside_quotes(text, inside=False):
                yield _Row(line, text)
            else:
                yield self._quoted_over_lines(line, text)

    def _quoted_over_lines(self, line: int, text: str) -> _Row:
        taken: list[tuple[int, str | None]] = []
        parts, size = [text], len(text)
        problem: str | None = None
        while True:
            following = self._next()
            if following is None:
                problem = "is never closed (the file ends inside it)"
                break
            taken.append(following)
            number, more = following
            if more is None or size + len(more) > LINE_LIMIT or len(taken) >= QUOTED_LINES_LIMIT:
                problem = f"runs on for more than {QUOTED_LINES_LIMIT} lines or {LINE_LIMIT} characters"
                break
            parts.append(more)
            size += len(more)
            seen = self._seen.get(number)
            if seen is None:
                still_open = _ends_inside_quotes(more, inside=True)
                seen = (
                    still_open,
                    still_open and self.width is not None and len(split_row(more)) >= self.width,
                )
                if self.width is not None:  # the header's own look-ahead knows no width yet
                    self._seen[number] = seen
            still_open, a_row_of_its_own = seen
            if not still_open:
                joined = "".join(parts)
                if self.width is not None and any(v.strip() for v in split_row(joined)[self.width :]):
                    problem = f"closes on line {number}, making one row wider than the header"
                    break
                for taken_number, _ in taken:
                    self._seen.pop(taken_number, None)
                return _Row(line, joined)
            if a_row_of_its_own:
                problem = f"runs into line {number}, which reads as a row of its own"
                break
        self._again.extendleft(reversed(taken))
        return _Row(line, problem=f"a quoted value that starts on this line {problem}; check the quoting")


# --- records ----------------------------------------------------------------------------------------------
def read_csv_records(path: Path, site: SiteSettings, encoding: str | None = None) -> Iterator[Record]:
    """Records in input order. Raises InputFileError when the file is unusable: at once for a missing file,
    an unknown or undetectable encoding, on the first next() for a missing, repeated or unreadable header."""
    return csv_reader(path, site, encoding)()


def csv_reader(path: Path, site: SiteSettings, encoding: str | None = None) -> Callable[[], Iterator[Record]]:
    """A way to start reading the file, as often as needed (a progress bar counts the rows first), with its
    encoding decided once: detection reads the whole file. Raises InputFileError as read_csv_records does."""
    if not path.is_file():
        raise InputFileError(f"no input file at {path}")
    chosen = encoding or site.csv.encoding
    if chosen:
        codec = resolve_encoding(chosen)
        decoding = Decoding(codec, given=True, refuse_utf8_values=_one_byte_a_character(codec))
    else:
        decoding = detect_encoding(path)
    return lambda: _records(path, decoding, site.csv.columns)


def _labels(header: list[str], columns: Columns) -> list[str]:
    """What a message calls each column: the canonical field's name, else the header's own."""
    labels = [name.strip() or f"column {index + 1}" for index, name in enumerate(header)]
    for field, index in columns.fields.items():
        labels[index] = field
    return labels


def _value_errors(values: list[str], labels: list[str], decoding: Decoding) -> list[InputError]:
    """Values the reader must not hand on: too long, or bytes the encoding contradicts. Never quotes them."""
    errors: list[InputError] = []
    for index, value in enumerate(values):
        label = labels[index] if index < len(labels) else "row"
        if len(value) > VALUE_LIMIT:
            errors.append(
                InputError(label, f"is longer than {VALUE_LIMIT} characters, more than any export has")
            )
        elif value.isascii():
            continue
        elif _UNDECODED.search(value):
            if decoding.given:
                message = f"is not valid {_codec_name(decoding.codec)} text, the encoding given by --encoding or [csv] encoding"
            else:
                message = (
                    f"is not valid {_codec_name(decoding.codec)} text, as the rest of the file is; "
                    "correct the export, or give its encoding with --encoding"
                )
            errors.append(InputError(label, message))
        elif decoding.refuse_utf8_values and _reads_as_utf8(value, decoding.codec):
            errors.append(
                InputError(
                    label,
                    f"is UTF-8 text in a file read as {_codec_name(decoding.codec)}; correct the export, "
                    "or give its encoding with --encoding",
                )
            )
    return errors


def _codec_name(codec: str) -> str:
    return {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252"}.get(codec, codec)


def _one_byte_a_character(codec: str) -> bool:
    """Windows-1252, Latin-1 and their kind: any byte is some character, so UTF-8 bytes read as mojibake
    instead of failing; the values they make are refused (UTF-16 or Shift JIS bytes are another matter)."""
    try:
        every_byte = bytes(range(256)).decode(codec, errors="replace")
        return len(every_byte) == 256 and len("\u0416\u00e9".encode(codec, errors="replace")) == 2
    except UnicodeError:  # a codec that ignores errors="replace" (punycode): not one of those
        return False


def _reads_as_utf8(value: str, codec: str) -> bool:
    try:
        value.encode(codec).decode("utf-8")
    except UnicodeError:
        return False
    return True


def _header(rows: Iterator[_Row], path: Path, decoding: Decoding) -> list[str]:
    for row in rows:
        if row.problem is not None:
            raise InputFileError(f"the header row of {path.name} (line {row.line}): {row.problem}")
        values = split_row(row.text)
        if not any(value.strip() for value in values):
            continue
        if _UNDECODED.search(row.text):
            raise InputFileError(
                f"the header row of {path.name} is not valid {_codec_name(decoding.codec)} text; "
                "give its encoding with --encoding"
            )
        return values
    raise InputFileError(f"{path.name} has no header row")


def _records(path: Path, decoding: Decoding, mapping: Mapping[str, str]) -> Iterator[Record]:
    try:
        with path.open(encoding=decoding.codec, errors="surrogateescape", newline="") as handle:
            reader = _RowReader(_physical_lines(handle))
            rows = iter(reader)
            header = _header(rows, path, decoding)
            columns = map_header(header, mapping)
            reader.width = columns.width
            labels = _labels(header, columns)
            blank_extra = dict.fromkeys(columns.extra, "")
            for row in rows:
                if row.problem is not None:
                    record = Record(row.line, extra=blank_extra, error=InputError("row", row.problem))
                else:
                    values = split_row(row.text)
                    if not any(value.strip() for value in values):
                        continue  # a blank line
                    suspect = len(row.text) > VALUE_LIMIT or (
                        not row.text.isascii()
                        and (decoding.refuse_utf8_values or _UNDECODED.search(row.text) is not None)
                    )
                    errors = _value_errors(values, labels, decoding) if suspect else []
                    if errors:
                        record = _record_without(row.line, values, columns, labels, errors)
                    else:
                        record = _record(row.line, values, columns)
                if columns.ambiguous:
                    record = dataclasses.replace(record, ambiguous=columns.ambiguous)
                yield record
    except UnicodeError:
        # Bytes below 0x80 that do not decode (a UTF-16 file cut in half) cannot be kept aside as others are;
        # some codecs (utf-16 without a byte-order mark, idna) fail whatever the error handler.
        raise InputFileError(
            f"{path.name} is not valid {_codec_name(decoding.codec)} text; give the right --encoding"
        ) from None
    except OSError as error:
        raise InputFileError(f"cannot read {path.name}: {error.strerror}") from None
