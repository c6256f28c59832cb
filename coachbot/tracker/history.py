"""``/progress history``: one skill over time, as a step chart and the last entries."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.i18n import Lang, Localized
from coachbot.identity import PersonRef, safe_name
from coachbot.markup import escape
from coachbot.reply import Block, Image, Items, Reply, Text
from coachbot.services import Services
from coachbot.tracker import labels
from coachbot.tracker.activity import local_date
from coachbot.tracker.cache import memo
from coachbot.tracker.charts import HistoryData, cached_drawing, history_png
from coachbot.tracker.repository import (
    Entry,
    RatingPoint,
    evidence_log,
    focus_goal,
    goal_setter,
    rating_history,
    row_id,
)
from coachbot.tracker.snapshot import locate, owner

SHOWN = 5
TITLE = Localized("Historique", "History")


@dataclass(frozen=True)
class SkillHistory:
    """One skill of one learner: every rating, the newest logs, the goal if it is this skill."""

    skill: str
    user: str
    owner: Hashable
    tz: ZoneInfo
    today: date
    points: list[RatingPoint]
    logs: list[Entry]  # every evidence log of the skill, oldest first
    goal: int | None
    version: tuple[int, int, int]  # ratings, goals, evidence
    goal_setter: str | None = None  # the mentor who set that goal, if one did


async def skill_history(services: Services, ref: PersonRef, lang: Lang, skill: str) -> Reply:
    """The chart of ``skill``'s ratings over time, its last ratings and evidence (ephemeral)."""
    found = await read_history(services, ref, skill)
    name = labels.skill_name(services.kb, skill, lang)
    if found is None or not found.points:
        rate_it = labels.typed(services.registry, "progress rate", skill=skill, level="<0-5>")
        text = Localized(
            f"Aucune note pour **{escape(name)}** pour l'instant : `{rate_it.fr}`.",
            f"No rating of **{escape(name)}** yet: `{rate_it.en}`.",
        )
        return Reply(title=TITLE.get(lang), blocks=(Text(text.get(lang)),), ephemeral=True)
    blocks = (*history_blocks(found, services, lang), await history_image(found, services, lang))
    return Reply(title=TITLE.get(lang), blocks=blocks, ephemeral=True)


async def read_history(services: Services, ref: PersonRef, skill: str) -> SkillHistory | None:
    """What the history of ``skill`` shows, or None for someone who never used the bot.

    One round trip finds the person with their data versions; the skill's ratings and logs
    and the focus are then read only when a version moved since they were last read.
    """
    default = services.settings.bot.default_timezone
    async with services.database().session() as session:
        found = await locate(session=session, ref=ref, default=default)
        if found is None:
            return None
        pid, who, v = row_id(found.person), owner(found.person), found.versions
        data = memo(services, "derived")
        rows = await data.get(
            ("skill history", who, skill, v.rating, v.evidence),
            lambda: _skill_rows(session, pid, skill),
        )
        goal = await data.get(
            ("goal", who, v.goal), lambda: focus_goal(session=session, person_id=pid)
        )
        goal = goal if goal is not None and goal.skill_id == skill else None
        return SkillHistory(
            skill=skill,
            user=found.person.user_id,
            owner=who,
            tz=found.tz,
            today=local_date(services.clock.now(), found.tz),
            points=rows.points,
            logs=rows.logs,
            goal=goal.target_level if goal else None,
            version=(*v.chart, v.evidence),
            goal_setter=await goal_setter(session=session, goal=goal),
        )


@dataclass(frozen=True)
class SkillRows:
    """Every rating and every evidence log of one skill, oldest first."""

    points: list[RatingPoint]
    logs: list[Entry]


async def _skill_rows(session: AsyncSession, person_id: int, skill: str) -> SkillRows:
    return SkillRows(
        points=await rating_history(session=session, person_id=person_id, skill_id=skill),
        logs=await evidence_log(session=session, person_id=person_id, skill_id=skill),
    )


def history_blocks(found: SkillHistory, services: Services, lang: Lang) -> list[Block]:
    """A summary line, the last ratings and the last evidence of the skill."""
    name = escape(labels.skill_name(services.kb, found.skill, lang))
    first, last = found.points[0], found.points[-1]
    since, target = labels.day(first.created_at, found.tz), services.kb.skills[found.skill].target
    summary = Localized(
        f"**{name}** : {last.level}/5 aujourd'hui, {len(found.points)} note(s) depuis le "
        f"{since} · cible CTO {target}/5",
        f"**{name}**: {last.level}/5 now, {len(found.points)} rating(s) since {since} · "
        f"CTO target {target}/5",
    )
    if found.goal is not None:
        by = labels.set_by(found.goal_setter)
        summary = Localized(
            f"{summary.fr} · votre objectif {found.goal}/5{by.fr}",
            f"{summary.en} · your goal {found.goal}/5{by.en}",
        )
    ratings = tuple(
        f"{labels.day(p.created_at, found.tz)} · {p.level}/5"
        for p in reversed(found.points[-SHOWN:])
    )
    blocks: list[Block] = [
        Text(summary.get(lang)),
        Items(ratings, heading=Localized("Dernières notes", "Last ratings").get(lang)),
    ]
    if found.logs:
        logs = tuple(
            f"{labels.day(e.created_at, found.tz)} · {escape(e.note or '')}"
            for e in reversed(found.logs[-SHOWN:])
        )
        blocks.append(
            Items(logs, heading=Localized("Dernières preuves", "Last evidence").get(lang))
        )
    return blocks


async def history_image(found: SkillHistory, services: Services, lang: Lang) -> Image:
    """The step chart of the skill, from the cache while the data and the day are unchanged
    (its data is only put together when it has to be drawn)."""
    name = labels.skill_name(services.kb, found.skill, lang)
    key = ("history", found.owner, found.skill, found.version, found.today, lang)
    png = await cached_drawing(
        services, key, lambda: history_png(history_data(found, services, name, lang))
    )
    return Image(
        f"history-{safe_name(found.user)}-{found.skill}.png", png, history_alt(found, name, lang)
    )


def history_data(found: SkillHistory, services: Services, name: str, lang: Lang) -> HistoryData:
    """What the chart draws: the ratings and logs in local time, the target and the goal."""
    target = services.kb.skills[found.skill].target
    return HistoryData(
        title=Localized(f"{name} : historique", f"{name}: history").get(lang),
        times=tuple(_local(p.created_at, found.tz) for p in found.points),
        levels=tuple(p.level for p in found.points),
        until=datetime.combine(found.today + timedelta(days=1), time()),  # naive local time
        target=target,
        goal=found.goal,
        logs=tuple(_local(e.created_at, found.tz) for e in found.logs),
        names=(
            Localized("Votre note", "Your rating").get(lang),
            Localized(f"Cible CTO {target}/5", f"CTO target {target}/5").get(lang),
            goal_name(found.goal, found.goal_setter).get(lang),
            Localized("Preuve consignée", "Evidence logged").get(lang),
        ),
        months=labels.MONTHS[lang],
    )


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment`` as a naive local time: the chart's axis then shows the learner's dates."""
    return moment.astimezone(tz).replace(tzinfo=None)


def goal_name(goal: int | None, setter: str | None) -> Localized:
    """The goal line's legend: the level and who set it (the mentor is named in the text)."""
    if setter is None:
        return Localized(
            f"Votre objectif {goal}/5 (fixé par vous)", f"Your goal {goal}/5 (set by you)"
        )
    return Localized(
        f"Votre objectif {goal}/5 (fixé par votre mentor)",
        f"Your goal {goal}/5 (set by your mentor)",
    )


def history_alt(found: SkillHistory, name: str, lang: Lang) -> str:
    """The history in words: first and last rating with their dates, goal, evidence count."""
    first, last = found.points[0], found.points[-1]
    since, now = labels.day(first.created_at, found.tz), labels.day(last.created_at, found.tz)
    text = Localized(
        f"{name} : de {first.level}/5 le {since} à {last.level}/5 le {now}, "
        f"{len(found.points)} note(s), {len(found.logs)} preuve(s) consignée(s)",
        f"{name}: from {first.level}/5 on {since} to {last.level}/5 on {now}, "
        f"{len(found.points)} rating(s), {len(found.logs)} evidence log(s)",
    )
    if found.goal is not None:
        text = Localized(f"{text.fr}, objectif {found.goal}/5", f"{text.en}, goal {found.goal}/5")
    return text.get(lang)
