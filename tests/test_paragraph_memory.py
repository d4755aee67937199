"""Speed without changing a byte: work remembered across documents (paragraph parsing, line breaking
and drawing; font subsets) must give exactly the PDF that plain ReportLab gives, whatever came before."""

from __future__ import annotations

import copy
import dataclasses
import io
import os
import re
import subprocess
import sys
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Frame,
    ImageAndFlowables,
    KeepTogether,
    Paragraph,
    Table,
    TableStyle,
    flowables,
)

from dischargegen import build_case, pdf, render_pdf
from dischargegen.case import Case
from dischargegen.content import render_content
from dischargegen.pdf import page as pdf_page
from dischargegen.pdf import speedups
from dischargegen.pdf.fonts import BOLD, FONT_DIR, REGULAR, register_fonts
from dischargegen.pdf.speedups import paragraphs
from dischargegen.pdf.speedups import writer as pdf_writing
from dischargegen.pdf.speedups.layout import MeasuredTable
from dischargegen.pdf.speedups.paragraphs import MemoParagraph, clear_caches, fix_font_codes
from dischargegen.pdf.speedups.subsets import RememberingTTFont
from dischargegen.pdf.styles import PAGE_SIZES, styles_for
from dischargegen.site import DEFAULT_SITE, SiteSettings
from tests.helpers import RENDER_VARIANTS as VARIANTS
from tests.helpers import REPO, fields


@pytest.fixture(autouse=True)
def fresh_caches() -> None:
    clear_caches()


def rendered(case: Case, kit: speedups.Kit) -> bytes:
    """The PDF laid out with the classes of `kit` (the same steps as render_pdf)."""
    return pdf.build_pdf_counted(case, DEFAULT_SITE, render_content(case, DEFAULT_SITE), kit)[0]


def test_remembered_work_gives_the_bytes_plain_reportlab_gives() -> None:
    cases = [build_case(fields(**variant)) for variant in VARIANTS]
    with speedups.switched_off():
        plain = [render_pdf(case, DEFAULT_SITE) for case in cases]
    order = [*range(len(cases)), *reversed(range(len(cases))), 3, 0, 6, 4, 7, 1]
    remembered = [render_pdf(cases[number], DEFAULT_SITE) for number in order]
    for position, number in enumerate(order):
        assert remembered[position] == plain[number], f"variant {number}, rendered at position {position}"


def calls_cold_then_warm(
    monkeypatch: pytest.MonkeyPatch, method: str, owner: type = Paragraph
) -> tuple[int, int]:
    """How often `owner`.`method` runs for a first document, then for another patient on another date
    (whose shared sentences can come from memory)."""
    calls = 0
    original = getattr(owner, method)

    def counting(self: Paragraph, *args: object) -> object:
        nonlocal calls
        calls += 1
        return original(self, *args)

    monkeypatch.setattr(owner, method, counting)
    render_pdf(build_case(fields()), DEFAULT_SITE)
    cold, calls = calls, 0
    render_pdf(build_case(fields(patient_name="Bo Li", mrn="X-2", procedure_date="2027-03-04")), DEFAULT_SITE)
    return cold, calls


def test_drawings_are_replayed_not_redrawn(monkeypatch: pytest.MonkeyPatch) -> None:
    cold, drawn = calls_cold_then_warm(monkeypatch, "drawPara")
    assert cold > 50
    assert drawn < cold * 0.3, (drawn, cold)


def test_a_replayed_drawing_skips_the_graphics_state_work(monkeypatch: pytest.MonkeyPatch) -> None:
    # Its save, move and restore are written straight in (the bytes test checks they are the same).
    # Counted while paragraphs are drawn: the pictures' own saves (pictures.py) are not this replay's.
    drawing = 0
    original = MemoParagraph.drawOn

    def drawing_a_paragraph(self: MemoParagraph, *args: Any, **options: Any) -> None:
        nonlocal drawing
        drawing += 1
        try:
            original(self, *args, **options)
        finally:
            drawing -= 1

    monkeypatch.setattr(MemoParagraph, "drawOn", drawing_a_paragraph)
    saves = 0
    save_state = Canvas.saveState

    def counting(self: Canvas) -> None:
        nonlocal saves
        saves += drawing > 0
        save_state(self)

    monkeypatch.setattr(Canvas, "saveState", counting)
    render_pdf(build_case(fields()), DEFAULT_SITE)
    cold, saves = saves, 0
    render_pdf(build_case(fields(patient_name="Bo Li", mrn="X-2", procedure_date="2027-03-04")), DEFAULT_SITE)
    assert cold > 100
    assert saves < cold * 0.5, (saves, cold)


def test_lines_are_broken_once_not_again_for_each_wrap(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tables wrap each cell more than once; a remembered paragraph must not break its lines again.
    cold, broken = calls_cold_then_warm(monkeypatch, "breakLines")
    assert cold > 50
    assert broken < cold * 0.2, (broken, cold)


def _draw(paragraph: MemoParagraph, canvas: Canvas) -> None:
    paragraph.wrap(400, 800)
    paragraph.drawOn(canvas, 72, 300)


def test_a_drawing_that_adds_to_the_document_is_not_remembered() -> None:
    register_fonts()
    styles = styles_for(False)
    canvas = Canvas(io.BytesIO())
    fix_font_codes(canvas, "", (REGULAR,))  # the bold font is not named in this document yet
    _draw(MemoParagraph("plain words", styles.title), canvas)  # titles are bold: the drawing names it
    assert len(paragraphs._drawn._items) == 0
    _draw(MemoParagraph("plain words", styles.body), canvas)  # names nothing new
    assert len(paragraphs._drawn._items) == 1


def test_a_character_without_a_code_yet_is_drawn_the_ordinary_way() -> None:
    register_fonts()
    canvas = Canvas(io.BytesIO())
    fix_font_codes(canvas, "", (REGULAR, BOLD))
    _draw(MemoParagraph("café", styles_for(False).body), canvas)  # é takes its first code while drawing
    assert len(paragraphs._drawn._items) == 0
    other = Canvas(io.BytesIO())
    fix_font_codes(other, "é", (REGULAR, BOLD))
    _draw(MemoParagraph("café", styles_for(False).body), other)
    assert len(paragraphs._drawn._items) == 1


def test_bytes_do_not_depend_on_the_process() -> None:
    """Set and dict orders change with Python's hash seed, and ReportLab's C accelerator (rl-accel) may be
    missing on some machine: the PDF must not change with either."""
    script = (
        "import hashlib, sys\n"
        "if sys.argv[1] == 'python':\n"
        "    sys.modules['_rl_accel'] = None  # ReportLab falls back to its Python code\n"
        "from reportlab.lib import rl_accel\n"
        "print(type(rl_accel.fp_str).__name__)\n"
        "from dischargegen import build_case, render_pdf\n"
        "from dischargegen.site import DEFAULT_SITE\n"
        "from tests.helpers import RENDER_VARIANTS, fields\n"
        "for variant in RENDER_VARIANTS:\n"
        "    pdf = render_pdf(build_case(fields(**variant)), DEFAULT_SITE)\n"
        "    print(hashlib.sha256(pdf).hexdigest())\n"
    )
    runs = []
    for seed, accelerator in (("1", "c"), ("2", "c"), ("1", "python")):
        done = subprocess.run(
            [sys.executable, "-c", script, accelerator],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        runs.append(done.stdout.split())
    assert [run[0] for run in runs] == ["builtin_function_or_method"] * 2 + ["function"]
    digests = [run[1:] for run in runs]
    assert len(digests[0]) == len(VARIANTS)
    assert digests[0] == digests[1] == digests[2]


class _FoldingParagraph(MemoParagraph):
    """Starts with a move, which ReportLab folds into the move that placed the paragraph."""

    def drawPara(self, debug: int = 0) -> None:  # noqa: N802 (ReportLab's name)
        self.canv.translate(1, 1)
        super().drawPara(debug)


def test_a_drawing_that_changed_the_operator_before_it_is_not_remembered() -> None:
    register_fonts()
    canvas = Canvas(io.BytesIO())
    fix_font_codes(canvas, "", (REGULAR, BOLD))
    _draw(_FoldingParagraph("plain words", styles_for(False).body), canvas)
    assert len(paragraphs._drawn._items) == 0


def test_a_remembered_font_subset_is_the_one_reportlab_makes() -> None:
    register_fonts()
    remembered = pdfmetrics.getFont(BOLD).face
    plain = TTFont("plain", str(FONT_DIR / "NotoSans-Bold.ttf")).face
    subset = [0, *range(1, 5), *range(32, 127), 0xE9, 0xF1, 0x2019]
    first = remembered.makeSubset(subset)
    assert first == plain.makeSubset(subset)
    assert remembered.makeSubset(list(subset)) == first  # from memory this time
    assert remembered.makeSubset(subset[:-1]) == plain.makeSubset(subset[:-1])


def test_a_remembered_font_file_is_written_as_reportlab_writes_it() -> None:
    register_fonts()
    subset = [0, *range(32, 127), 0xE9, 0x2019]
    name = "AAAAAA+NotoSans-Bold"
    written = []
    for face in (
        TTFont("plain", str(FONT_DIR / "NotoSans-Bold.ttf")).face,
        pdfmetrics.getFont(BOLD).face,
        pdfmetrics.getFont(BOLD).face,  # compressed from memory this time
    ):
        document = pdfdoc.PDFDocument(invariant=1)
        face.addSubsetObjects(document, name, subset)
        stream = document.idToObject[f"fontFile:{face.filename}({name})"]
        written.append(stream.format(document))
    assert b"/FlateDecode" in written[0]
    assert written[1] == written[0]
    assert written[2] == written[0]


def _two_font_pdf() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.setFont(BOLD, 14)
    canvas.drawString(72, 720, "Call 911 \u2014 Chloé’s back pain")
    canvas.setFont(REGULAR, 12)
    canvas.drawString(72, 700, "Ángel Muñoz: no lifting until Friday")
    canvas.save()
    return buffer.getvalue()


def test_remembered_font_objects_are_written_as_reportlab_writes_them() -> None:
    register_fonts()
    fonts = [pdfmetrics.getFont(name) for name in (REGULAR, BOLD)]
    assert all(type(font) is RememberingTTFont for font in fonts)
    with pdf_writing.installed():
        first = _two_font_pdf()
        again = _two_font_pdf()  # width tables and character maps from memory this time
    with speedups.switched_off():  # the fonts as ReportLab's own TTFont, the writer's own functions
        plain = _two_font_pdf()
    assert b"/Widths" in plain and b"/ToUnicode" in plain
    assert first == plain
    assert again == plain


def test_keep_together_groups_measured_without_a_frame_copy_give_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    copies = 0
    groups = 0  # keep-together groups measured
    measuring = 0  # how many are being measured now

    def counting(value: object, memo: dict[int, object] | None = None) -> object:
        nonlocal copies
        copies += isinstance(value, Frame) and measuring > 0
        return copy.deepcopy(value, memo)

    original = KeepTogether.wrap

    def measured_group(self: KeepTogether, *args: float) -> tuple[float, float]:
        nonlocal groups, measuring
        groups += 1
        measuring += 1
        try:
            return original(self, *args)  # type: ignore[no-any-return]
        finally:
            measuring -= 1

    # KeepTogether measures its content against flowables.deepcopy(the page frame). A figure's words
    # below its picture (ImageAndFlowables) are measured that way too, outside any group: not counted.
    monkeypatch.setattr(flowables, "deepcopy", counting)
    monkeypatch.setattr(KeepTogether, "wrap", measured_group)  # MeasuredKeepTogether's super().wrap
    cases = [build_case(fields(**variant)) for variant in VARIANTS]
    measured = [rendered(case, speedups.QUICK) for case in cases]
    assert copies == 0
    assert groups >= 2 * len(cases)  # the 911 box and the receipt (headings keep with a CondPageBreak)
    groups = 0
    own = dataclasses.replace(speedups.QUICK, keep_together=KeepTogether)  # ReportLab's, frame copies and all
    plain = [rendered(case, own) for case in cases]
    assert groups >= 2 * len(cases)
    assert copies >= groups  # a copy for every group measured
    assert measured == plain


def test_a_canvas_works_out_its_font_state_once_per_set_of_characters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    worked_out = 0
    original = paragraphs._current_document_state

    def counting(canvas: Canvas, characters: str) -> object:
        nonlocal worked_out
        worked_out += 1
        return original(canvas, characters)

    monkeypatch.setattr(paragraphs, "_current_document_state", counting)
    render_pdf(build_case(fields()), DEFAULT_SITE)
    worked_out = 0
    render_pdf(build_case(fields(patient_name="Bo Li", mrn="X-2")), DEFAULT_SITE)
    # Some hundred paragraphs are drawn; they use a handful of sets of characters beyond ASCII.
    assert 0 < worked_out < 10, worked_out


def test_a_font_named_later_changes_what_a_drawing_depends_on() -> None:
    register_fonts()
    canvas = Canvas(io.BytesIO())
    fix_font_codes(canvas, "é", (REGULAR, BOLD))
    before = paragraphs._document_state(canvas, "é")
    assert before is not None
    canvas.setFont("Courier", 10)  # a third font in the document: drawings name fonts by their order
    after = paragraphs._document_state(canvas, "é")
    assert after != before
    assert after == paragraphs._state_number(paragraphs._current_document_state(canvas, "é") or ())


def test_a_character_still_without_a_code_is_asked_again() -> None:
    register_fonts()
    canvas = Canvas(io.BytesIO())
    fix_font_codes(canvas, "", (REGULAR, BOLD))
    assert paragraphs._document_state(canvas, "ñ") is None
    for name in (REGULAR, BOLD):
        pdfmetrics.getFont(name).splitString("ñ", canvas._doc)
    state = paragraphs._current_document_state(canvas, "ñ")
    assert state is not None
    assert paragraphs._document_state(canvas, "ñ") == paragraphs._state_number(state)


def _footers(site: SiteSettings, numbers: list[tuple[int, int]], kit: speedups.Kit) -> list[list[str]]:
    """The operators of each footer (page, of pages), drawn in turn on one document's canvas."""
    register_fonts()
    case = build_case(fields())
    content = render_content(case, site)
    canvas_class, _ = pdf_page.page_frame(case, site, content, styles_for(False), kit)
    canvas = canvas_class(io.BytesIO(), pagesize=PAGE_SIZES["letter"])
    drawn = []
    for page, pages in numbers:
        start = len(canvas._code)
        canvas._draw_footer(page, pages)
        drawn.append(canvas._code[start:])
    return drawn


def test_footers_from_memory_are_the_ones_drawn_afresh() -> None:
    # A name long enough to be set smaller beside "Page 10 of 12" than beside "Page 1 of 9".
    institution = dataclasses.replace(
        DEFAULT_SITE.institution, name="Saint Example Regional Medical Center, Ely"
    )
    site = dataclasses.replace(DEFAULT_SITE, institution=institution)
    numbers = [(1, 9), (2, 9), (10, 12), (1, 12), (9, 9), (11, 12)]
    remembered = _footers(site, numbers, speedups.QUICK)
    fresh = _footers(site, numbers, speedups.PLAIN)
    sizes = {re.search(r"/F2\+0 (\S+) Tf", "".join(footer)).group(1) for footer in fresh}  # type: ignore[union-attr]
    assert len(sizes) == 2, sizes
    assert remembered == fresh


def test_a_footer_draws_the_institution_line_once_a_document(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = Canvas.drawString

    def counting(self: Canvas, x: float, y: float, text: str, *args: object, **kwargs: object) -> None:
        calls.append(text)
        original(self, x, y, text, *args, **kwargs)

    monkeypatch.setattr(Canvas, "drawString", counting)
    pdf_bytes = render_pdf(build_case(fields()), DEFAULT_SITE)
    pages = len(PdfReader(io.BytesIO(pdf_bytes)).pages)
    assert pages > 2
    version_lines = [text for text in calls if "Content version" in text]
    assert len(version_lines) == 1, version_lines


def test_the_body_frame_answers_reportlab_without_raising(monkeypatch: pytest.MonkeyPatch) -> None:
    missing: list[str] = []
    original = Frame.__getattr__

    def counting(self: Frame, name: str) -> object:
        if name in ("_generated_content", "_frameBGs"):  # asked for every flowable placed
            missing.append(name)
        return original(self, name)

    placed = 0
    add = Frame.add

    def placing(self: Frame, *args: object, **options: object) -> bool:
        nonlocal placed
        fits = bool(add(self, *args, **options))
        # A conditional page break that fits takes no room, and ReportLab asks nothing for it.
        placed += fits and not isinstance(args[0], CondPageBreak)
        return fits

    monkeypatch.setattr(Frame, "__getattr__", counting)
    monkeypatch.setattr(Frame, "add", placing)
    cases = [build_case(fields(**variant)) for variant in VARIANTS]
    answered = [rendered(case, speedups.QUICK) for case in cases]
    assert missing == []
    assert placed > 30 * len(cases)
    monkeypatch.setattr(Frame, "add", add)
    plain = [rendered(case, dataclasses.replace(speedups.QUICK, frame=Frame)) for case in cases]
    assert len(missing) >= placed  # ReportLab's own frame: an exception per flowable placed
    assert answered == plain


def test_character_maps_are_written_once_per_subset(monkeypatch: pytest.MonkeyPatch) -> None:
    register_fonts()
    made: list[str] = []
    original = pdf_writing._reportlab_character_map

    def counting(font_name: str, subset: list[int]) -> str:
        made.append(font_name)
        return str(original(font_name, subset))

    monkeypatch.setattr(pdf_writing, "_reportlab_character_map", counting)
    pdf_writing._remembered_character_map.cache_clear()
    with pdf_writing.installed():
        first = _two_font_pdf()
        assert len(made) == 2  # one subset of each font
        assert _two_font_pdf() == first
        assert len(made) == 2


def test_a_state_number_is_never_given_to_another_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paragraphs, "STATE_ENTRIES", 2)
    first = paragraphs._state_number(("a",))
    assert paragraphs._state_number(("a",)) == first
    given = {first, paragraphs._state_number(("b",)), paragraphs._state_number(("c",))}  # the table fills
    assert len(given) == 3
    assert paragraphs._state_number(("a",)) not in given  # asked again after a clear: a new number


def test_a_parsed_run_cannot_be_indexed_as_reportlab_assumes() -> None:
    # MemoParagraph._rememberable answers for parsed runs without asking ReportLab's _processed_frags,
    # which indexes the first run and takes the error as "not processed".
    from reportlab.platypus.paragraph import _processed_frags
    from reportlab.platypus.paraparser import ParaFrag

    assert not hasattr(ParaFrag, "__getitem__")
    paragraph = MemoParagraph("plain <b>words</b>", styles_for(False).body)
    assert type(paragraph.frags[0]) is ParaFrag
    assert paragraph._rememberable() is (not _processed_frags(paragraph.frags)) is True


def test_tables_measured_once_per_answer_give_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    measured = 0
    original = Table._calc

    def counting(self: Table, width: float, height: float) -> None:
        nonlocal measured
        measured += 1
        original(self, width, height)

    monkeypatch.setattr(Table, "_calc", counting)
    cases = [build_case(fields(**variant)) for variant in VARIANTS]
    once = [rendered(case, speedups.QUICK) for case in cases]
    measured_once, measured = measured, 0
    own = dataclasses.replace(
        speedups.QUICK, table=Table
    )  # ReportLab's own: measured on every wrap and split
    plain = [rendered(case, own) for case in cases]
    assert measured_once < measured * 0.85, (measured_once, measured)
    assert once == plain


def _spanned_table(table_class: type[Table]) -> Table:
    """A table whose measurement depends on the width (columns in percent) and on the height (ReportLab
    stops measuring rows with a row span past the height it was given)."""
    body = styles_for(False).body
    rows = [
        [MemoParagraph(f"Row {number}: " + "some words to wrap " * number, body), MemoParagraph("x", body)]
        for number in range(1, 9)
    ]
    table = table_class(rows, colWidths=["60%", "40%"])
    table.setStyle(TableStyle([("SPAN", (1, 0), (1, 1))]))
    return table


@pytest.mark.parametrize(
    "sizes",
    [
        [(400, 60.0), (400, 700.0)],  # measured in part (too short for it), then where it fits
        [(400, 0xFFFFFFF), (400, 700.0)],  # measured whole at no limit (a keep-together group), then placed
        [(400, 700.0), (300, 700.0), (400, 700.0)],  # another width: measured again
        [(400, 700.0), (400, 60.0), (400, 300.0)],
        [(400, 300.0), (400, 300.0)],
    ],
)
def test_a_measured_table_answers_as_reportlabs_own(sizes: list[tuple[float, float]]) -> None:
    register_fonts()
    remembering, plain = _spanned_table(MeasuredTable), _spanned_table(Table)
    for width, height in sizes:
        assert remembering.wrap(width, height) == plain.wrap(width, height), (width, height)
        assert remembering._rowpositions == plain._rowpositions
        assert remembering._rowHeights == plain._rowHeights


def test_pictures_with_their_words_are_measured_without_a_frame_copy_and_give_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    copies = 0

    def counting(value: object, memo: dict[int, object] | None = None) -> object:
        nonlocal copies
        copies += isinstance(value, Frame)
        return copy.deepcopy(value, memo)

    monkeypatch.setattr(flowables, "deepcopy", counting)
    cases = [build_case(fields(**variant)) for variant in VARIANTS]
    measured = [rendered(case, speedups.QUICK) for case in cases]
    assert copies == 0
    # ReportLab's own ImageAndFlowables copies the page frame to measure the words below each picture.
    own = dataclasses.replace(speedups.QUICK, image_and_flowables=ImageAndFlowables)
    plain = [rendered(case, own) for case in cases]
    assert copies >= 4 * len(cases)  # four or five pictures a document
    assert measured == plain
