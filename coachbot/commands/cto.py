"""``/cto``: the knowledge base, topic by topic, plus free questions."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from coachbot.errors import BadInput
from coachbot.i18n import Lang, Localized
from coachbot.knowledge.facts import format_fact
from coachbot.knowledge.models import CATEGORIES, DaySlot, KnowledgeBase, NamedBand, Section, Topic
from coachbot.markup import escape
from coachbot.registry import Choice, CommandSpec, Group, Option, OptionType, command
from coachbot.reply import Block, Field, Fields, Image, Items, Reply, Text
from coachbot.services import Context, Services
from coachbot.tracker.charts import SalaryData, SalarySeries, cached_png, salary_png
from coachbot.vocabularies import CATEGORY_LABELS

GROUP = Group(
    "cto",
    Localized("Tout savoir sur le métier de CTO", "Everything about the CTO job"),
    name_fr="cto",
)
SOURCES = Localized("Sources : ", "Sources: ")
MORE_ACTION = "cto_more"
FIRST_HOUR, LAST_HOUR = 8, 17  # the hours the typical day of content/day.toml covers


def topic_reply(
    kb: KnowledgeBase, topic: Topic, lang: Lang, sections: tuple[Section, ...] | None = None
) -> Reply:
    """A topic's sections as one reply, with their sources, named for readers, as footer."""
    chosen = topic.sections if sections is None else sections
    blocks = tuple(Text(_section_markup(s, lang)) for s in chosen)
    files = sorted({src for s in chosen for src in s.sources})
    return Reply(
        title=topic.title.get(lang),
        blocks=blocks,
        footer=SOURCES.get(lang) + kb.cite(files, lang),
    )


def _section_markup(section: Section, lang: Lang) -> str:
    body = section.text(lang)
    return f"**{escape(body.heading)}**\n{body.text}"


def topic_commands(kb: KnowledgeBase, declared: set[str]) -> list[CommandSpec]:
    """One ``/cto <topic>`` command per topic file that has no hand-written command."""
    specs = []
    for topic in kb.topics.values():
        if topic.id in declared:
            continue

        async def show(ctx: Context, _topic: str = topic.id) -> Reply:
            kb = ctx.services.kb
            return topic_reply(kb, kb.topics[_topic], ctx.lang)

        specs.append(CommandSpec("cto", topic.id, topic.summary, show, name_fr=topic.name_fr))
    return specs


@command(
    "cto",
    "salary",
    name_fr="salaire",
    description=Localized(
        "Salaires du CTO : grille France, médiane, États-Unis",
        "CTO salaries: France grid, median, US",
    ),
    options=[
        Option(
            "region",
            Localized("Paris, grandes villes ou régions", "Paris, large cities or other regions"),
            vocabulary="region",
            name_fr="region",
        ),
        Option(
            "level",
            Localized(
                "Confirmé (4-8 ans) ou expert (8+ ans)", "Confirmed (4-8 years) or expert (8+)"
            ),
            vocabulary="level",
            name_fr="niveau",
        ),
    ],
)
async def salary(ctx: Context, region: str | None, level: str | None) -> Reply:
    """The salary grid (filtered by region and level), its picture and the prose around it."""
    return await salary_answer(ctx.services, ctx.lang, region, level)


async def salary_answer(
    services: Services, lang: Lang, region: str | None, level: str | None
) -> Reply:
    """What ``/cto salary region:… level:…`` answers, picture included; a free question
    naming a place or a level gets this very reply (plus one line of context)."""
    reply = salary_reply(services.kb, lang, region, level)
    grid = services.kb.salary
    regions = [r for r in grid.regions if region in (None, r.id)]
    levels = [lv for lv in grid.levels if level in (None, lv.id)]
    picture = await salary_image(services, regions, levels, lang)
    return replace(reply, blocks=(reply.blocks[0], picture, *reply.blocks[1:]))


def salary_reply(kb: KnowledgeBase, lang: Lang, region: str | None, level: str | None) -> Reply:
    """The text of ``/cto salary region:… level:…`` (``salary_answer`` adds the picture)."""
    grid = kb.salary
    regions = [r for r in grid.regions if region in (None, r.id)]
    levels = [lv for lv in grid.levels if level in (None, lv.id)]
    unit = Localized("k€ brut / an", "k€ gross / year").get(lang)
    fields = tuple(
        Field(
            f"{lv.label.get(lang)} · {r.label.get(lang)}",
            f"{grid.bands[(lv.id, r.id)][0]}–{grid.bands[(lv.id, r.id)][1]} {unit}",
            inline=True,
        )
        for lv in levels
        for r in regions
    )
    base = topic_reply(kb, kb.topics["salary"], lang)
    if region or level:
        median = format_fact(kb.facts["median_salary_france"], lang)
        note = Localized(
            f"Salaire médian d'un CTO en France, tous niveaux : **{median}** par an. "
            "Tout le contexte : `/cto salaire`.",
            f"Median CTO salary in France, all levels: **{median}** a year. "
            "Full context: `/cto salary`.",
        )
        return Reply(
            title=base.title,
            blocks=(Fields(fields), Text(note.get(lang))),
            footer=SOURCES.get(lang) + kb.cite([grid.source], lang),
        )
    return Reply(title=base.title, blocks=(Fields(fields), *base.blocks), footer=base.footer)


async def salary_image(
    services: Services, regions: list[NamedBand], levels: list[NamedBand], lang: Lang
) -> Image:
    """The chosen part of the grid as floating bars (one per region and level), rendered
    once per language and choice."""
    grid = services.kb.salary
    data = SalaryData(
        title=Localized(
            "Salaires CTO en France, par niveau et région",
            "CTO salaries in France, by level and region",
        ).get(lang),
        levels=tuple(_level_label(lv, lang) for lv in levels),
        regions=tuple(
            SalarySeries(r.label.get(lang), tuple(grid.bands[(lv.id, r.id)] for lv in levels))
            for r in regions
        ),
        axis=Localized("k€ brut / an", "k€ gross / year").get(lang),
    )
    key = ("salary", lang, tuple(r.id for r in regions), tuple(lv.id for lv in levels))
    png = await cached_png(services, key, salary_png, data)
    return Image(f"cto-salary-{lang}.png", png, salary_alt(grid.bands, regions, levels, lang))


def _level_label(level: NamedBand, lang: Lang) -> str:
    """``Confirmed (4-8 years)`` / ``Expert (8+ years)``."""
    if level.years is None:
        return level.label.get(lang)
    low, high = level.years
    span = f"{low}-{high}" if high is not None else f"{low}+"
    return f"{level.label.get(lang)} ({span} {Localized('ans', 'years').get(lang)})"


def salary_alt(
    bands: dict[tuple[str, str], tuple[int, int]],
    regions: list[NamedBand],
    levels: list[NamedBand],
    lang: Lang,
) -> str:
    """The salary picture in words: every band the bars draw."""
    colon = " : " if lang == "fr" else ": "
    parts = [
        f"{lv.label.get(lang)}, {r.label.get(lang)}{colon}{low}–{high} k€"
        for lv in levels
        for r in regions
        for low, high in (bands[(lv.id, r.id)],)
    ]
    head = Localized(
        "Barres des fourchettes de salaire brut annuel", "Bars of the yearly gross salary bands"
    ).get(lang)
    return f"{head} — {'; '.join(parts)}"


@command(
    "cto",
    "day",
    name_fr="journee",
    description=Localized(
        "La journée type d'un CTO, heure par heure", "A CTO's typical day, hour by hour"
    ),
    options=[
        Option(
            "hour",
            Localized(
                f"Une heure de la journée type ({FIRST_HOUR}-{LAST_HOUR})",
                f"An hour of the typical day ({FIRST_HOUR}-{LAST_HOUR})",
            ),
            type=OptionType.INTEGER,
            min_value=FIRST_HOUR,
            max_value=LAST_HOUR,
            name_fr="heure",
        )
    ],
)
async def day(ctx: Context, hour: int | None) -> Reply:
    """The typical day, or the slot covering ``hour`` (the option's bounds are the hours
    the day covers, so Discord, usage and help all say which hours are accepted)."""
    return day_reply(ctx.services.kb, ctx.lang, hour)


def day_slots_at(kb: KnowledgeBase, hour: int) -> tuple[DaySlot, ...]:
    """The slots of the typical day covering ``hour``; BadInput says which hours exist."""
    at = time(hour, 0)
    covering = tuple(s for s in kb.day if s.start <= at < s.end)
    if not covering:
        first, last = kb.day[0].start, kb.day[-1].start
        raise BadInput(
            Localized(
                f"La journée type décrite va de {first:%H:%M} à {last:%H:%M} : "
                f"choisissez une heure entre {first.hour} et {last.hour}.",
                f"The typical day described runs from {first:%H:%M} to {last:%H:%M}: "
                f"pick an hour between {first.hour} and {last.hour}.",
            )
        )
    return covering


def day_fields(slots: tuple[DaySlot, ...], lang: Lang) -> Fields:
    """Slots of the typical day as fields: hours and label, then what happens."""
    return Fields(
        tuple(
            Field(f"{slot_times(s, lang)} · {s.label.get(lang)}", s.text.get(lang)) for s in slots
        )
    )


def day_reply(kb: KnowledgeBase, lang: Lang, hour: int | None) -> Reply:
    """What ``/cto day hour:…`` answers (the same for a free question)."""
    base = topic_reply(kb, kb.topics["day"], lang)
    if hour is not None:
        blocks: tuple[Block, ...] = (day_fields(day_slots_at(kb, hour), lang),)
    else:
        blocks = (*base.blocks, day_fields(kb.day, lang))
    return Reply(title=base.title, blocks=blocks, footer=base.footer)


def slot_times(slot: DaySlot, lang: Lang) -> str:
    """When a slot of the typical day runs, as the source gives it: ``08:00 (ou 08:30)–10:00``,
    and ``dès 17:00`` / ``from 17:00`` for the last slot, whose end the source never states."""
    start = f"{slot.start:%H:%M}"
    if slot.alt_start is not None:
        start += Localized(" (ou {})", " (or {})").get(lang).format(f"{slot.alt_start:%H:%M}")
    if slot.end_given:
        return f"{start}–{slot.end:%H:%M}"
    return Localized("dès {}", "from {}").get(lang).format(start)


@command(
    "cto",
    "compare",
    name_fr="comparer",
    description=Localized("CTO ou DSI/CIO : les différences", "CTO vs CIO (DSI): the differences"),
    options=[
        Option(
            "with",
            Localized("Le poste à comparer", "The role to compare with"),
            choices=(Choice("cio", Localized("DSI (CIO)", "CIO (DSI)")),),
            name_fr="avec",
        )
    ],
)
async def compare(ctx: Context, with_: str | None) -> Reply:
    """CTO vs CIO, both views of the seeds side by side."""
    kb = ctx.services.kb
    return topic_reply(kb, kb.topics["compare"], ctx.lang)


@command(
    "cto",
    "skills",
    name_fr="competences",
    description=Localized(
        "Compétences techniques, managériales, stratégiques",
        "Technical, managerial, strategic skills",
    ),
    options=[
        Option(
            "category",
            Localized("Une famille de compétences", "A family of skills"),
            choices=tuple(Choice(c, CATEGORY_LABELS[c]) for c in CATEGORIES),
            name_fr="categorie",
        )
    ],
)
async def skills(ctx: Context, category: str | None) -> Reply:
    """The skill catalog (optionally one category) and the prose on skills."""
    kb, lang = ctx.services.kb, ctx.lang
    cats = [c for c in CATEGORIES if category in (None, c)]
    lists = tuple(
        Items(
            tuple(
                f"**{escape(s.name.get(lang))}** — {escape(s.description.get(lang))}"
                for s in kb.skills.values()
                if s.category == c
            ),
            heading=CATEGORY_LABELS[c].get(lang),
        )
        for c in cats
    )
    base = topic_reply(kb, kb.topics["skills"], lang)
    blocks = lists if category else (*base.blocks, *lists)
    return Reply(title=base.title, blocks=blocks, footer=base.footer)
