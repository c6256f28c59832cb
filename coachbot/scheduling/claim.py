"""Claiming: the one short transaction that turns what is due on one platform into held
delivery rows (``states.py`` says what each state means).

A claim first takes over the rows whose lease has passed (a crashed process's, or retries
that are due), oldest first, then takes due subscriptions (``next_due_at <= now``, read
through its index, locked with ``FOR NO KEY UPDATE SKIP LOCKED`` on PostgreSQL so
concurrent processes split the work; on SQLite the transaction takes the write lock
first). Deciding once per group of subscriptions that share a schedule and a due time, it
records the occurrence to send as a ``claimed`` row, unique on (subscription, local date),
records older occurrences as ``missed``, and moves ``next_due_at`` to the next occurrence:
``next_due_at`` is only ever "the next occurrence", never a lease. A day whose row exists
already (``/coach tip`` showed it, a timezone change landed on the same date) is handled.

It never takes more than ``limit``: what the platform can send within one lease.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from coachbot.db.models import metadata
from coachbot.identity import PersonRef
from coachbot.scheduling.bulk import (
    Claimed,
    DayRows,
    NewDeliveries,
    begin_claim,
    insert_deliveries,
    set_next_due,
    take_due,
    typed_due_columns,
)
from coachbot.scheduling.due import Schedule, days_from_mask, next_due, parse_local_time
from coachbot.scheduling.states import (
    DELIVERY,
    LEASE,
    LIVE,
    DatabaseClock,
    LeaseClock,
    State,
    in_states,
    move,
)

SUB: Table = metadata.tables["subscription"]
PERSON: Table = metadata.tables["person"]
TICK = timedelta(microseconds=1)
ZERO = timedelta(0)
# After a long outage, at most this much history is recorded as missed, one row a day.
MISSED_SPAN = timedelta(days=31)
BATCH_SIZE = 5_000


@dataclass(frozen=True)
class ClaimConfig:
    """How one process claims."""

    instance: str
    platforms: tuple[str, ...]
    batch_size: int = BATCH_SIZE
    catch_up: timedelta = timedelta(hours=6)
    lease: timedelta = LEASE
    lease_clock: LeaseClock = field(default_factory=DatabaseClock)


@dataclass(frozen=True, slots=True)
class Planned:
    """A held prompt, ready to send."""

    delivery_id: int
    subscription_id: int
    person_id: int
    platform: str
    workspace: str
    user_id: str
    channel: str | None
    language: str
    local_time: str  # the subscriber's HH:MM: the slot of the day the tip is chosen for
    nonce: str
    tip_id: str
    attempts: int
    due_at: datetime
    local_date: date

    @property
    def person(self) -> PersonRef:
        """Who the prompt is for."""
        return PersonRef(self.platform, self.workspace, self.user_id)


@dataclass
class Claim:
    """What one claim transaction did."""

    seen: int = 0
    more: bool = False  # a full batch: more may be due
    planned: list[Planned] = field(default_factory=list)
    retried: int = 0
    missed: int = 0
    expired: int = 0
    already_handled: int = 0


@dataclass(frozen=True, slots=True)
class DueRow:
    """A due subscription and its person, as the claim decides on them."""

    id: int
    person_id: int
    local_time: str
    timezone: str
    days: int
    skip_holidays: str | None
    paused_until: date | None
    active: bool
    failing: bool
    next_due_at: datetime
    where: str
    channel_id: str | None
    language: str
    platform: str
    workspace: str
    user_id: str

    @classmethod
    def of(cls, raw: Sequence[Any]) -> DueRow:
        """A row as the driver returns ``bulk.DUE_COLUMNS`` (on SQLite dates and datetimes
        are still text and booleans integers), with Python values."""
        row = cls(*raw)
        paused_until, active, failing, next_due_at = typed_due_columns(
            row.paused_until, row.active, row.failing, row.next_due_at
        )
        return cls(
            row.id, row.person_id, row.local_time, row.timezone, row.days, row.skip_holidays,
            paused_until, active, failing, next_due_at, row.where, row.channel_id,
            row.language, row.platform, row.workspace, row.user_id,
        )  # fmt: skip

    def schedule_key(self) -> tuple[Any, ...]:
        """What the schedule depends on (local time, timezone, days, holidays, pause)."""
        return (self.local_time, self.timezone, self.days, self.skip_holidays, self.paused_until)

    def decision_key(self) -> tuple[Any, ...]:
        """What the claim's decision depends on: the schedule, whether it is active or
        failing, and the due time."""
        return (*self.schedule_key(), self.active, self.failing, self.next_due_at)


@dataclass(frozen=True)
class Occurrences:
    """The occurrences of a schedule from a point up to ``now``, sorted by what to do."""

    missed: tuple[tuple[datetime, date], ...]
    due: tuple[datetime, date] | None
    following: datetime | None


def occurrences(
    schedule: Schedule, after: datetime, now: datetime, catch_up: timedelta
) -> Occurrences:
    """Occurrences in (after, now]: the newest within ``catch_up`` is due, older ones missed."""
    after = max(after, now - MISSED_SPAN)
    missed: list[tuple[datetime, date]] = []
    due = None
    occurrence = next_due(schedule, after)
    while occurrence is not None and occurrence[0] <= now:
        if due is not None:
            missed.append(due)
        due = None
        if now - occurrence[0] <= catch_up:
            due = occurrence
        else:
            missed.append(occurrence)
        occurrence = next_due(schedule, occurrence[0])
    return Occurrences(tuple(missed), due, occurrence[0] if occurrence else None)


def schedule_of_row(row: DueRow) -> Schedule:
    """The schedule of a selected subscription row."""
    return Schedule(
        local_time=parse_local_time(row.local_time),
        timezone=row.timezone,
        days=days_from_mask(row.days),
        skip_holidays=row.skip_holidays,
        paused_until=row.paused_until,
    )


async def claim_batch(
    conn: AsyncConnection, *, now: datetime, config: ClaimConfig, platform: str, limit: int
) -> Claim:
    """Claim up to ``limit`` prompts of ``platform`` inside the caller's transaction (which
    must not have started: on SQLite it begins it as a writer): expired leases first,
    then due subscriptions."""
    await begin_claim(conn)
    dialect = conn.dialect.name
    until: datetime = (
        await conn.execute(select(config.lease_clock.at(config.lease, dialect)))
    ).scalar_one()
    claim = Claim()
    taken_over = await _take_over_expired(conn, now, config, platform, limit, until)
    claim.planned.extend(taken_over.planned)
    claim.retried, claim.expired = len(taken_over.planned), taken_over.expired
    room = limit - len(taken_over.planned) - taken_over.expired
    if room <= 0:
        claim.more = True
        return claim
    taken = await take_due(conn, now=now, platform=platform, limit=room)
    claim.seen = len(taken)
    if taken:
        plan = _Plan(now, config, Claimed(now, config.instance, until))
        plan.add_all(DueRow.of(r) for r in taken)
        await plan.write(conn, claim)
    claim.more = len(taken) == room
    return claim


@dataclass
class _TakenOver:
    planned: list[Planned] = field(default_factory=list)
    expired: int = 0


async def _take_over_expired(
    conn: AsyncConnection,
    now: datetime,
    config: ClaimConfig,
    platform: str,
    limit: int,
    until: datetime,
) -> _TakenOver:
    """Hold the live rows of ``platform`` whose lease has passed (a crashed holder's, or a
    due retry); those past the catch-up window become ``failed`` (tried) or ``missed``."""
    d, p = DELIVERY.c, PERSON.c
    expired = d.claimed_until <= config.lease_clock.at(ZERO, conn.dialect.name)
    live = in_states(LIVE)
    # On SQLite, a bare ``person.platform`` lures the planner into walking every person of
    # the platform (its unique index leads with it); as an expression it starts from the
    # lease index, which holds only the few live rows, as PostgreSQL's planner does.
    platform_of = p.platform.concat("") if conn.dialect.name == "sqlite" else p.platform
    oldest = (
        select(d.id)
        .join(PERSON, p.id == d.person_id)
        .where(live, expired, platform_of == platform)
        .order_by(d.claimed_until)
        .limit(limit)
        .with_for_update(skip_locked=True, of=DELIVERY)
    )
    held = move(
        LIVE, State.CLAIMED, d.id.in_(oldest.scalar_subquery()), expired,
        claimed_by=config.instance, claimed_at=now, claimed_until=until,
    ).returning(
        d.id, d.subscription_id, d.nonce, d.tip_id, d.attempts, d.due_at, d.local_date
    )  # fmt: skip
    rows = sorted((await conn.execute(held)).all(), key=lambda r: (r.due_at, r.id))
    result = _TakenOver()
    if not rows:
        return result
    late = [r for r in rows if now - r.due_at > config.catch_up]
    await _give_up(conn, late)
    result.expired = len(late)
    fresh = [r for r in rows if now - r.due_at <= config.catch_up]
    subs = await _subscriptions(conn, [r.subscription_id for r in fresh])
    result.planned = [_planned(subs[r.subscription_id], r) for r in fresh]
    return result


async def _give_up(conn: AsyncConnection, rows: Sequence[Any]) -> None:
    """Rows whose catch-up window closed: ``failed`` if tried, else ``missed``."""
    d = DELIVERY.c
    for state, tried in ((State.FAILED, True), (State.MISSED, False)):
        ids = [r.id for r in rows if (r.attempts > 0) is tried]
        if ids:
            await conn.execute(move((State.CLAIMED,), state, d.id.in_(ids)))


async def _subscriptions(conn: AsyncConnection, ids: list[int]) -> dict[int, DueRow]:
    """The subscription and person of each id, as a claim reads them."""
    if not ids:
        return {}
    s, p = SUB.c, PERSON.c
    query = (
        select(
            s.id,
            s.person_id,
            s.local_time,
            s.timezone,
            s.days,
            s.skip_holidays,
            s.paused_until,
            s.active,
            s.failing,
            s.next_due_at,
            s.where,
            s.channel_id,
            s.language,
            p.platform,
            p.workspace,
            p.user_id,
        )
        .join(PERSON, p.id == s.person_id)
        .where(s.id.in_(ids))
    )
    return {row.id: DueRow.of(row) for row in (await conn.execute(query)).all()}


class _Plan:
    """Decisions for one batch of due subscriptions, then the few statements that apply them."""

    def __init__(self, now: datetime, config: ClaimConfig, claimed: Claimed) -> None:
        self.now, self.config, self.claimed = now, config, claimed
        self.inserts = NewDeliveries()
        self.to_send: dict[int, tuple[DueRow, Occurrences]] = {}
        self.pointers: dict[int, datetime | None] = {}
        self._occurrences: dict[tuple[Any, ...], Occurrences] = {}

    def add_all(self, rows: Iterable[DueRow]) -> None:
        """Decide for due subscriptions, once per group that shares a decision key."""
        groups: dict[tuple[Any, ...], list[DueRow]] = defaultdict(list)
        for row in rows:
            groups[row.decision_key()].append(row)
        for group in groups.values():
            first = group[0]
            if not first.active or first.failing:
                self.pointers.update(dict.fromkeys((r.id for r in group), None))
                continue
            self._schedule(group, self._occurrences_of(first, first.next_due_at - TICK))

    def _schedule(self, rows: Sequence[DueRow], occ: Occurrences) -> None:
        """Rows for the missed occurrences and the due one of ``rows``, which share ``occ``."""
        ids, people = [r.id for r in rows], [r.person_id for r in rows]
        for due_at, local_date in occ.missed:
            self.inserts.add(DayRows(ids, people, local_date, due_at))
        self.pointers.update(dict.fromkeys(ids, occ.following))
        if occ.due is not None:
            self.inserts.add(DayRows(ids, people, occ.due[1], occ.due[0], self.claimed))
            self.to_send.update((r.id, (r, occ)) for r in rows)

    def _occurrences_of(self, row: DueRow, after: datetime) -> Occurrences:
        """Cached per (schedule, starting point): subscribers who share a schedule share it."""
        key = (row.schedule_key(), after)
        occ = self._occurrences.get(key)
        if occ is None:
            occ = occurrences(schedule_of_row(row), after, self.now, self.config.catch_up)
            self._occurrences[key] = occ
        return occ

    async def write(self, conn: AsyncConnection, claim: Claim) -> None:
        """Apply the decisions: the rows, then the new ``next_due_at``."""
        inserted = await insert_deliveries(conn, self.inserts)
        for delivery_id, subscription_id, status, nonce in inserted:
            if status == State.CLAIMED:
                row, occ = self.to_send.pop(subscription_id)
                claim.planned.append(_claimed(row, delivery_id, nonce, occ))
            else:
                claim.missed += 1
        claim.already_handled = len(self.to_send)  # their row for that day exists already
        await _move_pointers(conn, self.pointers)


def _claimed(row: DueRow, delivery_id: int, nonce: str, occ: Occurrences) -> Planned:
    """The prompt of a row this claim inserted."""
    assert occ.due is not None
    due_at, local_date = occ.due
    return _prompt(row, delivery_id, nonce, "", 0, due_at, local_date)


def _planned(row: DueRow, record: Any) -> Planned:
    """The prompt of a row taken over from an earlier claim (same tip, same nonce)."""
    return _prompt(
        row, record.id, record.nonce, record.tip_id, record.attempts, record.due_at,
        record.local_date,
    )  # fmt: skip


def _prompt(
    row: DueRow,
    delivery_id: int,
    nonce: str,
    tip_id: str,
    attempts: int,
    due_at: datetime,
    local_date: date,
) -> Planned:
    """The prompt to send for the subscription ``row`` and its delivery row."""
    return Planned(
        delivery_id=delivery_id,
        subscription_id=row.id,
        person_id=row.person_id,
        platform=row.platform,
        workspace=row.workspace,
        user_id=row.user_id,
        channel=row.channel_id if row.where == "channel" else None,
        language=row.language,
        local_time=row.local_time,
        nonce=nonce,
        tip_id=tip_id,
        attempts=attempts,
        due_at=due_at,
        local_date=local_date,
    )


async def _move_pointers(conn: AsyncConnection, pointers: dict[int, datetime | None]) -> None:
    """One UPDATE per distinct new value: subscriptions sharing a schedule share their next due."""
    groups: dict[datetime | None, list[int]] = defaultdict(list)
    for subscription_id, pointer in pointers.items():
        groups[pointer].append(subscription_id)
    for pointer, ids in groups.items():
        await set_next_due(conn, pointer, ids)
