"""The package's shape: no import cycle (each command module imports cli/_common, the group adds the
commands; the engine and the packet take what they share from sources/ and batch/results.py), the public
API as it was, and every library error in errors.py, picklable with its fields, so a worker process hands
it back as it is (check no longer turns worker errors into ContentError)."""

from __future__ import annotations

import ast
import inspect
import multiprocessing
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import dischargegen
from dischargegen import check as check_module
from dischargegen import errors
from dischargegen.check import VariantResult, run_check
from dischargegen.check.matrix import Variant, all_variants, select
from dischargegen.cli import cli
from dischargegen.errors import (
    BatchSetupError,
    ContentError,
    DischargeGenError,
    InputError,
    InputFileError,
    InvalidFields,
    NotAFileError,
    OptionError,
    PacketError,
    PatternError,
    PrintError,
    SiteSettingsError,
    TemplateFailure,
)
from dischargegen.site import DEFAULT_SITE, SiteSettings, load_site
from dischargegen.sources import open_records
from tests.helpers import REPO

PACKAGE = REPO / "dischargegen"
Graph = dict[str, set[str]]


# -- the import graph, read from the source -----------------------------------------------------------------
def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at the top or inside a function (a late import still makes a cycle), except
    under `if TYPE_CHECKING:` (never run)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking_only(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def import_graph(root: Path) -> Graph:
    """Module -> the package's modules it imports. `from . import x` is an edge to the submodule x when
    there is one, else to the package itself (its __init__ must have run far enough to hold x)."""
    paths = {module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    graph: Graph = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges.update(alias.name for alias in node.names if alias.name in paths)
                continue
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target in paths:
                for alias in node.names:
                    submodule = f"{target}.{alias.name}"
                    edges.add(submodule if submodule in paths else target)
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """One cycle for each back edge a depth-first walk finds (empty when the graph is acyclic)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for successor in sorted(graph[node]):
            if state.get(successor) == 1:
                found.append([*path[path.index(successor) :], successor])
            elif successor not in state:
                visit(successor, path)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return found


def test_the_graph_reader_finds_a_cycle_held_together_by_a_late_import(tmp_path: Path) -> None:
    # The shape cli/ had: the group imports a command module, which imports the group's helpers late.
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("from . import command\nHELPER = 1\n")
    (package / "command.py").write_text("def run():\n    from . import HELPER\n    return HELPER\n")
    (package / "sub" / "__init__.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .. import command\n"
    )
    (package / "sub" / "leaf.py").write_text("from ..command import run\nfrom . import other\n")
    (package / "sub" / "other.py").write_text("")
    graph = import_graph(package)
    assert graph == {
        "pkg": {"pkg.command"},
        "pkg.command": {"pkg"},
        "pkg.sub": set(),  # the TYPE_CHECKING import is never run
        "pkg.sub.leaf": {"pkg.command", "pkg.sub.other"},
        "pkg.sub.other": set(),
    }
    assert cycles(graph) == [["pkg", "pkg.command", "pkg"]]


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph(PACKAGE)
    assert {"dischargegen.cli._common", "dischargegen.cli.render", "dischargegen.batch.engine"} <= set(graph)
    assert cycles(graph) == []


def test_layers_do_not_reach_into_each_other() -> None:
    graph = import_graph(PACKAGE)
    # Only sources/ knows its readers; the engine and the packet take column_key and Record from sources.
    readers = {
        name for name in graph if name.startswith(("dischargegen.sources.csv", "dischargegen.sources.fhir"))
    }
    for name, imported in graph.items():
        if not name.startswith("dischargegen.sources"):
            assert not imported & readers, f"{name} imports a reader: {sorted(imported & readers)}"
    # The packet does not import the engine (nor the batch package, which re-exports it).
    assert not graph["dischargegen.batch.packet"] & {"dischargegen.batch", "dischargegen.batch.engine"}
    # A command module imports the shared helpers, never the group (nor another command).
    for command in ("render", "batch", "check"):
        cli_imports = {
            name for name in graph[f"dischargegen.cli.{command}"] if name.startswith("dischargegen.cli")
        }
        assert cli_imports == {"dischargegen.cli._common"}, command
    assert not {name for name in graph["dischargegen.cli._common"] if name.startswith("dischargegen.cli")}


@pytest.mark.parametrize("order", ["alphabetical", "reverse"])
def test_every_module_imports_in_a_fresh_process(order: str) -> None:
    # __main__ runs the command line when imported: it is checked by running it (below).
    names = sorted(name for name in import_graph(PACKAGE) if not name.endswith(".__main__"))
    if order == "reverse":
        names.reverse()
    script = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    done = subprocess.run(
        [sys.executable, "-c", script, *names], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr


def test_the_public_api_is_unchanged() -> None:
    assert sorted(dischargegen.__all__) == [
        "Case",
        "ContentError",
        "DischargeGenError",
        "InputError",
        "SiteSettings",
        "SiteSettingsError",
        "__version__",
        "build_case",
        "load_site",
        "render_chart_copy",  # issue 14: the chart copy
        "render_fields",
        "render_html",  # issue 15: the HTML rendition
        "render_pdf",
    ]
    assert dischargegen.DischargeGenError is DischargeGenError
    assert dischargegen.ContentError is ContentError
    assert dischargegen.load_site is load_site and dischargegen.SiteSettings is SiteSettings
    assert all(hasattr(dischargegen, name) for name in dischargegen.__all__)


def test_the_entry_point_runs_the_group() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dischargegen", "--help"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    commands = done.stdout.split("Commands:")[1].split()
    assert [word for word in commands if word in ("render", "batch", "check")] == ["batch", "check", "render"]


# -- every library error in errors.py, picklable -----------------------------------------------------------
EXAMPLES: dict[type[DischargeGenError], DischargeGenError] = {
    DischargeGenError: DischargeGenError("something about the input"),
    InputError: InputError("levels", "use labels T1-T12 and L1-L5"),
    InvalidFields: InvalidFields([InputError("dob", "must be a date"), InputError("mrn", "is required")]),
    SiteSettingsError: SiteSettingsError("limits.lifting_limit_lb", "must be between 2 and 25"),
    OptionError: OptionError("encoding", "applies to CSV input only; FHIR input is UTF-8."),
    ContentError: ContentError("en/discharge.html, line 3: unknown tag <div>"),
    TemplateFailure: TemplateFailure("en/discharge.html, line 7: 'nope' is undefined"),
    InputFileError: InputFileError("no input file at export.csv"),
    BatchSetupError: BatchSetupError("the output folder is in use by another run"),
    PatternError: PatternError("batch.file_name_pattern: unknown placeholder {name}"),
    PacketError: PacketError("the insert is not a readable PDF"),
    NotAFileError: NotAFileError("a folder", "out/Diaz.pdf"),
    PrintError: PrintError("no print queue named ward9; `lpstat -p` lists the queues"),
}


def error_classes() -> list[type[DischargeGenError]]:
    """Every DischargeGenError subclass errors.py defines, the base included."""
    return [
        value
        for value in vars(errors).values()
        if inspect.isclass(value)
        and issubclass(value, DischargeGenError)
        and value.__module__ == errors.__name__
    ]


def described(value: Any) -> Any:
    """An error as comparable data: its type, message, arguments and every attribute, errors inside too."""
    if isinstance(value, BaseException):
        return (type(value), str(value), described(value.args), described(vars(value)))
    if isinstance(value, dict):
        return {key: described(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return tuple(described(item) for item in value)
    return value


def test_every_library_error_is_defined_in_errors_py_and_has_an_example() -> None:
    assert set(error_classes()) == set(EXAMPLES), "give each error in errors.py an example here"
    assert all(type(example) is kind for kind, example in EXAMPLES.items())


@pytest.mark.parametrize("kind", error_classes(), ids=lambda kind: kind.__name__)
def test_every_library_error_survives_pickling_with_its_fields(kind: type[DischargeGenError]) -> None:
    error = EXAMPLES[kind]
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is kind
    assert described(copy) == described(error)


def test_the_picklable_errors_keep_their_fields() -> None:
    copy = pickle.loads(pickle.dumps(EXAMPLES[InvalidFields]))
    assert isinstance(copy, InvalidFields) and isinstance(copy, InputError)
    assert [(single.field, single.message) for single in copy.errors] == [
        ("dob", "must be a date"),
        ("mrn", "is required"),
    ]
    site_error = pickle.loads(pickle.dumps(EXAMPLES[SiteSettingsError]))
    assert (site_error.key, site_error.message) == ("limits.lifting_limit_lb", "must be between 2 and 25")
    not_a_file = pickle.loads(pickle.dumps(EXAMPLES[NotAFileError]))
    assert isinstance(not_a_file, OSError) and not_a_file.filename == "out/Diaz.pdf"
    assert str(not_a_file) == "it is a folder; only a regular file or a new name is written"


def test_moved_errors_keep_their_old_names_and_kinds() -> None:
    from dischargegen import files
    from dischargegen.batch import BatchSetupError as batch_setup_error
    from dischargegen.batch import naming, packet
    from dischargegen.content import templating
    from dischargegen.sources import InputFileError as input_file_error

    assert templating.TemplateFailure is TemplateFailure and issubclass(TemplateFailure, ContentError)
    assert files.NotAFileError is NotAFileError and issubclass(NotAFileError, OSError)
    assert naming.PatternError is PatternError and issubclass(PatternError, ValueError)
    assert packet.PacketError is PacketError
    assert batch_setup_error is BatchSetupError and input_file_error is InputFileError


def test_fhir_input_with_an_encoding_is_a_library_error_and_a_usage_error(tmp_path: Path) -> None:
    export = tmp_path / "bundle.json"
    export.write_text("{}", encoding="utf-8")
    with pytest.raises(OptionError) as raised:
        open_records(export, "fhir", DEFAULT_SITE, "utf-8")
    assert raised.value.option == "encoding"
    result = CliRunner().invoke(
        cli, ["batch", str(export), "--out-dir", str(tmp_path / "out"), "--encoding", "utf-8"]
    )
    assert result.exit_code == 2
    assert "Error: --encoding applies to CSV input only; FHIR input is UTF-8." in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


# -- check: a worker's error reaches the caller as itself --------------------------------------------------
FIRST_ONLY = "kyphoplasty-local-same_day-no_cause-*-en"  # three variants, the first checked in-process
needs_fork = pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="the stand-in check_variant reaches the workers only in forked processes",
)


def broken_after_the_first(error: DischargeGenError, monkeypatch: pytest.MonkeyPatch) -> list[Variant]:
    """Variants whose first checks as usual (in this process) and every later one raises `error` (in a
    worker): only what comes back from a worker is different."""
    variants = select(all_variants(), [FIRST_ONLY])
    assert len(variants) == 3
    real = check_module.check_variant

    def check_variant(variant: Variant, site: SiteSettings) -> VariantResult:
        if variant == variants[0]:
            return real(variant, site)
        raise error

    monkeypatch.setattr(check_module, "check_variant", check_variant)
    return variants


@needs_fork
def test_a_workers_site_settings_error_arrives_as_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    error = SiteSettingsError("institution.name", "must be at most 80 characters")
    variants = broken_after_the_first(error, monkeypatch)
    with pytest.raises(SiteSettingsError) as raised:
        run_check(DEFAULT_SITE, variants, jobs=2)
    assert type(raised.value) is SiteSettingsError
    assert (raised.value.key, raised.value.message) == ("institution.name", "must be at most 80 characters")


@needs_fork
def test_a_workers_input_error_arrives_as_itself_and_the_cli_says_it_as_usual(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    error = InvalidFields([InputError("levels", "use labels T1-T12 and L1-L5")])
    broken_after_the_first(error, monkeypatch)
    with pytest.raises(InvalidFields) as raised:
        run_check(DEFAULT_SITE, select(all_variants(), [FIRST_ONLY]), jobs=2)
    assert [single.field for single in raised.value.errors] == ["levels"]
    result = CliRunner().invoke(cli, ["check", "--only", FIRST_ONLY, "--jobs", "2"])
    assert result.exit_code == 2
    assert "Error: Invalid value for --levels: use labels T1-T12 and L1-L5" in result.output
    assert "Traceback" not in result.output


def test_a_workers_template_failure_arrives_as_itself_naming_the_variant(tmp_path: Path) -> None:
    # Broken only for vertebroplasty: the first variant (kyphoplasty) passes in this process, a worker fails.
    (tmp_path / "templates" / "en").mkdir(parents=True)
    (tmp_path / "templates" / "en" / "discharge.html").write_text(
        '{% extends "default:en/discharge.html" %}{% block driving %}{{ super() }}'
        '{% if case.procedure == "vertebroplasty" %}<p>{{ nope }}</p>{% endif %}{% endblock %}',
        encoding="utf-8",
    )
    settings = tmp_path / "site.toml"
    settings.write_text('[content]\ntemplates_dir = "templates"\n', encoding="utf-8")
    variants = select(
        all_variants(), ["*-local-same_day-no_cause-1level-en", "*-local-same_day-no_cause-2level*-en"]
    )
    assert [variant.procedure for variant in variants[:2]] == ["kyphoplasty", "kyphoplasty"]
    assert len(variants) == 4 and variants[-1].procedure == "vertebroplasty"
    with pytest.raises(TemplateFailure) as raised:
        run_check(load_site(settings), variants, jobs=2)
    assert "vertebroplasty-local-same_day-no_cause-1level-en, regular print" in str(raised.value)
    assert "'nope' is undefined" in str(raised.value)
