"""Issue 11, the case model under bad input: dates near the end of the calendar, every failing field of a
row reported at once (build_case, errors.csv, the render command), and prompts that check each answer as it
is typed (a real pseudo-terminal)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dischargegen import DischargeGenError, InputError, build_case, render_pdf
from dischargegen.batch import run_batch
from dischargegen.case import ALL_FIELDS, LATEST_DATE, Case
from dischargegen.cli import cli
from dischargegen.cli import render as render_cli
from dischargegen.errors import InvalidFields, SiteSettingsError, each_error
from dischargegen.site import DEFAULT_SITE, SiteSettings, load_site
from dischargegen.sources import Record
from tests.helpers import BASE_FIELDS, fields, pdf_text

# -- item 5: dates near year 9999 ------------------------------------------------------------------------

RENDER_ARGS = [
    "render",
    "--procedure", "kyphoplasty",
    "--levels", "L1",
    "--anesthesia", "general",
    "--same-day",
    "--patient-name", "Ana Diaz",
    "--mrn", "MRN-1001",
]  # fmt: skip


def farthest_site(tmp_path: Path) -> SiteSettings:
    """Every limit that counts days forward at its largest allowed value."""
    path = tmp_path / "far.toml"
    path.write_text(
        "[limits]\n"
        "activity_limit_days = 180\nno_soaking_days = 90\nfollow_up_days_min = 90\nfollow_up_days_max = 90\n"
        "driving_hours_local = 2160\ndriving_hours_sedation = 2160\ndriving_hours_general = 2160\n"
        "adult_stay_hours = 72\nkeep_dry_hours = 96\n",
        encoding="utf-8",
    )
    return load_site(path)


def test_dates_near_9999_are_one_line_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    result = CliRunner().invoke(
        cli, [*RENDER_ARGS, "--dob", "9900-01-01", "--procedure-date", "9999-12-31", "-o", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "OverflowError" not in result.output
    assert result.output.splitlines() == [
        "Error: Invalid value for --procedure-date: must be no later than 9998-12-31"
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("procedure_date", "9999-01-01"),
        ("procedure_date", "12/31/9999"),
        ("dob", "9999-06-01"),
        ("follow_up", "9999-01-02 10:00"),
        ("blood_thinner_restart", "9999-12-31"),
    ],
)
def test_every_date_field_is_bounded(field: str, value: str) -> None:
    overrides = {field: value}
    if field in ("follow_up", "blood_thinner_restart"):
        overrides.update(dob="9900-01-01", procedure_date="9998-12-01")
    with pytest.raises(InputError) as caught:
        build_case(fields(**overrides))
    assert [(e.field, e.message) for e in each_error(caught.value)] == [
        (field, "must be no later than 9998-12-31")
    ]


def test_the_last_date_allowed_renders_with_the_farthest_site_limits(tmp_path: Path) -> None:
    case = build_case(
        fields(
            dob="9900-01-01",
            procedure_date=LATEST_DATE.isoformat(),
            procedure_time="23:59",
            overnight="yes",
            anesthesia="general",
            follow_up="9998-12-31 23:59",
            blood_thinner_restart="9998-12-31",
        )
    )
    pdf = render_pdf(case, farthest_site(tmp_path))
    # 180 days after 9998-12-31: the activity limit's date, printed as the document counts it.
    assert "June 29" in pdf_text(pdf)


def hand_built(procedure_date: dt.date) -> Case:
    return Case("Ana Diaz", "M-1", dt.date(9900, 1, 1), "kyphoplasty", ("L1",), "local", True, procedure_date)


def test_render_pdf_refuses_a_hand_built_case_past_the_bound() -> None:
    with pytest.raises(InputError) as caught:
        render_pdf(hand_built(dt.date(9999, 12, 31)), DEFAULT_SITE)
    assert caught.value.field == "procedure_date"


def test_date_arithmetic_overflow_from_limits_set_in_code_is_a_site_error() -> None:
    # The defensive net under the bounds: check_case keeps the case's dates in range, but limits changed in
    # code are not held to load_site's ranges, and counting forward must still not escape as OverflowError.
    far = dataclasses.replace(DEFAULT_SITE.limits, activity_limit_days=10**7)
    with pytest.raises(SiteSettingsError) as caught:
        render_pdf(build_case(fields()), dataclasses.replace(DEFAULT_SITE, limits=far))
    assert caught.value.key == "limits"


def iso_or_us(date: dt.date, us: bool) -> str:
    return f"{date.month}/{date.day}/{date.year:04d}" if us else date.isoformat()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    # The whole calendar, with its last year (where counting forward runs out) drawn often.
    procedure_date=st.one_of(st.dates(), st.dates(min_value=dt.date(9998, 1, 1))),
    # Mostly an age a patient can have, so that many examples get as far as rendering; sometimes any date.
    dob=st.one_of(st.integers(min_value=-400, max_value=130 * 366), st.dates()),
    follow_up_days=st.none() | st.integers(min_value=-5, max_value=400),
    us=st.booleans(),
)
def test_any_dates_give_a_pdf_or_a_library_error(
    tmp_path: Path, procedure_date: dt.date, dob: int | dt.date, follow_up_days: int | None, us: bool
) -> None:
    if isinstance(dob, int):
        ordinal = min(max(procedure_date.toordinal() - dob, 1), dt.date.max.toordinal())
        dob = dt.date.fromordinal(ordinal)
    overrides = {"dob": iso_or_us(dob, us), "procedure_date": iso_or_us(procedure_date, us)}
    if follow_up_days is not None:
        ordinal = min(max(procedure_date.toordinal() + follow_up_days, 1), dt.date.max.toordinal())
        overrides["follow_up"] = f"{dt.date.fromordinal(ordinal).isoformat()} 08:00"
    try:
        pdf = render_pdf(build_case(fields(**overrides)), farthest_site(tmp_path))
    except DischargeGenError:
        return
    assert pdf.startswith(b"%PDF-")


# -- every failing field of a row: build_case -----------------------------------------------------------

REPRODUCTION = {"mrn": "", "dob": "1944-13-01", "levels": "T13", "anesthesia": "hypnosis"}


def test_build_case_reports_every_failing_field_in_field_order() -> None:
    with pytest.raises(InvalidFields) as caught:
        build_case(fields(**REPRODUCTION))
    error = caught.value
    assert [e.field for e in error.errors] == ["mrn", "dob", "levels", "anesthesia"]
    # Still an InputError for the first field, for callers that report one.
    assert isinstance(error, InputError) and error.field == "mrn" and error.message == "is required"
    for single in error.errors:
        assert "1944-13-01" not in single.message and "hypnosis" not in single.message


def test_one_bad_field_is_still_a_single_error() -> None:
    with pytest.raises(InputError) as caught:
        build_case(fields(levels="T13"))
    assert [e.field for e in each_error(caught.value)] == ["levels"]


def test_cross_field_rules_are_reported_beside_the_others() -> None:
    with pytest.raises(InvalidFields) as caught:
        build_case(
            fields(
                dob="2030-01-01",
                levels="T13",
                follow_up="2026-12-01 10:00",
                blood_thinner_restart="2026-12-31",
                paper="tabloid",
            )
        )
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("dob", "must be before the procedure date"),
        ("levels", caught.value.errors[1].message),
        ("follow_up", "must not be before the procedure date"),
        ("blood_thinner_restart", "must not be before the procedure date"),
        ("paper", "must be one of: letter, a4"),
    ]


def test_a_cross_field_rule_waits_until_both_fields_parse() -> None:
    with pytest.raises(InputError) as caught:
        build_case(fields(dob="2030-01-01", procedure_date="tomorrow", follow_up="2026-12-01 10:00"))
    assert [e.field for e in each_error(caught.value)] == ["procedure_date"]


# A bad value for each field, and what makes it bad only on its own (no cross-field rule involved).
BAD_VALUES = {
    "patient_name": "Ana\x07Diaz",
    "mrn": "M" * 200,
    "dob": "1944-02-30",
    "procedure": "laminectomy",
    "levels": "lumbar",
    "anesthesia": "hypnosis",
    "overnight": "maybe",
    "procedure_date": "tomorrow",
    "cause": "gravity",
    "follow_up": "soon",
    "brace": "perhaps",
    "blood_thinner_restart": "13/45/2027",
    "blood_thinner": "sometimes",
    "physical_therapy": "maybe",
    "large_print": "huge",
    "paper": "tabloid",
    "language": "klingon",
    "procedure_time": "25:99",
}


@settings(max_examples=50, deadline=None)
@given(broken=st.sets(st.sampled_from(ALL_FIELDS), min_size=1))
def test_every_broken_field_and_only_those_are_reported(broken: set[str]) -> None:
    raw = fields(**{field: BAD_VALUES[field] for field in broken})
    with pytest.raises(InputError) as caught:
        build_case(raw)
    reported = [e.field for e in each_error(caught.value)]
    assert reported == [field for field in ALL_FIELDS if field in broken]
    for single in each_error(caught.value):
        assert BAD_VALUES[single.field] not in single.message


# -- every failing field of a row: batch errors.csv ------------------------------------------------------

HEADER = [*BASE_FIELDS]


def write_rows(path: Path, lines: list[str], header: list[str] = HEADER) -> Path:
    path.write_text(",".join(header) + "\n" + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def row(header: list[str] = HEADER, **overrides: str) -> str:
    values = {**BASE_FIELDS, **overrides}
    return ",".join(values.get(column, "") for column in header)


def run(csv_path: Path, out: Path) -> tuple[int, str, list[list[str]]]:
    result = CliRunner().invoke(cli, ["batch", str(csv_path), "--out-dir", str(out), "--jobs", "1"])
    with (out / "errors.csv").open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == ["line", "field", "message"]
    return result.exit_code, result.output, lines[1:]


def test_batch_writes_one_errors_line_per_failing_field(tmp_path: Path) -> None:
    source = write_rows(
        tmp_path / "in.csv",
        [row(patient_name="Xavier Quell", **REPRODUCTION), row(mrn="M-2")],
    )
    code, output, lines = run(source, tmp_path / "out")
    assert code == 1
    assert [(line, field) for line, field, _ in lines] == [
        ("2", "mrn"),
        ("2", "dob"),
        ("2", "levels"),
        ("2", "anesthesia"),
    ]
    text = (tmp_path / "out" / "errors.csv").read_text(encoding="utf-8") + output
    for value in ("Xavier", "1944-13-01", "hypnosis"):
        assert value not in text
    # The terminal summary still counts rows, not fields.
    assert "1 written, 1 failed" in output
    assert "Failed input lines: 2." in output


def test_reader_errors_and_field_errors_come_together_in_field_order(tmp_path: Path) -> None:
    header = [column for column in HEADER if column != "overnight"] + ["discharge_date"]
    source = write_rows(
        tmp_path / "in.csv",
        [
            # discharge before the procedure, a bad level, an impossible birth date and a value too many
            row(header, dob="1944-02-30", levels="T13", discharge_date="2026-12-01") + ",spare",
            # an unreadable discharge date: overnight is not reported missing as well
            row(header, discharge_date="someday", anesthesia="hypnosis"),
            # nothing wrong but a value too many
            row(header, discharge_date="2027-01-02") + ",spare",
        ],
        header,
    )
    code, _, lines = run(source, tmp_path / "out")
    assert code == 1
    assert [(line, field) for line, field, _ in lines] == [
        ("2", "dob"),
        ("2", "levels"),
        ("2", "discharge_date"),
        ("2", "row"),
        ("3", "anesthesia"),
        ("3", "discharge_date"),
        ("4", "row"),
    ]


def test_an_empty_overnight_beside_a_bad_discharge_date_is_one_problem(tmp_path: Path) -> None:
    # As in the sample export: both columns, overnight left empty for the discharge date to fill.
    header = [*HEADER, "discharge_date"]
    source = write_rows(
        tmp_path / "in.csv",
        [
            row(header, overnight="", discharge_date="2026-12-01"),
            row(header, overnight="", discharge_date="2027-01-01", mrn=""),
            row(header, overnight="", discharge_date=""),
        ],
        header,
    )
    _, _, lines = run(source, tmp_path / "out")
    assert [(line, field) for line, field, _ in lines] == [
        ("2", "discharge_date"),
        ("3", "mrn"),
        ("4", "overnight"),
    ]


def test_a_field_the_reader_and_the_case_both_refuse_is_one_line(tmp_path: Path) -> None:
    header = [*HEADER, "discharge_date"]
    source = write_rows(
        tmp_path / "in.csv", [row(header, overnight="maybe", discharge_date="2027-01-02")], header
    )
    _, _, lines = run(source, tmp_path / "out")
    assert [(line, field) for line, field, _ in lines] == [("2", "overnight")]


def test_a_field_the_reader_could_not_read_is_not_reported_missing(tmp_path: Path) -> None:
    # As a FHIR reader hands over a record: the fields it mapped, and its error for the one it could not.
    record = Record(
        line=7,
        fields={"patient_name": "Ana Diaz", "mrn": "", "dob": "1944-05-06"},
        error=InputError("anesthesia", "the Procedure has no anesthesia"),
    )
    out = tmp_path / "out"
    result = run_batch([record], DEFAULT_SITE, out)
    assert result.failed == 1
    with (out / "errors.csv").open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle))[1:] == [
            ["7", "mrn", "is required"],
            ["7", "anesthesia", "the Procedure has no anesthesia"],
        ]


# -- every failing option of render ---------------------------------------------------------------------


def test_render_shows_every_failing_option_one_line_each(tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    args = [a for a in RENDER_ARGS if a not in ("--mrn", "MRN-1001")]
    result = CliRunner().invoke(
        cli,
        [*args, "--dob", "1944-13-01", "--levels", "T13", "--procedure-date", "2027-01-01", "-o", str(out)],
    )
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Error"] * 3
    assert lines[0] == "Error: Missing option '--mrn'."
    assert lines[1].startswith("Error: Invalid value for --dob: is not a real calendar date")
    assert lines[2].startswith("Error: Invalid value for --levels: 'T13' is not a vertebra")
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_at_a_terminal_bad_options_fail_before_any_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render_cli, "is_interactive", lambda: True)
    result = CliRunner().invoke(
        cli,
        ["render", "--levels", "T13", "--dob", "2030-01-01", "--procedure-date", "2027-01-01", "-o", "x.pdf"],
        input="Ana Diaz\n" * 10,
    )
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "Error: Invalid value for --dob: must be before the procedure date",
        "Error: Invalid value for --levels: 'T13' is not a vertebra this tool treats; use labels T1-T12 and "
        "L1-L5, separated by commas or spaces, or a range such as T11-L1",
    ]


def test_at_a_terminal_a_bad_site_file_fails_before_any_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render_cli, "is_interactive", lambda: True)
    site = tmp_path / "site.toml"
    site.write_text("[limits]\nlifting_limit_lb = 80\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", "--site", str(site), "-o", "x.pdf"], input="Ana Diaz\n" * 10)
    assert result.exit_code == 2
    assert "Patient name" not in result.output and "lifting_limit_lb" in result.output


# -- a nurse never types everything twice: a real pseudo-terminal ----------------------------------------


def session(out: Path, *options: str) -> object:
    pexpect = pytest.importorskip("pexpect")
    return pexpect.spawn(
        sys.executable,
        ["-m", "dischargegen", "render", *options, "-o", str(out)],
        encoding="utf-8",
        timeout=60,
    )


def converse(child: object, steps: list[tuple[str, str]]) -> None:
    for expected, answer in steps:
        child.expect_exact(expected)  # type: ignore[attr-defined]
        if answer:
            child.sendline(answer)  # type: ignore[attr-defined]


def finish(child: object) -> str:
    pexpect = pytest.importorskip("pexpect")
    child.expect_exact("Procedure end time")  # type: ignore[attr-defined]
    child.sendline("")  # type: ignore[attr-defined]  # Enter skips it
    child.expect(pexpect.EOF)  # type: ignore[attr-defined]
    child.close()  # type: ignore[attr-defined]
    assert child.exitstatus == 0, child.before  # type: ignore[attr-defined]
    return str(child.before)  # type: ignore[attr-defined]


def test_a_mistyped_answer_is_asked_again_and_nothing_is_lost(tmp_path: Path) -> None:
    out = tmp_path / "ana.pdf"
    child = session(out, "--procedure", "kyphoplasty", "--same-day")
    converse(
        child,
        [
            ("Patient name:", "Ana Diaz"),
            ("Medical record number (MRN):", "MRN-7"),
            ("Date of birth (YYYY-MM-DD):", "1944-13-01"),
            ("Error: Invalid value for --dob: is not a real calendar date", ""),
            ("Date of birth (YYYY-MM-DD):", "1944-12-01"),
            ("Levels treated", "T13"),
            ("Error: Invalid value for --levels: 'T13' is not a vertebra", ""),
            ("Levels treated", "T12"),
            ("Anesthesia", "hypnosis"),
            ("Error: Invalid value for --anesthesia: must be one of: local, sedation, general", ""),
            ("Anesthesia", "conscious sedation"),  # a synonym the library accepts
            ("Procedure date (YYYY-MM-DD):", "2027-02-30"),
            ("Error: Invalid value for --procedure-date: is not a real calendar date", ""),
            ("Procedure date (YYYY-MM-DD):", "2027-01-01"),
        ],
    )
    finish(child)
    text = pdf_text(out.read_bytes())
    assert "Ana Diaz" in text and "MRN-7" in text and "T12" in text
    assert "Date of birth: December 1, 1944" in text and "On Friday, January 1, you had a kyphoplasty" in text


def test_a_rule_between_fields_asks_again_for_the_field_that_can_be_fixed(tmp_path: Path) -> None:
    out = tmp_path / "ana.pdf"
    # The date of birth came from the command line: only the typed procedure date can be fixed.
    child = session(
        out,
        "--procedure", "vertebroplasty", "--levels", "L1", "--anesthesia", "local", "--overnight",
        "--patient-name", "Ana Diaz", "--mrn", "MRN-8", "--dob", "1944-05-06",
    )  # fmt: skip
    converse(
        child,
        [
            ("Procedure date (YYYY-MM-DD):", "1940-01-01"),
            ("Error: Invalid value for --dob: must be before the procedure date", ""),
            ("Procedure date (YYYY-MM-DD):", "2027-01-05"),
        ],
    )
    finish(child)
    assert "On Tuesday, January 5, you had a vertebroplasty" in pdf_text(out.read_bytes())


def test_both_dates_typed_the_one_the_rule_names_is_asked_again(tmp_path: Path) -> None:
    out = tmp_path / "ana.pdf"
    child = session(
        out,
        "--procedure", "kyphoplasty", "--levels", "L1", "--anesthesia", "local", "--same-day",
        "--patient-name", "Ana Diaz", "--mrn", "MRN-9",
    )  # fmt: skip
    converse(
        child,
        [
            ("Date of birth (YYYY-MM-DD):", "2044-05-06"),
            ("Procedure date (YYYY-MM-DD):", "2027-01-01"),
            ("Error: Invalid value for --dob: must be before the procedure date", ""),
            ("Date of birth (YYYY-MM-DD):", "1944-05-06"),
        ],
    )
    finish(child)
    text = pdf_text(out.read_bytes())
    assert "Date of birth: May 6, 1944" in text and "On Friday, January 1, you had a kyphoplasty" in text
