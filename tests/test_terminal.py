"""At a real terminal the command asks for what is missing (pexpect drives a pseudo-terminal)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")


def test_render_prompts_at_a_terminal(tmp_path: Path) -> None:
    out = tmp_path / "ana.pdf"
    child = pexpect.spawn(
        sys.executable,
        [
            "-m",
            "dischargegen",
            "render",
            "--procedure",
            "kyphoplasty",
            "--levels",
            "L1",
            "--same-day",
            "-o",
            str(out),
        ],
        encoding="utf-8",
        timeout=60,
    )
    for prompt, answer in [
        ("Patient name", "Ana Diaz"),
        ("Medical record number", "MRN-7"),
        ("Date of birth", "1944-05-06"),
        ("Anesthesia", "Sedation"),
        ("Procedure date", "2027-01-01"),
        ("Procedure end time", ""),  # Enter skips it
    ]:
        child.expect(prompt)
        child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert out.read_bytes().startswith(b"%PDF-")
