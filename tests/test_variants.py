"""Every combination of procedure, anesthesia, stay, cause and level count, read back from the PDF:
what must be there and what must not. The procedure is on Friday, January 1, 2027."""

from __future__ import annotations

import functools
import itertools

import pytest

from dischargegen import build_case
from dischargegen.check.readability import document_text, score
from dischargegen.content import render_content
from dischargegen.site import DEFAULT_SITE
from tests.helpers import fields, render_text

PROCEDURES = ("kyphoplasty", "vertebroplasty")
ANESTHESIA = ("local", "sedation", "general")
STAYS = ("overnight", "same-day")
CAUSES = ("osteoporosis", "cancer", "trauma", None)
LEVELS = {1: "L1", 2: "T12,L1", 3: "T11-L1"}
VARIANTS = list(itertools.product(PROCEDURES, ANESTHESIA, STAYS, CAUSES, LEVELS))


def variant_fields(
    procedure: str, anesthesia: str, stay: str, cause: str | None, count: int
) -> dict[str, str | None]:
    return fields(
        procedure=procedure,
        anesthesia=anesthesia,
        overnight="yes" if stay == "overnight" else "no",
        cause=cause,
        levels=LEVELS[count],
    )


@functools.cache
def text_of(variant: tuple[str, str, str, str | None, int]) -> str:
    return render_text(**variant_fields(*variant))


def variant_id(variant: tuple[str, str, str, str | None, int]) -> str:
    procedure, anesthesia, stay, cause, count = variant
    return f"{procedure}-{anesthesia}-{stay}-{cause or 'no_cause'}-{count}level"


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
def test_variant_says_what_it_must(variant: tuple[str, str, str, str | None, int]) -> None:
    procedure, anesthesia, stay, cause, count = variant
    text = text_of(variant)

    def present(phrase: str) -> None:
        assert phrase in text, f"missing: {phrase!r}"

    def absent(phrase: str) -> None:
        assert phrase not in text, f"should not say: {phrase!r}"

    # Procedure: balloon or not.
    present(f"Going home after your {procedure}")
    if procedure == "kyphoplasty":
        present("A small balloon went in through the needle")
        absent("No balloon was used")
    else:
        present("No balloon was used")
        absent("A small balloon went in")

    # Levels in words, needle sites, soreness, bone-health stress.
    present(
        {
            1: "The broken bone was L1 (lower back)",
            2: "T12 (mid-back) and L1 (lower back)",
            3: "T11 and T12 (mid-back) and L1 (lower back)",
        }[count]
    )
    present("vertebra, a bone of your spine")
    if count == 1:
        present("You have 1 or 2 small needle spots on your back.")
        absent("more sore")
    else:
        present(f"That is up to {2 * count} spots in all")
        present("you may be more sore, and healing may take longer")
    if count >= 3:
        present("your risk of a new break is higher")
    else:
        absent("your risk of a new break is higher")

    # Anesthesia: everyone is driven home; the 24-hour rules only after sedation or general.
    present("Someone else must drive you home")
    if anesthesia == "local":
        absent("An adult must stay with you")
        absent("Sign legal papers")
        present("Do not drive until Saturday, January 2")
    else:
        present("An adult must stay with you until Saturday, January 2")
        present("Drink alcohol")
        present("Use machines or power tools")
        present("Sign legal papers or make big choices")
    if anesthesia == "general":
        present("Your throat may be sore")
        present("You may still feel sleepy today")
        present("Do not drive until Sunday, January 3")
    else:
        absent("Your throat may be sore")
    if anesthesia == "sedation":
        present("Do not drive until Saturday, January 2")
    present("Never drive while you take opioid pain medicine or muscle relaxants")

    # Stay.
    if stay == "overnight":
        present("You stayed in the hospital one night. You are going home on Saturday, January 2.")
        absent("You are going home today")
        if anesthesia != "local":
            present("This time counts from your procedure, not from when you leave")
    else:
        present("You are going home today, Friday, January 1")
        absent("You stayed in the hospital one night")
        if anesthesia == "local":
            present("Have an adult nearby tonight")

    # Cause.
    osteoporosis = ("bone density test", "calcium and vitamin D", "1 in 5", "osteoporosis medicine")
    for phrase in osteoporosis:
        (present if cause == "osteoporosis" else absent)(phrase)
    for phrase in ("Keep all your visits with your cancer team", "radiation"):
        (present if cause == "cancer" else absent)(phrase)

    # Calendar dates, never durations: activity 42 days, soaking 14 days, dressing 48 hours, visit 10-14 days.
    present("Do not lift more than 10 pounds (4.5 kg)")
    present("until Friday, February 12")
    present("Do not soak in a bathtub, swim or use a hot tub until Friday, January 15")
    present("Keep the bandage clean and dry until Sunday, January 3")
    present("Call the clinic to set up a visit between Monday, January 11 and Friday, January 15")
    for duration in ("weeks", "24 hours", "48 hours", "6 weeks", "days after"):
        absent(duration)

    # Safety sections.
    present("A fever of 100.4 F (38 C) or higher")
    present("Call 911 right away")
    for sign in (
        "Chest pain",
        "Trouble breathing",
        "Coughing up blood",
        "Loss of bladder or bowel control",
        "Fainting",
    ):
        present(sign)
    present("Before you leave: check each box")
    present("I received and understood these instructions")
    for abbreviation in DEFAULT_SITE.content.forbidden_abbreviations:
        assert f" {abbreviation} " not in f" {text} ", abbreviation


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
def test_variant_reading_level(
    variant: tuple[str, str, str, str | None, int], capsys: pytest.CaptureFixture[str]
) -> None:
    content = render_content(build_case(variant_fields(*variant)), DEFAULT_SITE)
    result = score(document_text(content), "en")
    with capsys.disabled():
        print(f"\n  {variant_id(variant):50s} Flesch-Kincaid grade {result.value:5.2f}", end="")
    assert result.passes, f"{variant_id(variant)}: grade {result.value} is above 7.0"
