"""Site settings: one hospital's phone numbers, clinical numbers, content version, paper and overrides.

A TOML file with one table per dataclass below. The defaults here make the command work with no file;
`samples/site.toml` documents every key (a test keeps the two in step). Unknown keys and bad values raise
`SiteSettingsError` naming the key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import barcode, vocab
from .errors import SiteSettingsError
from .logo import Logo, read_logo

ENVIRONMENT_VARIABLE = "DISCHARGEGEN_SITE"
# A CUPS queue name: printable characters other than space, tab, slash, backslash, '#' and quotes (CUPS's rule,
# narrowed to what hospitals use, so a name is never an option or a path to `lp`).
QUEUE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]*")


def _bounded(low: float, high: float) -> dict[str, Any]:
    return {"range": (low, high)}


def _printed(max_length: int) -> dict[str, Any]:
    """Text printed on every document: one line, at most `max_length` characters, every character one the
    document font can draw (checked when the settings load, so a batch fails before its first row)."""
    return {"max_length": max_length, "printed": True}


# Long enough for any real value, short enough that the page footer and the document body stay readable.
MAX_INSTITUTION_NAME = 100
MAX_PHONE = 40
MAX_EMERGENCY_NUMBER = 20
MAX_CONTENT_VERSION = 40


@dataclass(frozen=True)
class Institution:
    # No default name: any default would be in one language, and the footer is printed in the patient's.
    name: str | None = field(default=None, metadata=_printed(MAX_INSTITUTION_NAME))
    # No default phone numbers: a made-up number on a patient sheet is worse than a blank line to fill in.
    clinic_phone: str | None = field(default=None, metadata=_printed(MAX_PHONE))
    after_hours_phone: str | None = field(default=None, metadata=_printed(MAX_PHONE))
    emergency_number: str = field(default="911", metadata=_printed(MAX_EMERGENCY_NUMBER))


@dataclass(frozen=True)
class Limits:
    driving_hours_local: int = field(default=24, metadata=_bounded(0, 24 * 90))
    driving_hours_sedation: int = field(default=24, metadata=_bounded(12, 24 * 90))
    driving_hours_general: int = field(default=48, metadata=_bounded(24, 24 * 90))
    adult_stay_hours: int = field(default=24, metadata=_bounded(12, 72))
    lifting_limit_lb: int = field(default=10, metadata=_bounded(2, 25))
    activity_limit_days: int = field(default=42, metadata=_bounded(7, 180))
    keep_dry_hours: int = field(default=48, metadata=_bounded(12, 96))
    no_soaking_days: int = field(default=14, metadata=_bounded(3, 90))
    ice_minutes: int = field(default=20, metadata=_bounded(5, 30))
    fever_f: float = field(default=100.4, metadata=_bounded(99.5, 102.2))
    bleeding_pressure_minutes: int = field(default=10, metadata=_bounded(5, 30))
    follow_up_days_min: int = field(default=10, metadata=_bounded(1, 90))
    follow_up_days_max: int = field(default=14, metadata=_bounded(1, 90))


@dataclass(frozen=True)
class Content:
    version: str = field(default="2026.11-1", metadata=_printed(MAX_CONTENT_VERSION))
    last_reviewed: dt.date = dt.date(2026, 11, 20)
    templates_dir: Path | None = None
    # The languages this site renders: a language is enabled after the site's own qualified medical
    # translator has reviewed it (docs/languages.md). English is always among them: batch rows in a
    # language not enabled fall back to it.
    enabled_languages: tuple[str, ...] = vocab.DEFAULT_ENABLED_LANGUAGES
    forbidden_abbreviations: tuple[str, ...] = (
        "PO", "BID", "TID", "QID", "PRN", "QD", "QHS", "HS", "NPO", "VCF", "PMMA", "ROM", "ADL",
        "NSAID", "OTC", "TLSO", "SOB", "N/V", "w/", "w/o", "d/c", "q4h", "q6h", "q8h",
    )  # fmt: skip


@dataclass(frozen=True)
class Document:
    paper: str = field(default="letter", metadata={"choices": ("letter", "a4")})
    logo: Logo | None = None  # checked and prepared when the settings load (see logo.py)


@dataclass(frozen=True)
class Batch:
    file_name_pattern: str = "{mrn}_{procedure_date}.pdf"


@dataclass(frozen=True)
class Csv:
    encoding: str | None = None
    # Canonical column name -> the export's header, for exports with their own names.
    columns: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Fhir:
    mrn_system: str | None = None
    # "system|code" -> local, sedation or general.
    anesthesia_codes: Mapping[str, str] = field(default_factory=dict)
    # "system|code" -> kyphoplasty or vertebroplasty: Procedure.code values (SNOMED CT, local) that qualify
    # besides the built-in CPT codes 22510-22515.
    procedure_codes: Mapping[str, str] = field(default_factory=dict)


# Bounds the wait for the print server, so an unreachable one is an error and never a hang.
MAX_PRINT_TIMEOUT = 300


@dataclass(frozen=True)
class Printing:
    """Defaults for --print; the command's options win. No printer: CUPS's default queue (PRINTER, LPDEST,
    lpoptions, then the server's default), resolved by `lp` itself."""

    printer: str | None = field(default=None, metadata={"max_length": 127, "queue": True})
    copies: int = field(default=1, metadata=_bounded(1, 20))
    duplex: bool | None = None  # None: the queue's own default; True two-sided, False one-sided
    chart_copy: bool = False
    timeout_seconds: int = field(default=30, metadata=_bounded(5, MAX_PRINT_TIMEOUT))


@dataclass(frozen=True)
class Barcode:
    """The scan-back code on the signature page. The payload's placeholders are checked when the settings
    load (see barcode.py)."""

    enabled: bool = True
    payload: str = "{mrn}|{document_type}|{procedure_date}"
    document_type: str = field(default="SPINE-DC", metadata={"max_length": 40})


@dataclass(frozen=True)
class Pdf:
    """How PDFs are written. `tagged`: with a structure tree for screen readers (PDF/UA-1, see
    docs/accessibility.md), for a site that sends its documents to a portal; off by default (it costs a
    sixth more work and some 17 KB a document, which only a portal's readers use); render and batch
    --tagged/--no-tagged win."""

    tagged: bool = False


@dataclass(frozen=True)
class SiteSettings:
    institution: Institution = field(default_factory=Institution)
    limits: Limits = field(default_factory=Limits)
    content: Content = field(default_factory=Content)
    document: Document = field(default_factory=Document)
    batch: Batch = field(default_factory=Batch)
    csv: Csv = field(default_factory=Csv)
    fhir: Fhir = field(default_factory=Fhir)
    printing: Printing = field(default_factory=Printing)
    barcode: Barcode = field(default_factory=Barcode)
    pdf: Pdf = field(default_factory=Pdf)
    source: Path | None = None  # the file these came from, for messages; not a TOML key

    def driving_hours(self, anesthesia: str) -> int:
        return int(getattr(self.limits, f"driving_hours_{anesthesia}"))


DEFAULT_SITE = SiteSettings()
_SECTIONS = [f for f in dataclasses.fields(SiteSettings) if f.name != "source"]
_SECTION_NAMES = {Institution: "institution", Content: "content"}


def _convert(key: str, value: Any, hint: Any, meta: Mapping[str, Any], base: Path) -> Any:
    """Check one TOML value against the dataclass field's type hint; return the converted value."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        (hint,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        origin = typing.get_origin(hint)
    if hint is bool:
        if not isinstance(value, bool):
            raise SiteSettingsError(key, "must be true or false (TOML booleans, no quotes)")
        return value
    if hint is str:
        if not isinstance(value, str) or not value.strip():
            raise SiteSettingsError(key, "must be a non-empty string")
        if "max_length" in meta and not meta.get("printed") and len(value.strip()) > meta["max_length"]:
            raise SiteSettingsError(key, f"must be at most {meta['max_length']} characters")
        if meta.get("queue") and not QUEUE_NAME.fullmatch(value.strip()):
            raise SiteSettingsError(
                key,
                "must be a CUPS queue name: letters, digits, '-', '_' and '.' (as `lpstat -p` lists them)",
            )
        if "choices" in meta and value.lower() not in meta["choices"]:
            raise SiteSettingsError(key, f"must be one of: {', '.join(meta['choices'])}")
        if meta.get("printed"):
            _check_printed(key, value.strip(), meta["max_length"])
        return value.lower() if "choices" in meta else value.strip()
    if hint is int or hint is float:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (hint is int and not isinstance(value, int))
        ):
            raise SiteSettingsError(key, "must be a whole number" if hint is int else "must be a number")
        low, high = meta.get("range", (float("-inf"), float("inf")))
        if not low <= value <= high:
            raise SiteSettingsError(key, f"must be between {low:g} and {high:g}")
        return hint(value)
    if hint is dt.date:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise SiteSettingsError(key, "must be a TOML date such as 2026-11-20 (no quotes)")
        return value
    if hint is Path or hint is Logo:
        if not isinstance(value, str) or not value.strip():
            raise SiteSettingsError(
                key, "must be a path (relative paths are read from the settings file's folder)"
            )
        path = Path(value).expanduser()
        path = path if path.is_absolute() else base / path
        # The logo is read, checked and scaled here, once for the run, not for every document.
        return read_logo(path) if hint is Logo else path
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise SiteSettingsError(key, "must be a list of non-empty strings")
        return tuple(item.strip() for item in value)
    if origin in (Mapping, dict):
        if not isinstance(value, dict) or not all(isinstance(v, str) and v.strip() for v in value.values()):
            raise SiteSettingsError(key, "must be a table of strings")
        return {str(k): v.strip() for k, v in value.items()}
    raise AssertionError(f"no converter for {hint!r}")  # a programming error, not a user one


def check_printed_text(site: SiteSettings) -> None:
    """Check every site text printed on the documents (length, one line, characters the font can draw).
    load_site does it key by key; render_pdf does it again for settings built in code."""
    for section in (site.institution, site.content):
        for item in dataclasses.fields(section):
            value = getattr(section, item.name)
            if item.metadata.get("printed") and value is not None:
                _check_printed(
                    f"{_SECTION_NAMES[type(section)]}.{item.name}", value, item.metadata["max_length"]
                )


# A batch renders with the same settings for every row: a text once found good is not checked again.
@functools.lru_cache(maxsize=64)
def _check_printed(key: str, text: str, max_length: int) -> None:
    import unicodedata

    from .pdf.fonts import describe_character, first_undrawable

    if len(text) > max_length:
        raise SiteSettingsError(key, f"must be at most {max_length} characters")
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise SiteSettingsError(
                key, f"must be one line of text without control characters (it contains U+{ord(char):04X})"
            )
    undrawable = first_undrawable(text)
    if undrawable is not None:
        raise SiteSettingsError(
            key, f"contains {describe_character(undrawable)}, which the font cannot print"
        )


def _section(name: str, cls: type[Any], table: Any, base: Path) -> Any:
    if not isinstance(table, dict):
        raise SiteSettingsError(name, "must be a table ([" + name + "])")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in fields:
            raise SiteSettingsError(
                f"{name}.{key}", f"is not a known setting; [{name}] takes: {', '.join(fields)}"
            )
        values[key] = _convert(f"{name}.{key}", value, hints[key], fields[key].metadata, base)
    return cls(**values)


def parse_site(data: Mapping[str, Any], base: Path, source: Path | None = None) -> SiteSettings:
    sections = {f.name: f for f in _SECTIONS}
    hints = typing.get_type_hints(SiteSettings)
    values: dict[str, Any] = {}
    for name, table in data.items():
        if name not in sections:
            raise SiteSettingsError(name, f"is not a known section; sections are: {', '.join(sections)}")
        values[name] = _section(name, hints[name], table, base)
    site = SiteSettings(**values, source=source)
    _check_consistency(site)
    return site


def _check_consistency(site: SiteSettings) -> None:
    limits = site.limits
    if limits.follow_up_days_min > limits.follow_up_days_max:
        raise SiteSettingsError(
            "limits.follow_up_days_min", "must not be larger than limits.follow_up_days_max"
        )
    folder = site.content.templates_dir
    if folder is not None and not folder.is_dir():
        raise SiteSettingsError("content.templates_dir", f"no folder at {folder}")
    check_enabled_languages(site.content.enabled_languages)
    _check_code_table("fhir.anesthesia_codes", site.fhir.anesthesia_codes, vocab.ANESTHESIA)
    _check_code_table("fhir.procedure_codes", site.fhir.procedure_codes, vocab.PROCEDURES)
    barcode.check_barcode(site)


ENABLED_LANGUAGES_KEY = "content.enabled_languages"


def check_enabled_languages(codes: tuple[str, ...]) -> None:
    """Known codes only, English among them (load_site calls it; render checks settings built in code)."""
    for code in codes:
        if code not in vocab.LANGUAGES:
            raise SiteSettingsError(
                ENABLED_LANGUAGES_KEY, f"must list language codes from: {', '.join(vocab.LANGUAGES)}"
            )
    if "en" not in codes:
        raise SiteSettingsError(
            ENABLED_LANGUAGES_KEY, 'must include "en" (rows in a language not enabled fall back to it)'
        )


def _check_code_table(key: str, table: Mapping[str, str], allowed: tuple[str, ...]) -> None:
    """A FHIR code table maps "system|code" to one of a closed set of values; a typo must not pass."""
    for code, value in table.items():
        system, bar, local = code.partition("|")
        if not bar or not system.strip() or not local.strip():
            raise SiteSettingsError(f"{key}.{code}", 'keys are written "system|code"')
        if value.lower() not in allowed:
            raise SiteSettingsError(f"{key}.{code}", f"must be one of: {', '.join(allowed)}")


def load_site(path: str | os.PathLike[str] | None = None) -> SiteSettings:
    """Read site settings from `path`, else from $DISCHARGEGEN_SITE, else return the shipped defaults."""
    if path is None:
        path = os.environ.get(ENVIRONMENT_VARIABLE) or None
    if path is None:
        return DEFAULT_SITE
    file = Path(path)
    try:
        with file.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise SiteSettingsError("file", f"no settings file at {file}") from None
    except OSError as error:
        raise SiteSettingsError("file", f"cannot read {file}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise SiteSettingsError("file", f"{file} is not valid TOML ({error})") from None
    return parse_site(data, file.resolve().parent, source=file)
