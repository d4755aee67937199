"""The Spanish edition: the same files, blocks, keys and logic as the English; no English showing through;
the page frame, clock times and optional inputs in Spanish. What every variant must say, in each language,
is in test_variants.py. The procedure is on Friday, January 1, 2027 ("viernes 1 de enero")."""

from __future__ import annotations

import io
import re
import string
import tomllib
from pathlib import Path

import jinja2
import pypdf
import pytest
from jinja2 import nodes

from dischargegen import build_case, load_site
from dischargegen.content import MESSAGE_KEYS
from dischargegen.site import DEFAULT_SITE, SiteSettings
from tests.helpers import REPO, fields, pages, pdf_text, render, render_text

TEMPLATES = REPO / "templates"
EN, ES = TEMPLATES / "en", TEMPLATES / "es"
SAMPLE_SITE = load_site(REPO / "samples" / "site.toml")


# -- (a) the translation has every file, block, key and placeholder of the English ------------------------


def relative_files(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def parse(path: Path) -> nodes.Template:
    return jinja2.Environment().parse(path.read_text(encoding="utf-8"))


def block_names(path: Path) -> list[str]:
    return [block.name for block in parse(path).find_all(nodes.Block)]


def attribute_paths(path: Path) -> set[str]:
    """Every `a.b` the template reads ("dates.drive_after", "limits.fever_f", "case.brace")."""
    found = set()
    for node in parse(path).find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name):
            found.add(f"{node.node.name}.{node.attr}")
    return found


def filter_names(path: Path) -> set[str]:
    return {node.name for node in parse(path).find_all(nodes.Filter)}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# Staff-facing, always in English (the chart copy's teach-back card): no translation.
ENGLISH_ONLY = {"teach_back.html"}


def test_every_english_file_has_a_spanish_counterpart() -> None:
    assert relative_files(EN) - relative_files(ES) == ENGLISH_ONLY
    assert relative_files(ES) - relative_files(EN) == set()


def test_spanish_template_has_every_english_block_in_the_same_order() -> None:
    english = block_names(EN / "discharge.html")
    assert english, "no blocks found in the English template"
    assert block_names(ES / "discharge.html") == english


# A filter a translation may write with others, when its word order cannot use it: Spanish puts the clock
# time before the day ("hasta las 3:40 p.m. del miércoles 6 de enero"), and `moment` gives the day first.
SPELLED_WITH = {"moment": {"clock", "day"}}


def test_spanish_template_reads_every_variable_and_uses_every_filter_the_english_does() -> None:
    missing = attribute_paths(EN / "discharge.html") - attribute_paths(ES / "discharge.html")
    assert missing == set(), f"the Spanish template never uses: {sorted(missing)}"
    spanish = filter_names(ES / "discharge.html")
    unused = {
        name
        for name in filter_names(EN / "discharge.html") - spanish
        if not (name in SPELLED_WITH and SPELLED_WITH[name] <= spanish)
    }
    assert unused == set(), f"the Spanish template never uses the filters: {sorted(unused)}"


def test_messages_have_the_same_keys_and_placeholders() -> None:
    english = tomllib.loads((EN / "messages.toml").read_text(encoding="utf-8"))
    spanish = tomllib.loads((ES / "messages.toml").read_text(encoding="utf-8"))
    assert set(spanish) == set(english)
    assert set(MESSAGE_KEYS) <= set(spanish)
    for key, text in english.items():
        if isinstance(text, dict):  # [review] and [dates]: data about the language, not words to translate
            continue
        assert placeholders(spanish[key]) == placeholders(text), key
        assert spanish[key] != text, f"{key} is not translated"


# -- (b) no English shows through -------------------------------------------------------------------------

# Common English words (none is also a Spanish word), the weekday and month names, and the page-frame words.
_ENGLISH = """the and you your with call doctor days day until page date birth patient pounds of to for is
    are it if not do take after before when what how this that have will may can must home pain back bone bones
    blood medicine medicines nurse sign walk drive lift bath shower fever emergency clinic phone visit
    version reviewed last content record number hours weeks week tonight today tomorrow am pm lb
    monday tuesday wednesday thursday friday saturday sunday january february march april june july
    august september october november december"""
ENGLISH_WORDS = frozenset(_ENGLISH.split())
# Names the document prints as they are: the patient's, the medicine brand; plus the institution's name.
ALLOWED = frozenset({"ana", "diaz", "tylenol", "mrn"})


# A weight after its number: "lb" is the libra's symbol in Spanish too (the lifting picture's "10 lb");
# "lb" anywhere else is English showing through.
WEIGHT = re.compile(r"\d lb\b")


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", text.lower()))


def english_words(text: str, site: SiteSettings = DEFAULT_SITE) -> set[str]:
    found = words(WEIGHT.sub("", text)) & ENGLISH_WORDS
    return found - ALLOWED - words(site.institution.name or "")


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"procedure": "vertebroplasty", "anesthesia": "general", "overnight": "yes", "cause": "cancer"},
        {
            "anesthesia": "sedation",
            "levels": "T11-L1",
            "cause": "osteoporosis",
            "procedure_time": "13:15",
            "follow_up": "2027-01-12 14:00",
            "brace": "yes",
            "blood_thinner_restart": "2027-01-04",
        },
        {"brace": "no", "cause": "trauma", "levels": "T12,L1", "large_print": "yes", "paper": "a4"},
    ],
    ids=["plain", "general-overnight-cancer", "all-optional-inputs", "large-print-a4"],
)
@pytest.mark.parametrize("site", [DEFAULT_SITE, SAMPLE_SITE], ids=["default-site", "sample-site"])
def test_no_english_words_in_a_spanish_document(overrides: dict[str, str], site: SiteSettings) -> None:
    pdf = render(site, language="es", **overrides)
    assert english_words(pdf_text(pdf), site) == set()
    metadata = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert english_words(metadata.title + " " + metadata.subject) == set()


def test_the_leak_check_would_catch_english() -> None:
    assert english_words(render_text(language="en")) >= {"the", "you", "doctor", "friday", "page"}
    assert english_words("Levante 10 lb.") == set()
    assert english_words("Levante 10 libras (lb).") == {"lb"}


# -- the page frame, optional inputs, clock times ---------------------------------------------------------


@pytest.mark.parametrize("large_print", ["no", "yes"])
def test_every_page_has_spanish_header_and_footer(large_print: str) -> None:
    pdf = render(SAMPLE_SITE, language="es", large_print=large_print, levels="T11-L1", cause="osteoporosis")
    texts = pages(pdf)
    assert len(texts) > 1
    for number, page in enumerate(texts, start=1):
        assert "Paciente: Ana Diaz" in page
        assert "Fecha de nacimiento: 6 de mayo de 1944" in page
        assert "Número de expediente médico: MRN-1001" in page
        assert f"Página {number} de {len(texts)}" in page
        assert "Versión del texto 2026.11-1, revisado el 20 de noviembre de 2026" in page
        assert "Riverside Spine Center" in page


def test_clock_times_read_as_spanish_and_end_sentences_once() -> None:
    text = render_text(
        language="es", anesthesia="general", procedure_time="13:15", follow_up="2027-01-12 14:00"
    )
    assert "No maneje hasta la 1:15 p.m. del domingo 3 de enero" in text
    assert "Un adulto se queda con usted hasta la 1:15 p.m. del sábado 2 de enero." in text
    assert "Próxima cita: martes 12 de enero a las 2:00 p.m." in text
    assert "p.m.." not in text and "a.m.." not in text
    morning = render_text(language="es", anesthesia="sedation", procedure_time="09:30")
    assert "hasta las 9:30 a.m. del sábado 2 de enero" in morning


def test_optional_inputs_in_spanish() -> None:
    text = render_text(
        language="es", brace="yes", blood_thinner_restart="2027-01-04", follow_up="2027-01-11 10:00"
    )
    assert "Use su corsé o soporte para la espalda como le indicó su médico" in text
    assert "Tengo mi corsé o soporte y sé cómo ponérmelo" in text
    assert "Vuelva a tomar su medicina contra los coágulos el lunes 4 de enero" in text
    assert "Próxima cita: lunes 11 de enero a las 10:00 a.m." in text
    assert "Sé cuándo es mi próxima cita." in text
    # No brace: the second edition prints no brace line at all (lines only where they apply).
    assert "corsé" not in render_text(language="es", brace="no")
    unknown = render_text(language="es")
    assert "Use un corsé o soporte para la espalda solo si su médico se lo recetó" in unknown
    assert "pregunte a la clínica de columna antes de volver a tomarla" in unknown
    assert "Clínica: ______________" in unknown


def test_signature_labels_are_spanish() -> None:
    text = render_text(language="es")
    for label in ("Paciente o cuidador", "Enfermera o enfermero", "Fecha"):
        assert label in text


@pytest.mark.parametrize("spelling", ["es", "spa", "Spanish", "Español", "ES-US"])
def test_language_spellings_give_the_spanish_document(spelling: str) -> None:
    assert build_case(fields(language=spelling)).language == "es"
    assert "En casa después de su cifoplastia" in render_text(language=spelling)


# -- (c) determinism and the declared language ------------------------------------------------------------


def test_spanish_pdf_is_deterministic_and_declares_es_us() -> None:
    first = render(language="es", cause="osteoporosis")
    assert first == render(language="es", cause="osteoporosis")
    reader = pypdf.PdfReader(io.BytesIO(first))
    assert reader.trailer["/Root"]["/Lang"] == "es-US"
    assert reader.metadata.title == "Volver a casa después de su procedimiento de columna"
    assert "Ana" not in (reader.metadata.title + reader.metadata.subject)
