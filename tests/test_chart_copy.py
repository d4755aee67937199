"""The chart copy (issue 14, item 2): the signature page again, marked "Chart copy" in its header, then the
nurse's teach-back card whose expected answers are the patient's own document's marked sentences.
Everything is read back from the PDF with pypdf."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path
from typing import Any

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dischargegen
from dischargegen import build_case, render_pdf
from dischargegen.case import MAX_MRN_LENGTH, MAX_NAME_LENGTH
from dischargegen.check.matrix import all_variants
from dischargegen.content import render_content
from dischargegen.content.markup import parse_document, parse_with_htmlparser
from dischargegen.content.teach_back import teach_back_card
from dischargegen.content.templating import default_templates_dir
from dischargegen.errors import ContentError
from dischargegen.pdf import speedups
from dischargegen.pdf.styles import MARGIN_TOP
from dischargegen.render import render_chart_copy
from dischargegen.site import DEFAULT_SITE, SiteSettings

from .helpers import fields

# The questions of the shipped card (templates/en/teach_back.html), with the default emergency number.
QUESTIONS = {
    "drive": "When may you drive again?",
    "lift": "What weight may you lift, and until when?",
    "emergency": "Which signs mean you call 911?",
    "blood_thinner": "When do you start your blood thinner again?",
    "visit": "When is your next visit?",
    "shower": "When may you shower?",
}
RESTART = {"blood_thinner_restart": "2027-01-04"}


def squeezed(text: str) -> str:
    return " ".join(text.split())


def page_lines(pdf: bytes) -> list[list[str]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [[line.strip() for line in (page.extract_text() or "").splitlines()] for page in reader.pages]


def page_texts(pdf: bytes) -> list[str]:
    return [squeezed(" ".join(lines)) for lines in page_lines(pdf)]


def chart(**overrides: Any) -> bytes:
    return render_chart_copy(build_case(fields(**overrides)), DEFAULT_SITE)


def asked(card_text: str) -> list[str]:
    """The keys of the shipped questions the card page prints."""
    return [key for key, question in QUESTIONS.items() if question in card_text]


def body(lines: list[str], heading: str, footer_start: str) -> list[str]:
    """A page's lines from `heading` to just before the footer: no header, no footer."""
    start = lines.index(heading)
    end = next(i for i, line in enumerate(lines) if line.startswith(footer_start))
    return lines[start:end]


def with_templates(folder: Path) -> SiteSettings:
    return dataclasses.replace(
        DEFAULT_SITE, content=dataclasses.replace(DEFAULT_SITE.content, templates_dir=folder)
    )


def override(folder: Path, name: str, text: str) -> SiteSettings:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return with_templates(folder)


# -- the signature page -------------------------------------------------------------------------------------


@pytest.mark.parametrize("large_print", ("no", "yes"))
@pytest.mark.parametrize("language", ("en", "es"))
def test_page_one_is_the_documents_signature_page_marked_chart_copy(language: str, large_print: str) -> None:
    case = build_case(fields(language=language, large_print=large_print, anesthesia="sedation", **RESTART))
    document = page_lines(render_pdf(case, DEFAULT_SITE))
    copy = page_lines(render_chart_copy(case, DEFAULT_SITE))
    assert len(copy) == 2
    receipt = next(s for s in render_content(case, DEFAULT_SITE).sections if s.kind == "receipt")
    heading = receipt.blocks[0].text
    footer = "Content version" if language == "en" else "Versión del texto"
    # The checklist, the receipt sentence and the signature labels, line for line as the last page has them.
    assert body(copy[0], heading, footer) == body(document[-1], heading, footer)
    assert ("Patient or caregiver" if language == "en" else "Paciente o cuidador") in copy[0]
    # "Chart copy" in the header, above the body; the patient's header is there too, in their language.
    header = copy[0][: copy[0].index(heading)]
    assert "Chart copy" in header
    assert ("Patient: Ana Diaz" if language == "en" else "Paciente: Ana Diaz") in header
    assert "MRN-1001" in squeezed(" ".join(header))
    assert "Chart copy" not in squeezed(" ".join(document[-1]))
    everything = squeezed(" ".join(" ".join(lines) for lines in document))
    assert "Teach-back card" not in everything  # the card never goes home with the patient


def test_the_mark_is_bold_and_drawn_in_the_header() -> None:
    reader = pypdf.PdfReader(io.BytesIO(chart()))
    page = reader.pages[0]
    found: list[tuple[float, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip() == "Chart copy":
            found.append((tm[5] * cm[3] + cm[5], str(font.get("/BaseFont", "")) if font else ""))

    page.extract_text(visitor_text=visit)
    assert len(found) == 1
    y, font = found[0]
    assert y > float(page.mediabox.height) - MARGIN_TOP  # in the header, above the body
    assert "Bold" in font


# -- the teach-back card ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    (
        {},
        {"language": "es"},
        {"language": "es", "large_print": "yes", "follow_up": "2027-01-12T13:30", **RESTART},
        {"anesthesia": "general", "overnight": "yes", "procedure_time": "09:30"},
    ),
    ids=("en", "es", "es-large-restart", "en-general-overnight"),
)
def test_the_card_asks_four_to_six_questions_answered_in_the_documents_own_words(
    overrides: dict[str, str],
) -> None:
    case = build_case(fields(**overrides))
    document = squeezed(" ".join(page_texts(render_pdf(case, DEFAULT_SITE))))
    card_page = page_texts(render_chart_copy(case, DEFAULT_SITE))[1]
    assert "Teach-back card for the nurse" in card_page
    assert "Do not give it to the patient" in card_page
    assert "Patient: Ana Diaz" in card_page and "MRN-1001" in card_page  # English header on the card
    card = teach_back_card(case, DEFAULT_SITE, render_content(case, DEFAULT_SITE))
    assert 4 <= len(asked(card_page)) <= 6
    assert [q.key for q in card.questions] == asked(card_page)
    for question in card.questions:
        for answer in question.answers:
            text = squeezed(answer.text)
            assert text in document, question.key
            assert text in card_page, question.key


def test_spanish_case_english_questions_spanish_answers() -> None:
    case = build_case(fields(language="es", **RESTART))
    card_page = page_texts(render_chart_copy(case, DEFAULT_SITE))[1]
    assert asked(card_page) == list(QUESTIONS)  # every question, in English
    assert "Vuelva a tomar su medicina contra los coágulos el lunes 4 de enero." in card_page
    assert "Dolor de pecho, falta de aire o tos con sangre" in card_page
    assert "Chest pain" not in card_page  # the answers are the Spanish document's, not the English one's
    assert "Start your blood thinner" not in card_page


@pytest.mark.parametrize("language", ("en", "es"))
@pytest.mark.parametrize(
    ("overrides", "advice"),
    (
        ({}, True),  # takes one, no date: "ask the spine clinic before you start it again"
        (RESTART, True),
        ({"blood_thinner": "no"}, False),
        ({"blood_thinner": None}, False),
    ),
    ids=("takes-one", "restart-date", "takes-none", "not-stated"),
)
def test_the_blood_thinner_question_only_when_the_document_gives_the_restart_advice(
    language: str, overrides: dict[str, str | None], advice: bool
) -> None:
    chosen: dict[str, str | None] = {"blood_thinner": "yes", **overrides}
    case = build_case(fields(language=language, **chosen))
    document = squeezed(" ".join(page_texts(render_pdf(case, DEFAULT_SITE))))
    restart = {
        "en": ("Start your blood thinner again on", "before you start your blood thinner again"),
        "es": ("Vuelva a tomar su medicina contra los coágulos el", "antes de volver a tomar su medicina"),
    }[language]
    assert any(phrase in document for phrase in restart) == advice
    card_page = page_texts(render_chart_copy(case, DEFAULT_SITE))[1]
    assert ("blood_thinner" in asked(card_page)) == advice
    if "blood_thinner_restart" in overrides:
        expected = "Monday, January 4" if language == "en" else "lunes 4 de enero"
        assert expected in card_page


def test_every_variant_of_the_check_matrix_gives_a_two_page_chart_copy_with_four_to_six_questions() -> None:
    """Both print sizes, both languages, every optional-input branch: the card is one page (render_chart_copy
    refuses a longer one) and asks four to six questions, the blood-thinner one exactly when the document
    gives the advice."""
    for variant in all_variants():
        for large_print in (False, True):
            case = variant.case(large_print)
            reader = pypdf.PdfReader(io.BytesIO(render_chart_copy(case, DEFAULT_SITE)))
            assert len(reader.pages) == 2, variant.id
            keys = asked(squeezed(reader.pages[1].extract_text()))
            assert 4 <= len(keys) <= 6, variant.id
            assert {"drive", "lift", "emergency", "visit", "shower"} <= set(keys), variant.id
            advice = case.blood_thinner_restart is not None or case.blood_thinner is True
            assert ("blood_thinner" in keys) == advice, variant.id


@settings(max_examples=25, deadline=None)
@given(
    name=st.text(alphabet=st.sampled_from("WMmiIl ÆŒœ-'.Щá"), min_size=1, max_size=MAX_NAME_LENGTH).filter(
        lambda n: bool(n.strip()) and any(c.isalpha() for c in n)
    ),
    mrn=st.text(alphabet=st.sampled_from("W0-.abcM9"), min_size=1, max_size=MAX_MRN_LENGTH).filter(
        lambda m: any(c.isalnum() for c in m)
    ),
    language=st.sampled_from(("en", "es")),
    large_print=st.sampled_from(("no", "yes")),
    paper=st.sampled_from(("letter", "a4")),
)
def test_any_name_and_mrn_keep_the_chart_copy_to_two_pages_with_the_mark(
    name: str, mrn: str, language: str, large_print: str, paper: str
) -> None:
    try:
        case = build_case(
            fields(patient_name=name, mrn=mrn, language=language, large_print=large_print, paper=paper)
        )
    except dischargegen.InputError:
        return  # a name or MRN build_case refuses is not the chart copy's concern
    copy = page_texts(render_chart_copy(case, DEFAULT_SITE))
    assert len(copy) == 2
    assert all(page.startswith("Chart copy") for page in copy)
    assert 4 <= len(asked(copy[1])) <= 6


# -- one source of text: markers and overrides ------------------------------------------------------------


def unmarked_templates(folder: Path) -> Path:
    """Copies of the shipped templates without their teach="..." markers: the templates as they were."""
    shipped = default_templates_dir()
    for language in ("en", "es"):
        source = (shipped / language / "discharge.html").read_text(encoding="utf-8")
        unmarked = re.sub(r' teach="[a-z_]+"', "", source)
        assert unmarked != source
        (folder / language).mkdir(parents=True)
        (folder / language / "discharge.html").write_text(unmarked, encoding="utf-8")
    return folder


@pytest.mark.parametrize("language", ("en", "es"))
def test_the_markers_do_not_change_the_patients_document(tmp_path: Path, language: str) -> None:
    site = with_templates(unmarked_templates(tmp_path))
    for overrides in ({}, {"anesthesia": "sedation", "follow_up": "2027-01-12T13:30", **RESTART}):
        case = build_case(fields(language=language, **overrides))
        marked = render_pdf(case, DEFAULT_SITE)
        unmarked = render_pdf(case, site)
        assert page_lines(marked) == page_lines(unmarked)
        assert marked == unmarked  # not a byte moves either


def test_without_markers_the_card_is_refused_naming_the_questions_not_the_patient(tmp_path: Path) -> None:
    site = with_templates(unmarked_templates(tmp_path))
    case = build_case(fields())
    with pytest.raises(ContentError) as raised:
        render_chart_copy(case, site)
    message = str(raised.value)
    assert "needs 4 to 6" in message and 'teach="KEY"' in message
    assert "not answered: drive, lift, emergency" in message
    assert "Ana" not in message and "MRN-1001" not in message


def test_a_site_override_of_a_marked_block_changes_the_cards_answer(tmp_path: Path) -> None:
    site = override(
        tmp_path,
        "en/discharge.html",
        '{% extends "default:en/discharge.html" %}\n{% block site_care %}\n<section>\n<h2>Bathing</h2>\n'
        '<ul>\n<li teach="shower">Shower again once your surgeon has seen the spots.</li>\n</ul>\n'
        "</section>\n{% endblock %}\n",
    )
    case = build_case(fields())
    document = squeezed(" ".join(page_texts(render_pdf(case, site))))
    card_page = page_texts(render_chart_copy(case, site))[1]
    assert "Shower again once your surgeon has seen the spots." in document
    assert "Shower again once your surgeon has seen the spots." in card_page
    assert "Keep the bandage dry" not in card_page  # the shipped answer went with the shipped block


def test_an_override_without_the_marker_drops_that_question_only(tmp_path: Path) -> None:
    site = override(
        tmp_path,
        "en/discharge.html",
        '{% extends "default:en/discharge.html" %}\n{% block site_care %}\n<section>\n<h2>Bathing</h2>\n'
        "<p>Shower again once your surgeon has seen the spots.</p>\n</section>\n{% endblock %}\n",
    )
    card_page = page_texts(render_chart_copy(build_case(fields()), site))[1]
    assert asked(card_page) == ["drive", "lift", "emergency", "visit"]  # four: the card still stands


def test_an_editor_changes_a_question_in_the_card_template(tmp_path: Path) -> None:
    site = override(
        tmp_path,
        "en/teach_back.html",
        '{% extends "default:en/teach_back.html" %}\n{% block questions %}\n<ol>\n'
        '<li teach="drive">Tell me when you can drive.</li>\n<li teach="lift">How much can you lift?</li>\n'
        '<li teach="emergency">When do you call 911?</li>\n<li teach="shower">When can you shower?</li>\n'
        '<li teach="nothing_marks_this">Which pets may you walk?</li>\n</ol>\n{% endblock %}\n',
    )
    card_page = page_texts(render_chart_copy(build_case(fields()), site))[1]
    for question in ("Tell me when you can drive.", "How much can you lift?", "When can you shower?"):
        assert question in card_page
    assert "Which pets" not in card_page  # the document answers no such question
    assert "When may you drive again?" not in card_page


def test_more_than_six_answered_questions_are_refused(tmp_path: Path) -> None:
    questions = "".join(f'<li teach="{key}">Q{n}?</li>\n' for n, key in enumerate([*QUESTIONS, "drive"]))
    site = override(
        tmp_path,
        "en/teach_back.html",
        '{% extends "default:en/teach_back.html" %}\n{% block questions %}\n<ol>\n'
        + questions
        + "</ol>\n{% endblock %}\n",
    )
    with pytest.raises(ContentError, match="has 7 questions answered"):
        render_chart_copy(build_case(fields(**RESTART)), site)


def test_a_card_longer_than_one_page_is_refused(tmp_path: Path) -> None:
    lines = "".join(f"<p>Method line {n}: ask, listen, teach again.</p>\n" for n in range(40))
    site = override(
        tmp_path,
        "en/teach_back.html",
        '{% extends "default:en/teach_back.html" %}\n{% block method %}\n' + lines + "{% endblock %}\n",
    )
    with pytest.raises(ContentError, match="the teach-back card is longer than one page"):
        render_chart_copy(build_case(fields()), site)


def test_an_error_in_the_card_template_names_it_and_no_value(tmp_path: Path) -> None:
    site = override(
        tmp_path,
        "en/teach_back.html",
        '{% extends "default:en/teach_back.html" %}\n{% block heading %}\n<h2>{{ patient.nickname }}</h2>\n'
        "{% endblock %}\n",
    )
    with pytest.raises(ContentError) as raised:
        render_chart_copy(build_case(fields()), site)
    assert "site template en/teach_back.html, line 3" in str(raised.value)
    assert "Ana" not in str(raised.value)


@pytest.mark.parametrize(
    ("html", "message"),
    (
        ('<h2 teach="drive">Driving</h2>', 'teach="..." marks a <p> or an <li>, not a <h2>'),
        ('<p teach="Drive Now">Text</p>', 'a teach="..." marker is a name'),
    ),
)
def test_marker_mistakes_are_named(html: str, message: str) -> None:
    with pytest.raises(ContentError, match=re.escape(message)):
        parse_document(html)


def test_a_marker_survives_both_parsers_and_the_section_memory() -> None:
    html = '<section class="summary"><ul><li teach="drive">Do <strong>not</strong> drive.</li></ul></section>'
    # The second plain reading comes from the remembered section; HTMLParser reads it the general way.
    for sections in (parse_document(html), parse_document(html), parse_with_htmlparser(html)):
        blocks = [(b.kind, b.teach, b.text) for b in sections[0].blocks]
        assert blocks == [("bullet", "drive", "Do not drive.")]


# -- the PDF as a file ------------------------------------------------------------------------------------


def test_no_patient_data_in_the_metadata() -> None:
    reader = pypdf.PdfReader(io.BytesIO(chart(language="es")))
    metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
    assert "Chart copy" in metadata
    for value in ("Ana", "Diaz", "MRN-1001", "1944"):
        assert value not in metadata


def test_the_same_input_gives_the_same_bytes_with_or_without_the_speedups() -> None:
    case = build_case(fields(language="es", **RESTART))
    first = render_chart_copy(case, DEFAULT_SITE)
    assert render_chart_copy(case, DEFAULT_SITE) == first
    with speedups.switched_off():
        assert render_chart_copy(case, DEFAULT_SITE) == first
    assert render_chart_copy(build_case(fields(language="es")), DEFAULT_SITE) != first


def test_the_library_checks_the_case_as_render_pdf_does() -> None:
    case = dataclasses.replace(build_case(fields()), mrn="")
    with pytest.raises(dischargegen.InputError) as raised:
        render_chart_copy(case, DEFAULT_SITE)
    assert raised.value.field == "mrn"
    assert dischargegen.render_chart_copy is render_chart_copy
