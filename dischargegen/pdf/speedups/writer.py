"""Quicker answers from four small functions ReportLab's PDF writer calls many times for every document.

Writing a document's objects calls `pdfdocEnc` (text to PDFDocEncoding bytes), `PDFName` and `format`
(any value to its PDF bytes) hundreds of times each, and `makeToUnicodeCMap` writes out some 250
character codes for each font subset. The answers are unchanged:

- PDFDocEncoding is a one-byte-per-character table that agrees with ASCII everywhere except 0x18-0x1F
  (breve, caron and other accents). Text that is ASCII without those eight characters is encoded as ASCII;
  anything else goes to ReportLab's codec as before.
- `PDFName` depends only on its arguments, and a document uses a few dozen names: remember them.
- `format` tests a value against PDF objects first, then numbers, bytes and text, through two helper
  functions; most values are plain text, bytes or numbers, recognised here by their exact type first.
- `makeToUnicodeCMap` depends only on the subset's name and codes, which repeat from one document to
  the next (see subsets.py): remember its maps.

They replace functions in ReportLab's modules, for every user of ReportLab in the process, so they are
put in only in processes dischargegen owns (batch and check workers; `batch --jobs 1` for the length of
the run, see speedups.process_wide), never by render_pdf. tests/test_pdf_writing.py compares all four
with ReportLab's own.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
from typing import Any

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc, ttfonts

_reportlab_encode = pdfdoc.pdfdocEnc
_reportlab_name = pdfdoc.PDFName
_reportlab_format = pdfdoc.format
_reportlab_character_map = ttfonts.makeToUnicodeCMap
CHARACTER_MAP_ENTRIES = 256  # as many as subsets.py keeps subset files (64 a font) and their parts
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


@functools.lru_cache(maxsize=CHARACTER_MAP_ENTRIES)
def _remembered_character_map(font_name: str, subset: tuple[int, ...]) -> str:
    return str(_reportlab_character_map(font_name, list(subset)))


def character_map(font_name: str, subset: list[int]) -> str:
    """ttfonts.makeToUnicodeCMap, remembered."""
    return _remembered_character_map(font_name, tuple(subset))


def _set(encode: Any, name: Any, format_value: Any, make_character_map: Any) -> None:
    # ReportLab's own calls look these up in their modules at call time (`format` is pdfdoc's own
    # function, which shadows Python's built-in there).
    pdfdoc.pdfdocEnc, pdfdoc.PDFName, pdfdoc.format = encode, name, format_value
    ttfonts.makeToUnicodeCMap = make_character_map


def install() -> None:
    """Put all four in ReportLab's PDF writer, for the rest of the process (a worker dischargegen owns)."""
    _set(pdfdoc_encode, pdf_name, pdf_format, character_map)


def installed_now() -> bool:
    return pdfdoc.pdfdocEnc is pdfdoc_encode


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """All four in ReportLab's PDF writer for a while; what was there before is put back after."""
    before = pdfdoc.pdfdocEnc, pdfdoc.PDFName, pdfdoc.format, ttfonts.makeToUnicodeCMap
    install()
    try:
        yield
    finally:
        _set(*before)


@contextlib.contextmanager
def as_reportlab_ships() -> Iterator[None]:
    """ReportLab's own functions for a while (with the speed-ups switched off, and bare ReportLab in the
    benchmark); what was there before is put back after."""
    installed = pdfdoc.pdfdocEnc, pdfdoc.PDFName, pdfdoc.format, ttfonts.makeToUnicodeCMap
    _set(_reportlab_encode, _reportlab_name, _reportlab_format, _reportlab_character_map)
    try:
        yield
    finally:
        _set(*installed)
