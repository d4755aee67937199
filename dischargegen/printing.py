"""Printing a finished PDF through CUPS's own client, `lp`, found on PATH (no compiled dependency).

The PDF always goes to `lp` on standard input: with a file argument CUPS records the file's name as the
job's document name, and file names may carry an MRN. The job title is always neutral (JOB_TITLE), since
everyone on a print queue sees it. The queue is `--printer`, else the site's `[printing] printer`, else
CUPS's default, which `lp` resolves itself (PRINTER, LPDEST, lpoptions, the server's default).

Before a job is sent the queue is checked with `lpstat`: a job queued on a stopped printer never prints,
which is worse than an error. Every wait is bounded by `timeout_seconds`. Failures raise PrintError, one
line naming the queue (never the patient) and what to do.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import PrintError
from .site import QUEUE_NAME, Printing

JOB_TITLE = "Discharge instructions"
# The chart copy's job: as neutral, and told apart on a busy queue's list.
CHART_COPY_JOB_TITLE = "Discharge instructions: chart copy"
MAX_COPIES = 20  # as [printing] copies allows
# The document's paper as the PWG media names every CUPS version understands.
MEDIA = {"letter": "na_letter_8.5x11in", "a4": "iso_a4_210x297mm"}
SIDES = {True: "two-sided-long-edge", False: "one-sided"}
# lp's and lpstat's messages are parsed: their English wording, whatever the user's locale.
CLIENT_LOCALE = {"LC_ALL": "C", "LANG": "C"}
_REQUEST_ID = re.compile(r"request id is (?P<job>(?P<queue>\S+)-(?P<number>\d+))\b")
_DEFAULT = re.compile(r"system default destination: (?P<queue>\S+)")
_NAMES_MISSING = re.compile(r"(?P<variable>[A-Z]+) environment variable names non-existent destination")
_DEFAULT_QUEUE = "the default queue"


@dataclass(frozen=True)
class PrintOptions:
    """How to print: the queue (None: CUPS's default), copies, two-sided (None: the queue's own default)
    and the longest wait for the print server."""

    printer: str | None = None
    copies: int = 1
    duplex: bool | None = None
    timeout_seconds: int = 30

    def __post_init__(self) -> None:
        if self.printer is not None and not QUEUE_NAME.fullmatch(self.printer):
            raise PrintError(
                "printer: a print queue name is letters, digits, '_', '.', '@' and '-', "
                "not starting with '.', '@' or '-'"
            )
        if not 1 <= self.copies <= MAX_COPIES:
            raise PrintError(f"copies: must be 1 to {MAX_COPIES}")
        if self.timeout_seconds < 1:
            raise PrintError("timeout_seconds: must be at least 1")

    @classmethod
    def from_settings(
        cls,
        printing: Printing,
        printer: str | None = None,
        copies: int | None = None,
        duplex: bool | None = None,
    ) -> PrintOptions:
        """The site's [printing] defaults with the command line's choices (those not None) over them."""
        return cls(
            printer=printer if printer is not None else printing.printer,
            copies=copies if copies is not None else printing.copies,
            duplex=duplex if duplex is not None else printing.duplex,
            timeout_seconds=printing.timeout_seconds,
        )


@dataclass(frozen=True)
class PrintedJob:
    """A job CUPS accepted: its queue and its id ("ward5-12")."""

    queue: str
    job_id: str


def lp_arguments(options: PrintOptions, paper: str, title: str = JOB_TITLE) -> list[str]:
    """lp's arguments after the program name; the PDF comes on standard input (no file argument)."""
    arguments = [] if options.printer is None else ["-d", options.printer]
    arguments += ["-t", title, "-n", str(options.copies), "-o", f"media={MEDIA[paper]}"]
    if options.duplex is not None:
        arguments += ["-o", f"sides={SIDES[options.duplex]}"]
    return arguments


def parse_request_id(output: str) -> PrintedJob | None:
    """The job from lp's "request id is ward5-12 (1 file(s))", or None when lp said no such thing."""
    found = _REQUEST_ID.search(output)
    return None if found is None else PrintedJob(found["queue"], found["job"])


def server_name() -> str:
    """The print server the client talks to, for messages (CUPS_SERVER, else the local one)."""
    return os.environ.get("CUPS_SERVER") or "the local print server"


class _Client:
    """lp and lpstat runs sharing one deadline, so the whole print never waits longer than the timeout."""

    def __init__(self, timeout_seconds: int) -> None:
        self.timeout_seconds = timeout_seconds
        self.deadline = time.monotonic() + timeout_seconds

    def run(self, queue: str, program: str, arguments: Sequence[str], data: bytes = b"") -> tuple[int, str]:
        """Exit status and output (stdout then stderr) of one CUPS client program."""
        path = shutil.which(program)
        if path is None:
            raise PrintError(
                f"cannot print on {queue}: CUPS's {program} command is not installed "
                "(install the CUPS client: cups-client and cups-bsd)"
            )
        try:
            # subprocess.run kills the program when the time is up.
            done = subprocess.run(
                [path, *arguments],
                input=data,
                capture_output=True,
                env={**os.environ, **CLIENT_LOCALE},
                timeout=max(0.1, self.deadline - time.monotonic()),
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise PrintError(
                f"cannot print on {queue}: {server_name()} did not answer within {self.timeout_seconds} "
                "seconds ([printing] timeout_seconds); check `lpstat -o` before printing again"
            ) from None
        except OSError as error:
            raise PrintError(f"cannot print on {queue}: cannot run {program}: {error.strerror}") from None
        text = (done.stdout + done.stderr).decode("utf-8", "replace")
        return done.returncode, text


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "no message"


def _check_server(client: _Client, queue: str) -> None:
    _, text = client.run(queue, "lpstat", ["-r"])
    if "scheduler is running" not in text:
        raise PrintError(
            f"cannot print on {queue}: no print server answers at {server_name()}; check that CUPS is "
            "running (`lpstat -r`) and that CUPS_SERVER or client.conf names the right server"
        )


def _default_queue(client: _Client) -> str:
    """CUPS's default queue as lpstat resolves it (PRINTER, LPDEST, lpoptions, the server's default)."""
    _, text = client.run(_DEFAULT_QUEUE, "lpstat", ["-d"])
    found = _DEFAULT.search(text)
    if found is not None:
        return found["queue"].split("/")[0]  # a lpoptions instance prints on its queue
    missing = _NAMES_MISSING.search(text)
    if missing is not None:
        raise PrintError(
            f"cannot print on {_DEFAULT_QUEUE}: the {missing['variable']} environment variable names a "
            "print queue the server does not have; `lpstat -p` lists the queues"
        )
    raise PrintError(
        "cannot print: no print queue given and CUPS has no default queue; use --printer QUEUE, set "
        "[printing] printer in the site settings, or set a default with `lpoptions -d QUEUE`"
    )


def _check_queue(client: _Client, queue: str) -> None:
    """Refuse a queue that does not exist, does not accept jobs, or whose printer is stopped."""
    status, text = client.run(queue, "lpstat", ["-a", queue, "-p", queue])
    if status != 0 or "Invalid destination" in text or f"printer {queue} " not in text:
        raise unknown_queue(queue)
    if f"{queue} not accepting requests" in text:
        raise PrintError(
            f"the print queue {queue} is not accepting jobs; `cupsaccept {queue}` opens it, "
            "or choose another queue with --printer"
        )
    if f"printer {queue} disabled" in text:
        raise PrintError(
            f"the printer {queue} is stopped, so a job would wait in its queue unprinted; start it with "
            f"`cupsenable {queue}` or choose another queue with --printer"
        )


def unknown_queue(queue: str) -> PrintError:
    return PrintError(
        f"no print queue named {queue}; `lpstat -p` lists the queues, or set [printing] printer in the site "
        "settings"
    )


def _ready_queue(client: _Client, options: PrintOptions) -> str:
    _check_server(client, options.printer or _DEFAULT_QUEUE)
    queue = options.printer or _default_queue(client)
    _check_queue(client, queue)
    return queue


def check_printer(options: PrintOptions) -> str:
    """The queue a job would go to, once the server answers and the queue exists, accepts jobs and is not
    stopped (a batch checks before its first row, not after an hour of rendering). Raises PrintError."""
    return _ready_queue(_Client(options.timeout_seconds), options)


def print_pdf(pdf: bytes, options: PrintOptions, paper: str, title: str = JOB_TITLE) -> PrintedJob:
    """Send `pdf` to CUPS as one job; return the job CUPS accepted. `paper` is the document's ("letter" or
    "a4"), sent as the job's media. Raises PrintError, naming the queue, when it cannot be printed."""
    if paper not in MEDIA:
        raise PrintError(f"paper: must be one of {', '.join(MEDIA)}")
    client = _Client(options.timeout_seconds)
    queue = _ready_queue(client, options)
    status, text = client.run(queue, "lp", lp_arguments(options, paper, title), data=pdf)
    job = parse_request_id(text)
    if status == 0 and job is not None:
        return job
    if "does not exist" in text:
        raise unknown_queue(queue)
    if "No default destination" in text:
        _default_queue(client)  # raises the no-default error
    if "not accepting jobs" in text:
        raise PrintError(f"the print queue {queue} is not accepting jobs; `cupsaccept {queue}` opens it")
    raise PrintError(f"cannot print on {queue}: lp said: {_first_line(text)}")


def print_chart_copy(pdf: bytes, options: PrintOptions, paper: str) -> PrintedJob:
    """Send a chart copy (render.render_chart_copy) as its own job: one copy whatever `options.copies`
    says (it goes in the chart, not home), titled CHART_COPY_JOB_TITLE. Raises PrintError as print_pdf."""
    return print_pdf(pdf, dataclasses.replace(options, copies=1), paper, title=CHART_COPY_JOB_TITLE)
