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
from typing import Literal

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
    it as "from Tuesday morning".

    date: the ways the day is written, a pattern in which "{weekday}" and "{month}" stand for the names
    (from Babel for the language's locale, or its messages.toml [calendar]); the weekday-first languages
    need the weekday, the date-first ones (ru, zh, ko) take the date alone too, as it leads the `day`
    filter's text. words: what introduces the end before the date ("until"); articles: what may stand
    between them (Spanish "hasta el martes"); after: what ends it after the date (Korean "화요일까지").
    exact_after: what right after the phrase makes it exact after all (a clock time, Russian
    "включительно"). range_start: what right before the phrase makes it a range's end ("from Monday to
    Friday", a span of days these languages read whole), a pattern in which "{date}" stands for `date`.
    weekday_widths: Babel's name widths (Chinese also writes "周二" for "星期二"); endings: the case endings
    a weekday name takes (Russian "до вторника": each name's final vowel or soft sign is an ending);
    spaced: whether words are separated by spaces (Chinese writes none, so no word boundary is asked)."""

    date: str
    words: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    exact_after: str = ""
    range_start: str = ""
    weekday_widths: tuple[Literal["abbreviated", "wide"], ...] = ("wide",)
    endings: str = ""
    spaced: bool = True

    def bare(self, day: str) -> str:
        """The bare form of "until `day`": what this row finds."""
        if not self.words:
            return f"{day}{self.after[0]}"
        return f"{self.words[0]}{' ' if self.spaced else ''}{day}"


# One row a language. Each phrase was read off the shipped templates' text over the whole matrix: the safe
# forms put a word between "until" and the date ("through", "hasta el final del", "cho đến hết",
# "hanggang matapos ang", "jiska lafen jounen", "до конца дня") or between the date and Korean "까지"
# ("이 끝날 때까지"), or a clock time (before the date or after it), or Chinese "当天结束" after it.
OPEN_LIMITS = {
    "en": OpenLimitPattern(
        date=r"{weekday}(?:,? {month} \d{1,2})?",
        words=("until", "till"),
        exact_after=r",? (?:at )?\d{1,2}:\d{2}",
    ),
    "es": OpenLimitPattern(
        date=r"{weekday}(?:,? \d{1,2} de {month})?",
        words=("hasta",),
        articles=("el",),
        exact_after=r",? a las? \d{1,2}:\d{2}",
    ),
    "zh": OpenLimitPattern(
        date=r"(?:\d{1,2}月\d{1,2}[日号](?: ?[（(]?{weekday}[)）]?)?|{weekday})",
        words=("到", "直到", "一直到", "至", "截至", "截止到"),
        # "之间": the end of a "between" range (the follow-up visit's "在…到…之间"). The clock time comes
        # after the date, its day period (上午, 午夜: Babel's "B") before its digits.
        exact_after=r" ?(?:当天结束|结束|之前|以前|之间|(?:[^\W\d_]{1,2} ?)?\d{1,2}:\d{2})",
        range_start=r"(?:从|自)?{date} ?",
        weekday_widths=("wide", "abbreviated"),
        spaced=False,
    ),
    "vi": OpenLimitPattern(
        date=r"{weekday}(?:,? ngày \d{1,2} tháng \d{1,2})?",
        words=("cho đến", "cho tới", "đến", "tới"),
        articles=("ngày",),
        exact_after=r",? (?:lúc |vào )?\d{1,2}:\d{2}",
        range_start=r"(?:từ (?:ngày )?)?{date} ",
        weekday_widths=("wide", "abbreviated"),
    ),
    "ko": OpenLimitPattern(
        date=r"(?:{month} ?\d{1,2}일(?: ?{weekday})?|{weekday})",
        after=("까지",),
        range_start=r"{date} ?부터 ",
    ),
    "tl": OpenLimitPattern(
        date=r"{weekday}(?:,? {month} \d{1,2})?",
        words=("hanggang",),
        articles=("sa",),
        exact_after=r",? (?:(?:nang|ng|sa) )?(?:alas[- ])?\d{1,2}:\d{2}",
        range_start=r"(?:mula (?:sa )?)?{date} ",
    ),
    "ru": OpenLimitPattern(
        date=r"(?:{weekday}(?:,? \d{1,2} {month})?|\d{1,2} {month}(?: \({weekday}\))?)",
        words=("до",),
        exact_after=r"(?:,? (?:в )?\d{1,2}:\d{2}| включительно)",
        endings=r"(?:[аяеоуюыиь]|ой|ей|ом|ем|ью)?",
    ),
    "ht": OpenLimitPattern(
        date=r"{weekday}(?:,? \d{1,2} {month})?",
        words=("jiska", "jis", "jouk"),
        exact_after=r",? (?:a |à |nan )?\d{1,2}:\d{2}",
    ),
}


def _unaccented(names: Iterable[str]) -> set[str]:
    """The names with and without accents (a site template may drop them)."""
    spelled = set(names)
    return spelled | {_without_accents(name) for name in spelled}


def _without_accents(name: str) -> str:
    """`name` without its combining marks ("miércoles" "miercoles", "Thứ Ba" "Thu Ba"); letters of their own
    ("đ", Cyrillic, Hangul, Han) are kept."""
    letters = [char for char in unicodedata.normalize("NFKD", name) if unicodedata.category(char) != "Mn"]
    return unicodedata.normalize("NFC", "".join(letters))


def _alternation(names: Iterable[str]) -> str:
    return "|".join(re.escape(name) for name in sorted(set(names), key=len, reverse=True))


def _weekday_names(language: str, row: OpenLimitPattern) -> str:
    forms = date_forms(language)
    if forms.weekdays is not None:
        names = set(forms.weekdays)
    else:
        names = {
            name
            for width in row.weekday_widths
            for context in ("format", "stand-alone")
            for name in get_day_names(width, context, locale=forms.locale).values()
        }
    if not row.endings:
        return _alternation(_unaccented(names))
    stems = {name[:-1] if name[-1] in "аяеоь" else name for name in names}
    return "|".join(f"(?:{_alternation(_unaccented([stem]))}){row.endings}" for stem in sorted(stems))


def _month_names(language: str) -> str:
    forms = date_forms(language)
    if forms.months is not None:
        return _alternation(_unaccented(forms.months))
    names = {
        name
        for context in ("format", "stand-alone")
        for name in get_month_names("wide", context, locale=forms.locale).values()
    }
    return _alternation(_unaccented(names))


@dataclass(frozen=True)
class _Patterns:
    phrase: re.Pattern[str]
    exact_after: re.Pattern[str] | None
    range_start: re.Pattern[str] | None


@functools.cache
def _open_limit_patterns(language: str) -> _Patterns:
    row = OPEN_LIMITS[language]
    date = row.date.replace("{weekday}", f"(?:{_weekday_names(language, row)})")
    date = date.replace("{month}", f"(?:{_month_names(language)})")
    start, end = (r"(?<!\w)", r"(?!\w)") if row.spaced else ("", "")
    space = " " if row.spaced else " ?"
    if row.words:
        words = "|".join(re.escape(word) for word in sorted(row.words, key=len, reverse=True))
        article = "".join(rf"(?:{re.escape(a)} )?" for a in row.articles)
        phrase = rf"{start}(?:{words}){space}{article}{date}{end}"
    else:
        after = "|".join(re.escape(word) for word in row.after)
        phrase = rf"{start}{date} ?(?:{after})"
    exact = re.compile(row.exact_after, re.IGNORECASE) if row.exact_after else None
    since = row.range_start.replace("{date}", date)
    range_start = re.compile(rf"{start}{since}\Z", re.IGNORECASE) if since else None
    return _Patterns(re.compile(phrase, re.IGNORECASE), exact, range_start)


# How far back a range's start is looked for: "from" and a whole printed date fit in it.
_RANGE_REACH = 60


def open_limits(text: str, language: str) -> Iterator[str]:
    """Each phrase of `text` that ends a limit on a bare day, with no clock time and no "through", as
    printed (template words and a date: never a field of the patient). None for a language without a row
    in OPEN_LIMITS."""
    if language not in OPEN_LIMITS:
        return
    patterns = _open_limit_patterns(language)
    text = " ".join(text.split())
    for match in patterns.phrase.finditer(text):
        if patterns.exact_after and patterns.exact_after.match(text, match.end()):
            continue
        reach = max(0, match.start() - _RANGE_REACH)
        if patterns.range_start and patterns.range_start.search(text, reach, match.start()):
            continue
        yield match.group()
