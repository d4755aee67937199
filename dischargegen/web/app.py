"""The form's web application: the blank form, the preview (the HTML rendition), print and download.

Nothing about a patient is kept: the values travel in the posts (the preview page posts them back in
hidden fields), each response is made from its post and forgotten. The document is the library's
(render_html, render_pdf, render_chart_copy, print_pdf); a library error is a message on the page, never a
traceback: beside its field (status 422) for a field, at the top of the page for anything else.
"""

from __future__ import annotations

import re
import secrets
import threading
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from ..case import Case, build_case
from ..errors import DischargeGenError, InputError, PrintError
from ..html.style import style_sheet
from ..printing import MAX_COPIES, PrintedJob, PrintOptions, print_chart_copy, print_pdf
from ..render import render_chart_copy, render_html, render_pdf
from ..site import SiteSettings
from . import security
from .form import defaults, field_errors, form_groups, kept_values, posted_fields, print_request

# A form post is a few hundred bytes; anything much larger is not the form.
MAX_REQUEST_BYTES = 64 * 1024
# The download's name: the same for every patient (a name or MRN here would land in Downloads folders).
PDF_FILE_NAME = "discharge-instructions.pdf"
_BODY = re.compile(
    r'<html lang="(?P<lang>[^"]+)">.*<body class="(?P<class>[^"]+)">\n(?P<body>.*)</body>', re.S
)
# What the page says for each refusal; never a value, never a traceback.
_REFUSALS = {
    "csrf": "This page is out of date (the service restarted, or the page came from elsewhere). "
    "Go back, reload the page, and send it again.",
    "host": "This service does not answer to that address.",
}


def loopback_hosts(port: int) -> tuple[str, ...]:
    """The names a browser on this computer sends in the Host header for the service on `port`."""
    return (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}")


class _QuietFlask(Flask):
    """Logs an unexpected error as its type and where it happened, without its message (which may quote
    a value) or the request's data."""

    def log_exception(
        self,
        exc_info: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None],
    ) -> None:
        kind, _, trace = exc_info
        frames = "; ".join(f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(trace))
        rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
        name = kind.__name__ if kind is not None else "unknown"
        security.ERROR_LOG.error("%s on %s %s at %s", name, request.method, rule, frames)


@dataclass(frozen=True)
class Preview:
    lang: str
    body_class: str
    body: str


def preview_of(case: Case, site: SiteSettings) -> Preview:
    """The HTML rendition's body, to show inside the preview page; its style sheet is /document.css."""
    page = render_html(case, site).decode("utf-8")
    found = _BODY.search(page)
    if found is None:  # the rendition's own layout changed: a bug, not bad input
        raise RuntimeError("the HTML rendition has no <body class=...>")
    return Preview(found["lang"], found["class"], found["body"])


def create_app(
    site: SiteSettings,
    printer: str | None = None,
    allowed_hosts: Iterable[str] = loopback_hosts(8800),
    behind_proxy: bool = False,
) -> Flask:
    """The application for `site`, printing on `printer` (else [printing] printer, else CUPS's default),
    answering only to the Host names in `allowed_hosts` ("name:port" as the browser sends it).
    `behind_proxy`: trust one reverse proxy's X-Forwarded-For, -Proto, -Host and -Prefix headers, and
    send the session cookie over HTTPS only. Raises PrintError for a bad queue name."""
    printing = PrintOptions.from_settings(site.printing, printer)
    app = _QuietFlask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),  # sessions last as long as the process: no key to keep
        SESSION_COOKIE_NAME="dischargegen_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=behind_proxy,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_REQUEST_BYTES,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    if behind_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1)  # type: ignore[method-assign]
    security.install(app, allowed_hosts)
    groups = form_groups(site)
    # Documents are made one at a time: the library (and ReportLab under it) is written for one render at
    # a time per process, and a document takes some 50 ms. Printing (which waits on CUPS) is outside.
    one_at_a_time = threading.Lock()
    queue_name = printing.printer or "the default printer"

    def form_page(values: Mapping[str, str], errors: Mapping[str, str], status: int) -> tuple[str, int]:
        shown = render_template("form.html", groups=groups, values=values, errors=errors)
        return shown, status

    def preview_page(
        values: Mapping[str, str],
        case: Case,
        status: int = 200,
        printed: Iterable[str] = (),
        problem: str | None = None,
        copies_error: str | None = None,
    ) -> tuple[str, int]:
        """The document with its buttons; `values` (the case fields as typed) go back in hidden fields.
        After a print, the copies and chart copy the nurse chose stay chosen."""
        with one_at_a_time:
            preview = preview_of(case, site)
        security.allow_inline_styles(preview.body)
        posted = request.form if request.endpoint == "print_document" else {}
        shown = render_template(
            "preview.html",
            preview=preview,
            hidden=values,
            queue=queue_name,
            max_copies=MAX_COPIES,
            copies=posted.get("copies", str(printing.copies)),
            chart_copy=posted.get("chart_copy") == "yes" if posted else site.printing.chart_copy,
            printed=list(printed),
            problem=problem,
            copies_error=copies_error,
        )
        return shown, status

    def checked_case() -> tuple[dict[str, str], Case | None, dict[str, str]]:
        """The post's values as typed, its case, and the errors by field (the case is None when any)."""
        values = kept_values(request.form)
        try:
            return values, build_case(posted_fields(request.form)), {}
        except InputError as error:
            return values, None, field_errors(error)

    @app.get("/")
    def blank_form() -> tuple[str, int]:
        return form_page(defaults(site), {}, 200)

    @app.post("/edit")
    def edit() -> tuple[str, int]:
        return form_page(kept_values(request.form), {}, 200)

    @app.post("/preview")
    def preview() -> tuple[str, int]:
        values, case, errors = checked_case()
        if case is None:
            return form_page(values, errors, 422)
        try:
            return preview_page(values, case)
        except InputError as error:  # a character the document font cannot print, found while rendering
            return form_page(values, field_errors(error), 422)

    @app.post("/pdf")
    def download() -> Response | tuple[str, int]:
        values, case, errors = checked_case()
        if case is None:
            return form_page(values, errors, 422)
        try:
            with one_at_a_time:
                pdf = render_pdf(case, site)
        except InputError as error:
            return form_page(values, field_errors(error), 422)
        response = Response(pdf, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'attachment; filename="{PDF_FILE_NAME}"'
        return response

    @app.post("/print")
    def print_document() -> tuple[str, int]:
        values, case, errors = checked_case()
        if case is None:
            return form_page(values, errors, 422)
        try:
            wanted = print_request(request.form, printing)
        except PrintError as error:
            message = str(error).removeprefix("copies: ")
            return preview_page(values, case, 422, copies_error=message)
        try:
            with one_at_a_time:
                pdf = render_pdf(case, site)
                chart = render_chart_copy(case, site) if wanted.chart_copy else None
        except InputError as error:
            return form_page(values, field_errors(error), 422)
        paper = case.paper or site.document.paper
        printed: list[str] = []
        try:
            printed.append(_said(print_pdf(pdf, wanted.options, paper), "Printed"))
            if chart is not None:
                printed.append(
                    _said(print_chart_copy(chart, wanted.options, paper), "Printed the chart copy")
                )
        except PrintError as error:
            return preview_page(values, case, 503, printed, problem=_sentence(error))
        return preview_page(values, case, 200, printed)

    @app.get("/document.css")
    def document_css() -> Response:
        response = Response(style_sheet(with_logo=site.document.logo is not None), mimetype="text/css")
        response.headers["Cache-Control"] = "max-age=3600"
        return response

    @app.get("/health")
    def health() -> Response:
        return Response("ok\n", mimetype="text/plain")

    @app.errorhandler(DischargeGenError)
    def library_error(error: DischargeGenError) -> tuple[str, int]:
        # Site settings or templates the document cannot be made with: the service's problem, not the
        # nurse's; said in the library's words (which never quote a value).
        return render_template(
            "error.html", title="The document cannot be made", message=_sentence(error)
        ), 500

    @app.errorhandler(HTTPException)
    def refused(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        message = _REFUSALS.get(str(error.description), _HTTP_MESSAGES.get(code, "The request was refused."))
        return render_template("error.html", title=f"{code} {error.name}", message=message), code

    return app


_HTTP_MESSAGES = {
    404: "There is no page here. Start again from the form.",
    405: "This page takes the form's button, not a link. Start again from the form.",
    413: "What was sent is larger than the form sends. Start again from the form.",
    # An unexpected error (logged as its type and place, without values; see _QuietFlask).
    500: "Something went wrong on the service; nothing was printed. Tell the IT service desk.",
}


def _said(job: PrintedJob, what: str) -> str:
    return f"{what} on {job.queue}: job {job.job_id}."


def _sentence(error: Any) -> str:
    text = str(error)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
