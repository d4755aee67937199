"""`dischargegen check`: the whole matrix passes with the shipped content; hard text, forbidden
abbreviations, broken templates and bad settings are each caught with the right exit status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dischargegen.check import run_check
from dischargegen.check.matrix import all_variants, select
from dischargegen.check.rules import MAX_PAGES_REGULAR_PRINT, AbbreviationFinder, check_site_templates
from dischargegen.cli import cli
from dischargegen.render import render_document
from dischargegen.site import DEFAULT_SITE, load_site

ONE_VARIANT = "kyphoplasty-local-same_day-no_cause-1level-*"  # with --only: its English and Spanish rows
HARD_ENGLISH = (
    "<p>Notwithstanding individualized postprocedural considerations, operating motorized vehicles "
    "necessitates comprehensive neuromuscular reevaluation by qualified orthopaedic professionals, "
    "particularly following administration of anesthetic pharmaceuticals or analgesic medications.</p>"
)
HARD_SPANISH = (
    "<p>La administración concomitante de antiinflamatorios no esteroideos incrementa considerablemente "
    "la probabilidad de complicaciones hemorrágicas postoperatorias, particularmente en pacientes "
    "anticoagulados farmacológicamente con insuficiencia renal preexistente.</p>"
)


def _shipped_is_first_edition() -> bool:
    variant = select(all_variants(), ["kyphoplasty-local-same_day-no_cause-1level-en"])[0]
    return render_document(variant.case(False), DEFAULT_SITE)[1] > MAX_PAGES_REGULAR_PRINT


# Issue 13: the second edition's rules (5 pages, page 1, no "until <day>") fail the first edition's shipped
# templates (7 pages). These tests need shipped content that passes; they run for real once it does.
NEEDS_SECOND_EDITION = pytest.mark.xfail(
    _shipped_is_first_edition(),
    reason="the shipped templates are the first edition, which the second edition's rules fail",
    strict=True,
)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["check", *args])


def site_with(tmp_path: Path, templates: dict[str, str], settings: str = "") -> Path:
    """A site settings file whose templates folder holds `templates` (relative path -> source)."""
    for name, source in templates.items():
        path = tmp_path / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    site = tmp_path / "site.toml"
    site.write_text(f'[content]\ntemplates_dir = "templates"\n{settings}', encoding="utf-8")
    return site


def override(language: str, block: str, extra: str) -> str:
    """A site template that keeps the shipped block and adds `extra` to it."""
    return (
        f'{{% extends "default:{language}/discharge.html" %}}\n'
        f"{{% block {block} %}}{{{{ super() }}}}<section>{extra}</section>{{% endblock %}}\n"
    )


# -- the shipped content ----------------------------------------------------------------------------------


@NEEDS_SECOND_EDITION
def test_full_matrix_passes_with_the_shipped_content() -> None:
    result = run()
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Checked 290 variants: 580 PDFs (regular and large print)" in out
    assert len(all_variants()) == 290
    for variant in all_variants():
        assert f"{variant.id} " in out
    rows = [line for line in out.splitlines() if line.startswith(("kyphoplasty-", "vertebroplasty-"))]
    assert len(rows) == 290 and all(row.endswith("pass") for row in rows)
    assert re.search(
        r"\nvertebroplasty-general-overnight-osteoporosis-3levels-es +es +Fernandez-Huerta +\d+\.\d\d ", out
    )
    assert "kyphoplasty-local-same_day-no_cause-1level-en" in out
    assert "Flesch-Kincaid grade" in out
    assert "Reading level per section" in out
    assert "es    Llame al 911 de inmediato si tiene:" in out
    assert "en    Call 911 now for any of these" in out
    assert "Failures: none" in out
    assert out.rstrip().endswith(
        "OK: all 290 variants pass (reading level, abbreviations, pages, page 1, until <day>, teach-back card)."
    )


@NEEDS_SECOND_EDITION
def test_report_figures_are_within_limits_per_variant_and_section() -> None:
    report = run_check(DEFAULT_SITE, select(all_variants(), ["*-cancer-2levels-*"]), jobs=1)
    assert report.passes and len(report.results) == 24
    for result in report.results:
        assert result.pages[1] > result.pages[0]  # large print takes more pages
        assert result.document.passes
        if result.variant.language == "es":
            assert result.document.value >= 70  # the aim, above the 65 limit
        judged = [section for section in result.sections if section.judged]
        assert len(judged) >= 10 and all(section.score.passes for section in judged)


@NEEDS_SECOND_EDITION
def test_only_restricts_the_variants_and_says_so() -> None:
    result = run("--only", ONE_VARIANT, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "Checked 2 of 290 variants: 4 PDFs" in result.output
    assert run("--only", "nothing-*").exit_code == 2


# -- content that fails the check (exit 1) ----------------------------------------------------------------


@NEEDS_SECOND_EDITION
def test_hard_english_sentence_fails_naming_variant_and_section(tmp_path: Path) -> None:
    site = site_with(
        tmp_path, {"en/discharge.html": override("en", "driving", "<h2>Driving</h2>" + HARD_ENGLISH)}
    )
    result = run("--site", str(site), "--only", ONE_VARIANT)
    assert result.exit_code == 1, result.output
    out = result.output
    failing = [line for line in out.splitlines() if line.endswith("FAIL") and line.startswith("kyphoplasty")]
    assert len(failing) == 1 and failing[0].startswith("kyphoplasty-local-same_day-no_cause-1level-en")
    assert "Driving" in failing[0]
    assert 'reading level, section "Driving" (en): Flesch-Kincaid grade' in out
    assert "is above 6.0; kyphoplasty-local-same_day-no_cause-1level-en" in out
    assert "FAILED: 1 of 2 variants fail the checks." in out


def test_hard_spanish_text_fails_below_65(tmp_path: Path) -> None:
    site = site_with(
        tmp_path, {"es/discharge.html": override("es", "pain", "<h2>Medicinas y riñones</h2>" + HARD_SPANISH)}
    )
    result = run("--site", str(site), "--only", ONE_VARIANT)
    assert result.exit_code == 1, result.output
    assert 'reading level, section "Medicinas y riñones" (es): Fernandez-Huerta' in result.output
    assert "is below 65; kyphoplasty-local-same_day-no_cause-1level-es" in result.output


@NEEDS_SECOND_EDITION
def test_forbidden_abbreviations_fail_naming_word_variant_and_section(tmp_path: Path) -> None:
    extra = "<h2>Your pills</h2><p>Take 1 tab PO BID.</p>"
    site = site_with(tmp_path, {"en/discharge.html": override("en", "pain", extra)})
    result = run("--site", str(site), "--only", "kyphoplasty-local-*-no_cause-1level-*")
    assert result.exit_code == 1, result.output
    for word in ("PO", "BID"):
        assert f'forbidden abbreviation "{word}" in section "Your pills" (en): ' in result.output
    assert (
        "kyphoplasty-local-same_day-no_cause-1level-en, kyphoplasty-local-overnight-no_cause-1level-en"
        in (result.output)
    )
    assert "FAILED: 2 of 4 variants fail the checks." in result.output


def test_the_abbreviation_list_comes_from_the_site_settings(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[content]\nforbidden_abbreviations = ["Tylenol", "médico"]\n', encoding="utf-8")
    result = run("--site", str(site), "--only", ONE_VARIANT)
    assert result.exit_code == 1
    assert 'forbidden abbreviation "Tylenol" in section "Pain and medicines" (en)' in result.output
    assert 'forbidden abbreviation "médico" in section "Lo que le hicieron" (es)' in result.output


# -- user errors (exit 2) ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('{% extends "default:en/discharge.html" %}{% block driving %}{% if %}{% endblock %}', "line 1"),
        (
            '{% extends "default:en/discharge.html" %}{% block drving %}<p>x</p>{% endblock %}',
            "{% block drving %} is not a block of the shipped template",
        ),
        (override("en", "driving", "<div>Drive later.</div>"), "unknown tag <div>"),
        (override("en", "driving", "<p>{{ limits.lifting_limit_kilos }}</p>"), "lifting_limit_kilos"),
    ],
    ids=["syntax", "misspelt-block", "unknown-tag", "undefined-variable"],
)
def test_broken_site_template_exits_2(tmp_path: Path, source: str, message: str) -> None:
    site = site_with(tmp_path, {"en/discharge.html": source})
    result = run("--site", str(site), "--only", ONE_VARIANT)
    assert result.exit_code == 2, result.output
    assert "Error: Template problem:" in result.output and message in result.output
    assert "Traceback" not in result.output


def test_template_error_in_a_worker_names_the_variant(tmp_path: Path) -> None:
    broken = override(
        "en", "driving", '{% if case.procedure == "vertebroplasty" %}<p>{{ nope }}</p>{% endif %}'
    )
    site = site_with(tmp_path, {"en/discharge.html": broken})
    result = run("--site", str(site), "--only", "*-local-same_day-no_cause-1level-en", "--jobs", "2")
    assert result.exit_code == 2, result.output
    assert "vertebroplasty-local-same_day-no_cause-1level-en, regular print" in result.output
    assert "'nope' is undefined" in result.output


def test_block_taller_than_a_page_exits_2(tmp_path: Path) -> None:
    long_paragraph = "<p>" + "Call us now. " * 900 + "</p>"
    source = (
        '{% extends "default:en/discharge.html" %}{% block emergency %}<section class="emergency">'
        f"<h2>Help</h2>{long_paragraph}</section>{{% endblock %}}"
    )
    site = site_with(tmp_path, {"en/discharge.html": source})
    result = run("--site", str(site), "--only", ONE_VARIANT)
    assert result.exit_code == 2, result.output
    assert "taller than a page" in result.output


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("[limits]\nlifting_limit_lb = 99\n", "limits.lifting_limit_lb: must be between 2 and 25"),
        ("[content]\nforbidden_abbreviations = 'PO'\n", "content.forbidden_abbreviations"),
        ("[limits\n", "is not valid TOML"),
    ],
)
def test_bad_site_settings_exit_2(tmp_path: Path, settings: str, message: str) -> None:
    site = tmp_path / "site.toml"
    site.write_text(settings, encoding="utf-8")
    result = run("--site", str(site))
    assert result.exit_code == 2
    assert "Error: Invalid site settings:" in result.output and message in result.output


def test_missing_site_file_exits_2(tmp_path: Path) -> None:
    result = run("--site", str(tmp_path / "nope.toml"))
    assert result.exit_code == 2 and "no settings file" in result.output


# -- the rules themselves ---------------------------------------------------------------------------------


def test_abbreviations_match_whole_words_and_short_ones_only_as_written() -> None:
    finder = AbbreviationFinder(DEFAULT_SITE.content.forbidden_abbreviations)
    assert list(finder.find("Take 1 tab PO BID, then PRN.")) == ["PO", "BID", "PRN"]
    assert list(finder.find("Tome un poco de agua. Polo, POLO, tipo, BIDE.")) == []
    assert list(finder.find("Walk w/o a cane, w/pain, take Q4H")) == ["w/o", "w/", "q4h"]
    assert list(finder.find("an nsaid or an NSAID")) == ["NSAID", "NSAID"]
    assert list(AbbreviationFinder([]).find("PO")) == []


def test_site_template_with_no_shipped_counterpart_is_noted(tmp_path: Path) -> None:
    site = site_with(tmp_path, {"fr/discharge.html": "<p>Bonjour</p>", "en/messages.toml": 'title = "x"\n'})
    notes = check_site_templates(load_site(site).content.templates_dir)
    assert notes == ["site template fr/discharge.html has no shipped counterpart, so it replaces nothing"]


def test_hard_text_throughout_fails_the_whole_document(tmp_path: Path) -> None:
    site = site_with(
        tmp_path, {"en/discharge.html": override("en", "summary", "<h2>Notes</h2>" + HARD_ENGLISH * 30)}
    )
    result = run("--site", str(site), "--only", ONE_VARIANT)
    assert result.exit_code == 1, result.output
    assert "reading level, whole document (en): Flesch-Kincaid grade" in result.output
    assert "in kyphoplasty-local-same_day-no_cause-1level-en" in result.output


def test_site_template_that_is_not_utf8_exits_2(tmp_path: Path) -> None:
    site = site_with(tmp_path, {"en/discharge.html": "x"})
    (tmp_path / "templates" / "en" / "discharge.html").write_bytes("<p>Se\xf1or</p>".encode("cp1252"))
    result = run("--site", str(site), "--only", ONE_VARIANT)
    assert result.exit_code == 2 and "is not UTF-8 text" in result.output
