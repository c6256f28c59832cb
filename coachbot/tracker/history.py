"""``/progress history``: one skill over time, as a step chart and the last entries."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coachbot.i18n import Lang, Localized
from coachbot.identity import PersonRef, safe_name
from coachbot.markup import escape
from coachbot.reply import Block, Image, Items, Reply, Text
from coachbot.services import Services
from coachbot.tracker import labels
from coachbot.tracker.activity import find_with_zone, local_date
from coachbot.tracker.charts import HistoryData, cached_png, history_png
from coachbot.tracker.repository import (
    Entry,
    RatingPoint,
    Versions,
    evidence_log,
    focus_goal,
    goal_setter,
    rating_history,
    row_id,
    versions,
)
from coachbot.tracker.snapshot import owner

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
    """What the history of ``skill`` shows, or None for someone who never used the bot."""
    default = services.settings.bot.default_timezone
    async with services.database().session() as session:
        found = await find_with_zone(session=session, ref=ref, default=default)
        if found is None:
            return None
        person, tz = found
        pid = row_id(person)
        goal = await focus_goal(session=session, person_id=pid)
        goal = goal if goal is not None and goal.skill_id == skill else None
        return SkillHistory(
            skill=skill,
            user=person.user_id,
            owner=owner(person),
            tz=tz,
            today=local_date(services.clock.now(), tz),
            points=await rating_history(session=session, person_id=pid, skill_id=skill),
            logs=await evidence_log(session=session, person_id=pid, skill_id=skill),
            goal=goal.target_level if goal else None,
            version=_version(await versions(session=session, person_id=pid)),
            goal_setter=await goal_setter(session=session, goal=goal),
        )


def _version(found: Versions) -> tuple[int, int, int]:
    """What the history picture depends on: ratings, goals and (its markers) evidence."""
    return (*found.chart, found.evidence)


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
    """The step chart of the skill, from the cache while the data and the day are unchanged."""
    name = labels.skill_name(services.kb, found.skill, lang)
    target = services.kb.skills[found.skill].target
    data = HistoryData(
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
    key = ("history", found.owner, found.skill, found.version, found.today, lang)
    png = await cached_png(services, key, history_png, data)
    return Image(
        f"history-{safe_name(found.user)}-{found.skill}.png", png, history_alt(found, name, lang)
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
