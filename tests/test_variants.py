"""Every combination of procedure, anesthesia, stay, cause and level count, in every language, read back from
the PDF: what must be there and what must not. The procedure is on Friday, January 1, 2027.

The clinical rules are written once, in `test_variant_says_what_it_must`; what each rule says in each
language is in PHRASES. A rule that changes changes in one place; a new language adds one entry to PHRASES."""

from __future__ import annotations

import dataclasses
import functools

import pytest

from dischargegen import build_case
from dischargegen.check.readability import document_text, score
from dischargegen.content import render_content
from dischargegen.site import DEFAULT_SITE
from tests.helpers import LANGUAGES, VARIANTS, Variant, render_text, variant_fields, variant_id


@dataclasses.dataclass(frozen=True)
class Said:
    """A phrase the document says when its rule applies; when the rule does not apply, `trace` (a part of
    the phrase that marks the rule; the whole phrase unless given) must appear nowhere in the document."""

    phrase: str
    trace: str = ""

    @property
    def marker(self) -> str:
        return self.trace or self.phrase


@dataclasses.dataclass(frozen=True)
class Phrases:
    """What each clinical rule says in one language. Fields that are plain strings or tuples of them are
    said when their rule applies and not checked otherwise; `Said` fields are also checked for absence;
    `never` lists words that must not appear in any variant."""

    procedure_names: dict[str, str]
    # Templates with {name}: the procedure's name in this language.
    named_procedure: tuple[str, ...]
    balloon: Said  # kyphoplasty
    no_balloon: Said  # vertebroplasty
    level_words: dict[int, str]
    vertebra: str
    one_level_spots: str
    # Template with {spots}: twice the number of levels treated.
    several_levels_spots: str
    more_sore: Said  # two levels or more
    new_break_risk: Said  # three levels or more
    driven_home: str
    # After local anesthesia: driving from the next day, as after sedation.
    drive_from_saturday: str
    adult_stays: Said  # sedation or general
    legal_papers: Said  # sedation or general
    after_sedation: tuple[str, ...]
    sore_throat: Said  # general
    general_effects: tuple[str, ...]
    drive_from_sunday: str
    never_drive_on_opioids: str
    stayed_overnight: Said
    going_home_today: Said  # same day
    counts_from_procedure: str  # overnight, after sedation or general
    adult_nearby_tonight: str  # same day, local anesthesia
    osteoporosis: tuple[Said, ...]
    cancer: tuple[Said, ...]
    calendar_dates: tuple[str, ...]
    # Calendar dates, never durations: activity 42 days, soaking 14 days, dressing 48 hours, visit 10-14 days.
    never: tuple[str, ...]
    danger_signs: tuple[str, ...]
    checklist: tuple[str, ...]


PHRASES: dict[str, Phrases] = {
    "en": Phrases(
        procedure_names={"kyphoplasty": "kyphoplasty", "vertebroplasty": "vertebroplasty"},
        named_procedure=("Going home after your {name}",),
        balloon=Said("A small balloon went in through the needle", "A small balloon went in"),
        no_balloon=Said("No balloon was used"),
        level_words={
            1: "The broken bone was L1 (lower back)",
            2: "T12 (mid-back) and L1 (lower back)",
            3: "T11 and T12 (mid-back) and L1 (lower back)",
        },
        vertebra="vertebra, a bone of your spine",
        one_level_spots="You have 1 or 2 small needle spots on your back.",
        several_levels_spots="That is up to {spots} spots in all",
        more_sore=Said("you may be more sore, and healing may take longer", "more sore"),
        new_break_risk=Said("your risk of a new break is higher"),
        driven_home="Someone else must drive you home",
        drive_from_saturday="Do not drive until Saturday, January 2",
        adult_stays=Said(
            "An adult must stay with you until Saturday, January 2", "An adult must stay with you"
        ),
        legal_papers=Said("Sign legal papers or make big choices", "Sign legal papers"),
        after_sedation=("Drink alcohol", "Use machines or power tools"),
        sore_throat=Said("Your throat may be sore"),
        general_effects=("You may still feel sleepy today",),
        drive_from_sunday="Do not drive until Sunday, January 3",
        never_drive_on_opioids="Never drive while you take opioid pain medicine or muscle relaxants",
        stayed_overnight=Said(
            "You stayed in the hospital one night. You are going home on Saturday, January 2.",
            "You stayed in the hospital one night",
        ),
        going_home_today=Said("You are going home today, Friday, January 1", "You are going home today"),
        counts_from_procedure="This time counts from your procedure, not from when you leave",
        adult_nearby_tonight="Have an adult nearby tonight",
        osteoporosis=(
            Said("bone density test"),
            Said("calcium and vitamin D"),
            Said("1 in 5"),
            Said("osteoporosis medicine"),
        ),
        cancer=(Said("Keep all your visits with your cancer team"), Said("radiation")),
        calendar_dates=(
            "Do not lift more than 10 pounds (4.5 kg)",
            "until Friday, February 12",
            "Do not soak in a bathtub, swim or use a hot tub until Friday, January 15",
            "Keep the bandage clean and dry until Sunday, January 3",
            "Call the clinic to set up a visit between Monday, January 11 and Friday, January 15",
        ),
        never=("weeks", "24 hours", "48 hours", "6 weeks", "days after"),
        danger_signs=(
            "A fever of 100.4 F (38 C) or higher",
            "Call 911 right away",
            "Chest pain",
            "Trouble breathing",
            "Coughing up blood",
            "Loss of bladder or bowel control",
            "Fainting",
        ),
        checklist=("Before you leave: check each box", "I received and understood these instructions"),
    ),
    "es": Phrases(
        procedure_names={"kyphoplasty": "cifoplastia", "vertebroplasty": "vertebroplastia"},
        named_procedure=("Volver a casa después de su {name}", "usted tuvo una {name}"),
        balloon=Said("Un globo pequeño entró por la aguja", "Un globo pequeño"),
        no_balloon=Said("No se usó un globo"),
        level_words={
            1: "El hueso tratado fue L1 (parte baja de la espalda)",
            2: "T12 (parte media de la espalda) y L1 (parte baja de la espalda)",
            3: "T11 y T12 (parte media de la espalda) y L1 (parte baja de la espalda)",
        },
        vertebra="vértebra rota, un hueso de la columna",
        one_level_spots="Tiene 1 o 2 pinchazos pequeños de la aguja en la espalda.",
        several_levels_spots="Son hasta {spots} pinchazos en total",
        more_sore=Said("puede tener más dolor y tardar más en sanar", "puede tener más dolor"),
        new_break_risk=Said("tiene más riesgo de una nueva fractura"),
        driven_home="Para volver a casa, otra persona debe manejar",
        drive_from_saturday="No maneje hasta el sábado, 2 de enero",
        adult_stays=Said(
            "Un adulto debe quedarse con usted hasta el sábado, 2 de enero",
            "Un adulto debe quedarse con usted",
        ),
        legal_papers=Said("Firmar papeles legales ni tomar decisiones importantes", "Firmar papeles legales"),
        after_sedation=("Tomar alcohol", "Usar máquinas ni herramientas eléctricas"),
        sore_throat=Said("Puede que le duela la garganta", "le duela la garganta"),
        general_effects=("Puede que hoy todavía tenga sueño",),
        drive_from_sunday="No maneje hasta el domingo, 3 de enero",
        never_drive_on_opioids="Nunca maneje mientras tome opioides para el dolor o relajantes para los músculos",
        stayed_overnight=Said(
            "Usted pasó una noche en el hospital. Se va a casa el sábado, 2 de enero.",
            "pasó una noche en el hospital",
        ),
        going_home_today=Said("Usted se va a casa hoy, viernes, 1 de enero", "Se va a casa hoy"),
        counts_from_procedure="Este tiempo se cuenta desde su procedimiento",
        adult_nearby_tonight="Esta noche, tenga a un adulto cerca",
        osteoporosis=(
            Said("densidad de los huesos"),
            Said("calcio y vitamina D"),
            Said("1 de cada 5"),
            Said("medicina para la osteoporosis"),
        ),
        cancer=(Said("Vaya a todas sus citas con su equipo del cáncer"), Said("radiación")),
        calendar_dates=(
            "No levante más de 10 libras (4.5 kg)",
            "hasta el viernes, 12 de febrero",
            "no se meta en un jacuzzi hasta el viernes, 15 de enero",
            "Mantenga el vendaje limpio y seco hasta el domingo, 3 de enero",
            "Llame a la clínica para hacer una cita entre el lunes, 11 de enero y el viernes, 15 de enero",
        ),
        never=("semanas", "24 horas", "48 horas", "días después"),
        danger_signs=(
            "Fiebre de 100.4 °F (38 °C) o más",
            "Llame al 911 enseguida",
            "Dolor de pecho",
            "Le cuesta respirar",
            "Tos con sangre",
            "No puede controlar la orina",
            "Desmayo",
        ),
        checklist=("Antes de irse: marque cada casilla", "Recibí estas instrucciones y las entendí"),
    ),
}


def test_every_language_has_its_phrases() -> None:
    assert set(PHRASES) == set(LANGUAGES)


@functools.cache
def text_of(variant: Variant, language: str) -> str:
    return render_text(**variant_fields(variant, language))


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_variant_says_what_it_must(language: str, variant: Variant) -> None:
    procedure, anesthesia, stay, cause, count = variant
    text = text_of(variant, language)
    say = PHRASES[language]

    def present(phrase: str) -> None:
        assert phrase in text, f"missing: {phrase!r}"

    def absent(phrase: str) -> None:
        assert phrase not in text, f"should not say: {phrase!r}"

    def rule(said: Said, applies: bool) -> None:
        if applies:
            present(said.phrase)
        else:
            absent(said.marker)

    # Procedure: balloon or not.
    for template in say.named_procedure:
        present(template.format(name=say.procedure_names[procedure]))
    rule(say.balloon, procedure == "kyphoplasty")
    rule(say.no_balloon, procedure == "vertebroplasty")

    # Levels in words, needle sites, soreness, bone-health stress.
    present(say.level_words[count])
    present(say.vertebra)
    if count == 1:
        present(say.one_level_spots)
    else:
        present(say.several_levels_spots.format(spots=2 * count))
    rule(say.more_sore, count > 1)
    rule(say.new_break_risk, count >= 3)

    # Anesthesia: everyone is driven home; the 24-hour rules only after sedation or general.
    present(say.driven_home)
    rule(say.adult_stays, anesthesia != "local")
    rule(say.legal_papers, anesthesia != "local")
    if anesthesia != "local":
        for phrase in say.after_sedation:
            present(phrase)
    if anesthesia in ("local", "sedation"):
        present(say.drive_from_saturday)
    rule(say.sore_throat, anesthesia == "general")
    if anesthesia == "general":
        for phrase in say.general_effects:
            present(phrase)
        present(say.drive_from_sunday)
    present(say.never_drive_on_opioids)

    # Stay.
    rule(say.stayed_overnight, stay == "overnight")
    rule(say.going_home_today, stay == "same-day")
    if stay == "overnight" and anesthesia != "local":
        present(say.counts_from_procedure)
    if stay == "same-day" and anesthesia == "local":
        present(say.adult_nearby_tonight)

    # Cause.
    for said in say.osteoporosis:
        rule(said, cause == "osteoporosis")
    for said in say.cancer:
        rule(said, cause == "cancer")

    # Calendar dates, never durations.
    for phrase in say.calendar_dates:
        present(phrase)
    for duration in say.never:
        absent(duration)

    # Safety sections.
    for phrase in say.danger_signs + say.checklist:
        present(phrase)
    for abbreviation in DEFAULT_SITE.content.forbidden_abbreviations:
        assert f" {abbreviation} " not in f" {text} ", abbreviation


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_variant_reading_level(language: str, variant: Variant) -> None:
    # Quiet: `dischargegen check` reports the scores; the test names only a variant that fails.
    content = render_content(build_case(variant_fields(variant, language)), DEFAULT_SITE)
    result = score(document_text(content), language)
    assert result.passes, (
        f"{language} {variant_id(variant)}: {result.measure} {result.value} is out of bounds"
    )
