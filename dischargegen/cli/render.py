"""`dischargegen render`: one patient's document from options, asking at a terminal for what is missing.

Options given on the command line are checked first, every bad one at once; the site settings load before
any question; each answer is checked as it is typed. The procedure time, optional, is asked last (Enter
skips it). A script without a terminal gets exit status 2 and one
line a missing or bad option instead of a question.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .. import vocab
from ..case import ALL_FIELDS, REQUIRED_FIELDS, build_case, parse_field
from ..errors import DischargeGenError, InputError, NotAFileError, each_error
from ..files import check_target, remove_dead_writers_files, write_atomically
from ..printing import PrintOptions
from ..render import render_chart_copy, render_fields, render_html
from ..site import SiteSettings
from ._common import (
    UserError,
    chart_copy_option,
    invalid_option,
    is_interactive,
    load_site_or_fail,
    option_name,
    print_options,
    print_options_or_fail,
    send_chart_copy,
    send_to_printer,
    site_option,
    tagged_option,
    user_error,
    wants_chart_copy,
    with_tagging,
)

FORMATS = ("pdf", "html")
HTML_SUFFIXES = (".html", ".htm")


def output_format(format_name: str | None, output: Path | None, print_it: bool) -> str:
    """The format asked for: --format, else the output's suffix (NAME.html is HTML), else PDF. A --format
    that contradicts the suffix, and HTML with --print (printing is PDF), are usage errors."""
    by_suffix = None if output is None else ("html" if output.suffix.lower() in HTML_SUFFIXES else "pdf")
    if format_name is not None and by_suffix is not None and format_name != by_suffix:
        named = "an HTML file name" if by_suffix == "html" else "not an HTML file name (.html or .htm)"
        raise click.UsageError(
            f"--format {format_name} does not match --output {output}, which is {named}; "
            f"give a .{format_name} name, or leave --format out"
        )
    chosen = format_name or by_suffix or "pdf"
    if chosen == "html" and print_it:
        raise click.UsageError("--print prints the PDF; HTML is not printed (leave out --format html)")
    return chosen


def not_a_file(output: Path, error: NotAFileError) -> UserError:
    return UserError(
        f"Invalid value for --output: {output} is {error.kind}; give a regular file or a new file name"
    )


PROMPTS: dict[str, str] = {
    "patient_name": "Patient name",
    "mrn": "Medical record number (MRN)",
    "dob": "Date of birth (YYYY-MM-DD)",
    "procedure": f"Procedure ({', '.join(vocab.PROCEDURES)})",
    "levels": "Levels treated (for example T12,L1 or T11-L1)",
    "anesthesia": f"Anesthesia ({', '.join(vocab.ANESTHESIA)})",
    "overnight": "Did the patient stay overnight? (yes/no)",
    "procedure_date": "Procedure date (YYYY-MM-DD)",
}
PROCEDURE_TIME_PROMPT = "Procedure end time (HH:MM, 24-hour; press Enter to skip)"
# A rule between two fields names the first; when that one came from the command line, the other is asked.
_ALSO_FIXED_BY = {
    "dob": "procedure_date",
    "follow_up": "procedure_date",
    "blood_thinner_restart": "procedure_date",
}


def _problems(fields: dict[str, str | None]) -> list[InputError]:
    """Every failing field of what is there so far; a field not given yet is not a problem here."""
    try:
        build_case(fields)
    except InputError as error:
        return [single for single in each_error(error) if fields.get(single.field)]
    return []


def _checked(field: str, skip: str | None = None) -> Callable[[str], str]:
    """The prompt's check: the library's rule for the field; a bad answer is said and the question asked
    again (click.prompt re-asks on a UsageError). The answer `skip` (Enter for an optional field) passes."""

    def check(text: str) -> str:
        if skip is not None and text.strip() == skip:
            return skip
        try:
            parse_field(field, text)
        except InputError as error:
            raise click.UsageError(invalid_option(error)) from None
        return text

    return check


def ask(field: str) -> str:
    return str(click.prompt(PROMPTS[field], value_proc=_checked(field)))


def _missing_option(field: str) -> str:
    return f"Missing option '{option_name(field)}'" + (" (or --same-day)." if field == "overnight" else ".")


def check_options(fields: dict[str, str | None]) -> None:
    """Options given on the command line fail at once, every bad one, before anything is asked; without a
    terminal to ask at, every missing one too. One line each, in field order."""
    lines = {problem.field: invalid_option(problem) for problem in _problems(fields)}
    if not is_interactive():
        lines.update({field: _missing_option(field) for field in REQUIRED_FIELDS if not fields.get(field)})
    if lines:
        first, *others = [lines[field] for field in ALL_FIELDS if field in lines]
        raise UserError(first, others)


def ask_procedure_time() -> str | None:
    """The procedure time, or None when Enter skips it (the limits then run through the day they end on)."""
    answer = str(
        click.prompt(
            PROCEDURE_TIME_PROMPT,
            default="",
            show_default=False,
            value_proc=_checked("procedure_time", skip=""),
        )
    )
    return answer or None


def fill_missing(fields: dict[str, str | None]) -> None:
    """Prompt for each missing required field, checking each answer as it is typed (a bad one is said and
    the question asked again), or fail naming the missing options when no one can answer. At a terminal,
    then ask for the procedure time if it was not given; Enter skips it."""
    missing = [field for field in REQUIRED_FIELDS if not fields.get(field)]
    if not is_interactive():
        if missing:
            first, *others = [_missing_option(field) for field in missing]
            raise UserError(first, others)
        return
    for field in missing:
        fields[field] = ask(field)
    _ask_again_for_rules_between_fields(fields, missing)
    # Asked last, so it follows the procedure date: a nurse usually knows it, and with it the 24-hour
    # limits end at a clock time instead of the end of a day.
    if not fields.get("procedure_time"):
        time = ask_procedure_time()
        if time is not None:
            fields["procedure_time"] = time


def _ask_again_for_rules_between_fields(fields: dict[str, str | None], missing: list[str]) -> None:
    """A rule between two fields (the birth date before the procedure date) asks again for one it can fix:
    the field it names, or the other, when that one was typed here."""
    while problems := _problems(fields):
        for problem in problems:
            fixable = next(
                (name for name in (problem.field, _ALSO_FIXED_BY.get(problem.field)) if name in missing),
                None,
            )
            if fixable is not None:
                click.echo(f"Error: {invalid_option(problem)}")
                fields[fixable] = ask(fixable)
                break
        else:
            return  # nothing typed here is at fault: render reports it


def _choice(values: tuple[str, ...]) -> click.Choice[str]:
    return click.Choice(values, case_sensitive=False)


@click.command()
@click.option("--procedure", type=_choice(vocab.PROCEDURES), help="The procedure done.")
@click.option("--levels", help='Vertebrae treated: "T12,L1", "t12 l1" or a range "T11-L1" (T1-T12, L1-L5).')
@click.option("--anesthesia", type=_choice(vocab.ANESTHESIA), help="Anesthesia used.")
@click.option(
    "--overnight/--same-day", "overnight", default=None, help="Stayed one night, or went home the same day."
)
@click.option("--patient-name", help="Patient's full name, printed on every page.")
@click.option("--mrn", help="Medical record number, printed on every page.")
@click.option("--dob", help="Date of birth, YYYY-MM-DD.")
@click.option("--procedure-date", help="Date of the procedure, YYYY-MM-DD.")
@click.option(
    "--procedure-time", help="Time the procedure ended, HH:MM (24-hour); makes the 24-hour limits exact."
)
@click.option("--cause", type=_choice(vocab.CAUSES), help="Cause of the fracture.")
@click.option("--follow-up", help='Follow-up appointment, "YYYY-MM-DD HH:MM".')
@click.option("--brace/--no-brace", default=None, help="A back brace was prescribed, or is not needed.")
@click.option("--blood-thinner-restart", help="Date to restart a blood thinner, YYYY-MM-DD.")
@click.option(
    "--blood-thinner/--no-blood-thinner",
    default=None,
    help="Takes a blood thinner (its restart advice prints) or takes none (left out). Neither: not stated; "
    "the advice prints.",
)
@click.option(
    "--physical-therapy/--no-physical-therapy",
    default=None,
    help="Physical therapy was ordered (the document says to go) or not (nothing printed). Neither: not "
    "stated; nothing printed.",
)
@click.option("--large-print", is_flag=True, default=False, help="Bigger type (18 pt body), same content.")
@click.option("--paper", type=_choice(vocab.PAPER_SIZES), help="Paper size (default: the site setting).")
@click.option(
    "--language", type=_choice(vocab.LANGUAGES), default="en", show_default=True, help="Document language."
)
@site_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the document (a NAME.html name writes HTML).",
)
@click.option(
    "--format",
    "format_name",
    type=_choice(FORMATS),
    default=None,
    help="pdf (the default), or html: one self-contained page for a patient portal. Default: from the "
    "--output name's suffix.",
)
@click.option(
    "--print",
    "print_it",
    is_flag=True,
    default=False,
    help="Print the document through CUPS (lp); without -o nothing is written to disk.",
)
@print_options
@click.option(
    "--duplex/--simplex",
    "duplex",
    default=None,
    help="Print two-sided (long edge) or one-sided (default: [printing] duplex, else the queue's own).",
)
@chart_copy_option
@tagged_option
def render(
    site_path: Path | None,
    output: Path | None,
    format_name: str | None,
    print_it: bool,
    printer: str | None,
    copies: int | None,
    duplex: bool | None,
    chart_copy: bool | None,
    tagged: bool | None,
    **options: Any,
) -> None:
    """Render one patient's discharge instructions as a PDF, to a file (-o), to the printer (--print), or
    both; or as HTML (--format html, or -o NAME.html) to a file.

    Missing required options are asked for at a terminal, then the procedure time (Enter skips it); a
    script gets exit status 2 instead, and is never asked.
    """
    if not print_it and (printer is not None or copies is not None or duplex is not None):
        raise click.UsageError("--printer, --copies, --duplex and --simplex go with --print.")
    if chart_copy and not print_it:
        raise click.UsageError("--chart-copy is printed after the document: give --print too.")
    chosen = output_format(format_name.lower() if format_name else None, output, print_it)
    fields: dict[str, str | None] = {}
    for name, value in options.items():
        if isinstance(value, bool):
            fields[name] = "yes" if value else "no"
        elif value is not None:
            fields[name] = str(value)
    if not options["large_print"]:
        fields.pop("large_print", None)
    check_options(fields)
    # Before any question: a bad site file must not cost the answers.
    site = with_tagging(load_site_or_fail(site_path), tagged)
    printing = print_options_or_fail(site, printer, copies, duplex) if print_it else None
    with_chart_copy = printing is not None and wants_chart_copy(chart_copy, site)
    fill_missing(fields)
    if printing is not None and output is None:
        _print_only(fields, site, printing, with_chart_copy)
        return
    if output is None:
        if not is_interactive():
            raise click.UsageError("Missing option '-o' / '--output'.")
        output = Path(str(click.prompt(f"Write the {chosen.upper()} to", type=click.Path(dir_okay=False))))
        output_format(chosen, output, print_it)  # a typed name that contradicts --format
    if not output.parent.is_dir():
        raise UserError(f"Invalid value for --output: the folder {output.parent} does not exist")
    try:
        check_target(output)  # before the work: a device or FIFO there is never replaced
    except NotAFileError as error:
        raise not_a_file(output, error) from None
    # What killed renders on this host left in the folder (a file in use by a live one stays).
    remove_dead_writers_files(output.parent)
    try:
        if chosen == "html":
            case = build_case(fields)
            pdf = render_html(case, site)  # the bytes to write; never printed (output_format refuses)
        else:
            case, pdf = render_fields(fields, site)
        # Made before anything is written or printed: a chart copy that cannot be made stops the whole.
        chart = render_chart_copy(case, site) if with_chart_copy else None
        write_atomically(output, pdf)
    except NotAFileError as error:
        raise not_a_file(output, error) from None
    except DischargeGenError as error:
        raise user_error(error) from None
    except OSError as error:
        raise UserError(f"Cannot write --output {output}: {error.strerror}") from None
    click.echo(f"Wrote {output}", err=True)
    if printing is not None:
        # The bytes just written, as they are on disk.
        paper = case.paper or site.document.paper
        send_to_printer(pdf, printing, paper, also=f"{output} is written")
        if chart is not None:
            send_chart_copy(chart, printing, paper, also=f"{output} is written and the document printed")


def _print_only(
    fields: dict[str, str | None], site: SiteSettings, printing: PrintOptions, with_chart_copy: bool
) -> None:
    """--print without -o: the PDF goes to lp on standard input; nothing is written to disk."""
    try:
        case, pdf = render_fields(fields, site)
        chart = render_chart_copy(case, site) if with_chart_copy else None
    except DischargeGenError as error:
        raise user_error(error) from None
    paper = case.paper or site.document.paper
    send_to_printer(pdf, printing, paper)
    if chart is not None:
        send_chart_copy(chart, printing, paper, also="the document printed")
