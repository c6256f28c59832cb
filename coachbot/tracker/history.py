"""``/progress history``: one skill over time, as a step chart and the last entries."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coachbot.i18n import Lang, Localized
from coachbot.identity import PersonRef
from coachbot.markup import escape
from coachbot.reply import Block, Image, Items, Reply, Text
from coachbot.services import Services
from coachbot.tracker import labels
from coachbot.tracker.activity import find_with_zone, local_date
from coachbot.tracker.charts import HistoryData, cached_png, history_png
from coachbot.tracker.repository import (
    Entry,
    RatingPoint,
    evidence_log,
    focus_goal,
    goal_setter,
    rating_history,
    row_id,
    versions,
)
from coachbot.tracker.show import safe_name
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
    logs: list[Entry]
    goal: int | None
    version: tuple[int, int]
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
            logs=await evidence_log(session=session, person_id=pid, skill_id=skill, newest=SHOWN),
            goal=goal.target_level if goal else None,
            version=(await versions(session=session, person_id=pid)).chart,
            goal_setter=await goal_setter(session=session, goal=goal),
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
            for e in reversed(found.logs)
        )
        blocks.append(
            Items(logs, heading=Localized("Dernières preuves", "Last evidence").get(lang))
        )
    return blocks


async def history_image(found: SkillHistory, services: Services, lang: Lang) -> Image:
    """The step chart of the skill, from the cache while the data and the day are unchanged."""
    name = labels.skill_name(services.kb, found.skill, lang)
    data = HistoryData(
        title=name,
        times=tuple(p.created_at.astimezone(found.tz).replace(tzinfo=None) for p in found.points),
        levels=tuple(p.level for p in found.points),
        until=datetime.combine(found.today + timedelta(days=1), time()),  # naive local time
        target=services.kb.skills[found.skill].target,
        goal=found.goal,
        legend=(
            Localized("Votre note", "Your rating").get(lang),
            Localized("Cible CTO", "CTO target").get(lang),
            Localized("Votre objectif", "Your goal").get(lang),
        ),
    )
    key = ("history", found.owner, found.skill, found.version, found.today, lang)
    png = await cached_png(services, key, history_png, data)
    alt = Localized(f"Évolution de {name}", f"{name} over time").get(lang)
    return Image(f"history-{safe_name(found.user)}-{found.skill}.png", png, alt)
