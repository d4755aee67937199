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

from ..check import MIN_SECTION_WORDS, CheckReport, VariantResult, default_jobs, difficulty, run_check
from ..check.matrix import OPTIONAL_INPUTS_NOTE, all_variants, select
from ..check.readability import ENGLISH_MAX_GRADE, SPANISH_MIN_EASE, Score
from ..check.rules import MAX_PAGES_LARGE_PRINT, MAX_PAGES_REGULAR_PRINT, max_pages
from ..errors import DischargeGenError
from ._common import load_site_or_fail, site_option, user_error

LIMITS = {
    "en": f"Flesch-Kincaid grade, at most {ENGLISH_MAX_GRADE:.1f}",
    "es": f"Fernandez-Huerta, at least {SPANISH_MIN_EASE:g} (higher is easier)",
}
HEADING_WIDTH = 44
EXAMPLES = 3  # variant ids named in one failure line


def _print_size(large_print: bool) -> str:
    return "large print" if large_print else "regular print"


def _clip(text: str, width: int = HEADING_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _table(rows: Sequence[Sequence[str]], right: Iterable[int] = ()) -> list[str]:
    """Rows padded into columns; the first row is the header. Columns in `right` are right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    aligned = set(right)
    lines = []
    for row in rows:
        cells = [
            c.rjust(w) if i in aligned else c.ljust(w)
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
    lines = []
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
    return lines


def print_report(report: CheckReport) -> None:
    checked = len(report.results)
    scope = (
        f"{checked} variants"
        if checked == report.total_variants
        else f"{checked} of {report.total_variants} variants"
    )
    click.echo(f"Checked {scope}: {report.pdfs} PDFs (regular and large print) in {report.seconds:.1f} s.")
    click.echo(OPTIONAL_INPUTS_NOTE)
    for note in report.notes:
        click.echo(f"Note: {note}")
    click.echo(
        "\nReading level per variant. " + "; ".join(f"{lang}: {text}" for lang, text in LIMITS.items())
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
    if failed:
        click.echo(f"\nFAILED: {failed} of {checked} variants fail the checks.")
    else:
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
@site_option
def check(site_path: Path | None, jobs: int | None, patterns: tuple[str, ...]) -> None:
    """Render every variant and test it: reading level, abbreviations, pages, page 1, limits, teach-back.

    Variants: procedure x anesthesia x stay x cause x level count x language, each in regular and large print.
    A variant fails when it reads too hard, uses a forbidden abbreviation, takes more than 5 pages (8 in
    large print), leaves a "Call 911" sign or a phone number off page 1, ends a limit on a bare day
    ("until Tuesday", with no time and no "through"), or answers fewer than four of the chart copy's
    teach-back questions.
    Exit status 0 when all pass, 1 when any fails, 2 for bad site settings or templates.
    """
    site = load_site_or_fail(site_path)
    variants = select(all_variants(), patterns)
    if not variants:
        raise click.UsageError(f"No variant matches --only {' '.join(patterns)}.")
    try:
        report = run_check(site, variants, jobs=jobs or default_jobs())
    except DischargeGenError as error:
        raise user_error(error) from None
    print_report(report)
    if not report.passes:
        raise click.exceptions.Exit(1)
