"""What every command shares: the one-line user error, library errors mapped to it, --site, the terminal
check, and the mapping of Ctrl-C, SIGTERM and SIGHUP to an exit status. The command modules import this
module; it imports none of them."""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from ..errors import (
    ContentError,
    DischargeGenError,
    InputError,
    InvalidFields,
    OptionError,
    PrintError,
    SiteSettingsError,
)
from ..interrupts import Stopped, exit_status, stop_signals_raise
from ..printing import MAX_COPIES, PrintOptions, print_chart_copy, print_pdf
from ..site import ENVIRONMENT_VARIABLE, SiteSettings, load_site

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """A user error: one line (one more for each further bad option), exit status 2, no traceback."""

    exit_code = 2

    def __init__(self, message: str, more: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.more = tuple(more)

    def show(self, file: IO[Any] | None = None) -> None:
        super().show(file)
        for line in self.more:
            click.echo(f"Error: {line}", file=file, err=file is None)


def option_name(field: str) -> str:
    return "--" + field.replace("_", "-")


def invalid_option(error: InputError) -> str:
    return f"Invalid value for {option_name(error.field)}: {error.message}"


def user_error(error: DischargeGenError) -> click.ClickException:
    """The one line (or one a field) a library error becomes; exit status 2."""
    if isinstance(error, InvalidFields):
        first, *others = [invalid_option(single) for single in error.errors]
        return UserError(first, others)
    if isinstance(error, InputError):
        return UserError(invalid_option(error))
    if isinstance(error, SiteSettingsError):
        return UserError(f"Invalid site settings: {error.key}: {error.message}")
    if isinstance(error, ContentError):
        return UserError(f"Template problem: {error}")
    if isinstance(error, OptionError):
        return click.UsageError(f"{option_name(error.option)} {error.message}")
    return UserError(str(error))


def site_option(function: F) -> F:
    """--site, shared by every command that renders."""
    return click.option(
        "--site",
        "site_path",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar=ENVIRONMENT_VARIABLE,
        help=f"Site settings TOML file (default: ${ENVIRONMENT_VARIABLE}, else the built-in defaults).",
    )(function)


def print_options(function: F) -> F:
    """--printer and --copies, shared by the commands that print (each adds --print and its duplex flags)."""
    function = click.option(
        "--copies",
        type=click.IntRange(1, MAX_COPIES),
        default=None,
        help="Copies to print (default: [printing] copies, else 1).",
    )(function)
    return click.option(
        "--printer",
        metavar="QUEUE",
        help="CUPS queue to print on (default: [printing] printer, else CUPS's default queue).",
    )(function)


def print_options_or_fail(
    site: SiteSettings, printer: str | None, copies: int | None, duplex: bool | None
) -> PrintOptions:
    """The print options (command line over [printing]); a bad queue name is a usage error."""
    try:
        return PrintOptions.from_settings(site.printing, printer, copies, duplex)
    except PrintError as error:
        raise click.UsageError(f"Invalid value for --{error}") from None


def send_to_printer(pdf: bytes, options: PrintOptions, paper: str, also: str = "") -> None:
    """Print, then say the job id on stderr; a failure is one line, exit 2 (saying what was written)."""
    try:
        job = print_pdf(pdf, options, paper)
    except PrintError as error:
        raise UserError(f"{error}; {also}" if also else str(error)) from None
    click.echo(f"Printed on {job.queue}: job {job.job_id}", err=True)


def chart_copy_option(function: F) -> F:
    """--chart-copy/--no-chart-copy, shared by the commands that print."""
    return click.option(
        "--chart-copy/--no-chart-copy",
        "chart_copy",
        default=None,
        help='With --print: also print the chart copy (the signature page marked "Chart copy", then the '
        "nurse's teach-back card), once, after the patient's document (default: [printing] chart_copy).",
    )(function)


def wants_chart_copy(option: bool | None, site: SiteSettings) -> bool:
    """--chart-copy or --no-chart-copy, else the site's [printing] chart_copy."""
    return site.printing.chart_copy if option is None else option


def send_chart_copy(pdf: bytes, options: PrintOptions, paper: str, also: str) -> None:
    """The chart copy: one copy whatever --copies says (it goes in the chart, not home)."""
    try:
        job = print_chart_copy(pdf, options, paper)
    except PrintError as error:
        raise UserError(f"{error}; {also}, the chart copy did not") from None
    click.echo(f"Printed the chart copy on {job.queue}: job {job.job_id}", err=True)


def tagged_option(function: F) -> F:
    """--tagged/--no-tagged, shared by the commands that write PDFs."""
    return click.option(
        "--tagged/--no-tagged",
        "tagged",
        default=None,
        help="Write tagged PDF (PDF/UA-1: a structure tree for screen readers) or untagged "
        "(default: [pdf] tagged).",
    )(function)


def with_tagging(site: SiteSettings, tagged: bool | None) -> SiteSettings:
    """The site settings with --tagged or --no-tagged in [pdf] tagged; as they are without either."""
    if tagged is None:
        return site
    return dataclasses.replace(site, pdf=dataclasses.replace(site.pdf, tagged=tagged))


def load_site_or_fail(path: Path | None) -> SiteSettings:
    try:
        return load_site(path)
    except DischargeGenError as error:
        raise user_error(error) from None


def is_interactive() -> bool:
    """Prompt only when a person is at a terminal; scripts get an exit status instead."""
    return sys.stdin.isatty() and sys.stdout.isatty()


# What each command says when Ctrl-C, SIGTERM or SIGHUP stops it.
INTERRUPTED_MESSAGES = {
    "batch": "files written so far are whole, run again to resume",
    "render": "no file was half-written",
}


class InterruptibleGroup(click.Group):
    """Ctrl-C exits 130 (interrupted), SIGTERM and SIGHUP 128 + their number, each with one line on stderr
    and no traceback. SIGTERM and SIGHUP are turned into a clean exit (like Ctrl-C) so that temporary files
    are removed and a batch run's journals are closed, instead of the process just ending."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with stop_signals_raise():
                return super().invoke(ctx)
        except KeyboardInterrupt as interrupt:
            _stop(ctx, interrupt)
        except click.Abort as abort:
            # A prompt turns Ctrl-C into Abort; end-of-input (Ctrl-D) stays an abort.
            if isinstance(abort.__context__, KeyboardInterrupt):
                _stop(ctx, abort.__context__)
            raise


def _stop(ctx: click.Context, interrupt: KeyboardInterrupt) -> None:
    reason = f"Stopped by {interrupt.signal_name}" if isinstance(interrupt, Stopped) else "Interrupted"
    detail = INTERRUPTED_MESSAGES.get(ctx.invoked_subcommand or "")
    with contextlib.suppress(OSError):  # the terminal hung up (SIGHUP): the status still tells
        click.echo(f"{reason}; {detail}." if detail else f"{reason}.", err=True)
    raise click.exceptions.Exit(exit_status(interrupt))


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal, for tables: Chinese characters and Hangul take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
