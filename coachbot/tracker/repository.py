"""The tracker's rows for one person: ratings, evidence, goals and the mentor notes they receive.

Every function takes the session and a ``person_id`` (resolved from a PersonRef by
``coachbot.db.people``), so nothing here can read across workspaces. Ratings and
evidence are only ever inserted: history is never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.db.models import Activity, Evidence, Goal, MentorNote, Milestone, Person, Rating


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the learner's journal: a rating (``level``) or a log (``note``)."""

    kind: str  # "rating" or "log"
    skill_id: str
    created_at: datetime
    level: int | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class NoteView:
    """A mentor's note as the learner sees it: who wrote it (user id), what, when, and
    whether the learner chose to put it in their report."""

    id: int
    mentor_user: str
    text: str
    created_at: datetime
    in_report: bool = False


@dataclass(frozen=True, slots=True)
class RatingPoint:
    """One self-rating in a skill's history."""

    skill_id: str
    level: int
    created_at: datetime


def row_id(row: Person | Rating | Evidence | Goal) -> int:
    """The database id of a stored row."""
    if row.id is None:
        raise ValueError("the row has not been saved yet")
    return row.id


async def record_rating(
    *, session: AsyncSession, person_id: int, skill_id: str, level: int, now: datetime
) -> Rating:
    """Add a self-rating; earlier ratings of the skill stay as they were."""
    rating = Rating(person_id=person_id, skill_id=skill_id, level=level, created_at=now)
    session.add(rating)
    await session.flush()
    return rating


async def record_evidence(
    *, session: AsyncSession, person_id: int, skill_id: str, note: str, now: datetime
) -> Evidence:
    """Add an evidence note, stored as written (NUL bytes aside: PostgreSQL cannot hold them)."""
    evidence = Evidence(
        person_id=person_id, skill_id=skill_id, note=note.replace("\x00", ""), created_at=now
    )
    session.add(evidence)
    await session.flush()
    return evidence


async def set_goal(
    *,
    session: AsyncSession,
    person_id: int,
    skill_id: str,
    level: int,
    now: datetime,
    set_by_id: int | None = None,
) -> Goal:
    """Make ``skill_id`` at ``level`` the focus; earlier goals stay, inactive, as history.

    ``set_by_id`` names the mentor who set it (None when the learner did).
    """
    await session.exec(
        update(Goal)
        .where(col(Goal.person_id) == person_id, col(Goal.active).is_(True))
        .values(active=False)
    )
    goal = Goal(
        person_id=person_id,
        skill_id=skill_id,
        target_level=level,
        set_by_id=set_by_id,
        created_at=now,
        active=True,
    )
    session.add(goal)
    await session.flush()
    return goal


@dataclass(frozen=True, slots=True)
class Focus:
    """The learner's current goal: a skill, a target level, and the mentor who set it, if any."""

    id: int
    skill_id: str
    target_level: int
    set_by_id: int | None = None


async def focus_goal(*, session: AsyncSession, person_id: int) -> Focus | None:
    """The newest active goal, if any."""
    query = (
        select(Goal.id, Goal.skill_id, Goal.target_level, Goal.set_by_id)
        .where(Goal.person_id == person_id, col(Goal.active).is_(True))
        .order_by(col(Goal.id).desc())
        .limit(1)
    )
    row = (await session.exec(query)).first()
    return Focus(int(row[0] or 0), row[1], row[2], row[3]) if row else None


async def goal_setter(*, session: AsyncSession, goal: Focus | None) -> str | None:
    """The user id of the mentor who set ``goal``, read afresh: None when the learner set it
    or the mentor has since erased their data (which clears ``set_by_id``, not the goal's id,
    so a memoized ``Focus`` may still carry it)."""
    if goal is None or goal.set_by_id is None:
        return None
    query = (
        select(Person.user_id)
        .join(Goal, col(Goal.set_by_id) == col(Person.id))
        .where(Goal.id == goal.id)
    )
    return (await session.exec(query)).first()


async def latest_ratings(
    *, session: AsyncSession, person_id: int, at_or_before: datetime | None = None
) -> dict[str, int]:
    """The newest level of every rated skill, optionally as it stood at ``at_or_before``."""
    newest = select(func.max(Rating.id)).where(Rating.person_id == person_id)
    if at_or_before is not None:
        newest = newest.where(col(Rating.created_at) <= at_or_before)
    query = select(Rating.skill_id, Rating.level).where(
        col(Rating.id).in_(newest.group_by(col(Rating.skill_id)))
    )
    return {skill: level for skill, level in await session.exec(query)}


async def rating_history(
    *, session: AsyncSession, person_id: int, skill_id: str | None = None
) -> list[RatingPoint]:
    """Every rating of the person (or of one skill), oldest first."""
    query = select(Rating.skill_id, Rating.level, Rating.created_at).where(
        Rating.person_id == person_id
    )
    if skill_id is not None:
        query = query.where(Rating.skill_id == skill_id)
    rows = await session.exec(query.order_by(col(Rating.id)))
    return [RatingPoint(skill, level, at) for skill, level, at in rows]


async def evidence_log(
    *,
    session: AsyncSession,
    person_id: int,
    skill_id: str | None = None,
    newest: int | None = None,
) -> list[Entry]:
    """The person's evidence notes (of one skill, the ``newest`` only), oldest first."""
    query = select(Evidence.skill_id, Evidence.note, Evidence.created_at).where(
        Evidence.person_id == person_id
    )
    if skill_id is not None:
        query = query.where(Evidence.skill_id == skill_id)
    rows = await session.exec(query.order_by(col(Evidence.id).desc()).limit(newest))
    return [Entry("log", skill, at, note=note) for skill, note, at in reversed(list(rows))]


async def recent_entries(*, session: AsyncSession, person_id: int, limit: int = 5) -> list[Entry]:
    """The ``limit`` newest ratings and logs together, newest first."""
    ratings = await session.exec(
        select(Rating.skill_id, Rating.level, Rating.created_at)
        .where(Rating.person_id == person_id)
        .order_by(col(Rating.id).desc())
        .limit(limit)
    )
    logs = await session.exec(
        select(Evidence.skill_id, Evidence.note, Evidence.created_at)
        .where(Evidence.person_id == person_id)
        .order_by(col(Evidence.id).desc())
        .limit(limit)
    )
    entries = [Entry("rating", s, at, level=lv) for s, lv, at in ratings]
    entries += [Entry("log", s, at, note=n) for s, n, at in logs]
    return sorted(entries, key=lambda e: e.created_at, reverse=True)[:limit]


@dataclass(frozen=True, slots=True)
class Versions:
    """The highest row id of each tracker table for one person (0 when they have none).

    Ratings, logs, activity days and milestones are only ever inserted, and goals only
    change when a newer goal is inserted, so each id moves exactly when its data changes:
    values derived from the rows (latest ratings, streak, charts) are cached under them.
    """

    rating: int
    goal: int
    evidence: int
    activity: int
    milestone: int

    @property
    def chart(self) -> tuple[int, int]:
        """What the radar depends on: ratings and goals."""
        return (self.rating, self.goal)


def version_columns(person_id: Any) -> list[Any]:
    """The highest row id of each tracker table for ``person_id``, as scalar subqueries.

    ``person_id`` is an id or a column (to correlate with a query on ``person``). Each reads only the table's ``person_id`` index (the row id is part of it).
    """
    return [
        select(func.max(col(table.id))).where(table.person_id == person_id).scalar_subquery()
        for table in (Rating, Goal, Evidence, Activity, Milestone)
    ]


async def versions(*, session: AsyncSession, person_id: int) -> Versions:
    """The person's ``Versions``, in one round trip."""
    row = (await session.exec(select(*version_columns(person_id)))).one()
    return Versions(*(int(v or 0) for v in row))


async def unseen_notes(*, session: AsyncSession, learner_id: int) -> list[NoteView]:
    """Mentor notes the learner has not seen yet, oldest first."""
    return await _notes(session, learner_id, unseen_only=True)


async def all_notes(*, session: AsyncSession, learner_id: int) -> list[NoteView]:
    """Every mentor note the learner received, oldest first."""
    return await _notes(session, learner_id, unseen_only=False)


async def chosen_notes(*, session: AsyncSession, learner_id: int) -> list[NoteView]:
    """The notes the learner chose to put in their report, oldest first."""
    return await _notes(session, learner_id, unseen_only=False, chosen_only=True)


async def choose_note(
    *, session: AsyncSession, learner_id: int, note_id: int, in_report: bool
) -> bool:
    """Put the note in the learner's report or leave it out; False when ``note_id`` is not a
    note to ``learner_id`` (so nobody else can choose for them)."""
    result = await session.exec(
        update(MentorNote)
        .where(col(MentorNote.id) == note_id, col(MentorNote.learner_id) == learner_id)
        .values(in_report=in_report)
    )
    return bool(result.rowcount)


async def mark_seen(*, session: AsyncSession, note_ids: list[int], now: datetime) -> None:
    """Remember that the learner saw these notes."""
    if note_ids:
        await session.exec(
            update(MentorNote).where(col(MentorNote.id).in_(note_ids)).values(seen_at=now)
        )


async def _notes(
    session: AsyncSession, learner_id: int, *, unseen_only: bool, chosen_only: bool = False
) -> list[NoteView]:
    query = (
        select(MentorNote, Person.user_id)
        .join(Person, col(Person.id) == col(MentorNote.mentor_id))
        .where(MentorNote.learner_id == learner_id)
        .order_by(col(MentorNote.id))
    )
    if unseen_only:
        query = query.where(col(MentorNote.seen_at).is_(None))
    if chosen_only:
        query = query.where(col(MentorNote.in_report).is_(True))
    return [
        NoteView(int(note.id or 0), mentor, note.text, note.created_at, note.in_report)
        for note, mentor in await session.exec(query)
    ]
