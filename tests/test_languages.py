"""The six languages after English and Spanish (issue 17): zh, vi, ko, tl, ru, ht. Each renders as a whole
document with no English left in, its dates in its own words, its /Lang; names in other scripts print and
read back; output is the same bytes twice; a language a site has not enabled is refused by render and
falls back to English in batch; `dischargegen languages` lists them; `check` covers them.

Tests read the output back: pypdf text, the files a batch writes, CliRunner output and exit codes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pypdf
import pytest
from babel.dates import format_date
from click.testing import CliRunner

from dischargegen import build_case, render_pdf
from dischargegen.case import parse_choice
from dischargegen.check import run_check
from dischargegen.check.languages import english_words, sentence_length
from dischargegen.check.matrix import all_variants
from dischargegen.cli import cli
from dischargegen.content import render_content
from dischargegen.content.formatting import filters_for
from dischargegen.errors import InputError, SiteSettingsError
from dischargegen.languages import languages, review_of
from dischargegen.pdf import PDF_LANGUAGE
from dischargegen.pdf.fonts import CJK_FILE, FONT_DIR
from dischargegen.render import render_html
from dischargegen.site import DEFAULT_SITE, load_site
from dischargegen.sources.fhir import read_fhir_records
from dischargegen.vocab import LANGUAGES
from tests.helpers import (
    BASE_FIELDS,
    FHIR_SITE,
    REPO,
    batch,
    fhir_export,
    fields,
    manifest,
    patient,
    pdf_text,
    procedure,
    write_csv,
)

NEW = ("zh", "vi", "ko", "tl", "ru", "ht")
TEMPLATES = REPO / "templates"
ALL_ENABLED = dataclasses.replace(
    DEFAULT_SITE, content=dataclasses.replace(DEFAULT_SITE.content, enabled_languages=LANGUAGES)
)
# A name in each script the fonts draw, as EHRs send them.
NAMES = {"zh": "王小明", "ko": "김민준", "ru": "Иван Петров", "vi": "Nguyễn Thị Ánh"}
# The whole document: every optional input, so every conditional paragraph is printed.
FULL = {
    "anesthesia": "sedation",
    "levels": "T11-L1",
    "cause": "osteoporosis",
    "procedure_time": "13:15",
    "follow_up": "2027-01-12 14:00",
    "brace": "yes",
    "blood_thinner_restart": "2027-01-04",
    "physical_therapy": "yes",
}
# BCP 47 tags: the script for Chinese (Simplified characters), the bare language for the others.
TAGS = {"zh": "zh-Hans", "vi": "vi", "ko": "ko", "tl": "tl", "ru": "ru", "ht": "ht"}


def site_with(*codes: str) -> object:
    return dataclasses.replace(
        DEFAULT_SITE, content=dataclasses.replace(DEFAULT_SITE.content, enabled_languages=("en", *codes))
    )


def render(language: str, site: object = ALL_ENABLED, **overrides: str) -> bytes:
    return render_pdf(build_case(fields(language=language, **overrides)), site)  # type: ignore[arg-type]


def squeezed(text: str) -> str:
    return "".join(text.split())


def messages(language: str) -> dict[str, object]:
    return tomllib.loads((TEMPLATES / language / "messages.toml").read_text(encoding="utf-8"))


# -- the whole document, in the language ------------------------------------------------------------------
@pytest.mark.parametrize("language", NEW)
def test_the_whole_document_renders_in_the_language(language: str) -> None:
    pdf = render(language, **FULL)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = body_text(reader, language)
    title = str(messages(language)["title"])
    assert reader.metadata is not None and reader.metadata.title == title
    content = render_content(build_case(fields(language=language, **FULL)), ALL_ENABLED)  # type: ignore[arg-type]
    blocks = [block for section in content.sections for block in section.all_blocks()]
    assert len(blocks) > 40
    for block in blocks:  # every heading, sentence, list item and label, printed
        assert squeezed(block.text) in text, block.text
    assert len(text) < len(squeezed(pdf_text(pdf)))  # the page frames were there, and are taken out


def body_text(reader: pypdf.PdfReader, language: str) -> str:
    """The pages' text, squeezed, without the page header and footer (so that a paragraph split across
    pages reads as one); each page must have them, in the language."""
    labels = messages(language)
    full_date = filters_for(language)["full_date"]
    frame = [
        f"{labels['header_patient']}: Ana Diaz",
        f"{labels['header_dob']}: {full_date(dt.date(1944, 5, 6))}",
        f"{labels['header_mrn']}: MRN-1001",
        str(labels["footer_version"]).format(version="2026.11-1", reviewed=full_date(dt.date(2026, 11, 20))),
    ]
    body = []
    for number, page in enumerate(reader.pages, start=1):
        text = squeezed(page.extract_text())
        page_line = str(labels["footer_page"]).format(page=number, pages=len(reader.pages))
        for part in [*frame, page_line]:
            assert squeezed(part) in text, (number, part)
            text = text.replace(squeezed(part), "", 1)
        body.append(text)
    return "".join(body)


@pytest.mark.parametrize("language", NEW)
@pytest.mark.parametrize("overrides", [{}, FULL, {"procedure": "vertebroplasty", "overnight": "yes"}])
def test_no_english_is_left_in(language: str, overrides: dict[str, str]) -> None:
    pdf = render(language, **overrides)
    text = pdf_text(pdf)
    assert english_words(text, language, allowed=["Ana", "Diaz"]) == []
    metadata = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert metadata is not None
    assert english_words(f"{metadata.title} {metadata.subject}", language) == []


def test_the_leak_rule_would_catch_english() -> None:
    assert {"the", "your", "call", "friday", "page"} <= set(english_words(pdf_text(render("en")), "zh"))
    assert english_words("Ana Diaz, 10 lb, Tylenol, 911, MRN-1001", "ht", allowed=["Ana", "Diaz"]) == []


# -- dates -----------------------------------------------------------------------------------------------
BABEL_LOCALES = {"zh": "zh_Hans_CN", "vi": "vi", "ko": "ko", "tl": "fil", "ru": "ru"}
HT_WEEKDAYS = ["lendi", "madi", "mèkredi", "jedi", "vandredi", "samdi", "dimanch"]
HT_MONTHS = [
    "janvye", "fevriye", "mas", "avril", "me", "jen", "jiyè", "out", "septanm", "oktòb", "novanm", "desanm",
]  # fmt: skip


def weekday_name(language: str, day: dt.date) -> str:
    if language == "ht":
        return HT_WEEKDAYS[day.weekday()]
    return str(format_date(day, "EEEE", locale=BABEL_LOCALES[language]))


@pytest.mark.parametrize("language", NEW)
def test_dates_are_in_the_language(language: str) -> None:
    # Procedure on Friday 2027-01-01: activity limits run to Friday 2027-02-12 (42 days).
    text = squeezed(pdf_text(render(language)))
    day = filters_for(language)["day"](dt.date(2027, 2, 12))
    assert squeezed(day) in text
    assert weekday_name(language, dt.date(2027, 2, 12)).casefold() in day.casefold()
    assert (
        squeezed(filters_for(language)["full_date"](dt.date(1944, 5, 6))) in text
    )  # the header's birth date
    assert "Friday" not in text and "February" not in text


def test_haitian_creole_dates_use_its_own_calendar_names() -> None:
    assert messages("ht")["calendar"] == {"months": HT_MONTHS, "weekdays": HT_WEEKDAYS}
    # Babel's ht locale has no names of its own: without [calendar] it would print "Mon" and "M01".
    assert format_date(dt.date(2027, 1, 4), "EEEE", locale="ht") != "lendi"
    filters = filters_for("ht")
    monday = dt.date(2027, 1, 4)
    for offset, name in enumerate(HT_WEEKDAYS):
        assert name in filters["day"](monday + dt.timedelta(days=offset))
    for month, name in enumerate(HT_MONTHS, start=1):
        assert name in filters["full_date"](dt.date(2027, month, 15))
        assert "2027" in filters["full_date"](dt.date(2027, month, 15))


def test_english_and_spanish_dates_are_as_before() -> None:
    en, es = filters_for("en"), filters_for("es")
    from dischargegen.content.formatting import Moment

    assert en["day"](dt.date(2027, 1, 2)) == "Saturday, January 2"
    assert en["moment"](Moment(dt.date(2027, 1, 2), dt.time(13, 15))) == "1:15 PM on Saturday, January 2"
    assert es["full_date"](dt.date(1944, 5, 6)) == "6 de mayo de 1944"
    assert es["moment"](Moment(dt.date(2027, 1, 2), dt.time(13, 15))) == "sábado 2 de enero a la 1:15 p.m."
    assert es["moment"](Moment(dt.date(2027, 1, 2), dt.time(14, 30))) == "sábado 2 de enero a las 2:30 p.m."


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_states_its_date_forms_in_its_messages(language: str) -> None:
    table = messages(language)["dates"]
    assert isinstance(table, dict)
    assert {"locale", "day", "full_date", "clock", "at"} <= set(table)


# -- /Lang, HTML lang, title ---------------------------------------------------------------------------
@pytest.mark.parametrize("language", NEW)
def test_pdf_and_html_declare_the_language(language: str) -> None:
    reader = pypdf.PdfReader(io.BytesIO(render(language)))
    assert reader.trailer["/Root"]["/Lang"] == TAGS[language] == PDF_LANGUAGE[language]
    html = render_html(build_case(fields(language=language)), ALL_ENABLED).decode("utf-8")  # type: ignore[arg-type]
    assert f'<html lang="{TAGS[language]}">' in html
    assert f"<title>{messages(language)['title']}</title>" in html


# -- names in other scripts ------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["en", *NEW])
@pytest.mark.parametrize("script", sorted(NAMES))
def test_names_in_other_scripts_print_and_read_back(language: str, script: str) -> None:
    name = NAMES[script]
    pdf = render(language, patient_name=name)
    text = squeezed(pdf_text(pdf))
    assert squeezed(name) in text
    # In the header of every page.
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        assert squeezed(name) in squeezed(page.extract_text())


@pytest.mark.parametrize(("name", "code"), [("محمد علي", "U+0645"), ("דוד כהן", "U+05D3")])
def test_right_to_left_names_stay_refused_with_the_clear_error(name: str, code: str) -> None:
    with pytest.raises(InputError) as caught:
        render("en", patient_name=name)
    assert caught.value.field == "patient_name"
    assert code in caught.value.message and "cannot print" in caught.value.message
    assert name.split()[0] not in caught.value.message


def test_an_english_document_never_embeds_the_cjk_font() -> None:
    assert b"DroidSansFallback" not in render("en")
    assert b"DroidSansFallback" in render("en", patient_name=NAMES["zh"])


def test_an_english_render_never_reads_the_cjk_font() -> None:
    # In a fresh process: the font is 3.4 MB to read, and English and Spanish documents need none of it.
    code = (
        "from dischargegen import build_case, render_pdf\n"
        "from dischargegen.pdf import fonts\n"
        "from tests.helpers import fields\n"
        "from dischargegen.site import DEFAULT_SITE\n"
        "render_pdf(build_case(fields(language='es')), DEFAULT_SITE)\n"
        "print(fonts.register_cjk_font.cache_info().currsize)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0"


@pytest.mark.parametrize("language", ["zh", "ko"])
def test_cjk_documents_stay_small(language: str) -> None:
    assert len(render(language, **FULL)) < 160_000  # a subset of the 3.4 MB font, not the font


def test_the_cjk_font_ships_in_the_package_with_its_licence() -> None:
    assert (FONT_DIR / CJK_FILE).is_file()
    licence = (FONT_DIR / "DroidSansFallback-LICENSE.txt").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0" in licence
    assert (FONT_DIR / CJK_FILE).read_bytes()[:4] == b"\x00\x01\x00\x00"  # TrueType outlines, not CFF


# -- same bytes --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", NEW)
def test_the_same_input_gives_the_same_bytes(language: str) -> None:
    first = render(language, **FULL)
    render("zh" if language != "zh" else "ko", patient_name=NAMES["ru"])  # other characters in between
    assert render(language, **FULL) == first


@pytest.mark.parametrize("language", ["zh", "ko"])
def test_the_same_bytes_in_a_fresh_process(language: str) -> None:
    code = (
        "import dataclasses, sys\n"
        "from dischargegen import build_case, render_pdf\n"
        "from tests.helpers import fields\n"
        "from tests.test_languages import ALL_ENABLED, FULL\n"
        f"sys.stdout.buffer.write(render_pdf(build_case(fields(language={language!r}, **FULL)), ALL_ENABLED))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, check=True)
    assert done.stdout == render(language, **FULL)


# -- input spellings ---------------------------------------------------------------------------------------
SPELLINGS = {
    "zh": ["zh", "zh-CN", "zh-Hans", "chi", "zho", "Chinese", "中文"],
    "vi": ["vi", "vie", "Vietnamese", "Tiếng Việt"],
    "ko": ["ko", "kor", "Korean", "한국어"],
    "tl": ["tl", "tgl", "fil", "Filipino", "Tagalog"],
    "ru": ["ru", "rus", "Russian", "Русский"],
    "ht": ["ht", "hat", "Haitian Creole", "Kreyòl"],
}


@pytest.mark.parametrize(("language", "spelling"), [(k, s) for k, v in SPELLINGS.items() for s in v])
def test_batch_spellings_of_each_language(language: str, spelling: str) -> None:
    assert parse_choice(spelling, "language") == language


@pytest.mark.parametrize(
    ("code", "language"),
    [("zh", "zh"), ("zh-CN", "zh"), ("vi", "vi"), ("ko", "ko"), ("tl", "tl"), ("fil", "tl"), ("ru", "ru"),
     ("ht", "ht"), ("ko-KR", "ko")],
)  # fmt: skip
def test_fhir_communication_languages(tmp_path: Path, code: str, language: str) -> None:
    spoken = patient(
        communication=[
            {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": code}]}, "preferred": True}
        ]
    )
    folder = fhir_export(tmp_path, [procedure()], [spoken])
    (record,) = read_fhir_records(folder, FHIR_SITE)
    assert record.fields.get("language") == language


# -- the enabling rule -------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", NEW)
def test_render_refuses_a_language_the_site_has_not_enabled(language: str) -> None:
    with pytest.raises(InputError) as caught:
        render(language, site=DEFAULT_SITE)
    assert caught.value.field == "language"
    assert "[content] enabled_languages" in caught.value.message


@pytest.mark.parametrize("language", NEW)
def test_the_command_refuses_it_in_one_line_and_renders_it_once_enabled(
    tmp_path: Path, language: str
) -> None:
    arguments = [
        "render", "--procedure", "kyphoplasty", "--levels", "L1", "--anesthesia", "local", "--same-day",
        "--patient-name", "Ana Diaz", "--mrn", "MRN-1001", "--dob", "1944-05-06",
        "--procedure-date", "2027-01-01", "--language", language,
    ]  # fmt: skip
    refused = CliRunner().invoke(cli, [*arguments, "-o", str(tmp_path / "no.pdf")])
    assert refused.exit_code == 2
    assert refused.output.count("\n") == 1 and refused.output.startswith("Error: ")
    assert "[content] enabled_languages" in refused.output
    assert "Ana" not in refused.output and not (tmp_path / "no.pdf").exists()
    site = tmp_path / "site.toml"
    site.write_text(f'[content]\nenabled_languages = ["en", "es", "{language}"]\n', encoding="utf-8")
    done = CliRunner().invoke(cli, [*arguments, "--site", str(site), "-o", str(tmp_path / "yes.pdf")])
    assert done.exit_code == 0, done.output
    reader = pypdf.PdfReader(tmp_path / "yes.pdf")
    assert reader.trailer["/Root"]["/Lang"] == TAGS[language]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [('["en", "fr"]', "must list language codes from"), ('["es", "zh"]', 'must include "en"')],
)
def test_enabled_languages_are_checked_when_settings_load(tmp_path: Path, value: str, fragment: str) -> None:
    site = tmp_path / "site.toml"
    site.write_text(f"[content]\nenabled_languages = {value}\n", encoding="utf-8")
    with pytest.raises(SiteSettingsError) as caught:
        load_site(site)
    assert caught.value.key == "content.enabled_languages" and fragment in caught.value.message


def test_the_default_enables_english_and_spanish_only() -> None:
    assert DEFAULT_SITE.content.enabled_languages == ("en", "es")
    sample = tomllib.loads((REPO / "samples" / "site.toml").read_text(encoding="utf-8"))
    assert sample["content"]["enabled_languages"] == ["en", "es"]


def test_a_site_can_override_a_block_of_a_new_language(tmp_path: Path) -> None:
    folder = tmp_path / "templates" / "zh"
    folder.mkdir(parents=True)
    english = (TEMPLATES / "en" / "discharge.html").read_text(encoding="utf-8")
    block = re.search(r"{% block (\w+) %}", english)
    assert block is not None
    (folder / "discharge.html").write_text(
        '{% extends "default:zh/discharge.html" %}'
        f"{{% block {block.group(1)} %}}<h1>本院自己的标题</h1>{{% endblock %}}",
        encoding="utf-8",
    )
    site = tmp_path / "site.toml"
    site.write_text(
        f'[content]\ntemplates_dir = "{tmp_path / "templates"}"\nenabled_languages = ["en", "zh"]\n',
        encoding="utf-8",
    )
    assert "本院自己的标题" in pdf_text(render("zh", site=load_site(site)))


# -- batch fallback ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", NEW)
def test_batch_renders_a_row_in_a_language_not_enabled_in_english_with_a_warning(
    tmp_path: Path, language: str
) -> None:
    rows = [
        {**BASE_FIELDS, "patient_name": "Quentin Zabriskie", "mrn": "Q-101", "language": "en"},
        {**BASE_FIELDS, "patient_name": "Philippa Xanthopoulos", "mrn": "Q-102", "language": language},
        {**BASE_FIELDS, "patient_name": "Ignatius Vollmer", "mrn": "Q-103", "language": "es"},
    ]
    export = write_csv(tmp_path / "in.csv", rows, columns=[*BASE_FIELDS, "language"])
    out = tmp_path / "out"
    result = batch(export, "--out-dir", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    listed = manifest(out)
    assert [row["status"] for row in listed] == ["written"] * 3
    assert [row["warning"] for row in (listed[0], listed[2])] == ["", ""]
    warning = listed[1]["warning"]
    assert language in warning and "[content] enabled_languages" in warning and "English" in warning
    assert "Philippa" not in warning and "Q-102" not in warning
    assert "1 in English instead" in result.output
    fallback = pypdf.PdfReader(out / listed[1]["file"])
    assert fallback.trailer["/Root"]["/Lang"] == "en-US"
    assert "Page 1 of" in fallback.pages[0].extract_text()
    # Enabled: the row is in its language, without a warning, and the summary counts none.
    site = tmp_path / "site.toml"
    site.write_text(f'[content]\nenabled_languages = ["en", "es", "{language}"]\n', encoding="utf-8")
    again = batch(export, "--out-dir", tmp_path / "out2", "--jobs", "1", "--site", site)
    assert again.exit_code == 0, again.output
    listed = manifest(tmp_path / "out2")
    assert [row["warning"] for row in listed] == ["", "", ""]
    assert "in English instead" not in again.output
    written = pypdf.PdfReader(tmp_path / "out2" / listed[1]["file"])
    assert written.trailer["/Root"]["/Lang"] == TAGS[language]


# -- review status and `dischargegen languages` ---------------------------------------------------------------
def test_every_new_language_is_a_draft_and_english_and_spanish_say_what_is_known() -> None:
    for code in NEW:
        review = review_of(code)
        assert review.status == "draft" and review.reviewed_by == "" and review.reviewed_on == ""
    for code in ("en", "es"):
        review = review_of(code)
        assert review.status == "reviewed" and review.reviewed_on == "2026-11-20"
        assert "not named" in review.reviewed_by  # the repository names no reviewer: none is invented


def test_the_languages_command_lists_every_language_with_status_and_site(tmp_path: Path) -> None:
    done = CliRunner().invoke(cli, ["languages"])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    for code in LANGUAGES:
        (row,) = [line for line in lines if line.startswith(f"{code} ")]
        enabled = code in ("en", "es")
        assert row.rstrip().endswith("yes" if enabled else "no")
        assert ("reviewed" if enabled else "draft") in row
    site = tmp_path / "site.toml"
    site.write_text('[content]\nenabled_languages = ["en", "ko"]\n', encoding="utf-8")
    done = CliRunner().invoke(cli, ["languages", "--site", str(site)])
    (row,) = [line for line in done.output.splitlines() if line.startswith("ko ")]
    assert row.rstrip().endswith("yes")
    (row,) = [line for line in done.output.splitlines() if line.startswith("es ")]
    assert row.rstrip().endswith("no")


def test_a_site_records_its_own_review(tmp_path: Path) -> None:
    folder = tmp_path / "templates" / "vi"
    folder.mkdir(parents=True)
    shipped = (TEMPLATES / "vi" / "messages.toml").read_text(encoding="utf-8")
    reviewed = re.sub(
        r"\[review\][^\[]*",
        '[review]\nstatus = "reviewed"\nreviewed_by = "Site translator"\nreviewed_on = "2027-03-01"\n'
        'note = "Reviewed for our patients."\n\n',
        shipped,
    )
    (folder / "messages.toml").write_text(reviewed, encoding="utf-8")
    site = tmp_path / "site.toml"
    site.write_text(f'[content]\ntemplates_dir = "{tmp_path / "templates"}"\n', encoding="utf-8")
    listed = {language.code: language for language in languages(load_site(site))}
    assert listed["vi"].review.status == "reviewed"
    assert listed["vi"].review.reviewed_on == "2027-03-01"
    assert listed["zh"].review.status == "draft"


# -- check --------------------------------------------------------------------------------------------------
ONE = "kyphoplasty-local-same_day-no_cause-1level"


def test_check_covers_the_enabled_languages_by_default_and_all_on_request() -> None:
    assert {variant.language for variant in all_variants(DEFAULT_SITE.content.enabled_languages)} == {
        "en",
        "es",
    }
    assert {variant.language for variant in all_variants(LANGUAGES)} == set(LANGUAGES)
    assert len(all_variants(LANGUAGES)) == 4 * len(all_variants())


@pytest.mark.parametrize("language", ["zh", "ko"])
def test_check_passes_a_clean_translation_and_reports_sentence_length(language: str) -> None:
    variants = [v for v in all_variants([language]) if v.id.startswith(ONE)]
    report = run_check(DEFAULT_SITE, variants, languages=[language])
    (result,) = report.results
    assert result.english == () and result.long_sentences == () and report.key_problems == ()
    unit = "characters/sentence" if language == "zh" else "words/sentence"
    assert result.document.measure == unit and result.document.value > 0


def write_site(tmp_path: Path, files: dict[str, str]) -> object:
    for name, text in files.items():
        path = tmp_path / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    site = tmp_path / "site.toml"
    site.write_text(f'[content]\ntemplates_dir = "{tmp_path / "templates"}"\n', encoding="utf-8")
    return load_site(site)


def first_block(language: str) -> str:
    found = re.search(r"{% block (\w+) %}", (TEMPLATES / language / "discharge.html").read_text("utf-8"))
    assert found is not None
    return found.group(1)


def test_check_fails_english_left_in_a_translation(tmp_path: Path) -> None:
    block = first_block("zh")
    site = write_site(
        tmp_path,
        {
            "zh/discharge.html": '{% extends "default:zh/discharge.html" %}'
            f"{{% block {block} %}}<h1>回家须知</h1><p>Call your doctor if the pain gets worse.</p>{{% endblock %}}"
        },
    )
    variants = [v for v in all_variants(["zh"]) if v.id.startswith(ONE)]
    report = run_check(site, variants, languages=["zh"])  # type: ignore[arg-type]
    (result,) = report.results
    assert {"call", "your", "doctor", "the", "pain"} <= {found.word for found in result.english}
    assert "English words" in result.failed_rules and not report.passes


def test_check_fails_a_message_key_without_a_counterpart(tmp_path: Path) -> None:
    shipped = (TEMPLATES / "ko" / "messages.toml").read_text(encoding="utf-8")
    broken = shipped.replace("header_mrn =", "header_mrm =", 1)
    site = write_site(tmp_path, {"ko/messages.toml": broken})
    report = run_check(site, [], languages=["ko"])  # type: ignore[arg-type]
    assert any("lacks the key header_mrn" in problem for problem in report.key_problems)
    assert any("header_mrm" in problem for problem in report.key_problems)
    assert not report.passes


def test_check_fails_a_section_whose_sentences_are_twice_as_long_as_the_english(tmp_path: Path) -> None:
    block = first_block("vi")
    long_sentence = " ".join(["Quý vị hãy nghỉ ngơi thật nhiều ở nhà"] * 12)
    site = write_site(
        tmp_path,
        {
            "vi/discharge.html": '{% extends "default:vi/discharge.html" %}'
            f"{{% block {block} %}}{{{{ super() }}}}<p>{long_sentence}. {long_sentence}.</p>{{% endblock %}}"
        },
    )
    variants = [v for v in all_variants(["vi"]) if v.id.startswith(ONE)]
    report = run_check(site, variants, languages=["vi"])  # type: ignore[arg-type]
    (result,) = report.results
    assert result.long_sentences, result.sections
    assert "sentence length" in result.failed_rules


def test_sentence_length_counts_words_and_chinese_characters() -> None:
    assert sentence_length("Hãy nghỉ ngơi. Đi bộ mỗi ngày.", "vi") == (3.5, 2)  # 3 and 4 words
    assert sentence_length("请多休息。每天走一走。", "zh") == (4.5, 2)  # 4 and 5 characters
    assert sentence_length("푹 쉬세요. 매일 조금씩 걸으세요.", "ko") == (2.5, 2)


def test_the_check_command_takes_all_languages() -> None:
    done = CliRunner().invoke(cli, ["check", "--jobs", "1", "--all-languages", "--only", f"{ONE}-ko"])
    assert done.exit_code == 0, done.output
    assert "characters/sentence" not in done.output and "words/sentence" in done.output
    refused = CliRunner().invoke(cli, ["check", "--jobs", "1", "--only", f"{ONE}-ko"])
    assert refused.exit_code == 2  # not enabled, not asked for: no variant matches
