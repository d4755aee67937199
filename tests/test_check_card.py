"""`dischargegen check` makes the chart copy's teach-back card from every variant (issue 14, item 2): a site
override that drops the sentences marked as the card's answers fails the check, naming the questions left
unanswered, instead of failing when a nurse prints the chart copy."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from dischargegen.check import check_variant
from dischargegen.check.matrix import all_variants
from dischargegen.cli import cli
from dischargegen.site import load_site

NO_TIME = "kyphoplasty-local-same_day-no_cause-1level-*"  # with --only: en and es
PATIENT_DATA = ("Pat Sample", "CHECK-0001", "1944")  # the check's synthetic patient (check/matrix.py)
# The English page-1 summary with the same facts but no teach="..." markers: drive, lift, blood thinner
# and visit lose their answers; the 911 signs and the bandage line (elsewhere) keep theirs.
UNMARKED_SUMMARY = """{% extends "default:en/discharge.html" %}
{% block summary %}
<section class="summary">
<ul>
<li><strong>Never drive while you take opioid pain pills.</strong></li>
<li><strong>Protect your back {{ through(dates.activity_until) }}.</strong> Lift no more than {{ limits.lifting_limit_lb }} pounds.</li>
<li><strong>Call the spine clinic to set up a visit.</strong></li>
</ul>
</section>
{% endblock %}
"""
PHONES = '[institution]\nclinic_phone = "(555) 010-2200"\nafter_hours_phone = "(555) 010-2299"\n'


def site_with_english(tmp_path: Path, template: str) -> Path:
    path = tmp_path / "templates" / "en" / "discharge.html"
    path.parent.mkdir(parents=True)
    path.write_text(template, encoding="utf-8")
    site = tmp_path / "site.toml"
    site.write_text(f'{PHONES}[content]\ntemplates_dir = "templates"\n', encoding="utf-8")
    return site


def check(site: Path) -> Result:
    result = CliRunner().invoke(cli, ["check", "--site", str(site), "--jobs", "1", "--only", NO_TIME])
    assert "Traceback" not in result.output
    for value in PATIENT_DATA:
        assert value not in result.output
    return result


def test_the_shipped_content_answers_the_card_in_every_variant() -> None:
    site = load_site(None)
    for variant in all_variants()[:: len(all_variants()) // 12]:
        assert check_variant(variant, site).card_problem is None, variant.id


def test_an_override_that_drops_the_marked_answers_fails_naming_them(tmp_path: Path) -> None:
    result = check(site_with_english(tmp_path, UNMARKED_SUMMARY))
    assert result.exit_code == 1, result.output
    [line] = [line for line in result.output.splitlines() if line.strip().startswith("teach-back card:")]
    assert "has 2 questions answered by the en document; it needs 4 to 6" in line
    # This variant's patient takes a blood thinner: its question is asked, and unanswered too.
    assert "(not answered: drive, lift, blood_thinner, visit)" in line
    assert "kyphoplasty-local-same_day-no_cause-1level-en" in line
    rows = [
        row
        for row in result.output.splitlines()
        if row.startswith("kyphoplasty-local-same_day-no_cause-1level")
    ]
    english, spanish = sorted(rows, key=lambda row: "-es " in row)
    assert "teach-back card" in english and english.endswith("FAIL")
    assert spanish.endswith("pass")  # the Spanish document keeps its markers


def test_the_same_override_with_its_markers_passes(tmp_path: Path) -> None:
    marked = UNMARKED_SUMMARY.replace("<li><strong>Never", '<li teach="drive"><strong>Never')
    marked = marked.replace("<li><strong>Protect", '<li teach="lift"><strong>Protect')
    marked = marked.replace("<li><strong>Call", '<li teach="visit"><strong>Call')
    result = check(site_with_english(tmp_path, marked))
    assert result.exit_code == 0, result.output
    assert "teach-back card)." in result.output


def test_a_card_template_that_fails_to_render_is_an_error(tmp_path: Path) -> None:
    site = site_with_english(tmp_path, '{% extends "default:en/discharge.html" %}\n')
    card = tmp_path / "templates" / "en" / "teach_back.html"
    card.write_text("{{ no_such_variable }}\n", encoding="utf-8")
    result = check(site)
    assert result.exit_code == 2, result.output
    assert (
        "teach_back.html" in result.output and "kyphoplasty-local-same_day-no_cause-1level" in result.output
    )
