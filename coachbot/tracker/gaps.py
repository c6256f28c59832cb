"""What to work on next: the skills furthest from their CTO target, in one order that the
gap chart and the mentor's one-on-one agenda both read (so the picture and the words agree)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from coachbot.knowledge.models import Skill


@dataclass(frozen=True, slots=True)
class NextSkill:
    """One skill to work on: its latest rating (None when not rated yet) and its target."""

    skill_id: str
    category: str
    rating: int | None
    target: int

    @property
    def gap(self) -> int | None:
        """Levels still missing to reach the target; None for a skill not rated yet."""
        return None if self.rating is None else max(self.target - self.rating, 0)


def next_skills(ratings: Mapping[str, int], skills: Mapping[str, Skill]) -> tuple[NextSkill, ...]:
    """Rated skills below their target, largest gap first, then the skills not rated yet.

    Ties among rated skills go to the higher target, then the id; unrated skills come
    highest target first, then by id. Skills at or above their target are left out.
    """
    rated = [_next(s, ratings.get(s.id)) for s in skills.values() if s.id in ratings]
    below = sorted(
        (n for n in rated if n.gap), key=lambda n: (-(n.gap or 0), -n.target, n.skill_id)
    )
    unrated = sorted(
        (_next(s, None) for s in skills.values() if s.id not in ratings),
        key=lambda n: (-n.target, n.skill_id),
    )
    return (*below, *unrated)


def _next(skill: Skill, rating: int | None) -> NextSkill:
    return NextSkill(skill.id, skill.category, rating, skill.target)
