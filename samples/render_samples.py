"""Render the sample PDFs listed in samples/cases.toml, into this folder (or the folder given)."""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

from dischargegen.cli import cli

HERE = Path(__file__).resolve().parent


def sample_args(output_dir: Path) -> list[list[str]]:
    cases = tomllib.loads((HERE / "cases.toml").read_text(encoding="utf-8"))["sample"]
    return [[*case["args"], "-o", str(output_dir / case["output"])] for case in cases]


def main(output_dir: Path) -> None:
    output_dir = output_dir.resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    os.chdir(HERE)  # site.toml paths in cases.toml are relative to this folder
    for args in sample_args(output_dir):
        cli.main(["render", *args], prog_name="dischargegen", standalone_mode=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
