"""Issue 11, items 7, 13 and 16: site templates and messages that fail, do too much, split the emergency box
or would quote patient data. Every failure is one line, exit status 2 (a row's reason in batch), naming the
template file; no traceback, no hang, and never a patient value."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dischargegen import ContentError, build_case, load_site, render_pdf
from dischargegen.cli import cli
from dischargegen.content import MESSAGE_FIELDS, message_problem, templating
from dischargegen.content.templating import TemplateFailure
from tests.helpers import BASE_FIELDS

# A patient whose every identifier is easy to find in any output.
NAME, MRN, DOB = "Zebulon Quixote", "QX-90210", "1931-02-03"
PATIENT_VALUES = ("Zebulon", "Quixote", MRN, DOB, "1931")
ONE_VARIANT = "kyphoplasty-local-same_day-no_cause-1level-*"
EXTENDS = '{% extends "default:en/discharge.html" %}\n'


def site_file(tmp_path: Path, files: dict[str, str]) -> Path:
    """A site settings file whose templates folder holds `files` (relative path -> text)."""
    for name, text in files.items():
        path = tmp_path / "overrides" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    site = tmp_path / "site.toml"
    site.write_text('[content]\ntemplates_dir = "overrides"\n', encoding="utf-8")
    return site


def render_cli(site: Path, out: Path, *extra: str) -> Result:
    return CliRunner().invoke(
        cli,
        [
            "render", "--site", str(site), "-o", str(out), "--patient-name", NAME, "--mrn", MRN, "--dob", DOB,
            "--procedure", "kyphoplasty", "--levels", "L1", "--anesthesia", "local", "--same-day",
            "--procedure-date", "2027-01-01", *extra,
        ],
    )  # fmt: skip


def check_cli(site: Path, *extra: str) -> Result:
    return CliRunner().invoke(
        cli, ["check", "--site", str(site), "--only", ONE_VARIANT, "--jobs", "1", *extra]
    )


def assert_one_line_error(result: Result, *fragments: str) -> str:
    """Exit 2, exactly one line, no traceback, every fragment present, no patient value."""
    assert result.exit_code == 2, result.output
    output = result.output
    assert "Traceback" not in output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("Error: Template problem: "), output
    for fragment in fragments:
        assert fragment in output, (fragment, output)
    for value in PATIENT_VALUES:
        assert value.casefold() not in output.casefold()
    return lines[0]


def body(template_line: str) -> str:
    """A whole site document template: a good first line, then the line under test (line 2)."""
    return "<section><p>Hello.</p></section>\n" + template_line + "\n"


# -- item 7: templates that raise, or would do without end ------------------------------------------------
RAISING = {
    # The reproductions.
    "divide-by-zero": ("{{ 1 / 0 }}", "division by zero (ZeroDivisionError)"),
    "recursive-macro": (
        "{% macro again() %}{{ again() }}{% endmacro %}{{ again() }}",
        "calls itself too deeply, so it may never stop (RecursionError)",
    ),
    "range-1e9": ("{% for i in range(10**9) %}x{% endfor %}", "more than 10,000 items"),
    "power-to-text": ("{{ 10 ** 5000 }}", "a number longer than 4,096 bits"),
    "power-string-filter": ("{{ (10 ** 5000) | string }}", "a number longer than 4,096 bits"),
    # Variants of our own: loops that would never end, texts and numbers that fill memory.
    "nested-ranges": (
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
        "more than 100,000 steps",
    ),
    "repeat-text": ('{{ "x" * 10**9 }}', "longer than 1,000,000 characters"),
    "repeat-list": ("{{ ([1] * 10**8) | length }}", "longer than 1,000,000 characters"),
    "square-in-a-loop": (
        "{% set ns = namespace(v=10) %}{% for i in range(40) %}{% set ns.v = ns.v * ns.v %}{% endfor %}",
        "a number longer than 4,096 bits",
    ),
    "doubling-with-tilde": (
        '{% set ns = namespace(v="x") %}{% for c in "abcdefghijabcdefghijabcdefghijabcdefghij" %}'
        "{% set ns.v = ns.v ~ ns.v %}{% endfor %}",
        "longer than 1,000,000 characters",
    ),
    "doubling-set-block": (
        '{% set ns = namespace(v="x") %}{% for c in "abcdefghijabcdefghijabcdefghijabcdefghij" %}'
        "{% set ns.v %}{{ ns.v }}{{ ns.v }}{% endset %}{% endfor %}",
        "longer than 1,000,000 characters",
    ),
    "doubling-macro": (
        '{% macro twice(s) %}{{ s }}{{ s }}{% endmacro %}{% set ns = namespace(v="x") %}'
        "{% for i in range(40) %}{% set ns.v = twice(ns.v) %}{% endfor %}",
        "longer than 1,000,000 characters",
    ),
    "center-filter": ('{{ "x" | center(10**9) }}', "a filter is given a number over 1,000,000"),
    "join-filter-separator": (
        '{{ ("x" * 1000) | list | join("y" * 100000) }}',
        "longer than 1,000,000 characters",
    ),
    "join-method-separator": ('{{ ("y" * 100000).join("x" * 1000) }}', "longer than 1,000,000 characters"),
    "indent-by-text": ('{{ ("a\\n" * 1000) | indent("y" * 100000) }}', "longer than 1,000,000 characters"),
    "translate-growth": (
        '{{ ("a" * 1000).translate({97: "y" * 100000}) }}',
        "longer than 1,000,000 characters",
    ),
    "sum-of-lists": ("{{ [[1] * 1000] * 1000 | sum(start=[]) }}", "adds numbers only"),
    "repeat-bytes": ('{{ "x".encode() * 10**9 }}', "longer than 1,000,000 characters"),
    "tojson-indent": ("{{ [1, 2] | tojson(indent=10**9) }}", "a filter is given a number over 1,000,000"),
    "format-method-width": ('{{ "{:>999999999}".format(1) }}', "longer than 1,000,000 characters"),
    "percent-width": ('{{ "%999999999d" % 1 }}', "longer than 1,000,000 characters"),
    "format-filter-width": ('{{ "%999999999d" | format(1) }}', "longer than 1,000,000 characters"),
    "replace-growth": (
        '{{ ("x" * 1000) | replace("x", "y" * 2000) }}',
        "longer than 1,000,000 characters",
    ),
    "float-overflow": ("{{ 10.0 ** 400 }}", "(OverflowError)"),
    "text-plus-number": ('{{ "a" + 1 }}', "(TypeError)"),
    "not-a-number": ('{{ "ten" | int + undefined_name }}', "'undefined_name' is undefined (UndefinedError)"),
}


@pytest.mark.parametrize(("line", "reason"), RAISING.values(), ids=RAISING.keys())
def test_a_failing_site_template_is_one_line_naming_file_and_line(
    tmp_path: Path, line: str, reason: str
) -> None:
    site = site_file(tmp_path, {"en/discharge.html": body(line)})
    out = tmp_path / "out.pdf"
    result = render_cli(site, out)
    assert_one_line_error(result, "site template en/discharge.html, line 2", reason)
    assert not out.exists()
    assert list(tmp_path.glob("*.tmp")) == []
    # The library raises a ContentError too, never another exception.
    with pytest.raises(ContentError, match="line 2"):
        render_pdf(build_case({**BASE_FIELDS}), load_site(site))


def test_a_document_that_grows_without_end_is_stopped(tmp_path: Path) -> None:
    line = (
        '{% for i in range(9000) %}{% for j in range(10) %}<p>{{ "x" * 50000 }}</p>{% endfor %}{% endfor %}'
    )
    site = site_file(tmp_path, {"en/discharge.html": body(line)})
    assert_one_line_error(
        render_cli(site, tmp_path / "out.pdf"),
        "template en/discharge.html: the rendered document is longer than 1,000,000 characters",
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{{ lipsum(1000000) }}", "'lipsum' is undefined"),
        ("{{ [1, 2, 3] | random }}", "No filter named 'random'"),
    ],
    ids=["lipsum", "random"],
)
def test_random_text_is_not_available(tmp_path: Path, line: str, reason: str) -> None:
    # Output is deterministic, and lipsum could write a million paragraphs.
    site = site_file(tmp_path, {"en/discharge.html": body(line)})
    assert_one_line_error(render_cli(site, tmp_path / "out.pdf"), "en/discharge.html, line 2", reason)


def test_a_number_too_long_to_compile_names_the_template(tmp_path: Path) -> None:
    site = site_file(tmp_path, {"en/discharge.html": body("{{ " + "9" * 5000 + " }}")})
    assert_one_line_error(
        render_cli(site, tmp_path / "out.pdf"), "template en/discharge.html", "(ValueError)"
    )


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    site = site_file(tmp_path, {"en/discharge.html": body("{% for x in [1, 2] %}")})
    assert_one_line_error(
        render_cli(site, tmp_path / "out.pdf"), "site template en/discharge.html, line", "TemplateSyntaxError"
    )


def test_an_error_in_an_included_site_file_names_that_file(tmp_path: Path) -> None:
    site = site_file(
        tmp_path,
        {
            "en/discharge.html": EXTENDS + '{% block driving %}{% include "en/extra.html" %}{% endblock %}',
            "en/extra.html": "<section>\n<p>Fine.</p>\n<p>{{ 1 // 0 }}</p>\n</section>\n",
        },
    )
    assert_one_line_error(render_cli(site, tmp_path / "out.pdf"), "site template en/extra.html, line 3")


def test_the_time_budget_is_the_last_guard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A budget already spent stands in for a template that runs too long: no clock in the test.
    monkeypatch.setattr(templating, "TIME_BUDGET_SECONDS", -1.0)
    site = site_file(tmp_path, {"en/discharge.html": body("{% for i in [1] %}<p>x</p>{% endfor %}")})
    assert_one_line_error(render_cli(site, tmp_path / "out.pdf"), "line 2", "took longer than")


def test_the_shipped_templates_stay_far_inside_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templating, "MAX_STEPS", 1_000)
    monkeypatch.setattr(templating, "MAX_TEXT", 100_000)
    for language in ("en", "es"):
        fields = {**BASE_FIELDS, "levels": "T11-L1", "procedure_time": "13:15", "language": language}
        pdf = render_pdf(build_case(fields), load_site(None))
        assert pdf.startswith(b"%PDF")


def test_loops_and_calls_are_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    # The budget is deterministic: the same template fails at the same step whatever the machine.
    environment = templating.cached_environment(None, "en")
    template = environment.from_string("{% for c in 'abcdef' %}{{ c | upper }}{% endfor %}")
    assert templating.render_bounded(template, {}) == "ABCDEF"
    monkeypatch.setattr(templating, "MAX_STEPS", 11)
    with pytest.raises(templating.TemplateLimitError, match="more than 11 steps"):
        templating.render_bounded(template, {})  # 6 turns and 6 filter calls


# -- item 7: messages.toml -----------------------------------------------------------------------------
BAD_MESSAGES = {
    # The reproductions.
    "positional": ('footer_page = "Page {0}"', "footer_page", "the field {0} is not allowed"),
    "lone-brace": ('footer_page = "Page {"', "footer_page", "a lone {"),
    "attribute": ('footer_version = "v{version.__class__}"', "footer_version", "not allowed"),
    "huge-width": ('footer_page = "Page {page:>300000000}"', "footer_page", "format spec"),
    # Variants of our own.
    "index": ('footer_version = "v{version[0]}"', "footer_version", "not allowed"),
    "conversion": ('footer_page = "Page {page!r} of {pages}"', "footer_page", "conversion !r"),
    "nested-spec": ('footer_page = "Page {page:{pages}}"', "footer_page", "format spec"),
    "wrong-type-spec": ('footer_version = "v{version:d}"', "footer_version", "does not fit"),
    "empty-field": ('footer_page = "Page {}"', "footer_page", "the field {} is not allowed"),
    "other-key-field": ('footer_page = "Page {version}"', "footer_page", "{version} is not allowed"),
}
GOOD_MESSAGES = (
    'title = "Going home"\nheader_patient = "Patient"\nheader_dob = "Born"\nheader_mrn = "MRN"\n'
    'footer_page = "Page {page} of {pages}"\nfooter_version = "Version {version}, {reviewed}"\n'
)


def messages_with(line: str) -> str:
    key = line.split(" = ")[0]
    kept = [row for row in GOOD_MESSAGES.splitlines() if not row.startswith(key + " ")]
    return "\n".join([*kept, line]) + "\n"


@pytest.mark.parametrize(("line", "key", "reason"), BAD_MESSAGES.values(), ids=BAD_MESSAGES.keys())
def test_a_bad_message_is_one_line_naming_file_and_key(
    tmp_path: Path, line: str, key: str, reason: str
) -> None:
    site = site_file(tmp_path, {"en/messages.toml": messages_with(line)})
    out = tmp_path / "out.pdf"
    assert_one_line_error(render_cli(site, out), f"site en/messages.toml, key {key}", reason)
    assert not out.exists()


def test_good_messages_format_only_their_fields(tmp_path: Path) -> None:
    site = site_file(tmp_path, {"en/messages.toml": messages_with('footer_page = "p. {page:>2}/{pages}"')})
    out = tmp_path / "out.pdf"
    result = render_cli(site, out)
    assert result.exit_code == 0, result.output
    first = pypdf.PdfReader(out).pages[0].extract_text()
    assert "p.  1/" in first and "Version" in first
    assert "{" not in first


def test_the_shipped_messages_pass_the_rules() -> None:
    import tomllib

    from dischargegen.content.templating import default_templates_dir

    for language in ("en", "es"):
        data = tomllib.loads((default_templates_dir() / language / "messages.toml").read_text("utf-8"))
        for key, fields in MESSAGE_FIELDS.items():
            assert message_problem(data[key], fields) is None


def test_check_exits_2_on_a_bad_message_naming_the_variant(tmp_path: Path) -> None:
    site = site_file(tmp_path, {"en/messages.toml": messages_with('footer_page = "Page {0}"')})
    result = check_cli(site)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "Error: Template problem: kyphoplasty-local-same_day-no_cause-1level-en" in result.output
    assert "site en/messages.toml, key footer_page" in result.output


@pytest.mark.parametrize(
    "line",
    [RAISING["divide-by-zero"][0], RAISING["recursive-macro"][0], RAISING["nested-ranges"][0]],
    ids=["divide-by-zero", "recursive-macro", "nested-ranges"],
)
def test_check_exits_2_on_a_failing_template_naming_the_variant(tmp_path: Path, line: str) -> None:
    # Only in some variants: the first variant checked renders fine, a later one fails (README: exit 2).
    guarded = "{% if case.language == 'es' %}" + line + "{% endif %}"
    template = EXTENDS + "{% block driving %}{{ super() }}\n" + guarded + "{% endblock %}"
    site = site_file(
        tmp_path, {"en/discharge.html": template, "es/discharge.html": template.replace("en/", "es/")}
    )
    result = check_cli(site)
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert "kyphoplasty-local-same_day-no_cause-1level-es, regular print" in result.output
    assert "site template es/discharge.html, line 3" in result.output


# -- item 7 and 16 in batch: the row fails with a reason, the others go on --------------------------------
def write_export(path: Path) -> Path:
    rows = [
        {**BASE_FIELDS, "patient_name": NAME, "mrn": MRN, "dob": DOB, "language": "es"},
        {**BASE_FIELDS, "patient_name": "Ana Diaz", "mrn": "MRN-1001", "language": "en"},
        {
            **BASE_FIELDS,
            "patient_name": "Olga Petrova",
            "mrn": "MRN-1003",
            "dob": "1931-02-04",
            "language": "es",
        },
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*BASE_FIELDS, "language"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{{ {'a': 1}[patient.name] }}", "a name, attribute or key that is not defined (UndefinedError)"),
        (RAISING["nested-ranges"][0], "more than 100,000 steps"),
        (RAISING["recursive-macro"][0], "(RecursionError)"),
    ],
    ids=["patient-key", "endless-loop", "recursive-macro"],
)
def test_batch_fails_the_rows_a_template_fails_and_writes_the_others(
    tmp_path: Path, jobs: str, line: str, reason: str
) -> None:
    site = site_file(tmp_path, {"es/discharge.html": body(line)})
    export = write_export(tmp_path / "export.csv")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["batch", str(export), "--out-dir", str(out), "--site", str(site), "--jobs", jobs]
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal" not in result.output
    errors_text = (out / "errors.csv").read_text(encoding="utf-8")
    errors = list(csv.DictReader(io.StringIO(errors_text)))
    assert [e["line"] for e in errors] == ["2", "4"]
    for error in errors:
        assert error["field"] == "template"
        assert error["message"].startswith("site template es/discharge.html, line 2: ")
        assert reason in error["message"]
    manifest = (out / "manifest.csv").read_text(encoding="utf-8")
    assert manifest.count("written") == 1 and manifest.count("failed") == 2
    for value in (*PATIENT_VALUES, "Petrova", "1931-02-04"):
        assert value not in result.output and value not in errors_text
    assert len(list(out.glob("*.pdf"))) == 1


# -- item 13: the emergency box is never split ----------------------------------------------------------
def emergency_box(items: int, heading: str = "Call 911 now") -> str:
    listed = "".join(f"<li>Warning sign number {n}: call at once.</li>" for n in range(items))
    return (
        EXTENDS + '{% block emergency %}<section class="emergency">'
        f"<h2>{heading}</h2><ul>{listed}</ul></section>{{% endblock %}}"
    )


def test_an_emergency_box_taller_than_a_page_is_refused_naming_it(tmp_path: Path) -> None:
    # The reproduction: a site override makes the box too tall; ReportLab split it across pages.
    site = site_file(tmp_path, {"en/discharge.html": emergency_box(60)})
    out = tmp_path / "out.pdf"
    assert_one_line_error(
        render_cli(site, out), 'the emergency box "Call 911 now" is taller than a page', "must not be split"
    )
    assert not out.exists()
    with pytest.raises(TemplateFailure, match="emergency box"):
        render_pdf(build_case({**BASE_FIELDS}), load_site(site))


def test_the_box_is_named_without_the_patient_value_its_heading_holds(tmp_path: Path) -> None:
    site = site_file(tmp_path, {"en/discharge.html": emergency_box(60, "Call 911, {{ patient.name }}")})
    line = assert_one_line_error(render_cli(site, tmp_path / "out.pdf"), "the emergency box (<section")
    assert "Call 911" not in line


def test_an_emergency_box_that_fits_is_kept_on_one_page(tmp_path: Path) -> None:
    site = site_file(tmp_path, {"en/discharge.html": emergency_box(12)})
    out = tmp_path / "out.pdf"
    assert render_cli(site, out).exit_code == 0
    pages = [page.extract_text() for page in pypdf.PdfReader(out).pages]
    holding = [n for n, text in enumerate(pages) if "Warning sign number" in text]
    assert len(holding) == 1
    assert "Warning sign number 0" in pages[holding[0]] and "Warning sign number 11" in pages[holding[0]]


def test_a_receipt_taller_than_a_page_is_refused_too(tmp_path: Path) -> None:
    # The receipt is kept on one page with its signatures, like the emergency box: never split. The
    # checklist and receipt blocks are both inside the shipped <section class="receipt">.
    items = "".join(f"<li>I understand point {n} of these instructions.</li>" for n in range(70))
    template = (
        EXTENDS + f'{{% block checklist %}}<h2>Before you leave</h2><ul class="checklist">{items}</ul>'
        '{% endblock %}{% block receipt %}<signature sign="Patient" date="Date"></signature>{% endblock %}'
    )
    site = site_file(tmp_path, {"en/discharge.html": template})
    assert_one_line_error(
        render_cli(site, tmp_path / "out.pdf"), 'the receipt section "Before you leave" is taller than a page'
    )


def test_check_fails_with_2_when_only_large_print_makes_the_box_too_tall(tmp_path: Path) -> None:
    # Fits a page in regular print, not in large print: check renders both and names the variant.
    site = site_file(tmp_path, {"en/discharge.html": emergency_box(24)})
    assert render_cli(site, tmp_path / "regular.pdf").exit_code == 0
    assert render_cli(site, tmp_path / "large.pdf", "--large-print").exit_code == 2
    result = check_cli(site)
    assert result.exit_code == 2, result.output
    assert "kyphoplasty-local-same_day-no_cause-1level-en, large print" in result.output
    assert 'the emergency box "Call 911 now" is taller than a page' in result.output


# -- item 16: no patient value in a template's error message ---------------------------------------------
LEAKS = {
    # The reproduction.
    "dict-by-name": "{{ {'a': 1}[patient.name] }}",
    # Variants of our own: every identifier, several kinds of error.
    "dict-by-mrn": "{{ {'a': 1}[patient.mrn] }}",
    "attribute-by-dob": "{{ patient[patient.dob | string] }}",
    "include-by-name": "{% include patient.name %}",
    "name-as-number": "{{ patient.name | int(default=none) + 1 }}",
    "percent-by-name": '{{ "%d" % patient.name }}',
    "loose-name": "{{ patient.name }}",
    "name-as-tag": "<{{ patient.name }}>",
}


@pytest.mark.parametrize("line", LEAKS.values(), ids=LEAKS.keys())
def test_a_template_error_never_quotes_patient_data(tmp_path: Path, line: str) -> None:
    site = site_file(tmp_path, {"en/discharge.html": body(line)})
    out = tmp_path / "out.pdf"
    assert_one_line_error(render_cli(site, out))
    with pytest.raises(ContentError) as caught:
        render_pdf(build_case({**BASE_FIELDS, "patient_name": NAME, "mrn": MRN, "dob": DOB}), load_site(site))
    for value in PATIENT_VALUES:
        assert value.casefold() not in str(caught.value).casefold()


def test_a_name_from_the_template_source_is_still_named(tmp_path: Path) -> None:
    # Useful to a clinical editor: the misspelt name is in the template, not in the data.
    site = site_file(tmp_path, {"en/discharge.html": body("<p>{{ patient.nickname }} {{ dosage }}</p>")})
    assert_one_line_error(render_cli(site, tmp_path / "out.pdf"), "line 2", "'nickname'", "(UndefinedError)")


# -- a property: whatever a template does with the data, the library raises only ContentError, never
# -- quoting a patient value -------------------------------------------------------------------------------
ATOMS = ["patient.name", "patient.mrn", "patient.dob", "1", "0", "7", "'x'", "{'a': 1}", "[1, 2]", "range(3)",
         "case.levels", "nothing_here", "10 ** 5000", "-1"]  # fmt: skip
SHAPES = ["{a} / {b}", "{a}[{b}]", "{a} + {b}", "{a} * {b}", "{a} % {b}", "{a} ~ {b}", "{a} | int",
          "{a} | string", "{a}.nickname", "{a}.__class__", "{a}.upper()", "{a} // {b}", "({a}) ** ({b})",
          "{a} | join", "{a} | center({b})", "{a} | replace({b}, {a})", "{{{a}: {b}}}[{a}]"]  # fmt: skip
STATEMENTS = ["<p>{{{{ {e} }}}}</p>", "{{% for x in {e} %}}<p>{{{{ x }}}}</p>{{% endfor %}}",
              "{{% include {e} %}}", "<section class=\"{{{{ {e} }}}}\"><p>x</p></section>"]  # fmt: skip


@st.composite
def expressions(draw: st.DrawFn, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(ATOMS))
    shape = draw(st.sampled_from(SHAPES))
    return shape.format(a=draw(expressions(depth - 1)), b=draw(expressions(depth - 1)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(statement=st.sampled_from(STATEMENTS), expression=expressions())
def test_any_template_over_patient_data_fails_only_with_a_clean_content_error(
    tmp_path: Path, statement: str, expression: str
) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    site = site_file(folder, {"en/discharge.html": body(statement.format(e=expression))})
    case = build_case({**BASE_FIELDS, "patient_name": NAME, "mrn": MRN, "dob": DOB})
    try:
        render_pdf(case, load_site(site))
    except ContentError as error:
        message = str(error).casefold()
        assert all(value.casefold() not in message for value in PATIENT_VALUES), message
