"""Every combination of procedure, anesthesia, stay, cause and level count, in every language, read back from
the PDF: what must be there and what must not. The procedure is on Friday, January 1, 2027.

The clinical rules are written once, in `test_variant_says_what_it_must`; what each rule says in each
language is in PHRASES. A rule that changes changes in one place; a new language adds one entry to PHRASES."""

from __future__ import annotations

import dataclasses
import functools
import re

import pytest

from dischargegen import build_case
from dischargegen.check.readability import document_text, score
from dischargegen.content import render_content
from dischargegen.site import DEFAULT_SITE
from tests.helpers import (
    LANGUAGES,
    PHONES_SITE,
    VARIANTS,
    Variant,
    pages,
    render,
    variant_fields,
    variant_id,
)


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
    `never` lists words that must not appear in any variant. The procedure is on Friday, January 1, with no
    clock time, so every 24- and 48-hour limit runs "through" a whole day."""

    procedure_names: dict[str, str]
    # Page 1: templates with {name}, the procedure's name in this language.
    title: str
    main_message: str
    emergency_heading: str
    # Every "Call 911" sign, the leg rule's 911 half first.
    emergency_signs: tuple[str, ...]
    # The spine clinic's signs on page 1, the leg rule's other half among them.
    clinic_signs: tuple[str, ...]
    clinic_phone_labels: tuple[str, str]
    # Page 1 limits without a procedure time (adult stay and driving depend on the anesthesia).
    adult_and_no_driving: str  # sedation: both end together
    adult_stays: Said  # general: the adult stays through Saturday...
    no_driving_saturday: str  # local anesthesia
    no_driving_sunday: str  # general anesthesia (48 hours)
    adult_nearby_tonight: str  # same day, local anesthesia
    page_one_limits: tuple[str, ...]
    page_one_visit: str
    body_start: str  # the first heading after page 1
    # The body.
    balloon: Said  # kyphoplasty
    no_balloon: Said  # vertebroplasty
    level_words: dict[int, str]
    spine_caption: dict[int, str]
    region_label: str  # a word the spine picture draws
    one_level_spots: str
    # Template with {spots}: twice the number of levels treated.
    several_levels_spots: str
    more_sore: Said  # two levels or more
    new_break_risk: Said  # three levels or more
    driven_home: str
    legal_papers: Said  # sedation or general
    sore_throat: Said  # general
    never_drive_on_opioids: str
    stayed_overnight: Said
    going_home_today: Said  # same day
    counts_from_procedure: Said  # overnight, after sedation or general
    reasons: tuple[str, ...]
    osteoporosis: tuple[Said, ...]
    cancer: tuple[Said, ...]
    calendar_dates: tuple[str, ...]
    # Calendar dates, never durations: activity 42 days, soaking 14 days, dressing 48 hours, visit 10-14 days.
    never: tuple[str, ...]
    last_page: tuple[str, ...]


PHRASES: dict[str, Phrases] = {
    "en": Phrases(
        procedure_names={"kyphoplasty": "kyphoplasty", "vertebroplasty": "vertebroplasty"},
        title="Going home after your {name}",
        main_message="Rest, walk a little every day, and protect your back.",
        emergency_heading="Call 911 now for any of these",
        emergency_signs=(
            "New weakness in your legs, or trouble walking",
            "Chest pain, trouble breathing, or coughing up blood",
            "You cannot hold in your urine or stool",
            "Signs of a stroke: a drooping face, a weak arm, or trouble speaking",
            "Fainting (passing out)",
        ),
        clinic_signs=(
            "numbness or tingling in your legs while you walk normally",
            "Call the spine clinic for a fever of 100.4 °F (38 °C) or higher",
            "a red or leaking needle spot",
            "bleeding after 10 minutes of pressure",
            "worse back pain",
            "a rash",
            "throwing up for over a day",
        ),
        clinic_phone_labels=("Spine clinic: (555) 010-2200.", "Nights and weekends: (555) 010-2299."),
        adult_and_no_driving=(
            "Through Saturday, January 2: an adult stays with you. "
            "Do not drive, drink alcohol, use machines or sign legal papers."
        ),
        adult_stays=Said("An adult stays with you through Saturday, January 2.", "An adult stays with you"),
        no_driving_saturday="Do not drive through Saturday, January 2.",
        no_driving_sunday="Do not drive through Sunday, January 3.",
        adult_nearby_tonight="Have an adult nearby tonight.",
        page_one_limits=(
            "Protect your back through Friday, February 12. Lift no more than 10 pounds (4.5 kg). Do not bend or twist.",
            "Keep the bandage dry through Sunday, January 3. No bath, pool or hot tub through Friday, January 15.",
        ),
        page_one_visit=(
            "Call the spine clinic to set up a visit. Ask for a day from Monday, January 11 to Friday, January 15."
        ),
        body_start="What your doctor did",
        balloon=Said("opened a small balloon in the broken bone", "balloon"),
        no_balloon=Said("the doctor filled the broken bone with bone cement"),
        level_words={
            1: "L1 (lower back)",
            2: "T12 (mid-back) and L1 (lower back)",
            3: "T11 and T12 (mid-back) and L1 (lower back)",
        },
        spine_caption={
            1: "Your spine, seen from the back. The dark bone was treated: L1 (lower back).",
            2: "The dark bones were treated: T12 (mid-back) and L1 (lower back).",
            3: "The dark bones were treated: T11 and T12 (mid-back) and L1 (lower back).",
        },
        region_label="Mid-back",
        one_level_spots="You have 1 or 2 small needle spots.",
        several_levels_spots="You have up to {spots} small needle spots, 1 or 2 for each bone.",
        more_sore=Said("With more bones treated, you may be sore for longer.", "sore for longer"),
        new_break_risk=Said("bones treated, your risk", "your risk"),
        driven_home="Someone else must drive you home.",
        legal_papers=Said("legal papers"),
        sore_throat=Said("your throat may be sore"),
        never_drive_on_opioids="Never drive, or drink alcohol, while you take opioid pain pills",
        stayed_overnight=Said("You stayed in the hospital one night."),
        going_home_today=Said("You are going home the same day."),
        counts_from_procedure=Said(
            "The times on page 1 count from your procedure, not from when you leave.",
            "count from your procedure",
        ),
        reasons=(
            "Why: the bones near the treated one are often weak too.",
            "Soaking can let germs in.",
            "they slow the way you react",
            "Too much harms the liver.",
            "No one can know ahead how fast it will be for you.",
            "cement moved to the lungs",
        ),
        osteoporosis=(
            Said("about 1 in 5 people with osteoporosis (thin bones) break another bone in a year", "1 in 5"),
            Said("It lowers the risk, but it cannot undo a break."),
            Said("calcium and vitamin D"),
        ),
        cancer=(Said("the doctors who treat your cancer"), Said("radiation")),
        calendar_dates=(
            "Protect your back through Friday, February 12",
            "No bath, pool or hot tub through Friday, January 15.",
            "Keep the bandage dry through Sunday, January 3, so the spots can close.",
            "After Friday, February 12, slowly go back to your usual activities.",
        ),
        never=("for 6 weeks", "for 2 weeks", "24 hours", "48 hours", "days after", "Sudden", "New numbness"),
        last_page=(
            "Before you leave: check each box",
            "I received and understood these instructions",
            "Nurse Date",
        ),
    ),
    "es": Phrases(
        procedure_names={"kyphoplasty": "cifoplastia", "vertebroplasty": "vertebroplastia"},
        title="En casa después de su {name}",
        main_message="Descanse, camine un poco cada día y cuide su espalda.",
        emergency_heading="Llame al 911 de inmediato si tiene:",
        emergency_signs=(
            "Debilidad en las piernas que no tenía antes",
            "Problemas para caminar, o no puede aguantar la orina o las heces",
            "Dolor de pecho, falta de aire o tos con sangre",
            "Derrame cerebral: cara caída, brazo débil o problemas para hablar",
            "Desmayo (perder el conocimiento)",
        ),
        clinic_signs=(
            "adormecimiento u hormigueo en las piernas si camina normal",
            "Llame a la clínica de columna por fiebre de 100.4 °F (38 °C) o más",
            "un pinchazo rojo o que supura",
            "sangrado tras 10 minutos de presión",
            "más dolor de espalda",
            "sarpullido",
            "vómitos que duren más de un día",
        ),
        clinic_phone_labels=("Clínica: (555) 010-2200.", "Noches y fines de semana: (555) 010-2299."),
        adult_and_no_driving=(
            "Hasta el final del sábado 2 de enero: un adulto se queda con usted; "
            "nada de manejar, alcohol, máquinas ni papeles legales."
        ),
        adult_stays=Said(
            "Un adulto se queda con usted hasta el final del sábado 2 de enero.",
            "Un adulto se queda con usted",
        ),
        no_driving_saturday="No maneje hasta el final del sábado 2 de enero",
        no_driving_sunday="No maneje hasta el final del domingo 3 de enero",
        adult_nearby_tonight="Tenga a un adulto cerca esta noche.",
        page_one_limits=(
            "Cuide su espalda hasta el final del viernes 12 de febrero: no levante más de 10 libras (4.5 kg) y no se doble ni gire.",
            "Vendaje seco hasta el final del domingo 3 de enero. Nada de tina, piscina ni jacuzzi hasta el final del viernes 15 de enero.",
        ),
        page_one_visit="Llame a la clínica y pida una cita entre el lunes 11 de enero y el viernes 15 de enero.",
        body_start="Lo que le hicieron",
        balloon=Said("infló un globo pequeño en el hueso roto", "globo"),
        no_balloon=Said("el médico llenó el hueso roto con cemento para huesos"),
        level_words={
            1: "L1 (parte baja de la espalda)",
            2: "T12 (parte media de la espalda) y L1 (parte baja de la espalda)",
            3: "T11 y T12 (parte media de la espalda) y L1 (parte baja de la espalda)",
        },
        spine_caption={
            1: "Su columna, vista desde atrás. En oscuro, el hueso tratado: L1 (parte baja de la espalda).",
            2: "En oscuro, los huesos tratados: T12 (parte media de la espalda) y L1",
            3: "En oscuro, los huesos tratados: T11 y T12 (parte media de la espalda)",
        },
        region_label="Espalda media",
        one_level_spots="Tiene 1 o 2 pinchazos pequeños de la aguja.",
        several_levels_spots="Tiene hasta {spots} pinchazos pequeños, 1 o 2 por cada hueso.",
        more_sore=Said("Con más de un hueso tratado, el dolor puede durar más.", "el dolor puede durar más"),
        new_break_risk=Said("huesos, su riesgo", "su riesgo"),
        driven_home="Para volver a casa, otra persona debe manejar.",
        legal_papers=Said("papeles legales"),
        sore_throat=Said("dolor de garganta"),
        never_drive_on_opioids="Nunca maneje ni tome alcohol si toma opioides para el dolor",
        stayed_overnight=Said("Pasó una noche en el hospital."),
        going_home_today=Said("Se va a casa el mismo día."),
        counts_from_procedure=Said(
            "Las horas de la página 1 se cuentan desde su procedimiento, no desde que sale del hospital.",
            "se cuentan desde su procedimiento",
        ),
        reasons=(
            "Por qué: los huesos cerca del tratado suelen estar débiles también.",
            "Remojarse puede dejar entrar gérmenes.",
            "le hacen más lento",
            "Demasiado daña el hígado.",
            "Nadie sabe antes qué tan rápido será para usted.",
            "cemento en los pulmones",
        ),
        osteoporosis=(
            Said(
                "más o menos 1 de cada 5 personas con osteoporosis se rompe otro hueso en el año siguiente",
                "1 de cada 5",
            ),
            Said("pero no deshace una fractura"),
            Said(
                "médico de atención primaria (médico de familia), y por una prueba de los huesos",
                "prueba de los huesos",
            ),
        ),
        cancer=(Said("los médicos que le tratan el cáncer"), Said("radiación")),
        calendar_dates=(
            "Cuide su espalda hasta el final del viernes 12 de febrero",
            "Nada de tina, piscina ni jacuzzi hasta el final del viernes 15 de enero.",
            "Mantenga el vendaje seco hasta el final del domingo 3 de enero, para que los pinchazos se cierren.",
            "Después del viernes 12 de febrero, vuelva poco a poco a lo de siempre.",
        ),
        never=(
            "6 semanas",
            "2 semanas",
            "24 horas",
            "48 horas",
            "días después",
            "arregl",
            "apriete",
            "tinte",
            "faja",
            "visita",
        ),
        last_page=(
            "Antes de irse: marque cada casilla",
            "Recibí y entendí estas instrucciones",
            "Enfermera o enfermero Fecha",
        ),
    ),
}


def test_every_language_has_its_phrases() -> None:
    assert set(PHRASES) == set(LANGUAGES)


# "until" straight before a weekday: a limit that reads as ending at the start of that day.
UNTIL_A_DAY = {
    "en": re.compile(r"\buntil (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"),
    "es": re.compile(r"\bhasta el (lunes|martes|miércoles|jueves|viernes|sábado|domingo)\b"),
}


@functools.cache
def pages_of(variant: Variant, language: str) -> tuple[str, ...]:
    return tuple(pages(render(PHONES_SITE, **variant_fields(variant, language))))


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_variant_says_what_it_must(language: str, variant: Variant) -> None:
    procedure, anesthesia, stay, cause, count = variant
    every_page = pages_of(variant, language)
    first, last = every_page[0], every_page[-1]
    text = " ".join(every_page)
    say = PHRASES[language]

    def present(phrase: str, where: str = text) -> None:
        assert phrase in where, f"missing: {phrase!r}"

    def absent(phrase: str, where: str = text) -> None:
        assert phrase not in where, f"should not say: {phrase!r}"

    def rule(said: Said, applies: bool) -> None:
        if applies:
            present(said.phrase)
        else:
            absent(said.marker)

    # Five pages at most; the checklist and signatures alone on the last one.
    assert len(every_page) <= 5, len(every_page)
    for phrase in say.last_page:
        present(phrase, last)
        absent(phrase, " ".join(every_page[:-1]))
    absent(say.body_start, last)

    # Page 1 stands alone: title, main message, the whole 911 box, the spine clinic with both phones, the
    # limits with their ends, the next visit; the explanations start on page 2.
    present(say.title.format(name=say.procedure_names[procedure]), first)
    present(say.main_message, first)
    present(say.emergency_heading, first)
    for phrase in say.emergency_signs + say.clinic_signs + say.clinic_phone_labels:
        present(phrase, first)
    for phrase in say.page_one_limits:
        present(phrase, first)
    present(say.page_one_visit, first)
    absent(say.body_start, first)
    present(say.body_start, every_page[1])

    # The 24-hour limits, by anesthesia, on page 1; the ride home and the drugs that forbid driving after it.
    if anesthesia == "sedation":
        present(say.adult_and_no_driving, first)
    rule(say.adult_stays, anesthesia == "general")
    if anesthesia == "local":
        present(say.no_driving_saturday, first)
    if anesthesia == "general":
        present(say.no_driving_sunday, first)
    if anesthesia == "local" and stay == "same-day":
        present(say.adult_nearby_tonight, first)
    rule(say.legal_papers, anesthesia != "local")
    rule(say.sore_throat, anesthesia == "general")
    present(say.driven_home)
    present(say.never_drive_on_opioids)

    # Procedure: balloon or not; the treated bones, in words and in the picture's caption.
    rule(say.balloon, procedure == "kyphoplasty")
    rule(say.no_balloon, procedure == "vertebroplasty")
    present(say.level_words[count])
    present(say.spine_caption[count])
    present(say.region_label)
    if count == 1:
        present(say.one_level_spots)
    else:
        present(say.several_levels_spots.format(spots=2 * count))
    rule(say.more_sore, count > 1)
    rule(say.new_break_risk, count >= 3 or (cause == "osteoporosis" and count >= 3))

    # Stay.
    rule(say.stayed_overnight, stay == "overnight")
    rule(say.going_home_today, stay == "same-day")
    rule(say.counts_from_procedure, stay == "overnight" and anesthesia != "local")

    # Cause.
    for said in say.osteoporosis:
        rule(said, cause == "osteoporosis")
    for said in say.cancer:
        rule(said, cause == "cancer")

    # Reasons, calendar dates and never durations; no limit ends on a bare day.
    for phrase in say.reasons + say.calendar_dates:
        present(phrase)
    for word in say.never:
        absent(word)
    assert not UNTIL_A_DAY[language].search(text), UNTIL_A_DAY[language].search(text)
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
