"""Free questions answered: in the question's language, with the data's answer when the
question names values (a city, a level, an hour), else the section that answers best,
and continued by follow-ups ("et à Lyon ?", "why?") for a few minutes.

This module holds the commands and the routing of a question to its kind of answer; the
values' answers are in ``slot_answers``, the choice of section and its lead in
``passages``."""

from __future__ import annotations

from dataclasses import replace

from coachbot.commands.cto import MORE_ACTION
from coachbot.commands.passages import (
    holding_the_fact_asked,
    other_side,
    outline,
    pick,
    second_ask,
    what_the_job_is,
    with_lead,
    with_second_answer,
)
from coachbot.commands.reading import elsewhere, read
from coachbot.commands.section_replies import section_reply
from coachbot.commands.slot_answers import day, salary, whole_day
from coachbot.errors import BadInput
from coachbot.i18n import Lang, Localized
from coachbot.knowledge.followups import ConversationKey, Turn
from coachbot.knowledge.language import detect
from coachbot.knowledge.models import Section
from coachbot.knowledge.retrieval import DOMAIN_STOPWORDS, WORD, Hit
from coachbot.knowledge.slots import QuestionWords, Slots, question_words
from coachbot.markup import escape
from coachbot.registry import Option, action, command
from coachbot.reply import Items, Reply, Text, Tone
from coachbot.services import Context

# A second section is offered as a follow-up when it scores at least this share of the best.
NEXT_SHARE = 0.6
OUT_OF_SCOPE = Localized(
    "Je ne connais que le métier de CTO. Essayez par exemple :",
    "I only know the CTO role. Try for instance:",
)
WELCOME = Localized(
    "Bonjour ! Posez-moi une question sur le métier de CTO, par exemple « {0} » ou « {1} ».",
    "Hello! Ask me anything about the CTO job, for instance “{0}” or “{1}”.",
)


async def answer(ctx: Context, question: str) -> Reply:
    """The reply to a free question, remembered so that a follow-up can continue it."""
    words, folded = question_words(), read(ctx, question)
    key = ConversationKey(ctx.person, ctx.channel)
    previous = ctx.services.conversations.last(key)
    greeting = words.greeting(folded)
    ctx = replace(ctx, lang=_language(ctx, question, previous, greeting))
    if greeting:
        return _welcome(words, ctx.lang)
    names_job = bool(DOMAIN_STOPWORDS & set(WORD.findall(folded)))
    if words.out_of_scope(folded, names_job):
        return out_of_scope(words, ctx.lang)
    reply, turn = await _answer(ctx, question, words, folded, previous)
    if turn is not None:
        ctx.services.conversations.remember(key, turn)
    return reply


def _language(ctx: Context, question: str, previous: Turn | None, greeting: Lang | None) -> Lang:
    """The user's choice; else the question's language; else the conversation's; else the
    locale or default the dispatcher found."""
    if ctx.lang_chosen:
        return ctx.lang
    votes = ctx.services.retriever.language_votes(question)
    found = greeting or detect(question, votes)
    return found or (previous.lang if previous else None) or ctx.lang


async def _answer(
    ctx: Context, question: str, words: QuestionWords, folded: str, previous: Turn | None
) -> tuple[Reply, Turn | None]:
    slots = words.read(folded)
    pay = words.asks_salary(folded, elsewhere(ctx, question))
    when = _asked_slots(ctx, question, words) or slots
    if when.hour is not None or (when.part and not pay):
        return day(ctx, when)
    follows_salary = previous is not None and previous.kind == "salary"
    if slots.salary_values and (pay or follows_salary or _place_only(ctx, question, slots)):
        return await salary(ctx, slots, previous if follows_salary else None)
    if previous and previous.next_section and words.asks_more(folded):
        return answer_section(ctx, previous.next_section), None
    reply, turn = _section_answer(ctx, question)
    if turn is None and slots.grid_cell:  # "cto marseille confirmé": nothing but a cell
        return await salary(ctx, slots, None)
    return reply, turn


def _asked_slots(ctx: Context, question: str, words: QuestionWords) -> Slots | None:
    """What the part of a long message that asks names, for the hour of the day: "Good
    morning. [...] Who does a CTO report to?" asks no hour (None: no such part)."""
    asked = ctx.services.retriever.read(question).asked
    return words.read(asked) if asked is not None else None


def _place_only(ctx: Context, question: str, slots: Slots) -> bool:
    """Whether the question names a place and nothing else but the grid's values ("cto
    paris", "cto senior lyon"): a place only ever sorts the salary grid; unless it asks
    for job offers there ("cto jobs in grenoble")."""
    folded = read(ctx, question)
    if slots.place is None or question_words().asks_offers(folded):
        return False
    words = ctx.services.retriever.content_words(question)
    return bool(words) and words <= question_words().value_words(folded)


def _section_answer(ctx: Context, question: str) -> tuple[Reply, Turn | None]:
    """The section that answers best, and the next one offered as a follow-up."""
    retriever = ctx.services.retriever
    found, hits = retriever.answer(question, k=8)
    if found is None:
        return out_of_scope(question_words(), ctx.lang), None
    topic = ctx.services.kb.topics[found.section.topic_id]
    # "quel poste avant ?" asks for one thing even in a topic's own words: not the overview.
    whole = retriever.names_only_topics(question) and not question_words().asks_precise(
        read(ctx, question)
    )
    asks_list = question_words().asks_list(read(ctx, question))
    best = pick(found, hits, asks_list, whole, topic)
    outlined = (whole or asks_list) and best.section.id == topic.sections[0].id
    best = holding_the_fact_asked(ctx, read(ctx, question), best, hits)
    best = what_the_job_is(ctx, read(ctx, question), best)
    second = second_ask(ctx, question, best, hits)
    following = second or _next(best, hits)
    if best.section.topic_id == "day":
        reply = whole_day(ctx, best.section)
    else:
        other = other_side(ctx, read(ctx, question), best)
        reply = with_lead(
            ctx, question, best.section, section_reply(ctx, best.section, following), other
        )
    if outlined and best.section.topic_id != "day":
        reply = outline(reply, best.section, topic, ctx.lang)
    if second is not None and best.section.topic_id != "day":
        reply = with_second_answer(reply, best.section, second, ctx.lang)
    turn = Turn(
        "section",
        ctx.lang,
        section=best.section.key,
        next_section=following.key if following else None,
    )
    return reply, turn


def _next(best: Hit, hits: list[Hit]) -> Section | None:
    """The runner-up worth offering: another section scoring close to the best."""
    return next(
        (
            h.section
            for h in hits
            if h.section.key != best.section.key and h.score >= NEXT_SHARE * best.score
        ),
        None,
    )


async def pressed_more(ctx: Context, key: str) -> Reply:
    """The follow-up button: the section at ``key``, in the conversation's language unless
    the user chose one."""
    previous = ctx.services.conversations.last(ConversationKey(ctx.person, ctx.channel))
    if previous and not await ctx.services.languages.get(ctx.person):
        ctx = replace(ctx, lang=previous.lang)
    return answer_section(ctx, key)


def answer_section(ctx: Context, key: str) -> Reply:
    """The section at ``key`` (topic/section) as an answer, or a clear refusal."""
    section = ctx.services.kb.section(key)
    if section is None:
        raise BadInput(Localized("Cette suite n'existe plus.", "That follow-up no longer exists."))
    return section_reply(ctx, section, None)


def out_of_scope(words: QuestionWords, lang: Lang) -> Reply:
    """ "I only know the CTO role", with three example questions."""
    quoted = Localized("« {0} »", "“{0}”").get(lang)
    return Reply(
        title=Localized("Hors de mon domaine", "Outside what I know").get(lang),
        blocks=(
            Text(OUT_OF_SCOPE.get(lang)),
            Items(tuple(quoted.format(escape(e)) for e in words.examples[lang])),
        ),
        tone=Tone.INFO,
    )


def _welcome(words: QuestionWords, lang: Lang) -> Reply:
    examples = words.examples[lang]
    return Reply(blocks=(Text(WELCOME.get(lang).format(examples[0], examples[1])),))


@command(
    "cto",
    "ask",
    name_fr="demander",
    description=Localized(
        "Posez une question libre sur le métier", "Ask any question about the job"
    ),
    options=[
        Option(
            "question",
            Localized(
                "Votre question, en français ou en anglais", "Your question, in French or English"
            ),
            required=True,
            max_length=300,
            rest=True,
            name_fr="question",
            hint=Localized("texte", "text"),
        )
    ],
)
async def ask(ctx: Context, question: str) -> Reply:
    """The answer to a free question: the data's answer when it names values (a city, an
    hour), else the section that answers best, in the question's language."""
    return await answer(ctx, question)


@action(MORE_ACTION)
async def more(ctx: Context, payload: str) -> Reply:
    """The section offered as a follow-up of an answer (``payload``: its topic/section)."""
    return await pressed_more(ctx, payload)
