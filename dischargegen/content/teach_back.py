"""The teach-back card of the chart copy: questions from templates/en/teach_back.html, each answered by the
blocks of the patient's own rendered document marked with the question's key (`teach="KEY"`).

The card is for the nurse: always in English (its own template), while its answers are the patient's
document's words, in the document's language. A question whose answer the document does not hold is left
out. The shipped templates mark an answer to five questions in every branch (drive, lift, emergency,
shower, visit; blood_thinner only when the document gives the restart advice), so the card always has four
to six; a site's templates that leave fewer than four answered, or more than six, are a ContentError that
names the questions (keys written in the templates, never a value).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..case import Case
from ..errors import ContentError
from ..site import SiteSettings
from . import RenderedContent, build_context, load_messages, without_patient_values
from .blocks import Block, Section
from .markup import parse_document
from .templating import cached_environment, render_bounded, reported_as_failure

CARD_LANGUAGE = "en"  # the nurse's language, whatever the patient's
CARD_TEMPLATE = f"{CARD_LANGUAGE}/teach_back.html"
MIN_QUESTIONS = 4
MAX_QUESTIONS = 6
# Blocks the card's own template may hold: headings, paragraphs and lists (no pictures, signatures or
# page breaks: the card is one page of text and a table).
CARD_BLOCKS = ("h1", "h2", "h3", "p", "bullet", "number", "check")


@dataclass(frozen=True)
class Question:
    key: str  # the teach="KEY" that links the question to its answers
    question: Block
    answers: list[Block]  # the patient's document's marked blocks, in reading order


@dataclass(frozen=True)
class TeachBackCard:
    before: list[Block]  # the card's blocks above the table: the heading and the method
    questions: list[Question]
    after: list[Block]  # any blocks below the table
    messages: dict[str, str]  # the page frame's labels, in the card's language

    def as_content(self) -> RenderedContent:
        """Everything the card prints, as content (the page frame reads its text and labels)."""
        blocks = [
            *self.before,
            *(block for q in self.questions for block in [q.question, *q.answers]),
            *self.after,
        ]
        return RenderedContent([Section("plain", blocks)], self.messages, CARD_LANGUAGE)


def answers_by_key(content: RenderedContent) -> dict[str, list[Block]]:
    """The document's marked blocks, by key, each in reading order."""
    found: dict[str, list[Block]] = {}
    for section in content.sections:
        for block in section.all_blocks():
            if block.teach:
                found.setdefault(block.teach, []).append(block)
    return found


def teach_back_card(case: Case, site: SiteSettings, content: RenderedContent) -> TeachBackCard:
    """The card for the patient whose rendered document is `content`. Raises TemplateFailure for an
    error in the card's template and ContentError for a card outside four to six questions."""
    environment = cached_environment(site.content.templates_dir, CARD_LANGUAGE)
    context = build_context(case, site)
    with reported_as_failure(CARD_TEMPLATE, site.content.templates_dir):
        html = render_bounded(environment.get_template(CARD_TEMPLATE), context)
    try:
        sections = parse_document(html)
    except ContentError as error:
        raise without_patient_values(error, case) from None
    blocks = [block for section in sections for block in section.all_blocks()]
    if any(block.kind not in CARD_BLOCKS for block in blocks):
        raise ContentError(f"{CARD_TEMPLATE} may hold only headings, paragraphs and lists")
    answers = answers_by_key(content)
    asked = [block for block in blocks if block.teach]
    first = blocks.index(asked[0]) if asked else len(blocks)
    before = [block for block in blocks[:first] if not block.teach]
    after = [block for block in blocks[first:] if not block.teach]
    questions = [Question(b.teach, b, answers[b.teach]) for b in asked if b.teach in answers]
    if not MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS:
        unanswered = [b.teach for b in asked if b.teach not in answers]
        raise ContentError(
            f"the teach-back card ({CARD_TEMPLATE}) has {len(questions)} questions answered by the"
            f" {content.language} document; it needs {MIN_QUESTIONS} to {MAX_QUESTIONS}. Mark the sentences"
            f' that answer a question in {content.language}/discharge.html with teach="KEY" on their <p>'
            " or <li>" + (f" (not answered: {', '.join(unanswered)})" if unanswered else "")
        )
    return TeachBackCard(before, questions, after, load_messages(environment, CARD_LANGUAGE))
