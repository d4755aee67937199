"""What `dischargegen check` looks for in a translation: English showing through, message keys without a
counterpart in English (or English keys without one in the translation), and, for a language without a
reading-level formula here, sentences much longer than the English ones.

Sentence length is counted in words (space-separated) for every language but Chinese, which writes no
spaces between words: there it is counted in characters (CJK characters, digits and letters; not
punctuation). Korean separates its words with spaces, so it is counted in words like the others. A
section fails when its sentences average more than twice as long as the same section's in English, in
the same case; for Chinese, the English average is first turned into characters at
ZH_CHARACTERS_PER_ENGLISH_WORD (measured on the shipped texts: docs/languages.md).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

from ..content import MESSAGES_FILE, read_messages_file
from ..content.templating import cached_environment

LENGTH_LIMIT = 2.0  # a section's sentences may average at most this many times the English ones
# Chinese characters (letters and digits included, punctuation not) for one English word of the same
# text: 1.73 to 1.78 over the shipped draft's documents (the whole document, 8 variants; docs/languages.md).
ZH_CHARACTERS_PER_ENGLISH_WORD = 1.75
MIN_SENTENCES = 2  # a section with fewer sentences is measured and shown, not judged (a heading alone)

# Common English words no shipped translation uses as a word of its own: a document that shows one has
# English left in it. Per-language exceptions below. Not here: names (the patient's, the institution's),
# units ("lb", "kg"), drug and brand names (Tylenol), "911", "MRN".
_ENGLISH = """the and you your with call doctor days until page date birth patient pounds
    for are if not take after before when what how this that have will can must home pain back bone
    blood medicine nurse walk drive lift shower fever emergency clinic phone visit
    version reviewed last record number hours weeks week tonight today tomorrow
    monday tuesday wednesday thursday friday saturday sunday january february march april june july
    august september october november december"""
ENGLISH_WORDS = frozenset(_ENGLISH.split())
# Words that are also words of the language: Tagalog "at" (and) is not listed above anyway; Vietnamese has
# "do" (because) and "to" (big), also not listed. Listed words a language really uses go here.
NOT_ENGLISH_IN: dict[str, frozenset[str]] = {}
_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"(?<=[.!?;:\u3002\uff01\uff1f\uff1b\uff1a])\s*")
_ZH_COUNTED = re.compile(r"[\w]", re.UNICODE)


def english_words(text: str, language: str, allowed: Iterable[str] = ()) -> list[str]:
    """The common English words in `text`, in order of appearance (lower case, each once). `allowed`:
    words printed as they came (a name): never reported."""
    skip = NOT_ENGLISH_IN.get(language, frozenset()) | {word.casefold() for word in allowed}
    found: dict[str, None] = {}
    for word in _WORD.findall(text.casefold()):
        if word in ENGLISH_WORDS and word not in skip:
            found[word] = None
    return list(found)


def sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(text) if part.strip()]


def sentence_length(text: str, language: str) -> tuple[float, int]:
    """The average sentence length of `text` (words; characters for Chinese) and the sentence count."""
    parts = sentences(text)
    if not parts:
        return 0.0, 0
    if language == "zh":
        counts = [len(_ZH_COUNTED.findall(part)) for part in parts]
    else:
        counts = [len(_WORD.findall(part)) + len(re.findall(r"\d+", part)) for part in parts]
    return sum(counts) / len(parts), len(parts)


def word_count(text: str, language: str) -> int:
    """How many words `text` has; for Chinese, its characters as English words (ZH_CHARACTERS_PER_...)."""
    if language == "zh":
        return round(len(_ZH_COUNTED.findall(text)) / ZH_CHARACTERS_PER_ENGLISH_WORD)
    return len(text.split())


def length_limit(english_words_per_sentence: float, language: str) -> float:
    """The longest average a section in `language` may have, given the English section's."""
    unit = ZH_CHARACTERS_PER_ENGLISH_WORD if language == "zh" else 1.0
    return LENGTH_LIMIT * english_words_per_sentence * unit


@functools.lru_cache(maxsize=32)
def message_key_problems(language: str, templates_dir: Path | None = None) -> tuple[str, ...]:
    """Each key of the language's messages.toml with no counterpart in English's, and each English key
    the language lacks (text keys, and the keys of its tables); the site's copy where it has one."""
    english, theirs = _keys("en", templates_dir), _keys(language, templates_dir)
    name = MESSAGES_FILE.format(language=language)
    problems = [f"{name} lacks the key {key} that en/messages.toml has" for key in sorted(english - theirs)]
    problems += [
        f"{name} has the key {key} that en/messages.toml does not (a misspelling?)"
        for key in sorted(theirs - english - _OWN_KEYS)
    ]
    return tuple(problems)


# Keys only some languages have: Spanish's one-o'clock form, Haitian Creole's month and weekday names.
_OWN_KEYS = frozenset({"dates.at_one", "calendar", "calendar.months", "calendar.weekdays"})


def _keys(language: str, templates_dir: Path | None) -> set[str]:
    data, _ = read_messages_file(cached_environment(templates_dir, language), language)
    keys = set()
    for key, value in data.items():
        keys.add(key)
        if isinstance(value, dict):
            keys |= {f"{key}.{inner}" for inner in value}
    return keys
