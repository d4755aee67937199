"""Output file names from input data, made safe: the only way input text ever becomes part of a path.

A name never holds a path separator, "..", a control character or a character Windows forbids; it never
starts with a dot (hidden, or our temporary files) or with a character a spreadsheet reads as a formula
(the names are listed in manifest.csv); it ends in .pdf. Two rows that would share a name get "-2", "-3",
... in input order, compared case-insensitively because Windows and macOS file systems are.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable

from ..case import Case
from ..errors import PatternError as PatternError  # its old home; errors.py holds it now

PLACEHOLDERS = ("mrn", "procedure_date", "procedure", "language", "line")
SUFFIX = ".pdf"
MAX_STEM = 100  # characters; leaves room for "-NNNNN" and the suffix within any file system's limit
_FORBIDDEN = re.compile(r'[/\\:*?"<>|\s]+')
_DOTS = re.compile(r"\.{2,}")
_WINDOWS_DEVICES = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


def check_pattern(pattern: str) -> None:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]
        unknown = [name for name in names if name not in PLACEHOLDERS]
        if not unknown:
            pattern.format(mrn="m", procedure_date="d", procedure="p", language="l", line=1)
    except (ValueError, IndexError) as error:
        raise PatternError(f"batch.file_name_pattern is not a valid pattern ({error})") from None
    if unknown:
        allowed = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        raise PatternError(f"batch.file_name_pattern: unknown placeholder {{{unknown[0]}}}; use {allowed}")


def sanitise(name: str) -> str:
    """Any text to one safe file name ending in .pdf."""
    text = unicodedata.normalize("NFC", name)
    text = "".join(char for char in text if not unicodedata.category(char).startswith("C"))
    if text.lower().endswith(SUFFIX):
        text = text[: -len(SUFFIX)]
    text = _FORBIDDEN.sub("_", text)
    text = _DOTS.sub("_", text)
    text = text.strip(". _")[:MAX_STEM].rstrip(". ")
    if not text:
        text = "document"
    if text[0] in "=+-@" or _WINDOWS_DEVICES.match(text):
        text = "_" + text
    return text + SUFFIX


def file_name(pattern: str, case: Case, line: int) -> str:
    raw = pattern.format(
        mrn=case.mrn,
        procedure_date=case.procedure_date.isoformat(),
        procedure=case.procedure,
        language=case.language,
        line=line,
    )
    return sanitise(raw)


class NameAllocator:
    """Hands out names unique within one run, in input order (so a rerun hands out the same ones)."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken: set[str] = {name.casefold() for name in reserved}

    def allocate(self, name: str) -> str:
        stem = name[: -len(SUFFIX)]
        candidate, number = name, 1
        while candidate.casefold() in self._taken:
            number += 1
            candidate = f"{stem}-{number}{SUFFIX}"
        self._taken.add(candidate.casefold())
        return candidate
