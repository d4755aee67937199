"""The command line: parses options, prompts for what is missing, and turns library errors into one
clear line and an exit code. All the work happens in the library."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from .. import __version__, vocab
from ..case import ALL_FIELDS, REQUIRED_FIELDS, build_case, parse_field
from ..errors import ContentError, DischargeGenError, InputError, InvalidFields, SiteSettingsError, each_error
from ..files import NotAFileError, check_target, remove_dead_writers_files, write_atomically
from ..interrupts import Stopped, exit_status, stop_signals_raise
from ..render import render_fields
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


def _invalid_option(error: InputError) -> str:
    return f"Invalid value for {option_name(error.field)}: {error.message}"


def user_error(error: DischargeGenError) -> UserError:
    if isinstance(error, InvalidFields):
        first, *others = [_invalid_option(single) for single in error.errors]
        return UserError(first, others)
    if isinstance(error, InputError):
        return UserError(_invalid_option(error))
    if isinstance(error, SiteSettingsError):
        return UserError(f"Invalid site settings: {error.key}: {error.message}")
    if isinstance(error, ContentError):
        return UserError(f"Template problem: {error}")
    return UserError(str(error))


def not_a_file(output: Path, error: NotAFileError) -> UserError:
    return UserError(
        f"Invalid value for --output: {output} is {error.kind}; give a regular file or a new file name"
    )


def site_option(function: F) -> F:
    """--site, shared by every command that renders."""
    return click.option(
        "--site",
        "site_path",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar=ENVIRONMENT_VARIABLE,
        help=f"Site settings TOML file (default: ${ENVIRONMENT_VARIABLE}, else the built-in defaults).",
    )(function)


def load_site_or_fail(path: Path | None) -> SiteSettings:
    try:
        return load_site(path)
    except DischargeGenError as error:
        raise user_error(error) from None


def is_interactive() -> bool:
    """Prompt only when a person is at a terminal; scripts get an exit status instead."""
    return sys.stdin.isatty() and sys.stdout.isatty()


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


def _checked(field: str) -> Callable[[str], str]:
    """The prompt's check: the library's rule for the field; a bad answer is said and the question asked
    again (click.prompt re-asks on a UsageError)."""

    def check(text: str) -> str:
        try:
            parse_field(field, text)
        except InputError as error:
            raise click.UsageError(_invalid_option(error)) from None
        return text

    return check


def ask(field: str) -> str:
    return str(click.prompt(PROMPTS[field], value_proc=_checked(field)))


def _missing_option(field: str) -> str:
    return f"Missing option '{option_name(field)}'" + (" (or --same-day)." if field == "overnight" else ".")


def check_options(fields: dict[str, str | None]) -> None:
    """Options given on the command line fail at once, every bad one, before anything is asked; without a
    terminal to ask at, every missing one too. One line each, in field order."""
    lines = {problem.field: _invalid_option(problem) for problem in _problems(fields)}
    if not is_interactive():
        lines.update({field: _missing_option(field) for field in REQUIRED_FIELDS if not fields.get(field)})
    if lines:
        first, *others = [lines[field] for field in ALL_FIELDS if field in lines]
        raise UserError(first, others)


def fill_missing(fields: dict[str, str | None]) -> None:
    """Prompt for each missing required field, checking each answer as it is typed (a bad one is said and
    the question asked again), or fail naming the missing options when no one can answer."""
    missing = [field for field in REQUIRED_FIELDS if not fields.get(field)]
    if missing and not is_interactive():
        first, *others = [_missing_option(field) for field in missing]
        raise UserError(first, others)
    for field in missing:
        fields[field] = ask(field)
    # A rule between two fields (the birth date before the procedure date) asks again for one it can fix.
    while problems := _problems(fields):
        for problem in problems:
            fixable = next(
                (name for name in (problem.field, _ALSO_FIXED_BY.get(problem.field)) if name in missing),
                None,
            )
            if fixable is not None:
                click.echo(f"Error: {_invalid_option(problem)}")
                fields[fixable] = ask(fixable)
                break
        else:
            return  # nothing typed here is at fault: render reports it


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


@click.group(cls=InterruptibleGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dischargegen")
def cli() -> None:
    """Personalised, plain-language discharge instructions after kyphoplasty or vertebroplasty."""


def _choice(values: tuple[str, ...]) -> click.Choice[str]:
    return click.Choice(values, case_sensitive=False)


@cli.command()
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
@click.option("--large-print", is_flag=True, default=False, help="Bigger type (18 pt body), same content.")
@click.option("--paper", type=_choice(vocab.PAPER_SIZES), help="Paper size (default: the site setting).")
@click.option(
    "--language", type=_choice(vocab.LANGUAGES), default="en", show_default=True, help="Document language."
)
@site_option
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Where to write the PDF."
)
def render(site_path: Path | None, output: Path | None, **options: Any) -> None:
    """Render one patient's discharge instructions as a PDF.

    Missing required options are asked for at a terminal; a script gets exit status 2 instead.
    """
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
    site = load_site_or_fail(site_path)
    fill_missing(fields)
    if output is None:
        if not is_interactive():
            raise click.UsageError("Missing option '-o' / '--output'.")
        output = Path(str(click.prompt("Write the PDF to", type=click.Path(dir_okay=False))))
    if not output.parent.is_dir():
        raise UserError(f"Invalid value for --output: the folder {output.parent} does not exist")
    try:
        check_target(output)  # before the work: a device or FIFO there is never replaced
    except NotAFileError as error:
        raise not_a_file(output, error) from None
    # What killed renders on this host left in the folder (a file in use by a live one stays).
    remove_dead_writers_files(output.parent)
    try:
        _, pdf = render_fields(fields, site)
        write_atomically(output, pdf)
    except NotAFileError as error:
        raise not_a_file(output, error) from None
    except DischargeGenError as error:
        raise user_error(error) from None
    except OSError as error:
        raise UserError(f"Cannot write --output {output}: {error.strerror}") from None
    click.echo(f"Wrote {output}", err=True)


__all__ = ["cli"]
# The modules, not their commands, so that `dischargegen.cli.batch` stays the module.
from . import batch as batch_module  # noqa: E402
from . import check as check_module  # noqa: E402

cli.add_command(batch_module.batch)
cli.add_command(check_module.check)
