"""Turn a case and site settings into the document's content: template context, rendered blocks, labels.

This is where every "for N hours/days" of the brief becomes a calendar date, so templates only say
`{{ dates.activity_until | day }}`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import jinja2

from ..case import Case
from ..errors import ContentError
from ..levels import region
from ..site import Limits, SiteSettings
from .blocks import Section
from .formatting import moment_after
from .markup import parse_document
from .templating import (
    TemplateFailure,
    cached_environment,
    default_templates_dir,
    render_bounded,
    reported_as_failure,
)

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
# The messages the renderer formats, with the only fields each may use and a value of each field's type
# (to try the message once, when it is read: a bad one fails there, not on some page of some document).
# "Page N of M" shares the footer's line with the institution and content version: kept short, it never
# needs more than half of it even in large print (pdf/page.py makes it smaller if it would).
FOOTER_PAGE_LIMIT = 30
MESSAGE_FIELDS: dict[str, dict[str, object]] = {
    "footer_page": {"page": 1, "pages": 12},
    "footer_version": {"version": "1.0", "reviewed": "January 2, 2027"},
}
MAX_SPEC_NUMBER = 99  # widths and precisions in a format spec: a footer needs no wider


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
            # A restart date says the patient takes a blood thinner, whatever the field says.
            "blood_thinner": True if case.blood_thinner_restart is not None else case.blood_thinner,
            "physical_therapy": case.physical_therapy,
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


def read_messages_file(environment: jinja2.Environment, language: str) -> tuple[dict[str, Any], str | None]:
    """A language's messages.toml as `environment` finds it (a site's copy before the shipped one): its
    keys and tables, and the file it came from. ContentError when it is missing or not TOML."""
    name = MESSAGES_FILE.format(language=language)
    assert environment.loader is not None
    try:
        source, filename, _ = environment.loader.get_source(environment, name)
        return tomllib.loads(source), filename
    except jinja2.TemplateNotFound:
        raise ContentError(f"{name} is missing") from None
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"{name} is not valid TOML ({error})") from None


# Read and parsed once per environment, like the templates beside them (compiled once, never reloaded).
@functools.lru_cache(maxsize=16)
def _remembered_messages(environment: jinja2.Environment, language: str) -> dict[str, str]:
    name = MESSAGES_FILE.format(language=language)
    data, filename = read_messages_file(environment, language)
    missing = [key for key in MESSAGE_KEYS if not isinstance(data.get(key), str)]
    if missing:
        raise ContentError(f"{name} lacks the text keys: {', '.join(missing)}")
    for key, fields in MESSAGE_FIELDS.items():
        problem = message_problem(data[key], fields)
        if problem is None and key == "footer_page":
            longest = data[key].format(page=999, pages=999)
            if len(longest) > FOOTER_PAGE_LIMIT:
                problem = f"is longer than {FOOTER_PAGE_LIMIT} characters with 3-digit page numbers"
        if problem is not None:
            raise TemplateFailure(f"{message_file_name(name, filename)}, key {key}: {problem}")
    # Tables ([review], [dates], [calendar]) are read by their own readers, not drawn.
    return {key: value for key, value in data.items() if isinstance(value, str)}


def message_file_name(name: str, filename: str | None) -> str:
    """Which messages file to edit: "site en/messages.toml" or "shipped en/messages.toml"."""
    shipped = default_templates_dir().resolve()
    is_shipped = filename is not None and Path(filename).resolve().is_relative_to(shipped)
    return f"{'shipped' if is_shipped else 'site'} {name}"


def message_problem(text: str, fields: dict[str, object]) -> str | None:
    """What is wrong with a message the renderer formats with `fields`, or None. Only the named fields, no
    attribute or index ({version.__class__} would print Python internals), no conversion, and a format
    spec no wider than MAX_SPEC_NUMBER (a width can make a text of any size)."""
    allowed = ", ".join(f"{{{field}}}" for field in fields)
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return f"a lone {{ or }}; write {{{{ or }}}} for a brace, and use only the fields {allowed}"
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in fields:
            return f"the field {{{field}}} is not allowed; use only the fields {allowed}"
        if conversion is not None:
            return f"the conversion !{conversion} is not allowed; use only the fields {allowed}"
        if spec and ("{" in spec or any(int(n) > MAX_SPEC_NUMBER for n in re.findall(r"\d+", spec))):
            return f"the format spec :{spec} is not allowed (nested, or wider than {MAX_SPEC_NUMBER})"
    try:
        text.format(**fields)
    except (ValueError, TypeError):
        return f"a format spec does not fit its field; use only the fields {allowed}"
    return None


def render_content(case: Case, site: SiteSettings) -> RenderedContent:
    environment = cached_environment(site.content.templates_dir, case.language)
    html = render_html(case, site)
    try:
        sections = parse_document(html)
    except ContentError as error:
        raise without_patient_values(error, case) from None
    return RenderedContent(sections, load_messages(environment, case.language), case.language)


def patient_values(case: Case) -> list[str]:
    """What an error message must never show: each word of the name, the MRN, the date of birth."""
    words = [*case.patient_name.split(), case.mrn, case.dob.isoformat(), str(case.dob.year)]
    return [word for word in words if len(word) >= 2]


def without_patient_values(error: ContentError, case: Case) -> ContentError:
    """The error, or one without its details when they would show a patient value. A markup error quotes
    the template's output (a tag, a class), and a site template can put a variable there."""
    message = str(error).casefold()
    if not any(value.casefold() in message for value in patient_values(case)):
        return error
    line = str(error).split(":", 1)[0] if str(error).startswith("template output line") else "template output"
    return ContentError(
        f"{line}: markup outside the documented subset (details withheld: they hold patient data)"
    )


def render_html(case: Case, site: SiteSettings) -> str:
    """The templates' output for one case, before it is parsed into blocks. Raises TemplateFailure, naming
    the template file and line, for any error in the templates, or for a template that does too much."""
    environment = cached_environment(site.content.templates_dir, case.language)
    name = DOCUMENT_TEMPLATE.format(language=case.language)
    # Built outside the template's report: a date past the calendar's end is the case's problem, not the
    # template's (render_document turns it into an InputError on the procedure date).
    context = build_context(case, site)
    with reported_as_failure(name, site.content.templates_dir):
        return render_bounded(environment.get_template(name), context)
