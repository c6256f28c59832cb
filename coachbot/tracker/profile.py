"""A learner's profile as other features need it (daily tips pick from the weakest skills)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.knowledge.models import KnowledgeBase
from coachbot.tracker.readiness import weakest
from coachbot.tracker.repository import focus_goal, latest_ratings


@dataclass(frozen=True)
class LearnerProfile:
    """Focus goal, latest rating per skill, and skill ids from weakest to strongest."""

    focus_skill: str | None
    focus_target: int | None
    ratings: dict[str, int]
    weakest: tuple[str, ...]


async def learner_profile(
    *, session: AsyncSession, person_id: int, kb: KnowledgeBase
) -> LearnerProfile:
    """The learner's profile: ``weakest`` lists every catalog skill, lowest-rated first.

    Unrated skills count as 0; ties go to the higher profile target, then to the id.
    """
    ratings = {
        skill: level
        for skill, level in (await latest_ratings(session=session, person_id=person_id)).items()
        if skill in kb.skills
    }
    goal = await focus_goal(session=session, person_id=person_id)
    return LearnerProfile(
        focus_skill=goal.skill_id if goal else None,
        focus_target=goal.target_level if goal else None,
        ratings=ratings,
        weakest=weakest(ratings, kb.skills),
    )
