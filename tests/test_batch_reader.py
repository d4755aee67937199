"""Batch input: the CSV reader (encodings, quoting, header mapping, EHR values) and safe file names.

Nothing here renders, so these run in milliseconds; tests/test_batch.py runs the command itself.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from dischargegen import build_case
from dischargegen.batch.naming import NameAllocator, PatternError, check_pattern, file_name, sanitise
from dischargegen.errors import InputError
from dischargegen.levels import parse_levels
from dischargegen.site import DEFAULT_SITE, Csv, SiteSettings
from dischargegen.sources import InputFileError, Record
from dischargegen.sources.csv import column_key, read_csv_records
from tests.helpers import BASE_FIELDS

HEADER = ",".join(BASE_FIELDS)
ROW = ",".join(BASE_FIELDS.values())


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read(path: Path, site: SiteSettings = DEFAULT_SITE, encoding: str | None = None) -> list[Record]:
    return list(read_csv_records(path, site, encoding))


def mapped(columns: dict[str, str]) -> SiteSettings:
    return dataclasses.replace(DEFAULT_SITE, csv=Csv(columns=columns))


# --- encodings --------------------------------------------------------------------------------------
def test_utf8_with_bom_reads_the_first_header(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeff" + HEADER + "\r\n" + ROW.replace("Ana Diaz", "Ана Диас") + "\r\n")
    (record,) = read(path)
    assert record.error is None
    assert record.fields["patient_name"] == "Ана Диас"


def test_windows_1252_is_detected(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\r\n" + ROW.replace("Ana Diaz", "José Núñez Müller") + "\r\n", "cp1252")
    (record,) = read(path)
    assert record.fields["patient_name"] == "José Núñez Müller"


def test_encoding_given_explicitly_wins(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\n" + ROW.replace("Ana Diaz", "Zoë") + "\n", "latin-1")
    assert read(path, encoding="latin-1")[0].fields["patient_name"] == "Zoë"
    site = dataclasses.replace(DEFAULT_SITE, csv=Csv(encoding="latin-1"))
    assert read(path, site)[0].fields["patient_name"] == "Zoë"


def test_bytes_that_fit_no_encoding_make_the_input_unusable(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(HEADER.encode() + b"\n" + ROW.encode().replace(b"Ana", b"A\x81\xff") + b"\n")
    with pytest.raises(InputFileError, match="neither UTF-8 nor Windows-1252"):
        read(path)


def test_wrong_explicit_encoding_fails_the_row_naming_the_field(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\n" + ROW + "\n" + ROW.replace("Ana", "Añá") + "\n", "cp1252")
    good, bad = read(path, encoding="utf-8")
    assert good.error is None
    assert bad.line == 3 and bad.error is not None and bad.error.field == "patient_name"
    assert "not valid UTF-8" in bad.error.message and "Añá" not in str(bad.error)
    with pytest.raises(InputFileError, match="unknown encoding"):
        read(path, encoding="klingon-8")


# --- CSV shape --------------------------------------------------------------------------------------
def test_quoting_line_breaks_blank_lines_and_trailing_spaces(tmp_path: Path) -> None:
    text = (
        HEADER + ",notes\r\n"
        '"Diaz, Ana",MRN-1,1944-05-06,kyphoplasty,"T12, L1",local,no,2027-01-01,"one\r\ntwo, three"\r\n'
        "\r\n"
        "   \r\n"
        "Bo Li  ,MRN-2  , 1944-05-06 ,vertebroplasty,L1,local,no,2027-01-01,\r\n"
    )
    first, second = read(write(tmp_path, text))
    assert first.line == 2 and second.line == 6  # the quoted line break and two blank lines count
    assert first.fields["patient_name"] == "Diaz, Ana"
    assert first.fields["levels"] == "T12, L1"
    assert first.extra["notes"] == "one\r\ntwo, three"
    assert second.fields["patient_name"] == "Bo Li" and second.fields["mrn"] == "MRN-2"
    assert build_case(second.fields).dob.year == 1944


def test_a_row_wider_than_the_header_is_a_bad_row(tmp_path: Path) -> None:
    (record,) = read(write(tmp_path, HEADER + "\n" + ROW + ",surprise\n"))
    assert record.error is not None and record.error.field == "row"
    (record,) = read(write(tmp_path, HEADER + "\n" + ROW + ",,\n"))  # empty trailing cells are fine
    assert record.error is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no header row"),
        ("\r\n\r\n", "no header row"),
        (HEADER.replace("procedure,", "") + "\n", "required column procedure is missing"),
        (HEADER.replace(",overnight", "") + "\n", r"required column overnight \(or discharge_date\)"),
    ],
)
def test_unusable_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputFileError, match=message):
        read(write(tmp_path, text))


def test_missing_file_is_unusable_at_once(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no input file"):
        read_csv_records(tmp_path / "nope.csv", DEFAULT_SITE)


# --- header names -----------------------------------------------------------------------------------
def test_headers_match_ignoring_case_spaces_and_underscores(tmp_path: Path) -> None:
    header = " Patient Name ,MRN,DOB,Procedure,LEVELS,Anesthesia,over-night,Procedure_Date,Unknown Column"
    (record,) = read(write(tmp_path, header + "\n" + ROW + ",ignored\n"))
    assert record.error is None
    assert dict(record.fields) == BASE_FIELDS
    assert record.extra == {"unknowncolumn": "ignored"}
    assert column_key(" Large-Print ") == column_key("large_print")


def test_site_maps_export_headers_to_canonical_names(tmp_path: Path) -> None:
    site = mapped({"patient_name": "PAT_NAME", "dob": "BIRTH DT", "unit": "DEPT_NAME"})
    header = "PAT_NAME,mrn,Birth Dt,procedure,levels,anesthesia,overnight,procedure_date,DEPT_NAME,ROOM"
    (record,) = read(write(tmp_path, header + "\n" + ROW + ",4 West,12\n"), site)
    assert record.fields["patient_name"] == "Ana Diaz" and record.fields["dob"] == "1944-05-06"
    assert record.extra == {"unit": "4 West", "room": "12"}  # an alias names a column for --sort-by


def test_a_mapped_header_that_is_absent_names_what_was_looked_for(tmp_path: Path) -> None:
    site = mapped({"mrn": "PAT_MRN"})
    path = write(tmp_path, HEADER.replace("mrn", "medical_record") + "\n" + ROW + "\n")
    with pytest.raises(InputFileError, match="required column mrn is missing.*'PAT_MRN'"):
        read(path, site)


# --- EHR values ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        *[("procedure", code, "vertebroplasty") for code in ("22510", "22511", "22512", "Vertebroplasty")],
        *[
            ("procedure", code, "kyphoplasty")
            for code in ("22513", "22514", "22515", "vertebral augmentation", "Balloon Kyphoplasty")
        ],
        *[("anesthesia", word, "local") for word in ("local", "Local Anesthesia")],
        *[("anesthesia", word, "sedation") for word in ("sedation", "moderate sedation", "MAC")],
        *[("anesthesia", word, "general") for word in ("general", "GA", "General anesthesia")],
        *[("overnight", word, True) for word in ("yes", "Y", "true", "1")],
        *[("overnight", word, False) for word in ("no", "N", "false", "0")],
    ],
)
def test_values_as_ehr_exports_write_them(tmp_path: Path, field: str, value: str, expected: object) -> None:
    row = ",".join(value if name == field else BASE_FIELDS[name] for name in BASE_FIELDS)
    (record,) = read(write(tmp_path, HEADER + "\n" + row + "\n"))
    assert getattr(build_case(record.fields), field) == expected


def test_us_dates_are_read_month_first(tmp_path: Path) -> None:
    row = ROW.replace("1944-05-06", "05/06/1944").replace("2027-01-01", "01/02/2027")
    case = build_case(read(write(tmp_path, HEADER + "\n" + row + "\n"))[0].fields)
    assert (case.dob.month, case.dob.day, case.procedure_date.day) == (5, 6, 2)


@pytest.mark.parametrize(
    ("overnight", "discharge", "expected"),
    [("", "2027-01-02", True), ("", "01/01/2027", False), ("yes", "2027-01-03", True), ("", "", None)],
)
def test_overnight_from_discharge_date(
    tmp_path: Path, overnight: str, discharge: str, expected: bool | None
) -> None:
    row = ROW.replace(",no,", f",{overnight},") + f",{discharge}"
    (record,) = read(write(tmp_path, HEADER + ",discharge_date\n" + row + "\n"))
    if expected is None:
        with pytest.raises(InputError, match="overnight"):
            build_case(record.fields)
    else:
        assert record.error is None and "discharge_date" not in record.fields
        assert build_case(record.fields).overnight is expected


def test_overnight_column_may_be_replaced_by_discharge_date(tmp_path: Path) -> None:
    header = HEADER.replace(",overnight", "") + ",discharge_date"
    row = ROW.replace(",no,", ",") + ",2027-01-02"
    (record,) = read(write(tmp_path, header + "\n" + row + "\n"))
    assert build_case(record.fields).overnight is True


@pytest.mark.parametrize(
    ("overnight", "discharge", "field"),
    [
        ("", "2026-12-31", "discharge_date"),
        ("no", "2027-01-02", "overnight"),
        ("", "someday", "discharge_date"),
    ],
)
def test_discharge_date_errors(tmp_path: Path, overnight: str, discharge: str, field: str) -> None:
    row = ROW.replace(",no,", f",{overnight},") + f",{discharge}"
    (record,) = read(write(tmp_path, HEADER + ",discharge_date\n" + row + "\n"))
    assert record.error is not None and record.error.field == field
    assert discharge not in str(record.error)


# --- file names -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "hostile",
    [
        "../../etc/x",
        "a/b",
        "a\\b",
        "..",
        ".",
        "...",
        "CON",
        "nul.txt",
        "=HYPERLINK(1)",
        "+1",
        "a:b*c?",
        " ",
        "\x00x",
    ],
)
def test_sanitised_names_stay_in_the_folder(hostile: str) -> None:
    name = sanitise(hostile)
    assert name.endswith(".pdf") and len(name) > 4
    assert not any(char in name for char in '/\\:*?"<>|\x00')
    assert ".." not in name and not name.startswith((".", "=", "+", "-", "@"))
    assert name.split(".")[0].lower() not in ("con", "nul")


def test_the_default_pattern_uses_mrn_and_iso_date() -> None:
    case = build_case({**BASE_FIELDS, "mrn": "../../etc/x", "procedure_date": "01/01/2027"})
    assert file_name(DEFAULT_SITE.batch.file_name_pattern, case, 7) == "etc_x_2027-01-01.pdf"
    assert file_name("{line:04d}-{procedure}", case, 7) == "0007-kyphoplasty.pdf"


def test_long_names_are_cut() -> None:
    assert len(sanitise("x" * 500)) <= 110


def test_collisions_get_numbers_in_input_order_ignoring_case() -> None:
    names = NameAllocator(reserved=["packet.pdf"])
    got = [names.allocate(n) for n in ("a.pdf", "A.pdf", "a.pdf", "a-2.pdf", "packet.pdf")]
    assert got == ["a.pdf", "A-2.pdf", "a-3.pdf", "a-2-2.pdf", "packet-2.pdf"]


@pytest.mark.parametrize("pattern", ["{patient_name}.pdf", "{mrn", "{0}.pdf"])
def test_bad_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(PatternError):
        check_pattern(pattern)


def test_level_messages_never_repeat_text_that_could_be_a_name() -> None:
    # A shifted column can put a name into `levels`; only spine-label-shaped text is repeated back.
    with pytest.raises(InputError) as caught:
        parse_levels("Zebulon")
    assert "Zebulon" not in str(caught.value) and "an entry is not a vertebra" in str(caught.value)
    with pytest.raises(InputError) as caught:
        parse_levels("T13")
    assert "'T13' is not a vertebra" in str(caught.value)
