"""The "until <day>" rule (limits never read earlier than they are) in the six languages after English and
Spanish: each one's bare "until <day>" is found, built from the weekday and month names its `day` filter
prints; the safe forms the shipped templates print are not (their own `through` and `until` macros, rendered
here); a clock time makes the phrase exact; and a site template that puts the bare form back into a
translated document fails `dischargegen check`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dischargegen.check.matrix import all_variants, select, tallest_variant
from dischargegen.check.rules import OPEN_LIMITS, open_limits
from dischargegen.cli import cli
from dischargegen.content import build_context, render_content
from dischargegen.content.formatting import Moment, filters_for
from dischargegen.content.shipped import default_templates_dir
from dischargegen.content.templating import cached_environment
from dischargegen.site import DEFAULT_SITE, load_site
from dischargegen.vocab import LANGUAGES

OTHERS = ("zh", "vi", "ko", "tl", "ru", "ht")
ONE = "kyphoplasty-local-same_day-no_cause-1level"  # no procedure time: limits end "through" a day
PATIENT_DATA = ("Pat Sample", "CHECK-0001", "1944")  # the check's synthetic patient (check/matrix.py)


def test_every_language_has_a_row() -> None:
    assert set(OTHERS) | {"en", "es"} == set(OPEN_LIMITS) == set(LANGUAGES)


# -- phrases ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "found"),
    [
        ("zh", "到1月5日星期二为止，不要开车。", ["到1月5日星期二"]),
        ("zh", "直到周二都不要开车。", ["直到周二"]),
        ("zh", "到1月5日为止，不要泡澡。", ["到1月5日"]),
        ("zh", "到1月5日星期二当天结束为止，不要开车。", []),
        ("zh", "到1月5日星期二下午3:40为止，不要开车。", []),
        ("zh", "请约在1月4日星期一到1月8日星期五之间的一天。", []),  # the follow-up visit's range
        ("zh", "从1月4日星期一到1月8日星期五", []),
        ("zh", "至少休息6周。", []),
        ("vi", "Không lái xe đến thứ Ba.", ["đến thứ Ba"]),
        ("vi", "Không lái xe cho đến Thứ Ba, ngày 5 tháng 1.", ["cho đến Thứ Ba, ngày 5 tháng 1"]),
        ("vi", "Giữ băng khô tới Chu Nhat.", ["tới Chu Nhat"]),  # without the accents
        ("vi", "Nghỉ ngơi đến ngày thứ 3.", ["đến ngày thứ 3"]),
        ("vi", "Không lái xe cho đến hết Thứ Ba, ngày 5 tháng 1.", []),
        ("vi", "Không lái xe cho đến 3:40 chiều Thứ Ba, ngày 5 tháng 1.", []),
        ("vi", "Không lái xe đến Thứ Ba, ngày 5 tháng 1, lúc 3:40 chiều.", []),
        ("vi", "Xin hẹn một ngày từ Thứ Hai, ngày 4 tháng 1 đến Thứ Sáu, ngày 8 tháng 1.", []),
        ("vi", "Đến lúc đó, không rượu.", []),
        ("ko", "1월 5일 화요일까지 운전하지 마세요.", ["1월 5일 화요일까지"]),
        ("ko", "화요일까지 쉬세요.", ["화요일까지"]),
        ("ko", "11월 5일까지 쉬세요.", ["11월 5일까지"]),
        ("ko", "1월 5일 화요일이 끝날 때까지 운전하지 마세요.", []),
        ("ko", "1월 5일 화요일 오후 3:40까지 운전하지 마세요.", []),
        ("ko", "1월 4일 월요일부터 1월 8일 금요일 사이의 날로 잡으세요.", []),
        ("ko", "1월 4일 월요일부터 1월 8일 금요일까지 예약하세요.", []),
        ("tl", "Bawal magmaneho hanggang Martes.", ["hanggang Martes"]),
        ("tl", "Bawal magmaneho hanggang sa Martes, Enero 5.", ["hanggang sa Martes, Enero 5"]),
        ("tl", "Bawal magmaneho hanggang sa katapusan ng Martes.", []),
        ("tl", "Bawal magmaneho hanggang matapos ang Martes, Enero 5.", []),
        ("tl", "Bawal magmaneho hanggang 3:40 PM sa Martes, Enero 5.", []),
        ("tl", "Bawal magmaneho hanggang Martes, Enero 5, alas-3:40 PM.", []),
        ("tl", "Magpatingin mula Lunes, Enero 4 hanggang Biyernes, Enero 8.", []),
        ("tl", "Magpahinga hanggang 6 na linggo.", []),  # "linggo" is also "week"
        ("ru", "Не водите машину до вторника.", ["до вторника"]),
        ("ru", "Не водите машину до понедельника, 4 января.", ["до понедельника, 4 января"]),
        ("ru", "Не водите машину до 5 января (вторник).", ["до 5 января (вторник)"]),
        ("ru", "Не мочите повязку до 5 января.", ["до 5 января"]),
        ("ru", "Не водите машину до конца дня 5 января (вторник).", []),
        ("ru", "Не водите машину по вторник включительно.", []),
        ("ru", "Не водите машину до вторника включительно.", []),
        ("ru", "Не водите машину до 15:40, 5 января (вторник).", []),
        ("ru", "Запишитесь на день с 4 января (понедельник) по 8 января (пятница).", []),
        ("ru", "Это займёт до 2 недель.", []),
        ("ht", "Pa kondui jiska madi.", ["jiska madi"]),
        ("ht", "Pa kondui jiska madi 5 janvye.", ["jiska madi 5 janvye"]),
        ("ht", "Pa kondui jis mekredi.", ["jis mekredi"]),  # without the accent
        ("ht", "Pa kondui jiska lafen jounen madi 5 janvye.", []),
        ("ht", "Pa kondui jiska madi 5 janvye a 3:40 PM.", []),
        ("ht", "Jiska lè sa a, pa bwè alkòl.", []),
        ("ht", "Mande yon jou ant lendi 4 janvye ak vandredi 8 janvye.", []),
    ],
)
def test_open_limit_phrases(language: str, text: str, found: list[str]) -> None:
    assert list(open_limits(text, language)) == found


RU_GENITIVE = ("понедельника", "вторника", "среды", "четверга", "пятницы", "субботы", "воскресенья")


def test_russian_weekdays_are_found_in_the_genitive_the_bare_limit_takes() -> None:
    for name in RU_GENITIVE:
        assert list(open_limits(f"Не водите машину до {name}.", "ru")) == [f"до {name}"]
        assert list(open_limits(f"Не водите машину до {name} включительно.", "ru")) == []


def shipped_macro(language: str, name: str) -> str:
    """The one-line `{% macro name(...) %}` of the shipped discharge.html."""
    source = (default_templates_dir() / language / "discharge.html").read_text(encoding="utf-8")
    match = re.search(rf"^{{% macro {name}\(.*?{{% endmacro %}}$", source, re.MULTILINE)
    assert match, f"{language}/discharge.html has no one-line macro {name}"
    return match.group()


def printed_by(language: str, macro: str, value: object) -> str:
    """What the shipped template's macro prints for `value`, with the language's own filters."""
    environment = cached_environment(None, language)
    return environment.from_string(shipped_macro(language, macro) + f"{{{{ {macro}(value) }}}}").render(
        value=value
    )


# A clock time after the date, as a site template (or the shipped `at` form) would write it.
CLOCK_AFTER = {
    "zh": "到{day}{clock}为止",
    "vi": "đến {day}, lúc {clock}",
    "ko": "{day} {clock}까지",
    "tl": "hanggang {day}, {clock}",
    "ru": "до {day}, {clock}",
    "ht": "jiska {day} a {clock}",
}


@settings(max_examples=50, deadline=None)
@given(
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31)),
    st.times(),
    st.sampled_from(OTHERS),
)
def test_a_bare_day_is_found_and_the_shipped_forms_are_not(
    day: dt.date, time: dt.time, language: str
) -> None:
    filters = filters_for(language)
    printed = filters["day"](day)
    bare = OPEN_LIMITS[language].bare(printed)
    assert list(open_limits(f"{bare}.", language)) == [bare]
    through = printed_by(language, "through", day)
    until_clock = printed_by(language, "until", Moment(day, time))
    assert printed in through and filters["clock"](time) in until_clock  # what the document prints
    assert list(open_limits(f"{through}.", language)) == []
    assert list(open_limits(f"{until_clock}.", language)) == []
    assert list(open_limits(f"{printed_by(language, 'until', Moment(day, None))}.", language)) == []
    clock_after = CLOCK_AFTER[language].format(day=printed, clock=filters["clock"](time))
    assert list(open_limits(f"{clock_after}.", language)) == []


# -- a site template that brings the bare form back ---------------------------------------------------------


def bare_activity_override(language: str) -> str:
    """A site's discharge.html for `language` that extends the shipped one and replaces its `activity` block
    with the same block whose heading ends the limit on a bare day ("до {{ day }}" for "до конца дня")."""
    source = (default_templates_dir() / language / "discharge.html").read_text(encoding="utf-8")
    block = re.search(r"{% block activity %}.*?{% endblock %}", source, re.DOTALL)
    assert block and "{{ through(dates.activity_until) }}" in block.group()
    bare = OPEN_LIMITS[language].bare("{{ dates.activity_until | day }}")
    macros = re.findall(
        r"^{% macro .*?{% endmacro %}$", source, re.MULTILINE
    )  # the block uses plural() in ru
    return (
        f'{{% extends "default:{language}/discharge.html" %}}\n'
        + "\n".join(macros)
        + "\n"
        + block.group().replace("{{ through(dates.activity_until) }}", bare)
    )


def check(site: Path | None, language: str) -> tuple[int, str]:
    args = ["check", "--jobs", "1", "--all-languages", "--only", f"{ONE}-{language}"]
    result = CliRunner().invoke(cli, [*args, "--site", str(site)] if site else args)
    assert "Traceback" not in result.output
    for value in PATIENT_DATA:
        assert value not in result.output
    return result.exit_code, result.output


@pytest.mark.parametrize("language", OTHERS)
def test_a_site_template_with_a_bare_day_fails_check(tmp_path: Path, language: str) -> None:
    path = tmp_path / "templates" / language / "discharge.html"
    path.parent.mkdir(parents=True)
    path.write_text(bare_activity_override(language), encoding="utf-8")
    site = tmp_path / "site.toml"
    site.write_text('[content]\ntemplates_dir = "templates"\n', encoding="utf-8")
    (variant,) = select(all_variants(LANGUAGES), [f"{ONE}-{language}"])
    day = build_context(variant.case(False), load_site(site))["dates"]["activity_until"]
    phrase = OPEN_LIMITS[language].bare(filters_for(language)["day"](day))

    code, output = check(site, language)
    assert code == 1, output
    failures = output.split("\nFailures:", 1)[1].split("\n\n", 1)[0].strip().splitlines()
    assert [line.strip() for line in failures] == [
        f'until <day> ({language}): "{phrase}" in section "{heading(language, phrase)}" has no clock time'
        f' and no "through"; {variant.id}'
    ]


def heading(language: str, phrase: str) -> str:
    """The activity section's heading with the bare phrase where the shipped one says "through"."""
    source = (default_templates_dir() / language / "discharge.html").read_text(encoding="utf-8")
    block = re.search(r"{% block activity %}.*?<h2>(.*?)</h2>", source, re.DOTALL)
    assert block
    return block.group(1).replace("{{ through(dates.activity_until) }}", phrase)


@pytest.mark.parametrize("language", OTHERS)
def test_the_shipped_document_passes_check(language: str) -> None:
    code, output = check(None, language)
    assert code == 0, output
    assert "Failures: none" in output


def test_no_shipped_text_ends_a_limit_on_a_bare_day_over_the_whole_matrix() -> None:
    """Every variant of the six languages (and each one's tallest document), in both print sizes: the text
    and attributes check reads, without the PDFs (`check --all-languages` renders those too)."""
    found = {}
    for language in OTHERS:
        variants = [v for v in all_variants(LANGUAGES) if v.language == language] + [
            tallest_variant(language)
        ]
        for variant in variants:
            for large_print in (False, True):
                content = render_content(variant.case(large_print), DEFAULT_SITE)
                for section in content.sections:
                    for block in section.all_blocks():
                        for text in (block.text, *block.attributes.values()):
                            found.update(
                                dict.fromkeys((language, phrase) for phrase in open_limits(text, language))
                            )
    assert list(found) == []
