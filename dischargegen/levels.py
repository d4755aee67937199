"""Parse the treated vertebral levels ("T12,L1", "t12 l1", "T11-L1") into an ordered tuple of labels."""

from __future__ import annotations

import re

from .errors import InputError

# Top to bottom: the order in which a range is expanded and levels are listed to the patient.
SPINE: tuple[str, ...] = tuple(f"T{n}" for n in range(1, 13)) + tuple(f"L{n}" for n in range(1, 6))
_POSITION = {label: index for index, label in enumerate(SPINE)}
_ALLOWED = "labels T1-T12 and L1-L5, separated by commas or spaces, or a range such as T11-L1"
_SEPARATORS = re.compile(r"[\s,;/]+")
_RANGE = re.compile(r"^([A-Za-z]+\d+)\s*[-\u2013]\s*([A-Za-z]+\d+)$")


# Only something shaped like a spine label is repeated in a message: in a batch a shifted column can put a
# name here, and messages reach terminals and errors.csv.
_LABEL_SHAPE = re.compile(r"^[A-Za-z]{1,2}\d{1,2}-?$")


def _shown(token: str) -> str:
    return repr(token) if _LABEL_SHAPE.match(token) else "an entry"


def _label(token: str, field: str) -> str:
    label = token.strip().upper()
    if label not in _POSITION:
        raise InputError(field, f"{_shown(token)} is not a vertebra this tool treats; use {_ALLOWED}")
    return label


def parse_levels(text: str, field: str = "levels") -> tuple[str, ...]:
    """Return the labels in spinal order; reject empty input, unknown labels and duplicates."""
    # Normalise "T11 - L1" to "T11-L1" so that splitting on spaces keeps ranges whole.
    compact = re.sub(r"\s*[-\u2013]\s*", "-", text.strip())
    tokens = [token for token in _SEPARATORS.split(compact) if token]
    if not tokens:
        raise InputError(field, f"no level given; use {_ALLOWED}")
    labels: list[str] = []
    for token in tokens:
        match = _RANGE.match(token)
        if match:
            first, last = _label(match.group(1), field), _label(match.group(2), field)
            start, end = _POSITION[first], _POSITION[last]
            if start > end:
                raise InputError(
                    field, f"range {first}-{last} runs upwards; write it top to bottom ({last}-{first})"
                )
            labels.extend(SPINE[start : end + 1])
        elif "-" in token:
            raise InputError(field, f"{_shown(token)} is not a valid range; use {_ALLOWED}")
        else:
            labels.append(_label(token, field))
    seen: set[str] = set()
    for label in labels:
        if label in seen:
            raise InputError(field, f"{label} is listed more than once")
        seen.add(label)
    return tuple(sorted(labels, key=_POSITION.__getitem__))


def check_levels(labels: object, field: str = "levels") -> tuple[str, ...]:
    """The labels of a Case built in code, as parse_levels would give them: a non-empty tuple of known labels
    (exactly as SPINE writes them), none twice. A handful of comparisons: nothing is parsed."""
    if not isinstance(labels, tuple):
        raise InputError(field, f"must be a tuple of level labels; use {_ALLOWED}")
    if not labels:
        raise InputError(field, f"no level given; use {_ALLOWED}")
    for label in labels:
        if not isinstance(label, str) or label not in _POSITION:
            raise InputError(field, f"an entry is not a vertebra this tool treats; use {_ALLOWED}")
    if len(set(labels)) != len(labels):
        raise InputError(field, "a level is listed more than once")
    return labels


def region(label: str) -> str:
    """'thoracic' (mid-back, T) or 'lumbar' (lower back, L): templates word it in each language."""
    return "thoracic" if label.startswith("T") else "lumbar"
