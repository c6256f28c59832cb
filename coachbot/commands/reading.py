"""How the free-question commands read a question: as the retriever compares it
(folded, shorthand spelled out, typos corrected), and whether it names a subject other
than pay."""

from __future__ import annotations

from coachbot.knowledge.slots import question_words
from coachbot.services import Context


def read(ctx: Context, question: str) -> str:
    """The question as every reader compares it: folded, shorthand spelled out, typos
    corrected against the base and the phrases of questions.toml ("lyonn" → lyon)."""
    return ctx.services.retriever.read(question).folded


def elsewhere(ctx: Context, question: str) -> bool:
    """Whether the question names a subject other than pay and experience."""
    return ctx.services.retriever.names_other_subject(question, question_words().salary)
