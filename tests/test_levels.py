from __future__ import annotations

import pytest

from dischargegen.errors import InputError
from dischargegen.levels import SPINE, parse_levels


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("T12,L1", ("T12", "L1")),
        ("t12 l1", ("T12", "L1")),
        ("L1, T12", ("T12", "L1")),
        ("T11-L1", ("T11", "T12", "L1")),
        ("t11 - l1", ("T11", "T12", "L1")),
        ("L2", ("L2",)),
        ("T1-T3, L5", ("T1", "T2", "T3", "L5")),
        ("T11\u2013L1", ("T11", "T12", "L1")),
    ],
)
def test_levels_accept_lists_and_ranges(text: str, expected: tuple[str, ...]) -> None:
    assert parse_levels(text) == expected


def test_spine_has_seventeen_treatable_levels() -> None:
    assert len(SPINE) == 17 and SPINE[0] == "T1" and SPINE[-1] == "L5"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "no level given"),
        (" , ", "no level given"),
        ("T13", "'T13' is not a vertebra"),
        ("L6", "'L6' is not a vertebra"),
        ("C7", "'C7' is not a vertebra"),
        ("S1", "'S1' is not a vertebra"),
        ("T12,T12", "T12 is listed more than once"),
        ("T11-L1, T12", "T12 is listed more than once"),
        ("L1-T11", "runs upwards"),
        ("T1-", "not a valid range"),
    ],
)
def test_bad_levels_name_the_problem(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_levels(text)
    assert caught.value.field == "levels"
    assert fragment in str(caught.value)
