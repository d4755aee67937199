"""The library's front door: a validated case plus site settings in, PDF bytes out."""

from __future__ import annotations

from collections.abc import Mapping

from reportlab.platypus.doctemplate import LayoutError

from .case import Case, build_case, check_case
from .content import RenderedContent, render_content
from .errors import ContentError, InputError, SiteSettingsError
from .logo import KEY as LOGO_KEY
from .logo import Logo
from .pdf import build_pdf_counted
from .pdf.fonts import describe_character, first_undrawable
from .site import SiteSettings, check_printed_text


def check_printable(case: Case, site: SiteSettings) -> None:
    """Refuse any character the document font cannot draw, naming where it came from."""
    for field in ("patient_name", "mrn"):
        char = first_undrawable(getattr(case, field))
        if char is not None:
            raise InputError(
                field, f"contains {describe_character(char)}, which the document font cannot print"
            )
    # load_site checks the site's printed text already; settings built in code are checked here.
    check_printed_text(site)


def _check_logo(site: SiteSettings) -> None:
    """Settings built in code may still hold the old API's path: only a checked Logo is drawn."""
    logo = site.document.logo
    if logo is not None and not isinstance(logo, Logo):
        raise SiteSettingsError(
            LOGO_KEY,
            "must be a dischargegen.logo.Logo (dischargegen.logo.read_logo(path) makes one), or None",
        )


def _check_content(content: RenderedContent) -> None:
    for section in content.sections:
        for block in section.all_blocks():
            texts = [block.text, *block.attributes.values()]
            for text in texts:
                char = first_undrawable(text)
                if char is not None:
                    raise ContentError(
                        f"the {content.language} templates contain {describe_character(char)}, which the font cannot print"
                    )


def render_pdf(case: Case, site: SiteSettings) -> bytes:
    """Render one patient's discharge instructions. Raises a DischargeGenError subclass for bad input."""
    return render_document(case, site)[0]


def render_document(case: Case, site: SiteSettings) -> tuple[bytes, int]:
    """As render_pdf, with the page count."""
    check_case(case)
    _check_logo(site)
    check_printable(case, site)
    try:
        content = render_content(case, site)
        _check_content(content)
        return build_pdf_counted(case, site, content)
    except OverflowError:
        # check_case keeps every date of the case at or before LATEST_DATE, which leaves room for the largest
        # count load_site allows (180 days). The one path still here: limits changed in code
        # (dataclasses.replace(site.limits, activity_limit_days=10**7)), which render_pdf does not check
        # against load_site's ranges, count past the calendar's end.
        raise SiteSettingsError(
            "limits", "a limit set in code counts past the end of the calendar; use load_site's ranges"
        ) from None
    except LayoutError:
        # Only a template can make a block taller than a page; ReportLab's message would quote it (with
        # patient data, possibly), so name the problem instead.
        raise ContentError(
            "a block of the templates is taller than a page; split it into shorter paragraphs or list items"
        ) from None


def render_fields(fields: Mapping[str, str | None], site: SiteSettings) -> tuple[Case, bytes]:
    """Validate raw text fields (a CSV row, command-line options) and render them."""
    case = build_case(fields)
    return case, render_pdf(case, site)
