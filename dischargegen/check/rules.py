"""What `dischargegen check` looks for besides reading level: forbidden abbreviations in the rendered text,
site templates that would silently change nothing, too many pages, a page 1 without what a caregiver needs
at 2 AM, and a time limit that could be read as ending earlier than it does."""

from __future__ import annotations

import functools
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import jinja2
from babel.dates import get_day_names, get_month_names
from jinja2 import nodes

from ..content.formatting import date_forms
from ..content.templating import default_templates_dir
from ..errors import ContentError

# The edition's promise to patients, not a site's choice: no site setting loosens them.
MAX_PAGES_REGULAR_PRINT = 5
MAX_PAGES_LARGE_PRINT = 8

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


def max_pages(large_print: bool) -> int:
    return MAX_PAGES_LARGE_PRINT if large_print else MAX_PAGES_REGULAR_PRINT


# -- page 1 ------------------------------------------------------------------------------------------------

# Text extraction breaks lines where the layout did (a word broken after its hyphen, too), so text is
# compared with white space and hyphens taken out on both sides.
_HYPHENS = str.maketrans("", "", "-\u00ad\u2010\u2011")


def squeezed(text: str) -> str:
    return "".join(text.split()).translate(_HYPHENS)


def page_one_text(pdf: bytes) -> str:
    """Page 1 of a rendered PDF as extracted text, squeezed (see `squeezed`)."""
    # Imported here: every command imports the CLI, and pypdf would make each start 0.15 s later.
    from pypdf import PdfReader

    return squeezed(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


# -- limits that read as ending earlier than they do -------------------------------------------------------


@dataclass(frozen=True)
class OpenLimitPattern:
    """How one language prints a limit's end as a bare day ("until Tuesday, January 5"): a reader may take
    it as "from Tuesday morning". Weekday and month names come from Babel for the language's locale.

    words: what introduces the end ("until"); articles: what may stand between it and the weekday
    (Spanish "hasta el martes"); date_rest: the rest of the date after the weekday as the `day` filter
    prints it, "{month}" standing for a month name (only to show the whole phrase in the report);
    clock_after: a clock time right after the date, which makes the phrase exact after all."""

    words: tuple[str, ...]
    articles: tuple[str, ...]
    date_rest: str
    clock_after: str


# One row a language whose word order this rule knows (the word before the day). Languages without a row
# (zh, vi, ko, tl, ru, ht: their "until" wraps the date differently) are not checked for it yet.
OPEN_LIMITS = {
    "en": OpenLimitPattern(
        words=("until", "till"),
        articles=(),
        date_rest=r",? {month} \d{1,2}",
        clock_after=r",? (?:at )?\d{1,2}:\d{2}",
    ),
    "es": OpenLimitPattern(
        words=("hasta",),
        articles=("el",),
        date_rest=r",? \d{1,2} de {month}",
        clock_after=r",? a las? \d{1,2}:\d{2}",
    ),
}


def _names(names: Iterable[str]) -> str:
    """An alternation of the names, with and without accents (a site template may drop them)."""
    spelled = set(names)
    spelled |= {unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() for name in spelled}
    return "|".join(re.escape(name) for name in sorted(spelled, key=len, reverse=True))


@functools.cache
def _open_limit_patterns(language: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    row = OPEN_LIMITS[language]
    locale = date_forms(language).locale
    weekdays = _names(get_day_names("wide", locale=locale).values())
    months = _names(get_month_names("wide", locale=locale).values())
    words = "|".join(re.escape(word) for word in row.words)
    article = "".join(rf"(?:{re.escape(a)}\s+)?" for a in row.articles)
    rest = row.date_rest.replace("{month}", f"(?:{months})").replace(" ", r"\s+")
    phrase = rf"(?<!\w)(?:{words})\s+{article}(?:{weekdays})(?!\w)(?:{rest}(?!\w))?"
    clock = row.clock_after.replace(" ", r"\s+")
    return re.compile(phrase, re.IGNORECASE), re.compile(clock, re.IGNORECASE)


def open_limits(text: str, language: str) -> Iterator[str]:
    """Each phrase of `text` that ends a limit on a bare day, with no clock time and no "through", as
    printed (template words and a date: never a field of the patient). None for a language without a row
    in OPEN_LIMITS."""
    if language not in OPEN_LIMITS:
        return
    phrase, clock = _open_limit_patterns(language)
    text = " ".join(text.split())
    for match in phrase.finditer(text):
        if not clock.match(text, match.end()):
            yield match.group()
