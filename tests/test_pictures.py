"""Issue 13 item 2: pictures that carry meaning. Each picture is read back from the Drawing it makes (its
strings, fonts, fills and marked vertebrae) and from a PDF it is drawn into (pypdf text), never trusted from
the code that drew it."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import Any

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Group, Path, String
from reportlab.lib.colors import black, white
from reportlab.pdfgen.canvas import Canvas

from dischargegen.errors import ContentError
from dischargegen.levels import SPINE
from dischargegen.pdf import pictures
from dischargegen.pdf.fonts import BOLD, REGULAR
from dischargegen.pdf.pictures import (
    PICTURES,
    draw_picture,
    picture_attributes,
    treated_levels,
    vertebrae,
)

SPINE_WORDS = {"upper": "Mid-back", "lower": "Lower back", "neck": "Neck"}
# One set of attributes per picture, and the words each must show (no more, no fewer).
EXAMPLES: dict[str, tuple[dict[str, str], list[str]]] = {
    "spine": ({"levels": "T12 L1", **SPINE_WORDS}, ["T12", "L1", "Mid-back", "Lower back", "Neck"]),
    "lifting": ({"weight": "10 lb"}, ["10 lb"]),
    "rolling": ({}, ["1", "2", "3"]),
    "ice": ({"cloth": "Thin towel"}, ["Thin towel"]),
    "one_in_five": ({}, []),
}
WIDTHS = [110.0, 200.0, 260.0]


def leaves(node: Any) -> Iterator[Any]:
    """Every shape in a drawing, groups opened."""
    if isinstance(node, Group):
        for child in node.contents:
            yield from leaves(child)
    else:
        yield node


def strings(drawing: Drawing) -> list[String]:
    return [shape for shape in leaves(drawing) if isinstance(shape, String)]


def words(drawing: Drawing) -> list[str]:
    """The drawing's words, sorted: a label wrapped over lines (at a space, or after a hyphen) gives the same
    words as on one line."""
    running = " ".join(string.text for string in strings(drawing)).replace("- ", "-")
    return sorted(running.split())


def expected_words(labels: list[str]) -> list[str]:
    return sorted(word for label in labels for word in label.split())


def bold_labels(drawing: Drawing) -> set[str]:
    return {string.text for string in strings(drawing) if string.fontName == BOLD}


def pdf_of(drawings: list[Drawing]) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(700, 900), invariant=1)
    y = 890.0
    for drawing in drawings:
        if y - drawing.height < 10:
            canvas.showPage()
            y = 890.0
        renderPDF.draw(drawing, canvas, 20, y - drawing.height)
        y -= drawing.height + 10
    canvas.save()
    return buffer.getvalue()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def spine(levels: str, **labels: str) -> dict[str, str]:
    return {"levels": levels, **SPINE_WORDS, **labels}


# -- each picture draws, at its width, with exactly its labels ------------------------------------------------
@pytest.mark.parametrize("large_print", [False, True])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PICTURES)
def test_each_picture_is_as_wide_as_asked_and_shows_exactly_its_labels(
    name: str, width: float, large_print: bool
) -> None:
    attributes, labels = EXAMPLES[name]
    drawing = draw_picture(name, attributes, width, large_print)
    assert isinstance(drawing, Drawing)
    assert drawing.width == width
    assert drawing.height > 0
    assert words(drawing) == expected_words(labels)


@pytest.mark.parametrize(
    ("name", "ratio"),
    [("spine", 0.55), ("lifting", 1.0), ("rolling", 3.0), ("ice", 1.3), ("one_in_five", 3.5)],
)
def test_height_follows_from_the_pictures_own_proportions(name: str, ratio: float) -> None:
    for width in WIDTHS:
        drawing = draw_picture(name, EXAMPLES[name][0], width, False)
        assert drawing.width / drawing.height == pytest.approx(ratio)


def test_every_picture_lists_its_attributes() -> None:
    assert picture_attributes("spine") == (("levels", "upper", "lower"), ("neck",))
    assert picture_attributes("lifting") == (("weight",), ())
    assert picture_attributes("rolling") == ((), ())
    assert picture_attributes("ice") == ((), ("cloth",))
    assert picture_attributes("one_in_five") == ((), ())
    assert set(PICTURES) == set(EXAMPLES)


def test_optional_labels_are_drawn_only_when_given() -> None:
    assert words(draw_picture("ice", {}, 150, False)) == []
    no_neck = draw_picture("spine", {"levels": "L2", "upper": "Mid-back", "lower": "Lower back"}, 150, False)
    assert words(no_neck) == expected_words(["L2", "Mid-back", "Lower back"])


def test_long_labels_wrap_inside_the_picture_in_the_words_given() -> None:
    # Spanish region names are long; at the narrowest width they wrap, every word kept, none outside.
    attributes = {
        "levels": "T10 T11 T12 L1",
        "upper": "Parte media de la espalda",
        "lower": "Parte baja de la espalda",
        "neck": "Cuello",
    }
    for large_print in (False, True):
        drawing = draw_picture("spine", attributes, 110, large_print)
        texts = [string.text for string in strings(drawing)]
        assert "Parte media de la espalda" not in texts  # wrapped
        labels = ["T10", "T11", "T12", "L1", attributes["upper"], attributes["lower"], attributes["neck"]]
        assert words(drawing) == expected_words(labels)
        x0, y0, x1, y1 = drawing.getBounds()
        assert x0 >= 0 and y0 >= 0 and x1 <= drawing.width + 0.5 and y1 <= drawing.height + 0.5


@pytest.mark.parametrize(
    ("width", "large_print", "lines"),
    [
        (110, False, ["Mid-back", "Lower", "back"]),  # wrapped at the space, a word kept whole
        (143, True, ["Mid-back", "Lower", "back"]),
        (110, True, ["Mid-", "back", "Lower", "back"]),  # too narrow for the word: broken after its hyphen
    ],
)
def test_region_names_wrap_at_spaces_before_hyphens_at_full_size(
    width: float, large_print: bool, lines: list[str]
) -> None:
    drawing = draw_picture(
        "spine", {"levels": "L1", "upper": "Mid-back", "lower": "Lower back"}, width, large_print
    )
    regular = [string for string in strings(drawing) if string.fontName == REGULAR]
    assert [string.text for string in regular] == lines
    assert {string.fontSize for string in regular} == {13 if large_print else 10}


def test_large_print_labels_are_larger() -> None:
    for name in ("spine", "lifting", "ice", "rolling"):
        attributes = EXAMPLES[name][0]
        regular = {s.fontSize for s in strings(draw_picture(name, attributes, 200, False))}
        large = {s.fontSize for s in strings(draw_picture(name, attributes, 200, True))}
        assert min(large) > max(regular), name
        assert min(regular) >= 9


def test_text_uses_only_the_document_fonts() -> None:
    for name in PICTURES:
        for string in strings(draw_picture(name, EXAMPLES[name][0], 160, False)):
            assert string.fontName in (REGULAR, BOLD), name


def colours(drawing: Drawing) -> set[tuple[float, float, float]]:
    found = set()
    for shape in leaves(drawing):
        for attribute in ("fillColor", "strokeColor"):
            colour = getattr(shape, attribute, None)
            if colour is not None:
                found.add((colour.red, colour.green, colour.blue))
    return found


@pytest.mark.parametrize("name", PICTURES)
def test_no_meaning_by_colour_alone_only_greys_are_used(name: str) -> None:
    for red, green, blue in colours(draw_picture(name, EXAMPLES[name][0], 160, False)):
        assert red == green == blue, name


@pytest.mark.parametrize("name", PICTURES)
def test_drawings_are_lean(name: str) -> None:
    # Drawn into every document of a batch: paths and a few dozen shapes, not hundreds.
    attributes = spine(" ".join(SPINE), neck="Neck") if name == "spine" else EXAMPLES[name][0]
    assert len(list(leaves(draw_picture(name, attributes, 160, False)))) < 130


# -- the spine marks exactly the treated levels -------------------------------------------------------------------
@pytest.mark.parametrize(
    "levels", ["T12 L1", "L2", "T10 T11 T12 L1", "T1", "L5", "T4 T9 L3", " ".join(SPINE)]
)
def test_spine_marks_exactly_the_treated_levels(levels: str) -> None:
    treated = levels.split()
    drawing = draw_picture("spine", spine(levels), 150, False)
    assert bold_labels(drawing) == set(treated)
    assert treated_levels(drawing) == tuple(treated)
    shapes = vertebrae(drawing)
    dark = [shape for shape in shapes if shape.fillColor == black]
    assert sorted(shape.levels for shape in dark) == sorted((level,) for level in treated)
    assert all(shape.treated for shape in dark)
    others = [shape for shape in shapes if shape not in dark]
    assert all(shape.fillColor == white and not shape.treated for shape in others)
    assert sorted(level for shape in shapes for level in shape.levels) == sorted(SPINE)
    # Every vertebra is drawn: a body and its spinous process, two closed parts each.
    assert sum(shape.operators.count(3) for shape in shapes) == 2 * len(SPINE)


def label_heights_apart(drawing: Drawing) -> float:
    heights = sorted(string.y for string in strings(drawing) if string.fontName == BOLD)
    return min((b - a for a, b in zip(heights, heights[1:], strict=False)), default=float("inf"))


@settings(max_examples=50, deadline=None)
@given(
    treated=st.sets(st.sampled_from(SPINE), min_size=1),
    width=st.sampled_from([110.0, 160.0, 200.0]),
    large_print=st.booleans(),
)
def test_spine_marks_any_set_of_levels_with_readable_labels(
    treated: set[str], width: float, large_print: bool
) -> None:
    in_order = [label for label in SPINE if label in treated]
    drawing = draw_picture("spine", spine(" ".join(reversed(in_order))), width, large_print)
    assert bold_labels(drawing) == treated
    assert treated_levels(drawing) == tuple(in_order)
    dark = [shape for shape in vertebrae(drawing) if shape.fillColor == black]
    assert len(dark) == len(treated)
    # Labels of neighbouring treated vertebrae stay apart (no overlap) and inside the picture.
    for string in strings(drawing):
        assert 0 <= string.y <= drawing.height - string.fontSize * 0.7
    label_size = max(string.fontSize for string in strings(drawing) if string.fontName == BOLD)
    assert label_heights_apart(drawing) >= label_size * 1.1
    if len(treated) <= 8:  # clinically many: labels keep their full size
        assert label_size == (13 if large_print else 10)


def test_spine_levels_accept_the_cases_spelling() -> None:
    drawing = draw_picture("spine", spine("t12, L1"), 150, False)
    assert bold_labels(drawing) == {"T12", "L1"}
    drawing = draw_picture("spine", spine("T11-L1"), 150, False)
    assert treated_levels(drawing) == ("T11", "T12", "L1")


# -- read back from a PDF -------------------------------------------------------------------------------------
def test_a_pdf_of_the_pictures_carries_their_labels_as_text() -> None:
    drawings = [
        draw_picture("spine", spine("T12 L1"), 150, False),
        draw_picture("spine", spine("T4 T9 L3", neck="Cuello"), 190, True),
        draw_picture("lifting", {"weight": "4.5 kg"}, 150, False),
        draw_picture("ice", {"cloth": "Toalla"}, 150, False),
        draw_picture("rolling", {}, 400, False),
        draw_picture("one_in_five", {}, 150, False),
    ]
    text = pdf_text(pdf_of(drawings))
    for label in ["T12", "L1", "T4", "T9", "L3", "Mid-back", "Lower back", "Cuello", "4.5 kg", "Toalla"]:
        assert label in text
    for digit in "123":
        assert digit in text


def test_the_same_pdf_twice_is_byte_identical_even_after_drawing_anew() -> None:
    def made() -> bytes:
        return pdf_of([draw_picture(name, EXAMPLES[name][0], 170, False) for name in PICTURES])

    first = made()
    assert made() == first
    pictures._drawn.cache_clear()  # drawn anew: an equal drawing, not only the kept one
    assert made() == first


def test_same_arguments_give_the_same_drawing() -> None:
    first = draw_picture("spine", {"levels": "T12 L1", "upper": "A", "lower": "B"}, 150, False)
    again = draw_picture("spine", {"lower": "B", "upper": "A", "levels": "T12 L1"}, 150.0, False)
    assert again is first
    assert draw_picture("spine", {"levels": "T12 L1", "upper": "A", "lower": "B"}, 150, True) is not first


def test_one_in_five_is_five_figures_of_one_size_one_of_them_solid() -> None:
    drawing = draw_picture("one_in_five", {}, 175, False)
    figures = list(leaves(drawing))
    assert len(figures) == 5 and all(isinstance(figure, Path) for figure in figures)
    fills = [figure.fillColor for figure in figures]
    assert fills.count(black) == 1 and fills.count(white) == 4
    # Outlined figures are outlined in a dark grey: visible in black and white.
    assert all(figure.strokeColor.red < 0.3 for figure in figures)
    sizes = {
        (round(x1 - x0, 6), round(y1 - y0, 6))
        for x0, y0, x1, y1 in (figure.getBounds() for figure in figures)
    }
    assert len(sizes) == 1
    x0, y0, x1, y1 = drawing.getBounds()
    assert x0 >= 0 and y0 >= 0 and x1 <= drawing.width and y1 <= drawing.height + 0.01


# -- errors name the picture and the attribute -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "attributes", "fragments"),
    [
        ("house", {}, ["picture 'house'", "spine, lifting, rolling, ice, one_in_five"]),
        ("spine", {"upper": "Mid-back", "lower": "Lower back"}, ["picture spine", "levels", "required"]),
        ("lifting", {}, ["picture lifting", "weight", "required"]),
        ("rolling", {"colour": "red"}, ["picture rolling", "'colour'", "none"]),
        ("ice", {"towel": "x"}, ["picture ice", "'towel'", "cloth"]),
        ("spine", spine("T13"), ["picture spine", "levels", "T13"]),
        ("spine", spine("C4"), ["picture spine", "levels", "C4"]),
        ("spine", spine(""), ["picture spine", "levels", "no level"]),
        ("spine", spine("T12 T12"), ["picture spine", "levels", "more than once"]),
        ("lifting", {"weight": "10 lb \u0645"}, ["picture lifting", "weight", "U+0645"]),  # Arabic: no font
        ("spine", spine("L1", lower="Lower \u2603"), ["picture spine", "lower", "U+2603"]),
        ("ice", {"cloth": "Towel \U0001f600"}, ["picture ice", "cloth", "U+1F600"]),
        ("lifting", {"weight": "  "}, ["picture lifting", "weight", "empty"]),
        ("lifting", {"weight": "very heavy " * 4}, ["picture lifting", "weight", "too long"]),
        ("spine", spine("L1", upper="word " * 40), ["picture spine", "upper", "too long"]),
    ],
)
def test_bad_pictures_are_content_errors_naming_picture_and_attribute(
    name: str, attributes: Mapping[str, str], fragments: list[str]
) -> None:
    with pytest.raises(ContentError) as caught:
        draw_picture(name, attributes, 150, False)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message


def test_undrawable_labels_are_named_not_quoted() -> None:
    with pytest.raises(ContentError) as caught:
        draw_picture("lifting", {"weight": "Ana Diaz \u0645"}, 150, False)  # Arabic: no font
    assert "Ana Diaz" not in str(caught.value)


def test_an_odd_name_is_not_repeated_in_the_message() -> None:
    with pytest.raises(ContentError) as caught:
        draw_picture("Ana Diaz <b>", {}, 150, False)
    assert "Ana" not in str(caught.value)
    with pytest.raises(ContentError) as caught:
        picture_attributes("nope")
    assert "'nope'" in str(caught.value)


@pytest.mark.parametrize("width", [0, -5, float("nan"), float("inf")])
def test_a_width_that_is_no_size_is_refused(width: float) -> None:
    with pytest.raises(ContentError, match="picture rolling"):
        draw_picture("rolling", {}, width, False)


def test_errors_are_raised_again_for_the_same_bad_arguments() -> None:
    for _ in range(2):
        with pytest.raises(ContentError, match="levels"):
            draw_picture("spine", spine("T13"), 150, False)


LABEL_TEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyzáéíóúñ- ", min_size=1, max_size=60).filter(str.strip)


@settings(max_examples=50, deadline=None)
@given(
    name_and_key=st.sampled_from(
        [("spine", "upper"), ("spine", "lower"), ("spine", "neck"), ("lifting", "weight"), ("ice", "cloth")]
    ),
    label=LABEL_TEXT,
    width=st.sampled_from([110.0, 150.0, 200.0, 260.0]),
    large_print=st.booleans(),
)
def test_any_label_is_drawn_whole_inside_the_picture_or_refused_by_name(
    name_and_key: tuple[str, str], label: str, width: float, large_print: bool
) -> None:
    name, key = name_and_key
    attributes = {**EXAMPLES[name][0], key: label}
    try:
        drawing = draw_picture(name, attributes, width, large_print)
    except ContentError as error:
        assert f"picture {name}: attribute {key} is too long" in str(error)
        return
    # Every character of every label, once (wrapping only moves them to other lines).
    labels = [value for k, value in attributes.items() if k != "levels"]
    if name == "spine":
        labels += ["T12", "L1"]
    drawn = "".join(string.text for string in strings(drawing))
    assert sorted(drawn.replace(" ", "")) == sorted("".join(labels).replace(" ", ""))
    x0, y0, x1, y1 = drawing.getBounds()
    assert x0 >= -0.5 and y0 >= -0.5 and x1 <= drawing.width + 0.5 and y1 <= drawing.height + 0.5
