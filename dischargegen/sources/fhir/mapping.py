"""Map one FHIR R4 Procedure, joined to its Patient and Encounter, to a Record of case fields.

The rules (and their order) are documented in docs/fhir.md. A Procedure that is not vertebral
augmentation, or not completed, is skipped; one that is but cannot be mapped gets the first failing field
as its error every field that fails, in the order build_case checks fields (one InputError, or an
InvalidFields for several). Messages name elements and codes, never patient data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ... import vocab
from ...case import parse_choice
from ...errors import InputError, one_error
from ...levels import parse_levels
from ...site import SiteSettings
from ..records import Record
from . import codes as fhir_codes
from .elements import (
    JsonObject,
    NotAFullDate,
    as_object,
    as_objects,
    as_text,
    codings,
    concept_texts,
    parse_moment,
    reference,
    system_code,
)
from .index import JoinIndex, PatientSummary, Unjoinable

NOT_AUGMENTATION = "not vertebral augmentation (no CPT 22510-22515 or site procedure code)"
ADD_ON_ONLY = "only an add-on code (22512/22515): an extra level of another procedure"
ANESTHESIA_MISSING = (
    "is missing in the FHIR data (no anesthesia extension, and no Procedure.usedCode or extension code "
    "listed in the site's [fhir] anesthesia_codes); a nurse must supply it"
)


@dataclass(frozen=True)
class ProcedureCodes:
    kinds: frozenset[str]  # kyphoplasty and/or vertebroplasty
    cpt_first: int  # distinct CPT first-level codes
    cpt_add_on: int  # CPT add-on codings, one per coding
    site_codes: int  # codings matched through [fhir] procedure_codes


def procedure_codes(procedure: JsonObject, site: SiteSettings) -> ProcedureCodes:
    kinds: set[str] = set()
    first: set[str] = set()
    add_on = matched = 0
    for coding in codings(procedure.get("code")):
        system, code = system_code(coding)
        if system is None or code is None:
            continue
        if system in fhir_codes.CPT_SYSTEMS and code in fhir_codes.CPT_FIRST_LEVEL:
            kinds.add(fhir_codes.CPT_FIRST_LEVEL[code])
            first.add(code)
        elif system in fhir_codes.CPT_SYSTEMS and code in fhir_codes.CPT_ADD_ON:
            kinds.add(fhir_codes.CPT_ADD_ON[code])
            add_on += 1  # R4 Procedure has no quantity: each add-on coding is one more level
        elif (kind := site.fhir.procedure_codes.get(f"{system}|{code}")) is not None:
            kinds.add(kind.lower())
            matched += 1
    return ProcedureCodes(frozenset(kinds), len(first), add_on, matched)


def skip_reason(procedure: JsonObject, codes: ProcedureCodes) -> str | None:
    if not codes.kinds:
        return NOT_AUGMENTATION
    if codes.cpt_first == 0 and codes.site_codes == 0:
        return ADD_ON_ONLY
    status = as_text(procedure.get("status"))
    if status is None:
        return "status is missing"
    if status != fhir_codes.COMPLETED:
        return (
            f"status is {status}, not completed"
            if status in fhir_codes.PROCEDURE_STATUSES
            else "status is not completed"
        )
    return None


# --- levels -----------------------------------------------------------------------------------------
_ORDINAL_PHRASE = re.compile(
    r"\b(" + "|".join(fhir_codes.ORDINALS) + r")\s+(" + "|".join(fhir_codes.REGION_LETTERS) + r")\b"
)
_LABEL = r"(?:th|[ctl])\s?\d{1,2}"
_LABELS = re.compile(rf"\b({_LABEL})(?:\s*[-\u2013]\s*({_LABEL}))?\b", re.IGNORECASE)


def _compact(label: str) -> str:
    letter_digits = label.replace(" ", "").upper()
    return "T" + letter_digits[2:] if letter_digits.startswith("TH") else letter_digits


def labels_in_text(text: str) -> list[str]:
    """Vertebra labels (and ranges) written in text: "T12 vertebra", "Th12", "twelfth thoracic vertebra"."""
    lowered = _ORDINAL_PHRASE.sub(
        lambda m: f"{fhir_codes.REGION_LETTERS[m[2]]}{fhir_codes.ORDINALS[m[1]]}", text.lower()
    )
    tokens = []
    for match in _LABELS.finditer(lowered):
        first, last = match[1], match[2]
        tokens.append(f"{_compact(first)}-{_compact(last)}" if last else _compact(first))
    return tokens


def _body_site_labels(concept: JsonObject) -> tuple[str, ...]:
    coded = set()
    for coding in codings(concept):
        system, code = system_code(coding)
        label = fhir_codes.SNOMED_VERTEBRAE.get(code or "")
        if system in fhir_codes.SNOMED_SYSTEMS and label is not None:
            coded.add(label)
    if len(coded) > 1:
        raise InputError("levels", "one Procedure.bodySite has SNOMED CT codes for different vertebrae")
    tokens = sorted(coded)
    for text in [] if tokens else concept_texts(concept):
        tokens = labels_in_text(text)
        if tokens:
            break
    if not tokens:
        raise InputError(
            "levels",
            "a Procedure.bodySite names no vertebra (no SNOMED CT vertebra code, and no label such as "
            "'T12' or 'twelfth thoracic vertebra' in its text); a nurse must supply the levels",
        )
    return parse_levels(",".join(tokens))


def levels(procedure: JsonObject, codes: ProcedureCodes) -> str:
    sites = as_objects(procedure.get("bodySite"))
    if not sites:
        raise InputError(
            "levels", "the Procedure has no bodySite naming the vertebrae treated; a nurse must supply them"
        )
    # The same vertebra in two bodySite entries (say, coded and as text) is one level.
    labels = {label for concept in sites for label in _body_site_labels(concept)}
    ordered = parse_levels(",".join(labels))
    if codes.cpt_add_on:
        expected = max(codes.cpt_first, 1) + codes.cpt_add_on
        if len(ordered) != expected:
            raise InputError(
                "levels",
                f"Procedure.bodySite names {len(ordered)} {'vertebra' if len(ordered) == 1 else 'vertebrae'} "
                f"but the CPT codes count {expected} "
                f"(first level plus {codes.cpt_add_on} add-on); a nurse must check the levels",
            )
    return ",".join(ordered)


# --- anesthesia -------------------------------------------------------------------------------------
def _mapped(coding: JsonObject, site: SiteSettings) -> str | None:
    system, code = system_code(coding)
    value = site.fhir.anesthesia_codes.get(f"{system}|{code}") if system and code else None
    return value.lower() if value else None


def _our_extension(extension: JsonObject, site: SiteSettings) -> str:
    if (code := as_text(extension.get("valueCode"))) is not None:
        try:
            return parse_choice(code, "anesthesia")
        except InputError:
            raise InputError(
                "anesthesia", "the anesthesia extension's valueCode must be local, sedation or general"
            ) from None
    found = [extension["valueCoding"]] if isinstance(extension.get("valueCoding"), dict) else []
    found += codings(extension.get("valueCodeableConcept"))
    for coding in found:
        _, code = system_code(coding)
        if (value := _mapped(coding, site)) is not None:
            return value
        if code and code.lower() in vocab.ANESTHESIA:
            return code.lower()
    raise InputError(
        "anesthesia",
        "the anesthesia extension needs a valueCode (local, sedation or general), or a valueCoding with "
        "one of those codes or a code listed in [fhir] anesthesia_codes",
    )


def anesthesia(procedure: JsonObject, site: SiteSettings) -> str:
    """Our extension, Procedure.usedCode and any other extension's coding: all that are present must agree."""
    found: set[str] = set()
    extensions = as_objects(procedure.get("extension"))
    for extension in extensions:
        if extension.get("url") == fhir_codes.ANESTHESIA_EXTENSION_URL:
            found.add(_our_extension(extension, site))
    for concept in as_objects(procedure.get("usedCode")):
        found.update(v for v in (_mapped(coding, site) for coding in codings(concept)) if v)
    for extension in extensions:
        if extension.get("url") != fhir_codes.ANESTHESIA_EXTENSION_URL:
            coding = as_object(extension.get("valueCoding"))
            for candidate in [coding, *codings(extension.get("valueCodeableConcept"))]:
                if (value := _mapped(candidate, site)) is not None:
                    found.add(value)
    if not found:
        raise InputError("anesthesia", ANESTHESIA_MISSING)
    if len(found) > 1:
        raise InputError(
            "anesthesia",
            f"the FHIR data names more than one anesthesia ({', '.join(sorted(found))}); a nurse must supply it",
        )
    return found.pop()


# --- overnight --------------------------------------------------------------------------------------
def overnight(procedure: JsonObject, index: JoinIndex, patient_key: str | None, full_url: str | None) -> str:
    """Yes or no; `patient_key` is the Procedure's Patient (None when it could not be joined: no check)."""
    ref = reference(procedure.get("encounter"))
    if ref is None:
        raise InputError(
            "overnight",
            "the Procedure has no encounter, so the overnight stay is unknown; a nurse must supply it",
        )
    try:
        encounter = index.encounter(ref, full_url)
    except Unjoinable as problem:
        raise InputError("overnight", f"Procedure.encounter {problem.problem}") from None
    if encounter.subject is not None and patient_key is not None:
        try:
            same = index.key(encounter.subject, encounter.full_url) == patient_key
        except Unjoinable:
            same = False
        if not same:
            raise InputError("overnight", "the Procedure's Encounter belongs to a different Patient")
    if encounter.start and encounter.end:
        if encounter.end < encounter.start:
            raise InputError("overnight", "Encounter.period ends before it starts")
        return "yes" if encounter.end > encounter.start else "no"
    if encounter.class_overnight is not None:
        return "yes" if encounter.class_overnight else "no"
    # Only a code-shaped class is repeated (EMER, OBSENC): free text from an export is never echoed.
    code = encounter.class_code or ""
    shown = f" ({code})" if re.fullmatch(r"[A-Z]{2,10}", code) else ""
    raise InputError(
        "overnight",
        f"the Encounter has no period with both start and end, and its class{shown} does not say "
        "inpatient or ambulatory; a nurse must supply it",
    )


# --- procedure date and time ------------------------------------------------------------------------
def performed(procedure: JsonObject) -> tuple[str, str | None]:
    """The date, and the clock time the limits count from: the period's end when on that day."""
    try:
        if "performedDateTime" in procedure:
            moment = parse_moment(procedure.get("performedDateTime"))
            if moment is not None:
                return moment.date, moment.clock
        period = as_object(procedure.get("performedPeriod"))
        start = parse_moment(period.get("start"))
        if start is not None:
            end = parse_moment(period.get("end"))
            if end is not None and end.date == start.date and end.clock:
                return start.date, end.clock
            return start.date, start.clock
    except NotAFullDate:
        raise InputError(
            "procedure_date", "the Procedure's performed date is not a full date (YYYY-MM-DD)"
        ) from None
    raise InputError("procedure_date", "the Procedure has no performedDateTime or performedPeriod.start")


# --- the record ------------------------------------------------------------------------------------
T = TypeVar("T")


class _Problems:
    """Every field that fails, collected so that one run reports them all (in the order they are tried)."""

    def __init__(self) -> None:
        self.errors: list[InputError] = []

    def attempt(self, compute: Callable[[], T]) -> T | None:
        try:
            return compute()
        except InputError as error:
            self.errors.append(error)
            return None

    def error(self) -> InputError | None:
        return one_error(self.errors) if self.errors else None


def _name(patient: PatientSummary) -> str:
    if patient.name is None:
        raise InputError("patient_name", "the Patient has no name (Patient.name text, or given and family)")
    return patient.name


def _mrn(patient: PatientSummary) -> str:
    if patient.mrn is None:
        raise InputError("mrn", patient.mrn_problem or "the Patient has no MRN")
    return patient.mrn


def _dob(patient: PatientSummary) -> str:
    try:
        birth = parse_moment(patient.birth_date)
    except NotAFullDate:
        raise InputError("dob", "Patient.birthDate is not a full date (YYYY-MM-DD)") from None
    if birth is None:
        raise InputError("dob", "the Patient has no birthDate")
    return birth.date


def _patient(procedure: JsonObject, index: JoinIndex, full_url: str | None) -> tuple[str, PatientSummary]:
    ref = reference(procedure.get("subject"))
    if ref is None:
        raise InputError("patient_name", "the Procedure has no subject reference to its Patient")
    try:
        return index.patient(ref, full_url)
    except Unjoinable as problem:
        raise InputError("patient_name", f"Procedure.subject {problem.problem}") from None


def _kind(codes: ProcedureCodes) -> str:
    if len(codes.kinds) > 1:
        raise InputError("procedure", "Procedure.code holds both kyphoplasty and vertebroplasty codes")
    return next(iter(codes.kinds))


def map_procedure(procedure: JsonObject, line: int, index: JoinIndex, full_url: str | None = None) -> Record:
    """The Record of one Procedure; `full_url` is its Bundle entry's fullUrl, which references are read
    against."""
    site = index.site
    codes = procedure_codes(procedure, site)
    reason = skip_reason(procedure, codes)
    if reason is not None:
        return Record(line=line, skipped=reason)
    problems = _Problems()
    found: dict[str, str | None] = {}
    joined = problems.attempt(lambda: _patient(procedure, index, full_url))
    patient_key, patient = joined if joined else (None, None)
    if patient is not None:
        found["patient_name"] = problems.attempt(lambda: _name(patient))
        found["mrn"] = problems.attempt(lambda: _mrn(patient))
        found["dob"] = problems.attempt(lambda: _dob(patient))
    found["procedure"] = problems.attempt(lambda: _kind(codes))
    found["levels"] = problems.attempt(lambda: levels(procedure, codes))
    found["anesthesia"] = problems.attempt(lambda: anesthesia(procedure, site))
    found["overnight"] = problems.attempt(lambda: overnight(procedure, index, patient_key, full_url))
    when = problems.attempt(lambda: performed(procedure))
    if when is not None:
        found["procedure_date"], found["procedure_time"] = when
    fields = {name: value for name, value in found.items() if value is not None or name == "procedure_time"}
    error = problems.error()
    if error is not None:
        return Record(line=line, fields=fields, error=error)
    if patient is not None and patient.language is not None:
        fields["language"] = patient.language
    return Record(line=line, fields=fields)
