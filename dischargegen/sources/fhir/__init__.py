"""Read FHIR R4 input for the batch command: a Bulk Data export folder, one of its NDJSON files, or a Bundle.

read_fhir_records(path, site) yields one Record per Procedure, in input order:
- a folder: every *.ndjson file in it. Bulk Data files hold one resource type each, so a file's type is read
  from its first line. Patient and Encounter files are indexed first (small summaries only), then the
  Procedure files are streamed line by line; Record.line counts Procedure lines across the Procedure
  files in name order (with one Procedure file it is that file's line number).
- a .ndjson file: its Procedures, joined to the Patient and Encounter files in the same folder.
- a .json file: a Bundle (any type), read whole; Record.line is the Procedure's entry number, from 1.
Plain JSON, no FHIR model library: see docs/fhir.md for why. Every line and Bundle is parsed within
fhir_json.load_json's bounds (nesting depth, number length), so hostile JSON is an error, never a crash.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...errors import InputError, InputFileError
from ...site import SiteSettings
from ..records import Record
from .elements import UnreadableJson, as_object, as_objects, as_text, load_json
from .index import JoinIndex
from .mapping import map_procedure

FORMAT_HINT = "FHIR input is a Bulk Data export folder of .ndjson files, one .ndjson file, or a .json Bundle"
_INDEXED = ("Patient", "Encounter")


def read_fhir_records(path: Path, site: SiteSettings) -> Iterator[Record]:
    """Records for the batch engine, streamed.

    Raises InputFileError at once when the input as a whole is unusable; a Procedure file that turns out
    not to be UTF-8 part way through raises it when the reader gets there.
    """
    if path.is_dir():
        return _read_export(_classify(path), None, site)
    if not path.is_file():
        raise InputFileError(f"no file or folder at {path}")
    suffix = path.suffix.lower()
    if suffix == ".ndjson":
        files = _classify(path.parent)
        if files.get(path) != "Procedure":
            raise InputFileError(f"{path.name} does not hold Procedure resources; {FORMAT_HINT}")
        return _read_export(files, path, site)
    if suffix == ".json":
        return _read_bundle(path, site)
    raise InputFileError(f"{path.name}: {FORMAT_HINT}")


# --- NDJSON -----------------------------------------------------------------------------------------
def _numbered(file: Path) -> Iterator[tuple[int, str]]:
    """Every line with its number (blank ones too), read one at a time."""
    number = 0
    try:
        with file.open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                yield number, line
    except UnicodeDecodeError:
        raise InputFileError(f"{file.name} is not UTF-8 text (after line {number})") from None
    except OSError as error:
        raise InputFileError(f"cannot read {file.name}: {error.strerror}") from None


def _resource(file: Path, number: int, line: str) -> dict[str, Any]:
    try:
        resource = load_json(line)
    except UnreadableJson as error:
        raise InputFileError(f"{file.name} line {number} {error.reason}") from None
    if not isinstance(resource, dict) or not as_text(resource.get("resourceType")):
        raise InputFileError(f"{file.name} line {number} is not a FHIR resource (no resourceType)")
    return resource


def _classify(folder: Path) -> dict[Path, str]:
    """Each .ndjson file in the folder, by the resource type on its first line (Bulk Data: one per file)."""
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".ndjson" and p.is_file())
    except OSError as error:
        raise InputFileError(f"cannot read the folder {folder}: {error.strerror}") from None
    kinds: dict[Path, str] = {}
    for file in files:
        if kind := _kind_of(file):
            kinds[file] = kind
    for needed in ("Procedure", "Patient"):
        if needed not in kinds.values():
            raise InputFileError(f"no {needed} .ndjson file in {folder}; {FORMAT_HINT}")
    return kinds


def _kind_of(file: Path) -> str | None:
    """The resource type of the first line that is a resource: a bad first Procedure line is then an error
    for that line only (when the Procedures are read), not a refusal of the whole export."""
    first_problem: InputFileError | None = None
    for number, line in _numbered(file):
        if not line.strip():
            continue
        try:
            return str(_resource(file, number, line)["resourceType"])
        except InputFileError as problem:
            first_problem = first_problem or problem
    if first_problem is not None:
        raise first_problem
    return None  # an empty file: nothing to read


def _index_export(kinds: dict[Path, str], site: SiteSettings) -> JoinIndex:
    index = JoinIndex(site)
    for file, kind in kinds.items():
        if kind not in _INDEXED:
            continue
        for number, line in _numbered(file):
            if not line.strip():
                continue
            resource = _resource(file, number, line)
            if resource["resourceType"] != kind:
                # A Procedure hidden in a Patient file would be silently lost: refuse the export instead.
                raise InputFileError(
                    f"{file.name} line {number} is a {resource['resourceType']} in a file of {kind} "
                    "resources; each Bulk Data file holds one resource type"
                )
            index.add(resource)
    return index


def _read_export(kinds: dict[Path, str], only: Path | None, site: SiteSettings) -> Iterator[Record]:
    # The index is built now, so that a broken Patient or Encounter file stops the run before any record.
    index = _index_export(kinds, site)
    files = [only] if only else [file for file, kind in kinds.items() if kind == "Procedure"]
    return _stream_procedures(files, index)


def _stream_procedures(files: list[Path], index: JoinIndex) -> Iterator[Record]:
    offset = 0  # lines of the Procedure files before this one: numbers run on as if they were one file
    for file in files:
        number = 0
        for number, line in _numbered(file):
            if line.strip():
                yield _procedure_record(line, offset + number, index)
        offset += number


def _procedure_record(line: str, number: int, index: JoinIndex) -> Record:
    try:
        resource = load_json(line)
    except UnreadableJson as error:
        return _bad_line(number, error.reason)
    if as_object(resource).get("resourceType") != "Procedure":
        return _bad_line(number, "is not a Procedure; each Bulk Data file holds one resource type")
    return map_procedure(resource, number, index)


def _bad_line(number: int, message: str) -> Record:
    return Record(line=number, error=InputError("procedure", f"this line of the Procedure file {message}"))


# --- Bundle -----------------------------------------------------------------------------------------
def _read_bundle(path: Path, site: SiteSettings) -> Iterator[Record]:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            bundle = load_json(handle.read())
    except UnicodeDecodeError:
        raise InputFileError(f"{path.name} is not UTF-8 text") from None
    except UnreadableJson as error:
        raise InputFileError(f"{path.name} {error.reason}") from None
    except OSError as error:
        raise InputFileError(f"cannot read {path.name}: {error.strerror}") from None
    kind = as_object(bundle).get("resourceType")
    if kind != "Bundle":
        hint = (
            " (a Bulk Data manifest? give the folder of .ndjson files)"
            if "output" in as_object(bundle)
            else ""
        )
        raise InputFileError(f"{path.name} is not a FHIR Bundle{hint}; {FORMAT_HINT}")
    entries = bundle.get("entry")
    if not isinstance(entries, list):
        raise InputFileError(f"{path.name}: Bundle.entry is missing or not a list")
    return _bundle_records(entries, site)


def _bundle_records(entries: list[Any], site: SiteSettings) -> Iterator[Record]:
    index = JoinIndex(site, bundle=True)
    for entry in as_objects(entries):
        index.add(as_object(entry.get("resource")), as_text(entry.get("fullUrl")))
    for number, entry in enumerate(entries, start=1):
        resource = as_object(as_object(entry).get("resource"))
        if resource.get("resourceType") == "Procedure":
            yield map_procedure(resource, number, index, as_text(as_object(entry).get("fullUrl")))
