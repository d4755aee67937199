"""Shared helpers: build a case from a few overrides, render it, and read the PDF back as a patient would."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest

from dischargegen import build_case, render_pdf
from dischargegen.site import DEFAULT_SITE, SiteSettings

REPO = Path(__file__).resolve().parent.parent

BASE_FIELDS: dict[str, str] = {
    "patient_name": "Ana Diaz",
    "mrn": "MRN-1001",
    "dob": "1944-05-06",
    "procedure": "kyphoplasty",
    "levels": "L1",
    "anesthesia": "local",
    "overnight": "no",
    # A Friday: weekday names in expected dates are easy to check by eye.
    "procedure_date": "2027-01-01",
}


def fields(**overrides: Any) -> dict[str, str | None]:
    merged: dict[str, str | None] = dict(BASE_FIELDS)
    merged.update({key: (None if value is None else str(value)) for key, value in overrides.items()})
    return merged


def pdf_text(pdf: bytes) -> str:
    """All page text, white space folded so that phrases match across line wraps."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def pages(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def render(site: SiteSettings = DEFAULT_SITE, **overrides: Any) -> bytes:
    return render_pdf(build_case(fields(**overrides)), site)


def render_text(site: SiteSettings = DEFAULT_SITE, **overrides: Any) -> str:
    return pdf_text(render(site, **overrides))


@pytest.fixture
def site_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
