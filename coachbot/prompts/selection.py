"""Which tip a learner gets next: a pure, deterministic function of what they saw and said.

Rules, in order:

1. **No repeat before the whole set is seen.** History is split into cycles; a cycle
   ends when every current tip has been served once. Only tips unseen in the current
   cycle are candidates.
2. **Rotate categories.** A tip of the previous tip's category is taken only when no
   other category is left among the candidates.
3. **Score the rest** (highest wins):
   focus skill +4; the three lowest-rated skills +3/+2/+1; a tip for the slot of the
   day the prompt arrives in +1. Feedback on the latest tip of a skill steers it:
   *skip* -6 for that skill during the next ``SKIP_WINDOW`` prompts; *too easy* -6 for
   that skill during ``EASY_WINDOW`` prompts and +1 for skills the catalog rates harder
   (a higher target level); *too hard* -4 for the next ``HARD_REST`` prompts (a rest),
   then +3 until one of that skill's other tips is served.
4. **Ties** are broken by a stable hash of (seed, tip id), the seed being the learner,
   so two learners in the same state do not march through the tips in the same order.

``Catalog`` holds what every choice reuses (built once for a batch of learners).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time

from coachbot.knowledge.models import DaySlot, Skill, Tip

FOCUS = 4
WEAKEST = (3, 2, 1)
SLOT = 1
SKIP, SKIP_WINDOW = -6, 5
TOO_EASY, EASY_WINDOW, HARDER = -6, 10, 1
TOO_HARD, HARD_REST, REVISIT = -4, 2, 3


@dataclass(frozen=True, slots=True)
class Served:
    """A tip the learner received, and what they pressed on it (done, skip, too_easy...)."""

    tip_id: str
    feedback: str | None = None


@dataclass(frozen=True, slots=True)
class LearnerState:
    """Everything selection depends on; the same state always yields the same tip."""

    history: tuple[Served, ...] = ()  # oldest first
    focus_skill: str | None = None
    weakest: tuple[str, ...] = ()  # lowest-rated skills first
    slot: str | None = None
    seed: int = 0


@dataclass(frozen=True, slots=True)
class SkillFeedback:
    """The feedback on the latest tip served for one skill, and how many prompts ago."""

    feedback: str | None
    age: int


def choose_tip(tips: Sequence[Tip], skills: Mapping[str, Skill], state: LearnerState) -> Tip:
    """The next tip for ``state`` (``tips`` must not be empty)."""
    return Catalog.of(tips, skills).choose(state)


@dataclass(frozen=True)
class Catalog:
    """The tips and skills choices are made from, indexed once for many choices."""

    tips: tuple[Tip, ...]
    skills: Mapping[str, Skill]
    by_id: dict[str, Tip] = field(default_factory=dict)
    tip_skills: frozenset[str] = frozenset()

    @classmethod
    def of(cls, tips: Sequence[Tip], skills: Mapping[str, Skill]) -> Catalog:
        """The catalog of ``tips`` (not empty) and ``skills``."""
        return cls(tuple(tips), skills, {t.id: t for t in tips}, frozenset(t.skill for t in tips))

    def choose(self, state: LearnerState) -> Tip:
        """The next tip for ``state``: the best score, ties broken by ``_tie``."""
        served = [self.by_id[s.tip_id] for s in state.history if s.tip_id in self.by_id]
        candidates = rotate_category(unseen(self.tips, served), served[-1] if served else None)
        base = self._skill_scores(state, skill_feedback(state.history, self.by_id))
        scores = [base.get(t.skill, 0) + _slot(t, state.slot) for t in candidates]
        best = max(scores)
        tied = [t for t, value in zip(candidates, scores, strict=True) if value == best]
        if len(tied) == 1:
            return tied[0]
        return max(tied, key=lambda t: (-_tie(state.seed, t.id), t.id))

    def _skill_scores(
        self, state: LearnerState, steering: Mapping[str, SkillFeedback]
    ) -> dict[str, int]:
        """``score`` without the slot part, for each skill of the tips: the same for all
        of a skill's tips."""
        weak = dict(zip(state.weakest, WEAKEST, strict=False))
        easy = [
            self.skills[s].target
            for s, last in steering.items()
            if last.feedback == "too_easy" and last.age < EASY_WINDOW and s in self.skills
        ]
        harder_than = min(easy, default=None)
        out = {}
        for skill_id in self.tip_skills:
            value = FOCUS if skill_id == state.focus_skill else 0
            value += weak.get(skill_id, 0) + _own_feedback(steering.get(skill_id))
            own = self.skills.get(skill_id)
            if harder_than is not None and own is not None and own.target > harder_than:
                value += HARDER
            out[skill_id] = value
        return out


def _slot(tip: Tip, slot: str | None) -> int:
    return SLOT if slot is not None and tip.slot == slot else 0


def unseen(tips: Sequence[Tip], served: Iterable[Tip]) -> list[Tip]:
    """The tips not yet served in the current cycle (all of them when a cycle just ended)."""
    everything = {t.id for t in tips}
    seen: set[str] = set()
    for tip in served:
        seen.add(tip.id)
        if seen >= everything:
            seen = set()
    return [t for t in tips if t.id not in seen]


def rotate_category(candidates: list[Tip], previous: Tip | None) -> list[Tip]:
    """``candidates`` outside the previous tip's category, unless none is left."""
    if previous is None:
        return candidates
    other = [t for t in candidates if t.category != previous.category]
    return other or candidates


def skill_feedback(history: Sequence[Served], by_id: Mapping[str, Tip]) -> dict[str, SkillFeedback]:
    """For each skill served, the feedback on its latest tip and the prompts since then."""
    latest: dict[str, SkillFeedback] = {}
    for age, item in enumerate(reversed(history)):
        tip = by_id.get(item.tip_id)
        if tip is not None and tip.skill not in latest:
            latest[tip.skill] = SkillFeedback(item.feedback, age)
    return latest


def score(
    tip: Tip,
    state: LearnerState,
    skills: Mapping[str, Skill],
    steering: Mapping[str, SkillFeedback],
) -> int:
    """How much ``tip`` suits the learner now (see the module docstring for the weights)."""
    value = FOCUS if tip.skill == state.focus_skill else 0
    value += dict(zip(state.weakest, WEAKEST, strict=False)).get(tip.skill, 0)
    value += SLOT if state.slot is not None and tip.slot == state.slot else 0
    value += _own_feedback(steering.get(tip.skill))
    return value + _harder_bonus(tip, skills, steering)


def _own_feedback(last: SkillFeedback | None) -> int:
    if last is None:
        return 0
    if last.feedback == "skip" and last.age < SKIP_WINDOW:
        return SKIP
    if last.feedback == "too_easy" and last.age < EASY_WINDOW:
        return TOO_EASY
    if last.feedback == "too_hard":
        return TOO_HARD if last.age < HARD_REST else REVISIT
    return 0


def _harder_bonus(
    tip: Tip, skills: Mapping[str, Skill], steering: Mapping[str, SkillFeedback]
) -> int:
    """+1 when the catalog rates ``tip``'s skill harder than one recently found too easy."""
    own = skills.get(tip.skill)
    if own is None:
        return 0
    for skill_id, last in steering.items():
        easy = skills.get(skill_id)
        recent = last.feedback == "too_easy" and last.age < EASY_WINDOW
        if recent and easy is not None and own.target > easy.target:
            return HARDER
    return 0


def _tie(seed: int, tip_id: str) -> int:
    """A hash stable across processes (``hash()`` is salted per process)."""
    digest = hashlib.blake2b(f"{seed}:{tip_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def slot_at(day: Sequence[DaySlot], at: time) -> str | None:
    """The typical-day slot covering ``at`` (a prompt at 08:30 is in morning planning)."""
    return next((s.id for s in day if s.start <= at < s.end), None)
