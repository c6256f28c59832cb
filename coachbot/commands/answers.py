"""Free questions answered: in the question's language, with the data's answer when the
question names values (a city, a level, an hour), else the section that answers best,
and continued by follow-ups ("et à Lyon ?", "why?") for a few minutes."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import time

from coachbot.commands.cto import (
    MORE_ACTION,
    SOURCES,
    day_fields,
    day_reply,
    salary_answer,
    slot_times,
)
from coachbot.errors import BadInput
from coachbot.i18n import Lang, Localized
from coachbot.knowledge.asking import asks
from coachbot.knowledge.facts import format_fact
from coachbot.knowledge.followups import ConversationKey, Turn
from coachbot.knowledge.language import detect
from coachbot.knowledge.models import DaySlot, KnowledgeBase, Section, Topic
from coachbot.knowledge.retrieval import DOMAIN_STOPWORDS, WORD, Hit, Line
from coachbot.knowledge.slots import (
    GRID_START_YEARS,
    QuestionWords,
    Slots,
    question_words,
)
from coachbot.markup import echo, escape
from coachbot.registry import Option, action, command
from coachbot.reply import Actions, Button, Items, Reply, Text, Tone
from coachbot.services import Context

# A second section is offered as a follow-up when it scores at least this share of the best.
NEXT_SHARE = 0.6
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
# A span of the day covering more slots than this shows them one line each, not in full.
SPAN_IN_FULL = 3
# Where a sentence ends: a full stop, question or exclamation mark before a space.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
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
    words, folded = question_words(), _read(ctx, question)
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


def _read(ctx: Context, question: str) -> str:
    """The question as every reader compares it: folded, shorthand spelled out, typos
    corrected against the base and the phrases of questions.toml ("lyonn" → lyon)."""
    return ctx.services.retriever.read(question).folded


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
    pay = words.asks_salary(folded, _elsewhere(ctx, question))
    when = _asked_slots(ctx, question, words) or slots
    if when.hour is not None or (when.part and not pay):
        return _day(ctx, when)
    follows_salary = previous is not None and previous.kind == "salary"
    if slots.salary_values and (pay or follows_salary or _place_only(ctx, question, slots)):
        return await _salary(ctx, slots, previous if follows_salary else None)
    if previous and previous.next_section and words.asks_more(folded):
        return answer_section(ctx, previous.next_section), None
    reply, turn = _section_answer(ctx, question)
    if turn is None and slots.grid_cell:  # "cto marseille confirmé": nothing but a cell
        return await _salary(ctx, slots, None)
    return reply, turn


def _asked_slots(ctx: Context, question: str, words: QuestionWords) -> Slots | None:
    """What the part of a long message that asks names, for the hour of the day: "Good
    morning. [...] Who does a CTO report to?" asks no hour (None: no such part)."""
    asked = ctx.services.retriever.read(question).asked
    return words.read(asked) if asked is not None else None


def _elsewhere(ctx: Context, question: str) -> bool:
    """Whether the question names a subject other than pay and experience."""
    return ctx.services.retriever.names_other_subject(question, question_words().salary)


def _place_only(ctx: Context, question: str, slots: Slots) -> bool:
    """Whether the question names a place and nothing else but the grid's values ("cto
    paris", "cto senior lyon"): a place only ever sorts the salary grid; unless it asks
    for job offers there ("cto jobs in grenoble")."""
    folded = _read(ctx, question)
    if slots.place is None or question_words().asks_offers(folded):
        return False
    words = ctx.services.retriever.content_words(question)
    return bool(words) and words <= question_words().value_words(folded)


def _day(ctx: Context, slots: Slots) -> tuple[Reply, Turn]:
    """The typical day at the hour or part of day asked, as ``/cto day hour:…`` gives it."""
    turn = Turn("day", ctx.lang)
    if slots.hour is None:
        assert slots.part is not None
        return _day_span(ctx, slots.part.start, slots.part.end), turn
    at = time(slots.hour, slots.minute)
    kb = ctx.services.kb
    if _covering(kb, at) and _covering(kb, at) != _covering(kb, time(slots.hour)):
        return _day_span(ctx, at, at), turn  # "12:30": the hour's slot is not the minute's
    return _day_hour(ctx, slots.hour), turn


def _covering(kb: KnowledgeBase, at: time) -> tuple[DaySlot, ...]:
    return tuple(s for s in kb.day if s.start <= at < s.end)


def _day_hour(ctx: Context, hour: int) -> Reply:
    """``/cto day hour:…``'s reply, led by one line saying so."""
    kb, lang = ctx.services.kb, ctx.lang
    command = f"/cto {kb.topics['day'].name_in(lang)}"
    try:
        reply = day_reply(kb, lang, hour)
    except BadInput as exc:
        return _with_context(day_reply(kb, lang, None), exc.message.get(lang), lead=True)
    hour_opt = Localized("heure", "hour").get(lang)
    line = Localized(
        f"À {hour}h dans la journée type d'un CTO (même réponse : `{command} {hour_opt}:{hour}`).",
        f"At {hour}:00 in a CTO's typical day (same answer: `{command} {hour_opt}:{hour}`).",
    )
    return _with_context(reply, line.get(lang), lead=True)


def _day_span(ctx: Context, start: time, end: time) -> Reply:
    """The slots of the typical day from ``start`` to ``end`` (equal: the one moment)."""
    kb, lang = ctx.services.kb, ctx.lang
    command = f"/cto {kb.topics['day'].name_in(lang)}"
    if start == end:
        covering = _covering(kb, start)
        when = Localized(f"À {start:%H:%M}", f"At {start:%H:%M}")
    else:
        covering = tuple(s for s in kb.day if s.start < end and s.end > start)
        when = Localized(f"De {start:%H:%M} à {end:%H:%M}", f"From {start:%H:%M} to {end:%H:%M}")
    line = Localized(
        f"{when.fr} dans la journée type d'un CTO (la journée entière : `{command}`).",
        f"{when.en} in a CTO's typical day (the whole day: `{command}`).",
    )
    base = day_reply(kb, lang, None)
    if len(covering) > SPAN_IN_FULL:  # most of the day: its hours first, as for the whole day
        return replace(base, blocks=(Text(line.get(lang)), _day_hours(covering, lang)))
    return replace(base, blocks=(Text(line.get(lang)), day_fields(covering, lang)))


async def _salary(ctx: Context, slots: Slots, previous: Turn | None) -> tuple[Reply, Turn]:
    """The grid cell(s) the question names, as ``/cto salary region:… level:…`` gives them."""
    kb, lang = ctx.services.kb, ctx.lang
    place = slots.place
    if place is not None and place.kind == "us":
        return _section_reply(ctx, _must(kb, "salary/us-figures"), None), Turn("section", lang)
    region = (
        place.region if place else (previous.region if previous and not slots.compared else None)
    )
    level = slots.level or (previous.level if previous and slots.years is None else None)
    turn = Turn("salary", lang, region=region, level=level)
    reply = await salary_answer(ctx.services, lang, region, level)
    lines = [
        _place_line(kb, lang, slots),
        _level_line(kb, lang, level if slots.level_named else None),
        _command_line(kb, lang, region, level),
    ]
    if slots.beginner or (slots.years is not None and slots.years < GRID_START_YEARS):
        lines.insert(0, _under_grid_line(lang, slots.years))
    if slots.day_rate:
        lines.insert(-1, _no_day_rate_line(lang))
    elif slots.net_or_monthly:
        lines.insert(-1, _gross_yearly_line(kb, lang))
    return _with_context(reply, " ".join(x for x in lines if x), lead=True), turn


def _place_line(kb: KnowledgeBase, lang: Lang, slots: Slots) -> str:
    """Which tier the place named falls in, and that the list of large cities is ours."""
    place = slots.place
    if slots.compared:
        return Localized(
            "Plusieurs niveaux de lieu nommés : voici la grille pour chacun.",
            "Several place tiers named: here is the grid for each.",
        ).get(lang)
    if place is None:
        return ""
    name = echo(place.name.title())
    tiers = ", ".join(r.label.get(lang) for r in kb.salary.regions)
    if place.region is None:
        return Localized(
            f"La grille ne couvre que la France ({name} n'y figure pas) ; elle a trois niveaux "
            f"de lieu : {tiers}.",
            f"The grid covers France only ({name} is not in it); it has three place tiers: "
            f"{tiers}.",
        ).get(lang)
    label = next(r.label.get(lang) for r in kb.salary.regions if r.id == place.region)
    if place.region == "big_cities":
        return Localized(
            f"{name} : rangée dans les « grandes villes » (liste établie par le bot, la source ne "
            "précise pas lesquelles).",
            f"{name}: counted among the “grandes villes” (large cities); the list is the bot's "
            "reading, the source does not name them.",
        ).get(lang)
    return Localized(f"{name} : tarif « {label} ».", f"{name}: the “{label}” tier.").get(lang)


def _level_line(kb: KnowledgeBase, lang: Lang, level: str | None) -> str:
    """How many years of experience the level named by a word covers in the grid
    ("expert" asks what counts as one: 8+ years)."""
    fact = kb.facts.get(f"{level}_band_years") if level else None
    if fact is None:
        return ""
    years = format_fact(fact, lang)
    label = next((b.label.get(lang) for b in kb.salary.levels if b.id == level), level)
    return Localized(
        f"Niveau « {label} » de la grille : {years} d'expérience.",
        f"The grid's “{label}” level: {years} of experience.",
    ).get(lang)


def _gross_yearly_line(kb: KnowledgeBase, lang: Lang) -> str:
    """That the grid is gross per year, with the job sheet's monthly gross benchmark
    (a question asking pay net or by the month)."""
    monthly = format_fact(kb.facts["monthly_gross_france"], lang)
    return Localized(
        "La grille est en brut annuel (avant cotisations et impôt), pas en net ni par "
        f"mois ; une fiche métier donne un ordre de grandeur de {monthly} brut par mois.",
        "The grid is gross pay per year (before social charges and tax), neither net nor "
        f"monthly; a job sheet gives a rough figure of {monthly} gross a month.",
    ).get(lang)


def _no_day_rate_line(lang: Lang) -> str:
    """That the sources give employees' yearly pay, no freelancer's day rate."""
    return Localized(
        "Les sources ne donnent pas de taux journalier (TJM) de CTO freelance : la grille "
        "est le salaire brut annuel d'un CTO salarié.",
        "The sources give no day rate for a freelance CTO: the grid is an employed CTO's "
        "gross pay per year.",
    ).get(lang)


def _under_grid_line(lang: Lang, years: int | None) -> str:
    if years is None:
        return Localized(
            f"Pour un profil débutant : la grille commence à {GRID_START_YEARS} ans "
            "d'expérience (niveau confirmé), voici donc la grille.",
            f"For a beginner: the grid starts at {GRID_START_YEARS} years of experience "
            "(confirmed level), so here is the grid.",
        ).get(lang)
    return Localized(
        f"Avec {years} an(s) d'expérience : la grille commence à {GRID_START_YEARS} ans "
        "(niveau confirmé), voici donc la grille entière.",
        f"With {years} year(s) of experience: the grid starts at {GRID_START_YEARS} years "
        "(confirmed level), so here is the whole grid.",
    ).get(lang)


def _command_line(kb: KnowledgeBase, lang: Lang, region: str | None, level: str | None) -> str:
    name = kb.topics["salary"].name_in(lang)
    options = [f"region:{region}"] if region else []
    if level:
        options.append(f"{Localized('niveau', 'level').get(lang)}:{level}")
    typed = " ".join([f"/cto {name}", *options])
    return Localized(f"Même réponse : `{typed}`.", f"Same answer: `{typed}`.").get(lang)


def _with_context(reply: Reply, line: str, *, lead: bool) -> Reply:
    """``reply`` with one line of context before (``lead``) or after its blocks."""
    text = Text(line)
    blocks = (text, *reply.blocks) if lead else (*reply.blocks, text)
    return replace(reply, blocks=blocks)


def _section_answer(ctx: Context, question: str) -> tuple[Reply, Turn | None]:
    """The section that answers best, and the next one offered as a follow-up."""
    retriever = ctx.services.retriever
    found, hits = retriever.answer(question, k=8)
    if found is None:
        return out_of_scope(question_words(), ctx.lang), None
    topic = ctx.services.kb.topics[found.section.topic_id]
    # "quel poste avant ?" asks for one thing even in a topic's own words: not the overview.
    whole = retriever.names_only_topics(question) and not question_words().asks_precise(
        _read(ctx, question)
    )
    asks_list = question_words().asks_list(_read(ctx, question))
    best = _pick(found, hits, asks_list, whole, topic)
    outlined = (whole or asks_list) and best.section.id == topic.sections[0].id
    best = _holding_the_fact_asked(ctx, _read(ctx, question), best, hits)
    best = _what_the_job_is(ctx, _read(ctx, question), best)
    second = _second_ask(ctx, question, best, hits)
    following = second or _next(best, hits)
    if best.section.topic_id == "day":
        reply = _whole_day(ctx, best.section)
    else:
        other = _other_side(ctx, _read(ctx, question), best)
        reply = _with_lead(
            ctx, question, best.section, _section_reply(ctx, best.section, following), other
        )
    if outlined and best.section.topic_id != "day":
        reply = _outline(reply, best.section, topic, ctx.lang)
    if second is not None and best.section.topic_id != "day":
        reply = _with_second_answer(reply, best.section, second, ctx.lang)
    turn = Turn(
        "section",
        ctx.lang,
        section=best.section.key,
        next_section=following.key if following else None,
    )
    return reply, turn


def _pick(found: Hit, hits: list[Hit], asks_list: bool, whole_topic: bool, topic: Topic) -> Hit:
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


def _outline(reply: Reply, section: Section, topic: Topic, lang: Lang) -> Reply:
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


def _holding_the_fact_asked(ctx: Context, folded: str, best: Hit, hits: list[Hit]) -> Hit:
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


def _what_the_job_is(ctx: Context, folded: str, best: Hit) -> Hit:
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


def _people(kb: KnowledgeBase, lang: Lang) -> list[str]:
    """The names of people the base quotes (facts of kind "person")."""
    return [format_fact(f, lang) for f in kb.facts.values() if f.kind == "person"]


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


def _other_side(ctx: Context, folded: str, best: Hit) -> Section | None:
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


def _with_lead(
    ctx: Context, question: str, section: Section, reply: Reply, other: Section | None = None
) -> Reply:
    """``reply`` led by what the question asks for when the section says it far down: the
    other side of a comparison, the matching line, or for pay the French median."""
    if other is not None:
        return _with_context(reply, f"→ {_opening_lines(other, ctx.lang)}", lead=True)
    lines = []
    pay = question_words().asks_salary(_read(ctx, question), _elsewhere(ctx, question))
    if section.topic_id == "salary" and pay:
        lines.append(_median_line(ctx.services.kb, ctx.lang))
    text = section.text(ctx.lang).text
    words, folded = question_words(), _read(ctx, question)
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
    return _with_context(reply, "\n".join(lines), lead=True) if lines else reply


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


def _second_ask(ctx: Context, question: str, best: Hit, hits: list[Hit]) -> Section | None:
    """In a message asking two things ("combien d'années il faut, et quel diplôme ?"),
    the section answering the last one, offered next when the answer is another."""
    pieces = asks(_read(ctx, question))
    # a few words alone find their section loosely: it must be one the whole message finds
    near = {h.section.key for h in hits} - {best.section.key}
    for piece in pieces[1:] if len(pieces) > 1 else []:
        found = ctx.services.retriever.best(piece)
        if found and found.section.key in near:
            return found.section
    return None


def _with_second_answer(reply: Reply, section: Section, second: Section, lang: Lang) -> Reply:
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


def _day_hours(slots: tuple[DaySlot, ...], lang: Lang) -> Items:
    """Slots of the typical day, one line each: hours and label."""
    return Items(
        tuple(f"{slot_times(s, lang)} · {escape(s.label.get(lang))}" for s in slots),
        heading=Localized("Heure par heure :", "Hour by hour:").get(lang),
    )


def _whole_day(ctx: Context, section: Section) -> Reply:
    """A question on the typical day gets the day hour by hour, then the section."""
    hours = _day_hours(ctx.services.kb.day, ctx.lang)
    reply = _section_reply(ctx, section, None)
    return replace(reply, blocks=(hours, *reply.blocks))


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
    return _section_reply(ctx, section, None)


def _section_reply(ctx: Context, section: Section, following: Section | None) -> Reply:
    kb, lang = ctx.services.kb, ctx.lang
    topic = kb.topics[section.topic_id]
    body = section.text(lang)
    more = Localized("Tout le sujet", "The whole topic").get(lang)
    blocks: list[Text | Actions] = [
        Text(body.text),
        Text(f"_{more} ({escape(topic.title.get(lang))}) :_ `/cto {topic.name_in(lang)}`"),
    ]
    if following is not None:
        label = following.text(lang).heading
        offer = Localized(
            f"Voir aussi : **{escape(label)}** (ou tapez « plus »).",
            f"See also: **{escape(label)}** (or type “more”).",
        ).get(lang)
        blocks += [Text(offer), Actions((Button(f"{MORE_ACTION}:{following.key}", label),))]
    return Reply(
        title=body.heading,
        blocks=tuple(blocks),
        footer=SOURCES.get(lang) + kb.cite(section.sources, lang),
    )


def _must(kb: KnowledgeBase, key: str) -> Section:
    section = kb.section(key)
    if section is None:
        raise LookupError(f"content lacks the section {key}")
    return section


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
