"""A learner's derived values (latest ratings, streak, focus...), memoized under their version.

Reading the versions costs one round trip of index lookups; recomputing the values
costs a scan of the person's rows, which grows with their history. So a learner with
thousands of entries pays the scan once per change, not once per command.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from coachbot.db.models import MentorNote, Person, Workspace
from coachbot.db.people import ensure_person
from coachbot.identity import PersonRef
from coachbot.services import Services
from coachbot.tracker.activity import person_zone, streak_state, zone
from coachbot.tracker.cache import memo
from coachbot.tracker.milestones import milestone_keys
from coachbot.tracker.repository import (
    Entry,
    Focus,
    Versions,
    focus_goal,
    latest_ratings,
    recent_entries,
    row_id,
    version_columns,
    versions,
)


@dataclass(frozen=True)
class Located:
    """A stored person with their timezone, data versions and count of unseen mentor notes."""

    person: Person
    tz: ZoneInfo
    versions: Versions
    unseen_notes: int


async def locate(*, session: AsyncSession, ref: PersonRef, default: str) -> Located | None:
    """The person ``ref`` names with everything the tracker reads first, in one round trip.

    The timezone is the person's, else their workspace's, else ``default``.
    """
    params = {"platform": ref.platform, "workspace": ref.workspace, "user": ref.user}
    row = (await session.exec(_locate_query(), params=params)).first()
    if row is None:
        return None
    person, workspace_zone, notes, *ids = row
    found = Versions(*(int(v or 0) for v in ids))
    return Located(person, zone(person.timezone or workspace_zone, default), found, int(notes))


@cache
def _locate_query() -> Select[*tuple[Any, ...]]:
    """Built once: constructing this statement costs more than running it."""
    unseen = (
        select(func.count(col(MentorNote.id)))
        .where(MentorNote.learner_id == Person.id, col(MentorNote.seen_at).is_(None))
        .scalar_subquery()
    )
    columns: list[Any] = [Person, col(Workspace.timezone), unseen]
    return (
        select(*columns, *version_columns(col(Person.id)))
        .outerjoin(
            Workspace,
            (col(Workspace.platform) == col(Person.platform))
            & (col(Workspace.workspace) == col(Person.workspace)),
        )
        .where(
            col(Person.platform) == bindparam("platform"),
            col(Person.workspace) == bindparam("workspace"),
            col(Person.user_id) == bindparam("user"),
        )
    )


async def ensure_located(
    *, session: AsyncSession, ref: PersonRef, default: str, now: datetime
) -> Located:
    """Like ``locate``, creating the person on first use."""
    found = await locate(session=session, ref=ref, default=default)
    if found is not None:
        return found
    person = await ensure_person(session=session, ref=ref, now=now)
    tz = await person_zone(session=session, person=person, default=default)
    return Located(person, tz, Versions(0, 0, 0, 0, 0), 0)


@dataclass(frozen=True)
class Snapshot:
    """The versions of a person's data and the values derived from them."""

    versions: Versions
    ratings: Mapping[str, int]
    streak: int
    today_done: bool  # today already counts in the streak
    goal: Focus | None
    milestones: frozenset[str]


async def snapshot(
    *,
    session: AsyncSession,
    services: Services,
    person: Person,
    today: date,
    known: Versions | None = None,
) -> Snapshot:
    """The person's latest ratings, streak as of ``today``, focus and milestones reached.

    One round trip reads the versions (none when ``known`` gives them); each value is
    recomputed only if its version moved.
    """
    person_id, who = row_id(person), owner(person)
    v = known or await versions(session=session, person_id=person_id)
    data = memo(services, "derived")
    ratings = await data.get(
        ("latest", who, v.rating),
        lambda: latest_ratings(session=session, person_id=person_id),
    )
    streak = await data.get(
        ("streak", who, v.activity, today),
        lambda: streak_state(session=session, person_id=person_id, today=today),
    )
    goal = await data.get(
        ("goal", who, v.goal), lambda: focus_goal(session=session, person_id=person_id)
    )
    reached = await data.get(
        ("milestones", who, v.milestone),
        lambda: milestone_keys(session=session, person_id=person_id),
    )
    return Snapshot(v, ratings, streak.days, streak.today_done, goal, reached)


async def ratings_at(
    *,
    session: AsyncSession,
    services: Services,
    person: Person,
    version: Versions,
    cutoff: datetime,
) -> Mapping[str, int]:
    """The person's latest ratings as they stood at ``cutoff``, from the memo when unchanged."""
    return await memo(services, "derived").get(
        ("at", owner(person), version.rating, cutoff),
        lambda: latest_ratings(session=session, person_id=row_id(person), at_or_before=cutoff),
    )


async def last_entries(
    *, session: AsyncSession, services: Services, person: Person, version: Versions, limit: int
) -> list[Entry]:
    """The ``limit`` newest ratings and logs, from the memo when neither changed."""
    return await memo(services, "derived").get(
        ("recent", owner(person), version.rating, version.evidence, limit),
        lambda: recent_entries(session=session, person_id=row_id(person), limit=limit),
    )


def owner(person: Person) -> tuple[int, datetime]:
    """Whose data a memo entry holds: the row id and creation time of the person.

    SQLite may give a deleted person's id to the next new one; the creation time keeps
    a newcomer from ever being served what was derived from a forgotten person's rows.
    """
    return (row_id(person), person.created_at)
