"""FHIR R4 input: each mapping rule, each error and skip, the Bundle and NDJSON forms, and streaming."""

from __future__ import annotations

import dataclasses
import inspect
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dischargegen import SiteSettingsError, build_case, load_site
from dischargegen.cli import cli
from dischargegen.site import SiteSettings
from dischargegen.sources import InputFileError, Record
from dischargegen.sources.fhir import read_fhir_records
from dischargegen.sources.fhir.codes import SNOMED_VERTEBRAE
from dischargegen.sources.fhir.mapping import NOT_AUGMENTATION
from tests.helpers import (
    ACT,
    FHIR_SITE,
    LOCAL,
    MRN_SYSTEM,
    REPO,
    SCT,
    Json,
    cpt,
    encounter,
    fhir_export,
    ours,
    patient,
    pdf_text,
    procedure,
    read_csv,
    vertebra,
    write_ndjson,
)

V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"


def one(tmp_path: Path, site: SiteSettings = FHIR_SITE, **kwargs: Any) -> Record:
    """The single record of an export holding one Procedure (built from kwargs) and its Patient and Encounter."""
    patients = kwargs.pop("patients", None)
    encounters = kwargs.pop("encounters", None)
    records = list(
        read_fhir_records(fhir_export(tmp_path, [procedure(**kwargs)], patients, encounters), site)
    )
    assert len(records) == 1
    return records[0]


def ok(tmp_path: Path, **kwargs: Any) -> dict[str, str | None]:
    record = one(tmp_path, **kwargs)
    assert record.error is None and record.skipped is None, record
    build_case(record.fields)  # every mapped record is a valid case
    return dict(record.fields)


def error(tmp_path: Path, field: str, **kwargs: Any) -> str:
    record = one(tmp_path, **kwargs)
    assert record.error is not None, record
    assert record.error.field == field, record.error
    return record.error.message


def skipped(tmp_path: Path, **kwargs: Any) -> str:
    record = one(tmp_path, **kwargs)
    assert record.skipped is not None and record.error is None, record
    return record.skipped


# --- a complete record ------------------------------------------------------------------------------
def test_a_complete_procedure_maps_to_every_field(tmp_path: Path) -> None:
    assert ok(tmp_path) == {
        "patient_name": "Quentin Zzyzx",
        "mrn": "MRN-77",
        "dob": "1944-05-06",
        "procedure": "kyphoplasty",
        "levels": "T12",
        "anesthesia": "sedation",
        "overnight": "no",
        "procedure_date": "2027-01-12",
        "procedure_time": "10:30",
    }


# --- patient name -----------------------------------------------------------------------------------
def test_official_name_is_preferred_and_text_wins_over_parts(tmp_path: Path) -> None:
    names = [
        {"use": "usual", "text": "Quinny Zzyzx"},
        {"use": "official", "text": "Quentin A. Zzyzx", "family": "Other", "given": ["Name"]},
    ]
    assert ok(tmp_path, patients=[patient(name=names)])["patient_name"] == "Quentin A. Zzyzx"


def test_without_an_official_name_the_first_is_used_given_names_then_family(tmp_path: Path) -> None:
    names = [{"family": "Zzyzx", "given": ["Quentin", "Alvar"]}, {"text": "Someone Else"}]
    assert ok(tmp_path, patients=[patient(name=names)])["patient_name"] == "Quentin Alvar Zzyzx"


def test_no_name_is_an_error(tmp_path: Path) -> None:
    assert "no name" in error(tmp_path, "patient_name", patients=[patient(name=[{"use": "official"}])])


# --- MRN --------------------------------------------------------------------------------------------
def test_mrn_is_the_identifier_with_the_site_system(tmp_path: Path) -> None:
    ids = [{"system": "https://other.example", "value": "X-1"}, {"system": MRN_SYSTEM, "value": "MRN-9"}]
    assert ok(tmp_path, patients=[patient(identifier=ids)])["mrn"] == "MRN-9"


def test_without_a_site_system_the_mr_typed_identifier_is_the_mrn(tmp_path: Path) -> None:
    site = dataclasses.replace(FHIR_SITE, fhir=dataclasses.replace(FHIR_SITE.fhir, mrn_system=None))
    ids = [
        {"system": "https://other.example", "value": "X-1"},
        {"type": {"coding": [{"system": V2_0203, "code": "MR"}]}, "system": "urn:x", "value": "MRN-5"},
    ]
    record = one(tmp_path, site=site, patients=[patient(identifier=ids)])
    assert record.fields["mrn"] == "MRN-5"


def test_no_mrn_identifier_is_an_error_naming_the_setting(tmp_path: Path) -> None:
    site = dataclasses.replace(FHIR_SITE, fhir=dataclasses.replace(FHIR_SITE.fhir, mrn_system=None))
    record = one(tmp_path, site=site)
    assert record.error is not None and record.error.field == "mrn"
    assert "MR" in record.error.message and "mrn_system" in record.error.message
    message = error(tmp_path, "mrn", patients=[patient(identifier=[{"system": "urn:other", "value": "1"}])])
    assert MRN_SYSTEM in message


def test_two_different_mrns_are_an_error_and_old_ones_are_ignored(tmp_path: Path) -> None:
    ids = [{"system": MRN_SYSTEM, "value": "MRN-1"}, {"system": MRN_SYSTEM, "value": "MRN-2"}]
    assert "2 different" in error(tmp_path, "mrn", patients=[patient(identifier=ids)])
    ids[0]["use"] = "old"
    assert ok(tmp_path, patients=[patient(identifier=ids)])["mrn"] == "MRN-2"


# --- birth date -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("birth_date", "fragment"), [(None, "no birthDate"), ("1944", "not a full date")])
def test_missing_or_partial_birth_date_is_an_error(
    tmp_path: Path, birth_date: str | None, fragment: str
) -> None:
    assert fragment in error(tmp_path, "dob", patients=[patient(birthDate=birth_date)])


# --- procedure code, status -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("codes", "kind", "levels"),
    [
        (["22510"], "vertebroplasty", "T12"),
        (["22511"], "vertebroplasty", "T12"),
        (["22513"], "kyphoplasty", "T12"),
        (["22514"], "kyphoplasty", "T12"),
        (["22513", "22515"], "kyphoplasty", "T11,T12"),
        (["22511", "22512", "22512"], "vertebroplasty", "T11,T12,L1"),
    ],
)
def test_cpt_codes_name_the_procedure(tmp_path: Path, codes: list[str], kind: str, levels: str) -> None:
    body = [{"text": label} for label in levels.split(",")]
    fields = ok(tmp_path, code=cpt(*codes), bodySite=body)
    assert (fields["procedure"], fields["levels"]) == (kind, levels)


def test_cpt_by_oid_and_site_procedure_codes_qualify(tmp_path: Path) -> None:
    by_oid = {"coding": [{"system": "urn:oid:2.16.840.1.113883.6.12", "code": "22514"}]}
    assert ok(tmp_path, code=by_oid)["procedure"] == "kyphoplasty"
    local = {"coding": [{"system": LOCAL, "code": "BKP"}]}
    assert ok(tmp_path, code=local)["procedure"] == "kyphoplasty"


def test_both_procedures_in_one_code_is_an_error(tmp_path: Path) -> None:
    assert "both" in error(tmp_path, "procedure", code=cpt("22510", "22513"))


@pytest.mark.parametrize(
    "code",
    [
        cpt("29881"),  # knee arthroscopy
        {"coding": [{"code": "22513"}]},  # a CPT number without its system is not trusted
        {"text": "Kyphoplasty"},  # text alone does not qualify
        None,
    ],
)
def test_other_procedures_are_skipped_not_errors(tmp_path: Path, code: Json | None) -> None:
    assert skipped(tmp_path, code=code).startswith("not vertebral augmentation")


def test_an_add_on_code_alone_is_skipped(tmp_path: Path) -> None:
    assert "add-on" in skipped(tmp_path, code=cpt("22515"))


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("in-progress", "status is in-progress, not completed"),
        ("not-done", "status is not-done, not completed"),
        ("entered-in-error", "status is entered-in-error, not completed"),
        ("Quentin", "status is not completed"),  # not a status code: not repeated
        (None, "status is missing"),
    ],
)
def test_only_completed_procedures_are_taken(tmp_path: Path, status: str | None, reason: str) -> None:
    assert skipped(tmp_path, status=status) == reason


# --- levels -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "label"), [(c, lab) for c, lab in SNOMED_VERTEBRAE.items() if lab[0] in "TL"]
)
def test_each_snomed_vertebra_code_gives_its_level(tmp_path: Path, code: str, label: str) -> None:
    assert ok(tmp_path, bodySite=[vertebra(code)])["levels"] == label


@pytest.mark.parametrize(
    ("body", "levels"),
    [
        ([{"text": "T12 vertebra"}], "T12"),
        ([{"text": "Twelfth thoracic vertebra"}], "T12"),
        (
            [{"coding": [{"system": SCT, "code": "999", "display": "Structure of first lumbar vertebra"}]}],
            "L1",
        ),
        ([{"text": "Th11"}, {"text": "L1"}], "T11,L1"),
        ([{"text": "T11-L1"}], "T11,T12,L1"),
        ([{"text": "L1"}, vertebra("23215003")], "T12,L1"),  # listed in spinal order
        ([vertebra("23215003"), {"text": "T12 vertebra"}], "T12"),  # the same vertebra twice is one level
    ],
)
def test_levels_from_body_site_text_and_codes(tmp_path: Path, body: list[Json], levels: str) -> None:
    assert ok(tmp_path, bodySite=body)["levels"] == levels


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (None, "no bodySite"),
        ([{"text": "Lumbar spine"}], "names no vertebra"),
        ([vertebra("87391001")], "'C7' is not a vertebra"),  # cervical: named, then refused
        (
            [{"coding": [{"system": SCT, "code": "23215003"}, {"system": SCT, "code": "66794005"}]}],
            "different",
        ),
    ],
)
def test_levels_errors(tmp_path: Path, body: list[Json] | None, fragment: str) -> None:
    assert fragment in error(tmp_path, "levels", bodySite=body)


def test_levels_are_cross_checked_against_cpt_add_on_codes(tmp_path: Path) -> None:
    message = error(tmp_path, "levels", code=cpt("22513", "22515"), bodySite=[vertebra("23215003")])
    assert "names 1 vertebra but" in message and "count 2" in message
    assert ok(tmp_path, code=cpt("22513", "22515"), bodySite=[{"text": "T11"}, {"text": "T12"}])
    # Without add-on codes there is nothing to count against (exports often bill add-ons elsewhere).
    assert ok(tmp_path, code=cpt("22513"), bodySite=[{"text": "T11"}, {"text": "T12"}])


# --- procedure date and time ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("performed", "date", "time"),
    [
        ({"performedDateTime": "2027-01-12T10:30:00-05:00"}, "2027-01-12", "10:30"),
        ({"performedDateTime": "2027-01-12T22:05:00Z"}, "2027-01-12", "22:05"),  # the clock as written
        ({"performedDateTime": "2027-01-12"}, "2027-01-12", None),
        ({"performedPeriod": {"start": "2027-01-12T09:00:00-05:00", "end": "2027-01-12T09:50:00-05:00"}}, "2027-01-12", "09:50"),
        ({"performedPeriod": {"start": "2027-01-12T23:30:00-05:00", "end": "2027-01-13T00:40:00-05:00"}}, "2027-01-12", "23:30"),
        ({"performedPeriod": {"start": "2027-01-12"}}, "2027-01-12", None),
    ],
)  # fmt: skip
def test_procedure_date_and_time(tmp_path: Path, performed: Json, date: str, time: str | None) -> None:
    fields = ok(tmp_path, **({"performedDateTime": None} | performed))
    assert (fields["procedure_date"], fields["procedure_time"]) == (date, time)


@pytest.mark.parametrize(
    ("performed", "fragment"),
    [
        ({}, "no performedDateTime"),
        ({"performedString": "last Tuesday"}, "no performedDateTime"),
        ({"performedDateTime": "2027-01"}, "not a full date"),
        ({"performedPeriod": {"end": "2027-01-12"}}, "no performedDateTime"),
    ],
)
def test_procedure_date_errors(tmp_path: Path, performed: Json, fragment: str) -> None:
    assert fragment in error(tmp_path, "procedure_date", **({"performedDateTime": None} | performed))


# --- overnight --------------------------------------------------------------------------------------
def stay(start: str | None, end: str | None, code: str | None = "AMB", system: str = ACT) -> Json:
    period = {k: v for k, v in (("start", start), ("end", end)) if v}
    return encounter(period=period or None, **{"class": {"system": system, "code": code} if code else None})


@pytest.mark.parametrize(
    ("enc", "answer"),
    [
        (stay("2027-01-12T07:00:00-05:00", "2027-01-13T09:00:00-05:00"), "yes"),  # discharged a later day
        (stay("2027-01-12T07:00:00-05:00", "2027-01-12T23:59:00-05:00", "IMP"), "no"),  # period wins over class
        (stay("2027-01-12T07:00:00-05:00", None, "IMP"), "yes"),
        (stay(None, None, "ACUTE"), "yes"),
        (stay("2027-01-12T07:00:00-05:00", None, "AMB"), "no"),
        (stay(None, None, "INPT", system=LOCAL) | {"class": {"system": LOCAL, "code": "X", "display": "Inpatient"}}, "yes"),
        (stay(None, None, "outpatient", system=LOCAL), "no"),
        # R5 shape: a list of CodeableConcepts.
        (stay(None, None, None) | {"class": [{"coding": [{"system": ACT, "code": "IMP"}]}]}, "yes"),
    ],
)  # fmt: skip
def test_overnight_from_period_then_class(tmp_path: Path, enc: Json, answer: str) -> None:
    assert ok(tmp_path, encounters=[enc])["overnight"] == answer


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"encounters": [stay("2027-01-12", None, "EMER")]}, "(EMER) does not say"),
        ({"encounters": [stay(None, None, None)]}, "a nurse must supply it"),
        ({"encounters": [stay("2027-01-13", "2027-01-12")]}, "ends before it starts"),
        ({"encounter": None}, "has no encounter"),
        ({"encounter": {"reference": "Encounter/nope"}}, "not in the FHIR input"),
        ({"encounters": [encounter(subject={"reference": "Patient/p2"})]}, "different Patient"),
    ],
)
def test_overnight_errors(tmp_path: Path, kwargs: dict[str, Any], fragment: str) -> None:
    assert fragment in error(tmp_path, "overnight", **kwargs)


# --- anesthesia -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "answer"),
    [
        ({"extension": ours(valueCode="general")}, "general"),
        ({"extension": ours(valueCode="Moderate sedation")}, "sedation"),  # the CSV synonyms apply
        ({"extension": ours(valueCoding={"system": LOCAL, "code": "GA"})}, "general"),  # site map
        ({"extension": ours(valueCoding={"code": "local"})}, "local"),
        ({"extension": None, "usedCode": [{"coding": [{"system": LOCAL, "code": "MAC"}]}]}, "sedation"),
        ({"extension": [{"url": "https://hospital.example/anes", "valueCoding": {"system": LOCAL, "code": "LOC"}}]}, "local"),
        # Sources that agree are fine; codes the site does not map are ignored.
        ({"usedCode": [{"coding": [{"system": LOCAL, "code": "MAC"}, {"system": LOCAL, "code": "ZZ"}]}]}, "sedation"),
    ],
)  # fmt: skip
def test_anesthesia_sources(tmp_path: Path, kwargs: dict[str, Any], answer: str) -> None:
    assert ok(tmp_path, **kwargs)["anesthesia"] == answer


def test_missing_anesthesia_is_an_error_a_nurse_resolves(tmp_path: Path) -> None:
    message = error(tmp_path, "anesthesia", extension=None)
    assert "missing in the FHIR data" in message and "a nurse must supply it" in message
    unmapped = [{"coding": [{"system": "urn:unknown", "code": "GA"}]}]
    assert "missing" in error(tmp_path, "anesthesia", extension=None, usedCode=unmapped)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"extension": ours(valueCode="spinal")}, "must be local, sedation or general"),
        ({"extension": ours(valueString="general")}, "needs a valueCode"),
        ({"usedCode": [{"coding": [{"system": LOCAL, "code": "GA"}]}]}, "more than one anesthesia"),
    ],
)
def test_anesthesia_errors(tmp_path: Path, kwargs: dict[str, Any], fragment: str) -> None:
    assert fragment in error(tmp_path, "anesthesia", **kwargs)


# --- language ---------------------------------------------------------------------------------------
def speaks(*entries: tuple[str, bool]) -> Json:
    return patient(
        communication=[
            {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": code}]}, "preferred": preferred}
            for code, preferred in entries
        ]
    )


@pytest.mark.parametrize(
    ("pat", "language"),
    [
        (speaks(("en", False), ("es-MX", True)), "es"),  # the preferred one
        (speaks(("es-419", False), ("en", False)), "es"),  # else the first; a region is fine
        (speaks(("en-US", True)), "en"),
        (patient(communication=[{"language": {"text": "Spanish"}}]), "es"),
        (speaks(("ar", True), ("es", False)), None),  # not a language we write: English document
        (patient(), None),
    ],
)
def test_language_from_communication(tmp_path: Path, pat: Json, language: str | None) -> None:
    assert ok(tmp_path, patients=[pat]).get("language") == language


# --- the join ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "ref",
    ["Patient/p1", "https://ehr.example/fhir/Patient/p1", "https://ehr.example/fhir/Patient/p1/_history/3"],
)
def test_subject_references_in_several_forms(tmp_path: Path, ref: str) -> None:
    assert ok(tmp_path, subject={"reference": ref})["mrn"] == "MRN-77"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"subject": None}, "no subject"),
        ({"subject": {"reference": "Patient/p9"}}, "not in the FHIR input"),
        ({"subject": {"reference": "Group/g1"}}, "not in the FHIR input"),
        ({"patients": [patient(), patient(birthDate="1950-01-01")]}, "appears twice"),
    ],
)
def test_join_errors(tmp_path: Path, kwargs: dict[str, Any], fragment: str) -> None:
    assert fragment in error(tmp_path, "patient_name", **kwargs)


def test_the_same_patient_twice_is_harmless(tmp_path: Path) -> None:
    assert ok(tmp_path, patients=[patient(), patient()])["mrn"] == "MRN-77"


# --- no patient data in messages --------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs",
    [
        {"extension": None},
        {"bodySite": [{"text": "Quentin's back"}]},
        {"subject": {"reference": "Patient/MRN-77"}},
        {"performedDateTime": "1944-05"},
        {"encounter": {"reference": "Encounter/1944-05-06"}},
        {"patients": [patient(birthDate="1944-05")]},
        {"patients": [patient(identifier=[{"system": MRN_SYSTEM, "value": "MRN-77"}, {"system": MRN_SYSTEM, "value": "Zzyzx-2"}])]},
        {"extension": ours(valueCode="Quentin")},
        {"encounters": [stay(None, None, "Zzyzx", system=LOCAL)]},
    ],
)  # fmt: skip
def test_messages_never_contain_patient_values(tmp_path: Path, kwargs: dict[str, Any]) -> None:
    record = one(tmp_path, **kwargs)
    assert record.error is not None
    for value in ("Quentin", "Zzyzx", "MRN-77", "1944"):
        assert value not in record.error.message


# --- NDJSON export form -----------------------------------------------------------------------------
def test_the_reader_is_a_generator_and_records_carry_procedure_line_numbers(tmp_path: Path) -> None:
    procedures = [procedure(id=f"pr{n}", code=cpt("29881") if n == 2 else cpt("22513")) for n in range(1, 4)]
    folder = fhir_export(tmp_path, procedures)
    # A blank line still counts, so that a line number finds the line in an editor.
    path = folder / "Procedure.ndjson"
    path.write_text(path.read_text().replace("\n", "\n\n", 1))
    records = read_fhir_records(folder, FHIR_SITE)
    assert inspect.isgenerator(records)
    assert [(r.line, r.skipped is not None) for r in records] == [(1, False), (3, True), (4, False)]


def test_bulk_files_are_found_by_their_content_and_procedure_files_number_on(tmp_path: Path) -> None:
    write_ndjson(tmp_path / "1.Patient.ndjson", [patient()])
    write_ndjson(tmp_path / "Encounter_000.ndjson", [encounter()])
    write_ndjson(tmp_path / "Observation.ndjson", [{"resourceType": "Observation", "id": "o1"}])
    write_ndjson(tmp_path / "Procedure_1.ndjson", [procedure(id="a"), procedure(id="b")])
    write_ndjson(tmp_path / "Procedure_2.ndjson", [procedure(id="c")])
    (tmp_path / "notes.txt").write_text("ignored")
    records = list(read_fhir_records(tmp_path, FHIR_SITE))
    assert [r.line for r in records] == [1, 2, 3]
    assert all(r.error is None for r in records)
    # One file of the export: its Procedures, joined to the files beside it.
    only = list(read_fhir_records(tmp_path / "Procedure_2.ndjson", FHIR_SITE))
    assert [(r.line, r.fields["mrn"]) for r in only] == [(1, "MRN-77")]


def test_bad_procedure_lines_are_record_errors(tmp_path: Path) -> None:
    folder = fhir_export(tmp_path, [procedure()])
    with (folder / "Procedure.ndjson").open("a") as handle:
        handle.write('{"resourceType": "Procedure", \n')
        handle.write(json.dumps(patient()) + "\n")
    records = list(read_fhir_records(folder, FHIR_SITE))
    assert records[0].error is None
    assert [(r.line, r.error and r.error.field) for r in records[1:]] == [(2, "procedure"), (3, "procedure")]
    assert records[1].error and "not valid JSON" in records[1].error.message
    assert records[2].error and "not a Procedure" in records[2].error.message


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        ({"Procedure.ndjson": [procedure()]}, "no Patient .ndjson file"),
        ({"Patient.ndjson": [patient()]}, "no Procedure .ndjson file"),
        (
            {"Patient.ndjson": [patient(), procedure()], "Procedure.ndjson": [procedure()]},
            "one resource type",
        ),
    ],
)
def test_unusable_exports(tmp_path: Path, files: dict[str, list[Json]], fragment: str) -> None:
    for name, resources in files.items():
        write_ndjson(tmp_path / name, resources)
    with pytest.raises(InputFileError, match=fragment):
        read_fhir_records(tmp_path, FHIR_SITE)  # before the first record


def test_a_broken_patient_file_stops_the_run_before_any_record(tmp_path: Path) -> None:
    folder = fhir_export(tmp_path, [procedure()])
    with (folder / "Patient.ndjson").open("a") as handle:
        handle.write("{not json\n")
    with pytest.raises(InputFileError, match=r"Patient.ndjson line 2 is not valid JSON"):
        read_fhir_records(folder, FHIR_SITE)


def test_unusable_paths(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no file or folder"):
        read_fhir_records(tmp_path / "missing", FHIR_SITE)
    (tmp_path / "export.csv").write_text("a,b\n")
    with pytest.raises(InputFileError, match="Bulk Data export folder"):
        read_fhir_records(tmp_path / "export.csv", FHIR_SITE)
    fhir_export(tmp_path, [procedure()])
    with pytest.raises(InputFileError, match="does not hold Procedure"):
        read_fhir_records(tmp_path / "Patient.ndjson", FHIR_SITE)


# --- streaming --------------------------------------------------------------------------------------
def big_export(folder: Path, count: int) -> Path:
    patients = [patient(id=f"p{n}", identifier=[{"system": MRN_SYSTEM, "value": f"M{n}"}]) for n in range(50)]
    encounters = [encounter(id=f"e{n}", subject={"reference": f"Patient/p{n}"}) for n in range(50)]
    with (folder / "Procedure.ndjson").open("w", encoding="utf-8") as handle:
        for n in range(count):
            pad = {"note": [{"text": "x" * 400}]}  # realistic line length
            row = procedure(id=f"pr{n}", subject={"reference": f"Patient/p{n % 50}"}, **pad)
            row["encounter"] = {"reference": f"Encounter/e{n % 50}"}
            handle.write(json.dumps(row) + "\n")
    write_ndjson(folder / "Patient.ndjson", patients)
    write_ndjson(folder / "Encounter.ndjson", encounters)
    return folder


def test_procedures_are_read_one_line_at_a_time(tmp_path: Path) -> None:
    folder = big_export(tmp_path, 2000)
    # Bytes that are not UTF-8 at the end of the file: a reader that took in the whole file before
    # yielding would fail on the first record; a streaming one fails only when it gets there.
    with (folder / "Procedure.ndjson").open("ab") as handle:
        handle.write(b'{"resourceType": "Procedure", "id": "\xff"}\n')
    records = read_fhir_records(folder, FHIR_SITE)
    assert next(records).fields["mrn"] == "M0"
    with pytest.raises(InputFileError, match="not UTF-8"):
        for _ in records:
            pass


def test_memory_stays_small_however_many_procedures(tmp_path: Path) -> None:
    folder = big_export(tmp_path, 2000)
    size = (folder / "Procedure.ndjson").stat().st_size
    tracemalloc.start()
    try:
        count = sum(1 for record in read_fhir_records(folder, FHIR_SITE) if record.error is None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2000
    assert size > 1_500_000
    assert peak < size / 5, f"peak {peak} bytes for a {size}-byte Procedure file"


# --- Bundle form ------------------------------------------------------------------------------------
def bundle(tmp_path: Path, entries: list[Json], **extra: Any) -> Path:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries, **extra}))
    return path


def test_bundle_with_uuid_references_and_entry_numbers(tmp_path: Path) -> None:
    pat = patient(id=None)
    enc = encounter(id=None, subject={"reference": "urn:uuid:0000-p"})
    proc = procedure(
        id=None, subject={"reference": "urn:uuid:0000-p"}, encounter={"reference": "urn:uuid:0000-e"}
    )
    other = procedure(id=None, code=cpt("29881"))
    entries = [
        {"fullUrl": "urn:uuid:0000-pr", "resource": proc},
        {"fullUrl": "urn:uuid:0000-p", "resource": pat},
        {"fullUrl": "urn:uuid:0000-e", "resource": enc},
        {"request": {"method": "DELETE", "url": "Procedure/old"}},
        {"resource": other},
    ]
    records = list(read_fhir_records(bundle(tmp_path, entries), FHIR_SITE))
    assert [r.line for r in records] == [1, 5]
    assert records[0].fields["mrn"] == "MRN-77" and records[0].error is None
    assert records[1].skipped


def test_bundle_with_ids_and_full_urls(tmp_path: Path) -> None:
    entries = [
        # No id: known by its fullUrl, which a relative reference "Patient/p1" still finds.
        {"fullUrl": "https://ehr.example/fhir/Patient/p1", "resource": patient(id=None)},
        {"fullUrl": "https://ehr.example/fhir/Encounter/e1", "resource": encounter()},
        {"fullUrl": "https://ehr.example/fhir/Procedure/pr1", "resource": procedure()},
    ]
    (record,) = read_fhir_records(bundle(tmp_path, entries), FHIR_SITE)
    assert record.line == 3 and record.error is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps(procedure()), "not a FHIR Bundle"),
        (json.dumps({"transactionTime": "2027-01-01", "output": []}), "Bulk Data manifest"),
        (json.dumps({"resourceType": "Bundle", "type": "collection"}), "Bundle.entry"),
    ],
)
def test_unusable_bundles(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "input.json"
    path.write_text(text)
    with pytest.raises(InputFileError, match=fragment):
        read_fhir_records(path, FHIR_SITE)


# --- site settings ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        (
            '[fhir.anesthesia_codes]\n"urn:x|GA" = "spinal"\n',
            "fhir.anesthesia_codes.urn:x|GA",
            "local, sedation",
        ),
        ('[fhir.anesthesia_codes]\n"GA" = "general"\n', "fhir.anesthesia_codes.GA", "system|code"),
        ('[fhir.procedure_codes]\n"urn:x|1" = "fusion"\n', "fhir.procedure_codes.urn:x|1", "kyphoplasty"),
    ],
)
def test_site_code_tables_are_checked(tmp_path: Path, text: str, key: str, fragment: str) -> None:
    path = tmp_path / "site.toml"
    path.write_text(text)
    with pytest.raises(SiteSettingsError) as caught:
        load_site(path)
    assert caught.value.key == key and fragment in caught.value.message


# --- the shipped samples ----------------------------------------------------------------------------
def test_sample_export() -> None:
    site = load_site(REPO / "samples" / "fhir-site.toml")
    records = list(read_fhir_records(REPO / "samples" / "fhir", site))
    patients = (REPO / "samples" / "fhir" / "Patient.ndjson").read_text(encoding="utf-8").splitlines()
    assert len(patients) >= 10
    errors = {r.line: r.error.field for r in records if r.error}
    skips = {r.line: r.skipped for r in records if r.skipped}
    assert errors == {6: "anesthesia", 11: "levels"}
    assert skips == {7: NOT_AUGMENTATION, 8: "status is not-done, not completed"}
    cases = [build_case(r.fields) for r in records if not r.error and not r.skipped]
    assert len(cases) == 8
    assert {c.procedure for c in cases} == {"kyphoplasty", "vertebroplasty"}
    assert {c.anesthesia for c in cases} == {"local", "sedation", "general"}
    assert {c.overnight for c in cases} == {True, False}
    assert {c.language for c in cases} == {"en", "es"}


def test_sample_bundle() -> None:
    site = load_site(REPO / "samples" / "fhir-site.toml")
    records = list(read_fhir_records(REPO / "samples" / "fhir-bundle.json", site))
    assert [r.line for r in records] == [7, 8, 9]
    assert all(r.error is None and r.skipped is None for r in records)
    assert [build_case(r.fields).levels for r in records] == [("L1",), ("T11", "T12"), ("T6",)]


# --- end to end: the batch command on the samples ---------------------------------------------------
def run_batch(source: Path, out: Path, *extra: str) -> tuple[int, str]:
    args = ["batch", str(source), "--site", str(REPO / "samples" / "fhir-site.toml"), "--out-dir", str(out)]
    result = CliRunner().invoke(cli, [*args, "--jobs", "1", *extra])
    return result.exit_code, result.output


def test_batch_on_the_sample_export_then_resumed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = run_batch(REPO / "samples" / "fhir", out, "--packet", str(tmp_path / "packet.pdf"))
    assert code == 1, output  # some rows failed
    statuses = {int(row["line"]): row["status"] for row in read_csv(out / "manifest.csv")}
    assert statuses == {
        **{line: "written" for line in (1, 2, 3, 4, 5, 9, 10, 12)},
        **{6: "failed", 11: "failed", 7: "skipped", 8: "skipped"},
    }
    errors = read_csv(out / "errors.csv")
    assert [(row["line"], row["field"]) for row in errors] == [("6", "anesthesia"), ("11", "levels")]
    assert "a nurse must supply it" in errors[0]["message"]
    assert (tmp_path / "packet.pdf").read_bytes().startswith(b"%PDF-")
    spanish = pdf_text((out / "RSC-TEST-0003_2027-01-12.pdf").read_bytes())
    assert "vertebroplastia" in spanish and "L3" in spanish
    for value in ("Whitfield", "RSC-TEST", "1941"):
        assert value not in output
    # A rerun finds every document already done.
    code, output = run_batch(REPO / "samples" / "fhir", out)
    assert code == 1, output
    statuses = {int(row["line"]): row["status"] for row in read_csv(out / "manifest.csv")}
    assert [line for line, status in statuses.items() if status == "unchanged"] == [1, 2, 3, 4, 5, 9, 10, 12]


def test_batch_on_the_sample_bundle(tmp_path: Path) -> None:
    code, output = run_batch(REPO / "samples" / "fhir-bundle.json", tmp_path / "out")
    assert code == 0, output
    rows = read_csv(tmp_path / "out" / "manifest.csv")
    assert [(row["line"], row["status"]) for row in rows] == [
        ("7", "written"),
        ("8", "written"),
        ("9", "written"),
    ]


def test_batch_refuses_an_unusable_fhir_input(tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    write_ndjson(tmp_path / "export" / "Procedure.ndjson", [procedure()])
    code, output = run_batch(tmp_path / "export", tmp_path / "out")
    assert code == 2, output
    assert "no Patient .ndjson file" in output
