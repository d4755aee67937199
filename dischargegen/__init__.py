"""dischargegen: personalised, plain-language discharge instructions after kyphoplasty or vertebroplasty.

from dischargegen import build_case, load_site, render_pdf
case = build_case({"patient_name": "Ana Diaz", "mrn": "A1", "dob": "1944-05-06", ...})
pdf_bytes = render_pdf(case, load_site())
"""

from __future__ import annotations

from ._version import __version__
from .case import Case, build_case
from .errors import ContentError, DischargeGenError, InputError, SiteSettingsError
from .render import render_chart_copy, render_fields, render_html, render_pdf
from .site import SiteSettings, load_site

__all__ = [
    "Case",
    "ContentError",
    "DischargeGenError",
    "InputError",
    "SiteSettings",
    "SiteSettingsError",
    "__version__",
    "build_case",
    "load_site",
    "render_chart_copy",
    "render_fields",
    "render_html",
    "render_pdf",
]
