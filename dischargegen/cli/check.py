"""`dischargegen check`: the command line over dischargegen.check, printing its report as tables.

Exit status: 0 every variant passes; 1 a variant fails a rule (reads too hard, uses a forbidden
abbreviation, takes too many pages, leaves a "Call 911" sign or a phone number off page 1, ends a limit on a
bare day, answers fewer than four of the teach-back card's questions);
2 a user error (bad site settings, a broken site template or messages.toml, a template that does too much,
a block or emergency box too tall for a page), one line naming the file and the variant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import click

from .. import vocab
from ..check import MIN_SECTION_WORDS, CheckReport, VariantResult, default_jobs, difficulty, run_check
from ..check.languages import LENGTH_LIMIT, ZH_CHARACTERS_PER_ENGLISH_WORD
from ..check.matrix import OPTIONAL_INPUTS_NOTE, TALLEST_NOTE, all_variants, select
from ..check.readability import ENGLISH_MAX_GRADE, SPANISH_MIN_EASE, Score
from ..check.rules import MAX_PAGES_LARGE_PRINT, MAX_PAGES_REGULAR_PRINT, max_pages
from ..errors import DischargeGenError
from ._common import display_width, load_site_or_fail, site_option, user_error

LIMITS = {
    "en": f"Flesch-Kincaid grade, at most {ENGLISH_MAX_GRADE:.1f}",
    "es": f"Fernandez-Huerta, at least {SPANISH_MIN_EASE:g} (higher is easier)",
}
# The languages without a formula: average sentence length, each section at most LENGTH_LIMIT times the
# same section's in English (Chinese in characters: ZH_CHARACTERS_PER_ENGLISH_WORD for one English word).
LENGTH_TEXT = (
    f"other languages: words per sentence (Chinese: characters), each section at most {LENGTH_LIMIT:g} times"
    f" the English section's (Chinese: x {ZH_CHARACTERS_PER_ENGLISH_WORD:g} characters a word)"
)
HEADING_WIDTH = 44
EXAMPLES = 3  # variant ids named in one failure line


def _print_size(large_print: bool) -> str:
    return "large print" if large_print else "regular print"


def _clip(text: str, width: int = HEADING_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _table(rows: Sequence[Sequence[str]], right: Iterable[int] = ()) -> list[str]:
    """Rows padded into columns; the first row is the header. Columns in `right` are right-aligned."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    aligned = set(right)
    lines = []
    for row in rows:
        cells = [
            " " * (w - display_width(c)) + c if i in aligned else c + " " * (w - display_width(c))
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _limit_text(value: Score) -> str:
    if value.language == "es":
        return f"{value.measure} {value.value:.2f} is below {SPANISH_MIN_EASE:g}"
    return f"{value.measure} {value.value:.2f} is above {ENGLISH_MAX_GRADE:.1f}"


def variant_table(report: CheckReport) -> list[str]:
    rows = [("variant", "lang", "measure", "document", "worst section", "score", "pages", "failed", "result")]
    for result in report.results:
        worst = result.worst_section
        rows.append(
            (
                result.variant.id,
                result.variant.language,
                result.document.measure,
                f"{result.document.value:.2f}",
                _clip(worst.heading) if worst else "-",
                f"{worst.score.value:.2f}" if worst else "-",
                f"{result.pages[0]}/{result.pages[1]}",
                ", ".join(result.failed_rules) or "-",
                "pass" if result.passes else "FAIL",
            )
        )
    return _table(rows, right=(3, 5))


def section_table(report: CheckReport) -> list[str]:
    spans: dict[tuple[str, str], list[float]] = {}
    judged: dict[tuple[str, str], bool] = defaultdict(bool)
    failed: dict[tuple[str, str], bool] = defaultdict(bool)
    for result in report.results:
        for section in result.sections:
            key = (result.variant.language, section.heading)
            spans.setdefault(key, []).append(section.score.value)
            judged[key] |= section.judged
            failed[key] |= section.judged and not section.score.passes
    rows = [("lang", "section", "min", "max", "result")]
    for (language, heading), values in spans.items():
        verdict = "FAIL" if failed[(language, heading)] else "pass"
        if not judged[(language, heading)]:
            verdict = "(too short to judge)"
        rows.append((language, _clip(heading), f"{min(values):.2f}", f"{max(values):.2f}", verdict))
    return _table(rows, right=(2, 3))


def _examples(results: list[VariantResult]) -> str:
    ids = [result.variant.id for result in results]
    shown = ", ".join(ids[:EXAMPLES])
    return shown if len(ids) <= EXAMPLES else f"{len(ids)} variants, for example {shown}"


def failure_lines(report: CheckReport) -> list[str]:
    """One line per problem, grouped: the same problem in many variants is one line naming them."""
    documents: dict[str, list[VariantResult]] = defaultdict(list)
    sections: dict[tuple[str, str], list[VariantResult]] = defaultdict(list)
    words: dict[tuple[str, str, str], list[VariantResult]] = defaultdict(list)
    long: dict[tuple[str, bool], list[VariantResult]] = defaultdict(list)
    gaps: dict[tuple[str, bool, str], list[VariantResult]] = defaultdict(list)
    limits: dict[tuple[str, str, str], list[VariantResult]] = defaultdict(list)
    cards: dict[str, list[VariantResult]] = defaultdict(list)
    english: dict[tuple[str, str, str], list[VariantResult]] = defaultdict(list)
    lengths: dict[tuple[str, str], list[VariantResult]] = defaultdict(list)
    for result in report.failures:
        language = result.variant.language
        if not result.document.passes:
            documents[language].append(result)
        for section in result.hard_sections:
            sections[(language, section.heading)].append(result)
        for found in result.abbreviations:
            words[(found.word, found.section, language)].append(result)
        for large_print in result.too_long:
            long[(language, large_print)].append(result)
        for gap in result.page_one_gaps:
            gaps[(language, gap.large_print, gap.missing)].append(result)
        for limit in result.open_limits:
            limits[(language, limit.section, limit.phrase)].append(result)
        if result.card_problem is not None:
            cards[result.card_problem].append(result)
        for leak in result.english:
            english[(leak.word, leak.section, language)].append(result)
        for long_section in result.long_sentences:
            lengths[(language, long_section.section)].append(result)
    lines = list(report.key_problems)
    for language, results in documents.items():
        worst = max(results, key=lambda r: difficulty(r.document))
        lines.append(
            f"reading level, whole document ({language}): {_limit_text(worst.document)} in {worst.variant.id}"
            f" ({_examples(results)})"
        )
    for (language, heading), results in sections.items():
        scores = [s.score for r in results for s in r.hard_sections if s.heading == heading]
        worst_score = max(scores, key=difficulty)
        lines.append(
            f'reading level, section "{heading}" ({language}): {_limit_text(worst_score)};'
            f" {_examples(results)}"
        )
    for (word, heading, language), results in words.items():
        lines.append(
            f'forbidden abbreviation "{word}" in section "{heading}" ({language}): {_examples(results)}'
        )
    for (language, large_print), results in long.items():
        index = int(large_print)
        most = max(result.pages[index] for result in results)
        lines.append(
            f"pages ({language}, {_print_size(large_print)}): up to {most}, at most {max_pages(large_print)}"
            f" allowed; {_examples(results)}"
        )
    for (language, large_print, missing), results in gaps.items():
        lines.append(
            f"page 1 ({language}, {_print_size(large_print)}) lacks {_clip(missing, 90)}; {_examples(results)}"
        )
    for (language, heading, phrase), results in limits.items():
        lines.append(
            f'until <day> ({language}): "{phrase}" in section "{heading}" has no clock time and no "through";'
            f" {_examples(results)}"
        )
    for problem, results in cards.items():
        lines.append(f"teach-back card: {problem}; {_examples(results)}")
    for (word, heading, language), results in english.items():
        lines.append(f'English word "{word}" in section "{heading}" ({language}): {_examples(results)}')
    for (language, heading), results in lengths.items():
        longest = max(
            (item for r in results for item in r.long_sentences if item.section == heading),
            key=lambda item: item.average / item.limit,
        )
        lines.append(
            f'sentence length, section "{heading}" ({language}): {longest.average:g} per sentence, at most'
            f" {longest.limit:g} (twice the English section's); {_examples(results)}"
        )
    return lines


def print_report(report: CheckReport) -> None:
    checked = len(report.results)
    scope = (
        f"{checked} variants"
        if checked == report.total_variants
        else f"{checked} of {report.total_variants} variants"
    )
    click.echo(f"Checked {scope}: {report.pdfs} PDFs (regular and large print) in {report.seconds:.1f} s.")
    click.echo(f"{OPTIONAL_INPUTS_NOTE} {TALLEST_NOTE}")
    for note in report.notes:
        click.echo(f"Note: {note}")
    click.echo(
        "\nReading level per variant. "
        + "; ".join([*(f"{lang}: {text}" for lang, text in LIMITS.items()), LENGTH_TEXT])
    )
    click.echo(f"Pages: regular/large print, at most {MAX_PAGES_REGULAR_PRINT}/{MAX_PAGES_LARGE_PRINT}. "
               f"Worst section: the hardest section of at least {MIN_SECTION_WORDS} words.\n")  # fmt: skip
    for line in variant_table(report):
        click.echo(line)
    click.echo(f"\nReading level per section, lowest and highest across variants (a section under "
               f"{MIN_SECTION_WORDS} words is shown but not judged).\n")  # fmt: skip
    for line in section_table(report):
        click.echo(line)
    lines = failure_lines(report)
    click.echo("\nFailures:" + ("" if lines else " none"))
    for line in lines:
        click.echo(f"  {line}")
    failed = len(report.failures)
    if failed or report.key_problems:
        keys = f" {len(report.key_problems)} message key problems." if report.key_problems else ""
        click.echo(f"\nFAILED: {failed} of {checked} variants fail the checks.{keys}")
    else:
        if any(result.variant.language != "en" for result in report.results):
            click.echo(
                "\nTranslations: no English words left in, every message key matched, no section's sentences"
                " twice as long as the English."
            )
        click.echo(
            f"\nOK: all {checked} variants pass (reading level, abbreviations, pages, page 1, until <day>, "
            "teach-back card)."
        )


@click.command("check")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Render in this many processes (default: one per CPU, at most 8).",
)
@click.option(
    "--only",
    "patterns",
    multiple=True,
    metavar="PATTERN",
    help='Check only the variants whose id matches, for a quick look while editing ("*-es"). Repeatable.',
)
@click.option(
    "--all-languages",
    is_flag=True,
    help="Check every shipped language, enabled for this site or not (default: the site's enabled ones).",
)
@site_option
def check(site_path: Path | None, jobs: int | None, patterns: tuple[str, ...], all_languages: bool) -> None:
    """Render every variant and test it: reading level, abbreviations, pages, page 1, limits, teach-back.

    Variants: procedure x anesthesia x stay x cause x level count x language, each in regular and large print.
    Languages: those the site enables ([content] enabled_languages); --all-languages: every shipped one.
    A variant fails when it reads too hard, uses a forbidden abbreviation, takes more than 5 pages (8 in
    large print), leaves a "Call 911" sign or a phone number off page 1, ends a limit on a bare day
    ("until Tuesday", with no time and no "through"), or answers fewer than four of the chart copy's
    teach-back questions; or, in a language other than English, shows common English words, has a
    message key English lacks (or lacks one), or has a section whose sentences average twice as long as
    the English section's (languages without a reading-level formula).
    Exit status 0 when all pass, 1 when any fails, 2 for bad site settings or templates.
    """
    site = load_site_or_fail(site_path)
    languages = vocab.LANGUAGES if all_languages else site.content.enabled_languages
    variants = select(all_variants(languages), patterns)
    if not variants:
        raise click.UsageError(f"No variant matches --only {' '.join(patterns)}.")
    try:
        report = run_check(site, variants, jobs=jobs or default_jobs(), languages=languages)
    except DischargeGenError as error:
        raise user_error(error) from None
    print_report(report)
    if not report.passes:
        raise click.exceptions.Exit(1)
