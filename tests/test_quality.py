"""Lint, format and type checks run with the tests, so CI enforces them."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import tomllib

import pytest

from tests.helpers import REPO


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True, check=False
    )


def test_ruff_lint() -> None:
    result = run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = run("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_the_library() -> None:
    result = run("mypy", "dischargegen")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("tool", ["ruff", "mypy"])
def test_the_checks_run_with_the_pinned_tool(tool: str) -> None:
    """Another release may find new faults: the suite judges the code, not the day it was installed."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [spec for spec in project["optional-dependencies"]["test"] if spec.startswith(f"{tool}==")]
    assert len(pins) == 1, f"the test extra must pin {tool} exactly"
    installed = importlib.metadata.version(tool)
    assert pins[0] == f"{tool}=={installed}", f"{tool} {installed} is installed: pip install -e '.[test]'"
