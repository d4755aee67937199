"""The documentation says what the code does: generated parts are current, every command, option and site
settings key is documented, links lead somewhere, and the README's first command succeeds."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pypdf
import pytest
from click.testing import CliRunner

from dischargegen import build_case, load_site, render_pdf
from dischargegen.cli import cli
from dischargegen.site import SiteSettings

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
README = REPO / "README.md"
# Written by the speed-ups branch from the README's old "Performance" section; linked from here already.

COG_BLOCK = re.compile(r"<!-- \[\[\[cog .*?\[\[\[end\]\]\] -->", re.DOTALL)


def cog_check(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "--diff", "-I", str(DOCS), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )


def hand_written(path: Path) -> str:
    """The text of a docs file without its generated parts."""
    return COG_BLOCK.sub("", path.read_text(encoding="utf-8"))


# --- generated parts ---------------------------------------------------------------------------------
def test_generated_parts_are_current() -> None:
    files = sorted(DOCS.glob("*.md"))
    assert files
    result = cog_check(*files)
    assert result.returncode == 0, (
        "a generated part of docs/ is stale: run `cog -r -I docs docs/*.md`\n" + result.stdout + result.stderr
    )


@pytest.mark.parametrize(
    ("file", "generated", "stale"),
    [
        ("cli.md", "--out-dir DIRECTORY", "--out-dir FOLDER"),
        ("batch.md", "`tumour`", "`tumor`"),
        ("fhir.md", "| T12 | 23215003 |", "| T12 | 23215004 |"),
        ("fhir.md", "| 22515 |", "| 22516 |"),
    ],
)
def test_a_stale_generated_part_fails_the_check(
    tmp_path: Path, file: str, generated: str, stale: str
) -> None:
    copy = tmp_path / file
    text = (DOCS / file).read_text(encoding="utf-8")
    assert generated in text
    copy.write_text(text.replace(generated, stale, 1), encoding="utf-8")
    assert cog_check(copy).returncode != 0


def test_every_generated_block_has_output() -> None:
    for path in sorted(DOCS.glob("*.md")):
        for block in COG_BLOCK.findall(path.read_text(encoding="utf-8")):
            output = block.split("]]] -->", 1)[1].rsplit("<!-- [[[end]]]", 1)[0]
            assert output.strip(), f"{path.name}: a generated block is empty"


# --- every command, option and key is documented -----------------------------------------------------
def command_names() -> list[str]:
    return sorted(cli.commands)


def options(command: str) -> list[str]:
    params = cli.commands[command].params
    return [opt for p in params if isinstance(p, click.Option) for opt in (*p.opts, *p.secondary_opts)]


@pytest.mark.parametrize("command", command_names())
def test_every_command_has_a_section_in_cli_md(command: str) -> None:
    text = hand_written(DOCS / "cli.md")
    assert re.search(rf"^## `dischargegen {command}`$", text, re.MULTILINE)
    assert f"`dischargegen {command} --help`" in text


@pytest.mark.parametrize(
    ("command", "option"), [(command, option) for command in command_names() for option in options(command)]
)
def test_every_option_is_described_in_cli_md(command: str, option: str) -> None:
    # Outside the generated --help: each option is described by hand, in its command's section.
    text = hand_written(DOCS / "cli.md")
    section = text.split(f"## `dischargegen {command}`", 1)[1].split("\n## ", 1)[0]
    assert re.search(rf"`{re.escape(option)}\b", section), f"docs/cli.md does not describe {command} {option}"


def site_keys() -> list[str]:
    return [
        f"{section.name}.{key.name}"
        for section in dataclasses.fields(SiteSettings)
        if section.name != "source"  # the file they came from, not a key
        for key in dataclasses.fields(getattr(SiteSettings(), section.name))
    ]


def test_site_keys_are_found() -> None:
    assert "limits.driving_hours_sedation" in site_keys() and "fhir.procedure_codes" in site_keys()


@pytest.mark.parametrize("key", site_keys())
def test_every_site_settings_key_is_in_site_settings_md(key: str) -> None:
    assert f"`{key}`" in (DOCS / "site-settings.md").read_text(encoding="utf-8")


# --- the README -------------------------------------------------------------------------------------
def test_readme_is_short() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 250


def markdown_files() -> list[Path]:
    return [
        README,
        *sorted(DOCS.glob("*.md")),
        REPO / "samples" / "README.md",
        REPO / "templates" / "README.md",
    ]


def relative_links() -> list[tuple[str, Path]]:
    links = []
    for page in markdown_files():
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" not in target:
                links.append((f"{page.relative_to(REPO)} -> {target}", (page.parent / target).resolve()))
    return links


@pytest.mark.parametrize(("link", "target"), relative_links(), ids=[link for link, _ in relative_links()])
def test_links_lead_to_files(link: str, target: Path) -> None:
    assert target.exists(), link


def test_readme_links_every_docs_file() -> None:
    readme = README.read_text(encoding="utf-8")
    for path in DOCS.glob("*.md"):
        assert f"(docs/{path.name})" in readme, path.name


def test_no_module_cites_a_missing_docs_file() -> None:
    for module in sorted((REPO / "dischargegen").rglob("*.py")):
        for cited in re.findall(r"docs/[\w.-]+\.md", module.read_text(encoding="utf-8")):
            path = REPO / cited
            assert path.exists(), f"{module.relative_to(REPO)} cites {cited}"


def first_command() -> list[list[str]]:
    """The README's first command (install, samples, batch), as argument lists."""
    readme = README.read_text(encoding="utf-8")
    setup = readme.split("## Set up", 1)[1]
    command = re.search(r"```\n(.*?)\n```", setup, re.DOTALL)
    assert command is not None
    return [shlex.split(part) for part in command.group(1).split(" && ")]


def test_the_readme_first_command_ends_with_exit_status_0(tmp_path: Path) -> None:
    install, *steps = first_command()
    assert install[:4] == ["python", "-m", "pip", "install"]
    # The checkout is installed already; run the rest from a copy, as a newcomer's clone would be.
    for folder in ("samples", "templates"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    for step in steps:
        program, *arguments = step
        argv = {"python": [sys.executable], "dischargegen": [sys.executable, "-m", "dischargegen"]}[program]
        result = subprocess.run(
            [*argv, *arguments], cwd=tmp_path, capture_output=True, text=True, check=False, timeout=600
        )
        assert result.returncode == 0, f"{shlex.join(step)} exited {result.returncode}\n{result.stderr}"
    batch = tmp_path / "out" / "batch"
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 4
    assert len(list(batch.glob("SPN*.pdf"))) == 22
    with (batch / "errors.csv").open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [["line", "field", "message"]]
    assert (batch / "packet.pdf").exists()


def readme_example(command: str) -> list[str]:
    """The README's example of one command, as an argument list (without the program name)."""
    readme = README.read_text(encoding="utf-8")
    for block in re.findall(r"```\n(.*?)\n```", readme, re.DOTALL):
        if block.startswith(f"dischargegen {command} "):
            return shlex.split(block.replace("\\\n", " "))[1:]
    raise AssertionError(f"README has no example of dischargegen {command}")


def test_the_readme_render_example_writes_a_pdf(tmp_path: Path) -> None:
    arguments = readme_example("render")
    assert arguments[0] == "render" and arguments[-2] == "-o"
    result = CliRunner().invoke(cli, [*arguments[:-1], str(tmp_path / arguments[-1])])
    assert result.exit_code == 0, result.output
    reader = pypdf.PdfReader(tmp_path / arguments[-1])
    assert "Ana Díaz" in reader.pages[0].extract_text()


def test_the_readme_library_snippet_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    snippet = re.search(r"```python\n(.*?)\n```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert snippet is not None
    monkeypatch.chdir(REPO)  # the snippet names samples/site.toml, as run from the top of the repository
    namespace: dict[str, object] = {}
    exec(snippet.group(1), namespace)
    pdf = namespace["pdf_bytes"]
    assert isinstance(pdf, bytes)
    assert "Ana Diaz" in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_the_readme_batch_examples_name_the_sample_exports() -> None:
    for command in ("batch samples/ehr_export.csv", "batch samples/ehr_export_with_errors.csv"):
        arguments = shlex.split(command)
        found = [
            example
            for example in re.findall(
                r"```\n(dischargegen batch .*?)\n```", README.read_text(encoding="utf-8"), re.DOTALL
            )
            if shlex.split(example.replace("\\\n", " "))[1:3] == arguments
        ]
        assert found, command
        assert (REPO / arguments[1]).exists()


def test_the_clean_sample_export_is_the_export_with_errors_less_its_bad_rows() -> None:
    clean = (REPO / "samples" / "ehr_export.csv").read_bytes().split(b"\r\n")
    with_errors = (REPO / "samples" / "ehr_export_with_errors.csv").read_bytes().split(b"\r\n")
    removed = [line for line in with_errors if line not in clean]
    assert [line.split(b",")[0] for line in removed] == [b"Harold Brown", b"Patricia Nwosu", b"Walter Kim"]
    assert [line for line in with_errors if line in clean] == clean


# --- drift fixed ------------------------------------------------------------------------------------
def test_no_tracked_file_is_ignored() -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    result = subprocess.run(
        ["git", "ls-files", "-ci", "--exclude-standard"], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout == ""


def stroke_colours(pdf: bytes) -> set[tuple[float, float, float]]:
    colours = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        data = page.get_contents().get_data().decode("latin-1")  # type: ignore[union-attr]
        for red, green, blue in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) RG", data):
            colours.add((float(red), float(green), float(blue)))
    return colours


def test_the_emergency_box_is_dark_red_as_templates_readme_says() -> None:
    templates_readme = (REPO / "templates" / "README.md").read_text(encoding="utf-8")
    emergency = re.search(r"`emergency` \(([^)]*)\)", templates_readme)
    assert emergency is not None
    assert "dark red" in emergency.group(1) and "black" not in emergency.group(1)
    case = build_case(
        {
            "patient_name": "Ana Diaz",
            "mrn": "A-1",
            "dob": "1944-05-06",
            "procedure": "kyphoplasty",
            "levels": "T12,L1",
            "anesthesia": "sedation",
            "overnight": "no",
            "procedure_date": "2027-01-05",
        }
    )
    colours = stroke_colours(render_pdf(case, load_site(None)))
    # A dark red border: red well above green and blue, and not bright.
    assert any(0.4 < r < 0.8 and g < 0.2 and b < 0.2 for r, g, b in colours), colours
