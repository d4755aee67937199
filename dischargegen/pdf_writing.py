"""Quicker answers from three small functions ReportLab's PDF writer calls for every name and number.

Writing a document's objects calls `pdfdocEnc` (text to PDFDocEncoding bytes) about 900 times,
`PDFName` about 200 times and `format` (any value to its PDF bytes) some 500 times. The first two, with
the pure-Python codec behind the first, were some 8% of a batch document; `format`'s type tests about
1% more. The answers are unchanged:

- PDFDocEncoding is a one-byte-per-character table that agrees with ASCII everywhere except 0x18-0x1F
  (breve, caron and other accents). Text that is ASCII without those eight characters is encoded as ASCII;
  anything else goes to ReportLab's codec as before.
- `PDFName` depends only on its arguments, and a document uses a few dozen names: remember them.
- `format` tests a value against PDF objects first, then numbers, bytes and text, through two helper
  functions; most values are plain text, bytes or numbers, recognised here by their exact type first.

tests/test_pdf_writing.py compares all three with ReportLab's own functions.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
from typing import Any

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc

_reportlab_encode = pdfdoc.pdfdocEnc
_reportlab_name = pdfdoc.PDFName
_reportlab_format = pdfdoc.format
_NOT_AS_ASCII = re.compile("[\x18-\x1f]")


def pdfdoc_encode(text: Any) -> Any:
    """pdfdoc.pdfdocEnc, with ASCII text encoded directly."""
    if type(text) is str and text.isascii() and _NOT_AS_ASCII.search(text) is None:
        return text.encode("ascii")
    return _reportlab_encode(text)


@functools.lru_cache(maxsize=1024)
def _remembered_name(data: str, low: str, high: str) -> str:
    return str(_reportlab_name(data, low, high))


def pdf_name(data: Any, lo: str = "\x21", hi: str = "\x7e") -> Any:
    """pdfdoc.PDFName, remembered for text (its only use in ReportLab)."""
    if type(data) is str and type(lo) is str and type(hi) is str:
        return _remembered_name(data, lo, hi)
    return _reportlab_name(data, lo, hi)


def pdf_format(element: Any, document: Any, toplevel: int = 0) -> Any:
    """pdfdoc.format, with text, bytes and numbers (exactly those types, no subclasses) answered first.
    ReportLab's version reaches the same branch for each, after testing for a PDF object."""
    kind = type(element)
    if kind is str:
        return pdfdoc.pdfdocEnc(element)
    if kind is bytes:
        return element
    if kind is float or kind is int:
        return pdfdoc.pdfdocEnc(fp_str(element))
    return _reportlab_format(element, document, toplevel)


@functools.cache
def install() -> None:
    """Put all three in ReportLab's PDF writer, once per process. Its own calls look them up at call
    time (`format` is the module's own function, which shadows Python's built-in there)."""
    pdfdoc.pdfdocEnc = pdfdoc_encode
    pdfdoc.PDFName = pdf_name
    pdfdoc.format = pdf_format


@contextlib.contextmanager
def as_reportlab_ships() -> Iterator[None]:
    """ReportLab's own functions for a while: the reference for tests, and bare ReportLab in the benchmark."""
    installed = pdfdoc.pdfdocEnc, pdfdoc.PDFName, pdfdoc.format
    pdfdoc.pdfdocEnc, pdfdoc.PDFName, pdfdoc.format = _reportlab_encode, _reportlab_name, _reportlab_format
    try:
        yield
    finally:
        pdfdoc.pdfdocEnc, pdfdoc.PDFName, pdfdoc.format = installed
