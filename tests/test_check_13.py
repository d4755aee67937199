"""`dischargegen check`, second edition (issue 13, item 8): at most 5 pages (8 in large print), page 1 holds
every "Call 911" sign and the phone numbers, no limit ends on a bare day ("until Tuesday"), and the
Flesch-Kincaid gate is grade 6.0.

Each rule is tested with a site template that replaces the whole document (it does not extend the shipped
one), so the tests hold whatever the shipped wording and layout become."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from dischargegen.check import VariantResult, run_check
from dischargegen.check.matrix import all_variants, select
from dischargegen.check.readability import ENGLISH_MAX_GRADE, SPANISH_MIN_EASE, Score, score
from dischargegen.check.rules import (
    MAX_PAGES_LARGE_PRINT,
    MAX_PAGES_REGULAR_PRINT,
    OPEN_LIMITS,
    open_limits,
    squeezed,
)
from dischargegen.cli import cli
from dischargegen.content.formatting import filters_for
from dischargegen.site import load_site
from dischargegen.vocab import LANGUAGES

NO_TIME = "kyphoplasty-local-same_day-no_cause-1level-*"  # no procedure time; with --only: en and es
WITH_TIME = "kyphoplasty-local-same_day-no_cause-2levels-*"  # procedure time 1:15 PM
PHONES = '[institution]\nclinic_phone = "(555) 010-2200"\nafter_hours_phone = "(555) 010-2299"\n'
PATIENT_DATA = ("Pat Sample", "CHECK-0001", "1944")  # the check's synthetic patient (check/matrix.py)

EN_SIGNS = ("Chest pain.", "Trouble breathing.", "New weakness in your legs, or trouble walking.")
ES_SIGNS = ("Dolor de pecho.", "Le cuesta respirar.", "Debilidad nueva en las piernas, o le cuesta caminar.")
# Flesch-Kincaid grade of the section "Fever" (heading and paragraph): 6.01 and 5.95.
JUST_ABOVE_6 = (
    "Call the clinic if your temperature is higher than usual. Also call if the bandage on your back "
    "becomes soaked with blood. Keep this paper beside the kitchen telephone."
)
JUST_BELOW_6 = (
    "Call the clinic if your temperature is higher than normal. Also call if the bandage on your back "
    "becomes soaked with blood. Keep this paper beside the kitchen telephone tonight."
)


# Four sentences marked as the teach-back card's answers: a document of our own passes the card rule.
ANSWERS = {
    "en": '<section><h2>At home</h2><p teach="drive">Do not drive yet.</p><p teach="lift">Lift nothing '
    'heavy.</p><p teach="shower">Keep the bandage dry.</p><p teach="visit">Call us for a visit.</p></section>',
    "es": '<section><h2>En casa</h2><p teach="drive">No maneje todavía.</p><p teach="lift">No levante nada '
    'pesado.</p><p teach="shower">No moje la venda.</p><p teach="visit">Llámenos para una cita.</p></section>',
}


def padding(paragraphs: int, language: str = "en") -> str:
    """A plain section long enough to push what follows down the pages."""
    line = "<p>Walk a little each day.</p>" if language == "en" else "<p>Camine un poco cada día.</p>"
    heading = "More about walking" if language == "en" else "Más sobre caminar"
    return f"<section><h2>{heading}</h2>{line * paragraphs}</section>"


def emergency_box(language: str = "en", signs: tuple[str, ...] | None = None) -> str:
    if language == "en":
        items = "".join(f"<li>{sign}</li>" for sign in (EN_SIGNS if signs is None else signs))
        return (
            '<section class="emergency"><h2>Call {{ site.emergency_number }}</h2>'
            f"<p>Call {{{{ site.emergency_number }}}} for any of these.</p><ul>{items}</ul></section>"
        )
    items = "".join(f"<li>{sign}</li>" for sign in (ES_SIGNS if signs is None else signs))
    return (
        '<section class="emergency"><h2>Llame al {{ site.emergency_number }}</h2>'
        f"<p>Llame al {{{{ site.emergency_number }}}} si tiene uno de estos problemas.</p><ul>{items}</ul>"
        "</section>"
    )


def phones(language: str = "en") -> str:
    blank = '"__________"'
    if language == "en":
        return (
            '<section class="call"><h2>Call the clinic</h2>'
            f"<p>In the day: {{{{ site.clinic_phone or {blank} }}}}.</p>"
            f"<p>At night: {{{{ site.after_hours_phone or {blank} }}}}.</p></section>"
        )
    return (
        '<section class="call"><h2>Llame a la clínica</h2>'
        f"<p>De día: {{{{ site.clinic_phone or {blank} }}}}.</p>"
        f"<p>De noche: {{{{ site.after_hours_phone or {blank} }}}}.</p></section>"
    )


def document(language: str = "en", *parts: str) -> str:
    """A whole discharge.html of our own: a title, a summary naming the patient (which the report must never
    repeat), then `parts` (default: the 911 box and the phones)."""
    if language == "en":
        head = (
            '<h1>Going home</h1><section class="summary"><h2>Read this first</h2>'
            "<p>{{ patient.name }} had a procedure on {{ dates.procedure | day }}.</p></section>"
            + ANSWERS["en"]
        )
    else:
        head = (
            '<h1>Volver a casa</h1><section class="summary"><h2>Lea esto primero</h2>'
            "<p>{{ patient.name }} tuvo un procedimiento el {{ dates.procedure | day }}.</p></section>"
            + ANSWERS["es"]
        )
    return head + "".join(parts or (emergency_box(language), phones(language)))


def site_with(tmp_path: Path, en: str | None = None, es: str | None = None, settings: str = PHONES) -> Path:
    """Site settings whose templates folder replaces the English and Spanish documents (by default with the
    document that follows every rule)."""
    for language, source in (("en", en or document("en")), ("es", es or document("es"))):
        path = tmp_path / "templates" / language / "discharge.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    site = tmp_path / "site.toml"
    site.write_text(f'{settings}[content]\ntemplates_dir = "templates"\n', encoding="utf-8")
    return site


def run(site: Path, *patterns: str) -> Result:
    only = [arg for pattern in patterns or (NO_TIME,) for arg in ("--only", pattern)]
    result = CliRunner().invoke(cli, ["check", "--site", str(site), "--jobs", "1", *only])
    assert "Traceback" not in result.output
    for value in PATIENT_DATA:
        assert value not in result.output
    return result


def verdict(result: Result, variant: str) -> tuple[str, str]:
    """The "failed" and "result" columns of a variant's row in the report's table."""
    row = next(line for line in result.output.splitlines() if line.startswith(variant + " "))
    match = re.search(r" \d+/\d+ +(\S.*?) +(pass|FAIL)$", row)
    assert match, row
    return match.group(1), match.group(2)


def failures(result: Result) -> list[str]:
    lines = result.output.split("\nFailures:", 1)[1].split("\n\n", 1)[0]
    return [line.strip() for line in lines.splitlines() if line.strip()]


# -- a document that follows every rule ---------------------------------------------------------------------


def test_a_document_that_follows_every_rule_passes(tmp_path: Path) -> None:
    result = run(site_with(tmp_path), NO_TIME, WITH_TIME)
    assert result.exit_code == 0, result.output
    assert "Failures: none" in result.output
    assert "Pages: regular/large print, at most 5/8." in result.output
    assert "Note:" not in result.output
    assert (
        "OK: all 4 variants pass (reading level, abbreviations, pages, page 1, until <day>, teach-back card)."
        in result.output
    )


# -- 1. pages -----------------------------------------------------------------------------------------------


def test_the_page_limits_are_the_editions() -> None:
    assert (MAX_PAGES_REGULAR_PRINT, MAX_PAGES_LARGE_PRINT) == (5, 8)
    report = run_check(load_site(None), select(all_variants(), [NO_TIME]), jobs=1)
    base = report.results[0]
    assert dataclasses.replace(base, pages=(5, 8)).too_long == []
    assert dataclasses.replace(base, pages=(6, 8)).too_long == [False]
    assert dataclasses.replace(base, pages=(5, 9)).too_long == [True]
    assert dataclasses.replace(base, pages=(6, 9)).too_long == [False, True]
    long_one = dataclasses.replace(base, pages=(6, 8), page_one_gaps=(), open_limits=())
    assert "pages" in long_one.failed_rules and not long_one.passes


def test_more_than_five_pages_fails(tmp_path: Path) -> None:
    en = document("en", emergency_box(), phones(), padding(200))
    result = run(site_with(tmp_path, en=en))
    assert result.exit_code == 1, result.output
    lines = failures(result)
    assert any(
        line.startswith("pages (en, regular print): up to ")
        and ", at most 5 allowed; kyphoplasty-local-same_day-no_cause-1level-en" in line
        for line in lines
    ), lines
    assert any(line.startswith("pages (en, large print): up to ") for line in lines)
    assert not any("(es" in line for line in lines)  # the Spanish document is short
    assert verdict(result, "kyphoplasty-local-same_day-no_cause-1level-en") == ("pages", "FAIL")
    assert "FAILED: 1 of 2 variants fail the checks." in result.output


def test_more_than_eight_pages_in_large_print_alone_fails(tmp_path: Path) -> None:
    # A site template may branch on large print: only the large-print document is long.
    en = document("en", emergency_box(), phones(), "{% if case.large_print %}" + padding(200) + "{% endif %}")
    result = run(site_with(tmp_path, en=en))
    assert result.exit_code == 1, result.output
    lines = failures(result)
    assert len(lines) == 1 and lines[0].startswith("pages (en, large print): up to "), lines
    assert ", at most 8 allowed; kyphoplasty-local-same_day-no_cause-1level-en" in lines[0]
    report = run_check(load_site(site_with(tmp_path, en=en)), select(all_variants(), [NO_TIME]), jobs=1)
    regular, large = report.results[0].pages
    assert regular == 1 and large > 8


# -- 2. page 1 ----------------------------------------------------------------------------------------------


def test_911_box_pushed_off_page_one_fails_every_sign(tmp_path: Path) -> None:
    # The box at the end, after a page and a half of padding: still in the document, not on page 1.
    en = document("en", phones(), padding(60), emergency_box())
    result = run(site_with(tmp_path, en=en))
    assert result.exit_code == 1, result.output
    lines = failures(result)
    for size in ("regular print", "large print"):
        for sign in EN_SIGNS:
            assert (
                f'page 1 (en, {size}) lacks the "Call 911" sign "{sign}"; '
                "kyphoplasty-local-same_day-no_cause-1level-en" in lines
            ), lines
    assert not any(line.startswith("pages") for line in lines)  # short enough: only page 1 fails
    # Nothing else on page 1 says 911 either.
    assert (
        "page 1 (en, regular print) lacks the emergency number (institution.emergency_number);"
        " kyphoplasty-local-same_day-no_cause-1level-en" in lines
    )
    assert verdict(result, "kyphoplasty-local-same_day-no_cause-1level-en") == ("page 1", "FAIL")


def test_a_sign_dropped_from_page_one_in_large_print_only_fails_large_print(tmp_path: Path) -> None:
    # Large print takes more room: a box that fits under the padding in regular print moves to page 2.
    en = document("en", "{% if case.large_print %}" + padding(30) + "{% endif %}", emergency_box(), phones())
    result = run(site_with(tmp_path, en=en))
    assert result.exit_code == 1, result.output
    lines = failures(result)
    assert lines and all(line.startswith("page 1 (en, large print) lacks ") for line in lines), lines
    assert any('"Chest pain."' in line for line in lines)


def test_a_sign_split_from_the_rest_of_its_box_fails_that_sign(tmp_path: Path) -> None:
    # A second 911 box after the padding: its sign counts too, and only it is missing from page 1.
    late = emergency_box("en", ("Fainting.",))
    en = document("en", emergency_box(), phones(), padding(60), late)
    lines = failures(run(site_with(tmp_path, en=en)))
    assert 'page 1 (en, regular print) lacks the "Call 911" sign "Fainting."; ' in " ".join(lines)
    assert not any("Chest pain" in line for line in lines)


def test_content_without_a_911_section_fails(tmp_path: Path) -> None:
    es = document(
        "es", "<section><h2>Llame al 911</h2><p>Si tiene dolor de pecho.</p></section>", phones("es")
    )
    result = run(site_with(tmp_path, es=es))
    assert result.exit_code == 1, result.output
    lines = failures(result)
    for size in ("regular print", "large print"):
        assert any(
            line.startswith(f'page 1 (es, {size}) lacks a "Call 911" section (<section class="emergency">)')
            for line in lines
        ), lines
    # The numbers are still checked: the phones are on page 1 here, so only the section is missing.
    assert len(lines) == 2, lines
    no_clinic_phone = es.replace("{{ site.clinic_phone", "{{ site.after_hours_phone")
    lines = failures(run(site_with(tmp_path / "second", es=no_clinic_phone)))
    assert any("lacks the clinic phone number (institution.clinic_phone)" in line for line in lines), lines


@pytest.mark.parametrize(
    ("setting", "missing"),
    [
        ("clinic_phone", "the clinic phone number (institution.clinic_phone)"),
        ("after_hours_phone", "the after-hours phone number (institution.after_hours_phone)"),
    ],
)
def test_a_phone_off_page_one_fails_naming_the_setting(tmp_path: Path, setting: str, missing: str) -> None:
    other = "after_hours_phone" if setting == "clinic_phone" else "clinic_phone"
    late_phone = f"<section><h2>Phone</h2><p>Call {{{{ site.{setting} }}}}.</p></section>"
    en = document("en", emergency_box(), f"<p>Call {{{{ site.{other} }}}}.</p>", padding(60), late_phone)
    result = run(site_with(tmp_path, en=en))
    assert result.exit_code == 1, result.output
    lines = failures(result)
    assert (
        f"page 1 (en, regular print) lacks {missing}; kyphoplasty-local-same_day-no_cause-1level-en" in lines
    )
    assert not any(other in line for line in lines)
    assert "(555) 010" not in "\n".join(lines)  # the report names the setting


def test_an_emergency_number_off_page_one_fails(tmp_path: Path) -> None:
    box = emergency_box().replace("{{ site.emergency_number }}", "for help")
    en = document("en", box, phones(), padding(60), "<p>The number is {{ site.emergency_number }}.</p>")
    lines = failures(run(site_with(tmp_path, en=en)))
    assert any(
        line.startswith(
            "page 1 (en, regular print) lacks the emergency number (institution.emergency_number)"
        )
        for line in lines
    ), lines


def test_phones_not_set_are_a_note_not_a_failure(tmp_path: Path) -> None:
    # The document prints a blank line to fill in: nothing to read back, so the check says so, once a run.
    result = run(site_with(tmp_path, settings=""), NO_TIME, WITH_TIME)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("Note:")]
    assert notes == [
        "Note: institution.clinic_phone is not set, so the document leaves a blank line for the clinic phone"
        " number and check cannot verify that page 1 shows it",
        "Note: institution.after_hours_phone is not set, so the document leaves a blank line for the"
        " after-hours phone number and check cannot verify that page 1 shows it",
    ]


def test_one_phone_set_is_checked_and_the_other_noted(tmp_path: Path) -> None:
    settings_text = '[institution]\nclinic_phone = "(555) 010-2200"\n'
    late = "<section><h2>Phone</h2><p>Call {{ site.clinic_phone }}.</p></section>"
    en = document("en", emergency_box(), padding(60), late)
    result = run(site_with(tmp_path, en=en, settings=settings_text))
    assert result.exit_code == 1
    assert "lacks the clinic phone number (institution.clinic_phone)" in result.output
    assert "lacks the after-hours phone number" not in result.output
    assert "Note: institution.after_hours_phone is not set" in result.output


def test_text_broken_across_lines_still_matches() -> None:
    # PDF text extraction breaks lines where the layout did, after a hyphen too.
    assert squeezed("Sudden weak-\nness in your legs,\n or trouble\nwalking.") == squeezed(
        "Sudden weakness in your legs, or trouble walking."
    )
    assert squeezed("(555) 010-\n2200") == squeezed("(555) 010-2200")
    assert squeezed("Chest pain.") not in squeezed("Chest\npains")  # still the words, not a guess


# -- 3. limits that end on a bare day -----------------------------------------------------------------------


def until_block(line: str, language: str = "en") -> str:
    heading = "Protect your back" if language == "en" else "Cuide su espalda"
    return f"<section><h2>{heading}</h2><p>{line}</p></section>"


@pytest.mark.parametrize(
    ("line", "passes"),
    [
        ("Do not lift more than 10 pounds until {{ dates.activity_until | day }}.", False),
        ("Do not lift more than 10 pounds through {{ dates.activity_until | day }}.", True),
        ("You may lift again on {{ dates.activity_until | day }}.", True),
        ("Do not lift until the end of {{ dates.activity_until | day }}.", True),
    ],
    ids=["until-day", "through-day", "again-on-day", "until-the-end-of"],
)
def test_until_a_bare_day_fails_in_english(tmp_path: Path, line: str, passes: bool) -> None:
    en = document("en", emergency_box(), phones(), until_block(line))
    result = run(site_with(tmp_path, en=en))
    lines = failures(result)
    if passes:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1
    assert lines == [
        'until <day> (en): "until Friday, February 12" in section "Protect your back" has no clock time and'
        ' no "through"; kyphoplasty-local-same_day-no_cause-1level-en'
    ]


def test_until_a_moment_fails_only_without_a_procedure_time(tmp_path: Path) -> None:
    en = document(
        "en", emergency_box(), phones(), until_block("Do not drive until {{ dates.drive_after | moment }}.")
    )
    result = run(site_with(tmp_path, en=en), NO_TIME, WITH_TIME)
    assert result.exit_code == 1
    # With the time: "until 1:15 PM on Saturday, January 2", which passes.
    assert failures(result) == [
        'until <day> (en): "until Saturday, January 2" in section "Protect your back" has no clock time and'
        ' no "through"; kyphoplasty-local-same_day-no_cause-1level-en'
    ]
    assert "FAILED: 1 of 4 variants fail the checks." in result.output


@pytest.mark.parametrize(
    ("line", "passes"),
    [
        ("No levante más de 10 libras hasta el {{ dates.activity_until | day }}.", False),
        ("No levante más de 10 libras hasta el final del {{ dates.activity_until | day }}.", True),
        (
            "No maneje hasta las {{ dates.drive_after.time | clock }} del {{ dates.drive_after.date | day }}.",
            True,
        ),
        ("Puede volver a levantar cosas el {{ dates.activity_until | day }}.", True),
    ],
    ids=["hasta-el-dia", "hasta-el-final-del", "hasta-las-hora", "volver-el-dia"],
)
def test_hasta_a_bare_day_fails_in_spanish(tmp_path: Path, line: str, passes: bool) -> None:
    es = document("es", emergency_box("es"), phones("es"), until_block(line, "es"))
    result = run(site_with(tmp_path, es=es), WITH_TIME)  # the procedure time is known: "hasta las 1:15"
    if passes:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1
    assert failures(result) == [
        'until <day> (es): "hasta el viernes 12 de febrero" in section "Cuide su espalda" has no clock time'
        ' and no "through"; kyphoplasty-local-same_day-no_cause-2levels-es'
    ]


@pytest.mark.parametrize(
    ("language", "text", "found"),
    [
        ("en", "Do not drive until Tuesday, January 5.", ["until Tuesday, January 5"]),
        ("en", "Do not drive until 3:40 PM on Wednesday, January 6.", []),
        ("en", "Do not lift through Tuesday, January 5.", []),
        ("en", "You may drive again on Wednesday, January 6.", []),
        ("en", "Stay home until\ntuesday.", ["until tuesday"]),
        ("en", "Rest until Tuesday, January 5 at 3:40 PM.", []),
        ("en", "An adult stays till Monday.", ["till Monday"]),
        ("en", "Wait until Tuesdays are free.", []),  # not a weekday name on its own
        ("es", "No maneje hasta las 3:40 p.m. del miércoles 6 de enero.", []),
        ("es", "No levante peso hasta el final del martes 5 de enero.", []),
        ("es", "No maneje hasta el martes 5 de enero.", ["hasta el martes 5 de enero"]),
        ("es", "No maneje hasta el martes, 5 de enero.", ["hasta el martes, 5 de enero"]),
        ("es", "Quédese en casa hasta el miercoles.", ["hasta el miercoles"]),  # without the accent
        ("es", "Quédese en casa hasta sábado.", ["hasta sábado"]),
        ("es", "No maneje hasta el sábado, 2 de enero a la 1:15 p.m.", []),
        ("es", "Camine hasta el parque el martes.", []),
    ],
)
def test_open_limit_patterns(language: str, text: str, found: list[str]) -> None:
    assert list(open_limits(text, language)) == found


def test_every_language_has_a_row_and_every_babel_weekday_is_caught() -> None:
    assert {"en", "es"} <= set(OPEN_LIMITS) <= set(LANGUAGES)
    monday = dt.date(2027, 1, 4)
    for language, row in OPEN_LIMITS.items():
        day = filters_for(language)["day"]
        for offset in range(7):
            printed = day(monday + dt.timedelta(days=offset))
            assert list(open_limits(f"{row.bare(printed)}.", language)) == [row.bare(printed)]


@settings(max_examples=50, deadline=None)
@given(
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31)),
    st.times(),
    st.sampled_from(["en", "es"]),  # the other languages: tests/test_open_limits_languages.py
)
def test_a_printed_day_fails_alone_and_passes_with_a_time_or_through(
    day: dt.date, time: dt.time, language: str
) -> None:
    filters = filters_for(language)
    printed = filters["day"](day)
    clock = filters["clock"](time)
    if language == "en":
        assert list(open_limits(f"Do not drive until {printed}.", language)) == [f"until {printed}"]
        assert list(open_limits(f"Do not drive until {clock} on {printed}.", language)) == []
        assert list(open_limits(f"Do not drive through {printed}.", language)) == []
    else:
        assert list(open_limits(f"No maneje hasta el {printed}.", language)) == [f"hasta el {printed}"]
        assert list(open_limits(f"No maneje hasta las {clock} del {printed}.", language)) == []
        assert list(open_limits(f"No maneje hasta el final del {printed}.", language)) == []


# -- 4. the Flesch-Kincaid gate -----------------------------------------------------------------------------


def test_the_english_gate_is_grade_6_and_the_spanish_one_65() -> None:
    assert ENGLISH_MAX_GRADE == 6.0 and SPANISH_MIN_EASE == 65.0
    assert Score("en", 6.0).passes and not Score("en", 6.01).passes
    above = score("Fever.\n" + JUST_ABOVE_6, "en").value
    below = score("Fever.\n" + JUST_BELOW_6, "en").value
    assert 6.0 < above <= 6.1 and 5.9 <= below <= 6.0  # measured just either side of the gate
    assert Score("es", 65.0).passes and not Score("es", 64.99).passes


@pytest.mark.parametrize(
    ("text", "passes"), [(JUST_ABOVE_6, False), (JUST_BELOW_6, True)], ids=["above", "below"]
)
def test_a_section_just_above_grade_6_fails(tmp_path: Path, text: str, passes: bool) -> None:
    en = document("en", emergency_box(), phones(), f"<section><h2>Fever</h2><p>{text}</p></section>")
    result = run(site_with(tmp_path, en=en))
    if passes:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1
    assert failures(result) == [
        'reading level, section "Fever" (en): Flesch-Kincaid grade 6.01 is above 6.0;'
        " kyphoplasty-local-same_day-no_cause-1level-en"
    ]


# -- 5. the report ------------------------------------------------------------------------------------------


def test_each_failing_rule_is_named_on_the_variants_row_and_in_one_line(tmp_path: Path) -> None:
    en = document(
        "en",
        phones(),
        until_block("Rest until {{ dates.activity_until | day }}."),
        padding(200),
        emergency_box(),
    )
    result = run(site_with(tmp_path, en=en))
    assert result.exit_code == 1
    failed = ("pages, page 1, until <day>", "FAIL")
    assert verdict(result, "kyphoplasty-local-same_day-no_cause-1level-en") == failed
    assert verdict(result, "kyphoplasty-local-same_day-no_cause-1level-es") == ("-", "pass")
    kinds = {line.split(" (", 1)[0] for line in failures(result)}
    assert kinds == {"pages", "page 1", "until <day>"}


def test_variant_results_pass_only_when_every_rule_passes(tmp_path: Path) -> None:
    report = run_check(load_site(site_with(tmp_path)), select(all_variants(), [NO_TIME]), jobs=1)
    assert report.passes
    result: VariantResult = report.results[0]
    assert result.failed_rules == [] and result.pages == (1, 1)
