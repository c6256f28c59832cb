"""Local days and streaks: which day it is for a person, and how many days in a row they acted.

A person's day is read in their timezone, else their workspace's, else the bot's
default. The streak counts consecutive local days with an ``activity`` row of a kind
in ``STREAK_KINDS`` (an evidence log, a completed daily prompt).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.db.models import Activity, Person, Workspace
from coachbot.identity import PersonRef

STREAK_KINDS = ("log", "prompt_done")
_WINDOW = 62


def zone(name: str | None, fallback: str) -> ZoneInfo:
    """The timezone ``name``, or ``fallback`` when it is empty or unknown."""
    for candidate in (name, fallback, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


async def person_zone(*, session: AsyncSession, person: Person, default: str) -> ZoneInfo:
    """The person's timezone, else their workspace's, else ``default``."""
    if person.timezone:
        return zone(person.timezone, default)
    query = select(Workspace.timezone).where(
        Workspace.platform == person.platform, Workspace.workspace == person.workspace
    )
    return zone((await session.exec(query)).first(), default)


async def find_with_zone(
    *, session: AsyncSession, ref: PersonRef, default: str
) -> tuple[Person, ZoneInfo] | None:
    """The stored person for ``ref`` and their timezone (see ``person_zone``), in one query."""
    query = (
        select(Person, col(Workspace.timezone))
        .outerjoin(
            Workspace,
            (col(Workspace.platform) == col(Person.platform))
            & (col(Workspace.workspace) == col(Person.workspace)),
        )
        .where(
            Person.platform == ref.platform,
            Person.workspace == ref.workspace,
            Person.user_id == ref.user,
        )
    )
    row = (await session.exec(query)).first()
    if row is None:
        return None
    person, workspace_zone = row
    return person, zone(person.timezone or workspace_zone, default)


def local_date(now: datetime, tz: ZoneInfo) -> date:
    """The calendar day ``now`` falls on in ``tz``."""
    return now.astimezone(tz).date()


async def record_activity(
    *, session: AsyncSession, person_id: int, kind: str, local_date: date, now: datetime
) -> bool:
    """Note that the person did ``kind`` on ``local_date``; True the first time that day.

    Idempotent, also under concurrent calls: the unique (person, kind, day) row decides.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {"person_id": person_id, "kind": kind, "local_date": local_date, "created_at": now}
    statement = insert(Activity).values(**values).on_conflict_do_nothing()
    result = await session.exec(statement)
    return bool(result.rowcount)


async def current_streak(*, session: AsyncSession, person_id: int, today: date) -> int:
    """Consecutive active local days ending today, or yesterday while today is not done yet."""
    return (await streak_state(session=session, person_id=person_id, today=today)).days


@dataclass(frozen=True, slots=True)
class Streak:
    """The current streak, and whether today is already one of its days."""

    days: int
    today_done: bool


async def streak_state(*, session: AsyncSession, person_id: int, today: date) -> Streak:
    """The current streak (see ``current_streak``) and whether today already counts.

    Reads the last ``_WINDOW`` days, and older ones (each row once) only while the
    streak reaches back to the oldest day read.
    """
    active: set[date] = set()
    newest, span = today, _WINDOW
    while True:
        oldest = today - timedelta(days=span)
        active.update(await _active_days(session, person_id, since=oldest, until=newest))
        streak = count_streak(active, today)
        if streak < span:
            return Streak(streak, today in active)
        newest, span = oldest - timedelta(days=1), span * 8


def count_streak(days: Iterable[date], today: date) -> int:
    """The streak ending today or yesterday, from active ``days`` (any order, repeats allowed)."""
    active = set(days)
    day = today if today in active else today - timedelta(days=1)
    streak = 0
    while day in active:
        streak += 1
        day -= timedelta(days=1)
    return streak


async def _active_days(
    session: AsyncSession, person_id: int, *, since: date, until: date
) -> list[date]:
    query = select(col(Activity.local_date)).where(
        Activity.person_id == person_id,
        col(Activity.kind).in_(STREAK_KINDS),
        col(Activity.local_date) >= since,
        col(Activity.local_date) <= until,
    )
    return list(await session.exec(query))
