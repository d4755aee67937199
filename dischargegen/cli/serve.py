"""`dischargegen serve`: the nurse's form (dischargegen.web) under waitress, a production WSGI server.

Only this computer can reach it unless --host says otherwise; then a warning says that the page needs the
hospital's TLS proxy and sign-on in front of it (docs/serve.md)."""

from __future__ import annotations

import ipaddress
import logging
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import click

from ..errors import PrintError
from ..interrupts import STOP_SIGNALS, Stopped
from ._common import UserError, load_site_or_fail, site_option

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8800
_LOG_HANDLER = "dischargegen-serve-stderr"


def is_loopback(host: str) -> bool:
    """Only this computer can connect: 127.0.0.0/8, ::1, or the name localhost."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to any address


def default_allowed_hosts(host: str, port: int) -> list[str]:
    """The loopback names with the port, and --host itself when it is a name a browser can use (not a
    wildcard such as 0.0.0.0, which no browser sends)."""
    from ..web import loopback_hosts

    hosts = list(loopback_hosts(port))
    wildcard = host in ("0.0.0.0", "::", "[::]", "")
    if not wildcard and not is_loopback(host):
        bracketed = f"[{host}]" if ":" in host and not host.startswith("[") else host
        hosts.append(f"{bracketed}:{port}")
    return hosts


def _log_to_stderr() -> None:
    """The access log (method, route, status) and the service's errors, one line each, on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.set_name(_LOG_HANDLER)
    for name in ("dischargegen.web", "waitress"):
        logger = logging.getLogger(name)
        if not any(existing.get_name() == _LOG_HANDLER for existing in logger.handlers):
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)


@click.command()
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on. Anything but loopback needs the hospital's TLS proxy and sign-on in front.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True, help="Port.")
@site_option
@click.option(
    "--printer",
    metavar="QUEUE",
    help="CUPS queue the Print button prints on (default: [printing] printer, else CUPS's default queue).",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME[:PORT]",
    help="A Host header to answer, as the browser sends it (repeatable; default: 127.0.0.1:PORT, "
    "localhost:PORT, [::1]:PORT and --host:PORT). Others get status 400.",
)
@click.option(
    "--behind-proxy",
    is_flag=True,
    default=False,
    help="Trust one reverse proxy's X-Forwarded-For/-Proto/-Host/-Prefix headers and send the session "
    "cookie over HTTPS only (off: those headers are ignored).",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Requests served at once.",
)
def serve(
    host: str,
    port: int,
    site_path: Path | None,
    printer: str | None,
    allowed_hosts: tuple[str, ...],
    behind_proxy: bool,
    threads: int,
) -> None:
    """Serve the nurse's form: type the details, preview the document, print it or download the PDF.

    Nothing about a patient is kept: no files, no cache, no values in the log. Stop it with Ctrl-C.
    """
    # Imported here: Flask and waitress load only for this command, not for every render.
    import waitress

    from ..web import MAX_REQUEST_BYTES, create_app

    site = load_site_or_fail(site_path)
    try:
        app = create_app(
            site,
            printer=printer,
            allowed_hosts=allowed_hosts or default_allowed_hosts(host, port),
            behind_proxy=behind_proxy,
        )
    except PrintError as error:
        raise click.UsageError(f"Invalid value for --{error}") from None
    if not is_loopback(host):
        click.echo(
            f"Warning: listening on {host}, not only this computer: put the hospital's TLS proxy and "
            "sign-on in front of it (docs/serve.md).",
            err=True,
        )
    _log_to_stderr()
    try:
        server = waitress.create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            max_request_body_size=MAX_REQUEST_BYTES,
            ident="dischargegen",
        )
    except OSError as error:
        raise UserError(f"Cannot listen on {host}:{port}: {error.strerror}") from None
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    click.echo(f"Serving the form on http://{shown}:{port}/ (Ctrl-C stops it)", err=True)
    run_until_stopped(server)


def run_until_stopped(server: Any) -> None:
    """Serve until Ctrl-C, SIGTERM or SIGHUP. waitress's run() returns when one stops it without saying
    which: the signal is noted on its way in and raised again once the server has closed, so that the
    command ends as the others do (one line, exit status 130, 143 or 129)."""
    received: list[int] = []
    numbers = (signal.SIGINT, *STOP_SIGNALS)
    previous = {number: signal.getsignal(number) for number in numbers}

    def noting(number: int, frame: FrameType | None) -> None:
        received.append(number)
        handler = previous[number]
        if callable(handler):
            handler(number, frame)  # raises KeyboardInterrupt or Stopped, which waitress catches
        raise KeyboardInterrupt

    for number in numbers:
        signal.signal(number, noting)
    try:
        server.run()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
    if received and received[0] in STOP_SIGNALS:
        raise Stopped(received[0])
    raise KeyboardInterrupt
