"""What `dischargegen check` looks for besides reading level: forbidden abbreviations in the rendered text,
and site templates that would silently change nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import jinja2
from jinja2 import nodes

from ..content.templating import default_templates_dir
from ..errors import ContentError

# "PO" must not match "po" in Spanish text, so short upper-case abbreviations match only as written.
# Longer ones (NSAID) and lower-case ones (q4h, w/o) match in any case: no real word collides with them.
_SHORT = 3


def _case_sensitive(word: str) -> bool:
    return word.isupper() and sum(char.isalpha() for char in word) <= _SHORT


class AbbreviationFinder:
    """Finds whole-word occurrences of a list of abbreviations ("w/" matches "w/pain", "PO" not "POLO")."""

    def __init__(self, words: Iterable[str]) -> None:
        # Longest first, so "w/o" wins over "w/" at the same place.
        self.words = sorted(set(words), key=len, reverse=True)
        parts = []
        for index, word in enumerate(self.words):
            piece = re.escape(word)
            if word[:1].isalnum():
                piece = r"(?<!\w)" + piece
            if word[-1:].isalnum():
                piece += r"(?!\w)"
            if not _case_sensitive(word):
                piece = f"(?i:{piece})"
            parts.append(f"(?P<w{index}>{piece})")
        self.pattern = re.compile("|".join(parts)) if parts else None

    def find(self, text: str) -> Iterator[str]:
        """Each abbreviation found, as written in the list, in order of appearance."""
        if self.pattern is None:
            return
        for match in self.pattern.finditer(text):
            assert match.lastgroup is not None
            yield self.words[int(match.lastgroup[1:])]


def _blocks(source: str, name: str) -> tuple[bool, set[str]]:
    """Whether a template extends another, and the names of its blocks."""
    try:
        tree = jinja2.Environment().parse(source)
    except jinja2.TemplateSyntaxError as error:
        raise ContentError(f"site template {name}, line {error.lineno}: {error.message}") from None
    extends = any(True for _ in tree.find_all(nodes.Extends))
    return extends, {block.name for block in tree.find_all(nodes.Block)}


def check_site_templates(folder: Path | None) -> list[str]:
    """Refuse a site template that overrides a block the shipped template does not have (a misspelt block
    would be ignored without a word). Return notes on files that have no shipped counterpart."""
    if folder is None:
        return []
    shipped = default_templates_dir()
    notes = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        name = path.relative_to(folder).as_posix()
        original = shipped / name
        if not original.is_file():
            notes.append(f"site template {name} has no shipped counterpart, so it replaces nothing")
            continue
        if path.suffix != ".html":
            continue
        try:
            source = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ContentError(f"site template {name} is not UTF-8 text; save it as UTF-8") from None
        extends, names = _blocks(source, name)
        _, known = _blocks(original.read_text(encoding="utf-8"), name)
        unknown = sorted(names - known)
        if extends and unknown:
            raise ContentError(
                f"site template {name}: {{% block {unknown[0]} %}} is not a block of the shipped template;"
                f" blocks are: {', '.join(sorted(known))}"
            )
    return notes
