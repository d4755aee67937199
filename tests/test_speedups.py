"""The speed-ups in one place, with one switch: all on or all off, the same bytes; ReportLab's modules and
font registry stay the host's own; an untested ReportLab version renders without them."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
import reportlab
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph

from dischargegen import build_case, load_site, render_pdf
from dischargegen.batch import run_batch
from dischargegen.case import Case
from dischargegen.check.matrix import all_variants
from dischargegen.pdf import speedups
from dischargegen.pdf.fonts import BOLD, FONT_DIR, REGULAR, first_undrawable, register_fonts
from dischargegen.pdf.speedups import writer
from dischargegen.pdf.speedups.paragraphs import MemoParagraph
from dischargegen.site import DEFAULT_SITE, SiteSettings
from dischargegen.sources.csv import read_csv_records
from tests.helpers import BASE_FIELDS, REPO, fields, pdf_text

OVERRIDE_SENTENCE = "so you stayed awake the whole time."
HOST_FONT = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


def reportlab_functions() -> tuple[object, ...]:
    return pdfdoc.pdfdocEnc, pdfdoc.PDFName, pdfdoc.format, ttfonts.makeToUnicodeCMap


REPORTLAB_OWN = (
    writer._reportlab_encode,
    writer._reportlab_name,
    writer._reportlab_format,
    writer._reportlab_character_map,
)


def override_site(folder: Path) -> SiteSettings:
    """A site with a [content] templates_dir: the shipped templates with one English sentence changed."""
    shutil.copytree(REPO / "templates", folder / "overrides")
    page = folder / "overrides" / "en" / "discharge.html"
    text = page.read_text(encoding="utf-8")
    assert "so you stayed awake." in text
    page.write_text(text.replace("so you stayed awake.", OVERRIDE_SENTENCE), encoding="utf-8")
    (folder / "site.toml").write_text('[content]\ntemplates_dir = "overrides"\n', encoding="utf-8")
    return load_site(folder / "site.toml")


def every_kind(site: SiteSettings) -> list[tuple[str, Case, SiteSettings]]:
    """Both languages, every procedure, anesthesia, stay, cause and level count somewhere; regular and
    large print; Letter and A4; names beyond ASCII; the default site and a site's template overrides."""
    jobs = []
    for index, variant in enumerate(all_variants()[::11]):
        case = variant.case(large_print=index % 2 == 1)
        paper = ("letter", "a4")[index // 2 % 2]
        jobs.append(
            (
                f"{variant.id} {paper} large={case.large_print}",
                dataclasses.replace(case, paper=paper),
                DEFAULT_SITE,
            )
        )
    for overrides in (
        {"patient_name": "Νίκος Ζαχαρίου", "paper": "a4"},
        {"patient_name": "Ólafur Þórsson", "large_print": "yes", "language": "es"},
        {"patient_name": "Chloé Zoë Dubois", "anesthesia": "general", "overnight": "yes"},
    ):
        jobs.append((f"default {overrides}", build_case(fields(**overrides)), DEFAULT_SITE))
    for overrides in (
        {},
        {"large_print": "yes", "paper": "a4"},
        {"language": "es", "anesthesia": "sedation"},
    ):
        jobs.append((f"override {overrides}", build_case(fields(**overrides)), site))
    return jobs


def render_on(case: Case, site: SiteSettings) -> bytes:
    """As a process of our own renders (a batch worker, --jobs 1): every speed-up in."""
    with speedups.process_wide():
        assert speedups.kit() is speedups.QUICK
        assert reportlab_functions() == (
            writer.pdfdoc_encode,
            writer.pdf_name,
            writer.pdf_format,
            writer.character_map,
        )
        return render_pdf(case, site)


def render_off(case: Case, site: SiteSettings) -> bytes:
    with speedups.switched_off():
        assert not speedups.active() and speedups.kit() is speedups.PLAIN
        assert reportlab_functions() == REPORTLAB_OWN
        return render_pdf(case, site)


def test_every_kind_of_document_is_the_same_bytes_with_speed_ups_on_and_off(tmp_path: Path) -> None:
    jobs = every_kind(override_site(tmp_path))
    assert {case.language for _, case, _ in jobs} == {"en", "es"}
    assert {case.large_print for _, case, _ in jobs} == {False, True}
    assert {case.paper or site.document.paper for _, case, site in jobs} == {"letter", "a4"}
    # Mixed order: on, off, on, off... and each document on both sides of another's rendering, so what
    # one rendering remembers (or does not) can never leak into the next.
    order = [(index, index % 2 == 0) for index in range(len(jobs))]
    order += [(index, index % 2 == 1) for index in reversed(range(len(jobs)))]
    order += [(index, True) for index in range(0, len(jobs), 3)]
    seen: dict[int, set[bytes]] = {}
    for index, on in order:
        _, case, site = jobs[index]
        data = (render_on if on else render_off)(case, site)
        seen.setdefault(index, set()).add(data)
    for index, (name, _, _) in enumerate(jobs):
        assert len(seen[index]) == 1, f"{name}: the speed-ups changed the bytes"
    overridden = pdf_text(next(iter(seen[len(jobs) - 3])))
    assert OVERRIDE_SENTENCE in overridden  # the site's override was rendered
    assert len({data for datas in seen.values() for data in datas}) == len(jobs)


def test_render_pdf_changes_nothing_in_reportlabs_modules() -> None:
    assert reportlab_functions() == REPORTLAB_OWN
    render_pdf(build_case(fields(patient_name="Ángel Muñoz")), DEFAULT_SITE)
    assert reportlab_functions() == REPORTLAB_OWN
    for attribute, own in zip(("pdfdocEnc", "PDFName", "format"), REPORTLAB_OWN, strict=False):
        assert getattr(pdfdoc, attribute) is own
    assert ttfonts.makeToUnicodeCMap is writer._reportlab_character_map


def test_a_batch_in_this_process_puts_its_speed_ups_in_for_the_run_only(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    with export.open("w", newline="", encoding="utf-8") as file:
        rows = csv.DictWriter(file, fieldnames=list(BASE_FIELDS))
        rows.writeheader()
        rows.writerow(BASE_FIELDS)
        rows.writerow({**BASE_FIELDS, "patient_name": "Bo Li", "mrn": "X-2"})
    during: list[bool] = []
    records = read_csv_records(export, DEFAULT_SITE)
    run_batch(
        records,
        DEFAULT_SITE,
        tmp_path / "out",
        jobs=1,
        on_row=lambda _: during.append(writer.installed_now()),
    )
    assert during == [True, True]
    assert reportlab_functions() == REPORTLAB_OWN


def test_workers_of_our_own_put_the_writer_functions_in_unless_switched_off() -> None:
    script = (
        "import hashlib\n"
        "from pathlib import Path\n"
        "from dischargegen import build_case, render_pdf\n"
        "from dischargegen.batch.worker import start_worker\n"
        "from dischargegen.check import _start_check_worker\n"
        "from dischargegen.pdf import speedups\n"
        "from dischargegen.pdf.speedups import writer\n"
        "from dischargegen.site import DEFAULT_SITE\n"
        "from tests.helpers import fields\n"
        "_start_check_worker()\n"
        "checker = writer.installed_now()\n"
        "writer._set(writer._reportlab_encode, writer._reportlab_name, writer._reportlab_format,"
        " writer._reportlab_character_map)  # as a fresh process again\n"
        "start_worker(DEFAULT_SITE, Path('.'))\n"
        "pdf = render_pdf(build_case(fields(patient_name='Chloé Zoë Dubois')), DEFAULT_SITE)\n"
        "print(checker, writer.installed_now(), speedups.kit() is speedups.QUICK, hashlib.sha256(pdf).hexdigest())\n"
    )
    answers = {}
    for setting in ("1", "0"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO,
            env={**os.environ, speedups.ENVIRONMENT_VARIABLE: setting},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        answers[setting] = done.stdout.split()
    assert answers["1"][:3] == ["True", "True", "True"]
    assert answers["0"][:3] == ["False", "False", "False"]  # DISCHARGEGEN_SPEEDUPS=0: all off
    here = render_pdf(build_case(fields(patient_name="Chloé Zoë Dubois")), DEFAULT_SITE)
    assert answers["1"][3] == answers["0"][3] == hashlib.sha256(here).hexdigest()


def test_an_untested_reportlab_version_renders_without_the_speed_ups(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    case = build_case(fields(patient_name="Ólafur Þórsson", language="es"))
    expected = render_on(case, DEFAULT_SITE)
    capsys.readouterr()
    assert reportlab.Version in speedups.TESTED_REPORTLAB_VERSIONS
    monkeypatch.setattr(reportlab, "Version", "5.2.0")
    assert not speedups.active()
    assert speedups.kit() is speedups.PLAIN
    built: list[type] = []
    original_init = Paragraph.__init__

    def recording(self: Paragraph, *args: object, **kwargs: object) -> None:
        built.append(type(self))
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(Paragraph, "__init__", recording)
    with speedups.process_wide():
        assert reportlab_functions() == REPORTLAB_OWN  # not put in: ReportLab's internals may differ
        data = render_pdf(case, DEFAULT_SITE)
    speedups.install_in_worker()
    assert reportlab_functions() == REPORTLAB_OWN
    assert data == expected
    assert built and MemoParagraph not in built
    assert capsys.readouterr() == ("", "")  # nothing said to the patient's side of the screen


def test_the_pinned_reportlab_is_a_tested_one() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"reportlab>=5.1,<5.2"' in pyproject
    assert all(version.startswith("5.1.") for version in speedups.TESTED_REPORTLAB_VERSIONS)


def embedded_fonts(pdf: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].get_object().values()
    }


def test_a_hosts_font_named_notosans_is_neither_touched_nor_used() -> None:
    """The host registered another font as "NotoSans", and its own copy of Noto Sans Bold (the same face
    as ours), before us."""
    script = (
        "import sys\n"
        "from reportlab.pdfbase import pdfmetrics\n"
        "from reportlab.pdfbase.ttfonts import TTFont\n"
        "hosts = [TTFont('NotoSans', sys.argv[1]), TTFont('NotoSans-Bold', sys.argv[2])]\n"
        "for font in hosts:\n"
        "    pdfmetrics.registerFont(font)\n"
        "from dischargegen import build_case, render_pdf\n"
        "from dischargegen.pdf.fonts import BOLD, REGULAR, first_undrawable\n"
        "from dischargegen.pdf.speedups.subsets import RememberingTTFont\n"
        "from dischargegen.site import DEFAULT_SITE\n"
        "from tests.helpers import fields\n"
        "pdf = render_pdf(build_case(fields(patient_name='Νίκος Ζαχαρίου')), DEFAULT_SITE)\n"
        "sys.stdout.buffer.write(pdf)\n"
        "assert all(pdfmetrics.getFont(font.fontName) is font for font in hosts), 'host font replaced'\n"
        "assert pdfmetrics._dynFaceNames[hosts[1].face.name] is hosts[1], 'host face replaced'\n"
        "assert all(type(pdfmetrics.getFont(name)) is RememberingTTFont for name in (REGULAR, BOLD))\n"
        "assert first_undrawable('Νίκος Ζαχαρίου') is None\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(HOST_FONT), str(FONT_DIR / "NotoSans-Bold.ttf")],
        cwd=REPO,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    # Our two fonts only: no Helvetica either (PDF/A wants every font embedded).
    assert embedded_fonts(done.stdout) == {"/AAAAAA+NotoSans-Regular", "/AAAAAA+NotoSans-Bold"}
    assert "Νίκος Ζαχαρίου" in pdf_text(done.stdout)


def test_a_font_the_host_registers_later_is_not_used_either() -> None:
    register_fonts()
    host = TTFont("NotoSans", str(HOST_FONT))
    assert ord("Ζ") not in host.face.charToGlyph  # the host's font cannot draw Greek; ours can
    pdfmetrics.registerFont(host)
    pdf = render_pdf(build_case(fields(patient_name="Νίκος Ζαχαρίου")), DEFAULT_SITE)
    assert pdfmetrics.getFont("NotoSans") is host
    assert {pdfmetrics.getFont(REGULAR).face.filename, pdfmetrics.getFont(BOLD).face.filename} == {
        str(FONT_DIR / name) for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")
    }
    assert embedded_fonts(pdf) == {"/AAAAAA+NotoSans-Regular", "/AAAAAA+NotoSans-Bold"}
    assert first_undrawable("Νίκος") is None


def test_switching_off_inside_a_run_of_our_own_puts_reportlabs_functions_back_for_its_length() -> None:
    case = build_case(fields(language="es", large_print="yes"))
    with speedups.process_wide():
        quick = reportlab_functions()
        assert quick != REPORTLAB_OWN
        with speedups.switched_off():
            assert reportlab_functions() == REPORTLAB_OWN
            off = render_pdf(case, DEFAULT_SITE)
        assert reportlab_functions() == quick and speedups.active()
        on = render_pdf(case, DEFAULT_SITE)
    assert reportlab_functions() == REPORTLAB_OWN
    assert on == off
