"""Careful reading of plain FHIR JSON: every element is checked for its JSON type before use.

Exports are not always valid FHIR; a wrong type is treated as the element being absent, so the record
then fails with a message about what is missing instead of a crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

JsonObject = dict[str, Any]


def as_object(value: object) -> JsonObject:
    return value if isinstance(value, dict) else {}


def as_objects(value: object) -> list[JsonObject]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def as_text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def codings(concept: object) -> list[JsonObject]:
    """The codings of a CodeableConcept."""
    return as_objects(as_object(concept).get("coding"))


def system_code(coding: JsonObject) -> tuple[str | None, str | None]:
    return as_text(coding.get("system")), as_text(coding.get("code"))


def concept_texts(concept: object) -> list[str]:
    """A CodeableConcept's text, then each coding's display: the human-readable forms, best first."""
    texts = [as_text(as_object(concept).get("text"))]
    texts += [as_text(coding.get("display")) for coding in codings(concept)]
    return [text for text in texts if text]


def reference(value: object) -> str | None:
    """Reference.reference: "Patient/123", an absolute URL, or "urn:uuid:..." inside a Bundle."""
    return as_text(as_object(value).get("reference"))


# FHIR dateTime: YYYY, YYYY-MM, YYYY-MM-DD, or a full date with hh:mm:ss and a zone (Z or +hh:mm).
_DATE_TIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?$"
)


@dataclass(frozen=True)
class Moment:
    """A FHIR date or dateTime as written: the date, and the clock time when one was given.

    The clock is taken literally, ignoring the zone offset: exports write local time with its offset,
    and the patient's sheet must show the time the nurse saw.
    """

    date: str  # YYYY-MM-DD
    clock: str | None  # HH:MM


class NotAFullDate(ValueError):
    """A date or dateTime that is only a year or a year and month, or not a date at all."""


def parse_moment(value: object) -> Moment | None:
    """The Moment written in `value`; None when absent; NotAFullDate when it is not a full date."""
    text = as_text(value)
    if text is None:
        return None
    match = _DATE_TIME.match(text)
    if match is None:
        raise NotAFullDate
    clock = f"{match['hour']}:{match['minute']}" if match["hour"] else None
    return Moment(match["date"], clock)
