"""Which section answers a free question, and what leads its reply: the section holding
the list, the fact or the definition asked, the other side of a comparison, the line
asked for when it lies far down, the answer to a second ask."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from coachbot.commands.reading import elsewhere, read
from coachbot.commands.section_replies import with_context
from coachbot.i18n import Lang, Localized
from coachbot.knowledge.asking import asks
from coachbot.knowledge.facts import format_fact
from coachbot.knowledge.models import KnowledgeBase, Section, Topic
from coachbot.knowledge.retrieval import DOMAIN_STOPWORDS, WORD, Hit, Line
from coachbot.knowledge.slots import question_words
from coachbot.markup import escape
from coachbot.reply import Items, Reply, Text
from coachbot.services import Context

# "digital: e-commerce, media and video games": a bullet naming things, each in a few words.
LIST_SEPARATOR = re.compile(r",| and ")
NAME_WORDS = 4
A_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")
# Sections of the answering topic scoring at least this share of the best may replace it
# when they answer the question's shape better (a list question, an overview).
CLOSE_SHARE = 0.5
# Kinds of fact (facts.toml) a question asking who, how long or how much looks for.
PERSON_KINDS = frozenset({"person"})
DURATION_KINDS = frozenset({"years_range", "years_min"})
FIGURE_KINDS = frozenset(
    {"eur", "eur_k", "eur_k_range", "usd", "usd_range", "percent", "years_range", "years_min"}
)
# A question naming only a subject ("missions du CTO ?") whose topic has this many sections
# scoring within this share of the best is about the whole topic: its opening answers.
TOPIC_LEVEL_SHARE = 0.9
TOPIC_LEVEL_SECTIONS = 4
# A matching line further into a section than this is quoted first, so what was asked
# for (a name, a figure, a degree) is in the answer's first lines.
LEAD_OFFSET = 280
# Where a sentence ends: a full stop, question or exclamation mark before a space.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def pick(found: Hit, hits: list[Hit], asks_list: bool, whole_topic: bool, topic: Topic) -> Hit:
    """The section to print: the best one; for a list question, the section of the same
    topic, scoring close, that holds the longest list (the four kinds, not one of them);
    for a question on the whole topic ("missions du CTO ?", "list of the
    responsibilities") whose sections all score alike, its opening section."""
    close = [
        h
        for h in hits
        if h.section.topic_id == found.section.topic_id and h.score >= CLOSE_SHARE * found.score
    ]
    opening = _opening(found, close, topic)
    if opening is not None and (whole_topic or asks_list):
        return opening
    if asks_list:
        return max(close, key=lambda h: _list_items(h.section), default=found)
    return found


def _opening(found: Hit, close: list[Hit], topic: Topic) -> Hit | None:
    """The topic's opening section when it and enough others score alike: the question
    does not pick one part of the topic."""
    alike = [h for h in close if h.score >= TOPIC_LEVEL_SHARE * found.score]
    if len(alike) < TOPIC_LEVEL_SECTIONS:
        return None
    return next((h for h in alike if h.section.id == topic.sections[0].id), None)


def outline(reply: Reply, section: Section, topic: Topic, lang: Lang) -> Reply:
    """``reply`` (``section``, the opening of ``topic``) followed by the headings of every
    section of the topic: a question on the whole topic ("the list of the
    responsibilities") gets the first part in full, then all the parts by name."""
    body = Text(section.text(lang).text)
    at = reply.blocks.index(body) + 1 if body in reply.blocks else len(reply.blocks)
    items = Items(
        tuple(escape(s.text(lang).heading) for s in topic.sections),
        heading=Localized(
            f"Le sujet en {len(topic.sections)} volets :",
            f"The topic in {len(topic.sections)} parts:",
        ).get(lang),
    )
    return replace(reply, blocks=(*reply.blocks[:at], items, *reply.blocks[at:]))


def holding_the_fact_asked(ctx: Context, folded: str, best: Hit, hits: list[Hit]) -> Hit:
    """Among the sections scoring close to ``best``, one holding the kind of fact the
    question asks for (a year for "quand", a person for "qui", a number of years for
    "combien d'années", a figure for "combien" unless it counts the items of a list, a
    cause for "pourquoi"), if ``best`` holds none."""
    words, lang = question_words(), ctx.lang
    holds = _fact_asked(ctx, folded)
    if holds is not None:
        return _holding(best, hits, lang, holds)
    if words.asks_reason(folded):
        return _holding(best, hits, lang, lambda text: words.gives_cause(text, lang), cause=True)
    return best


def what_the_job_is(ctx: Context, folded: str, best: Hit) -> Hit:
    """The definition for a question setting the job against a lesser one ("isn't a CTO
    just a senior developer?"): what the job is beyond that one answers, not the section
    on the lesser job (stepping stones, project management); ``best`` otherwise."""
    names_job = bool(DOMAIN_STOPWORDS & set(WORD.findall(folded)))
    if not (names_job and question_words().reduces_the_job(folded)):
        return best
    return ctx.services.retriever.definition() or best


def _fact_asked(ctx: Context, folded: str) -> Callable[[str], bool] | None:
    """A test of whether a text holds the kind of fact the question asks for (a year, a
    person, a number of years, a figure), or None when it asks for none of these."""
    words, kb, lang = question_words(), ctx.services.kb, ctx.lang
    if words.asks_date(folded):
        return lambda text: bool(A_YEAR.search(text))
    if words.asks_person(folded):
        return _quoting(_facts_of(kb, lang, PERSON_KINDS))
    if words.asks_duration(folded):
        return _quoting(_facts_of(kb, lang, DURATION_KINDS))
    if words.asks_figure(folded) and not words.asks_list(folded):  # "combien de sortes"
        return _quoting(_facts_of(kb, lang, FIGURE_KINDS))
    return None


def _holding(
    best: Hit, hits: list[Hit], lang: Lang, holds: Callable[[str], bool], *, cause: bool = False
) -> Hit:
    """``best`` if its text ``holds`` the fact asked, else the best of the sections scoring
    close whose text does, else ``best``. For a ``cause`` (a heading may say it), the
    heading counts and only ``best``'s topic answers: a cause of something else
    is no answer."""

    def held(hit: Hit) -> bool:
        body = hit.section.text(lang)
        return holds(f"{body.heading}\n{body.text}" if cause else body.text)

    def near(hit: Hit) -> bool:
        same_topic = hit.section.topic_id == best.section.topic_id
        return hit.score >= CLOSE_SHARE * best.score and (same_topic or not cause)

    if held(best):
        return best
    return next((h for h in hits if near(h) and held(h)), best)


def _quoting(values: list[str]) -> Callable[[str], bool]:
    """A test: whether a text quotes any of ``values``."""
    return lambda text: any(v in text for v in values)


def _facts_of(kb: KnowledgeBase, lang: Lang, kinds: frozenset[str]) -> list[str]:
    """The values of the base's facts of ``kinds``, written for ``lang`` readers."""
    return [format_fact(f, lang) for f in kb.facts.values() if f.kind in kinds]


def _list_items(section: Section) -> int:
    """How many things the section lists: its bullets, a bullet naming several things
    after a colon ("digital: e-commerce, media, video games") counting each of them."""
    bullets = (line.strip() for line in section.en.text.splitlines())
    return sum(_things_named(line[2:]) for line in bullets if line.startswith("- "))


def _things_named(bullet: str) -> int:
    """One for a bullet, or the number of names after its colon when they are names (a
    few words each), not a sentence."""
    _, colon, after = bullet.partition(":")
    names = LIST_SEPARATOR.split(after.strip(" ;.")) if colon else []
    if len(names) < 2 or any(len(n.split()) > NAME_WORDS for n in names):
        return 1
    return len(names)


def other_side(ctx: Context, folded: str, best: Hit) -> Section | None:
    """For a comparison whose two sides each pick their own section of ``best``'s topic
    ("cto de startup vs cto de grand groupe"), the section of the side ``best`` is not."""
    picks = [_best_in_topic(ctx, side, best.section.topic_id) for side in _sides(folded)]
    keys = {p.key for p in picks if p is not None}
    if len(picks) != 2 or len(keys) != 2 or best.section.key not in keys:
        return None
    return next(p for p in picks if p is not None and p.key != best.section.key)


def _against_the_job(ctx: Context, folded: str, text: str) -> Line | None:
    """For the job compared with another ("cto vs cio"), the first line of ``text`` past
    its opening that names the other one: the opening names both, the contrast comes
    later ("the CIO looks inward")."""
    retriever = ctx.services.retriever
    bare = [side for side in _sides(folded) if not retriever.content_words(side)]
    named = [side for side in _sides(folded) if retriever.content_words(side)]
    if len(bare) != 1 or len(named) != 1:
        return None
    return retriever.line_naming(named[0], text, ctx.lang, LEAD_OFFSET)


def _sides(folded: str) -> list[str]:
    return question_words().sides(folded)


def _best_in_topic(ctx: Context, text: str, topic_id: str) -> Section | None:
    """The section of ``topic_id`` that ``text`` (one side of a comparison) finds first."""
    retriever = ctx.services.retriever
    if not retriever.content_words(text):
        return None
    hits = retriever.search(text, k=len(ctx.services.kb.sections()))
    return next((h.section for h in hits if h.section.topic_id == topic_id), None)


def _opening_lines(section: Section, lang: Lang) -> str:
    """A section's heading and first paragraph, as one line."""
    body = section.text(lang)
    first = body.text.strip().split("\n\n")[0]
    colon = Localized(" :", ":").get(lang)
    return f"**{escape(body.heading)}**{colon} {' '.join(first.split())}"


def with_lead(
    ctx: Context, question: str, section: Section, reply: Reply, other: Section | None = None
) -> Reply:
    """``reply`` led by what the question asks for when the section says it far down: the
    other side of a comparison, the matching line, or for pay the French median."""
    if other is not None:
        return with_context(reply, f"→ {_opening_lines(other, ctx.lang)}", lead=True)
    lines = []
    pay = question_words().asks_salary(read(ctx, question), elsewhere(ctx, question))
    if section.topic_id == "salary" and pay:
        lines.append(_median_line(ctx.services.kb, ctx.lang))
    text = section.text(ctx.lang).text
    words, folded = question_words(), read(ctx, question)
    match = _against_the_job(ctx, folded, text)
    if match is None and not words.asks_list(folded):
        # "does the CTO negotiate with vendors?": the list item naming it, not any line
        # sharing a word, since a yes/no question asks about one of the things listed
        precise = words.asks_precise(folded)
        held = _line_holding(text, _fact_asked(ctx, folded)) if precise else None
        match = held or ctx.services.retriever.best_line(
            question, text, ctx.lang, LEAD_OFFSET, items_only=not precise
        )
    if match is not None:
        lines.append(f"→ {match.text.removeprefix('- ')}")
    return with_context(reply, "\n".join(lines), lead=True) if lines else reply


def _line_holding(text: str, holds: Callable[[str], bool] | None) -> Line | None:
    """The first line of ``text`` holding the fact asked when it lies past the first
    ``LEAD_OFFSET`` characters (the person named at the end of a section), else None."""
    if holds is None:
        return None
    offset = 0
    for line in text.splitlines(keepends=True):
        if holds(line):
            return Line(line.strip(), offset, 1) if offset >= LEAD_OFFSET else None
        offset += len(line)
    return None


def _median_line(kb: KnowledgeBase, lang: Lang) -> str:
    median = format_fact(kb.facts["median_salary_france"], lang)
    name = kb.topics["salary"].name_in(lang)
    return Localized(
        f"En bref : salaire médian d'un CTO en France **{median}** brut par an ; par ville et "
        f"niveau : `/cto {name} region:paris niveau:expert`.",
        f"In short: median CTO salary in France **{median}** gross a year; by city and level: "
        f"`/cto {name} region:paris level:expert`.",
    ).get(lang)


def second_ask(ctx: Context, question: str, best: Hit, hits: list[Hit]) -> Section | None:
    """In a message asking two things ("combien d'années il faut, et quel diplôme ?"),
    the section answering the last one, offered next when the answer is another."""
    pieces = asks(read(ctx, question))
    # a few words alone find their section loosely: it must be one the whole message finds
    near = {h.section.key for h in hits} - {best.section.key}
    for piece in pieces[1:] if len(pieces) > 1 else []:
        found = ctx.services.retriever.best(piece)
        if found and found.section.key in near:
            return found.section
    return None


def with_second_answer(reply: Reply, section: Section, second: Section, lang: Lang) -> Reply:
    """``reply`` (on ``section``) with the opening of the section answering the message's
    other ask set after its first paragraph, so both asks get their answer up front."""
    body = section.text(lang).text
    first, _, rest = body.strip().partition("\n\n")
    at = next(
        (i for i, b in enumerate(reply.blocks) if isinstance(b, Text) and b.markup == body), None
    )
    if at is None:
        return reply
    parts = [Text(first), Text(f"→ {_first_sentence(second, lang)}")]
    parts += [Text(rest)] if rest.strip() else []
    return replace(reply, blocks=(*reply.blocks[:at], *parts, *reply.blocks[at + 1 :]))


def _first_sentence(section: Section, lang: Lang) -> str:
    """A section's heading and the first sentence of its text: a short answer."""
    body = section.text(lang)
    paragraph = " ".join(body.text.strip().split("\n\n")[0].split())
    sentence = SENTENCE_END.split(paragraph, maxsplit=1)[0]
    colon = Localized(" :", ":").get(lang)
    return f"**{escape(body.heading)}**{colon} {sentence}"
