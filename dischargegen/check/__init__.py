"""`dischargegen check`: render every variant of the content with a site's settings and templates, measure
its reading level per variant and per section, look for forbidden abbreviations, count the pages, read page 1
back for the "Call 911" signs and the phone numbers, look for limits that end on a bare day, and make the
chart copy's teach-back card from each variant's document (four to six questions it answers).

Every variant is rendered to PDF in regular and in large print, so that a template that breaks the layout
fails here rather than at a bedside. Broken settings or templates raise DischargeGenError (a user error);
content that renders but breaks a rule (reads too hard, uses a forbidden abbreviation, takes too many pages,
leaves a sign or a number off page 1, ends a limit on a bare day, leaves the teach-back card fewer than four
questions it answers) is a failure in the report.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import os
import re
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from ..case import Case
from ..content import RenderedContent, patient_values, render_content
from ..content.blocks import Section
from ..content.teach_back import teach_back_card
from ..errors import ContentError, TemplateFailure
from ..interrupts import ignore_in_worker, signals_held
from ..pdf import speedups
from ..render import render_document
from ..site import SiteSettings
from .languages import (
    MIN_SENTENCES,
    english_words,
    length_limit,
    message_key_problems,
    sentence_length,
    word_count,
)
from .matrix import Variant, all_variants
from .readability import FORMULA_LANGUAGES, Score, document_text, score, section_text
from .rules import AbbreviationFinder, check_site_templates, max_pages, open_limits, page_one_text, squeezed

# Reading-level formulas are built for passages, not for a heading alone: a section with fewer words than
# this is measured and shown, but only the whole document and longer sections pass or fail.
MIN_SECTION_WORDS = 20
PAGE_FRAME = "page header and footer"
# More workers than this gain little on 288 variants, and each holds its own copy of fonts and word lists.
MAX_JOBS = 8
EMERGENCY = "emergency"  # the kind of the "Call 911" section (<section class="emergency">)
LIST_ITEMS = ("bullet", "number")
# The site phones page 1 must show when they are set: (setting under [institution], what the report calls it).
PHONES = (("clinic_phone", "the clinic phone number"), ("after_hours_phone", "the after-hours phone number"))


@dataclass(frozen=True)
class SectionScore:
    heading: str
    words: int
    score: Score

    @property
    def judged(self) -> bool:
        return self.words >= MIN_SECTION_WORDS


@dataclass(frozen=True)
class Abbreviation:
    word: str
    section: str


@dataclass(frozen=True)
class PageOneGap:
    """Something a caregiver needs that page 1 of one print size does not show."""

    large_print: bool
    missing: str  # what, in words: a sign (template text), a number's setting; never a patient's data


@dataclass(frozen=True)
class OpenLimit:
    """A limit printed as ending on a bare day ("until Tuesday, January 5"): template words and a date."""

    phrase: str
    section: str


@dataclass(frozen=True)
class EnglishWord:
    """A common English word in a document of another language: English left in (template words)."""

    word: str
    section: str


@dataclass(frozen=True)
class LongSentences:
    """A section of a language without a reading-level formula whose sentences average more than
    LENGTH_LIMIT times the same section's in English."""

    section: str
    average: float  # words (characters for Chinese) per sentence
    limit: float


@dataclass(frozen=True)
class VariantResult:
    variant: Variant
    document: Score
    sections: tuple[SectionScore, ...]
    pages: tuple[int, int]  # regular print, large print
    abbreviations: tuple[Abbreviation, ...]
    page_one_gaps: tuple[PageOneGap, ...] = ()
    open_limits: tuple[OpenLimit, ...] = ()
    # Why the chart copy's teach-back card cannot be made from this variant's document (template words
    # and question keys, never a value), or None.
    card_problem: str | None = None
    english: tuple[EnglishWord, ...] = ()
    long_sentences: tuple[LongSentences, ...] = ()

    @property
    def too_long(self) -> list[bool]:
        """The print sizes (large_print flags) whose page count is over the edition's limit."""
        return [
            large for large, count in zip((False, True), self.pages, strict=True) if count > max_pages(large)
        ]

    @property
    def failed_rules(self) -> list[str]:
        """Short names of the rules this variant fails, in the order the report explains them."""
        rules = {
            "reading level": not self.document.passes or bool(self.hard_sections),
            "abbreviation": bool(self.abbreviations),
            "pages": bool(self.too_long),
            "page 1": bool(self.page_one_gaps),
            "until <day>": bool(self.open_limits),
            "teach-back card": self.card_problem is not None,
            "English words": bool(self.english),
            "sentence length": bool(self.long_sentences),
        }
        return [name for name, failed in rules.items() if failed]

    @property
    def hard_sections(self) -> list[SectionScore]:
        return [s for s in self.sections if s.judged and not s.score.passes]

    @property
    def worst_section(self) -> SectionScore | None:
        judged = [s for s in self.sections if s.judged]
        if not judged:
            return None
        return max(judged, key=lambda s: difficulty(s.score))

    @property
    def passes(self) -> bool:
        return not self.failed_rules


@dataclass(frozen=True)
class CheckReport:
    results: tuple[VariantResult, ...]
    total_variants: int  # in the full matrix, to say when a run checked only some
    pdfs: int
    seconds: float
    notes: tuple[str, ...] = field(default=())
    # Message keys of a language without a counterpart in English's messages.toml, or the reverse.
    key_problems: tuple[str, ...] = field(default=())

    @property
    def failures(self) -> list[VariantResult]:
        return [result for result in self.results if not result.passes]

    @property
    def passes(self) -> bool:
        return not self.failures and not self.key_problems


def difficulty(value: Score) -> float:
    """Higher is harder, for either measure (a grade rises with difficulty, reading ease falls)."""
    return -value.value if value.language == "es" else value.value


def section_heading(section: Section) -> str:
    """A section's name in the report: its heading, or for a box without one its kind (its first words would
    hold the case's dates, and split one box into a row per date)."""
    for block in section.blocks:
        if block.kind in ("h1", "h2", "h3"):
            return " ".join(block.text.split())
    if section.kind != "plain":
        return f"({section.kind} box, no heading)"
    first = " ".join(section.blocks[0].text.split()) if section.blocks else ""
    return first[:40] or "(untitled section)"


def _texts(section: Section) -> Iterable[str]:
    for block in section.all_blocks():
        yield block.text
        yield from block.attributes.values()


def _abbreviations(content: RenderedContent, finder: AbbreviationFinder) -> list[Abbreviation]:
    found = [
        Abbreviation(word, section_heading(section))
        for section in content.sections
        for text in _texts(section)
        for word in finder.find(text)
    ]
    found += [
        Abbreviation(word, PAGE_FRAME) for text in content.messages.values() for word in finder.find(text)
    ]
    return found


def _open_limits(content: RenderedContent, language: str) -> list[OpenLimit]:
    return [
        OpenLimit(phrase, section_heading(section))
        for section in content.sections
        for text in _texts(section)
        for phrase in open_limits(text, language)
    ]


def page_one_needs(content: RenderedContent, site: SiteSettings) -> list[tuple[str, str | None]]:
    """What page 1 must show, as (description, text): every "Call 911" sign, the emergency number and the
    site phones that are set (one not set is a blank line to write on, which no check can read). Text None:
    the content has no "Call 911" section at all, so no page can show it."""
    number = site.institution.emergency_number
    boxes = [section for section in content.sections if section.kind == EMERGENCY]
    needs: list[tuple[str, str | None]] = [
        (f'the "Call {number}" sign "{" ".join(block.text.split())}"', block.text)
        for section in boxes
        for block in section.all_blocks()
        if block.kind in LIST_ITEMS and block.text.strip()
    ]
    if not boxes:
        needs.append(
            (f'a "Call {number}" section (<section class="{EMERGENCY}">): the content has none', None)
        )
    needs.append(("the emergency number (institution.emergency_number)", number))
    for key, name in PHONES:
        phone = getattr(site.institution, key)
        if phone:
            needs.append((f"{name} (institution.{key})", phone))
    return needs


def unverifiable_phones(site: SiteSettings) -> list[str]:
    """Notes on the site phones that are not set: the document prints a blank line for each instead."""
    return [
        f"institution.{key} is not set, so the document leaves a blank line for {name} and check cannot"
        " verify that page 1 shows it"
        for key, name in PHONES
        if not getattr(site.institution, key)
    ]


def _page_one_gaps(pdf: bytes, needs: list[tuple[str, str | None]], large_print: bool) -> list[PageOneGap]:
    page_one = page_one_text(pdf)
    return [
        PageOneGap(large_print, what)
        for what, text in needs
        if text is None or squeezed(text) not in page_one
    ]


def _where(variant: Variant, large_print: bool) -> str:
    return f"{variant.id}, {'large' if large_print else 'regular'} print"


def _pdf(variant: Variant, large_print: bool, site: SiteSettings) -> tuple[bytes, int]:
    """Render the variant to PDF exactly as `render` would; return it and its page count."""
    try:
        return render_document(variant.case(large_print), site)
    except ContentError as error:  # a TemplateFailure stays one: its kind is kept, its place added
        raise type(error)(f"{_where(variant, large_print)}: {error}") from None


@functools.lru_cache(maxsize=4)
def _finder(words: tuple[str, ...]) -> AbbreviationFinder:
    return AbbreviationFinder(words)


def check_variant(variant: Variant, site: SiteSettings) -> VariantResult:
    """Render one variant in both print sizes and measure it. Large print changes no words in the shipped
    templates, but a site template could branch on it, so both are measured and the worse figure kept."""
    finder = _finder(site.content.forbidden_abbreviations)
    pdfs = (_pdf(variant, False, site), _pdf(variant, True, site))
    sections: dict[str, SectionScore] = {}
    abbreviations: dict[Abbreviation, None] = {}
    limits: dict[OpenLimit, None] = {}
    gaps: list[PageOneGap] = []
    documents = []
    card_problem: str | None = None
    english: dict[EnglishWord, None] = {}
    long_sentences: dict[LongSentences, None] = {}
    for large_print, (pdf, _) in zip((False, True), pdfs, strict=True):
        case = variant.case(large_print)
        content = render_content(case, site)  # rendered fine just above
        if variant.language != "en":
            english.update(dict.fromkeys(_english_words(content, case, site)))
        if variant.language not in FORMULA_LANGUAGES:
            source = render_content(dataclasses.replace(case, language="en"), site)
            long_sentences.update(dict.fromkeys(_long_sentences(content, source)))
        for section in content.sections:
            text = section_text(section)
            if not text:  # a page break: no words to measure
                continue
            if text not in sections:
                sections[text] = SectionScore(
                    section_heading(section),
                    word_count(text, variant.language),
                    score(text, variant.language),
                )
        documents.append(score(document_text(content), variant.language))
        abbreviations.update(dict.fromkeys(_abbreviations(content, finder)))
        limits.update(dict.fromkeys(_open_limits(content, variant.language)))
        gaps += _page_one_gaps(pdf, page_one_needs(content, site), large_print)
        card_problem = card_problem or _card_problem(variant, large_print, site, content)
    return VariantResult(
        variant=variant,
        document=max(documents, key=difficulty),
        sections=tuple(sections.values()),
        pages=(pdfs[0][1], pdfs[1][1]),
        abbreviations=tuple(abbreviations),
        page_one_gaps=tuple(gaps),
        open_limits=tuple(limits),
        card_problem=card_problem,
        english=tuple(english),
        long_sentences=tuple(long_sentences),
    )


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _english_words(content: RenderedContent, case: Case, site: SiteSettings) -> list[EnglishWord]:
    """Common English words in a translated document's text and page frame. The patient's name and the
    institution's are printed as they came, so their words never count."""
    allowed = [*patient_values(case), *(site.institution.name or "").split()]
    found = [
        EnglishWord(word, section_heading(section))
        for section in content.sections
        for text in _texts(section)
        for word in english_words(text, content.language, allowed)
    ]
    found += [
        EnglishWord(word, PAGE_FRAME)
        for text in content.messages.values()
        # {page}, {version}, {reviewed}: the program's placeholders, not words of the text
        for word in english_words(_PLACEHOLDER.sub(" ", text), content.language, allowed)
    ]
    return found


def _long_sentences(content: RenderedContent, english: RenderedContent) -> list[LongSentences]:
    """The sections whose sentences average more than LENGTH_LIMIT times the English section's. Sections
    are paired in order (a translation has the same blocks, so the same sections, as the English)."""
    ours = [section for section in content.sections if section_text(section)]
    theirs = [section for section in english.sections if section_text(section)]
    found = []
    for section, source in zip(ours, theirs, strict=False):
        average, count = sentence_length(section_text(section), content.language)
        english_average, _ = sentence_length(section_text(source), "en")
        limit = length_limit(english_average, content.language)
        if count >= MIN_SENTENCES and average > limit:
            found.append(LongSentences(section_heading(section), round(average, 1), round(limit, 1)))
    return found


def _card_problem(
    variant: Variant, large_print: bool, site: SiteSettings, content: RenderedContent
) -> str | None:
    """Why the teach-back card cannot be made from this document (too few questions answered, a card
    template holding what a card cannot), or None. A template that fails to render is an error, as the
    document's own templates are."""
    try:
        teach_back_card(variant.case(large_print), site, content)
    except TemplateFailure as error:
        raise TemplateFailure(f"{_where(variant, large_print)}: {error}") from None
    except ContentError as error:
        return str(error)
    return None


def default_jobs() -> int:
    """The CPUs this process may use (a container's limit, not the host's count), at most MAX_JOBS."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(MAX_JOBS, cpus))


def _check_in_worker(variant: Variant, site: SiteSettings) -> VariantResult:
    # Looked up when called, so a worker checks with the check_variant of its module. Every library error
    # pickles (errors.py), so one raised here reaches run_check's caller as itself.
    return check_variant(variant, site)


def _start_check_worker() -> None:
    ignore_in_worker(stop_signals=False)
    speedups.install_in_worker()  # a process of our own: ReportLab's functions are ours to replace


def run_check(
    site: SiteSettings,
    variants: Iterable[Variant] | None = None,
    jobs: int = 1,
    languages: Iterable[str] | None = None,
) -> CheckReport:
    """Check the given variants (default: the whole matrix in `languages`, by default the site's enabled
    languages) in `jobs` processes. Raises DischargeGenError for broken settings or templates."""
    started = time.perf_counter()
    notes = check_site_templates(site.content.templates_dir) + unverifiable_phones(site)
    checked_languages = tuple(site.content.enabled_languages if languages is None else languages)
    chosen = all_variants(checked_languages) if variants is None else list(variants)
    # Check renders the languages it is asked to check, enabled for this site or not yet (a translation is
    # checked before a site enables it).
    wanted = tuple(dict.fromkeys([*site.content.enabled_languages, *(v.language for v in chosen)]))
    site = dataclasses.replace(site, content=dataclasses.replace(site.content, enabled_languages=wanted))
    key_problems = tuple(
        problem
        for language in dict.fromkeys([*checked_languages, *(v.language for v in chosen)])
        if language != "en"
        for problem in message_key_problems(language, site.content.templates_dir)
    )
    results: tuple[VariantResult, ...] = ()
    if chosen:
        # The first variant runs here: a broken setting or template fails before any worker starts, and
        # forked workers inherit the loaded fonts, templates and word lists.
        results = (check_variant(chosen[0], site),)
    rest = chosen[1:]
    if jobs > 1 and len(rest) > 1:
        # Workers leave Ctrl-C to this process, which cancels what has not started instead of waiting.
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_start_check_worker)
        try:
            chunk = max(1, len(rest) // (jobs * 4))
            with signals_held():  # the first task starts the pool (interrupts.signals_held)
                outcomes = pool.map(_check_in_worker, rest, itertools.repeat(site), chunksize=chunk)
            results += tuple(outcomes)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown()
    else:
        results += tuple(check_variant(variant, site) for variant in rest)
    return CheckReport(
        results=results,
        total_variants=len(all_variants(checked_languages)),
        pdfs=2 * len(results),
        seconds=time.perf_counter() - started,
        notes=tuple(notes),
        key_problems=key_problems,
    )
