"""The CJK font beside Noto Sans (issue 17): text is cut into runs by font, paragraphs and the page frame
draw each run in its font, Chinese wraps between characters, and the speed-ups give the same bytes."""

from __future__ import annotations

import dataclasses
import io

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.graphics.shapes import String
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth

from dischargegen import build_case, render_pdf
from dischargegen.pdf import speedups
from dischargegen.pdf.fonts import (
    BOLD,
    CJK,
    REGULAR,
    first_undrawable,
    font_runs,
    markup,
    split_by_font,
    text_width,
)
from dischargegen.pdf.pictures import draw_picture
from dischargegen.pdf.styles import styles_for
from dischargegen.site import DEFAULT_SITE
from dischargegen.vocab import LANGUAGES
from tests.helpers import fields

ALL_ENABLED = dataclasses.replace(
    DEFAULT_SITE, content=dataclasses.replace(DEFAULT_SITE.content, enabled_languages=LANGUAGES)
)


def test_runs_keep_latin_and_digits_in_noto_sans() -> None:
    assert font_runs("Ana Diaz 10 lb", REGULAR) == [("Ana Diaz 10 lb", REGULAR)]
    assert font_runs("患者: 王小明 (MRN-1)", BOLD) == [
        ("患者", CJK),
        (": ", BOLD),
        ("王小明", CJK),
        (" (MRN-1)", BOLD),
    ]
    assert font_runs("김민준，1월", REGULAR) == [("김민준，", CJK), ("1", REGULAR), ("월", CJK)]


def test_markup_escapes_every_run_and_tags_only_cjk() -> None:
    assert markup("<b>a & 王</b>") == f'&lt;b&gt;a &amp; <font name="{CJK}">王</font>&lt;/b&gt;'
    assert markup("plain <text>") == "plain &lt;text&gt;"


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab1 <&>王小김민Иé，。"), max_size=20))
def test_runs_put_the_text_back_together(text: str) -> None:
    assert "".join(piece for piece, _ in font_runs(text, REGULAR)) == text
    noto, cjk = split_by_font(text)
    assert sorted(noto + cjk) == sorted(text)
    assert (
        abs(text_width(text, REGULAR, 12) - sum(stringWidth(p, f, 12) for p, f in font_runs(text, REGULAR)))
        < 1e-9
    )


def test_the_fonts_cover_the_names_and_not_right_to_left_scripts() -> None:
    for name in ("王小明", "김민준", "Иван Петров", "Nguyễn Thị Ánh", "Ελένη", "鄭"):
        assert first_undrawable(name) is None, name
    assert first_undrawable("محمد") == "م"
    assert first_undrawable("דוד") == "ד"


def test_chinese_paragraphs_wrap_between_characters_and_others_at_spaces() -> None:
    assert styles_for(False, "zh").body.wordWrap == "CJK"
    assert styles_for(True, "zh").bullet.wordWrap == "CJK"
    for language in ("en", "es", "ko", "vi", "ru"):
        assert styles_for(False, language).body.wordWrap is None


@pytest.mark.parametrize(
    ("procedure", "anesthesia", "large_print", "paper"),
    [("kyphoplasty", "local", "no", "letter"), ("vertebroplasty", "general", "yes", "a4"),
     ("kyphoplasty", "general", "no", "a4"), ("vertebroplasty", "local", "yes", "letter")],
)  # fmt: skip
def test_no_chinese_line_starts_with_closing_punctuation(
    procedure: str, anesthesia: str, large_print: str, paper: str
) -> None:
    """ "，" and its kind end the line before (ReportLab's list of them was made for Japanese: these
    variants had lines starting with "，" before CHINESE_CANNOT_START)."""
    case = fields(
        language="zh", procedure=procedure, anesthesia=anesthesia, large_print=large_print, paper=paper
    )
    pdf = render_pdf(build_case(case), ALL_ENABLED)
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        lines = page.extract_text().splitlines()
        # The body: after the header's two lines, before the footer (its runs, one font each, come out
        # as lines of their own), which starts with the content version.
        body = lines[2 : next(i for i, line in enumerate(lines) if line.startswith("内容版本"))]
        starts = [line.strip().lstrip("·• ")[:1] for line in body]
        assert not [start for start in starts if start and start in "，。、；：？！）》”"]


def test_reportlabs_own_list_is_put_back_after_a_build() -> None:
    from reportlab.platypus import paragraph

    before = paragraph.ALL_CANNOT_START
    render_pdf(build_case(fields(language="zh")), ALL_ENABLED)
    assert before == paragraph.ALL_CANNOT_START and "，" not in before


def test_a_long_chinese_name_wraps_in_the_header_of_every_page() -> None:
    name = "欧阳" + "明" * 60
    pdf = render_pdf(build_case(fields(language="zh", patient_name=name)), ALL_ENABLED)
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        assert name in "".join(page.extract_text().split())


def test_chinese_picture_labels_are_drawn_in_the_cjk_font() -> None:
    pdf = render_pdf(build_case(fields(language="zh", levels="T12,L1")), ALL_ENABLED)
    text = "".join("".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    for label in ("中背部", "下背部", "10磅"):  # the spine's regions, the weight on the jug
        assert label in text, label


def test_the_speed_ups_give_the_same_bytes_for_cjk_documents() -> None:
    case = build_case(fields(language="zh", patient_name="김민준", procedure_time="13:15"))
    quick = render_pdf(case, ALL_ENABLED)
    with speedups.switched_off():
        plain = render_pdf(case, ALL_ENABLED)
    assert quick == plain


def _strings(node: object) -> list[String]:
    if isinstance(node, String):
        return [node]
    return [found for child in getattr(node, "contents", []) for found in _strings(child)]


@pytest.mark.parametrize(
    ("name", "labels"),
    [
        ("spine", {"levels": "T12,L1", "upper": "中背部", "lower": "下背部", "neck": "颈部"}),
        ("spine", {"levels": "L1", "upper": "허리 가운데", "lower": "Lower 허리", "neck": "목"}),
        ("lifting", {"weight": "10磅"}),
        ("ice", {"cloth": "布"}),
    ],
)
def test_every_picture_label_is_drawn_in_a_font_that_has_its_glyphs(
    name: str, labels: dict[str, str]
) -> None:
    strings = _strings(draw_picture(name, labels, 150, False))
    assert strings
    for string in strings:
        face = pdfmetrics.getFont(string.fontName).face
        missing = [char for char in string.text if ord(char) not in face.charToGlyph and not char.isspace()]
        assert missing == [], (string.text, string.fontName)
    drawn = "".join(string.text for string in strings)
    for text in labels.values():
        if text != labels.get("levels"):
            assert "".join(text.split()) in "".join(drawn.split())
