"""The closed vocabularies of a case, and the spellings EHR exports use for them.

The command line offers the canonical names; batch input also accepts the synonyms below. docs/batch.md
("Values batch input accepts") prints the tables, generated from this module by cog (tests/test_docs.py fails
when they are stale).
"""

from __future__ import annotations

from collections.abc import Mapping

PROCEDURES = ("kyphoplasty", "vertebroplasty")
ANESTHESIA = ("local", "sedation", "general")
CAUSES = ("osteoporosis", "cancer", "trauma")
LANGUAGES = ("en", "es", "zh", "vi", "ko", "tl", "ru", "ht")
# The languages a site renders unless its [content] enabled_languages says otherwise: the reviewed ones.
DEFAULT_ENABLED_LANGUAGES = ("en", "es")
# Each language's own name for itself, as `dischargegen languages` and the web form list it.
LANGUAGE_NAMES: Mapping[str, str] = {
    "en": "English",
    "es": "Español (Spanish)",
    "zh": "简体中文 (Chinese, Simplified)",
    "vi": "Tiếng Việt (Vietnamese)",
    "ko": "한국어 (Korean)",
    "tl": "Tagalog (Tagalog/Filipino)",
    "ru": "Русский (Russian)",
    "ht": "Kreyòl ayisyen (Haitian Creole)",
}
PAPER_SIZES = ("letter", "a4")

# CPT: 22510-22512 percutaneous vertebroplasty, 22513-22515 percutaneous vertebral augmentation
# (kyphoplasty). The first code of each group is the first level; the others are add-on levels.
PROCEDURE_SYNONYMS: Mapping[str, str] = {
    "kyphoplasty": "kyphoplasty",
    "balloon kyphoplasty": "kyphoplasty",
    "vertebral augmentation": "kyphoplasty",
    "22513": "kyphoplasty",
    "22514": "kyphoplasty",
    "22515": "kyphoplasty",
    "vertebroplasty": "vertebroplasty",
    "22510": "vertebroplasty",
    "22511": "vertebroplasty",
    "22512": "vertebroplasty",
}

ANESTHESIA_SYNONYMS: Mapping[str, str] = {
    "local": "local",
    "local anesthesia": "local",
    "local anaesthesia": "local",
    "sedation": "sedation",
    "moderate sedation": "sedation",
    "conscious sedation": "sedation",
    "mac": "sedation",
    "monitored anesthesia care": "sedation",
    "general": "general",
    "general anesthesia": "general",
    "general anaesthesia": "general",
    "ga": "general",
}

CAUSE_SYNONYMS: Mapping[str, str] = {
    "osteoporosis": "osteoporosis",
    "osteoporotic": "osteoporosis",
    "cancer": "cancer",
    "malignancy": "cancer",
    "tumor": "cancer",
    "tumour": "cancer",
    "myeloma": "cancer",
    "metastasis": "cancer",
    "trauma": "trauma",
    "injury": "trauma",
    "traumatic": "trauma",
}

LANGUAGE_SYNONYMS: Mapping[str, str] = {
    "en": "en",
    "eng": "en",
    "english": "en",
    "en-us": "en",
    "es": "es",
    "spa": "es",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "es-us": "es",
    "es-mx": "es",
    # Chinese: the document is Simplified Chinese (Mandarin readers and most Chinese readers in the US).
    "zh": "zh",
    "zh-cn": "zh",
    "zh-hans": "zh",
    "zh-hans-cn": "zh",
    "zh-sg": "zh",
    "chi": "zh",
    "zho": "zh",
    "chinese": "zh",
    "mandarin": "zh",
    "chinese (simplified)": "zh",
    "中文": "zh",
    "简体中文": "zh",
    "vi": "vi",
    "vi-vn": "vi",
    "vie": "vi",
    "vietnamese": "vi",
    "tiếng việt": "vi",
    "tieng viet": "vi",
    "ko": "ko",
    "ko-kr": "ko",
    "kor": "ko",
    "korean": "ko",
    "한국어": "ko",
    # Filipino is the standardised form of Tagalog; EHRs use either name and code.
    "tl": "tl",
    "tl-ph": "tl",
    "tgl": "tl",
    "tagalog": "tl",
    "fil": "tl",
    "fil-ph": "tl",
    "filipino": "tl",
    "ru": "ru",
    "ru-ru": "ru",
    "rus": "ru",
    "russian": "ru",
    "русский": "ru",
    "ht": "ht",
    "ht-ht": "ht",
    "hat": "ht",
    "haitian": "ht",
    "haitian creole": "ht",
    "haitian-creole": "ht",
    "kreyòl": "ht",
    "kreyol": "ht",
    "kreyòl ayisyen": "ht",
    "kreyol ayisyen": "ht",
}

PAPER_SYNONYMS: Mapping[str, str] = {"letter": "letter", "us letter": "letter", "a4": "a4"}

TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "on"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "off"})

# Header names EHR exports give a yes/no column, read as the case field when the file has no column of the
# field's own name and [csv.columns] does not map it. Compared as sources.column_key compares headers (case,
# spaces, underscores and hyphens do not count). None is a case field's name or means something else in an
# export: no bare "pt" (patient, in most exports) and no "antiplatelet" (aspirin and clopidogrel are not
# what the document's blood-thinner advice is about).
COLUMN_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "blood_thinner": (
        "blood_thinners",
        "on_blood_thinner",
        "on_blood_thinners",
        "anticoagulant",
        "anticoagulants",
        "anticoagulation",
        "on_anticoagulant",
        "on_anticoagulation",
        "anticoag",
    ),
    "physical_therapy": (
        "physical_therapy_ordered",
        "physical_therapy_referral",
        "pt_ordered",
        "pt_order",
        "pt_referral",
        "physiotherapy",
        "physio",
    ),
}
