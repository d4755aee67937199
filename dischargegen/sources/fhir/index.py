"""The join index: for each Patient and Encounter, only the few values a discharge sheet needs.

A Bulk Data export can hold 100,000 Procedures; the Patients and Encounters they point at are kept here as
small summaries (never the resources), and the Procedures are streamed past them one at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from ...case import parse_choice
from ...errors import InputError
from ...site import SiteSettings
from . import codes as fhir_codes
from .elements import (
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
    full_url: str | None  # the Bundle entry's fullUrl, which a relative subject is read against


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


def summarize_encounter(encounter: JsonObject, full_url: str | None = None) -> EncounterSummary:
    period = as_object(encounter.get("period"))
    class_code, class_overnight = _class(encounter)
    return EncounterSummary(
        start=_date_part(period.get("start")),
        end=_date_part(period.get("end")),
        class_code=class_code,
        class_overnight=class_overnight,
        subject=reference(encounter.get("subject")),
        full_url=full_url,
    )


S = TypeVar("S")

# A RESTful URL as the R4 spec's Bundle rules read it: [base]/[type]/[id], maybe with /_history/[version]
# (the version is dropped: one resource at one version per input). Type names start with a capital.
_ABSOLUTE = re.compile(
    r"^(?P<base>https?://.+?)/(?P<type>[A-Z][A-Za-z]+)/(?P<id>[^/?#]+)(?:/_history/[^/?#]+)?/?$"
)
_RELATIVE = re.compile(r"^(?P<type>[A-Z][A-Za-z]+)/(?P<id>[^/?#]+)(?:/_history/[^/?#]+)?$")


class Unjoinable(Exception):
    """A reference that names no resource of this input; `problem` completes "Procedure.subject ..."."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class _Table(Generic[S]):
    """Summaries of one resource type by key: "Type/id", a full "[base]/Type/id", or a "urn:uuid:..."."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.by_key: dict[str, S | None] = {}  # None: two different resources share the key

    def add(self, keys: list[str], summary: S) -> None:
        for key in keys:
            if key in self.by_key and self.by_key[key] != summary:
                self.by_key[key] = None
            else:
                self.by_key[key] = summary

    def find(self, key: str) -> S:
        if key not in self.by_key:
            raise Unjoinable(f"refers to a {self.kind} that is not in the FHIR input")
        summary = self.by_key[key]
        if summary is None:
            raise Unjoinable(f"refers to a {self.kind} that appears twice, differently, in the input")
        return summary


class JoinIndex:
    """Patients and Encounters of one FHIR input, ready for Procedures to be joined to them.

    References are resolved as the R4 spec resolves them in a Bundle: a relative "Type/id" against the
    server base of the referring entry's fullUrl, an absolute URL by the whole URL, so a Patient/1 of one
    server is never joined to a Patient/1 of another. An entry without a server fullUrl (none, or a
    "urn:uuid:") is local to the input, as is every resource of a Bulk Data export, which has no fullUrls:
    there "Type/id" names it, and an absolute reference is matched by its type and id, because the Bulk
    Data spec roots absolute references at the exporting server's base.
    """

    def __init__(self, site: SiteSettings, *, bundle: bool = False) -> None:
        self.site = site
        self.bundle = bundle
        self.bases: set[str] = set()  # server bases of the Bundle's fullUrls
        self.patients: _Table[PatientSummary] = _Table("Patient")
        self.encounters: _Table[EncounterSummary] = _Table("Encounter")

    def add(self, resource: JsonObject, full_url: str | None = None) -> None:
        kind = resource.get("resourceType")
        keys = self._own_keys(as_text(kind), as_text(resource.get("id")), full_url)
        if kind == "Patient":
            self.patients.add(keys, summarize_patient(resource, self.site))
        elif kind == "Encounter":
            self.encounters.add(keys, summarize_encounter(resource, full_url))

    def _own_keys(self, kind: str | None, resource_id: str | None, full_url: str | None) -> list[str]:
        restful = _ABSOLUTE.match(full_url) if full_url else None
        if restful:
            self.bases.add(restful["base"])
            return [f"{restful['base']}/{restful['type']}/{restful['id']}"]
        keys = [full_url] if full_url else []
        if kind and resource_id:
            keys.append(f"{kind}/{resource_id}")
        return keys

    def key(self, ref: str, referrer: str | None) -> str:
        """The key `ref`, written in the entry whose fullUrl is `referrer`, names; Unjoinable when it
        can name nothing in this input."""
        if "?" in ref:
            raise Unjoinable(
                "is a conditional reference (a search such as Patient?identifier=...), which only a FHIR "
                "server resolves; it needs a literal reference"
            )
        absolute = _ABSOLUTE.match(ref)
        if absolute:
            if not self.bundle:
                return f"{absolute['type']}/{absolute['id']}"
            if absolute["base"] not in self.bases:
                raise Unjoinable(
                    "is an absolute reference to a server that no entry of the Bundle comes from "
                    "(compared by full URL, never joined by type and id alone)"
                )
            return f"{absolute['base']}/{absolute['type']}/{absolute['id']}"
        relative = _RELATIVE.match(ref)
        if relative:
            restful = _ABSOLUTE.match(referrer) if referrer else None
            base = f"{restful['base']}/" if restful else ""
            return f"{base}{relative['type']}/{relative['id']}"
        return ref  # a "urn:uuid:...", matched as written

    def patient(self, ref: str, referrer: str | None) -> tuple[str, PatientSummary]:
        key = self.key(ref, referrer)
        return key, self.patients.find(key)

    def encounter(self, ref: str, referrer: str | None) -> EncounterSummary:
        return self.encounters.find(self.key(ref, referrer))
