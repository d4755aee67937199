"""The render command: options, prompting, exit codes, and no output file after an error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dischargegen.cli import cli
from dischargegen.cli import render as render_cli
from tests.helpers import REPO, pdf_text

ARGS = [
    "render",
    "--procedure", "Kyphoplasty",
    "--levels", "t12 l1",
    "--anesthesia", "SEDATION",
    "--same-day",
    "--patient-name", "Ana Diaz",
    "--mrn", "MRN-1001",
    "--dob", "1944-05-06",
    "--procedure-date", "2027-01-01",
]  # fmt: skip


def run(*extra: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*ARGS, *extra], input=input)
    return result.exit_code, result.output


def test_render_writes_a_pdf(tmp_path: Path) -> None:
    out = tmp_path / "ana.pdf"
    code, output = run("-o", str(out))
    assert code == 0, output
    assert out.read_bytes().startswith(b"%PDF-")
    assert "Ana Diaz" in pdf_text(out.read_bytes())
    assert [p.name for p in tmp_path.iterdir()] == ["ana.pdf"]


def replace_option(option: str, value: str) -> list[str]:
    args = list(ARGS)
    args[args.index(option) + 1] = value
    return args


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--levels", "T13", "Invalid value for --levels: 'T13' is not a vertebra"),
        ("--levels", "T12,T12", "Invalid value for --levels: T12 is listed more than once"),
        ("--dob", "1944-02-30", "Invalid value for --dob: is not a real calendar date"),
        ("--dob", "2030-01-01", "Invalid value for --dob: must be before the procedure date"),
        ("--procedure-date", "tomorrow", "Invalid value for --procedure-date: must be a date"),
        ("--procedure", "laminectomy", "Invalid value for '--procedure'"),
        ("--patient-name", "Ana \U0001f600", "Invalid value for --patient-name: contains U+1F600"),
        ("--mrn", "\u05d0\u05d1", "Invalid value for --mrn: contains U+05D0"),  # Hebrew: no font
    ],
)
def test_bad_input_exits_2_naming_the_field_and_leaves_no_file(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    out = tmp_path / "x.pdf"
    result = CliRunner().invoke(cli, [*replace_option(option, value), "-o", str(out)])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_follow_up_before_procedure_is_refused(tmp_path: Path) -> None:
    code, output = run("--follow-up", "2026-12-01 10:00", "-o", str(tmp_path / "x.pdf"))
    assert code == 2 and "--follow-up: must not be before the procedure date" in output


def test_failed_render_keeps_an_existing_file_intact(tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    out.write_bytes(b"previous")
    result = CliRunner().invoke(cli, [*replace_option("--levels", "L9"), "-o", str(out)])
    assert result.exit_code == 2
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]


def test_without_a_terminal_a_missing_option_exits_2(tmp_path: Path) -> None:
    args = [a for a in ARGS if a not in ("--mrn", "MRN-1001")]
    result = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    assert "Missing option '--mrn'" in result.output
    assert list(tmp_path.iterdir()) == []


def test_missing_stay_names_both_flags(tmp_path: Path) -> None:
    args = [a for a in ARGS if a != "--same-day"]
    result = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2 and "--overnight' (or --same-day)" in result.output


def test_at_a_terminal_missing_options_are_prompted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_cli, "is_interactive", lambda: True)
    out = tmp_path / "x.pdf"
    result = CliRunner().invoke(
        cli,
        ["render", "--procedure", "vertebroplasty", "-o", str(out)],
        input="Ana Diaz\nMRN-9\n1944-05-06\nT12\ngeneral\nno\n2027-01-01\n\n",  # Enter skips the time
    )
    assert result.exit_code == 0, result.output
    assert "Patient name:" in result.output and "Procedure date (YYYY-MM-DD):" in result.output
    assert "MRN-9" in pdf_text(out.read_bytes())


def test_missing_output_folder_is_a_user_error(tmp_path: Path) -> None:
    code, output = run("-o", str(tmp_path / "nowhere" / "x.pdf"))
    assert code == 2 and "Invalid value for --output" in output


def test_bad_site_file_is_a_user_error(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[limits]\nlifting_limit_lb = 80\n", encoding="utf-8")
    code, output = run("--site", str(site), "-o", str(tmp_path / "x.pdf"))
    assert code == 2
    assert "Invalid site settings: limits.lifting_limit_lb: must be between 2 and 25" in output
    assert not (tmp_path / "x.pdf").exists()


def test_site_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[institution]\nname = "North Valley Clinic"\n', encoding="utf-8")
    monkeypatch.setenv("DISCHARGEGEN_SITE", str(site))
    out = tmp_path / "x.pdf"
    code, output = run("-o", str(out))
    assert code == 0, output
    assert "North Valley Clinic" in pdf_text(out.read_bytes())


def test_commands_start_without_loading_what_they_do_not_need() -> None:
    # pypdf: only a packet needs it; it made every command, the bedside render too, start 0.15 s later.
    # xml.sax.saxutils loads urllib.request (35 ms) for an escape function.
    script = (
        "import sys\nimport dischargegen.cli\n"
        "print('pypdf' in sys.modules, 'xml.sax.saxutils' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]
