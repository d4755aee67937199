"""Issue 11, the packet: any --sort-by text sorts (item 11)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dischargegen.batch import PacketItem
from dischargegen.packet import natural_key, ordered
from tests.test_batch import GOOD, NAMES, batch, packet_layout, person, write_csv


# --- item 11: any --sort-by text sorts --------------------------------------------------------------
def marked(path: Path) -> list[str]:
    return [title.split(" \u00b7 ")[0] for title, _ in packet_layout(path)[1]]


def test_superscript_and_circled_digits_sort_as_text(tmp_path: Path) -> None:
    rows = [{**GOOD[0], "room": "4²"}, {**GOOD[1], "room": "①"}, {**GOOD[2], "room": "10"}]
    export = write_csv(tmp_path / "in.csv", rows)
    out, packet = tmp_path / "out", tmp_path / "packet.pdf"
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", packet, "--sort-by", "room")
    assert result.exit_code == 0, result.output
    # 4² is the number 4 then the text ²; ① is text, after every number.
    assert marked(packet) == [NAMES[0], NAMES[2], NAMES[1]]


def test_other_digits_and_huge_numbers_sort_without_a_crash(tmp_path: Path) -> None:
    huge = "9" * 5000  # past int()'s limit on digits
    rooms = ["\u0663", huge, "\uff13", "2"]  # Arabic-Indic three, a huge number, fullwidth three, 2
    rows = [person(f"Patient {i}", f"Q-{200 + i}", room=room) for i, room in enumerate(rooms)]
    export = write_csv(tmp_path / "in.csv", rows)
    out, packet = tmp_path / "out", tmp_path / "packet.pdf"
    result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", packet, "--sort-by", "room")
    assert result.exit_code == 0, result.output
    # Numbers first in their order, then the other digits as text (by code point).
    assert marked(packet) == ["Patient 3", "Patient 1", "Patient 0", "Patient 2"]


def item(line: int, sort_key: str) -> PacketItem:
    return PacketItem(line, f"{line}.pdf", f"patient {line}", sort_key)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(), max_size=12))
def test_any_text_values_sort(values: list[str]) -> None:
    items = [item(line, value) for line, value in enumerate(values, start=2)]
    result = ordered(items, "room")
    assert sorted(result, key=lambda it: it.line) == items  # a permutation: nothing lost
    blank = [it.sort_key.strip() == "" for it in result]
    assert blank == sorted(blank)  # empty values last
    for before, after in zip(result, result[1:], strict=False):
        assert natural_key(before.sort_key) <= natural_key(after.sort_key)
        if natural_key(before.sort_key) == natural_key(after.sort_key):
            assert before.line < after.line  # ties keep input order


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0), st.integers(min_value=0), st.text(max_size=5), st.integers(0, 3))
def test_numbers_sort_as_numbers(first: int, second: int, prefix: str, zeros: int) -> None:
    prefix = prefix.rstrip("0123456789")  # a digit before would be part of the number
    left, right = natural_key(f"{prefix}{'0' * zeros}{first}"), natural_key(f"{prefix}{second}")
    assert (left < right) == (first < second) and (left == right) == (first == second)


# Any printable text: line and paragraph separators are the CSV reader's business, not the sort's.
ROOM_CHARACTERS = st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"))
TRICKY_ROOMS = ["4²", "①", "Room 10", "room 2", "\u0663", "\uff13", "", "007"]


@settings(max_examples=8, deadline=None)
@given(st.lists(st.text(ROOM_CHARACTERS, max_size=8) | st.sampled_from(TRICKY_ROOMS), min_size=3, max_size=3))
def test_any_room_text_through_the_batch(rooms: list[str]) -> None:
    rows = [{**row, "room": room} for row, room in zip(GOOD, rooms, strict=True)]
    with tempfile.TemporaryDirectory() as folder:
        export = write_csv(Path(folder) / "in.csv", rows)
        out, packet = Path(folder) / "out", Path(folder) / "packet.pdf"
        result = batch(export, "--out-dir", out, "--jobs", "1", "--packet", packet, "--sort-by", "room")
        assert result.exit_code == 0, result.output
        expected = ordered([item(i, room.strip()) for i, room in enumerate(rooms)], "room")
        assert marked(packet) == [NAMES[it.line] for it in expected]
