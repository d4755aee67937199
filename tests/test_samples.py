"""The committed sample PDFs match what their inputs produce today (compared as extracted text, so a
ReportLab upgrade that changes bytes but not words does not fail this)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.helpers import REPO, pages

sys.path.insert(0, str(REPO / "samples"))
import render_samples  # noqa: E402


def test_samples_are_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    render_samples.main(tmp_path)
    fresh = sorted(tmp_path.glob("*.pdf"))
    assert len(fresh) == 4
    for pdf in fresh:
        committed = REPO / "samples" / pdf.name
        assert committed.exists(), f"samples/{pdf.name} is missing: run python samples/render_samples.py"
        assert pages(committed.read_bytes()) == pages(pdf.read_bytes()), (
            f"samples/{pdf.name} is stale: run python samples/render_samples.py"
        )
