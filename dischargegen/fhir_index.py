"""The join index: for each Patient and Encounter, only the few values a discharge sheet needs.

A Bulk Data export can hold 100,000 Procedures; the Patients and Encounters they point at are kept here as
small summaries (never the resources), and the Procedures are streamed past them one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from . import fhir_codes
from .case import parse_choice
from .errors import InputError
from .fhir_json import (
    JsonObject,
    NotAFullDate,
    as_object,
    as_objects,
    as_text,
    codings,
    parse_moment,
    reference,
    system_code,
)
from .site import SiteSettings


@dataclass(frozen=True, slots=True)
class PatientSummary:
    name: str | None
    birth_date: str | None  # Patient.birthDate as written; checked when a Procedure uses it
    mrn: str | None
    mrn_problem: str | None  # why there is no MRN (no patient values in it)
    language: str | None  # "en", "es", or None for English by default


@dataclass(frozen=True, slots=True)
class EncounterSummary:
    start: str | None  # date part of Encounter.period.start
    end: str | None  # date part of Encounter.period.end
    class_code: str | None  # Encounter.class code, for messages
    class_overnight: bool | None  # what the class says about an overnight stay, if anything
    subject: str | None  # Encounter.subject reference, to check it is the Procedure's patient


def _name(patient: JsonObject) -> str | None:
    names = as_objects(patient.get("name"))
    official = [name for name in names if name.get("use") == "official"]
    for name in official[:1] or names[:1]:
        text = as_text(name.get("text"))
        if text:
            return text
        given_names = name.get("given")
        given = [part for part in map(as_text, given_names if isinstance(given_names, list) else []) if part]
        family = as_text(name.get("family"))
        parts = [*given, family] if family else given
        return " ".join(parts) or None
    return None


def _is_mrn_type(identifier: JsonObject) -> bool:
    for coding in codings(identifier.get("type")):
        system, code = system_code(coding)
        if code == fhir_codes.MRN_TYPE_CODE and (
            system is None or system in fhir_codes.IDENTIFIER_TYPE_SYSTEMS
        ):
            return True
    return False


def _mrn(patient: JsonObject, site: SiteSettings) -> tuple[str | None, str | None]:
    """The MRN and None, or None and the reason there is none."""
    wanted = site.fhir.mrn_system
    identifiers = [i for i in as_objects(patient.get("identifier")) if i.get("use") != "old"]
    if wanted:
        matches = [i for i in identifiers if as_text(i.get("system")) == wanted]
        where = f"with system {wanted} ([fhir] mrn_system)"
    else:
        matches = [i for i in identifiers if _is_mrn_type(i)]
        where = "of type MR (v2-0203); name the MRN's system in the site setting [fhir] mrn_system"
    values = {value for value in (as_text(i.get("value")) for i in matches) if value}
    if not values:
        return None, f"the Patient has no identifier {where}"
    if len(values) > 1:
        # Printing the wrong one of two MRNs would mislabel the sheet: a person must pick.
        return None, f"the Patient has {len(values)} different identifiers {where}"
    return values.pop(), None


def _language(patient: JsonObject) -> str | None:
    """The preferred (else first) communication language, if this tool writes it; else None (English)."""
    entries = as_objects(patient.get("communication"))
    preferred = [entry for entry in entries if entry.get("preferred") is True]
    for entry in preferred[:1] or entries[:1]:
        concept = entry.get("language")
        candidates = [code for _, code in map(system_code, codings(concept)) if code]
        candidates += [text for text in [as_text(as_object(concept).get("text"))] if text]
        for candidate in candidates:
            # "es-MX" and "es-419" are Spanish too: try the whole tag, then its primary language.
            for key in (candidate, candidate.split("-")[0]):
                try:
                    return parse_choice(key, "language")
                except InputError:
                    continue
    return None


def summarize_patient(patient: JsonObject, site: SiteSettings) -> PatientSummary:
    mrn, problem = _mrn(patient, site)
    return PatientSummary(
        name=_name(patient),
        birth_date=as_text(patient.get("birthDate")),
        mrn=mrn,
        mrn_problem=problem,
        language=_language(patient),
    )


def _date_part(value: object) -> str | None:
    try:
        moment = parse_moment(value)
    except NotAFullDate:
        return None
    return moment.date if moment else None


def _class(encounter: JsonObject) -> tuple[str | None, bool | None]:
    # R4 has one Coding; R5 a list of CodeableConcepts: accept both shapes.
    raw = encounter.get("class")
    found: list[JsonObject] = []
    for item in as_objects(raw if isinstance(raw, list) else [raw]):
        found += codings(item) if "coding" in item else [item]
    for coding in found:
        system, code = system_code(coding)
        if code is None:
            continue
        if code.upper() in fhir_codes.OVERNIGHT_CLASSES and (
            system is None or system in fhir_codes.ACT_CODE_SYSTEMS
        ):
            return code, fhir_codes.OVERNIGHT_CLASSES[code.upper()]
        for word in (code, as_text(coding.get("display"))):
            if word and word.lower() in fhir_codes.OVERNIGHT_CLASS_WORDS:
                return code, fhir_codes.OVERNIGHT_CLASS_WORDS[word.lower()]
    first = system_code(found[0])[1] if found else None
    return first, None


def summarize_encounter(encounter: JsonObject) -> EncounterSummary:
    period = as_object(encounter.get("period"))
    class_code, class_overnight = _class(encounter)
    return EncounterSummary(
        start=_date_part(period.get("start")),
        end=_date_part(period.get("end")),
        class_code=class_code,
        class_overnight=class_overnight,
        subject=reference(encounter.get("subject")),
    )


S = TypeVar("S")


class _Table(Generic[S]):
    """Summaries of one resource type by "Type/id", with a Bundle's fullUrls as aliases."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.by_key: dict[str, S | None] = {}  # None: two different resources share the key
        self.aliases: dict[str, str] = {}

    def add(self, resource: JsonObject, summary: S, full_url: str | None) -> None:
        resource_id = as_text(resource.get("id"))
        if resource_id:
            key: str | None = f"{self.kind}/{resource_id}"
        else:  # a Bundle entry known by its fullUrl: ".../Patient/123" or "urn:uuid:..."
            key = (self._parsed(full_url) or full_url) if full_url else None
        if key is None:
            return  # nothing can refer to it
        if full_url:
            self.aliases[full_url] = key
        if key in self.by_key and self.by_key[key] != summary:
            self.by_key[key] = None
        else:
            self.by_key[key] = summary

    def _parsed(self, ref: str) -> str | None:
        # "Patient/123", "https://host/fhir/Patient/123" and ".../Patient/123/_history/2" name the same one.
        parts = ref.split("/_history/")[0].rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2] == self.kind and parts[-1]:
            return f"{self.kind}/{parts[-1]}"
        return None

    def key(self, ref: str) -> str | None:
        return self.aliases.get(ref) or self._parsed(ref)

    def find(self, ref: str, field: str, what: str) -> tuple[str, S]:
        key = self.key(ref)
        if key is None or key not in self.by_key:
            raise InputError(field, f"{what} refers to a {self.kind} that is not in the FHIR input")
        summary = self.by_key[key]
        if summary is None:
            raise InputError(
                field, f"{what} refers to a {self.kind} that appears twice, differently, in the input"
            )
        return key, summary


class JoinIndex:
    """Patients and Encounters of one FHIR input, ready for Procedures to be joined to them."""

    def __init__(self, site: SiteSettings) -> None:
        self.site = site
        self.patients: _Table[PatientSummary] = _Table("Patient")
        self.encounters: _Table[EncounterSummary] = _Table("Encounter")

    def add(self, resource: JsonObject, full_url: str | None = None) -> None:
        kind = resource.get("resourceType")
        if kind == "Patient":
            self.patients.add(resource, summarize_patient(resource, self.site), full_url)
        elif kind == "Encounter":
            self.encounters.add(resource, summarize_encounter(resource), full_url)
