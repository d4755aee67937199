"""The library's front door: a validated case plus site settings in, PDF bytes out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from reportlab.platypus.doctemplate import LayoutError

from .barcode import payload_for
from .case import Case, build_case, check_case
from .content import RenderedContent, render_content
from .content.teach_back import teach_back_card
from .errors import ContentError, InputError, SiteSettingsError
from .html import build_html
from .logo import KEY as LOGO_KEY
from .logo import Logo
from .pdf import build_pdf_counted
from .pdf.chart import build_chart_copy
from .pdf.fonts import describe_character, first_undrawable
from .site import SiteSettings, check_enabled_languages, check_printed_text

Built = TypeVar("Built")


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


def check_language_enabled(case: Case, site: SiteSettings) -> None:
    """Refuse a language the site has not enabled (after its own review): one line naming the setting."""
    enabled = site.content.enabled_languages
    if case.language not in enabled:
        check_enabled_languages(enabled)  # settings built in code: a bad list is named first
        raise InputError(
            "language",
            f"{case.language} is not enabled for this site; enabled: {', '.join(enabled)}. A site adds a"
            " language to [content] enabled_languages once its qualified medical translator has reviewed it",
        )


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
    _check_inputs(case, site)
    return _reported(lambda: build_pdf_counted(case, site, _checked_content(case, site)))


def render_chart_copy(case: Case, site: SiteSettings) -> bytes:
    """The chart copy of one patient's document: its signature page (checklist and receipt) as the
    document prints it, marked "Chart copy" in the header, then on the next page the nurse's teach-back
    card (English; the expected answers are the document's own marked sentences). The same checks as
    render_pdf: a DischargeGenError subclass for bad input; ContentError for a card outside four to six
    questions or longer than one page."""
    _check_inputs(case, site)

    def build() -> bytes:
        content = _checked_content(case, site)
        card = teach_back_card(case, site, content)
        _check_content(card.as_content())
        return build_chart_copy(case, site, content, card)

    return _reported(build)


def _check_inputs(case: Case, site: SiteSettings) -> None:
    check_case(case)
    check_language_enabled(case, site)
    _check_logo(site)
    check_printable(case, site)


def _checked_content(case: Case, site: SiteSettings) -> RenderedContent:
    content = render_content(case, site)
    _check_content(content)
    return content


def _reported(build: Callable[[], Built]) -> Built:
    """`build()`, with errors from deep in rendering turned into the library's own, never quoting a value."""
    try:
        return build()
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


def render_html(case: Case, site: SiteSettings) -> bytes:
    """One patient's discharge instructions as one self-contained HTML page (UTF-8): the same content as
    render_pdf, for a patient portal and screen readers. The same checks: a DischargeGenError subclass for
    bad input."""
    _check_inputs(case, site)
    return _reported(lambda: build_html(case, site, _checked_content(case, site), payload_for(case, site)))


def render_document_and_html(case: Case, site: SiteSettings) -> tuple[bytes, int, bytes]:
    """As render_document, with the HTML rendition made from the same rendered content (batch
    --also-html): the templates run once for both."""
    _check_inputs(case, site)

    def build() -> tuple[bytes, int, bytes]:
        content = _checked_content(case, site)
        pdf, pages = build_pdf_counted(case, site, content)
        return pdf, pages, build_html(case, site, content, payload_for(case, site))

    return _reported(build)
