"""Code tables the FHIR reader uses: procedure codes, vertebra codes, encounter classes, systems, extension.

Every code here was checked against a published source (named beside each table). Codes we could not
confirm are left out on purpose: an unknown code makes a record an error or a skip, a wrong code could
put the wrong instructions in a patient's hands. docs/fhir.md prints these tables, generated from this module
by cog (tests/test_docs.py fails when they are stale).
"""

from __future__ import annotations

from collections.abc import Mapping

# --- Code systems -----------------------------------------------------------------------------------
# Each system by its FHIR URI and by its HL7 OID, both seen in real exports.
CPT_SYSTEMS = frozenset({"http://www.ama-assn.org/go/cpt", "urn:oid:2.16.840.1.113883.6.12"})
SNOMED_SYSTEMS = frozenset({"http://snomed.info/sct", "urn:oid:2.16.840.1.113883.6.96"})
# Identifier type "MR" (medical record number) of HL7 v2 table 0203; the second URI is the pre-R4 one.
IDENTIFIER_TYPE_SYSTEMS = frozenset(
    {"http://terminology.hl7.org/CodeSystem/v2-0203", "http://hl7.org/fhir/v2/0203"}
)
MRN_TYPE_CODE = "MR"
# Encounter.class (an R4 Coding) comes from HL7 v3 ActCode; the second URI is the pre-R4 one.
ACT_CODE_SYSTEMS = frozenset(
    {"http://terminology.hl7.org/CodeSystem/v3-ActCode", "http://hl7.org/fhir/v3/ActCode"}
)

# --- Our extension ----------------------------------------------------------------------------------
# Procedure.extension carrying the anesthesia as valueCode local | sedation | general (or a valueCoding
# with one of those codes, or a code the site maps in [fhir] anesthesia_codes).
ANESTHESIA_EXTENSION_URL = "https://dischargegen.example/fhir/StructureDefinition/anesthesia"

# --- Procedure.code ---------------------------------------------------------------------------------
# CPT descriptors (AMA), as published in CMS coverage documents:
#   22510 percutaneous vertebroplasty, 1 vertebral body, cervicothoracic
#   22511 percutaneous vertebroplasty, 1 vertebral body, lumbosacral
#   22512 percutaneous vertebroplasty, each additional cervicothoracic or lumbosacral vertebral body (add-on)
#   22513 percutaneous vertebral augmentation incl. cavity creation (e.g. kyphoplasty), 1 body, thoracic
#   22514 percutaneous vertebral augmentation incl. cavity creation (e.g. kyphoplasty), 1 body, lumbar
#   22515 percutaneous vertebral augmentation, each additional thoracic or lumbar vertebral body (add-on)
CPT_FIRST_LEVEL: Mapping[str, str] = {
    "22510": "vertebroplasty",
    "22511": "vertebroplasty",
    "22513": "kyphoplasty",
    "22514": "kyphoplasty",
}
CPT_ADD_ON: Mapping[str, str] = {"22512": "vertebroplasty", "22515": "kyphoplasty"}
# SNOMED CT procedure concepts are not built in: we found no source we could trust for them (one source
# gave a kyphoplasty code that another lists as a heart operation). A site adds the codes its EHR sends
# in [fhir] procedure_codes, "system|code" = "kyphoplasty" or "vertebroplasty".

# --- Procedure.bodySite -----------------------------------------------------------------------------
# SNOMED CT body structure concepts for single vertebrae, from DICOM PS3.16 CID 7603 "Vertebra"
# (as published in FHIR form), cross-checked against a second, independent mapping table.
# Cervical codes are listed so that a cervical level is reported as such rather than as "unknown".
SNOMED_VERTEBRAE: Mapping[str, str] = {
    "14806007": "C1",
    "39976000": "C2",
    "113205007": "C3",
    "5329002": "C4",
    "36978003": "C5",
    "36054005": "C6",
    "87391001": "C7",
    "64864005": "T1",
    "53733008": "T2",
    "1626008": "T3",
    "73071006": "T4",
    "56401006": "T5",
    "45296009": "T6",
    "62487009": "T7",
    "11068009": "T8",
    "82687006": "T9",
    "7610001": "T10",
    "12989004": "T11",
    "23215003": "T12",
    "66794005": "L1",
    "14293000": "L2",
    "36470004": "L3",
    "11994002": "L4",
    "49668003": "L5",
}
# For text such as "Twelfth thoracic vertebra" or "Structure of first lumbar vertebra".
ORDINALS: Mapping[str, int] = {
    word: number
    for number, word in enumerate(
        (
            "first", "second", "third", "fourth", "fifth", "sixth",
            "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth",
        ),
        start=1,
    )
}  # fmt: skip
REGION_LETTERS: Mapping[str, str] = {"cervical": "C", "thoracic": "T", "lumbar": "L"}

# --- Encounter.class --------------------------------------------------------------------------------
# v3 ActCode encounter codes that answer "did the patient stay overnight?". Others (EMER, OBSENC, SS, HH,
# VR, ...) do not answer it, and without a discharge date on a later day the record is an error.
OVERNIGHT_CLASSES: Mapping[str, bool] = {
    "IMP": True,  # inpatient encounter
    "ACUTE": True,  # inpatient acute
    "NONAC": True,  # inpatient non-acute
    "AMB": False,  # ambulatory
}
# Plain words some systems send in a local class code system (matched on code or display).
OVERNIGHT_CLASS_WORDS: Mapping[str, bool] = {
    "inpatient": True,
    "outpatient": False,
    "ambulatory": False,
}

# --- Procedure.status -------------------------------------------------------------------------------
COMPLETED = "completed"
# The R4 EventStatus codes: only these are repeated in a skip reason (an unknown value is not echoed).
PROCEDURE_STATUSES = frozenset(
    {
        "preparation",
        "in-progress",
        "not-done",
        "on-hold",
        "stopped",
        "completed",
        "entered-in-error",
        "unknown",
    }
)
