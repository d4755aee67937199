"""Issue 11, FHIR input: hostile JSON fails alone, references join only what they name, Synthea data is read,
and a record reports every failing field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dischargegen import build_case
from dischargegen.case import MAX_MRN_LENGTH
from dischargegen.cli import cli
from dischargegen.errors import InputError, InvalidFields, each_error
from dischargegen.site import DEFAULT_SITE
from dischargegen.sources import InputFileError, Record
from dischargegen.sources.fhir import read_fhir_records
from dischargegen.sources.fhir.elements import MAX_JSON_DEPTH, MAX_NUMBER_LENGTH, UnreadableJson, load_json
from dischargegen.sources.fhir.mapping import ANESTHESIA_MISSING, NOT_AUGMENTATION
from tests.helpers import (
    FHIR_SITE,
    REPO,
    Json,
    encounter,
    fhir_export,
    fields,
    pages,
    patient,
    pdf_text,
    procedure,
    read_csv,
)

SYNTHEA = REPO / "samples" / "synthea-bundle.json"
DEEP = 100_000
HUGE_DIGITS = 5_000


def batch(source: Path, out: Path, *extra: str) -> tuple[int, str]:
    """The real batch command, one worker; FHIR_SITE's [fhir] settings written to a file as a user would."""
    site = out.parent / "fhir-site.toml"
    if not site.exists():
        site.write_text('[fhir]\nmrn_system = "https://hospital.example/mrn"\n', encoding="utf-8")
    args = ["batch", str(source), "--site", str(site), "--out-dir", str(out), "--jobs", "1", *extra]
    result = CliRunner().invoke(cli, args)
    assert "Traceback" not in result.output
    assert "internal error" not in result.output.lower()
    return result.exit_code, result.output


def statuses(out: Path) -> dict[int, str]:
    return {int(row["line"]): row["status"] for row in read_csv(out / "manifest.csv")}


def written_text(out: Path, line: int) -> str:
    (row,) = [row for row in read_csv(out / "manifest.csv") if int(row["line"]) == line]
    assert row["status"] == "written", row
    return pdf_text((out / row["file"]).read_bytes())


def deep_line(depth: int = DEEP) -> str:
    """A Procedure whose note nests `depth` lists deep (the Procedure object itself is one more level)."""
    body = json.dumps(procedure(id="deep"))
    return body[:-1] + ', "note": ' + "[" * depth + "]" * depth + "}"


def huge_number_line(number: str = "7" * HUGE_DIGITS) -> str:
    body = json.dumps(procedure(id="huge"))
    return body[:-1] + f', "extension2": {number}' + "}"


def ndjson_export(folder: Path, lines: list[str]) -> Path:
    folder.mkdir(exist_ok=True)
    fhir_export(folder, [])
    (folder / "Procedure.ndjson").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return folder


def good(number: int) -> str:
    return json.dumps(procedure(id=f"ok{number}"))


# --- 8. a line nested 100,000 deep or holding a 5,000-digit number is an error for that line only -------
def test_issue_reproduction_deep_and_huge_procedure_lines_fail_alone(tmp_path: Path) -> None:
    folder = ndjson_export(tmp_path / "export", [good(1), deep_line(), huge_number_line(), good(4)])
    records = list(read_fhir_records(folder, FHIR_SITE))
    assert [r.line for r in records] == [1, 2, 3, 4]
    assert records[0].error is None and records[3].error is None
    deep, huge = records[1].error, records[2].error
    assert deep is not None and deep.field == "procedure"
    assert f"nests deeper than {MAX_JSON_DEPTH} levels" in deep.message
    assert huge is not None and huge.field == "procedure"
    assert f"holds a number longer than {MAX_NUMBER_LENGTH} characters" in huge.message

    out = tmp_path / "out"
    code, output = batch(folder, out)
    assert code == 1, output  # some rows failed: not 2, the file was not unusable
    assert statuses(out) == {1: "written", 2: "failed", 3: "failed", 4: "written"}
    errors = read_csv(out / "errors.csv")
    assert [(row["line"], row["field"]) for row in errors] == [("2", "procedure"), ("3", "procedure")]
    assert "Zzyzx" in written_text(out, 4)  # the line after the hostile ones was read and rendered


@pytest.mark.parametrize(
    ("hostile", "fragment"),
    [
        # A 5,000-digit decimal was silently read as inf; a negative one, an exponent too long: same rule.
        (huge_number_line("0." + "3" * HUGE_DIGITS), "number longer than"),
        (huge_number_line("-" + "9" * 60), "number longer than"),
        (huge_number_line("1e" + "1" * 50), "number longer than"),
        (huge_number_line("NaN"), "not valid JSON"),
        (huge_number_line("-Infinity"), "not valid JSON"),
        ('{"resourceType": "Procedure", "note": ' + "{" * 5000 + "}" * 5000 + "}", "nests deeper"),
        # Deep and never closed: still one line's error, not a crash in the parser.
        ('{"resourceType": "Procedure", "x": ' + "[" * DEEP, "nests deeper"),
        # Deep, then a string never closed full of escaped quotes: the depth check once took the square of
        # the line's length here (40 s for this line), so one line could stall a run.
        ('{"resourceType": "Procedure", "x": ' + "[" * 101 + '"' + '\\"' * 40_000, "nests deeper"),
    ],
)
def test_other_hostile_procedure_lines_fail_alone(tmp_path: Path, hostile: str, fragment: str) -> None:
    records = list(read_fhir_records(ndjson_export(tmp_path, [hostile, good(2)]), FHIR_SITE))
    first, second = records
    assert first.line == 1 and first.error is not None and fragment in first.error.message
    assert second.line == 2 and second.error is None


def test_a_hostile_first_procedure_line_does_not_refuse_the_export(tmp_path: Path) -> None:
    """The file's resource type comes from its first readable line, so the bad first line fails alone."""
    records = list(read_fhir_records(ndjson_export(tmp_path, [deep_line(), good(2)]), FHIR_SITE))
    assert [(r.line, r.error and r.error.field) for r in records] == [(1, "procedure"), (2, None)]


def test_brackets_inside_strings_are_text_not_nesting(tmp_path: Path) -> None:
    text = "[" * 5000 + "{" * 5000 + '\\"]' + "}" * 10
    row = procedure(note=[{"text": text}])
    (record,) = read_fhir_records(ndjson_export(tmp_path, [json.dumps(row)]), FHIR_SITE)
    assert record.error is None, record.error


@settings(max_examples=50, deadline=None)
@given(
    depth=st.integers(min_value=1, max_value=3 * MAX_JSON_DEPTH), digits=st.integers(1, 3 * MAX_NUMBER_LENGTH)
)
def test_the_parser_takes_exactly_what_its_bounds_say(depth: int, digits: int) -> None:
    nested = "[" * (depth - 1) + "{}" + "]" * (depth - 1)
    if depth <= MAX_JSON_DEPTH:
        assert load_json(nested) is not None
    else:
        with pytest.raises(UnreadableJson, match="nests deeper"):
            load_json(nested)
    for number, convert in (("9" * digits, int), ("9" * digits + ".5", float)):
        if len(number) <= MAX_NUMBER_LENGTH:
            assert load_json(f"[{number}]") == [convert(number)]
        else:
            with pytest.raises(UnreadableJson, match="number longer"):
                load_json(f"[{number}]")


def test_a_hostile_patient_line_refuses_the_export_as_a_whole(tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    folder = fhir_export(tmp_path / "export", [procedure()])
    with (folder / "Patient.ndjson").open("a", encoding="utf-8") as handle:
        handle.write('{"resourceType": "Patient", "id": "p2", "x": ' + "[" * DEEP + "]" * DEEP + "}\n")
    with pytest.raises(InputFileError, match=r"Patient.ndjson line 2 nests deeper than 100 levels"):
        read_fhir_records(folder, FHIR_SITE)
    code, output = batch(folder, tmp_path / "out")
    assert code == 2, output
    assert output.count("Error:") == 1 and "Patient.ndjson line 2" in output


def bundle_text(entries: list[Json], tail: str = "") -> str:
    text = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries})
    return text[:-1] + tail + "}"


@pytest.mark.parametrize(
    ("tail", "fragment"),
    [
        (', "x": ' + "[" * DEEP + "]" * DEEP, "nests deeper than 100 levels"),
        (', "total": ' + "7" * HUGE_DIGITS, "holds a number longer than 40 characters"),
        (', "total": 0.' + "1" * HUGE_DIGITS, "holds a number longer than 40 characters"),
    ],
)
def test_a_hostile_bundle_is_refused_as_a_whole_with_one_line(
    tmp_path: Path, tail: str, fragment: str
) -> None:
    path = tmp_path / "bundle.json"
    entries = [{"resource": patient()}, {"resource": encounter()}, {"resource": procedure()}]
    path.write_text(bundle_text(entries, tail), encoding="utf-8")
    with pytest.raises(InputFileError, match=f"bundle.json {fragment}"):
        read_fhir_records(path, FHIR_SITE)
    out = tmp_path / "out"
    code, output = batch(path, out)
    assert code == 2, output
    assert [line for line in output.splitlines() if line.strip()] == [f"Error: bundle.json {fragment}"]
    assert not list(out.glob("*.pdf"))


def test_a_deep_procedure_inside_a_bundle_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    entries_text = bundle_text([{"resource": patient()}, {"resource": encounter()}])
    path.write_text(entries_text[:-2] + ', {"resource": ' + deep_line() + "}]}", encoding="utf-8")
    with pytest.raises(InputFileError, match="nests deeper"):
        read_fhir_records(path, FHIR_SITE)


# --- 15. references join only the resource they name ---------------------------------------------
EHR = "https://ehr.example/fhir"
OTHER = "https://other.example/fhir"


def bundle_file(tmp_path: Path, entries: list[Json]) -> Path:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}))
    return path


def local_entries(base: str | None = EHR) -> list[Json]:
    """Patient/p1, Encounter/e1 of one server (base None: entries without fullUrl)."""

    def entry(resource: Json) -> Json:
        if base is None:
            return {"resource": resource}
        return {"fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}", "resource": resource}

    return [entry(patient()), entry(encounter())]


def procedure_entry(base: str | None, **overrides: Any) -> Json:
    resource = procedure(**overrides)
    entry: Json = {"resource": resource}
    if base is not None:
        entry["fullUrl"] = f"{base}/Procedure/{resource['id']}"
    return entry


def only_error(path: Path) -> InputError:
    (record,) = read_fhir_records(path, FHIR_SITE)
    assert record.error is not None, record
    return record.error


@pytest.mark.parametrize("local_base", [EHR, None])
def test_issue_reproduction_another_servers_patient_is_not_joined(
    tmp_path: Path, local_base: str | None
) -> None:
    entries = [
        *local_entries(local_base),
        procedure_entry(local_base, subject={"reference": f"{OTHER}/Patient/p1"}),
    ]
    error = only_error(bundle_file(tmp_path, entries))
    assert error.field == "patient_name"
    assert error.message.startswith("Procedure.subject is an absolute reference to a server that no entry")
    assert "other.example" not in error.message and "p1" not in error.message


def test_another_servers_encounter_is_not_joined(tmp_path: Path) -> None:
    entries = [*local_entries(), procedure_entry(EHR, encounter={"reference": f"{OTHER}/Encounter/e1"})]
    error = only_error(bundle_file(tmp_path, entries))
    assert error.field == "overnight"
    assert error.message.startswith("Procedure.encounter is an absolute reference to a server")


def two_servers() -> list[Json]:
    """The same ids on two servers: Patient/p1 and Encounter/e1 at ehr.example and at other.example."""
    entries: list[Json] = []
    for base, mrn, name in ((EHR, "MRN-EHR", "Ehrpatient"), (OTHER, "MRN-OTHER", "Otherpatient")):
        pat = patient(identifier=[{"system": "https://hospital.example/mrn", "value": mrn}])
        pat["name"] = [{"family": name, "given": ["Quentin"]}]
        entries.append({"fullUrl": f"{base}/Patient/p1", "resource": pat})
        entries.append({"fullUrl": f"{base}/Encounter/e1", "resource": encounter()})
    return entries


def test_relative_references_resolve_against_the_referring_entrys_server(tmp_path: Path) -> None:
    entries = [
        *two_servers(),
        procedure_entry(EHR, id="a"),  # "Patient/p1" from ehr.example: that server's patient
        procedure_entry(OTHER, id="b"),  # the same text from other.example: the other one
        # An absolute reference across servers names exactly that server's resources.
        procedure_entry(
            EHR,
            id="c",
            subject={"reference": f"{OTHER}/Patient/p1/_history/2"},
            encounter={"reference": f"{OTHER}/Encounter/e1"},
        ),
    ]
    records = list(read_fhir_records(bundle_file(tmp_path, entries), FHIR_SITE))
    assert [(r.error, r.fields["mrn"]) for r in records] == [
        (None, "MRN-EHR"),
        (None, "MRN-OTHER"),
        (None, "MRN-OTHER"),
    ]

    out = tmp_path / "out"
    code, output = batch(bundle_file(tmp_path, entries), out)
    assert code == 0, output
    assert "Ehrpatient" in written_text(out, 5) and "Otherpatient" not in written_text(out, 5)
    assert "Otherpatient" in written_text(out, 6) and "Otherpatient" in written_text(out, 7)


def test_an_encounter_of_the_same_id_on_another_server_belongs_to_another_patient(tmp_path: Path) -> None:
    # The Procedure is ehr.example's; its encounter reference names other.example's Encounter/e1, whose
    # relative subject "Patient/p1" is other.example's patient: not the Procedure's.
    entries = [*two_servers(), procedure_entry(EHR, encounter={"reference": f"{OTHER}/Encounter/e1"})]
    error = only_error(bundle_file(tmp_path, entries))
    assert (error.field, error.message) == (
        "overnight",
        "the Procedure's Encounter belongs to a different Patient",
    )


def test_an_encounter_whose_subject_is_on_another_server_is_not_the_procedures(tmp_path: Path) -> None:
    entries = local_entries()
    entries[1]["resource"]["subject"] = {"reference": f"{OTHER}/Patient/p1"}
    error = only_error(bundle_file(tmp_path, [*entries, procedure_entry(EHR)]))
    assert (error.field, error.message) == (
        "overnight",
        "the Procedure's Encounter belongs to a different Patient",
    )


def test_a_conditional_subject_is_named_not_guessed(tmp_path: Path) -> None:
    ref = "Patient?identifier=https://hospital.example/mrn|MRN-77"
    error = only_error(
        bundle_file(tmp_path, [*local_entries(), procedure_entry(EHR, subject={"reference": ref})])
    )
    assert error.field == "patient_name" and "conditional reference" in error.message
    assert "MRN-77" not in error.message


def test_issue_reproduction_through_batch(tmp_path: Path) -> None:
    entries = [
        *local_entries(),
        procedure_entry(EHR, id="ours"),
        procedure_entry(EHR, id="theirs", subject={"reference": f"{OTHER}/Patient/p1"}),
    ]
    out = tmp_path / "out"
    code, output = batch(bundle_file(tmp_path, entries), out)
    assert code == 1, output
    assert statuses(out) == {3: "written", 4: "failed"}
    errors = read_csv(out / "errors.csv")
    assert [(row["line"], row["field"]) for row in errors] == [("4", "patient_name")]
    assert errors[0]["message"].startswith("Procedure.subject is an absolute reference")
    assert len(list(out.glob("*.pdf"))) == 1


def test_bulk_data_exports_still_match_absolute_references_by_type_and_id(tmp_path: Path) -> None:
    # No fullUrls in NDJSON: the Bulk Data spec roots absolute references at the exporting server.
    folder = fhir_export(tmp_path, [procedure(subject={"reference": f"{EHR}/Patient/p1"})])
    (record,) = read_fhir_records(folder, FHIR_SITE)
    assert record.error is None and record.fields["mrn"] == "MRN-77"


# --- every failing field of a FHIR record -----------------------------------------------------------
def fields_of(record: Record) -> list[str]:
    assert record.error is not None, record
    return [error.field for error in each_error(record.error)]


def test_a_record_without_mrn_and_anesthesia_reports_both(tmp_path: Path) -> None:
    folder = fhir_export(tmp_path, [procedure(extension=None)], patients=[patient(identifier=None)])
    (record,) = read_fhir_records(folder, FHIR_SITE)
    assert isinstance(record.error, InvalidFields)
    assert fields_of(record) == ["mrn", "anesthesia"]
    messages = [error.message for error in each_error(record.error)]
    assert "no identifier with system" in messages[0] and messages[1] == ANESTHESIA_MISSING


def test_every_failing_field_in_column_order(tmp_path: Path) -> None:
    bad_patient = patient(name=None, identifier=None, birthDate="1944")
    bad_procedure = procedure(
        bodySite=None,
        extension=None,
        performedDateTime=None,
        encounter=None,
        code={
            "coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": c} for c in ("22513", "22510")]
        },
    )
    (record,) = read_fhir_records(fhir_export(tmp_path, [bad_procedure], patients=[bad_patient]), FHIR_SITE)
    assert fields_of(record) == [
        "patient_name", "mrn", "dob", "procedure", "levels", "anesthesia", "overnight", "procedure_date",
    ]  # fmt: skip
    for value in ("Quentin", "Zzyzx", "MRN-77", "1944"):
        assert all(value not in error.message for error in each_error(record.error))  # type: ignore[arg-type]


def test_an_unjoined_patient_still_reports_the_procedures_own_fields(tmp_path: Path) -> None:
    (record,) = read_fhir_records(fhir_export(tmp_path, [procedure(subject=None, extension=None)]), FHIR_SITE)
    assert fields_of(record) == ["patient_name", "anesthesia"]


def test_one_failing_field_is_a_plain_input_error(tmp_path: Path) -> None:
    (record,) = read_fhir_records(fhir_export(tmp_path, [procedure(extension=None)]), FHIR_SITE)
    assert type(record.error) is InputError and record.error.field == "anesthesia"


def test_errors_csv_has_one_line_per_failing_field_of_a_fhir_record(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    fhir_export(
        folder, [procedure(extension=None), procedure(id="other")], patients=[patient(identifier=None)]
    )
    out = tmp_path / "out"
    code, output = batch(folder, out)
    assert code == 1, output
    rows = read_csv(out / "errors.csv")
    assert [(row["line"], row["field"]) for row in rows] == [("1", "mrn"), ("1", "anesthesia"), ("2", "mrn")]
    assert rows[1]["message"] == ANESTHESIA_MISSING
    assert "2 failed" in output  # the summary counts records, not fields


# --- 22. Synthea data: long identifiers, transaction Bundles, conditional references ----------------
def test_mrns_as_long_as_real_systems_make_them_are_accepted() -> None:
    assert MAX_MRN_LENGTH == 64
    uuid = "5c7a4d1e-2b3f-4e6a-9c8d-0f1e2d3c4b5a"
    assert build_case(fields(mrn=uuid)).mrn == uuid
    assert build_case(fields(mrn="M" * 64)).mrn == "M" * 64
    with pytest.raises(InputError) as caught:
        build_case(fields(mrn="M" * 65))
    assert caught.value.field == "mrn" and "64" in caught.value.message


def test_the_synthea_sample_maps_every_procedure(tmp_path: Path) -> None:
    records = list(read_fhir_records(SYNTHEA, DEFAULT_SITE))  # no site settings: Synthea's MR identifier
    assert [(r.line, r.error, r.skipped) for r in records] == [
        (8, None, None),
        (9, None, NOT_AUGMENTATION),
        (19, None, None),
        (29, None, None),
    ]
    cases = [build_case(r.fields) for r in records if r.skipped is None]
    assert all(len(case.mrn) == 36 for case in cases)
    assert [(c.procedure, c.levels, c.anesthesia, c.overnight, c.language) for c in cases] == [
        ("kyphoplasty", ("T12",), "sedation", False, "en"),
        ("vertebroplasty", ("L2",), "general", True, "es"),
        ("kyphoplasty", ("L1",), "local", False, "en"),
    ]


def test_the_synthea_sample_is_what_synthea_writes() -> None:
    bundle = json.loads(SYNTHEA.read_text(encoding="utf-8"))
    assert bundle["type"] == "transaction"
    entries = bundle["entry"]
    assert all(entry["fullUrl"].startswith("urn:uuid:") for entry in entries)
    kinds = {entry["resource"]["resourceType"] for entry in entries}
    assert kinds >= {
        "Patient", "Encounter", "Procedure", "Condition", "Observation", "Claim", "ExplanationOfBenefit",
        "Immunization", "MedicationRequest", "Organization", "Practitioner", "Location", "Provenance",
    }  # fmt: skip
    assert {entry["request"]["method"] for entry in entries} == {"POST", "PUT"}
    text = SYNTHEA.read_text(encoding="utf-8")
    assert '"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999999999"' in text
    assert '"Organization?identifier=' in text
    patients = [entry["resource"] for entry in entries if entry["resource"]["resourceType"] == "Patient"]
    assert len(patients) == 3
    for resource in patients:
        types = [i["type"]["coding"][0]["code"] for i in resource["identifier"] if "type" in i]
        assert types == ["MR", "SS", "DL", "PPN"]


def test_issue_reproduction_synthea_bundle_through_batch(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(SYNTHEA), "--out-dir", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert statuses(out) == {8: "written", 9: "skipped", 19: "written", 29: "written"}
    assert read_csv(out / "errors.csv") == []
    bundle = json.loads(SYNTHEA.read_text(encoding="utf-8"))
    for line, name, words in (
        (8, "Wendell742 Brightwater419", "kyphoplasty"),
        (19, "Marisol615 Quintanilla88", "vertebroplastia"),
        (29, "Otto417 Vandermeer263", "kyphoplasty"),
    ):
        subject = bundle["entry"][line - 1]["resource"]["subject"]["reference"]
        mrn = subject.removeprefix("urn:uuid:")  # Synthea's MR identifier is the Patient's UUID
        (row,) = [row for row in read_csv(out / "manifest.csv") if int(row["line"]) == line]
        document = pages((out / row["file"]).read_bytes())
        for page in document:  # the whole identifier on every page, however the header wraps it
            assert mrn in page.replace(" ", "") and name in page
        assert words in " ".join(document)
    for value in ("Brightwater", "Quintanilla", bundle["entry"][3]["resource"]["id"]):
        assert value not in result.output


def test_a_synthea_style_bundle_with_a_64_character_mrn_and_conditional_requests(tmp_path: Path) -> None:
    mrn = "urn:oid:2.16.840.1.113883.19.5.99999.1-" + "a" * 25
    assert len(mrn) == 64
    pat = patient(
        id=None,
        identifier=[
            {
                "type": {
                    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]
                },
                "value": mrn,
            }
        ],
    )
    pat["name"] = [{"family": "Longidentifier", "given": ["Quentin"]}]
    entries = [
        {"fullUrl": "urn:uuid:aaaa", "resource": pat, "request": {"method": "PUT", "url": "Patient?identifier=x|y"}},
        {"fullUrl": "urn:uuid:bbbb", "resource": encounter(id=None, subject={"reference": "urn:uuid:aaaa"},
         participant=[{"individual": {"reference": "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999999999"}}],
         serviceProvider={"reference": "Organization?identifier=https://github.com/synthetichealth/synthea|1"}),
         "request": {"method": "POST", "url": "Encounter"}},
        {"fullUrl": "urn:uuid:cccc", "resource": procedure(id=None, subject={"reference": "urn:uuid:aaaa"},
         encounter={"reference": "urn:uuid:bbbb"},
         performer=[{"actor": {"reference": "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999999999"}}]),
         "request": {"method": "POST", "url": "Procedure"}},
    ]  # fmt: skip
    path = tmp_path / "synthea.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": entries}))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(path), "--out-dir", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    text = written_text(out, 3)
    assert mrn in text.replace(" ", "") and "Quentin Longidentifier" in text
