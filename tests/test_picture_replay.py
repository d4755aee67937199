"""Issue 13: pictures are drawn once per process and replayed where they repeat (speedups/pictures.py).
A replayed picture must give exactly the bytes of one drawn afresh: with the speed-ups on and off, in
every picture, both languages, large print, and labels beyond ASCII, in any order of documents."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.graphics import renderPDF
from reportlab.lib.colors import black
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus.flowables import cdeepcopy

from dischargegen import build_case, render_pdf
from dischargegen.pdf import speedups
from dischargegen.pdf.fonts import BOLD, REGULAR, register_fonts
from dischargegen.pdf.pictures import PICTURES, draw_picture
from dischargegen.pdf.speedups import pictures as replay
from dischargegen.pdf.speedups.paragraphs import MemoParagraph, clear_caches, fix_font_codes
from dischargegen.pdf.styles import styles_for
from dischargegen.site import DEFAULT_SITE
from tests.helpers import fields, pdf_text

# Every picture is in these documents: osteoporosis brings "1 in 5".
EVERY_PICTURE = {"cause": "osteoporosis", "levels": "T12,L1"}


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Speed-ups on, and nothing remembered: each test starts as a new process would."""
    monkeypatch.setenv(speedups.ENVIRONMENT_VARIABLE, "1")
    replay.clear_pictures()
    clear_caches()
    yield
    replay.clear_pictures()


@pytest.fixture
def renderer_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times ReportLab's renderer drew a Drawing (one entry per call)."""
    calls: list[int] = []
    drawn = renderPDF.draw

    def counted(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        drawn(*args, **kwargs)

    monkeypatch.setattr(renderPDF, "draw", counted)
    return calls


def render_alone(**overrides: str) -> bytes:
    """The document as a fresh process renders it: nothing remembered before it."""
    replay.clear_pictures()
    clear_caches()
    return render_pdf(build_case(fields(**EVERY_PICTURE, **overrides)), DEFAULT_SITE)


@pytest.mark.parametrize(
    "overrides",
    [
        {"patient_name": "Chloé Zoë Dubois"},
        {"patient_name": "Ana Diaz", "large_print": "yes"},
        {"patient_name": "Ólafur Muñoz", "language": "es"},
        {"patient_name": "Íñigo Peña", "language": "es", "large_print": "yes", "paper": "a4"},
    ],
    ids=["en", "en-large", "es", "es-large-a4"],
)
def test_replayed_pictures_are_the_bytes_of_drawn_ones(
    overrides: dict[str, str], renderer_calls: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = build_case(fields(**EVERY_PICTURE, **overrides))
    with speedups.switched_off():
        drawn = render_pdf(case, DEFAULT_SITE)
    assert len(renderer_calls) == len(PICTURES)  # every picture, drawn by ReportLab
    monkeypatch.setenv(speedups.ENVIRONMENT_VARIABLE, "0")
    assert render_pdf(case, DEFAULT_SITE) == drawn
    assert len(renderer_calls) == 2 * len(PICTURES)  # switched off: drawn again, nothing kept
    assert not replay._kept._items
    monkeypatch.setenv(speedups.ENVIRONMENT_VARIABLE, "1")
    first = render_pdf(case, DEFAULT_SITE)  # drawn, and kept
    assert len(renderer_calls) == 3 * len(PICTURES)
    assert len(replay._kept._items) == len(PICTURES)
    replayed = render_pdf(case, DEFAULT_SITE)
    assert len(renderer_calls) == 3 * len(PICTURES)  # every picture replayed: the renderer not called
    assert first == replayed == drawn
    if case.language == "es":
        assert "Paño" in pdf_text(replayed)  # a label beyond ASCII, replayed with this document's codes


def test_a_picture_drawn_into_two_documents_gives_each_its_own_bytes(renderer_calls: list[int]) -> None:
    # "Paño" (the ice picture's cloth) takes a different code for its ñ in each: Á and Í come before
    # it in code-point order, so the replay must not give one document the other's codes.
    first = {"patient_name": "Ana Diaz", "language": "es"}
    second = {"patient_name": "Ángel Íñiguez", "language": "es", "mrn": "MRN-2002"}
    alone = [render_alone(**first), render_alone(**second)]
    replay.clear_pictures()
    clear_caches()
    renderer_calls.clear()
    together = [
        render_pdf(build_case(fields(**EVERY_PICTURE, **overrides)), DEFAULT_SITE)
        for overrides in (first, second, first, second)
    ]
    assert together == alone + alone
    # The first document drew all five; the second only the ice picture again (its ñ's code differs,
    # and so its key); the third and fourth drew nothing.
    assert len(renderer_calls) == len(PICTURES) + 1
    assert len(replay._kept._items) == len(PICTURES) + 1


def test_pictures_repeat_across_many_documents_without_being_drawn_again(
    renderer_calls: list[int],
) -> None:
    names = ["Bo Li", "Chloé Zoë Dubois", "Νίκος Ζαχαρίου", "Ольга Иванова", "Grace Okafor"]
    for index, name in enumerate(names):
        render_pdf(build_case(fields(**EVERY_PICTURE, patient_name=name, mrn=f"M{index}")), DEFAULT_SITE)
    assert len(renderer_calls) == len(PICTURES)  # English labels are ASCII: one drawing each, for all


def canvas_code(before: str, draw: Any) -> str:
    """The page operators of a canvas whose document gave `before`'s characters their codes first,
    then a picture drawn with `draw(canvas)`."""
    register_fonts()
    canvas = Canvas("unused.pdf", invariant=1)
    fix_font_codes(canvas, before, (REGULAR, BOLD))
    canvas.setFillColor(black)  # as the page header does: the PDF version a colour asks for, given
    canvas.setFont(REGULAR, 11)
    canvas.drawString(10, 10, before)
    draw(canvas)
    return "\n".join(canvas._code)


@settings(max_examples=25, deadline=None)
@given(
    picture=st.sampled_from(PICTURES),
    cloth=st.sampled_from(["Paño", "Toalla fina", "Serviette", "Ręcznik", "Tüchlein"]),
    weights=st.sampled_from(["10 lb", "4,5 kg"]),
    others=st.lists(st.sampled_from("ÁÉÍÓÚñüçęłΝίΖ"), max_size=6),
    large_print=st.booleans(),
)
def test_a_replayed_picture_is_what_the_renderer_writes_on_any_canvas(
    picture: str, cloth: str, weights: str, others: list[str], large_print: bool
) -> None:
    replay.clear_pictures()
    attributes = {
        "spine": {"levels": "T12 L1", "upper": "Espalda media", "lower": "Lower back", "neck": "Cuello"},
        "lifting": {"weight": weights},
        "ice": {"cloth": cloth},
    }.get(picture, {})
    drawing = draw_picture(picture, attributes, 160.0, large_print)
    every_label = "".join(attributes.values())
    # Codes go in code-point order: other characters before a label's move its codes.
    for before in (every_label, "".join(others) + every_label, every_label):
        expected = canvas_code(before, lambda canvas: drawing.drawOn(canvas, 0, 0))
        # Twice: the first may draw and keep it, the second replays what some canvas kept.
        assert canvas_code(before, lambda canvas: replay.draw(drawing, canvas)) == expected
        assert canvas_code(before, lambda canvas: replay.draw(drawing, canvas)) == expected
    # Kept once for each set of codes its labels took (one if they are ASCII, else one or two).
    assert len(replay._kept._items) in (1, 2)


def test_a_canvas_with_a_transparency_set_draws_the_picture_afresh(renderer_calls: list[int]) -> None:
    drawing = draw_picture("ice", {"cloth": "Paño"}, 120.0, False)

    def half_transparent_first(canvas: Canvas) -> None:
        canvas.setFillAlpha(0.5)  # the picture's own opaque colours must set it back: not replayable
        replay.draw(drawing, canvas)

    canvas_code("Paño", lambda canvas: replay.draw(drawing, canvas))  # kept
    assert len(renderer_calls) == 1
    expected = canvas_code("Paño", lambda canvas: (canvas.setFillAlpha(0.5), drawing.drawOn(canvas, 0, 0)))
    assert canvas_code("Paño", half_transparent_first) == expected
    assert len(renderer_calls) == 3  # drawn, not replayed


def test_a_label_character_without_its_code_yet_is_drawn_not_replayed(renderer_calls: list[int]) -> None:
    drawing = draw_picture("ice", {"cloth": "Paño"}, 120.0, False)
    for _ in range(2):
        register_fonts()
        canvas = Canvas("unused.pdf", invariant=1)
        fix_font_codes(canvas, "", (REGULAR, BOLD))  # ñ gets its code only when the picture draws it
        replay.draw(drawing, canvas)
    assert len(renderer_calls) == 2
    assert not replay._kept._items


def test_a_figures_words_split_from_a_shallow_copy_leave_the_remembered_lines_as_they_were() -> None:
    # ImageAndFlowables tries to split the words beside a picture where it ends, on a copy of each
    # (reportlab's cdeepcopy). A remembered paragraph's copy shares its lines until it splits.
    register_fonts()
    styles = styles_for(False)
    text = " ".join(["<b>Walk a little</b> several times a day, starting today: it helps you heal."] * 6)
    canvas = Canvas("unused.pdf", invariant=1)
    pieces = []
    for make_copy in (cdeepcopy, copy.deepcopy):
        paragraph = MemoParagraph(text, styles.body)
        paragraph.wrap(200, 10_000)
        before = copy.deepcopy((paragraph.blPara, paragraph.frags))
        twin = make_copy(paragraph)
        if make_copy is cdeepcopy:
            assert twin.blPara is paragraph.blPara  # shallow: nothing copied before the split
        split = twin.splitOn(canvas, 200, styles.body.leading * 3.5)
        assert len(split) == 2
        assert repr((paragraph.blPara, paragraph.frags)) == repr(before)  # the original untouched
        for piece in split:
            piece.wrap(200, 10_000)
        pieces.append([repr(piece.blPara) for piece in split])
    assert pieces[0] == pieces[1]  # the same pieces as from a deep copy
