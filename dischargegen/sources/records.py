"""What an input reader (CSV, FHIR) hands to the batch engine: one record per patient document, and how
input column names compare. The readers and the engine import this; it imports no reader.

Readers stream: they yield records one at a time and never hold the whole input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import InputError

_IGNORED_IN_HEADERS = re.compile(r"[\s_\-]+")
# An input field that is not a case field: a reader reads it as the stay (overnight) and may report an
# error under its name.
DISCHARGE_DATE = "discharge_date"


def column_key(name: str) -> str:
    """How header names are compared: case, spaces, underscores and hyphens do not count."""
    return _IGNORED_IN_HEADERS.sub("", name).casefold()


@dataclass(frozen=True)
class Record:
    # Where the record starts in the input: the CSV line number (header is line 1), the NDJSON line of
    # the Procedure, or the Bundle entry number. Messages refer to records only by this number.
    line: int
    # Case fields by their canonical names (case.ALL_FIELDS), as text, ready for build_case().
    fields: Mapping[str, str | None] = field(default_factory=dict)
    # Other input columns (unit, room, ...) kept only for --sort-by and a --packet placeholder.
    extra: Mapping[str, str] = field(default_factory=dict)
    # The reader could not map this record: it is written to errors.csv and the run goes on. An
    # InvalidFields for several fields. `fields` still holds what the reader could read (a field it could
    # not is absent): the batch checks those too and reports every failing field of the record at once.
    error: InputError | None = None
    # Not a case for this tool (for example a FHIR Procedure that is not vertebral augmentation):
    # counted in the summary, not an error. A short reason, never patient data.
    skipped: str | None = None
    # Input columns (by column_key) that the input has more than once: --sort-by and a --packet
    # placeholder must not name one of them, since no one can tell which is meant.
    ambiguous: frozenset[str] = frozenset()
