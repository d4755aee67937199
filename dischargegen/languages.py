"""The document's languages: each one's name, its review status (its messages.toml `[review]` table), and
whether a site has enabled it. `dischargegen languages` lists them; the web form reads them from here.

A language is written by translators and reviewed by a qualified medical translator before a site uses it.
Its files say how far it got; a site enables it in `[content] enabled_languages` (docs/languages.md).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

from . import vocab
from .content import MESSAGES_FILE, read_messages_file
from .content.templating import cached_environment
from .errors import ContentError
from .pdf import PDF_LANGUAGE
from .site import SiteSettings

REVIEW_STATUSES = ("draft", "reviewed")


@dataclass(frozen=True)
class Review:
    """A language's `[review]` table: `reviewed_by` and `reviewed_on` are set when status is "reviewed"."""

    status: str
    reviewed_by: str
    reviewed_on: str  # YYYY-MM-DD, or ""
    note: str


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    tag: str  # the BCP 47 tag of the PDF's /Lang and the HTML's lang
    review: Review
    enabled: bool  # in the site's [content] enabled_languages


def languages(site: SiteSettings) -> list[Language]:
    """Every language the program ships, in vocab.LANGUAGES order, as this site sees it."""
    return [
        Language(
            code=code,
            name=vocab.LANGUAGE_NAMES[code],
            tag=PDF_LANGUAGE[code],
            review=review_of(code, site.content.templates_dir),
            enabled=code in site.content.enabled_languages,
        )
        for code in vocab.LANGUAGES
    ]


def enabled_languages(site: SiteSettings) -> list[Language]:
    return [language for language in languages(site) if language.enabled]


@functools.lru_cache(maxsize=64)
def review_of(code: str, templates_dir: Path | None = None) -> Review:
    """The `[review]` table of the language's messages.toml: the site's copy where it has one (a site that
    had its own translator review a language says so there), else the shipped file's."""
    name = MESSAGES_FILE.format(language=code)
    data, _ = read_messages_file(cached_environment(templates_dir, code), code)
    table = data.get("review")
    if not isinstance(table, dict):
        raise ContentError(f"{name} needs a [review] table (status, reviewed_by, reviewed_on, note)")
    status, by, on, note = (table.get(key, "") for key in ("status", "reviewed_by", "reviewed_on", "note"))
    if isinstance(on, dt.date):
        on = on.isoformat()
    if status not in REVIEW_STATUSES:
        raise ContentError(f"{name}: [review] status must be one of: {', '.join(REVIEW_STATUSES)}")
    if not all(isinstance(value, str) for value in (by, on, note)):
        raise ContentError(f"{name}: [review] reviewed_by, reviewed_on and note must be text")
    if status == "reviewed" and not (by.strip() and _is_date(on)):
        raise ContentError(
            f"{name}: [review] status reviewed needs reviewed_by (who) and reviewed_on (YYYY-MM-DD)"
        )
    return Review(status, by.strip(), on.strip(), " ".join(note.split()))


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text.strip())
    except ValueError:
        return False
    return len(text.strip()) == 10
