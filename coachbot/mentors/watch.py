"""What alerts need to know about the learners whose mentors opted in, read in a few batch
queries (not a few per learner), so a scheduler tick stays cheap with many links."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, exists, func, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select, SelectOfScalar

from coachbot.db.models import Activity, Evidence, MentorLink, Person, Rating, Workspace
from coachbot.mentors.links import ACTIVE
from coachbot.tracker.activity import STREAK_KINDS, local_date, zone

LOOKBACK_DAYS = 7  # older events are not news: opting in does not replay the past
STREAK_WINDOW_DAYS = 62  # how far back a broken streak is counted


@dataclass(frozen=True, slots=True)
class Drop:
    """A skill whose newest rating is below the one before it."""

    skill_id: str
    before: int
    now: int
    at: datetime


@dataclass
class LearnerFacts:
    """One learner's recent history, as the alert rules read it."""

    tz: ZoneInfo
    today: date
    days: set[date] = field(default_factory=set)  # local days with streak activity
    last_evidence: datetime | None = None
    drops: list[Drop] = field(default_factory=list)  # newest rating given in the lookback


async def watched_links(
    session: AsyncSession, platforms: Collection[str]
) -> list[tuple[MentorLink, Person, Person]]:
    """Active links whose mentor, on one of ``platforms``, opted in to alerts, with the
    mentor and the learner."""
    mentor, learner = aliased(Person), aliased(Person)
    query = (
        select(MentorLink, mentor, learner)
        .join(mentor, col(mentor.id) == col(MentorLink.mentor_id))
        .join(learner, col(learner.id) == col(MentorLink.learner_id))
        .where(*_watched(platforms))
        .order_by(col(MentorLink.id))
    )
    return list(await session.exec(query))


async def learner_facts(
    *,
    session: AsyncSession,
    learners: list[Person],
    now: datetime,
    default_timezone: str,
    platforms: Collection[str],
) -> dict[int, LearnerFacts]:
    """The facts of ``learners``, the learners of ``watched_links(session, platforms)``,
    by person id."""
    zones = await _zones(session, learners, default_timezone)
    facts = {
        p.id: LearnerFacts(zones[p.id], local_date(now, zones[p.id]))
        for p in learners
        if p.id is not None
    }
    watched = _watched_learners(platforms)
    since = now.date() - timedelta(days=1 + LOOKBACK_DAYS + STREAK_WINDOW_DAYS)
    for pid, day in await session.exec(_activity_days(watched, since)):
        facts[pid].days.add(day)
    for pid, last in await session.exec(_last_evidence(watched)):
        facts[pid].last_evidence = last
    for pid, drop in await _drops(session, watched, now - timedelta(days=LOOKBACK_DAYS)):
        facts[pid].drops.append(drop)
    return facts


def _watched(platforms: Collection[str]) -> tuple[ColumnElement[bool], ...]:
    """Active links with alerts on whose mentor is on one of ``platforms`` (a link never
    crosses workspaces, so its learner is on the same platform)."""
    mentor_on = exists().where(
        col(Person.id) == col(MentorLink.mentor_id), col(Person.platform).in_(platforms)
    )
    return (col(MentorLink.status) == ACTIVE, col(MentorLink.alerts).is_(True), mentor_on)


def _watched_learners(platforms: Collection[str]) -> SelectOfScalar[int]:
    return select(MentorLink.learner_id).where(*_watched(platforms))


async def _zones(
    session: AsyncSession, learners: list[Person], default: str
) -> dict[int | None, ZoneInfo]:
    """Each learner's timezone: theirs, else their workspace's, else ``default``."""
    rows = await session.exec(select(Workspace).where(col(Workspace.timezone).is_not(None)))
    spaces = {(w.platform, w.workspace): w.timezone for w in rows}
    return {
        p.id: zone(p.timezone or spaces.get((p.platform, p.workspace)), default) for p in learners
    }


def _activity_days(watched: SelectOfScalar[int], since: date) -> Select[int, date]:
    return select(Activity.person_id, col(Activity.local_date)).where(
        col(Activity.person_id).in_(watched),
        col(Activity.kind).in_(STREAK_KINDS),
        col(Activity.local_date) >= since,
    )


def _last_evidence(watched: SelectOfScalar[int]) -> Select[int, datetime]:
    return (
        select(Evidence.person_id, func.max(Evidence.created_at))
        .where(col(Evidence.person_id).in_(watched))
        .group_by(col(Evidence.person_id))
    )


async def _drops(
    session: AsyncSession, watched: SelectOfScalar[int], cutoff: datetime
) -> list[tuple[int, Drop]]:
    """(learner, drop) for each skill rated since ``cutoff`` whose newest rating went down."""
    recent = select(Rating.person_id, Rating.skill_id).where(
        col(Rating.person_id).in_(watched), col(Rating.created_at) >= cutoff
    )
    order = (col(Rating.created_at).desc(), col(Rating.id).desc())
    rank = func.row_number().over(
        partition_by=(col(Rating.person_id), col(Rating.skill_id)), order_by=order
    )
    ranked = (
        sa_select(
            col(Rating.person_id),
            col(Rating.skill_id),
            col(Rating.level),
            col(Rating.created_at),
            rank.label("n"),
        )
        .where(tuple_(col(Rating.person_id), col(Rating.skill_id)).in_(recent))
        .subquery()
    )
    newest_two: dict[tuple[int, str], list[tuple[int, datetime]]] = defaultdict(list)
    c = ranked.c
    query = select(c.person_id, c.skill_id, c.level, c.created_at).where(c.n <= 2).order_by(c.n)
    for pid, skill, level, at in await session.exec(query):
        newest_two[(pid, skill)].append((level, at))
    return [
        (pid, Drop(skill, pair[1][0], pair[0][0], pair[0][1]))
        for (pid, skill), pair in sorted(newest_two.items())
        if len(pair) == 2 and pair[0][0] < pair[1][0]
    ]
