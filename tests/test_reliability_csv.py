"""Issue 11, the CSV reader under bad input: every physical line of an export is accounted for.

Unless the run exits 2, refusing the file as a whole, each physical line after the header is one of:
- the start of a row that manifest.csv lists, written or failed (errors.csv saying why, never the value);
- blank: csv.reader reads it as values that are all spaces (no patient there);
- inside a quoted value that opened on the start line of the row above it (a comment over several lines),
  closes before the next row starts, spans at most QUOTED_LINES_LIMIT lines and, before the line it closes
  on, passes no line that reads as a whole row (as many values as the header).
Anything else is a lost patient. The property tests check this from the file's own lines and csv.reader, not
from the reader under test, and a generated export checks the exact row start lines it was built with.

The tests run the real `dischargegen batch` command (CliRunner, --jobs 1) and read back manifest.csv,
errors.csv and the PDFs.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections.abc import Sequence
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dischargegen.cli import cli
from dischargegen.site import DEFAULT_SITE
from dischargegen.sources import InputFileError
from dischargegen.sources import csv as csv_source
from dischargegen.sources.csv import LINE_LIMIT, QUOTED_LINES_LIMIT, VALUE_LIMIT, read_csv_records, split_row
from tests.helpers import BASE_FIELDS

COLUMNS = list(BASE_FIELDS)
HEADER = ",".join(COLUMNS)


def row(name: str, mrn: str, *extra: str) -> str:
    values = {**BASE_FIELDS, "patient_name": name, "mrn": mrn}
    return ",".join([*values.values(), *extra])


def batch(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["batch", "--jobs", "1", *(str(a) for a in args)])


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def statuses(out: Path) -> dict[int, str]:
    return {int(entry["line"]): entry["status"] for entry in read_csv(out / "manifest.csv")}


def errors(out: Path) -> list[tuple[int, str, str]]:
    return [(int(e["line"]), e["field"], e["message"]) for e in read_csv(out / "errors.csv")]


def written_text(out: Path) -> dict[int, str]:
    """Each written row's PDF, read back: line -> the text of its pages."""
    texts: dict[int, str] = {}
    for entry in read_csv(out / "manifest.csv"):
        if entry["status"] == "written":
            reader = pypdf.PdfReader(out / entry["file"])
            texts[int(entry["line"])] = " ".join(
                " ".join((p.extract_text() or "") for p in reader.pages).split()
            )
    return texts


def assert_clean(result: Result, codes: Sequence[int]) -> None:
    assert result.exit_code in codes, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


# --- 1. a stray quote ---------------------------------------------------------------------------------
def ten_rows() -> list[str]:
    return [row(f"Patient{chr(65 + i)} Example", f"MRN-{i}") for i in range(10)]


def test_a_stray_quote_fails_its_row_and_the_rows_behind_it_are_written(tmp_path: Path) -> None:
    rows = ten_rows()
    rows[2] += ',"Pat prefers Bob'  # line 4: an extra column whose quote never closes
    export = tmp_path / "in.csv"
    export.write_text("\r\n".join([HEADER, *rows]) + "\r\n", encoding="utf-8")
    result = batch(export, "--out-dir", tmp_path / "out")
    assert_clean(result, [1])
    out = tmp_path / "out"
    assert statuses(out) == {line: "failed" if line == 4 else "written" for line in range(2, 12)}
    ((line, field, message),) = errors(out)
    assert (line, field) == (4, "row") and "quoted value that starts on this line" in message
    assert "Pat prefers" not in message and "Pat prefers" not in result.output
    texts = written_text(out)
    for line in texts:
        assert f"Patient{chr(65 + line - 2)} Example" in texts[line]


def test_a_stray_quote_that_a_later_quote_closes_swallows_nothing(tmp_path: Path) -> None:
    rows = ten_rows()
    rows[2] += ',"Pat prefers Bob'
    rows[5] = row('"Diaz, Ana"', "MRN-5")  # line 7: a legitimate quoted value would close line 4's
    rows[8] = row("Bo Li", "MRN-8", 'he said ""hi""')  # not quoted at its start: the quotes are text
    export = tmp_path / "in.csv"
    export.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    result = batch(export, "--out-dir", tmp_path / "out")
    assert_clean(result, [1])
    out = tmp_path / "out"
    lines = statuses(out)
    assert sorted(lines) == list(range(2, 12))
    assert [line for line, status in lines.items() if status == "failed"] == [4, 10]  # line 10 has 9 values
    assert "Diaz, Ana" in written_text(out)[7]


def test_a_run_of_lines_that_each_open_a_quote_fails_line_by_line(tmp_path: Path) -> None:
    # Each line opens a quote when read as a row, and keeps one open when read inside a quoted value: every
    # one fails alone after a look-ahead over the lines behind it (which the reader keeps what it learnt of,
    # rather than splitting them again for each), and the good row after them is read.
    export = tmp_path / "in.csv"
    lines = [HEADER, *['a"b,"c'] * 60, row("Zoe Last", "MRN-Z")]
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = list(read_csv_records(export, DEFAULT_SITE))
    assert [r.line for r in records] == list(range(2, 63))
    assert all(r.error is not None and r.error.field == "row" for r in records[:-1])
    assert records[-1].error is None and records[-1].fields["mrn"] == "MRN-Z"


def test_a_quote_left_open_on_the_last_row_fails_only_that_row(tmp_path: Path) -> None:
    export = tmp_path / "in.csv"
    never_closed = row("Bo Li", "M-2", '"never')
    export.write_text(f"{HEADER},notes\n{row('Ana Diaz', 'M-1', 'ok')}\n{never_closed}\n")
    result = batch(export, "--out-dir", tmp_path / "out")
    assert_clean(result, [1])
    assert statuses(tmp_path / "out") == {2: "written", 3: "failed"}
    assert "the file ends inside it" in errors(tmp_path / "out")[0][2]


def test_free_text_over_several_lines_is_still_one_row(tmp_path: Path) -> None:
    note = '"Walks with a frame.\r\n\r\nDaughter, Sam, drives; ""no stairs"".\r\nCall if fever."'
    export = tmp_path / "in.csv"
    text = f"{HEADER},notes\r\n{row('Ana Diaz', 'M-1', note)}\r\n{row('Bo Li', 'M-2', 'x')}\r\n"
    export.write_text(text, encoding="utf-8", newline="")
    result = batch(export, "--out-dir", tmp_path / "out")
    assert_clean(result, [0])
    assert statuses(tmp_path / "out") == {2: "written", 6: "written"}


def test_a_quoted_value_over_too_many_lines_fails_and_the_lines_are_read_again(tmp_path: Path) -> None:
    lines = [f"{HEADER},notes", row("Ana Diaz", "M-1", '"start')]
    lines += ["free text"] * QUOTED_LINES_LIMIT + ['end"', row("Bo Li", "M-2")]
    path = tmp_path / "in.csv"
    path.write_text("\n".join(lines) + "\n")
    records = list(read_csv_records(path, DEFAULT_SITE))
    assert records[0].line == 2 and records[0].error is not None and records[0].error.field == "row"
    assert "more than 1000 lines" in records[0].error.message
    # The lines it ran over are rows again: each one is accounted for (here each fails, it is no patient).
    assert [r.line for r in records] == list(range(2, len(lines) + 1))
    assert records[-1].error is None and records[-1].fields["patient_name"] == "Bo Li"


def test_a_quote_in_the_header_that_never_closes_refuses_the_file(tmp_path: Path) -> None:
    export = tmp_path / "in.csv"
    export.write_text(f'{HEADER},"notes\n{row("Ana Diaz", "M-1")}\n')
    result = batch(export, "--out-dir", tmp_path / "out")
    assert_clean(result, [2])
    assert "header row" in result.output and "line 1" in result.output


# --- 2. one Windows-1252 row in a UTF-8 file (and the reverse) ------------------------------------------
def test_a_windows_1252_row_in_a_utf8_file_fails_alone_and_no_name_is_mojibake(tmp_path: Path) -> None:
    utf8_rows = [row("José Peña", f"MRN-{i}").encode("utf-8") for i in range(4)]
    cp1252_row = row("Zoë Müller", "MRN-9").encode("cp1252")
    export = tmp_path / "in.csv"
    export.write_bytes(b"\r\n".join([HEADER.encode(), *utf8_rows[:2], cp1252_row, *utf8_rows[2:]]) + b"\r\n")
    result = batch(export, "--out-dir", tmp_path / "out")
    assert_clean(result, [1])
    out = tmp_path / "out"
    assert statuses(out) == {2: "written", 3: "written", 4: "failed", 5: "written", 6: "written"}
    ((line, field, message),) = errors(out)
    assert (line, field) == (4, "patient_name")
    assert "not valid UTF-8" in message and "--encoding" in message
    assert not any(part in message + result.output for part in ("Zo", "Müller", "José"))
    for text in written_text(out).values():
        assert "José Peña" in text and "Ã" not in text


def test_a_row_with_a_value_it_cannot_read_still_reports_its_other_failing_fields(tmp_path: Path) -> None:
    values = {**BASE_FIELDS, "patient_name": "Zoë Müller", "levels": "T13", "dob": "1944-13-01"}
    bad_row = ",".join(values.values()).encode("cp1252")
    export = tmp_path / "in.csv"
    export.write_bytes(b"\r\n".join([HEADER.encode(), row("José Peña", "MRN-1").encode(), bad_row]) + b"\r\n")
    result = batch(export, "--out-dir", tmp_path / "out")
    assert_clean(result, [1])
    out = tmp_path / "out"
    assert statuses(out) == {2: "written", 3: "failed"}
    # Every failing field, once, in column order: the unreadable name is not also "required".
    assert [(line, field) for line, field, _ in errors(out)] == [
        (3, "patient_name"),
        (3, "dob"),
        (3, "levels"),
    ]


def test_a_utf8_row_in_a_windows_1252_file_fails_alone(tmp_path: Path) -> None:
    cp1252_rows = [row(f"Zoë Müller{i}", f"MRN-{i}").encode("cp1252") for i in range(3)]
    utf8_row = row("José Peña", "MRN-9").encode("utf-8")
    export = tmp_path / "in.csv"
    export.write_bytes(b"\n".join([HEADER.encode(), cp1252_rows[0], utf8_row, *cp1252_rows[1:]]) + b"\n")
    result = batch(export, "--out-dir", tmp_path / "out")
    assert_clean(result, [1])
    out = tmp_path / "out"
    assert statuses(out) == {2: "written", 3: "failed", 4: "written", 5: "written"}
    assert errors(out)[0][:2] == (3, "patient_name") and "UTF-8 text" in errors(out)[0][2]
    texts = written_text(out)
    assert all("Zoë Müller" in text and "Ã" not in text for text in texts.values())


def test_an_explicit_encoding_is_taken_at_its_word_but_never_prints_mojibake(tmp_path: Path) -> None:
    export = tmp_path / "in.csv"
    export.write_bytes(f"{HEADER}\n{row('José Peña', 'M-1')}\n{row('Ana Diaz', 'M-2')}\n".encode())
    result = batch(export, "--out-dir", tmp_path / "latin", "--encoding", "latin-1")
    assert_clean(result, [1])
    assert statuses(tmp_path / "latin") == {2: "failed", 3: "written"}
    assert "UTF-8 text in a file read as iso8859-1" in errors(tmp_path / "latin")[0][2]
    result = batch(export, "--out-dir", tmp_path / "utf8", "--encoding", "utf-8")
    assert_clean(result, [0])
    assert "José Peña" in written_text(tmp_path / "utf8")[2]


@pytest.mark.parametrize(
    ("codec", "codes"),
    [("rot13", [2]), ("base64", [2]), ("idna", [2]), ("punycode", [2]), ("utf-16", [2]), ("utf-32", [2]),
     ("utf-7", [0]), ("shift_jis", [0]), ("cp037", [2])],
)  # fmt: skip
def test_any_encoding_name_ends_in_one_line(tmp_path: Path, codec: str, codes: list[int]) -> None:
    export = tmp_path / "in.csv"
    export.write_text(f"{HEADER}\n{row('Ana Diaz', 'M-1')}\n")
    result = batch(export, "--out-dir", tmp_path / "out", "--encoding", codec)
    assert_clean(result, codes)
    if codes == [2]:
        (line,) = result.output.splitlines()
        assert line.startswith("Error: ") and ("encoding" in line or "column" in line)


def test_a_pure_windows_1252_file_still_works(tmp_path: Path) -> None:
    export = tmp_path / "in.csv"
    export.write_bytes(f"{HEADER}\r\n{row('José Núñez Müller', 'M-1')}\r\n".encode("cp1252"))
    result = batch(export, "--out-dir", tmp_path / "out")
    assert_clean(result, [0])
    assert "José Núñez Müller" in written_text(tmp_path / "out")[2]


# --- 9. a value over Python csv's 128 KiB ---------------------------------------------------------------
def test_a_long_comment_is_read_and_one_too_long_fails_only_its_row(tmp_path: Path) -> None:
    limit_before = csv.field_size_limit()
    comment = "Patient asked about stairs. " * 8000  # 224,000 characters: over csv's 131,072
    too_long = '"' + "x" * (VALUE_LIMIT // 2) + "\n" + "y" * (VALUE_LIMIT // 2 + 1) + '"'
    rows = [
        row("Ana Diaz", "M-1", comment),
        row("Bo Li", "M-2", too_long),
        row("Cy Young", "M-3", "short"),
    ]
    export = tmp_path / "in.csv"
    export.write_text(f"{HEADER},comments\n" + "\n".join(rows) + "\n")
    result = batch(export, "--out-dir", tmp_path / "out")
    assert_clean(result, [1])
    out = tmp_path / "out"
    assert statuses(out) == {2: "written", 3: "failed", 5: "written"}  # the long value spans lines 3 and 4
    ((line, field, message),) = errors(out)
    assert (line, field) == (3, "comments") and str(VALUE_LIMIT) in message
    assert "Cy Young" in written_text(out)[5]
    assert csv.field_size_limit() == limit_before  # the process-wide limit is left alone


def test_a_line_longer_than_the_line_limit_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_source, "LINE_LIMIT", 500)
    path = tmp_path / "in.csv"
    path.write_text(f"{HEADER}\r\n{row('Ana Diaz', 'M-1', 'z' * 1000)}\r\n{row('Bo Li', 'M-2')}\r\n")
    first, second = read_csv_records(path, DEFAULT_SITE)
    assert first.line == 2 and first.error is not None and "longer than 500" in first.error.message
    assert second.line == 3 and second.error is None


# --- 21. repeated header columns ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "site", "named"),
    [
        (f"{HEADER},patient_name", "", "patient_name"),
        (f"{HEADER},Patient Name", "", "'Patient Name' (column 9)"),
        (
            HEADER.replace("patient_name", "PAT_NAME") + ",pat name",
            '[csv.columns]\npatient_name = "PAT_NAME"\n',
            "PAT_NAME",
        ),
        (
            HEADER + ",STAMP",
            '[csv.columns]\ndob = "STAMP"\nprocedure_date = "STAMP"\n',
            "both dob and procedure_date",
        ),
        (f"{HEADER},discharge_date,Discharge Date", "", "discharge_date"),
    ],
)
def test_a_case_field_in_two_columns_refuses_the_file(
    tmp_path: Path, header: str, site: str, named: str
) -> None:
    export = tmp_path / "in.csv"
    export.write_text(f"{header}\n{row('Ana Diaz', 'M-1', 'x', 'y')}\n")
    args: list[str | Path] = [export, "--out-dir", tmp_path / "out"]
    if site:
        (tmp_path / "site.toml").write_text(site)
        args += ["--site", tmp_path / "site.toml"]
    result = batch(*args)
    assert_clean(result, [2])
    (line,) = result.output.splitlines()
    assert line.startswith("Error: ") and named in line
    assert "more than one column" in line or "map each field to a column of its own" in line
    assert not (tmp_path / "out" / "manifest.csv").exists()


def test_two_comments_columns_are_fine_until_something_reads_them(tmp_path: Path) -> None:
    export = tmp_path / "in.csv"
    export.write_text(f"{HEADER},Comments,unit,comments\n{row('Ana Diaz', 'M-1', 'a', '4 West', 'b')}\n")
    result = batch(export, "--out-dir", tmp_path / "out")
    assert_clean(result, [0])
    assert statuses(tmp_path / "out") == {2: "written"}
    for option in (["--sort-by", "comments"], []):
        packet = "p-{comments}.pdf" if not option else "p.pdf"
        result = batch(export, "--out-dir", tmp_path / "again", "--packet", tmp_path / packet, *option)
        assert_clean(result, [2])
        assert "more than one column 'comments'" in result.output
    result = batch(
        export, "--out-dir", tmp_path / "unit", "--packet", tmp_path / "p.pdf", "--sort-by", "unit"
    )
    assert_clean(result, [0])


def test_an_alias_and_a_column_of_the_same_name_are_ambiguous_for_sorting(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text('[csv.columns]\nunit = "DEPT"\n')
    export = tmp_path / "in.csv"
    export.write_text(f"{HEADER},DEPT,Unit\n{row('Ana Diaz', 'M-1', '4 West', '5 North')}\n")
    args = [export, "--site", tmp_path / "site.toml", "--packet", tmp_path / "p.pdf", "--sort-by", "unit"]
    result = batch(*args, "--out-dir", tmp_path / "out")
    assert_clean(result, [2])
    assert "more than one column 'unit'" in result.output


def test_a_mapped_header_wins_over_a_column_with_the_canonical_name(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text('[csv.columns]\npatient_name = "PAT_NAME"\n')
    export = tmp_path / "in.csv"
    export.write_text(f"PAT_NAME,{HEADER}\nAna Diaz,{row('Guarantor Person', 'M-1')}\n")
    result = batch(export, "--out-dir", tmp_path / "out", "--site", tmp_path / "site.toml")
    assert_clean(result, [0])
    text = written_text(tmp_path / "out")[2]
    assert "Ana Diaz" in text and "Guarantor" not in text


# --- 12. UTF-16 without a byte-order mark ----------------------------------------------------------------
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(tmp_path: Path, codec: str) -> None:
    export = tmp_path / "in.csv"
    export.write_bytes(f"{HEADER}\r\n{row('José Peña', 'M-1')}\r\n{row('Ана Диас', 'M-2')}\r\n".encode(codec))
    result = batch(export, "--out-dir", tmp_path / "out")
    assert_clean(result, [0])
    texts = written_text(tmp_path / "out")
    assert "José Peña" in texts[2] and "Ана Диас" in texts[3]
    result = batch(export, "--out-dir", tmp_path / "given", "--encoding", codec)
    assert_clean(result, [0])


def test_broken_utf16_without_a_byte_order_mark_is_refused_naming_the_option(tmp_path: Path) -> None:
    export = tmp_path / "in.csv"
    export.write_bytes(
        f"{HEADER}\r\n{row('Ana Diaz', 'M-1')}\r\n".encode("utf-16-le") + b"\x00"
    )  # odd length
    result = batch(export, "--out-dir", tmp_path / "out")
    assert_clean(result, [2])
    (line,) = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert "in.csv" in line and "--encoding" in line and "utf-16-le" in line


def test_utf16_cut_short_is_refused_before_the_first_row_or_when_given_where_it_breaks(
    tmp_path: Path,
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(f"{HEADER}\r\n{row('Ana Diaz', 'M-1')}\r\n".encode("utf-16") + b"\x00")
    with pytest.raises(InputFileError, match="not valid UTF-16"):
        read_csv_records(path, DEFAULT_SITE)  # detected: checked whole before any row
    records = read_csv_records(path, DEFAULT_SITE, "utf-16")
    assert next(records).error is None  # given: the rows before the break are read
    with pytest.raises(InputFileError, match="not valid utf-16 text; give the right --encoding"):
        next(records)


@pytest.mark.parametrize("end", ["\r\n", "\r", "\n"])
def test_a_line_cut_at_the_limit_keeps_the_count_of_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, end: str
) -> None:
    monkeypatch.setattr(csv_source, "LINE_LIMIT", 10)
    handle = io.StringIO("x" * 9 + end + "next" + end, newline="")  # the line end lands on the limit
    assert list(csv_source._physical_lines(handle)) == [None, "next" + end]


# --- the reader's own splitting agrees with Python's csv module -------------------------------------------
CSV_TEXT = st.lists(st.sampled_from(["a", "é", " ", ",", '"', "\n", "\r", "\r\n", "\x00"]), max_size=60).map(
    "".join
)


@settings(max_examples=400, deadline=None)
@given(CSV_TEXT)
def test_rows_split_as_csv_reader_splits_them(text: str) -> None:
    """Where no quoted value is left open at the end, the rows and the line each one ends on are csv's."""
    expected: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    for values in reader:
        expected.append((reader.line_num, values))
    got: list[tuple[int, list[str]]] = []
    rows = csv_source._RowReader(csv_source._physical_lines(io.StringIO(text, newline="")))
    for found in rows:
        if found.problem is not None:
            return  # a quote left open at the end: csv.reader reads to the end, this reader stops
        last = found.line + len(io.StringIO(found.text, newline="").readlines()) - 1
        got.append((last, split_row(found.text)))
    assert got == expected


# --- property: random rows with known lines, through the real command -----------------------------------
NAMES = ["Ana Diaz", "José Peña", "Zoë Müller", "Bo Li", "Ngozi Okafor", "Ана Диас"]
NOTE_LINES = st.lists(
    st.text(alphabet=st.sampled_from(list('abc xyz."')), max_size=12), min_size=1, max_size=4
)
KINDS = ["good", "good", "bad date", "stray quote", "note", "long", "wide"]


@st.composite
def exports(draw: st.DrawFn) -> tuple[bytes, dict[int, str], dict[int, str]]:
    """An export whose line structure the test knows: (bytes, start line -> expected status, line -> name).

    Rows may hold a quoted note over several lines (its lines start no row), a value over csv's 128 KiB, a
    bad date, one value too many, or an extra column whose quote never closes; blank lines come between."""
    newline = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    lines = [HEADER + ",notes,unit"]
    expected: dict[int, str] = {}
    names: dict[int, str] = {}
    for index in range(draw(st.integers(min_value=1, max_value=6))):
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            lines.append(draw(st.sampled_from(["", "   ", ",,,", ' ,""'])))  # blank: no patient
        name = draw(st.sampled_from(NAMES if encoding != "cp1252" else NAMES[:5]))
        kind = draw(st.sampled_from(KINDS))
        values = {**BASE_FIELDS, "patient_name": name, "mrn": f"MRN-{index}"}
        if kind == "bad date":
            values["dob"] = "1944-13-01"
        note = ""
        if kind == "note":
            note = '"' + ", etc.\n".join(text.replace('"', '""') for text in draw(NOTE_LINES)) + '"'
        elif kind == "long":
            note = "w" * draw(st.integers(min_value=131_000, max_value=140_000))
        text = ",".join([*values.values(), note, "4 West"])
        if kind == "stray quote":
            text += ',"' + draw(st.sampled_from(["Pat prefers Bob", "", "a, b"]))
        elif kind == "wide":
            text += ",surprise"
        expected[len(lines) + 1] = "written" if kind in ("good", "note", "long") else "failed"
        names[len(lines) + 1] = name
        lines.extend(text.split("\n"))  # a note's lines are physical lines
    data = (newline.join(lines) + draw(st.sampled_from(["", newline]))).encode(encoding)
    return data, expected, names


def snapshot(folder: Path, skip: Path) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for root, _dirs, files in os.walk(folder):
        if Path(root).is_relative_to(skip):
            continue
        for name in files:
            info = (Path(root) / name).stat()
            found[str(Path(root) / name)] = (info.st_size, info.st_mtime_ns)
    return found


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(exports())
def test_every_generated_row_is_accounted_for(
    tmp_path: Path, export: tuple[bytes, dict[int, str], dict[int, str]]
) -> None:
    data, expected, names = export
    work = tmp_path / f"run{len(list(tmp_path.iterdir()))}"
    work.mkdir()
    (work / "in.csv").write_bytes(data)
    before = snapshot(tmp_path, work / "out")
    result = batch(work / "in.csv", "--out-dir", work / "out")
    assert_clean(result, [0, 1])
    assert snapshot(tmp_path, work / "out") == before
    assert statuses(work / "out") == expected
    assert {line for line, _, _ in errors(work / "out")} == {n for n, s in expected.items() if s == "failed"}
    for line, text in written_text(work / "out").items():
        assert names[line] in text


# --- property: random bytes in random CSV shapes, through the real command --------------------------------
PIECES = st.sampled_from(
    [
        "a", "Bo", " ", ",", ",,", ";", "\t", '"', '""', "\n", "\r", "\r\n", "\x00", "é", "\u0416",
        row("Ana Diaz", "M-1"), row("Zoë Li", "M-2", '"x\ny"'), "1944-05-06", "x" * 140_000,
        f"\r\n{row('Cy Young', 'M-3')}\r\n", f"\n{row('Di Ng', 'M-4', 'a', 'b')}\n",
    ]
)  # fmt: skip
RAW = st.sampled_from([b"\xe9", b"\xc3\xa9", b"\xff\xfe", b"\x81", b"\x00", b"\xc3"])


@st.composite
def messy_exports(draw: st.DrawFn) -> bytes:
    """A valid header (or, now and then, bytes of any kind instead), then pieces of rows and stray bytes."""
    encoding = draw(st.sampled_from(["utf-8", "cp1252", "utf-16-le"]))
    parts: list[bytes] = [(HEADER + ",notes\r\n").encode(encoding)]
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        parts = [draw(st.binary(max_size=300))]
    for _ in range(draw(st.integers(min_value=0, max_value=25))):
        if draw(st.integers(min_value=0, max_value=5)) == 0:
            parts.append(draw(RAW))
        else:
            parts.append(draw(PIECES).encode(encoding, errors="replace"))
    return b"".join(parts)


def blank(line: str) -> bool:
    """A line csv.reader reads as values that are all spaces: no patient there."""
    try:
        values = next(csv.reader([line], strict=False), [])
    except csv.Error:
        return False
    return not any(value.strip() for value in values)


def values(line: str) -> int:
    try:
        return len(next(csv.reader([line], strict=False), []))
    except csv.Error:
        return 0


def closes(lines: list[str]) -> bool:
    """Whether csv.reader reads these lines as one row (then blank ones): a line after them is a row again."""
    limit = csv.field_size_limit(LINE_LIMIT)
    try:
        rows = list(csv.reader(io.StringIO("".join(lines) + "\nSENTINEL\n", newline=""), strict=False))
    finally:
        csv.field_size_limit(limit)
    return rows[-1] == ["SENTINEL"] and not any(any(v.strip() for v in r) for r in rows[1:-1])


def physical_lines(data: bytes, encoding: str) -> list[str]:
    return io.StringIO(data.decode(encoding, errors="surrogateescape"), newline="").readlines()


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(messy_exports())
def test_messy_input_loses_no_line(tmp_path: Path, data: bytes) -> None:
    work = tmp_path / f"run{len(list(tmp_path.iterdir()))}"
    work.mkdir()
    (work / "in.csv").write_bytes(data)
    before = snapshot(tmp_path, work / "out")
    result = batch(work / "in.csv", "--out-dir", work / "out")
    assert_clean(result, [0, 1, 2])
    assert snapshot(tmp_path, work / "out") == before
    if result.exit_code == 2:
        assert not (work / "out" / "manifest.csv").exists()
        return
    starts = sorted(statuses(work / "out"))
    assert len(starts) == len(set(starts))
    encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-8"
    lines = physical_lines(data, encoding) if encoding == "utf-16-le" else physical_lines(data, "utf-8")
    assert all(2 <= start <= len(lines) for start in starts)
    # A line that starts no row is blank, or inside a quoted value that opened on the start line of the
    # row above it, closes before the next row starts, and runs over no line that reads as a row of its own
    # (before the one it closes on), within the limit: nothing else can be left out.
    bounds = [*starts, len(lines) + 1]
    for start, following in itertools.pairwise(bounds):
        inside = [n for n in range(start + 1, following) if not blank(lines[n - 1])]
        if not inside:
            continue
        assert '"' in lines[start - 1] and following - start <= QUOTED_LINES_LIMIT, start
        assert closes(lines[start - 1 : following - 1]), start
        assert not any(values(lines[n - 1]) >= len(HEADER.split(",")) + 1 for n in inside[:-1]), start
    first = starts[0] if starts else len(lines) + 1
    assert all(blank(line) for line in lines[1 : first - 1]), "lines between the header and the first row"
    failed = {line for line, _, _ in errors(work / "out")}
    assert failed == {line for line, status in statuses(work / "out").items() if status == "failed"}


def test_the_encoding_is_detected_once_even_when_the_rows_are_counted_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At a terminal the rows are read twice (a count for the progress bar, then the run); detection reads
    # the whole file, so it is done once for both.
    from dischargegen.cli import batch as batch_cli

    calls: list[Path] = []
    detect = csv_source.detect_encoding
    monkeypatch.setattr(csv_source, "detect_encoding", lambda path: calls.append(path) or detect(path))
    monkeypatch.setattr(batch_cli, "on_terminal", lambda: True)
    export = tmp_path / "in.csv"
    export.write_text("\r\n".join([HEADER, *ten_rows()[:2]]) + "\r\n", encoding="utf-8")
    result = batch(export, "--out-dir", tmp_path / "out")
    assert_clean(result, [0])
    assert calls == [export]
