"""The readiness score against the target CTO profile, and per-category averages (pure).

Readiness = 100 × Σ min(rating, target) / Σ target, over every skill of the catalog:
the share of the target profile's points the learner reaches. Each skill's target
(``skills.toml``) is both its cap and its weight: rating a skill above its target
adds nothing, an unrated skill counts as 0, and skills the profile expects more of
(target 5: leadership, vision...) weigh more than those it expects less of (target 3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from coachbot.knowledge.models import CATEGORIES, Skill

MILESTONE_LEVEL = 3


@dataclass(frozen=True, slots=True)
class CategoryScore:
    """One category: the average of its rated skills and how many of its skills are rated."""

    category: str
    average: float | None  # None when no skill of the category is rated
    rated: int
    total: int
    readiness: float  # 0-100, same formula as the overall score, on this category only

    @property
    def complete(self) -> bool:
        """True when every skill of the category has a rating."""
        return self.rated == self.total


@dataclass(frozen=True, slots=True)
class Readiness:
    """The overall score (0-100) and the per-category detail, in catalog order."""

    score: float
    categories: tuple[CategoryScore, ...]

    def all_categories_at(self, level: int = MILESTONE_LEVEL) -> bool:
        """True when every skill is rated and every category averages ``level`` or more."""
        return all(c.complete and (c.average or 0) >= level for c in self.categories)


def readiness_score(ratings: Mapping[str, int], skills: Iterable[Skill]) -> float:
    """100 × Σ min(rating, target) / Σ target (0 for an empty catalog)."""
    chosen = list(skills)
    total = sum(s.target for s in chosen)
    reached = sum(min(ratings.get(s.id, 0), s.target) for s in chosen)
    return 100 * reached / total if total else 0.0


def category_score(
    category: str, ratings: Mapping[str, int], skills: Iterable[Skill]
) -> CategoryScore:
    """The average, coverage and readiness of one category."""
    members = [s for s in skills if s.category == category]
    levels = [ratings[s.id] for s in members if s.id in ratings]
    average = sum(levels) / len(levels) if levels else None
    return CategoryScore(
        category, average, len(levels), len(members), readiness_score(ratings, members)
    )


def compute(ratings: Mapping[str, int], skills: Mapping[str, Skill]) -> Readiness:
    """The readiness of a learner whose latest ratings are ``ratings``."""
    catalog = list(skills.values())
    present = [c for c in CATEGORIES if any(s.category == c for s in catalog)]
    return Readiness(
        readiness_score(ratings, catalog),
        tuple(category_score(c, ratings, catalog) for c in present),
    )


def weakest(ratings: Mapping[str, int], skills: Mapping[str, Skill]) -> tuple[str, ...]:
    """Skill ids, lowest-rated first (unrated = 0); ties by target (highest first), then id."""
    return tuple(
        s.id for s in sorted(skills.values(), key=lambda s: (ratings.get(s.id, 0), -s.target, s.id))
    )
