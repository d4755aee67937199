"""`dischargegen serve` end to end (issue 16): the real command (waitress) on a free loopback port, Debian's
Chromium driven by Playwright as a nurse would use it (fill the form, see an error beside its field and
fix it, preview, print), the private cupsd (the `cups` fixture) receiving the PDF, axe-core on the form and
on the preview, no Content-Security-Policy violation and no request anywhere but the server.

Chromium, Playwright and axe-core come from where tests/test_html_browser.py finds them (never downloaded);
where one is missing the tests skip, naming it, and with CI set they fail instead.
$DISCHARGEGEN_SCREENSHOTS: a folder to keep the screenshots in, to look at them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Queue, pages, run_axe, server_page, serving

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

# Rules that must have run and passed on the form: a check that finds nothing to check proves nothing.
FORM_MUST_PASS = {"label", "html-has-lang", "document-title", "color-contrast", "region", "landmark-one-main"}


@pytest.fixture
def server(cups: Queue, tmp_path: Path) -> Iterator[str]:
    """`dischargegen serve` printing on the private cupsd's ward5, on a free loopback port; its URL.
    Its output (the access log) is kept in serve.log to check that no value reached it."""
    with serving(tmp_path / "serve.log", "--printer", cups.name) as (url, process):
        yield url
    assert process.returncode == 143  # SIGTERM: stopped cleanly, as the other commands stop


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    with server_page(browser, server) as (opened, outside, problems):
        opened.goto(server)
        yield opened
    assert outside == []  # nothing was asked of anywhere but the server
    # A style or script the Content-Security-Policy blocked would show here. The form sent back with its
    # errors is status 422, which Chromium notes too: that one is expected.
    expected = "Failed to load resource: the server responded with a status of 422 (UNPROCESSABLE ENTITY)"
    assert [problem for problem in problems if problem != expected] == []


def keep_screenshot(page: Any, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DISCHARGEGEN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20_000
    return path


def axe_violations(page: Any) -> tuple[list[str], set[str]]:
    violations, passed, _ = run_axe(page)
    return violations, passed


def fill_the_form(page: Any, levels: str) -> None:
    """As a nurse would: by the labels a screen reader reads, with the native inputs."""
    page.get_by_label("Patient name").fill("Ana <i>Diaz</i>")
    page.get_by_label("Medical record number (MRN)").fill("MRN-1001")
    page.get_by_label("Date of birth").fill("1944-05-06")
    page.get_by_label("Kyphoplasty").check()
    page.get_by_label("Levels treated").fill(levels)
    page.get_by_label("Sedation").check()
    page.get_by_label("Procedure date").fill("2027-01-01")
    page.get_by_label("Time the procedure ended").fill("10:30")
    page.get_by_label("Went home the same day").check()
    page.get_by_label("Cause of the fracture").select_option("osteoporosis")
    page.get_by_label("Follow-up appointment").fill("2027-01-12T14:30")
    page.get_by_role("group", name="Back brace prescribed").get_by_label("Yes").check()


def test_a_nurse_fills_the_form_fixes_an_error_previews_and_prints(
    page: Any, cups: Queue, server: str, tmp_path: Path
) -> None:
    fill_the_form(page, levels="L6")
    keep_screenshot(page, "serve-form.png", tmp_path)
    violations, passed = axe_violations(page)
    assert violations == []
    assert passed >= FORM_MUST_PASS, FORM_MUST_PASS - passed

    page.get_by_role("button", name="Preview the document").click()
    # The error, beside the field, in the library's words; what she typed is still there.
    error = page.locator("#e-levels")
    assert "Levels treated 'L6' is not a vertebra this tool treats" in error.inner_text()
    assert page.get_by_label("Levels treated").input_value() == "L6"
    assert page.get_by_label("Patient name").input_value() == "Ana <i>Diaz</i>"
    assert page.get_by_label("Sedation").is_checked()
    keep_screenshot(page, "serve-form-error.png", tmp_path)
    violations, _ = axe_violations(page)
    assert violations == []

    page.get_by_label("Levels treated").fill("T12,L1")
    page.get_by_role("button", name="Preview the document").click()
    # The preview: the document as the patient gets it, styled (its style sheet and its pictures' style
    # attributes were allowed by the policy; a blocked one would be a console error).
    assert page.locator(".document header.patient").inner_text().startswith("Patient: Ana <i>Diaz</i>")
    assert page.locator(".document section.emergency h2").evaluate("h => getComputedStyle(h).color") == (
        "rgb(255, 255, 255)"
    )
    figure = page.locator(".document figure").first
    assert figure.evaluate("f => f.style.width").endswith("em")
    keep_screenshot(page, "serve-preview.png", tmp_path)
    violations, _ = axe_violations(page)
    assert violations == []

    page.get_by_label("Copies").fill("2")
    page.get_by_role("button", name="Print on ward5").click()
    status = page.get_by_role("status").inner_text()
    [job] = cups.wait_for_jobs(1)
    assert f"Printed on ward5: job ward5-{job.job}." in status
    assert job.copies == 2
    printed = pages(job.data)
    assert printed[0].startswith("Patient: Ana <i>Diaz</i>")
    assert "T12" in " ".join(printed) and "L1" in " ".join(printed)

    # The log of the server holds routes and statuses, never a value.
    log = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "POST /preview 422" in log and "POST /preview 200" in log and "POST /print 200" in log
    for value in ("Ana", "Diaz", "MRN-1001", "1944-05-06", "L6", "T12"):
        assert value not in log


def test_download_gives_the_pdf_with_a_neutral_name(page: Any, tmp_path: Path) -> None:
    fill_the_form(page, levels="L1")
    page.get_by_role("button", name="Preview the document").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == "discharge-instructions.pdf"
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert pages(saved.read_bytes())[0].startswith("Patient: Ana <i>Diaz</i>")
    # Back to the form with every value kept, to change one.
    page.get_by_role("button", name="Change the details").click()
    assert page.get_by_label("Medical record number (MRN)").input_value() == "MRN-1001"
    assert page.get_by_label("Follow-up appointment").input_value() == "2027-01-12T14:30"


def test_the_form_works_without_script(browser: Any, server: str) -> None:
    # Scripts off, as on a locked-down workstation: the form, its errors and the preview still work.
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server)
        fill_the_form(page, levels="T12-L5x")
        page.get_by_role("button", name="Preview the document").click()
        assert page.locator("#e-levels").is_visible()
        page.get_by_label("Levels treated").fill("T12-L1")
        page.get_by_role("button", name="Preview the document").click()
        assert page.locator(".document h1").inner_text() == "Going home after your kyphoplasty"
    finally:
        context.close()
