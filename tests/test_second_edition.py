"""The second edition's own rules, read back from the PDF: limits that never read earlier than they are
(with and without a procedure time, for every anesthesia and stay), a limit already over at discharge left
out, the one rule for the legs, lines printed only when they apply, and the pictures."""

from __future__ import annotations

import dataclasses
import re

import pytest

from dischargegen import build_case
from dischargegen.content import render_content
from dischargegen.content.blocks import Block
from dischargegen.content.markup import parse_document, parse_plain, parse_with_htmlparser
from dischargegen.errors import ContentError
from dischargegen.levels import parse_levels
from dischargegen.pdf.pictures import draw_picture, treated_levels
from tests.helpers import PHONES_SITE, fields, pages, render

ANESTHESIA = ("local", "sedation", "general")
STAYS = ("no", "yes")

# The procedure is on Friday, January 1, 2027 at 2:30 PM (or 1:15 PM for the singular Spanish article).
# With a time, each 24- or 48-hour limit names the clock time and day it ends.
TIMED = {
    "en": {
        "adult": "until 2:30 PM on Saturday, January 2",
        "drive_24": "until 2:30 PM on Saturday, January 2",
        "drive_48": "Do not drive until 2:30 PM on Sunday, January 3",
        "dry": "Keep the bandage dry until 2:30 PM on Sunday, January 3",
    },
    "es": {
        "adult": "hasta las 2:30 p.m. del sábado 2 de enero",
        "drive_24": "hasta las 2:30 p.m. del sábado 2 de enero",
        "drive_48": "No maneje hasta las 2:30 p.m. del domingo 3 de enero",
        "dry": "Vendaje seco hasta las 2:30 p.m. del domingo 3 de enero",
    },
}
# Without one, the limit runs through the end of the day it falls on, and says so.
UNTIMED = {
    "en": {
        "adult": "through Saturday, January 2",
        "drive_24": "through Saturday, January 2",
        "drive_48": "Do not drive through Sunday, January 3",
        "dry": "Keep the bandage dry through Sunday, January 3",
    },
    "es": {
        "adult": "hasta el final del sábado 2 de enero",
        "drive_24": "hasta el final del sábado 2 de enero",
        "drive_48": "No maneje hasta el final del domingo 3 de enero",
        "dry": "Vendaje seco hasta el final del domingo 3 de enero",
    },
}
UNTIL_A_DAY = {
    "en": re.compile(r"\b[Uu]ntil (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"),
    "es": re.compile(r"\b[Hh]asta el (lunes|martes|miércoles|jueves|viernes|sábado|domingo)\b"),
}


@pytest.mark.parametrize("timed", (True, False), ids=("with-time", "no-time"))
@pytest.mark.parametrize("overnight", STAYS)
@pytest.mark.parametrize("anesthesia", ANESTHESIA)
@pytest.mark.parametrize("language", ("en", "es"))
def test_limits_never_read_earlier_than_they_are(
    language: str, anesthesia: str, overnight: str, timed: bool
) -> None:
    time = {"procedure_time": "14:30"} if timed else {}
    first, *rest = pages(
        render(PHONES_SITE, language=language, anesthesia=anesthesia, overnight=overnight, **time)
    )
    said = (TIMED if timed else UNTIMED)[language]
    other = (UNTIMED if timed else TIMED)[language]
    # A limit may start a sentence ("Until 2:30 PM on ...: an adult stays with you"): compare in lower case.
    page_one = first.lower()
    assert said["dry"].lower() in page_one and other["dry"].lower() not in page_one
    if anesthesia != "local":
        assert said["adult"].lower() in page_one and other["adult"].lower() not in page_one
    drive = "drive_48" if anesthesia == "general" else "drive_24"
    assert said[drive].lower() in page_one and other[drive].lower() not in page_one
    whole = " ".join([first, *rest])
    assert not UNTIL_A_DAY[language].search(whole), UNTIL_A_DAY[language].search(whole)


def test_one_oclock_takes_the_singular_article_in_spanish() -> None:
    first = pages(render(language="es", anesthesia="sedation", procedure_time="13:15"))[0]
    assert "Hasta la 1:15 p.m. del sábado 2 de enero: un adulto se queda con usted" in first


# A site whose 24-hour limits are 12 hours: after an overnight stay they ended the evening before.
SHORT_LIMITS = dataclasses.replace(
    PHONES_SITE,
    limits=dataclasses.replace(PHONES_SITE.limits, adult_stay_hours=12, driving_hours_sedation=12),
)


@pytest.mark.parametrize("language", ("en", "es"))
def test_a_limit_over_before_the_patient_leaves_is_not_printed(language: str) -> None:
    text = " ".join(
        pages(
            render(
                SHORT_LIMITS,
                language=language,
                anesthesia="sedation",
                overnight="yes",
                procedure_time="08:00",
            )
        )
    )
    gone = {
        "en": ("An adult stays", "Do not drive until 8", "adult will stay"),
        "es": ("se queda con usted", "No maneje hasta la", "se va a quedar"),
    }
    for phrase in gone[language]:
        assert phrase not in text
    kept = {
        "en": "Never drive while you take opioid pain pills.",
        "es": "Nunca maneje mientras tome opioides para el dolor.",
    }
    assert kept[language] in text
    # The same limits still run on a same-day discharge: 8 PM on the day of the procedure.
    same_day = " ".join(
        pages(render(SHORT_LIMITS, language=language, anesthesia="sedation", procedure_time="08:00"))
    )
    assert {"en": "Until 8:00 PM on Friday, January 1", "es": "Hasta las 8:00 p.m. del viernes 1 de enero"}[
        language
    ] in same_day


def _section_texts(language: str) -> dict[str, str]:
    content = render_content(build_case(fields(language=language)), PHONES_SITE)
    texts: dict[str, str] = {}
    for section in content.sections:
        texts[section.kind] = texts.get(section.kind, "") + " ".join(b.text for b in section.all_blocks())
    return texts


@pytest.mark.parametrize(
    ("language", "weakness", "numbness"),
    (
        (
            "en",
            "New weakness in your legs, or trouble walking",
            "numbness or tingling in your legs while you walk normally",
        ),
        (
            "es",
            "Debilidad en las piernas que no tenía antes",
            "adormecimiento u hormigueo en las piernas si camina normal",
        ),
    ),
)
def test_one_rule_for_the_legs(language: str, weakness: str, numbness: str) -> None:
    texts = _section_texts(language)
    assert weakness in texts["emergency"] and weakness not in texts["call"]
    assert numbness in texts["call"] and numbness not in texts["emergency"]
    legs = {"en": "legs", "es": "piernas"}[language]
    # Nowhere else does a list of signs speak of the legs: one rule, stated once per box.
    assert texts["emergency"].count(legs) == 1 and texts["call"].count(legs) == 1


OPTIONAL = {
    "en": {
        "pt": "Your doctor ordered physical therapy.",
        "restart_first": "Start your blood thinner again on Sunday, January 3.",
        "restart_reason": "It was stopped so you would not bleed.",
        "ask_first": "Ask the spine clinic before you start your blood thinner again.",
        "unknown_body": "If you take a blood thinner",
        "blood_word": "blood thinner",
        "brace_first": "Wear your brace as your doctor told you.",
        "brace_unknown": "Wear a back brace only if your doctor prescribed one.",
        "brace_word": "brace",
    },
    "es": {
        "pt": "Su médico le mandó terapia física:",
        "restart_first": "Vuelva a tomar su medicina contra los coágulos el domingo 3 de enero.",
        "restart_reason": "Se la quitaron para evitar sangrados.",
        "ask_first": "Pregunte a la clínica antes de volver a tomar su medicina contra los coágulos.",
        "unknown_body": "Si toma una medicina contra los coágulos",
        "blood_word": "coágulos",
        "brace_first": "Use su corsé o soporte para la espalda como le indicó su médico.",
        "brace_unknown": "Use un corsé o soporte para la espalda solo si su médico se lo recetó.",
        "brace_word": "corsé",
    },
}


@pytest.mark.parametrize("language", ("en", "es"))
def test_lines_print_only_when_they_apply(language: str) -> None:
    say = OPTIONAL[language]

    def read(**overrides: str) -> tuple[str, str]:
        every = pages(render(PHONES_SITE, language=language, **overrides))
        return every[0], " ".join(every)

    assert say["pt"] in read(physical_therapy="yes")[1]
    for value in ("no", None):
        extra = {} if value is None else {"physical_therapy": value}
        assert say["pt"] not in read(**extra)[1]
        assert {"en": "physical therapy", "es": "terapia física"}[language] not in read(**extra)[1]

    first, text = read(blood_thinner_restart="2027-01-03")
    assert say["restart_first"] in first and say["restart_reason"] in text
    first, text = read(blood_thinner="yes")
    assert say["ask_first"] in first
    first, text = read(blood_thinner="no")
    assert say["blood_word"] not in text
    first, text = read()
    assert say["unknown_body"] in text and say["blood_word"] not in first

    first, text = read(brace="yes")
    assert say["brace_first"].split(" como")[0].split(" as ")[0] in first
    first, text = read(brace="no")
    assert say["brace_word"] not in text
    first, text = read()
    assert say["brace_unknown"] in text and say["brace_word"] not in first


def _figures(language: str, **overrides: str) -> list[Block]:
    content = render_content(build_case(fields(language=language, **overrides)), PHONES_SITE)
    return [block for section in content.sections for block in section.blocks if block.kind == "figure"]


@pytest.mark.parametrize("language", ("en", "es"))
@pytest.mark.parametrize("levels", ("L1", "T12,L1", "T10-L1", "T4,T9,L3"))
def test_each_picture_is_captioned_with_a_text_alternative_and_the_spine_marks_the_treated_levels(
    language: str, levels: str
) -> None:
    figures = _figures(language, levels=levels, cause="osteoporosis")
    assert [f.attributes["picture"] for f in figures] == ["spine", "lifting", "rolling", "ice", "one_in_five"]
    for figure in figures:
        assert figure.text.strip() and figure.attributes["alt"].strip()
    spine = figures[0]
    treated = parse_levels(levels, "levels")
    assert tuple(spine.attributes["levels"].split()) == treated
    attributes = {k: v for k, v in spine.attributes.items() if k not in ("picture", "alt")}
    assert treated_levels(draw_picture("spine", attributes, 110, False)) == treated
    # The caption names every treated level, and so does page 2, where the picture is drawn.
    for label in treated:
        assert label in spine.text
    second = pages(render(PHONES_SITE, language=language, levels=levels))[1]
    drawn = set(re.findall(r"\b[TL]\d{1,2}\b", second.split("Your spine")[0].split("Su columna")[0]))
    assert drawn == set(treated)


def test_the_one_in_five_picture_only_for_osteoporosis() -> None:
    for cause in ("cancer", "trauma", None):
        extra = {} if cause is None else {"cause": cause}
        assert "one_in_five" not in [f.attributes["picture"] for f in _figures("en", **extra)]


@pytest.mark.parametrize("language", ("en", "es"))
def test_large_print_page_one_still_holds_the_911_box_and_both_phones(language: str) -> None:
    every = pages(
        render(
            PHONES_SITE,
            language=language,
            large_print="yes",
            anesthesia="general",
            overnight="yes",
            levels="T10-L1",
            cause="osteoporosis",
            brace="yes",
            blood_thinner_restart="2027-01-04",
            physical_therapy="yes",
        )
    )
    assert len(every) <= 8
    first = every[0]
    signs = {
        "en": ("Chest pain", "New weakness in your legs", "hold in your urine", "stroke", "Fainting"),
        "es": (
            "Dolor de pecho",
            "Debilidad en las piernas",
            "aguantar la orina",
            "Derrame cerebral",
            "Desmayo",
        ),
    }
    for sign in signs[language]:
        assert sign in first
    assert "(555) 010-2200" in first and "(555) 010-2299" in first


def test_page_one_that_runs_over_goes_on_to_page_two_rather_than_failing() -> None:
    # Every optional line at once, in Spanish, with long month names: page 1's own material may not fit.
    every = pages(
        render(
            PHONES_SITE,
            language="es",
            anesthesia="general",
            overnight="no",
            levels="T10-L1",
            cause="osteoporosis",
            procedure_date="2027-09-15",
            procedure_time="13:10",
            brace="yes",
            blood_thinner_restart="2027-09-28",
            physical_therapy="yes",
        )
    )
    assert "Llame al 911 de inmediato si tiene:" in every[0] and "(555) 010-2299" in every[0]
    assert "pida una cita" in " ".join(every[:2])


FIGURE = (
    '<section><h2>Heading</h2><figure picture="ice" alt="An ice pack on a cloth." cloth="Cloth">'
    "<figcaption>Ice for <strong>20 minutes</strong>.</figcaption><ul><li>One</li><li>Two</li></ul>"
    '<p>Beside</p></figure></section><hr class="page-break"><section><p>After</p></section>'
)


def test_a_figure_keeps_its_caption_alternative_and_the_blocks_beside_it_in_both_parsers() -> None:
    fast, reference = parse_plain(FIGURE), parse_with_htmlparser(FIGURE)
    assert fast == reference
    figure = reference[0].blocks[1]
    assert figure.kind == "figure" and figure.text == "Ice for 20 minutes."
    assert figure.attributes == {"picture": "ice", "alt": "An ice pack on a cloth.", "cloth": "Cloth"}
    assert [(child.kind, child.text) for child in figure.children] == [
        ("bullet", "One"),
        ("bullet", "Two"),
        ("p", "Beside"),
    ]
    assert [block.kind for block in reference[1].blocks] == ["page_break"]
    assert [block.text for block in reference[0].all_blocks()] == [
        "Heading",
        figure.text,
        "One",
        "Two",
        "Beside",
    ]


@pytest.mark.parametrize(
    ("html", "message"),
    (
        ('<figure picture="ice" alt="x"><p>No caption</p></figure>', "needs a <figcaption>"),
        ('<figure picture="ice"><figcaption>c</figcaption></figure>', 'needs the attribute alt="..."'),
        ('<figure alt="x"><figcaption>c</figcaption></figure>', 'needs the attribute picture="..."'),
        ("<figcaption>c</figcaption>", "<figcaption> outside a <figure>"),
        (
            '<figure picture="ice" alt="x"><figure picture="ice" alt="y">',
            "cannot start inside another figure",
        ),
        ('<hr class="rule">', 'only <hr class="page-break"> is known'),
        ('<section><hr class="page-break"></section>', "must stand between sections"),
        ('<section><figure picture="ice" alt="x"><figcaption>c</figcaption></section>', "not closed"),
    ),
)
def test_figure_and_page_break_mistakes_are_named(html: str, message: str) -> None:
    with pytest.raises(ContentError, match=re.escape(message)):
        parse_document(html)


@pytest.mark.parametrize("large_print", ("no", "yes"))
@pytest.mark.parametrize("language", ("en", "es"))
def test_the_longest_variants_keep_to_five_pages_on_a4_too(language: str, large_print: str) -> None:
    # Osteoporosis with three levels and every optional line the matrix gives them: the longest documents.
    limit = 8 if large_print == "yes" else 5
    for anesthesia in ANESTHESIA:
        for overnight in STAYS:
            every = pages(
                render(
                    PHONES_SITE,
                    paper="a4",
                    language=language,
                    large_print=large_print,
                    anesthesia=anesthesia,
                    overnight=overnight,
                    levels="T11-L1",
                    cause="osteoporosis",
                    physical_therapy="yes",
                    blood_thinner="yes",
                )
            )
            assert len(every) <= limit, (anesthesia, overnight, len(every))
