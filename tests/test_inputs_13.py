"""Issue 13, items 3 and 4: the inputs that say whether the patient takes a blood thinner and whether
physical therapy was ordered (render flags, CSV columns and their export names, the rule between a "no" and a
restart date, the check matrix), and the procedure time asked for at a terminal.

What the shipped templates print for these inputs is the templates' business: these tests read the values
back from the Case, the template context, or a probe template of their own in a site folder."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dischargegen import build_case, vocab
from dischargegen.case import ALL_FIELDS, check_case
from dischargegen.check.matrix import OPTIONAL_INPUTS_NOTE, all_variants
from dischargegen.cli import cli
from dischargegen.cli import render as render_cli
from dischargegen.content import build_context
from dischargegen.errors import InputError, InputFileError, InvalidFields, each_error
from dischargegen.site import DEFAULT_SITE, load_site
from dischargegen.sources import column_key
from dischargegen.sources.csv import csv_reader, map_header
from dischargegen.sources.records import DISCHARGE_DATE
from tests.helpers import BASE_FIELDS, REPO, batch, errors, fields, manifest, pdf_text, write_csv

RESTART = "2027-01-04"  # after the helpers' procedure date, 2027-01-01


def probe_site(tmp_path: Path) -> Path:
    """Site settings whose English template prints only the values under test, so that a test reads back
    what reached the document whatever the shipped wording is."""
    templates = tmp_path / "probe-templates" / "en"
    templates.mkdir(parents=True)
    (templates / "discharge.html").write_text(
        "<h1>Probe</h1>\n<section>\n<p>blood thinner: {{ case.blood_thinner }}; "
        "physical therapy: {{ case.physical_therapy }}; time: {{ dates.procedure_time }}</p>\n</section>\n",
        encoding="utf-8",
    )
    site = tmp_path / "probe-site.toml"
    site.write_text(f"[content]\ntemplates_dir = {str(templates.parent)!r}\n", encoding="utf-8")
    return site


def probed(pdf: bytes) -> str:
    text = pdf_text(pdf)
    start = text.index("blood thinner:")
    return text[start : text.index("Content version", start)].strip()


def context_case(**overrides: Any) -> dict[str, Any]:
    context = build_context(build_case(fields(**overrides)), DEFAULT_SITE)
    case: dict[str, Any] = context["case"]
    return case


# --- parsing ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["blood_thinner", "physical_therapy"])
@pytest.mark.parametrize(
    ("text", "expected"),
    [("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("no", False), (" N ", False), ("0", False)],
)
def test_yes_and_no_as_exports_write_them(field: str, text: str, expected: bool) -> None:
    assert getattr(build_case(fields(**{field: text})), field) is expected


@pytest.mark.parametrize("field", ["blood_thinner", "physical_therapy"])
@pytest.mark.parametrize("text", [None, "", "   "])
def test_left_out_or_empty_is_not_stated(field: str, text: str | None) -> None:
    assert getattr(build_case(fields(**{field: text})), field) is None


@settings(max_examples=50, deadline=None)
@given(
    word=st.sampled_from(sorted(vocab.TRUE_WORDS | vocab.FALSE_WORDS)),
    upper=st.lists(st.booleans(), min_size=5, max_size=5),
    pad=st.sampled_from(["", " ", "\t", "  "]),
)
def test_every_yes_and_no_word_in_any_case_and_spacing(word: str, upper: list[bool], pad: str) -> None:
    text = pad + "".join(c.upper() if up else c for c, up in zip(word, upper * 2, strict=False)) + pad
    case = build_case(fields(blood_thinner=text, physical_therapy=text))
    assert case.blood_thinner is case.physical_therapy is (word in vocab.TRUE_WORDS)


@pytest.mark.parametrize(("field", "text"), [("blood_thinner", "warfarin"), ("physical_therapy", "maybe")])
def test_a_word_that_is_not_yes_or_no_names_the_field_not_the_value(field: str, text: str) -> None:
    with pytest.raises(InputError) as caught:
        build_case(fields(**{field: text}))
    assert caught.value.field == field and "must be yes or no" in caught.value.message
    assert text not in str(caught.value)


@pytest.mark.parametrize("text", ["2027-01-04", "1/4/2027"])
def test_a_restart_date_in_the_blood_thinner_column_says_where_it_goes(text: str) -> None:
    with pytest.raises(InputError) as caught:
        build_case(fields(blood_thinner=text))
    assert caught.value.field == "blood_thinner"
    assert (
        caught.value.message == "must be yes or no, not a date; a restart date goes in blood_thinner_restart"
    )


def test_the_template_context_carries_both_and_a_restart_date_means_takes_one() -> None:
    assert context_case()["blood_thinner"] is None and context_case()["physical_therapy"] is None
    assert context_case(blood_thinner="no", physical_therapy="yes")["blood_thinner"] is False
    assert context_case(physical_therapy="no")["physical_therapy"] is False
    assert context_case(blood_thinner_restart=RESTART)["blood_thinner"] is True
    assert context_case(blood_thinner="yes", blood_thinner_restart=RESTART)["blood_thinner"] is True
    assert context_case(blood_thinner="yes")["blood_thinner"] is True  # takes one, no date: ask the doctor


# --- the rule between "no blood thinner" and a restart date ------------------------------------------------

NO_BUT_RESTART = (
    "is no, but a blood-thinner restart date is given, which means the patient takes one; give yes, or "
    "leave out the restart date"
)


def test_no_blood_thinner_with_a_restart_date_is_one_error_on_blood_thinner() -> None:
    # The reproduction: a way to say "no blood thinner", and a restart date that contradicts it.
    with pytest.raises(InputError) as caught:
        build_case(fields(blood_thinner="no", blood_thinner_restart=RESTART))
    assert not isinstance(caught.value, InvalidFields)
    assert (caught.value.field, caught.value.message) == ("blood_thinner", NO_BUT_RESTART)
    assert RESTART not in str(caught.value)


def test_the_rule_is_reported_with_the_other_bad_fields_in_field_order() -> None:
    with pytest.raises(InvalidFields) as caught:
        build_case(fields(dob="1944-13-01", levels="T13", blood_thinner="N", blood_thinner_restart=RESTART))
    assert [error.field for error in each_error(caught.value)] == ["dob", "levels", "blood_thinner"]


def test_the_rule_needs_no_procedure_date_and_stands_beside_the_restart_date_rule() -> None:
    # A missing procedure date does not hide it (the rule is between the two blood-thinner fields) ...
    with pytest.raises(InvalidFields) as caught:
        build_case(fields(procedure_date=None, blood_thinner="no", blood_thinner_restart=RESTART))
    assert [error.field for error in each_error(caught.value)] == ["procedure_date", "blood_thinner"]
    # ... and a restart date before the procedure is a second problem, reported with it.
    with pytest.raises(InvalidFields) as caught:
        build_case(fields(blood_thinner="no", blood_thinner_restart="2026-12-01"))
    assert [error.field for error in each_error(caught.value)] == ["blood_thinner_restart", "blood_thinner"]


@pytest.mark.parametrize("restart", ["2027-02-30", "soon"])
def test_an_unreadable_restart_date_is_its_own_error_only(restart: str) -> None:
    with pytest.raises(InputError) as caught:
        build_case(fields(blood_thinner="no", blood_thinner_restart=restart))
    assert [error.field for error in each_error(caught.value)] == ["blood_thinner_restart"]


@pytest.mark.parametrize("takes", ["yes", None])
def test_a_restart_date_with_yes_or_not_stated_is_fine(takes: str | None) -> None:
    case = build_case(fields(blood_thinner=takes, blood_thinner_restart=RESTART))
    assert case.blood_thinner_restart == dt.date(2027, 1, 4)


def test_a_case_built_in_code_is_held_to_the_same_rule() -> None:
    case = dataclasses.replace(
        build_case(fields(blood_thinner_restart=RESTART)), blood_thinner=False, physical_therapy=False
    )
    with pytest.raises(InputError) as caught:
        check_case(case)
    assert (caught.value.field, caught.value.message) == ("blood_thinner", NO_BUT_RESTART)
    with pytest.raises(InputError) as caught:
        check_case(dataclasses.replace(case, blood_thinner=True, physical_therapy="yes"))  # type: ignore[arg-type]
    assert caught.value.field == "physical_therapy"


# --- render: the flags ---------------------------------------------------------------------------------

RENDER = [
    "render",
    "--procedure", "kyphoplasty", "--levels", "L1", "--anesthesia", "local", "--same-day",
    "--patient-name", "Ana Diaz", "--mrn", "MRN-1001", "--dob", "1944-05-06", "--procedure-date", "2027-01-01",
]  # fmt: skip


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ([], "blood thinner: None; physical therapy: None"),
        (["--blood-thinner", "--physical-therapy"], "blood thinner: True; physical therapy: True"),
        (["--no-blood-thinner", "--no-physical-therapy"], "blood thinner: False; physical therapy: False"),
        (["--blood-thinner-restart", RESTART], "blood thinner: True; physical therapy: None"),
        (
            ["--blood-thinner", "--blood-thinner-restart", RESTART],
            "blood thinner: True; physical therapy: None",
        ),
        (["--no-physical-therapy", "--physical-therapy"], "blood thinner: None; physical therapy: True"),
    ],
)
def test_render_flags_reach_the_document(tmp_path: Path, flags: list[str], expected: str) -> None:
    out = tmp_path / "x.pdf"
    site = probe_site(tmp_path)
    result = CliRunner().invoke(cli, [*RENDER, *flags, "--site", str(site), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert probed(out.read_bytes()) == f"{expected}; time: None"


def test_render_passes_unstated_as_unstated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, str | None]] = []
    original = render_cli.render_fields

    def spy(given: dict[str, str | None], site: Any) -> Any:
        seen.append(dict(given))
        return original(given, site)

    monkeypatch.setattr(render_cli, "render_fields", spy)
    result = CliRunner().invoke(cli, [*RENDER, "--no-blood-thinner", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 0, result.output
    assert seen[0]["blood_thinner"] == "no" and "physical_therapy" not in seen[0]
    case = build_case(seen[0])
    assert (case.blood_thinner, case.physical_therapy) == (False, None)


def test_render_refuses_no_blood_thinner_with_a_restart_date(tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    args = [*RENDER, "--no-blood-thinner", "--blood-thinner-restart", RESTART, "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert result.output == f"Error: Invalid value for --blood-thinner: {NO_BUT_RESTART}\n"
    assert list(tmp_path.iterdir()) == []


def test_render_reports_the_rule_with_the_other_bad_options(tmp_path: Path) -> None:
    args = [*RENDER, "--dob", "1944-13-01", "--no-blood-thinner", "--blood-thinner-restart", RESTART]
    result = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert [line.split(":")[1].strip() for line in result.output.splitlines()] == [
        "Invalid value for --dob",
        "Invalid value for --blood-thinner",
    ]


def test_at_a_terminal_the_rule_fails_before_any_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render_cli, "is_interactive", lambda: True)
    args = ["render", "--no-blood-thinner", "--blood-thinner-restart", RESTART, "-o", str(tmp_path / "x.pdf")]
    result = CliRunner().invoke(cli, args, input="Ana Diaz\n" * 10)
    assert result.exit_code == 2
    assert "Patient name" not in result.output and "--blood-thinner:" in result.output


# --- render: the procedure time, asked at a terminal ---------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected", "errors_said"),
    [
        ("\n", "None", 0),  # Enter skips it
        ("14:30\n", "14:30:00", 0),
        ("2:30 PM\n25:00\n09:05\n", "09:05:00", 2),  # each bad answer says why and asks again
    ],
)
def test_at_a_terminal_the_procedure_time_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str, expected: str, errors_said: int
) -> None:
    monkeypatch.setattr(render_cli, "is_interactive", lambda: True)
    out = tmp_path / "x.pdf"
    site = probe_site(tmp_path)
    result = CliRunner().invoke(cli, [*RENDER, "--site", str(site), "-o", str(out)], input=typed)
    assert result.exit_code == 0, result.output
    assert result.output.count(render_cli.PROCEDURE_TIME_PROMPT) == 1 + errors_said
    reason = "Error: Invalid value for --procedure-time: must be a 24-hour time written HH:MM"
    assert result.output.count(reason) == errors_said
    assert probed(out.read_bytes()).endswith(f"time: {expected}")


def test_the_procedure_time_is_not_asked_when_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_cli, "is_interactive", lambda: True)
    out = tmp_path / "x.pdf"
    args = [*RENDER, "--procedure-time", "08:15", "--site", str(probe_site(tmp_path)), "-o", str(out)]
    result = CliRunner().invoke(cli, args, input="")
    assert result.exit_code == 0, result.output
    assert "Procedure end time" not in result.output
    assert probed(out.read_bytes()).endswith("time: 08:15:00")


def test_without_a_terminal_the_procedure_time_is_never_asked(tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    result = CliRunner().invoke(cli, [*RENDER, "--site", str(probe_site(tmp_path)), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Procedure end time" not in result.output
    assert probed(out.read_bytes()).endswith("time: None")


def pty_render(out: Path, *options: str, shell_stdin: str | None = None) -> Any:
    pexpect = pytest.importorskip("pexpect")
    command = [sys.executable, "-m", "dischargegen", "render", *options, "-o", str(out)]
    if shell_stdin is None:
        return pexpect.spawn(command[0], command[1:], encoding="utf-8", timeout=60)
    # stdout is the pseudo-terminal, stdin is not: a script at a terminal must still never be asked.
    line = " ".join(subprocess.list2cmdline([part]) for part in command) + f" < {shell_stdin}"
    return pexpect.spawn("/bin/sh", ["-c", line], encoding="utf-8", timeout=60)


def pty_finish(child: Any) -> str:
    pexpect = pytest.importorskip("pexpect")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return str(child.before)


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_at_a_real_terminal_the_time_follows_the_procedure_date(tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    site = probe_site(tmp_path)
    child = pty_render(out, *RENDER[1:-2], "--site", str(site))  # without --procedure-date
    child.expect_exact("Procedure date (YYYY-MM-DD):")
    child.sendline("2027-01-01")
    child.expect_exact("Procedure end time (HH:MM, 24-hour; press Enter to skip):")
    child.sendline("7:5")
    child.expect_exact("Error: Invalid value for --procedure-time: must be a 24-hour time written HH:MM")
    child.expect_exact("Procedure end time")
    child.sendline("")  # Enter skips it after all
    pty_finish(child)
    assert probed(out.read_bytes()).endswith("time: None")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_at_a_real_terminal_a_typed_time_is_used(tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    child = pty_render(out, *RENDER[1:], "--site", str(probe_site(tmp_path)))
    child.expect_exact("Procedure end time")
    child.sendline("16:45")
    pty_finish(child)
    assert probed(out.read_bytes()).endswith("time: 16:45:00")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_at_a_real_terminal_a_rule_is_fixed_before_the_time_is_asked(tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    options = [o for o in RENDER[1:] if o not in ("--dob", "1944-05-06", "--procedure-date", "2027-01-01")]
    child = pty_render(out, *options)
    for expected, answer in [
        ("Date of birth (YYYY-MM-DD):", "2044-05-06"),
        ("Procedure date (YYYY-MM-DD):", "2027-01-01"),
        ("Error: Invalid value for --dob: must be before the procedure date", None),
        ("Date of birth (YYYY-MM-DD):", "1944-05-06"),
        ("Procedure end time", ""),
    ]:
        child.expect_exact(expected)
        if answer is not None:
            child.sendline(answer)
    pty_finish(child)
    assert out.read_bytes().startswith(b"%PDF-")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize("given_time", [True, False])
def test_at_a_real_terminal_nothing_is_asked_when_not_needed(tmp_path: Path, given_time: bool) -> None:
    out = tmp_path / "x.pdf"
    if given_time:  # every option given, the time too: no question at all
        child = pty_render(out, *RENDER[1:], "--procedure-time", "10:00", "--site", str(probe_site(tmp_path)))
    else:  # stdin is not a terminal: never asked, even with the output on one
        child = pty_render(out, *RENDER[1:], "--site", str(probe_site(tmp_path)), shell_stdin="/dev/null")
    said = pty_finish(child)
    assert "Procedure end time" not in said and "Wrote" in said
    assert probed(out.read_bytes()).endswith("time: 10:00:00" if given_time else "time: None")


# --- batch: the CSV columns and the names exports give them ---------------------------------------------


def synonym_cases() -> list[tuple[str, str]]:
    return [(field, name) for field, names in vocab.COLUMN_SYNONYMS.items() for name in (field, *names)]


@pytest.mark.parametrize(("field", "name"), synonym_cases())
def test_every_export_name_is_read_as_its_field(field: str, name: str) -> None:
    header = [*BASE_FIELDS, name.upper().replace("_", " "), "Comments"]
    columns = map_header(header, {})
    assert columns.fields[field] == len(BASE_FIELDS)
    assert column_key(name) not in columns.extra


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Anticoagulant", "blood_thinner"),
        ("On Blood Thinner", "blood_thinner"),
        ("ANTICOAG", "blood_thinner"),
        ("PT Ordered", "physical_therapy"),
        ("pt-referral", "physical_therapy"),
        ("Physical Therapy", "physical_therapy"),
        ("Physiotherapy", "physical_therapy"),
    ],
)
def test_names_as_exports_write_them(header: str, field: str) -> None:
    assert map_header([*BASE_FIELDS, header], {}).fields[field] == len(BASE_FIELDS)


def test_export_names_collide_with_no_field_and_no_other_export_name() -> None:
    field_keys = {column_key(field) for field in (*ALL_FIELDS, DISCHARGE_DATE)}
    seen: dict[str, str] = {}
    for field, name in synonym_cases():
        key = column_key(name)
        assert key not in seen or seen[key] == field, name
        seen[key] = field
        assert key not in field_keys or key == column_key(field), name
    assert "pt" not in seen and "patient" not in seen  # "PT" is the patient in most exports


def test_unrelated_and_near_names_are_not_read() -> None:
    columns = map_header([*BASE_FIELDS, "PT", "Antiplatelet", "Anticoag Restart", "Therapy"], {})
    assert "blood_thinner" not in columns.fields and "physical_therapy" not in columns.fields
    assert {"pt", "antiplatelet", "anticoagrestart", "therapy"} <= set(columns.extra)


def test_two_columns_for_one_field_refuse_the_file_and_a_mapping_settles_it(tmp_path: Path) -> None:
    header = [*BASE_FIELDS, "blood_thinner", "Anticoagulant"]
    with pytest.raises(InputFileError) as caught:
        map_header(header, {})
    assert "more than one column for blood_thinner" in str(caught.value)
    assert "'blood_thinner' (column 9) and 'Anticoagulant' (column 10)" in str(caught.value)
    with pytest.raises(InputFileError):
        map_header([*BASE_FIELDS, "PT Ordered", "Physiotherapy"], {})
    # The site names the column: that one is the field, the other just another column.
    columns = map_header(header, {"blood_thinner": "Anticoagulant"})
    assert columns.fields["blood_thinner"] == 9 and "bloodthinner" in columns.extra


def test_a_column_the_site_mapped_to_another_field_is_not_taken() -> None:
    columns = map_header([*BASE_FIELDS, "Anticoagulation"], {"blood_thinner_restart": "Anticoagulation"})
    assert columns.fields["blood_thinner_restart"] == len(BASE_FIELDS)
    assert "blood_thinner" not in columns.fields


def test_batch_reads_the_columns_and_reports_bad_rows(tmp_path: Path) -> None:
    rows = [
        {**BASE_FIELDS, "mrn": "A1", "Anticoagulant": "Y", "PT Ordered": "N"},
        {**BASE_FIELDS, "mrn": "A2", "Anticoagulant": "", "PT Ordered": "yes"},
        {
            **BASE_FIELDS,
            "mrn": "A3",
            "Anticoagulant": "no",
            "PT Ordered": "",
            "blood_thinner_restart": RESTART,
        },
        {**BASE_FIELDS, "mrn": "A4", "Anticoagulant": "apixaban", "PT Ordered": "maybe", "dob": "1944-13-01"},
        {**BASE_FIELDS, "mrn": "A5", "Anticoagulant": "No", "PT Ordered": "0"},
        {**BASE_FIELDS, "mrn": "A6", "Anticoagulant": "N", "blood_thinner_restart": RESTART, "levels": "T13"},
    ]
    columns = [*BASE_FIELDS, "blood_thinner_restart", "Anticoagulant", "PT Ordered"]
    export = write_csv(tmp_path / "export.csv", rows, columns)
    out = tmp_path / "out"
    result = batch(export, "--site", probe_site(tmp_path), "--out-dir", out, "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert [row["status"] for row in manifest(out)] == [
        "written",
        "written",
        "failed",
        "failed",
        "written",
        "failed",
    ]
    levels_message = errors(out)[4]["message"]
    assert levels_message.startswith("'T13' is not a vertebra")
    assert [(e["line"], e["field"], e["message"]) for e in errors(out)] == [
        ("4", "blood_thinner", NO_BUT_RESTART),
        ("5", "dob", "is not a real calendar date; use YYYY-MM-DD or MM/DD/YYYY"),
        ("5", "blood_thinner", "must be yes or no (also accepted: true/false, y/n, 1/0)"),
        ("5", "physical_therapy", "must be yes or no (also accepted: true/false, y/n, 1/0)"),
        ("7", "levels", levels_message),
        ("7", "blood_thinner", NO_BUT_RESTART),
    ]
    assert (
        "apixaban" not in (out / "errors.csv").read_text(encoding="utf-8") and "apixaban" not in result.output
    )
    probes = {row["file"]: probed((out / row["file"]).read_bytes()) for row in manifest(out) if row["file"]}
    assert probes == {
        "A1_2027-01-01.pdf": "blood thinner: True; physical therapy: False; time: None",
        "A2_2027-01-01.pdf": "blood thinner: None; physical therapy: True; time: None",
        "A5_2027-01-01.pdf": "blood thinner: False; physical therapy: False; time: None",
    }


def test_batch_refuses_a_file_with_two_blood_thinner_columns(tmp_path: Path) -> None:
    columns = [*BASE_FIELDS, "blood_thinner", "On Anticoagulation"]
    export = write_csv(tmp_path / "export.csv", [{**BASE_FIELDS, "blood_thinner": "yes"}], columns)
    result = batch(export, "--out-dir", tmp_path / "out")
    assert result.exit_code == 2
    assert "more than one column for blood_thinner" in result.output
    mapped = tmp_path / "site.toml"
    mapped.write_text('[csv.columns]\nblood_thinner = "On Anticoagulation"\n', encoding="utf-8")
    result = batch(export, "--site", mapped, "--out-dir", tmp_path / "out2", "--jobs", "1")
    assert result.exit_code == 0, result.output


# --- the check matrix ----------------------------------------------------------------------------------


def test_the_matrix_covers_every_value_of_both_fields_without_more_variants() -> None:
    variants = all_variants(vocab.LANGUAGES)  # every shipped language, as check --all-languages
    assert len(variants) == 145 * len(vocab.LANGUAGES) and len(all_variants()) == 290  # with each "-tallest"
    seen: dict[tuple[str, bool], set[tuple[str, object]]] = {}
    for variant in variants:
        for large_print in (False, True):
            case = variant.case(large_print)
            check_case(case)  # never "takes none" beside a restart date
            context = build_context(case, DEFAULT_SITE)["case"]
            found = seen.setdefault((case.language, large_print), set())
            found.update(
                {
                    ("blood_thinner", case.blood_thinner),
                    ("physical_therapy", case.physical_therapy),
                    ("takes one (context)", context["blood_thinner"]),
                    ("restart date with", (case.blood_thinner, case.blood_thinner_restart is not None)),
                }
            )
    every = {
        *(("blood_thinner", value) for value in (True, False, None)),
        *(("physical_therapy", value) for value in (True, False, None)),
        *(("takes one (context)", value) for value in (True, False, None)),
        # takes one with and without a date, not stated with and without one, takes none without one
        *(("restart date with", pair) for pair in [(True, True), (True, False), (None, True), (None, False)]),
        ("restart date with", (False, False)),
    }
    assert set(seen) == {(language, lp) for language in vocab.LANGUAGES for lp in (False, True)}
    for found in seen.values():
        assert found == every


def test_the_matrix_note_says_what_the_new_inputs_follow() -> None:
    assert "blood thinner follows the anesthesia" in OPTIONAL_INPUTS_NOTE
    assert "Physical therapy follows the cause" in OPTIONAL_INPUTS_NOTE


def test_a_corrected_column_renders_the_row_again_on_a_rerun(tmp_path: Path) -> None:
    columns = [*BASE_FIELDS, "PT Ordered"]
    export = write_csv(tmp_path / "export.csv", [{**BASE_FIELDS, "PT Ordered": ""}], columns)
    out, site = tmp_path / "out", probe_site(tmp_path)
    assert batch(export, "--site", site, "--out-dir", out, "--jobs", "1").exit_code == 0
    assert probed((out / "MRN-1001_2027-01-01.pdf").read_bytes()).startswith(
        "blood thinner: None; physical therapy: None"
    )
    write_csv(export, [{**BASE_FIELDS, "PT Ordered": "Y"}], columns)  # the nurse fills it in and runs again
    assert batch(export, "--site", site, "--out-dir", out, "--jobs", "1").exit_code == 0
    assert [row["status"] for row in manifest(out)] == ["written"]
    assert probed((out / "MRN-1001_2027-01-01.pdf").read_bytes()).startswith(
        "blood thinner: None; physical therapy: True"
    )


def test_the_sample_export_reads_both_columns_by_their_export_names() -> None:
    site = load_site(REPO / "samples" / "ehr_site.toml")
    assert "blood_thinner" not in site.csv.columns and "physical_therapy" not in site.csv.columns
    cases = {
        record.line: build_case(record.fields)
        for record in csv_reader(REPO / "samples" / "ehr_export.csv", site, None)()
    }
    takes = {line for line, case in cases.items() if case.blood_thinner}
    dated = {line for line, case in cases.items() if case.blood_thinner_restart is not None}
    assert dated == {4, 9, 16, 22} and takes == {4, 9, 11, 18, 22}  # as samples/README.md says
    for field in ("blood_thinner", "physical_therapy"):
        assert {getattr(case, field) for case in cases.values()} == {True, False, None}
