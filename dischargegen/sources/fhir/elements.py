"""Careful reading of plain FHIR JSON: every element is checked for its JSON type before use.

Exports are not always valid FHIR; a wrong type is treated as the element being absent, so the record
then fails with a message about what is missing instead of a crash.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

JsonObject = dict[str, Any]

# --- bounded parsing --------------------------------------------------------------------------------
# json.loads recurses once per nesting level (a line nested 100,000 deep raises RecursionError, at a depth
# that depends on the caller's stack) and converts numbers of any length (a 5,000-digit integer raises
# ValueError; a 5,000-digit decimal silently becomes inf). Real FHIR nests a few dozen levels at most and
# writes no number longer than a timestamp or an 18-digit decimal, so the parser takes no more than this.
MAX_JSON_DEPTH = 100
MAX_NUMBER_LENGTH = 40

# A string, its closing quote optional: a quote never closed runs to the end of the line in one match, where
# a required closing quote would make the search try again from every later quote (quadratic time).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class UnreadableJson(ValueError):
    """Text that is not JSON, or JSON beyond the bounds above; `reason` says which, never a value."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _nesting_depth(text: str) -> int:
    """The deepest bracket nesting outside strings (as the parser will meet it in any valid prefix)."""
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(_DEPTH_STEP[bracket] for bracket in brackets), default=0)


def _bounded_number(convert: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        if len(text) > MAX_NUMBER_LENGTH:
            raise UnreadableJson(f"holds a number longer than {MAX_NUMBER_LENGTH} characters")
        return convert(text)

    return parse


def _no_constant(_name: str) -> None:
    raise UnreadableJson("is not valid JSON (NaN and Infinity are not JSON numbers)")


# One decoder for the whole run: json.loads with hooks would build a new one for every line.
_DECODER = json.JSONDecoder(
    parse_int=_bounded_number(int), parse_float=_bounded_number(float), parse_constant=_no_constant
)


def load_json(text: str) -> Any:
    """json.loads within the bounds above; UnreadableJson for anything it will not take."""
    # Cheap test first: fewer opening brackets than the limit cannot nest deeper than it.
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and _nesting_depth(text) > MAX_JSON_DEPTH:
        raise UnreadableJson(f"nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError:
        raise UnreadableJson("is not valid JSON") from None
    except RecursionError:  # not reached within MAX_JSON_DEPTH; kept so no input can escape as a crash
        raise UnreadableJson(f"nests deeper than {MAX_JSON_DEPTH} levels") from None


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
