"""The test suite's own layout: shared test data and helpers come from tests/helpers.py, conftest.py holds
only fixtures, and no test module imports another, so each test module can be read, moved or deleted on its
own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
SHARED = "tests.helpers"


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports from, at any depth (imports inside functions count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def borrowed(path: Path) -> set[str]:
    """The test-suite modules other than the shared one that a file imports from."""
    return {module for module in imported_modules(path) if module.split(".")[0] == "tests"} - {SHARED}


@pytest.mark.parametrize("path", sorted(TESTS.glob("*.py")), ids=lambda path: path.name)
def test_test_modules_share_data_only_through_helpers(path: Path) -> None:
    assert borrowed(path) == set(), f"{path.name} imports {sorted(borrowed(path))}: use {SHARED}"


def test_the_layout_check_would_catch_a_test_importing_another(tmp_path: Path) -> None:
    bad = tmp_path / "test_bad.py"
    bad.write_text("def f():\n    from tests.test_batch import GOOD\nfrom tests.conftest import REPO\n")
    assert borrowed(bad) == {"tests.test_batch", "tests.conftest"}


def test_conftest_holds_only_fixtures() -> None:
    tree = ast.parse((TESTS / "conftest.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        assert isinstance(node, ast.FunctionDef), (
            f"conftest.py line {node.lineno}: shared data goes in {SHARED}"
        )
        decorators = [ast.unparse(decorator) for decorator in node.decorator_list]
        assert any(d.startswith("pytest.fixture") for d in decorators), f"{node.name} is not a fixture"
