"""What the progress overview shows, read once from the database (pictures and text share it)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from coachbot.tracker.milestones import Reached
from coachbot.tracker.readiness import Readiness
from coachbot.tracker.repository import Focus, NoteView
from coachbot.tracker.snapshot import Entry


@dataclass(frozen=True)
class Overview:
    """Everything the overview shows, read from the database."""

    person_id: int
    owner: Hashable  # whose data, for cache keys (see snapshot.owner)
    user: str
    tz: ZoneInfo
    today: date
    ratings: Mapping[str, int]
    past: Mapping[str, int]
    readiness: Readiness
    goal: Focus | None
    streak: int
    entries: list[Entry]
    version: tuple[int, ...]
    goal_setter: str | None = None  # the user id of the mentor who set the focus, if one did
    mentor: str | None = None  # the user id of the mentor viewing, for ``/mentor view``
    notes: list[NoteView] = field(default_factory=list)
    announced: list[Reached] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when the learner has recorded nothing yet (mentor notes aside)."""
        return not (self.ratings or self.entries or self.goal or self.streak)
