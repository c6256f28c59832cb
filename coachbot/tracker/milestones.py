"""Milestones: what a learner has reached (pure rules), and announcing each one only once.

A milestone is announced the first time it is seen reached: the unique
(person, key) row of the ``milestone`` table makes that true even when two
commands of the same person race. Each focus goal has its own key
(``goal_<id>``), so reaching a new goal is announced again; so does the news that a
mentor set the focus (``mentor_goal_<id>``), told once, on the learner's next overview.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.db.models import Milestone
from coachbot.i18n import Localized
from coachbot.knowledge.models import KnowledgeBase
from coachbot.markup import escape, mention
from coachbot.registry import Registry
from coachbot.tracker import labels, readiness
from coachbot.tracker.activity import current_streak
from coachbot.tracker.repository import Focus, Versions, focus_goal, latest_ratings, versions

STREAKS = (7, 30, 100)
READINESS_STEPS = (50, 80, 100)


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules look at."""

    has_rating: bool
    has_log: bool
    streak: int
    readiness: readiness.Readiness
    goal_id: int | None = None
    goal_skill: Localized | None = None  # the skill's name
    goal_target: int | None = None
    goal_level: int | None = None  # the learner's latest rating of the goal's skill


@dataclass(frozen=True, slots=True)
class Reached:
    """A milestone reached, with its announcement."""

    key: str
    message: Localized


def reached(facts: Facts, registry: Registry) -> list[Reached]:
    """Every milestone ``facts`` show as reached, whether already announced or not."""
    found = _firsts(facts) + _streaks(facts) + _levels(facts)
    if facts.goal_id is not None and (facts.goal_level or 0) >= (facts.goal_target or 99):
        name, goal = facts.goal_skill or Localized("", ""), labels.typed(registry, "progress goal")
        found.append(
            Reached(
                f"goal_{facts.goal_id}",
                Localized(
                    f"Objectif atteint : **{escape(name.fr)}** au niveau {facts.goal_target}/5. "
                    f"Choisissez le suivant avec `{goal.fr}`.",
                    f"Goal reached: **{escape(name.en)}** at level {facts.goal_target}/5. "
                    f"Pick the next one with `{goal.en}`.",
                ),
            )
        )
    return found


def mentor_focus(goal: Focus | None, setter: str | None, kb: KnowledgeBase) -> list[Reached]:
    """The news that the mentor ``setter`` (a user id) set the focus ``goal``; none when the
    learner set it. Keyed by the goal, so each focus a mentor sets is told once."""
    if goal is None or setter is None:
        return []
    skill = kb.skills.get(goal.skill_id)
    name = skill.name if skill else Localized(goal.skill_id, goal.skill_id)
    who, target = mention(setter), goal.target_level
    news = Localized(
        f"{who} vous a fixé un nouvel objectif : **{escape(name.fr)}** → {target}/5.",
        f"{who} set you a new focus: **{escape(name.en)}** → {target}/5.",
    )
    return [Reached(f"mentor_goal_{goal.id}", news)]


def _firsts(facts: Facts) -> list[Reached]:
    found = []
    if facts.has_rating:
        found.append(
            Reached(
                "first_rating",
                Localized(
                    "Première auto-évaluation : votre route vers le poste de CTO est tracée.",
                    "First self-rating: your road to CTO is on the map.",
                ),
            )
        )
    if facts.has_log:
        found.append(
            Reached(
                "first_log",
                Localized(
                    "Première preuve consignée : c'est ce qui convainc en entretien.",
                    "First evidence logged: this is what convinces in an interview.",
                ),
            )
        )
    return found


def _streaks(facts: Facts) -> list[Reached]:
    return [
        Reached(
            f"streak_{days}",
            Localized(
                f"{days} jours d'affilée : la régularité paie !",
                f"{days} days in a row: consistency pays off!",
            ),
        )
        for days in STREAKS
        if facts.streak >= days
    ]


def _levels(facts: Facts) -> list[Reached]:
    found = [
        Reached(
            f"readiness_{step}",
            Localized(
                f"Préparation CTO : {step} % du profil cible atteint.",
                f"CTO readiness: {step}% of the target profile reached.",
            ),
        )
        for step in READINESS_STEPS
        if facts.readiness.score >= step
    ]
    if facts.readiness.all_categories_at(readiness.MILESTONE_LEVEL):
        found.append(
            Reached(
                "all_categories_3",
                Localized(
                    "Toutes les catégories à 3/5 ou plus : un profil complet se dessine.",
                    "Every category at 3/5 or more: a well-rounded profile is taking shape.",
                ),
            )
        )
    return found


async def milestone_keys(*, session: AsyncSession, person_id: int) -> frozenset[str]:
    """The keys of the milestones the person reached."""
    query = select(Milestone.key).where(Milestone.person_id == person_id)
    return frozenset(await session.exec(query))


async def announce(
    *,
    session: AsyncSession,
    person_id: int,
    found: list[Reached],
    now: datetime,
    known: AbstractSet[str] | None = None,
) -> list[Reached]:
    """Record the milestones of ``found`` not recorded yet; return only those (in order).

    ``known``, the keys already reached, saves reading them when the caller has them.
    """
    if known is None:
        known = await milestone_keys(session=session, person_id=person_id)
    fresh = [r for r in found if r.key not in known]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    announced = []
    for item in fresh:
        row = {"person_id": person_id, "key": item.key, "reached_at": now}
        result = await session.exec(insert(Milestone).values(**row).on_conflict_do_nothing())
        if result.rowcount:
            announced.append(item)
    return announced


def make_facts(
    *,
    recorded: Versions,
    latest: Mapping[str, int],
    streak: int,
    goal: Focus | None,
    kb: KnowledgeBase,
) -> Facts:
    """The rules' view of a learner, from data already read."""
    skill = kb.skills.get(goal.skill_id) if goal else None
    return Facts(
        has_rating=recorded.rating > 0,
        has_log=recorded.evidence > 0,
        streak=streak,
        readiness=readiness.compute(latest, kb.skills),
        goal_id=goal.id if goal else None,
        goal_skill=skill.name if skill else None,
        goal_target=goal.target_level if goal else None,
        goal_level=latest.get(goal.skill_id) if goal else None,
    )


async def gather_facts(
    *, session: AsyncSession, person_id: int, kb: KnowledgeBase, today: date
) -> Facts:
    """Read from the database everything the rules look at."""
    return make_facts(
        recorded=await versions(session=session, person_id=person_id),
        latest=await latest_ratings(session=session, person_id=person_id),
        streak=await current_streak(session=session, person_id=person_id, today=today),
        goal=await focus_goal(session=session, person_id=person_id),
        kb=kb,
    )


async def check_milestones(
    *,
    session: AsyncSession,
    person_id: int,
    kb: KnowledgeBase,
    registry: Registry,
    today: date,
    now: datetime,
) -> list[Reached]:
    """Milestones newly reached by the person, recorded so they are never announced twice.

    Call it after anything that may reach one (a rating, a log, a goal, a completed prompt).
    """
    facts = await gather_facts(session=session, person_id=person_id, kb=kb, today=today)
    return await announce(
        session=session, person_id=person_id, found=reached(facts, registry), now=now
    )
