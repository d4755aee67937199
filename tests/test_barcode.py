"""The scan-back code on the signature page, read back as an imaging system reads it: the PDF's last page
rasterized at 200 dpi (an office scan), made black and white, and decoded with zxing; and the payload's
text beneath it, read with pypdf. Bad [barcode] settings give one line naming the key."""

from __future__ import annotations

import dataclasses
import io
import shutil
import urllib.parse
from pathlib import Path
from typing import Any

import pypdf
import pypdfium2
import pytest
import zxingcpp
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from reportlab.graphics.barcode import qrencoder
from reportlab.pdfbase.pdfmetrics import stringWidth

from dischargegen import InputError, SiteSettingsError, build_case, load_site, render_pdf
from dischargegen.barcode import MAX_PAYLOAD, SEPARATORS, payload_for
from dischargegen.case import Case
from dischargegen.cli import cli
from dischargegen.pdf import speedups
from dischargegen.pdf.flowables import SCAN_CODE_COLUMN
from dischargegen.pdf.fonts import REGULAR, register_fonts
from dischargegen.pdf.scancode import (
    ERROR_CORRECTION,
    MASK_PATTERN,
    QUIET_ZONE_MODULES,
    SYMBOL_SIZE,
    dark_rectangles,
    qr_modules,
    text_lines,
)
from dischargegen.site import DEFAULT_SITE, Barcode, SiteSettings
from tests.helpers import GOOD, REPO, batch, errors, fields, manifest, pages, pdfs, person, write_csv

SCAN_DPI = 200
DEFAULT_PAYLOAD = "MRN-1001|SPINE-DC|2027-01-01"  # helpers.BASE_FIELDS: MRN-1001, procedure on 2027-01-01


def scan(pdf: bytes, page: int = -1) -> Image.Image:
    """One page as an office scanner sees it: 200 dpi, black and white (no grey to help the reader)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[page if page >= 0 else len(document) + page].render(
            scale=SCAN_DPI / 72, grayscale=True
        )
        image = bitmap.to_pil().convert("L")
    finally:
        document.close()
    return image.point(lambda value: 255 if value >= 128 else 0)


def codes(image: Image.Image) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(image))


def decoded(pdf: bytes) -> list[str]:
    """Every code on the last page, as the bytes it carries (ASCII)."""
    return [code.bytes.decode("ascii") for code in codes(scan(pdf))]


def last_page_text(pdf: bytes) -> str:
    return pages(pdf)[-1]


def without_spaces(text: str) -> str:
    return "".join(text.split())


def with_barcode(site: SiteSettings = DEFAULT_SITE, **changes: Any) -> SiteSettings:
    return dataclasses.replace(site, barcode=dataclasses.replace(site.barcode, **changes))


def write_site(tmp_path: Path, barcode: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text("[barcode]\n" + barcode, encoding="utf-8")
    return path


def render_case(case: Case, site: SiteSettings = DEFAULT_SITE) -> bytes:
    return render_pdf(case, site)


def unescaped(field: str) -> str:
    return urllib.parse.unquote(field, encoding="utf-8", errors="strict")


# --- the issue: a code carrying the MRN, a document type and the date, decoded from the page ------------


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"language": "es"},
        {"large_print": "yes"},
        {"paper": "a4"},
        {"language": "es", "large_print": "yes", "paper": "a4", "anesthesia": "general", "brace": "yes"},
    ],
    ids=["en", "es", "large-print", "a4", "es-large-print-a4"],
)
def test_the_signature_page_carries_the_default_code_and_its_text(overrides: dict[str, str]) -> None:
    pdf = render_case(build_case(fields(**overrides)))
    assert decoded(pdf) == [DEFAULT_PAYLOAD]
    (code,) = codes(scan(pdf))
    assert code.format == zxingcpp.BarcodeFormat.QRCode and code.ec_level == "M"
    assert DEFAULT_PAYLOAD in without_spaces(last_page_text(pdf))
    # Only on the signature page.
    assert all(not codes(scan(pdf, page)) for page in range(len(pages(pdf)) - 1))


def test_a_site_defined_payload_is_what_the_code_carries(tmp_path: Path) -> None:
    site = load_site(
        write_site(
            tmp_path,
            'payload = "DC-{document_type}:{mrn}:{discharge_date}:{language}:{content_version}"\n'
            'document_type = "SPINE_DC.2"\n',
        )
    )
    case = build_case(fields(overnight="yes", language="es", large_print="yes", paper="a4"))
    pdf = render_case(case, site)
    expected = "DC-SPINE_DC.2:MRN-1001:2027-01-02:es:2026.11-1"
    assert decoded(pdf) == [expected]
    assert expected in without_spaces(last_page_text(pdf))


def test_the_default_payload_holds_no_name_and_no_date_of_birth() -> None:
    case = build_case(fields(patient_name="Ana Diaz", dob="1944-05-06"))
    (payload,) = decoded(render_case(case))
    assert payload.split("|") == ["MRN-1001", "SPINE-DC", "2027-01-01"]
    for private in ("Ana", "Diaz", "1944", "05-06", "May"):
        assert private not in payload


def test_a_separator_in_the_mrn_is_escaped_so_the_fields_stay_apart() -> None:
    case = build_case(fields(mrn="A|B%C 7"))
    pdf = render_case(case)
    (payload,) = decoded(pdf)
    assert payload == "A%7CB%25C 7|SPINE-DC|2027-01-01"
    mrn, document_type, date = payload.split("|")
    assert unescaped(mrn) == "A|B%C 7" and document_type == "SPINE-DC" and date == "2027-01-01"
    assert payload.replace(" ", "") in without_spaces(last_page_text(pdf))


def test_an_mrn_beyond_ascii_is_carried_as_utf8_escapes() -> None:
    case = build_case(fields(mrn="Ñ-42:7"))
    payload = payload_for(case, with_barcode(payload="{mrn}:{procedure_date}"))
    assert payload == "%C3%91-42%3A7:2027-01-01"
    assert decoded(render_case(case, with_barcode(payload="{mrn}:{procedure_date}"))) == [payload]


MRN_CHARACTERS = st.sampled_from("ABCXYZabcxyz0123456789-_./ " + SEPARATORS + "%{}\\\"'" + "ÁéñØüß")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mrn=st.text(MRN_CHARACTERS, min_size=1, max_size=24))
def test_any_printable_mrn_decodes_to_the_payload_and_back(mrn: str) -> None:
    try:
        case = build_case(fields(mrn=mrn))
    except InputError:
        return  # only white space: refused as the MRN, before any code
    payload = payload_for(case, DEFAULT_SITE)
    assert payload is not None
    assert decoded(render_case(case)) == [payload]
    fields_read = payload.split("|")
    assert len(fields_read) == 3 and unescaped(fields_read[0]) == case.mrn


def test_the_longest_mrn_the_default_payload_allows_still_scans() -> None:
    case = build_case(fields(mrn="9" * 64, large_print="yes", language="es"))
    pdf = render_case(case)
    assert decoded(pdf) == ["9" * 64 + "|SPINE-DC|2027-01-01"]
    assert len(pages(pdf)) <= 8


def test_an_mrn_too_long_for_the_code_once_escaped_is_refused_naming_the_field() -> None:
    case = build_case(fields(mrn="|" * 40))  # 120 characters escaped, 106 fit
    with pytest.raises(InputError) as caught:
        render_case(case)
    assert caught.value.field == "mrn" and str(MAX_PAYLOAD) in str(caught.value)
    assert "|" not in caught.value.message


def test_in_batch_each_document_has_its_own_code_and_an_unfit_mrn_fails_only_its_row(tmp_path: Path) -> None:
    rows = [*GOOD[:2], person("Una Fit", "|" * 40), GOOD[2]]
    out = tmp_path / "out"
    result = batch(write_csv(tmp_path / "export.csv", rows), "--out-dir", out, "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert [(error["line"], error["field"]) for error in errors(out)] == [("4", "mrn")]
    assert "|" not in errors(out)[0]["message"] and "|" not in result.output
    assert [row["status"] for row in manifest(out)] == ["written", "written", "failed", "written"]
    found = sorted(payload for path in pdfs(out) for payload in decoded(path.read_bytes()))
    assert found == sorted(f"{row['mrn']}|SPINE-DC|2027-01-01" for row in GOOD)


# --- nothing overlaps it; disabled draws nothing --------------------------------------------------------


@pytest.mark.parametrize("overrides", [{}, {"large_print": "yes", "language": "es"}, {"paper": "a4"}])
def test_the_quiet_zone_around_the_code_is_white(overrides: dict[str, str]) -> None:
    image = scan(render_case(build_case(fields(**overrides))))
    (code,) = codes(image)
    position = code.position
    xs = [position.top_left.x, position.top_right.x, position.bottom_left.x, position.bottom_right.x]
    ys = [position.top_left.y, position.top_right.y, position.bottom_left.y, position.bottom_right.y]
    symbol = SYMBOL_SIZE / 72 * SCAN_DPI
    module = symbol / len(qr_modules(DEFAULT_PAYLOAD))
    assert max(xs) - min(xs) == pytest.approx(symbol, abs=2 * module)
    quiet = int(QUIET_ZONE_MODULES * module) - 2  # a pixel of rounding each side
    left, top = min(xs) - 1, min(ys) - 1
    right, bottom = left + symbol + 2, top + symbol + 2
    ring = [
        image.crop((int(left - quiet), int(top - quiet), int(right + quiet), int(top))),
        image.crop((int(left - quiet), int(bottom), int(right + quiet), int(bottom + quiet))),
        image.crop((int(left - quiet), int(top), int(left), int(bottom))),
        image.crop((int(right), int(top), int(right + quiet), int(bottom))),
    ]
    for strip in ring:
        assert strip.getextrema() == (255, 255), "something is drawn in the quiet zone"


def test_disabled_draws_no_code_and_no_text(tmp_path: Path) -> None:
    site = load_site(write_site(tmp_path, "enabled = false\n"))
    pdf = render_case(build_case(fields()), site)
    assert decoded(pdf) == []
    assert "SPINE-DC" not in last_page_text(pdf)
    assert payload_for(build_case(fields()), site) is None
    # The signature lines take the whole width again: the page is as it was before the code.
    enabled = render_case(build_case(fields()))
    assert last_page_text(pdf) == " ".join(last_page_text(enabled).replace(DEFAULT_PAYLOAD, "").split())


def test_a_receipt_without_signature_lines_carries_the_code_below_it(tmp_path: Path) -> None:
    shutil.copytree(REPO / "templates", tmp_path / "overrides")
    page = tmp_path / "overrides" / "en" / "discharge.html"
    text = page.read_text(encoding="utf-8")
    signatures = '<signature sign="Patient or caregiver" date="Date"></signature>\n<signature sign="Nurse" date="Date"></signature>\n'
    assert signatures in text
    page.write_text(text.replace(signatures, ""), encoding="utf-8")
    site = load_site(write_site(tmp_path, "enabled = true\n[content]\ntemplates_dir = 'overrides'\n"))
    pdf = render_case(build_case(fields()), site)
    assert decoded(pdf) == [DEFAULT_PAYLOAD]
    assert "Patient or caregiver" not in last_page_text(pdf)


# --- same bytes: twice, and with the speed-ups on and off -----------------------------------------------


def test_the_same_document_is_the_same_bytes_and_each_patient_has_their_own_code() -> None:
    first = render_case(build_case(fields(mrn="Q-1")))
    assert render_case(build_case(fields(mrn="Q-1"))) == first
    second = render_case(build_case(fields(mrn="Q-2")))
    assert decoded(first) == ["Q-1|SPINE-DC|2027-01-01"] and decoded(second) == ["Q-2|SPINE-DC|2027-01-01"]


def test_the_code_is_the_same_bytes_with_the_speed_ups_on_and_off() -> None:
    cases = [
        build_case(fields(mrn=mrn, **overrides))
        for mrn, overrides in (
            ("Q-1", {}),
            ("Q-2", {"large_print": "yes"}),
            ("Q-1", {"language": "es", "paper": "a4"}),
            ("Ø|9", {}),
        )
    ]
    with speedups.process_wide():
        quick = [render_case(case) for case in cases]
    with speedups.switched_off():
        plain = [render_case(case) for case in cases]
    with speedups.process_wide():
        again = [render_case(case) for case in reversed(cases)][::-1]
    assert quick == plain == again
    assert len(set(quick)) == len(cases)


# --- bad settings: one line naming the key --------------------------------------------------------------

BAD_PAYLOADS = [
    ("{mrn}|{patient_name}", "barcode.payload: {patient_name} is not offered"),
    ("{mrn}|{dob}", "barcode.payload: {dob} is not offered"),
    ("{mrn}|{room}", "barcode.payload: unknown placeholder {room}; use {mrn}, {document_type}"),
    ("{mrn}|{}", "barcode.payload: unknown placeholder {}"),
    ("{mrn|{procedure_date}", "barcode.payload: has an unmatched '{' or '}'"),
    ("{mrn}}|x", "barcode.payload: has an unmatched '{' or '}'"),
    ("{mrn:>20}", "barcode.payload: placeholders take no format or conversion: write {mrn}"),
    ("{mrn!r}", "barcode.payload: placeholders take no format or conversion"),
    ("{document_type}|{procedure_date}", "barcode.payload: must hold {mrn}"),
    (
        "{mrn}{procedure_date}",
        "barcode.payload: {mrn} and {procedure_date} must be kept apart by a separator",
    ),
    ("{mrn}-{procedure_date}", "must be kept apart by a separator, one of | ^ ~"),
    ("{mrn} {procedure_date}", "barcode.payload: may hold only placeholders"),
    ("{{{mrn}}}", "barcode.payload: may hold only placeholders"),
    ("   ", "barcode.payload: must be a non-empty string"),
    (
        "{mrn}|{mrn}",
        "barcode.payload: is too long for a scannable code: with a 64-character MRN it makes 129 characters, "
        "and a one-inch QR code holds at most 106",
    ),
]


@pytest.mark.parametrize(("payload", "message"), BAD_PAYLOADS, ids=[p for p, _ in BAD_PAYLOADS])
def test_a_bad_payload_is_refused_when_the_settings_load(tmp_path: Path, payload: str, message: str) -> None:
    path = write_site(tmp_path, f"payload = '{payload}'\n")  # a TOML literal string: no escapes
    with pytest.raises(SiteSettingsError) as caught:
        load_site(path)
    assert caught.value.key == "barcode.payload"
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "document_type", ["SPINE DC", "SPINE|DC", "-SPINE", "SPÍNE", "X" * 41], ids=str.__repr__
)
def test_a_document_type_imaging_systems_refuse_is_refused_naming_the_key(
    tmp_path: Path, document_type: str
) -> None:
    with pytest.raises(SiteSettingsError) as caught:
        load_site(write_site(tmp_path, f'document_type = "{document_type}"\n'))
    assert caught.value.key == "barcode.document_type"


def test_a_bad_payload_even_when_disabled_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(SiteSettingsError, match="barcode.payload"):
        load_site(write_site(tmp_path, 'enabled = false\npayload = "{dob}"\n'))


def test_a_long_content_version_counts_against_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(
        '[content]\nversion = "'
        + "v" * 40
        + '"\n[barcode]\npayload = "{mrn}|{content_version}|{procedure_date}"\n',
        encoding="utf-8",
    )
    with pytest.raises(SiteSettingsError, match="barcode.payload: is too long"):
        load_site(path)


def test_settings_built_in_code_are_checked_when_rendering() -> None:
    with pytest.raises(SiteSettingsError, match="barcode.payload: unknown placeholder"):
        render_case(build_case(fields()), with_barcode(payload="{mrn}|{ward}"))
    with pytest.raises(SiteSettingsError, match="barcode.document_type"):
        render_case(build_case(fields()), with_barcode(document_type="a b"))
    # Disabled in code: nothing to check, nothing drawn.
    pdf = render_case(build_case(fields()), with_barcode(enabled=False, payload="{ward}"))
    assert decoded(pdf) == []


def test_the_command_line_gives_one_line_and_exit_2_for_a_bad_payload(tmp_path: Path) -> None:
    site = write_site(tmp_path, 'payload = "{mrn}|{patient_name}"\n')
    out = tmp_path / "x.pdf"
    result = CliRunner().invoke(
        cli,
        [
            "render", "--procedure", "kyphoplasty", "--levels", "L1", "--anesthesia", "local", "--same-day",
            "--patient-name", "Ana Diaz", "--mrn", "MRN-1001", "--dob", "1944-05-06",
            "--procedure-date", "2027-01-01", "--site", str(site), "-o", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "barcode.payload: {patient_name} is not offered" in lines[0]
    assert "Traceback" not in result.output and not out.exists()


def test_the_shipped_defaults_are_the_documented_ones() -> None:
    assert Barcode() == DEFAULT_SITE.barcode
    assert (Barcode.enabled, Barcode.payload, Barcode.document_type) == (
        True,
        "{mrn}|{document_type}|{procedure_date}",
        "SPINE-DC",
    )
    assert payload_for(build_case(fields()), DEFAULT_SITE) == DEFAULT_PAYLOAD


def test_the_pdf_metadata_holds_no_payload() -> None:
    pdf = render_case(build_case(fields()))
    metadata = pypdf.PdfReader(io.BytesIO(pdf)).metadata or {}
    assert not any("MRN-1001" in str(value) for value in metadata.values())


# --- the drawing: every dark module once, nothing else; the text within its column ----------------------


class ReportLabsOwnCode(qrencoder.QRCode):  # type: ignore[misc]
    """ReportLab's QR code, codewords and all, with the same fixed mask as ours."""

    def getBestMaskPattern(self) -> int:  # noqa: N802 (ReportLab's name)
        return MASK_PATTERN


@settings(max_examples=50, deadline=None)
@given(payload=st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=MAX_PAYLOAD))
def test_our_codewords_give_reportlabs_symbol(payload: str) -> None:
    """The Reed-Solomon codewords scancode.py computes make exactly the symbol ReportLab's own code makes,
    for every payload length barcode.py allows (versions 1 to 6, one and two block sizes)."""
    code = ReportLabsOwnCode(None, ERROR_CORRECTION)
    code.addData(qrencoder.QR8bitByte(payload.encode("ascii")))
    code.make()
    assert qr_modules(payload) == tuple("".join("1" if dark else "0" for dark in row) for row in code.modules)


@pytest.mark.parametrize("payload", [DEFAULT_PAYLOAD, "9" * 64 + "|SPINE-DC|2027-01-01", "A"])
def test_the_rectangles_drawn_cover_exactly_the_dark_modules(payload: str) -> None:
    modules = qr_modules(payload)
    size = len(modules)
    covered = [[0] * size for _ in range(size)]
    for left, bottom, width, height in dark_rectangles(modules):
        for row in range(size - bottom - height, size - bottom):
            for column in range(left, left + width):
                covered[row][column] += 1
    assert ["".join(str(count) for count in row) for row in covered] == list(modules)


@settings(max_examples=50, deadline=None)
@given(text=st.text(st.sampled_from("ABC0123456789%-" + SEPARATORS), min_size=1, max_size=MAX_PAYLOAD))
def test_the_text_beneath_is_the_whole_payload_in_lines_within_the_column(text: str) -> None:
    register_fonts()
    lines = text_lines(text, 8.0, SCAN_CODE_COLUMN)
    assert "".join(lines) == text
    assert all(stringWidth(line, REGULAR, 8.0) <= SCAN_CODE_COLUMN for line in lines)
