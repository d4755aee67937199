"""Printing (issue 14, item 1): `render --print` and dischargegen.printing, against a private cupsd (the
`cups` fixture: one queue, ward5, whose backend records each job's bytes and argv) and, for the lp
arguments, message parsing and timeouts, without one (stand-in lp and lpstat programs on PATH)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from dischargegen.cli import render as render_cli
from dischargegen.errors import DischargeGenError, PrintError
from dischargegen.printing import (
    JOB_TITLE,
    PrintedJob,
    PrintOptions,
    lp_arguments,
    parse_request_id,
    print_pdf,
)
from dischargegen.site import Printing
from tests.helpers import (
    BASE_FIELDS,
    CUPS_PROGRAMS,
    RENDER_BASE,
    Queue,
    environment,
    free_port,
    missing_cups_program,
    pdf_text,
    skip_or_fail_without_cups,
)
from tests.helpers import render_base as render

PATIENT_DATA = (BASE_FIELDS["patient_name"], "Diaz", BASE_FIELDS["mrn"], "1001", BASE_FIELDS["dob"], "1944")


def site_file(path: Path, printing: str) -> Path:
    path.write_text(f"[printing]\n{printing}\n", encoding="utf-8")
    return path


def assert_no_patient_data(text: str) -> None:
    for value in PATIENT_DATA:
        assert value not in text


def one_error_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    assert_no_patient_data(result.stderr)
    return lines[0]


# --- without a print server: the arguments lp gets, its answer read back ---------------------------------


def test_lp_arguments_send_the_neutral_title_copies_media_and_no_file() -> None:
    arguments = lp_arguments(PrintOptions("ward5", copies=2, duplex=True), "letter")
    assert arguments == [
        "-d", "ward5", "-t", "Discharge instructions", "-n", "2",
        "-o", "media=na_letter_8.5x11in", "-o", "sides=two-sided-long-edge",
    ]  # fmt: skip


def test_lp_arguments_leave_the_queue_and_sides_to_cups_when_not_chosen() -> None:
    assert lp_arguments(PrintOptions(), "a4") == [
        "-t", JOB_TITLE, "-n", "1", "-o", "media=iso_a4_210x297mm",
    ]  # fmt: skip
    assert lp_arguments(PrintOptions(duplex=False), "a4")[-2:] == ["-o", "sides=one-sided"]


@pytest.mark.parametrize(
    ("output", "job"),
    [
        ("request id is ward5-12 (1 file(s))\n", PrintedJob("ward5", "ward5-12")),
        ("request id is ward5-1 (0 file(s))", PrintedJob("ward5", "ward5-1")),
        ("request id is 4-west-3 (0 file(s))", PrintedJob("4-west", "4-west-3")),
        ("lp: Error - The printer or class does not exist.", None),
        ("", None),
    ],
)
def test_the_job_id_is_read_from_lps_answer(output: str, job: PrintedJob | None) -> None:
    assert parse_request_id(output) == job


@given(st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,20}", fullmatch=True), st.integers(1, 10**6))
@settings(max_examples=50)
def test_any_queue_name_and_job_number_read_back(queue: str, number: int) -> None:
    assert parse_request_id(f"request id is {queue}-{number} (0 file(s))\n") == PrintedJob(
        queue, f"{queue}-{number}"
    )


def test_the_command_line_wins_over_the_site_which_wins_over_the_defaults() -> None:
    site = Printing(printer="ward5", copies=3, duplex=True, timeout_seconds=40)
    assert PrintOptions.from_settings(site) == PrintOptions("ward5", 3, True, 40)
    assert PrintOptions.from_settings(site, "ward6", 2, False) == PrintOptions("ward6", 2, False, 40)
    assert PrintOptions.from_settings(Printing()) == PrintOptions(None, 1, None, 30)


@pytest.mark.parametrize("name", ["-o", "ward 5", "ward5/x", "../x", "", "ward'5"])
def test_a_queue_name_that_could_be_an_option_or_a_path_is_refused(name: str) -> None:
    with pytest.raises(PrintError, match="print queue name"):
        PrintOptions(name)


def fake_cups(folder: Path, lpstat: str, lp: str = "") -> Path:
    """Stand-in lpstat and lp programs (shell scripts) in `folder`, for a PATH with nothing else."""
    folder.mkdir(exist_ok=True)
    for name, body in (("lpstat", lpstat), ("lp", lp)):
        if body:
            script = folder / name
            script.write_text(f"#!/bin/sh\n{body}\n")
            script.chmod(0o755)
    return folder


def test_lp_gets_the_pdf_on_standard_input_and_no_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lpstat = (
        'case "$1" in -r) echo "scheduler is running";; '
        '*) echo "ward5 accepting requests since today"; echo "printer ward5 is idle.  enabled";; esac'
    )
    lp = (
        f'printf "%s\\n" "$@" > {tmp_path}/argv; /bin/cat > {tmp_path}/stdin; '
        'echo "request id is ward5-7 (0 file(s))"'
    )
    monkeypatch.setenv("PATH", str(fake_cups(tmp_path / "bin", lpstat, lp)))
    job = print_pdf(b"%PDF-1.7 the document", PrintOptions("ward5"), "letter")
    assert job == PrintedJob("ward5", "ward5-7")
    assert (tmp_path / "stdin").read_bytes() == b"%PDF-1.7 the document"
    assert (tmp_path / "argv").read_text().splitlines() == lp_arguments(PrintOptions("ward5"), "letter")


def test_a_print_server_that_never_answers_is_an_error_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(fake_cups(tmp_path / "bin", "exec /bin/sleep 600")))
    with pytest.raises(PrintError, match="did not answer within 1 seconds") as raised:
        print_pdf(b"%PDF", PrintOptions("ward5", timeout_seconds=1), "letter")
    assert "ward5" in str(raised.value)


def test_without_lp_installed_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrintError, match="not installed") as raised:
        print_pdf(b"%PDF", PrintOptions("ward5"), "letter")
    assert "cups-client" in str(raised.value)
    assert isinstance(raised.value, DischargeGenError)


def test_print_options_without_print_are_a_usage_error(tmp_path: Path) -> None:
    for extra in (["--printer", "ward5"], ["--copies", "2"], ["--duplex"], ["--simplex"]):
        result = render("-o", tmp_path / "a.pdf", *extra)
        assert result.exit_code == 2
        assert "go with --print" in result.stderr
    assert not (tmp_path / "a.pdf").exists()


def test_a_bad_queue_name_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    result = render("-o", tmp_path / "a.pdf", "--print", "--printer", "-x")
    assert result.exit_code == 2
    assert "Invalid value for --printer" in result.stderr
    assert not (tmp_path / "a.pdf").exists()


LPSTAT_SAYS = {
    "unknown": "echo 'lpstat: Invalid destination name in list \"ward5\".' >&2; exit 1",
    "stopped": 'echo "ward5 accepting requests since today"; '
    'printf "printer ward5 disabled since today -\\n\\tPaused\\n"',
    "rejecting": 'echo "ward5 not accepting requests since today -"; echo "printer ward5 is idle.  enabled"',
}


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("unknown", "no print queue named ward5; `lpstat -p` lists the queues"),
        ("stopped", "the printer ward5 is stopped"),
        ("rejecting", "the print queue ward5 is not accepting jobs"),
    ],
)
def test_lpstats_answer_refuses_the_queue_before_lp_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state: str, message: str
) -> None:
    lpstat = f'case "$1" in -r) echo "scheduler is running";; *) {LPSTAT_SAYS[state]};; esac'
    lp = f"/bin/touch {tmp_path}/lp-ran"
    monkeypatch.setenv("PATH", str(fake_cups(tmp_path / "bin", lpstat, lp)))
    with pytest.raises(PrintError) as raised:
        print_pdf(b"%PDF", PrintOptions("ward5"), "letter")
    assert str(raised.value).startswith(message)
    assert not (tmp_path / "lp-ran").exists()


def test_a_missing_cups_program_skips_the_print_tests_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert missing_cups_program(str(tmp_path)) == "cupsd"
    fake_cups(tmp_path, "true")
    (tmp_path / "cupsd").write_text("#!/bin/sh\n")
    (tmp_path / "cupsd").chmod(0o755)
    assert missing_cups_program(str(tmp_path)) == "lp"
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="need CUPS's lp"):
        skip_or_fail_without_cups(str(tmp_path))


def test_under_ci_a_missing_cups_program_fails_instead_of_skipping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="need CUPS's cupsd.*CI must not skip"):
        skip_or_fail_without_cups(str(tmp_path))
    assert "cupsd" in CUPS_PROGRAMS and "lpadmin" in CUPS_PROGRAMS


# --- against the private cupsd ---------------------------------------------------------------------------


def test_render_prints_exactly_the_bytes_it_wrote(cups: Queue, tmp_path: Path) -> None:
    out = tmp_path / "MRN-1001 Diaz.pdf"
    result = render("-o", out, "--print", "--printer", "ward5")
    assert result.exit_code == 0, result.output
    [job] = cups.wait_for_jobs(1)
    assert job.data == out.read_bytes()
    assert result.stderr.splitlines() == [f"Wrote {out}", f"Printed on ward5: job ward5-{job.job}"]


def test_the_job_title_and_options_hold_no_patient_data(cups: Queue, tmp_path: Path) -> None:
    out = tmp_path / "MRN-1001 Ana Diaz 1944-05-06.pdf"  # a file name carrying the patient
    assert render("-o", out, "--print", "--printer", "ward5").exit_code == 0
    [job] = cups.wait_for_jobs(1)
    assert job.title == "Discharge instructions"
    assert_no_patient_data(json.dumps(job.argv))
    # CUPS's own record of the job (its document name among it) holds none either.
    listed = cups.server.run("lpstat", "-W", "all", "-l", "-o").stdout
    assert_no_patient_data(listed)


def test_render_without_output_prints_and_leaves_no_file(
    cups: Queue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("TMPDIR", str(work))
    result = render("--print", "--printer", "ward5")
    assert result.exit_code == 0, result.output
    [job] = cups.wait_for_jobs(1)
    assert list(work.iterdir()) == []
    assert job.data.startswith(b"%PDF-")
    assert "Ana Diaz" in pdf_text(job.data)  # the patient's document, on paper only
    assert result.stderr == f"Printed on ward5: job ward5-{job.job}\n"


def test_copies_sides_and_media_as_asked(cups: Queue, tmp_path: Path) -> None:
    result = render("--print", "--printer", "ward5", "--copies", "3", "--duplex", "--paper", "a4")
    assert result.exit_code == 0, result.output
    [job] = cups.wait_for_jobs(1)
    assert job.copies == 3
    assert job.options["sides"] == "two-sided-long-edge"
    assert job.options["media"] == "iso_a4_210x297mm"


def test_site_settings_give_the_defaults_and_the_command_line_wins(cups: Queue, tmp_path: Path) -> None:
    site = site_file(tmp_path / "site.toml", 'printer = "ward5"\ncopies = 2\nduplex = true')
    assert render("--print", "--site", site).exit_code == 0
    assert render("--print", "--site", site, "--copies", "4", "--simplex").exit_code == 0
    first, second = cups.wait_for_jobs(2)
    assert (first.copies, first.options["sides"], first.options["media"]) == (
        2,
        "two-sided-long-edge",
        "na_letter_8.5x11in",
    )
    assert (second.copies, second.options["sides"]) == (4, "one-sided")


def test_without_a_queue_cups_default_is_used(cups: Queue, tmp_path: Path) -> None:
    cups.server.run("lpadmin", "-d", "ward5")
    result = render("--print")
    assert result.exit_code == 0, result.output
    [job] = cups.wait_for_jobs(1)
    assert result.stderr == f"Printed on ward5: job ward5-{job.job}\n"


def test_the_printer_variable_chooses_the_queue_as_lp_does(
    cups: Queue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = cups.server.add_queue("ward6", tmp_path / "ward6")
    cups.server.run("lpadmin", "-d", "ward5")
    monkeypatch.setenv("PRINTER", "ward6")
    result = render("--print")
    assert result.exit_code == 0, result.output
    [job] = other.wait_for_jobs(1)
    assert result.stderr == f"Printed on ward6: job ward6-{job.job}\n"
    assert cups.jobs() == []


def test_an_unknown_queue_is_one_line_naming_it(cups: Queue, tmp_path: Path) -> None:
    line = one_error_line(render("--print", "--printer", "ward9"))
    assert "no print queue named ward9" in line and "lpstat -p" in line


def test_an_unknown_queue_from_the_site_settings_names_it_too(cups: Queue, tmp_path: Path) -> None:
    site = site_file(tmp_path / "site.toml", 'printer = "icu2"')
    line = one_error_line(render("--print", "--site", site))
    assert "no print queue named icu2" in line


def test_a_stopped_printer_is_refused_not_queued(cups: Queue, tmp_path: Path) -> None:
    cups.disable()
    line = one_error_line(render("--print", "--printer", "ward5"))
    assert "ward5 is stopped" in line and "cupsenable ward5" in line
    assert cups.server.run("lpstat", "-o", "ward5").stdout == ""  # nothing waits in the queue


def test_a_queue_not_accepting_jobs_is_refused(cups: Queue, tmp_path: Path) -> None:
    cups.reject()
    line = one_error_line(render("--print", "--printer", "ward5"))
    assert "ward5 is not accepting jobs" in line and "cupsaccept ward5" in line


def test_no_default_queue_says_how_to_choose_one(cups: Queue, tmp_path: Path) -> None:
    line = one_error_line(render("--print"))
    assert "no default queue" in line and "--printer" in line and "lpoptions -d" in line


def test_an_unreachable_print_server_is_one_line(
    cups: Queue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("CUPS_SERVER", closed)
    line = one_error_line(render("--print", "--printer", "ward5"))
    assert f"no print server answers at {closed}" in line and "ward5" in line


def test_a_failed_print_after_writing_says_the_file_is_written(cups: Queue, tmp_path: Path) -> None:
    out = tmp_path / "a.pdf"
    result = render("-o", out, "--print", "--printer", "ward9")
    assert result.exit_code == 2
    wrote, error = result.stderr.splitlines()
    assert wrote == f"Wrote {out}"
    assert error.startswith("Error: no print queue named ward9") and error.endswith(f"; {out} is written")
    assert out.read_bytes().startswith(b"%PDF-")


def test_a_real_process_reports_an_unreachable_server_and_exits_2(cups: Queue, tmp_path: Path) -> None:
    env = {**environment(), "CUPS_SERVER": f"127.0.0.1:{free_port()}"}
    done = subprocess.run(
        [sys.executable, "-m", "dischargegen", *RENDER_BASE, "--print", "--printer", "ward5"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("Error: cannot print on ward5: no print server answers")
    assert len(done.stderr.splitlines()) == 1
    assert_no_patient_data(done.stderr)


def test_the_library_prints_and_reports_the_job(cups: Queue) -> None:
    options = dataclasses.replace(PrintOptions.from_settings(Printing()), printer="ward5")
    job = print_pdf(b"%PDF-1.7 bytes as given", options, "a4")
    [recorded] = cups.wait_for_jobs(1)
    assert job == PrintedJob("ward5", f"ward5-{recorded.job}")
    assert recorded.data == b"%PDF-1.7 bytes as given"
    assert "sides" not in recorded.options  # duplex unset: the queue's own default


def test_at_a_terminal_print_without_output_asks_no_file_name(
    cups: Queue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render_cli, "is_interactive", lambda: True)
    monkeypatch.chdir(tmp_path)
    result = render("--procedure-time", "09:30", "--print", "--printer", "ward5")
    assert result.exit_code == 0, result.output
    assert "Write the PDF to" not in result.output
    [job] = cups.wait_for_jobs(1)
    assert result.stderr == f"Printed on ward5: job ward5-{job.job}\n"
