"""The batch benchmark's bare side (benchmarks/batch_benchmark.py) draws what the document draws: the
ratio to it is read against issue 15's limits, so a bare side that left something out would flatter the
batch path. Its words, its pictures' labels and its scan-back code are read back here."""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from types import ModuleType
from typing import Any

import pypdf
import pytest

from dischargegen import build_case, load_site
from dischargegen.barcode import payload_for
from dischargegen.content import render_content
from dischargegen.pdf import build_pdf_counted
from tests.helpers import REPO


@pytest.fixture(scope="module")
def benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "batch_benchmark", REPO / "benchmarks" / "batch_benchmark.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# Each page's header (the patient's three identifiers) and footer (content version, page number): the bare
# side prints its own shorter ones.
HEADER = re.compile(r"^Patient: .*?Medical record number: \S+", re.DOTALL)
FOOTER = re.compile(r"Content version .*$", re.DOTALL)


def words(pdf: bytes, furniture: bool = True) -> set[str]:
    texts = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    if not furniture:
        texts = [FOOTER.sub("", HEADER.sub("", text)) for text in texts]
    return set(re.findall(r"[^\W\d_]{3,}", " ".join(texts)))


def filled_squares(pdf: bytes) -> int:
    """Rectangles drawn: ReportLab's QR widget draws each dark module as one."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return sum(page.get_contents().get_data().count(b" re ") for page in reader.pages)  # type: ignore[union-attr]


# Row 0: large print, A4, overnight, a cause; row 1: regular print, Letter, same day, no cause.
@pytest.mark.parametrize("number", [0, 1])
def test_the_bare_side_draws_the_documents_words_pictures_and_code(benchmark: Any, number: int) -> None:
    site = load_site()
    case = build_case({key: value or None for key, value in benchmark.row(number).items()})
    content = render_content(case, site)
    paper = case.paper or site.document.paper
    payload = payload_for(case, site)
    ours, _ = build_pdf_counted(case, site, content)
    bare = benchmark.bare_full_document(content, case, paper, payload)
    without_code = benchmark.bare_full_document(content, case, paper, None)
    text_only = benchmark.bare_document(
        [(b.kind, b.text, b.number) for section in content.sections for b in section.blocks], case, paper
    )
    # Every word of the document is in the bare document, the pictures' labels ("Neck", "Lower back",
    # "Cloth") and the code's text included, which the text-only side lacks.
    body = words(ours, furniture=False)
    assert body, "the header and footer patterns must leave the body"
    assert not body - words(bare), body - words(bare)
    assert {"Neck", "Cloth", "SPINE"} <= body - words(text_only)
    # The scan-back code: a QR symbol of some hundreds of dark modules, each a rectangle.
    assert filled_squares(bare) - filled_squares(without_code) > 150
