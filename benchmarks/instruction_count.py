"""CPU instructions per document on the batch path, counted by valgrind: a figure that does not move with
the machine's load, for comparing two versions of the code (wall and CPU times on a shared machine move
by half from one hour to the next).

    python benchmarks/instruction_count.py          # needs valgrind (apt-get install valgrind)

Renders 10, then 40 of the benchmark's documents in one process each, under callgrind, and prints the
difference divided by 30: the instructions of a warm document (start-up, imports and the first, cold
documents cancel out). Takes about three minutes: callgrind runs code some 50 times slower.

    python benchmarks/instruction_count.py --without-figures

counts the same documents from a copy of the shipped templates whose figures are taken out and their
words kept (each caption a paragraph, the words beside it as they are): what a document would cost with
no pictures, to weigh what the pictures cost against.

    python benchmarks/instruction_count.py --without-scan-code

counts them with `[barcode] enabled = false`: what the signature page's QR code costs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WARM, COUNTED = 10, 40


def without_figures(folder: Path) -> Path:
    """A site file whose templates are the shipped ones with every figure taken out, its words kept."""
    shutil.copytree(REPO / "templates", folder / "templates")
    for page in (folder / "templates").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        text = re.sub(r"<figure [^>]*>|</figure>", "", text)
        text = text.replace("<figcaption>", "<p>").replace("</figcaption>", "</p>")
        page.write_text(text, encoding="utf-8")
    site = folder / "site.toml"
    site.write_text('[content]\ntemplates_dir = "templates"\n', encoding="utf-8")
    return site


def render(documents: int, site_file: str | None) -> None:
    """The measured work: the benchmark's first rows, as the batch renders them."""
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "benchmarks"))
    from batch_benchmark import row

    from dischargegen import build_case, load_site
    from dischargegen.batch.worker import settle_for_rendering, warm_up
    from dischargegen.pdf import speedups
    from dischargegen.render import render_document

    site = load_site(Path(site_file)) if site_file else load_site()
    warm_up(site)
    speedups.install_in_worker()  # as a batch worker does
    settle_for_rendering()
    for number in range(documents):
        render_document(build_case({k: v or None for k, v in row(number).items()}), site)


def instructions(documents: int, site_file: Path | None) -> int:
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, __file__, "--render", str(documents),
        *(["--site", str(site_file)] if site_file else []),
    ]  # fmt: skip
    # A fixed hash seed: set and dict orders, and so the work, are the same in every run.
    done = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}, check=False
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"valgrind failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--without-figures", action="store_true", help="the shipped templates with their figures taken out"
    )
    parser.add_argument(
        "--without-scan-code", action="store_true", help="no QR code on the signature page ([barcode])"
    )
    parser.add_argument("--render", type=int, help=argparse.SUPPRESS)  # the child under valgrind
    parser.add_argument("--site", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.render is not None:
        render(options.render, options.site)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="dischargegen-count-") as folder:
        site_file = without_figures(Path(folder)) if options.without_figures else None
        if options.without_scan_code:
            site_file = site_file or Path(folder) / "site.toml"
            with site_file.open("a", encoding="utf-8") as settings:
                settings.write("[barcode]\nenabled = false\n")
        warm, counted = instructions(WARM, site_file), instructions(COUNTED, site_file)
    per_document = (counted - warm) / (COUNTED - WARM)
    what = ", ".join(
        [name for name, on in (("without figures", options.without_figures),
                               ("without the scan-back code", options.without_scan_code)) if on]
    ) or "batch path"  # fmt: skip
    print(f"instructions per document ({what}, warm): {per_document / 1e6:.1f} million")


if __name__ == "__main__":
    main()
