"""The scan-back code's payload: what the QR code on the signature page carries (docs/scan-back.md).

`[barcode] payload` is a template of placeholders and separators, checked once when the settings load
(`check_barcode`, from site.py); `payload_for` fills it for one document. The code carries the minimum a
document-imaging system needs to file the signed page: the MRN, a document type code and a date. There is no
placeholder for the patient's name or date of birth: the code is read by any phone, on a page that leaves
the hospital, and the imaging system finds the patient from the MRN.

A value is data, never part of the format: in a value, '%', every separator the payload uses and every
character outside printable ASCII are written as %XX (the UTF-8 bytes, as in a URL), so the payload always
splits into the same fields and is printable ASCII whatever the MRN holds.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .case import MAX_MRN_LENGTH
from .errors import InputError, SiteSettingsError

if TYPE_CHECKING:
    from .case import Case
    from .site import SiteSettings

PAYLOAD_KEY = "barcode.payload"
DOCUMENT_TYPE_KEY = "barcode.document_type"

# What each placeholder is filled with; dates are ISO (2027-01-01).
PLACEHOLDERS = ("mrn", "document_type", "procedure_date", "discharge_date", "language", "content_version")
# Refused with a reason rather than as unknown: the code never carries them (see the module docstring).
NOT_OFFERED = ("patient_name", "name", "dob", "date_of_birth")
# Characters that may separate the fields. Not '-', '_', '.' or a space: dates, document types, content
# versions and MRNs hold those, and a separator must never be part of a value.
SEPARATORS = "|^~;,:/+*#=!"
# Other text the payload may hold around its placeholders (a fixed prefix such as "DC-").
_LITERAL = re.compile(r"[A-Za-z0-9._-]*")
# Document type codes as imaging systems accept them: ASCII letters, digits, '-', '_' and '.'.
DOCUMENT_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MAX_DOCUMENT_TYPE = 40

# The QR code is one inch wide at most 41 x 41 modules (version 6) with error correction M, so a module is
# never smaller than 0.0244 inch (about 5 pixels of a 200 dpi scan): that holds 106 bytes. The payload is
# printable ASCII, one byte a character.
MAX_PAYLOAD = 106
LONGEST_MRN = MAX_MRN_LENGTH  # the load-time check fills {mrn} with this many characters
_SAMPLE_DATE = "2026-11-20"


@dataclass(frozen=True)
class PayloadFormat:
    """A checked payload template: literal text and placeholder names, in order."""

    parts: tuple[tuple[str, str | None], ...]  # (literal text before, placeholder or None at the end)
    separators: frozenset[str]

    def fill(self, values: dict[str, str]) -> str:
        out: list[str] = []
        for literal, name in self.parts:
            out.append(literal)
            if name is not None:
                out.append(escape_value(values[name], self.separators))
        return "".join(out)


def escape_value(value: str, separators: frozenset[str]) -> str:
    """`value` with '%', the separators and every character outside printable ASCII as %XX (UTF-8)."""
    out: list[str] = []
    for char in value:
        if char == "%" or char in separators or not " " <= char <= "~":
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
        else:
            out.append(char)
    return "".join(out)


def _allowed() -> str:
    return ", ".join("{" + name + "}" for name in PLACEHOLDERS)


@functools.lru_cache(maxsize=16)
def parse_payload(payload: str) -> PayloadFormat:
    """The payload template checked: known placeholders, no format specs, {mrn} present, every two
    placeholders apart by a separator, only allowed literal text. Raises SiteSettingsError naming the key."""
    if not payload.strip():
        raise SiteSettingsError(PAYLOAD_KEY, f"must not be empty; use placeholders such as {_allowed()}")
    try:
        pieces = list(string.Formatter().parse(payload))
    except ValueError:
        raise SiteSettingsError(
            PAYLOAD_KEY, "has an unmatched '{' or '}'; write each placeholder as {name}, for example {mrn}"
        ) from None
    parts: list[tuple[str, str | None]] = []
    for literal, name, spec, conversion in pieces:
        for char in literal:
            if char not in SEPARATORS and not _LITERAL.fullmatch(char):
                raise SiteSettingsError(
                    PAYLOAD_KEY,
                    f"may hold only placeholders, ASCII letters, digits, '-', '_', '.' and the separators "
                    f"{' '.join(SEPARATORS)}; it contains {_describe(char)}",
                )
        if name is None:
            parts.append((literal, None))
            continue
        if name in NOT_OFFERED:
            raise SiteSettingsError(
                PAYLOAD_KEY,
                f"{{{name}}} is not offered: the code never carries the patient's name or date of birth "
                f"(docs/scan-back.md); use {_allowed()}",
            )
        if name not in PLACEHOLDERS:
            raise SiteSettingsError(PAYLOAD_KEY, f"unknown placeholder {{{name[:30]}}}; use {_allowed()}")
        if spec or conversion:
            raise SiteSettingsError(
                PAYLOAD_KEY, f"placeholders take no format or conversion: write {{{name}}}"
            )
        if parts and parts[-1][1] is not None and not any(char in SEPARATORS for char in literal):
            raise SiteSettingsError(
                PAYLOAD_KEY,
                f"{{{parts[-1][1]}}} and {{{name}}} must be kept apart by a separator, one of "
                f"{' '.join(SEPARATORS)}, so the imaging system can tell the fields apart",
            )
        parts.append((literal, name))
    if not any(name == "mrn" for _, name in parts):
        raise SiteSettingsError(
            PAYLOAD_KEY, "must hold {mrn}: the imaging system files the scanned page by the MRN"
        )
    separators = frozenset(char for literal, _ in parts for char in literal if char in SEPARATORS)
    return PayloadFormat(tuple(parts), separators)


def _describe(char: str) -> str:
    return f"'{char}'" if " " < char <= "~" else f"U+{ord(char):04X}"


def check_document_type(document_type: str) -> None:
    if len(document_type) > MAX_DOCUMENT_TYPE or not DOCUMENT_TYPE.fullmatch(document_type):
        raise SiteSettingsError(
            DOCUMENT_TYPE_KEY,
            f"must be 1 to {MAX_DOCUMENT_TYPE} ASCII letters, digits, '-', '_' or '.', starting with a letter "
            "or digit (the characters document-imaging systems accept in a document type code)",
        )


@functools.lru_cache(maxsize=16)
def _checked(payload: str, document_type: str, content_version: str) -> PayloadFormat:
    check_document_type(document_type)
    form = parse_payload(payload)
    longest = form.fill(
        {
            "mrn": "M" * LONGEST_MRN,
            "document_type": document_type,
            "procedure_date": _SAMPLE_DATE,
            "discharge_date": _SAMPLE_DATE,
            "language": "es",
            "content_version": content_version,
        }
    )
    if len(longest) > MAX_PAYLOAD:
        raise SiteSettingsError(
            PAYLOAD_KEY,
            f"is too long for a scannable code: with a {LONGEST_MRN}-character MRN it makes {len(longest)} "
            f"characters, and a one-inch QR code holds at most {MAX_PAYLOAD}; leave out a placeholder or "
            "shorten the text around them",
        )
    return form


def check_barcode(site: SiteSettings) -> None:
    """The [barcode] settings checked, whether or not the code is enabled (a typo must not wait until
    someone enables it). Cached: a batch checks once."""
    _checked(site.barcode.payload, site.barcode.document_type, site.content.version)


def payload_for(case: Case, site: SiteSettings) -> str | None:
    """The payload for this document, or None when the site prints no code. An MRN whose escaped form
    makes the payload longer than a scannable code holds is an InputError naming the field."""
    settings = site.barcode
    if not settings.enabled:
        return None
    form = _checked(settings.payload, settings.document_type, site.content.version)
    payload = form.fill(
        {
            "mrn": case.mrn,
            "document_type": settings.document_type,
            "procedure_date": case.procedure_date.isoformat(),
            "discharge_date": case.discharge_date.isoformat(),
            "language": case.language,
            "content_version": site.content.version,
        }
    )
    if len(payload) > MAX_PAYLOAD:
        raise InputError(
            "mrn",
            f"is too long for the scan-back code once its special characters are written as %XX "
            f"(docs/scan-back.md): the code holds {MAX_PAYLOAD} characters",
        )
    return payload
