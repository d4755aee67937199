"""Library errors survive a trip through pickle (a worker process hands them back as they are)."""

from __future__ import annotations

import pickle

import pytest

from dischargegen.errors import InputError, InvalidFields, SiteSettingsError, each_error, one_error


def test_input_error_pickles_with_its_field() -> None:
    error = pickle.loads(pickle.dumps(InputError("dob", "is required")))
    assert (type(error), error.field, error.message, str(error)) == (
        InputError,
        "dob",
        "is required",
        "dob: is required",
    )


def test_site_settings_error_pickles_with_its_key() -> None:
    error = pickle.loads(pickle.dumps(SiteSettingsError("limits.fever_f", "must be a number")))
    assert (error.key, error.message) == ("limits.fever_f", "must be a number")
    assert str(error) == "site setting limits.fever_f: must be a number"


def test_invalid_fields_keeps_every_field_in_order_and_reads_as_its_first() -> None:
    inner = [InputError("mrn", "is required"), InputError("dob", "is not a real calendar date")]
    error = InvalidFields([inner[0], InvalidFields([inner[1]])])
    assert [e.field for e in each_error(error)] == ["mrn", "dob"]
    assert (error.field, error.message) == ("mrn", "is required")
    back = pickle.loads(pickle.dumps(error))
    assert isinstance(back, InvalidFields)
    assert [(e.field, e.message) for e in back.errors] == [(e.field, e.message) for e in inner]


def test_each_error_of_a_single_error_is_itself() -> None:
    error = InputError("levels", "is required")
    assert each_error(error) == (error,)


def test_invalid_fields_needs_an_error() -> None:
    with pytest.raises(ValueError):
        InvalidFields([])


def test_one_error_is_the_error_itself_or_every_field_together() -> None:
    single = InputError("mrn", "is required")
    assert one_error([single]) is single
    both = one_error([single, InputError("dob", "is required")])
    assert isinstance(both, InvalidFields) and [e.field for e in each_error(both)] == ["mrn", "dob"]
