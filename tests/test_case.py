from __future__ import annotations

import datetime as dt

import pytest

from dischargegen import InputError, build_case
from tests.helpers import fields


def test_a_complete_case_is_normalised() -> None:
    case = build_case(
        fields(
            procedure="Vertebroplasty",
            anesthesia="GENERAL",
            overnight="yes",
            levels="l1 t12",
            cause="Osteoporosis",
            follow_up="2027-01-12 14:30",
            brace="no",
            blood_thinner_restart="01/04/2027",
            procedure_time="09:30",
        )
    )
    assert case.procedure == "vertebroplasty"
    assert case.anesthesia == "general"
    assert case.overnight is True
    assert case.levels == ("T12", "L1")
    assert case.cause == "osteoporosis"
    assert case.follow_up == dt.datetime(2027, 1, 12, 14, 30)
    assert case.brace is False
    assert case.blood_thinner_restart == dt.date(2027, 1, 4)
    assert case.discharge_date == dt.date(2027, 1, 2)
    assert case.procedure_time == dt.time(9, 30)


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"patient_name": ""}, "patient_name", "is required"),
        ({"mrn": "  "}, "mrn", "is required"),
        ({"dob": "1944-02-30"}, "dob", "not a real calendar date"),
        ({"dob": "06/05/44"}, "dob", "YYYY-MM-DD or MM/DD/YYYY"),
        ({"dob": "2027-01-01"}, "dob", "before the procedure date"),
        ({"dob": "1890-01-01"}, "dob", "age over"),
        ({"procedure_date": "2027-13-01"}, "procedure_date", "not a real calendar date"),
        ({"procedure": "laminectomy"}, "procedure", "kyphoplasty, vertebroplasty"),
        ({"anesthesia": "spinal"}, "anesthesia", "local, sedation, general"),
        ({"overnight": "maybe"}, "overnight", "yes or no"),
        ({"cause": "unknown"}, "cause", "osteoporosis, cancer, trauma"),
        ({"follow_up": "2026-12-31 10:00"}, "follow_up", "not be before the procedure"),
        ({"follow_up": "2027-01-10"}, "follow_up", "date and a time"),
        ({"follow_up": "2027-01-10 25:00"}, "follow_up", "24-hour time"),
        ({"blood_thinner_restart": "2026-12-30"}, "blood_thinner_restart", "not be before the procedure"),
        ({"brace": "perhaps"}, "brace", "yes or no"),
        ({"paper": "legal"}, "paper", "letter, a4"),
        ({"language": "fr"}, "language", "en, es"),
        ({"patient_name": "Ana\x07Diaz"}, "patient_name", "U+0007"),
        ({"patient_name": "A" * 81}, "patient_name", "longer than 80"),
        ({"levels": "T13"}, "levels", "is not a vertebra"),
    ],
)
def test_each_bad_field_is_named(overrides: dict[str, str], field: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        build_case(fields(**overrides))
    assert caught.value.field == field
    assert fragment in caught.value.message


def test_error_messages_never_repeat_the_value() -> None:
    # Values can be protected health information; messages go to terminals and errors.csv.
    with pytest.raises(InputError) as caught:
        build_case(fields(dob="1944-02-30"))
    assert "1944" not in str(caught.value)


def test_white_space_in_names_is_folded() -> None:
    case = build_case(fields(patient_name="  Ana \n  Diaz\t"))
    assert case.patient_name == "Ana Diaz"


def test_unknown_field_is_refused() -> None:
    with pytest.raises(InputError, match="is not a case field"):
        build_case({**fields(), "ward": "4B"})
