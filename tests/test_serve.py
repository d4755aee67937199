"""`dischargegen serve` (issue 16) through Flask's test client: every route, the errors beside their
fields, the security headers, CSRF and the Host allowlist, the download read back with pypdf, printing
through the private cupsd (the `cups` fixture), and the command line. The browser end to end is in
tests/test_serve_browser.py."""

from __future__ import annotations

import dataclasses
import html
import io
import logging
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pypdf
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from dischargegen import vocab
from dischargegen.case import ALL_FIELDS, REQUIRED_FIELDS
from dischargegen.cli import cli
from dischargegen.cli.serve import default_allowed_hosts, is_loopback
from dischargegen.site import DEFAULT_SITE
from dischargegen.web import MAX_REQUEST_BYTES, PDF_FILE_NAME, create_app
from dischargegen.web.form import language_name
from tests.helpers import BASE_FIELDS, Queue, fields, free_port, pages, pdf_text, wait_for

HOST = "127.0.0.1:8800"
SITE_A4 = dataclasses.replace(DEFAULT_SITE, document=dataclasses.replace(DEFAULT_SITE.document, paper="a4"))


@pytest.fixture
def app() -> Flask:
    return create_app(DEFAULT_SITE)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def get(client: FlaskClient, path: str = "/", host: str = HOST) -> Any:
    return client.get(path, headers={"Host": host})


def token(client: FlaskClient) -> str:
    """The CSRF token of this client's session, from the blank form."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', get(client).text)
    assert found is not None
    return found[1]


def post(
    client: FlaskClient, path: str, data: dict[str, Any], csrf: str | None = "", host: str = HOST
) -> Any:
    """A post with the session's token (csrf=""), a given one, or none (csrf=None)."""
    body = dict(data)
    if csrf == "":
        body["csrf_token"] = token(client)
    elif csrf is not None:
        body["csrf_token"] = csrf
    return client.post(path, data=body, headers={"Host": host})


def errors_by_field(page: str) -> dict[str, str]:
    found = re.findall(
        r'<p class="error" id="e-([a-z_]+)"><span class="visually-hidden">Error: </span>(.*?)</p>', page
    )
    return {field: html.unescape(text) for field, text in found}


def hidden_fields(page: str) -> dict[str, str]:
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', page)
    }


# --- the form -----------------------------------------------------------------------------------------
def test_the_form_has_every_case_field_by_its_csv_name(client: FlaskClient) -> None:
    page = get(client).text
    form = page.split("<form", 1)[1]
    names = set(re.findall(r'name="([a-z_]+)"', form)) - {"csrf_token"}
    assert names == set(ALL_FIELDS)
    # Native inputs: a tablet shows a date picker, a clock, a list.
    assert re.search(r'<input type="date" id="f-dob" name="dob"', page)
    assert re.search(r'<input type="date" id="f-procedure_date" name="procedure_date"', page)
    assert re.search(r'<input type="time" id="f-procedure_time" name="procedure_time"', page)
    assert re.search(r'<input type="datetime-local" id="f-follow_up" name="follow_up"', page)
    assert '<select id="f-language" name="language"' in page and '<select id="f-cause" name="cause"' in page
    for value in vocab.PROCEDURES + vocab.ANESTHESIA:
        assert re.search(rf'type="radio" id="f-[a-z]+-{value}" name="[a-z]+" value="{value}"', page)
    # Every input has a label that names it; no script is needed (there is none).
    for input_id in re.findall(
        r'<(?:input|select) type="(?!hidden)[^"]*" id="([^"]+)"|<select id="([^"]+)"', page
    ):
        identifier = next(part for part in input_id if part)
        assert f'<label for="{identifier}">' in page
    assert "<script" not in page


def language_choices(page: str) -> list[str]:
    return re.findall(
        r'<option value="([a-z]+)"(?: selected)?>', page.split('id="f-language"')[1].split("</select>")[0]
    )


def test_the_languages_offered_are_the_ones_the_site_enables() -> None:
    page = get(create_app(DEFAULT_SITE).test_client()).text
    assert language_choices(page) == list(DEFAULT_SITE.content.enabled_languages) == ["en", "es"]
    assert "Spanish (español)" in page and ">English<" in page
    # A site that enables more (after its own translator's review) offers them, named in English and in
    # themselves, in the library's order; a draft the site has not enabled is never offered.
    content = dataclasses.replace(DEFAULT_SITE.content, enabled_languages=("en", "zh", "vi"))
    page = get(create_app(dataclasses.replace(DEFAULT_SITE, content=content)).test_client()).text
    assert language_choices(page) == [code for code in vocab.LANGUAGES if code in ("en", "zh", "vi")]
    assert "Vietnamese (Tiếng Việt)" in page and "Chinese (中文)" in page
    assert "español" not in page


def test_a_language_code_babel_does_not_know_is_shown_as_it_is() -> None:
    assert language_name("xx") == "xx"
    assert language_name("es") == "Spanish (español)"


def test_the_sites_defaults_are_preselected() -> None:
    page = get(create_app(SITE_A4).test_client()).text
    assert 'id="f-paper-a4" name="paper" value="a4" checked' in page
    assert 'id="f-paper-letter" name="paper" value="letter" required>' not in page
    assert '<option value="en" selected>' in page
    assert 'id="f-brace-not-stated" name="brace" value="" checked' in page
    # A required choice is never guessed.
    assert not re.search(r'name="(procedure|anesthesia|overnight)" value="[a-z]+" checked', page)


# --- errors beside the field ----------------------------------------------------------------------------
def test_an_invalid_post_returns_the_form_with_each_error_beside_its_field(client: FlaskClient) -> None:
    data = fields(levels="L6", dob="2030-01-01", mrn=None)
    response = post(client, "/preview", {k: v or "" for k, v in data.items()})
    assert response.status_code == 422
    shown = errors_by_field(response.text)
    assert set(shown) == {"levels", "dob", "mrn"}
    assert shown["dob"] == "Date of birth must be before the procedure date"
    assert shown["mrn"] == "Medical record number (MRN) is required"
    # Beside the field: the error comes right after the field's label, and the input points at it.
    page = response.text
    assert page.index('id="e-dob"') < page.index('id="f-dob"') < page.index('id="e-levels"')
    assert re.search(
        r'id="f-dob" name="dob" value="2030-01-01" required aria-describedby="e-dob" aria-invalid="true"',
        page,
    )
    # The summary at the top links to each field.
    assert '<a href="#f-dob">Date of birth must be before the procedure date</a>' in page
    assert response.headers["Cache-Control"] == "no-store"


def test_every_required_field_left_empty_is_named(client: FlaskClient) -> None:
    response = post(client, "/preview", {})
    assert response.status_code == 422
    assert set(errors_by_field(response.text)) == set(REQUIRED_FIELDS)


def test_typed_values_are_kept_and_escaped(client: FlaskClient) -> None:
    name = '<script>alert("x")</script> O\'Neil & Co'
    response = post(client, "/preview", {**BASE_FIELDS, "patient_name": name, "levels": "L9"})
    assert response.status_code == 422
    page = response.text
    assert "<script>" not in page
    assert 'value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; O&#39;Neil &amp; Co"' in page
    assert re.search(r'id="f-levels" name="levels" value="L9"', page)
    assert re.search(r'id="f-procedure-kyphoplasty" name="procedure" value="kyphoplasty" checked', page)


def test_a_character_the_font_cannot_print_is_an_error_beside_the_name(client: FlaskClient) -> None:
    response = post(client, "/preview", {**BASE_FIELDS, "patient_name": "Ana \U0001f600"})
    assert response.status_code == 422
    assert "the document font cannot print" in errors_by_field(response.text)["patient_name"]


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_whatever_is_typed_in_the_name_never_breaks_the_page(name: str) -> None:
    client = create_app(DEFAULT_SITE).test_client()
    response = post(client, "/preview", {**BASE_FIELDS, "patient_name": name})
    assert response.status_code in (200, 422)
    assert "<script" not in response.text.split("<body", 1)[1].replace("&lt;script", "")


# --- preview, edit, download ------------------------------------------------------------------------------
def test_a_valid_post_shows_the_document_with_the_values_in_hidden_fields(client: FlaskClient) -> None:
    data = {**BASE_FIELDS, "patient_name": "Ana <b>Diaz</b>", "cause": "osteoporosis", "language": "es"}
    response = post(client, "/preview", data)
    assert response.status_code == 200
    page = response.text
    assert "Going home" not in page.split("<body")[0]  # the title is this page's, not the patient's
    assert '<div class="document" lang="es-US">' in page
    assert "Ana &lt;b&gt;Diaz&lt;/b&gt;" in page and "<b>Diaz" not in page
    assert "Osteoporosis" in page or "osteoporosis" in page
    hidden = hidden_fields(page)
    assert hidden.pop("csrf_token")
    assert hidden == data
    assert '<button type="submit">Print on the default printer</button>' in page
    assert 'formaction="/pdf"' in page and 'formaction="/edit"' in page
    assert response.headers["Cache-Control"] == "no-store"
    # The rendition's own style sheet, served from here (inline styles are blocked by the policy).
    assert '<link rel="stylesheet" href="/document.css">' in page and "<style" not in page


def test_the_preview_allows_exactly_the_documents_style_attributes(client: FlaskClient) -> None:
    response = post(client, "/preview", {**BASE_FIELDS, "cause": "osteoporosis"})
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    styles = set(re.findall(r'\sstyle="([^"]*)"', response.text))
    assert styles  # the pictures
    assert policy.count("'sha256-") == len({html.unescape(s) for s in styles})
    assert "'sha256-" not in get(client).headers["Content-Security-Policy"]


def test_edit_returns_the_form_with_the_values(client: FlaskClient) -> None:
    response = post(client, "/edit", {**BASE_FIELDS, "patient_name": "Ana & Bo"})
    assert response.status_code == 200
    assert 'name="patient_name" value="Ana &amp; Bo"' in response.text
    assert errors_by_field(response.text) == {}


def test_download_is_the_pdf_as_an_attachment_with_no_patient_data_in_its_name(client: FlaskClient) -> None:
    response = post(client, "/pdf", {**BASE_FIELDS, "cause": "trauma", "paper": "a4"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{PDF_FILE_NAME}"'
    assert PDF_FILE_NAME == "discharge-instructions.pdf"
    assert response.headers["Cache-Control"] == "no-store"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert round(float(reader.pages[0].mediabox.width)) == 595  # a4, as asked
    text = pdf_text(response.data)
    assert "Ana Diaz" in text and "MRN-1001" in text


def test_download_of_an_invalid_post_is_the_form_with_errors(client: FlaskClient) -> None:
    response = post(client, "/pdf", {**BASE_FIELDS, "procedure": "fusion"})
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("text/html")
    assert errors_by_field(response.text) == {
        "procedure": "Procedure must be one of: kyphoplasty, vertebroplasty"
    }


# --- security ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/preview", "/pdf", "/print", "/edit"])
def test_a_post_without_the_sessions_token_is_refused(client: FlaskClient, path: str) -> None:
    token(client)  # the session exists
    missing = post(client, path, BASE_FIELDS, csrf=None)
    wrong = post(client, path, BASE_FIELDS, csrf="not-the-token")
    for response in (missing, wrong):
        assert response.status_code == 400
        assert "out of date" in response.text and "Ana Diaz" not in response.text


def test_a_token_from_another_session_is_refused(app: Flask) -> None:
    other = token(app.test_client())
    client = app.test_client()
    token(client)
    assert post(client, "/preview", BASE_FIELDS, csrf=other).status_code == 400


def test_the_session_cookie_is_strict_and_http_only(client: FlaskClient) -> None:
    cookie = get(client).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback; --behind-proxy adds it


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8800", "127.0.0.1:9999", "localhost"])
def test_an_unknown_host_header_is_refused(client: FlaskClient, host: str) -> None:
    assert get(client, host=host).status_code == 400
    refused = post(client, "/preview", BASE_FIELDS, csrf="x", host=host)
    assert refused.status_code == 400 and "does not answer to that address" in refused.text


@pytest.mark.parametrize("host", ["127.0.0.1:8800", "localhost:8800", "[::1]:8800", "LOCALHOST:8800"])
def test_the_loopback_names_are_answered(client: FlaskClient, host: str) -> None:
    assert get(client, host=host).status_code == 200


def test_every_response_carries_the_security_headers(client: FlaskClient) -> None:
    responses = [
        get(client),
        get(client, "/no-such-page"),
        get(client, "/static/serve.css"),
        get(client, "/document.css"),
        get(client, "/preview"),
        post(client, "/preview", BASE_FIELDS),
        post(client, "/preview", {}),
        post(client, "/pdf", BASE_FIELDS),
        post(client, "/preview", BASE_FIELDS, csrf=None),
        get(client, host="evil.example"),
    ]
    for response in responses:
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    for response in responses[:1] + responses[4:]:
        assert response.headers["Cache-Control"] == "no-store"
    assert [r.status_code for r in responses] == [200, 404, 200, 200, 405, 200, 422, 200, 400, 400]


def test_patient_data_is_never_taken_from_a_url(client: FlaskClient) -> None:
    # A GET with the fields in its query string is the blank form: nothing from the URL is used or shown.
    response = client.get("/?patient_name=Ana+Diaz&mrn=MRN-1001", headers={"Host": HOST})
    assert response.status_code == 200 and "Ana Diaz" not in response.text
    assert client.get("/pdf?patient_name=Ana", headers={"Host": HOST}).status_code == 405


def test_a_request_larger_than_the_limit_is_refused(client: FlaskClient) -> None:
    response = post(client, "/preview", {**BASE_FIELDS, "levels": "L1 " * MAX_REQUEST_BYTES})
    assert response.status_code == 413
    assert "larger than the form sends" in response.text


def test_the_access_log_holds_method_route_and_status_never_values(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="dischargegen.web"):
        post(client, "/preview", {**BASE_FIELDS, "levels": "L9"})
        post(client, "/pdf", BASE_FIELDS)
        client.get("/Ana-Diaz?mrn=MRN-1001", headers={"Host": HOST})
    lines = [r.getMessage() for r in caplog.records if r.name == "dischargegen.web.access"]
    assert "POST /preview 422" in lines and "POST /pdf 200" in lines and "GET (no route) 404" in lines
    logged = " ".join(r.getMessage() for r in caplog.records)
    for value in ("Ana", "Diaz", "MRN-1001", "1944-05-06", "L9"):
        assert value not in logged


def test_an_unexpected_error_is_a_generic_page_and_a_log_line_without_values(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from dischargegen.web import app as web_app

    def broken(*_: Any) -> bytes:
        raise ValueError("Ana Diaz MRN-1001")

    monkeypatch.setattr(web_app, "render_pdf", broken)
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="dischargegen.web"):
        response = post(client, "/pdf", BASE_FIELDS)
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "Traceback" not in response.text and "Ana Diaz" not in response.text
    assert response.headers["Cache-Control"] == "no-store"
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "ValueError on POST /pdf" in logged and "Ana" not in logged


def test_a_library_error_of_the_site_is_a_message_on_the_page(tmp_path: Any) -> None:
    templates = tmp_path / "templates"
    (templates / "en").mkdir(parents=True)
    (templates / "en" / "discharge.html").write_text("{{ broken(", encoding="utf-8")
    site = dataclasses.replace(
        DEFAULT_SITE, content=dataclasses.replace(DEFAULT_SITE.content, templates_dir=templates)
    )
    client = create_app(site).test_client()
    response = post(client, "/pdf", BASE_FIELDS)
    assert response.status_code == 500
    assert "The document cannot be made" in response.text and "Traceback" not in response.text


# What a ward's TLS proxy in front of the service sends (docs/serve.md).
PROXY = {"Host": "127.0.0.1:8800", "X-Forwarded-Host": "ward5.hospital.example", "X-Forwarded-Proto": "https"}


def behind_proxy() -> FlaskClient:
    return create_app(DEFAULT_SITE, allowed_hosts=["ward5.hospital.example"], behind_proxy=True).test_client()


def test_behind_a_proxy_the_forwarded_host_is_checked_and_the_cookie_is_secure() -> None:
    client = behind_proxy()
    forwarded = PROXY
    response = client.get("/", headers=forwarded)
    assert response.status_code == 200
    assert "Secure" in response.headers["Set-Cookie"]
    assert client.get("/", headers={**forwarded, "X-Forwarded-Host": "evil.example"}).status_code == 400


def test_behind_a_proxy_under_a_path_the_links_follow_the_prefix() -> None:
    client = behind_proxy()
    forwarded = {**PROXY, "X-Forwarded-Prefix": "/discharge"}
    page = client.get("/", headers=forwarded).text
    assert 'action="/discharge/preview"' in page and 'href="/discharge/static/serve.css"' in page


def test_without_behind_proxy_forwarded_headers_are_ignored() -> None:
    client = create_app(DEFAULT_SITE).test_client()
    spoofed = {"Host": "evil.example", "X-Forwarded-Host": "127.0.0.1:8800"}
    assert client.get("/", headers=spoofed).status_code == 400


def test_health_answers_without_patient_data(client: FlaskClient) -> None:
    response = get(client, "/health")
    assert response.status_code == 200 and response.text == "ok\n"


# --- printing through the private cupsd ---------------------------------------------------------------------
@pytest.fixture
def printing_client(cups: Queue) -> Iterator[FlaskClient]:
    yield create_app(DEFAULT_SITE, printer=cups.name).test_client()


def test_print_sends_the_pdf_and_shows_the_job_id(cups: Queue, printing_client: FlaskClient) -> None:
    response = post(printing_client, "/print", {**BASE_FIELDS, "copies": "2"})
    assert response.status_code == 200
    found = re.search(r"Printed on ward5: job (ward5-\d+)\.", response.text)
    assert found is not None
    [job] = cups.wait_for_jobs(1)
    assert found[1] == f"ward5-{job.job}"
    assert job.copies == 2 and job.title == "Discharge instructions"
    assert "Ana" not in job.title and "MRN" not in " ".join(job.argv)
    assert pages(job.data)[0].startswith("Patient: Ana Diaz")
    # The page stays the preview, with the copies chosen still chosen.
    assert 'name="copies" min="1" max="20" value="2"' in response.text


def test_print_with_the_chart_copy_prints_it_once_after(cups: Queue, printing_client: FlaskClient) -> None:
    response = post(printing_client, "/print", {**BASE_FIELDS, "copies": "3", "chart_copy": "yes"})
    assert response.status_code == 200
    assert re.search(r"Printed the chart copy on ward5: job ward5-\d+\.", response.text)
    document, chart = cups.wait_for_jobs(2)
    assert document.copies == 3 and chart.copies == 1
    assert chart.title == "Discharge instructions: chart copy"
    assert "Chart copy" in pdf_text(chart.data)
    assert 'id="f-chart_copy" name="chart_copy" value="yes" checked' in response.text


@pytest.mark.parametrize("copies", ["0", "21", "two"])
def test_bad_copies_are_an_error_beside_copies(
    cups: Queue, printing_client: FlaskClient, copies: str
) -> None:
    response = post(printing_client, "/print", {**BASE_FIELDS, "copies": copies})
    assert response.status_code == 422
    assert errors_by_field(response.text) == {"copies": "Copies must be 1 to 20"}
    assert cups.jobs() == []


def test_a_stopped_printer_is_a_message_on_the_preview(cups: Queue, printing_client: FlaskClient) -> None:
    cups.disable()
    response = post(printing_client, "/print", BASE_FIELDS)
    assert response.status_code == 503
    assert re.search(r'<p class="problem" role="alert">The printer ward5 is stopped', response.text)
    assert hidden_fields(response.text)["patient_name"] == "Ana Diaz"  # nothing lost: print again later


def test_print_of_an_invalid_post_prints_nothing(cups: Queue, printing_client: FlaskClient) -> None:
    response = post(printing_client, "/print", {**BASE_FIELDS, "overnight": "maybe"})
    assert response.status_code == 422 and "overnight" in errors_by_field(response.text)
    assert cups.jobs() == []


# --- the command line ------------------------------------------------------------------------------------------
def test_serve_help_names_every_option() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option in (
        "--host",
        "--port",
        "--site",
        "--printer",
        "--allowed-host",
        "--behind-proxy",
        "--threads",
    ):
        assert option in result.output
    assert "127.0.0.1" in result.output and "8800" in result.output


def test_a_bad_queue_name_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["serve", "--printer", "-bad"])
    assert result.exit_code == 2
    assert "Invalid value for --printer" in result.output and "Traceback" not in result.output


def test_a_non_loopback_host_warns_before_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    import waitress

    started: list[dict[str, Any]] = []

    class Server:
        def run(self) -> None:
            pass

    def create_server(app: Any, **options: Any) -> Server:
        started.append(options)
        return Server()

    monkeypatch.setattr(waitress, "create_server", create_server)
    # The fake server's run() returns at once, as waitress's does when Ctrl-C stops it.
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 130, result.output
    warning = [line for line in result.output.splitlines() if line.startswith("Warning:")]
    assert len(warning) == 1 and "TLS proxy and sign-on" in warning[0]
    assert started[0]["host"] == "0.0.0.0" and started[0]["port"] == 8800
    quiet = CliRunner().invoke(cli, ["serve"])
    assert quiet.exit_code == 130 and "Warning" not in quiet.output
    assert started[1]["host"] == "127.0.0.1"


@pytest.mark.parametrize(
    ("stop", "status", "line"),
    [(signal.SIGTERM, 143, "Stopped by SIGTERM."), (signal.SIGINT, 130, "Interrupted.")],
)
def test_the_server_stops_on_a_signal_with_its_exit_status(stop: int, status: int, line: str) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dischargegen", "serve", "--port", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for("the server to listen", lambda: _listening(port) or process.poll() is not None)
        process.send_signal(stop)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == status, stderr
    assert stderr.splitlines()[-1] == line


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_port_in_use_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith(f"Error: Cannot listen on 127.0.0.1:{port}")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("localhost", True), ("0.0.0.0", False),
     ("10.0.0.5", False), ("ward5.hospital.example", False)],
)  # fmt: skip
def test_loopback_is_told_apart(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_default_allowed_hosts() -> None:
    assert default_allowed_hosts("127.0.0.1", 9000) == ["127.0.0.1:9000", "localhost:9000", "[::1]:9000"]
    assert default_allowed_hosts("0.0.0.0", 80)[-1] == "[::1]:80"
    assert default_allowed_hosts("10.0.0.5", 8800)[-1] == "10.0.0.5:8800"
    assert default_allowed_hosts("fe80::1", 8800)[-1] == "[fe80::1]:8800"
