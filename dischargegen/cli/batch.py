"""`dischargegen batch`: the command line around the batch engine.

Exit status: 0 every row written (or already done), 1 some rows failed (see errors.csv), 2 the input or the
options as a whole are unusable, 130 interrupted (Ctrl-C; SIGTERM and SIGHUP end it as cleanly, 143 and
129). The terminal only ever shows line numbers and counts, never patient data.
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from ..batch import BatchResult, default_jobs, run_batch
from ..batch.manifest import ERRORS, MANIFEST, Entry
from ..batch.packet import PacketOptions, PacketWritten, packet_column
from ..batch.printed import BatchPrinted, SentJob, print_run
from ..errors import (
    BatchSetupError,
    ContentError,
    InputFileError,
    NotAFileError,
    OptionError,
    PacketError,
    PrintError,
)
from ..printing import PrintOptions, check_printer
from ..render import render_chart_copy
from ..site import SiteSettings
from ..sources import FORMATS, Record, input_format, open_records
from ._common import (
    UserError,
    chart_copy_option,
    load_site_or_fail,
    print_options,
    print_options_or_fail,
    site_option,
    tagged_option,
    user_error,
    wants_chart_copy,
    with_tagging,
)


def internal_error(error: Exception) -> str:
    """A bug's report without its message: a message can quote data (a KeyError names its key)."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return (
        f"internal error ({type(error).__name__}{where}); files written so far are whole, run again to resume"
    )


def on_terminal() -> bool:
    """A progress bar only for a person watching; a scheduled job's log gets the summary alone."""
    return sys.stderr.isatty()


def _summary(result: BatchResult, out_dir: Path) -> list[str]:
    # Rows in a language the site has not enabled are in English: counted, never silent.
    english = (
        f"; {result.in_english_instead} in English instead of a language not enabled for this site"
        f" (see the warning column of {MANIFEST})"
        if result.in_english_instead
        else ""
    )
    lines = [
        f"Done: {result.written} written, {result.failed} failed, {result.unchanged + result.skipped} skipped "
        f"({result.unchanged} already done, {result.skipped} not a kyphoplasty or vertebroplasty){english}."
    ]
    if result.failed:
        shown = ", ".join(str(line) for line in result.failed_lines)
        more = (
            f" and {result.failed - len(result.failed_lines)} more"
            if result.failed > len(result.failed_lines)
            else ""
        )
        lines.append(f"Failed input lines: {shown}{more}. Reasons: {out_dir / ERRORS}")
    return lines


@click.command("batch")
@click.argument("export", type=click.Path(path_type=Path))
@click.option(
    "--out-dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for the PDFs."
)
@click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: the CPUs available)."
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(FORMATS, case_sensitive=False),
    default=None,
    help="Input format (default: FHIR for a folder or a .json/.ndjson file, else CSV).",
)
@click.option(
    "--encoding", help="CSV encoding (default: [csv] encoding, else detected: UTF-8, Windows-1252 or UTF-16)."
)
@click.option(
    "--packet",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every document into this one PDF, one bookmark per patient. A {column} placeholder "
    "in the name (packet-{unit}.pdf) writes one packet per value of that input column.",
)
@click.option(
    "--duplex/--simplex",
    "duplex",
    default=None,
    help="Two-sided: pad each patient to an even page count in the packet and, with --print, print "
    "two-sided (long edge). --simplex: print one-sided (default: [printing] duplex, else the queue's own).",
)
@click.option(
    "--insert",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A PDF (a medication sheet, a leaflet) added after each patient in the packet.",
)
@click.option("--sort-by", help="Order the packet(s) by this input column (for example unit or room).")
@click.option(
    "--also-html",
    is_flag=True,
    default=False,
    help="Also write each document as HTML beside its PDF (NAME.html), for patient portals that take HTML.",
)
@click.option(
    "--print",
    "print_it",
    is_flag=True,
    default=False,
    help="Print through CUPS (lp): the packet(s) when --packet is given, else each document in input order. "
    "Documents an earlier run printed are not printed again.",
)
@print_options
@click.option(
    "--reprint", is_flag=True, default=False, help="With --print: print again what earlier runs printed."
)
@chart_copy_option
@tagged_option
@site_option
def batch(
    export: Path,
    out_dir: Path,
    site_path: Path | None,
    jobs: int | None,
    format_name: str | None,
    encoding: str | None,
    packet: Path | None,
    duplex: bool | None,
    insert: Path | None,
    sort_by: str | None,
    also_html: bool,
    print_it: bool,
    printer: str | None,
    copies: int | None,
    reprint: bool,
    chart_copy: bool | None,
    tagged: bool | None,
) -> None:
    """Render one PDF per row of an EHR export (CSV or FHIR) into --out-dir.

    Writes manifest.csv (every row: status, file, SHA-256, pages, HTML file, print job) and errors.csv (bad rows:
    line, field, reason). A rerun skips rows already done. Exit status: 0 all written, 1 some rows failed,
    2 unusable input or printing failed, 130 interrupted.
    """
    if not print_it and (
        printer is not None or copies is not None or duplex is False or reprint or chart_copy
    ):
        raise click.UsageError("--printer, --copies, --simplex, --reprint and --chart-copy go with --print.")
    if packet is None and (insert is not None or sort_by is not None):
        raise click.UsageError("--insert and --sort-by shape the packet: give --packet too.")
    if packet is None and duplex and not print_it:
        raise click.UsageError("--duplex pads the packet or prints two-sided: give --packet too, or --print.")
    site = with_tagging(load_site_or_fail(site_path), tagged)
    printing = print_options_or_fail(site, printer, copies, duplex) if print_it else None
    try:
        if printing is not None:
            check_printer(printing)  # before the first row, not after an hour of rendering
        # Printed two-sided, a patient's last page must not share a sheet with the next patient's first.
        pad = bool(duplex) or (printing is not None and printing.duplex is True)
        options = _packet_options(packet, pad, insert, sort_by, export)
        reader = open_records(export, input_format(export, format_name), site, encoding)
        to_print = (
            None
            if printing is None
            else _ToPrint(printing, reprint, site.document.paper, wants_chart_copy(chart_copy, site))
        )
        result = _run(reader, site, out_dir, jobs or default_jobs(), options, to_print, also_html)
        if options is not None and not result.documents:
            click.echo("Packet: not written, no documents.", err=True)
    except OptionError as error:
        raise user_error(error) from None
    except (InputFileError, BatchSetupError, PacketError, PrintError) as error:
        raise UserError(str(error)) from None
    except ContentError as error:  # a site's card template (the chart copy) that cannot make a card
        raise user_error(error) from None
    except NotAFileError as error:  # a file the run writes turned into a device or FIFO: left as it was
        raise UserError(
            f"Cannot write {error.filename}: it is {error.kind}; give a regular file or a new file name"
        ) from None
    except (click.ClickException, click.exceptions.Exit, KeyboardInterrupt):
        raise
    except Exception as error:
        raise UserError(internal_error(error)) from None
    if result.failed:
        click.get_current_context().exit(1)


def _packet_options(
    packet: Path | None, duplex: bool, insert: Path | None, sort_by: str | None, export: Path
) -> PacketOptions | None:
    """--packet and its companions; a bad placeholder is a usage error before any row is read."""
    if packet is None:
        return None
    return PacketOptions(packet, duplex, insert, sort_by, packet_column(packet), export)


def _report_packet(packet: PacketWritten) -> None:
    """Each packet as it is written: its path and counts, never a patient's name."""
    click.echo(f"Packet: {packet.path} ({packet.patients} patients, {packet.pages} pages).", err=True)
    if not packet.archival:
        click.echo(
            "Packet: not PDF/A-2b, as the --insert PDF does not say it is PDF/A-1 or PDF/A-2 (docs/pdfa.md);"
            " print it, and archive the documents, which are.",
            err=True,
        )


@dataclass(frozen=True)
class _ToPrint:
    options: PrintOptions
    reprint: bool
    paper: str
    chart_copy: bool = False


JOBS_SHOWN = 10


def _report_sent(sent: SentJob) -> None:
    """A packet's job as it is sent: the queue, the job id, the packet's path and counts."""
    if sent.packet is None:
        return  # documents are summed up at the end: one line, not one a patient
    what = (
        f"the {sent.documents} patient{'s' if sent.documents != 1 else ''} new to packet {sent.packet}"
        if sent.partial
        else f"packet {sent.packet}, {sent.documents} patients"
    )
    if sent.chart_copies:
        what = f"the chart copies of {what}"
    click.echo(f"Printed on {sent.job.queue}: job {sent.job.job_id} ({what}).", err=True)


def _print_summary(printed: BatchPrinted) -> list[str]:
    """Counts and job ids only, never a patient."""
    lines = []
    for chart_copies, what in ((False, "documents"), (True, "chart copies")):
        jobs = [sent for sent in printed.sent if sent.packet is None and sent.chart_copies is chart_copies]
        if jobs:
            ids = [sent.job.job_id for sent in jobs]
            shown = ", ".join(ids[:JOBS_SHOWN]) + (
                f" and {len(ids) - JOBS_SHOWN} more" if len(ids) > JOBS_SHOWN else ""
            )
            lines.append(f"Printed {len(ids)} {what} on {jobs[0].job.queue}: jobs {shown}.")
    if printed.already:
        lines.append(
            f"Not printed again: {printed.already} documents an earlier run printed (--reprint prints them)."
        )
    if not printed.sent and not printed.already:
        lines.append("Print: nothing to print, no documents.")
    return lines


def _run(
    reader: Callable[[], Iterator[Record]],
    site: SiteSettings,
    out_dir: Path,
    jobs: int,
    options: PacketOptions | None,
    to_print: _ToPrint | None = None,
    also_html: bool = False,
) -> BatchResult:
    packets: list[PacketWritten] = []

    def on_packet(written: PacketWritten) -> None:
        packets.append(written)
        _report_packet(written)

    def print_all(result: BatchResult) -> None:
        assert to_print is not None
        printed = print_run(
            out_dir,
            result,
            to_print.options,
            to_print.paper,
            reprint=to_print.reprint,
            packet=options,
            packets=packets,
            on_sent=_report_sent,
            chart_copy=(lambda line: render_chart_copy(result.cases[line], site))
            if to_print.chart_copy
            else None,
        )
        for line in _print_summary(printed):
            click.echo(line, err=True)

    with contextlib.ExitStack() as progress:

        def report(result: BatchResult) -> None:
            progress.close()  # the bar ends before the summary and the packet lines
            for line in _summary(result, out_dir):
                click.echo(line, err=True)

        def start(on_row: Callable[[Entry], None] | None) -> BatchResult:
            # The packet is written inside run_batch, under the run's lock, after `report`.
            return run_batch(
                reader(),
                site,
                out_dir,
                jobs=jobs,
                packet=options,
                on_row=on_row,
                on_rows_done=report,
                on_packet=on_packet,
                on_finish=None if to_print is None else print_all,
                keep_cases=to_print is not None and to_print.chart_copy,
                also_html=also_html,
            )

        if not on_terminal():
            return start(None)  # silence off a terminal: the summary says it all
        total = sum(1 for _ in reader())
        bar = progress.enter_context(
            click.progressbar(length=total, label="Rendering", file=sys.stderr, show_pos=True)
        )
        return start(lambda _entry: bar.update(1))
