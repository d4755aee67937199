"""Turn a case and site settings into the document's content: template context, rendered blocks, labels.

This is where every "for N hours/days" of the brief becomes a calendar date, so templates only say
`{{ dates.activity_until | day }}`.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import asdict, dataclass
from typing import Any

import jinja2

from .case import Case
from .errors import ContentError
from .formatting import moment_after
from .levels import region
from .markup import Section, parse_document
from .site import Limits, SiteSettings
from .templating import cached_environment

DOCUMENT_TEMPLATE = "{language}/discharge.html"
MESSAGES_FILE = "{language}/messages.toml"
KG_PER_LB = 0.45359237
# Keys every language's messages.toml must define: the renderer draws these outside the templates.
MESSAGE_KEYS = (
    "title",
    "header_patient",
    "header_dob",
    "header_mrn",
    "footer_page",
    "footer_version",
)


@dataclass(frozen=True)
class RenderedContent:
    sections: list[Section]
    messages: dict[str, str]
    language: str


def build_context(case: Case, site: SiteSettings) -> dict[str, Any]:
    limits = site.limits
    start, clock = case.procedure_date, case.procedure_time
    days = dt.timedelta
    follow_up_from = start + days(days=limits.follow_up_days_min)
    follow_up_by = start + days(days=limits.follow_up_days_max)
    return {
        "patient": {"name": case.patient_name, "mrn": case.mrn, "dob": case.dob},
        "case": {
            "procedure": case.procedure,
            "anesthesia": case.anesthesia,
            "overnight": case.overnight,
            "cause": case.cause,
            "brace": case.brace,
            "levels": [{"label": label, "region": region(label)} for label in case.levels],
            "level_count": len(case.levels),
            "needle_sites_max": 2 * len(case.levels),
            "large_print": case.large_print,
            "language": case.language,
        },
        "site": {
            "institution": site.institution.name,
            "clinic_phone": site.institution.clinic_phone,
            "after_hours_phone": site.institution.after_hours_phone,
            "emergency_number": site.institution.emergency_number,
            "content_version": site.content.version,
            "last_reviewed": site.content.last_reviewed,
        },
        "limits": {
            **_limits_as_dict(limits),
            "driving_hours": site.driving_hours(case.anesthesia),
            "lifting_limit_kg": round(limits.lifting_limit_lb * KG_PER_LB, 1),
            "fever_c": round((limits.fever_f - 32) * 5 / 9, 1),
        },
        "dates": {
            "procedure": start,
            "procedure_time": clock,
            "discharge": case.discharge_date,
            "drive_after": moment_after(start, clock, site.driving_hours(case.anesthesia)),
            "adult_until": moment_after(start, clock, limits.adult_stay_hours),
            "shower_after": moment_after(start, clock, limits.keep_dry_hours),
            "activity_until": start + days(days=limits.activity_limit_days),
            "soak_until": start + days(days=limits.no_soaking_days),
            "follow_up": case.follow_up,
            "follow_up_from": follow_up_from,
            "follow_up_by": follow_up_by,
            "blood_thinner_restart": case.blood_thinner_restart,
        },
    }


@functools.lru_cache(maxsize=16)
def _limits_as_dict(limits: Limits) -> dict[str, Any]:
    # dataclasses.asdict deep-copies every value, for each document; the site's limits never change.
    return asdict(limits)


def load_messages(environment: jinja2.Environment, language: str) -> dict[str, str]:
    """The language's labels drawn outside the templates (header, footer, title), a copy of its own."""
    return dict(_remembered_messages(environment, language))


# Read and parsed once per environment, like the templates beside them (compiled once, never reloaded).
@functools.lru_cache(maxsize=16)
def _remembered_messages(environment: jinja2.Environment, language: str) -> dict[str, str]:
    name = MESSAGES_FILE.format(language=language)
    assert environment.loader is not None
    try:
        source, _, _ = environment.loader.get_source(environment, name)
        data = tomllib.loads(source)
    except jinja2.TemplateNotFound:
        raise ContentError(f"{name} is missing") from None
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"{name} is not valid TOML ({error})") from None
    missing = [key for key in MESSAGE_KEYS if not isinstance(data.get(key), str)]
    if missing:
        raise ContentError(f"{name} lacks the text keys: {', '.join(missing)}")
    return {key: str(value) for key, value in data.items()}


def render_content(case: Case, site: SiteSettings) -> RenderedContent:
    environment = cached_environment(site.content.templates_dir, case.language)
    html = render_html(case, site)
    return RenderedContent(parse_document(html), load_messages(environment, case.language), case.language)


def render_html(case: Case, site: SiteSettings) -> str:
    """The templates' output for one case, before it is parsed into blocks."""
    environment = cached_environment(site.content.templates_dir, case.language)
    name = DOCUMENT_TEMPLATE.format(language=case.language)
    try:
        return str(environment.get_template(name).render(build_context(case, site)))
    except jinja2.TemplateNotFound as error:
        raise ContentError(f"template {error.name} was not found") from None
    except UnicodeDecodeError:
        raise ContentError(f"a template used by {name} is not UTF-8 text") from None
    except jinja2.UndefinedError as error:
        raise ContentError(f"{name}: {error.message}") from None
    except jinja2.TemplateError as error:
        raise ContentError(f"{name}: {error}") from None
