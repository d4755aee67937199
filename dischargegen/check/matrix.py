"""The variants `dischargegen check` renders: every procedure, anesthesia, stay, cause, level count and
language, each with and without large print.

The optional inputs are not a dimension of their own, so both sides of every optional-input condition in
the templates are rendered somewhere in the matrix without multiplying its size: the procedure time,
appointment, brace and blood-thinner date follow the level count (`OPTIONAL_INPUTS`), whether the patient
takes a blood thinner follows the anesthesia (`BLOOD_THINNER`) and whether physical therapy was ordered the
cause (`PHYSICAL_THERAPY`). Each value of each therefore meets every language, both print sizes, and the
other optional inputs.

The matrix never shows every optional line at once, so each language adds one more variant, its id ending
in "-tallest" (`TALLEST`): the tallest document the inputs allow. Every optional line of the templates
(each optional item of "Before you leave", each optional sentence), taking the longer side of each either-or
(no appointment: "call to set up a visit"), with the longest legal values: every level from T1 to L5, a
patient name and an MRN at their length limits. Whether it fits its page budget, and whether the receipt
and the 911 box still fit on one page, is then checked like every other variant; the site's own settings
(its phones, emergency number, limits) make it as tall as they make any document.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from .. import vocab
from ..case import MAX_MRN_LENGTH, MAX_NAME_LENGTH, Case
from ..levels import SPINE

STAYS = (False, True)  # same day, overnight
CAUSES: tuple[str | None, ...] = (*vocab.CAUSES, None)
LEVELS = {1: ("L1",), 2: ("T12", "L1"), 3: ("T11", "T12", "L1")}
# A Friday, so weekday names in the output are easy to check by eye; fixed, so every run prints the same.
PROCEDURE_DATE = dt.date(2027, 1, 1)


@dataclass(frozen=True)
class OptionalInputs:
    procedure_time: dt.time | None = None
    follow_up: dt.datetime | None = None
    brace: bool | None = None
    blood_thinner_restart: dt.date | None = None


OPTIONAL_INPUTS = {
    1: OptionalInputs(),
    # 1:15 PM: a one-o'clock time (Spanish "a la 1:15") and limits that end mid-afternoon.
    2: OptionalInputs(
        procedure_time=dt.time(13, 15),
        follow_up=dt.datetime(2027, 1, 12, 13, 30),
        brace=True,
        blood_thinner_restart=dt.date(2027, 1, 4),
    ),
    3: OptionalInputs(procedure_time=dt.time(9, 30), brace=False),
}
# Takes a blood thinner (True), takes none (False), not stated (None). Beside a restart date (2 levels)
# "takes none" would contradict it (build_case refuses the pair): those variants leave it not stated.
BLOOD_THINNER: dict[str, bool | None] = {"local": True, "sedation": False, "general": None}
# Ordered (True), not ordered (False), not stated (None).
PHYSICAL_THERAPY: dict[str | None, bool | None] = {
    "osteoporosis": True,
    "cancer": False,
    "trauma": True,
    None: None,
}
OPTIONAL_INPUTS_NOTE = (
    "Optional inputs follow the level count: 1 level: none; 2 levels: procedure time 1:15 PM, appointment, "
    "brace, blood-thinner restart date; 3 levels: procedure time 9:30 AM, no brace needed. "
    "A blood thinner follows the anesthesia: local: takes one; sedation: takes none (not stated beside a "
    "restart date); general: not stated. Physical therapy follows the cause: osteoporosis, trauma: ordered; "
    "cancer: not ordered; no cause: not stated."
)


# The tallest variant (see the module docstring): kyphoplasty (its longer "what was done"), general
# anesthesia and a night in hospital (the adult stays past discharge: its checklist item and the "times
# count from your procedure" sentence), osteoporosis (its picture) with physical therapy ordered, a brace,
# a blood thinner with its restart date, a procedure time ("12:45 PM", the longest clock), no appointment.
TALLEST_INPUTS = OptionalInputs(
    procedure_time=dt.time(12, 45),
    follow_up=None,
    brace=True,
    blood_thinner_restart=dt.date(2027, 1, 4),
)
TALLEST_LEVELS = SPINE  # every level the tool treats, T1 to L5
# Names and MRNs at their length limits, in words no check flags (no abbreviation, no common English word).
TALLEST_NAME = ("Maximiliana Wolfeschlegelsteinhausen-Bergerdorff " * 2)[:MAX_NAME_LENGTH].strip()
TALLEST_MRN = ("CHECK-" + "0123456789" * 7)[:MAX_MRN_LENGTH]
TALLEST = "tallest"
TALLEST_NOTE = (
    "Each language adds a tallest variant (id ending in -tallest): every optional line at once, no "
    "appointment, every level T1 to L5, the longest patient name and MRN."
)


def blood_thinner(anesthesia: str, restart: dt.date | None) -> bool | None:
    takes = BLOOD_THINNER[anesthesia]
    return None if takes is False and restart is not None else takes


@dataclass(frozen=True)
class Variant:
    """One combination of inputs that changes the words; large print is rendered for each, separately."""

    procedure: str
    anesthesia: str
    overnight: bool
    cause: str | None
    level_count: int
    language: str
    tallest: bool = False  # the tallest document the inputs allow (TALLEST_INPUTS), not a matrix cell

    @property
    def id(self) -> str:
        stay = "overnight" if self.overnight else "same_day"
        levels = f"{self.level_count}level" + ("s" if self.level_count > 1 else "")
        parts = (self.procedure, self.anesthesia, stay, self.cause or "no_cause", levels, self.language)
        return "-".join((*parts, TALLEST) if self.tallest else parts)

    def case(self, large_print: bool) -> Case:
        takes: bool | None
        therapy: bool | None
        if self.tallest:
            optional, levels = TALLEST_INPUTS, TALLEST_LEVELS
            name, mrn, takes, therapy = TALLEST_NAME, TALLEST_MRN, True, True
        else:
            optional, levels = OPTIONAL_INPUTS[self.level_count], LEVELS[self.level_count]
            name, mrn = "Pat Sample", "CHECK-0001"
            takes = blood_thinner(self.anesthesia, optional.blood_thinner_restart)
            therapy = PHYSICAL_THERAPY[self.cause]
        return Case(
            patient_name=name,
            mrn=mrn,
            dob=dt.date(1944, 5, 6),
            procedure=self.procedure,
            levels=levels,
            anesthesia=self.anesthesia,
            overnight=self.overnight,
            procedure_date=PROCEDURE_DATE,
            procedure_time=optional.procedure_time,
            cause=self.cause,
            follow_up=optional.follow_up,
            brace=optional.brace,
            blood_thinner_restart=optional.blood_thinner_restart,
            blood_thinner=takes,
            physical_therapy=therapy,
            large_print=large_print,
            language=self.language,
        )


def all_variants(languages: Iterable[str] = vocab.DEFAULT_ENABLED_LANGUAGES) -> list[Variant]:
    """The matrix in `languages` (by default the ones a site enables unless it says otherwise; `check`
    passes the site's, or all with --all-languages): grouped by language (in vocab.LANGUAGES order), then
    in the order of the other inputs, each language's tallest variant last."""
    wanted = [code for code in vocab.LANGUAGES if code in set(languages)]
    return [
        variant
        for language in wanted
        for variant in [
            *(
                Variant(procedure, anesthesia, overnight, cause, count, language)
                for procedure, anesthesia, overnight, cause, count in itertools.product(
                    vocab.PROCEDURES, vocab.ANESTHESIA, STAYS, CAUSES, LEVELS
                )
            ),
            tallest_variant(language),
        ]
    ]


def tallest_variant(language: str) -> Variant:
    """The language's tallest variant (TALLEST_INPUTS; see the module docstring)."""
    return Variant(
        "kyphoplasty", "general", True, "osteoporosis", len(TALLEST_LEVELS), language, tallest=True
    )


def select(variants: Iterable[Variant], patterns: Iterable[str]) -> list[Variant]:
    """The variants whose id matches any of the shell-style patterns ("kyphoplasty-*-es"); all when none."""
    wanted = list(patterns)
    if not wanted:
        return list(variants)
    return [v for v in variants if any(fnmatch.fnmatchcase(v.id, pattern) for pattern in wanted)]
