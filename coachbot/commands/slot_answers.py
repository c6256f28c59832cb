"""The data's answer to a free question naming values: the salary grid's cell(s) for the
place or level named, the typical day at the hour or part of day named, each led by a
line saying what was read and which command gives the same answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from coachbot.commands.cto import day_fields, day_reply, salary_answer, slot_times
from coachbot.commands.section_replies import section_reply, with_context
from coachbot.errors import BadInput
from coachbot.i18n import Lang, Localized
from coachbot.knowledge.facts import format_fact
from coachbot.knowledge.followups import Turn
from coachbot.knowledge.models import DaySlot, KnowledgeBase, Section
from coachbot.knowledge.slots import GRID_START_YEARS, Slots
from coachbot.markup import echo, escape
from coachbot.reply import Items, Reply, Text
from coachbot.services import Context

# A span of the day covering more slots than this shows them one line each, not in full.
SPAN_IN_FULL = 3


def day(ctx: Context, slots: Slots) -> tuple[Reply, Turn]:
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
        return with_context(day_reply(kb, lang, None), exc.message.get(lang), lead=True)
    hour_opt = Localized("heure", "hour").get(lang)
    line = Localized(
        f"À {hour}h dans la journée type d'un CTO (même réponse : `{command} {hour_opt}:{hour}`).",
        f"At {hour}:00 in a CTO's typical day (same answer: `{command} {hour_opt}:{hour}`).",
    )
    return with_context(reply, line.get(lang), lead=True)


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


async def salary(ctx: Context, slots: Slots, previous: Turn | None) -> tuple[Reply, Turn]:
    """The grid cell(s) the question names, as ``/cto salary region:… level:…`` gives them."""
    kb, lang = ctx.services.kb, ctx.lang
    place = slots.place
    if place is not None and place.kind == "us":
        return section_reply(ctx, _must(kb, "salary/us-figures"), None), Turn("section", lang)
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
    return with_context(reply, " ".join(x for x in lines if x), lead=True), turn


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


def _day_hours(slots: tuple[DaySlot, ...], lang: Lang) -> Items:
    """Slots of the typical day, one line each: hours and label."""
    return Items(
        tuple(f"{slot_times(s, lang)} · {escape(s.label.get(lang))}" for s in slots),
        heading=Localized("Heure par heure :", "Hour by hour:").get(lang),
    )


def whole_day(ctx: Context, section: Section) -> Reply:
    """A question on the typical day gets the day hour by hour, then the section."""
    hours = _day_hours(ctx.services.kb.day, ctx.lang)
    reply = section_reply(ctx, section, None)
    return replace(reply, blocks=(hours, *reply.blocks))


def _must(kb: KnowledgeBase, key: str) -> Section:
    section = kb.section(key)
    if section is None:
        raise LookupError(f"content lacks the section {key}")
    return section
