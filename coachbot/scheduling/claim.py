"""Claiming: the one short transaction that turns "due" subscriptions into delivery rows.

It takes a batch of due subscriptions (``next_due_at <= now``, read through its index,
locked with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so concurrent processes split the
work; on SQLite the transaction takes the write lock first). Deciding once per group of
subscriptions that share a schedule and a due time, it records the occurrence to send
as a ``claimed`` delivery row, unique on (subscription, local date), records older
occurrences as ``missed``, and moves ``next_due_at`` to a *lease marker* (``now +
lease``), or to the next occurrence when there is nothing to send. The marker is the
crash guard: if the process dies before the row is marked sent, the subscription comes
due again when the lease runs out, and whichever process claims it then finds the
``claimed`` row and sends it again with the same nonce. Marking the row sent moves
``next_due_at`` to the next occurrence.

Each step is a set-based statement (``bulk.py``); the rows are inserted before the
subscriptions are updated, so PostgreSQL's foreign-key checks find them already locked
by this transaction and write nothing more.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from coachbot.db.models import metadata
from coachbot.identity import PersonRef
from coachbot.scheduling.bulk import (
    DayRows,
    NewDeliveries,
    insert_deliveries,
    set_next_due,
    take_due,
    typed_due_columns,
)
from coachbot.scheduling.due import Schedule, days_from_mask, next_due, parse_local_time

SUB: Table = metadata.tables["subscription"]
DELIVERY: Table = metadata.tables["delivery"]
PERSON: Table = metadata.tables["person"]
TICK = timedelta(microseconds=1)
# After a long outage, at most this much history is recorded as missed, one row a day.
MISSED_SPAN = timedelta(days=31)
# Due subscriptions of platforms served elsewhere that one tick passes over, at most.
MAX_SKIPPED = 5_000
# A delivery row's local date is at most this far from its UTC due time's date.
DATE_SLACK = timedelta(days=2)
BATCH_SIZE = 5_000


@dataclass(frozen=True)
class ClaimConfig:
    """How one process claims."""

    instance: str
    platforms: tuple[str, ...]
    batch_size: int = BATCH_SIZE
    catch_up: timedelta = timedelta(hours=6)
    lease: timedelta = timedelta(minutes=2)


@dataclass
class Lease:
    """The marker a batch's subscriptions carry while their prompts are in flight."""

    marker: datetime
    subscription_ids: list[int] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Planned(NamedTuple):
    """A claimed prompt, ready to send."""

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
    following: datetime | None  # next_due_at once this one is sent
    lease: Lease

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
    already_handled: int = 0


class TakenRow(NamedTuple):
    """A due subscription and its person, as the database returns them (on SQLite, dates
    and datetimes are still text and booleans integers: ``typed()`` converts)."""

    id: int
    person_id: int
    local_time: str
    timezone: str
    days: int
    skip_holidays: str | None
    paused_until: Any
    active: Any
    failing: Any
    next_due_at: Any
    where: str
    channel_id: str | None
    language: str
    platform: str
    workspace: str
    user_id: str

    def decision_key(self) -> tuple[Any, ...]:
        """What the claim's decision depends on: the schedule (local time, timezone, days,
        holidays, pause), whether it is active or failing, and the due time."""
        return self[2:10]

    def typed(self) -> DueRow:
        """The row with Python dates, aware datetimes and booleans."""
        paused_until, active, failing, next_due_at = typed_due_columns(*self[6:10])
        return DueRow._make((*self[:6], paused_until, active, failing, next_due_at, *self[10:]))


class DueRow(NamedTuple):
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

    def schedule_key(self) -> tuple[Any, ...]:
        """What the schedule depends on (local time, timezone, days, holidays, pause)."""
        return self[2:7]


@dataclass(frozen=True)
class Occurrences:
    """The occurrences of a schedule from a point up to ``now``, sorted by what to do."""

    first: datetime | None  # the first occurrence found, whatever became of it
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
    first = occurrence[0] if occurrence else None
    while occurrence is not None and occurrence[0] <= now:
        if due is not None:
            missed.append(due)
        due = None
        if now - occurrence[0] <= catch_up:
            due = occurrence
        else:
            missed.append(occurrence)
        occurrence = next_due(schedule, occurrence[0])
    return Occurrences(first, tuple(missed), due, occurrence[0] if occurrence else None)


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
    conn: AsyncConnection,
    *,
    now: datetime,
    config: ClaimConfig,
    in_flight: Collection[int] = (),
    skipped: set[int] | None = None,
) -> Claim:
    """Claim up to ``batch_size`` due subscriptions inside the caller's transaction (which
    it must start: on SQLite it begins it as a writer).

    Subscriptions of platforms this process does not serve are left alone and added to
    ``skipped``, which later batches of the same tick pass over.
    """
    skipped = set() if skipped is None else skipped
    taken = await take_due(conn, now=now, limit=config.batch_size, skipped=skipped)
    claim = Claim(seen=len(taken))
    if not taken:
        return claim
    rows = list(map(TakenRow._make, taken))
    served = frozenset(config.platforms)
    skipped.update(r.id for r in rows if r.platform not in served)
    plan = _Plan(now, config, Lease(now + config.lease), in_flight)
    suspects = plan.add_all(r for r in rows if r.platform in served)
    if suspects:
        pending = await _pending(conn, suspects, now)
        for row in suspects:
            plan.add_suspect(row, pending.get(row.id))
    await plan.write(conn, claim)
    claim.more = len(rows) == config.batch_size and len(skipped) <= MAX_SKIPPED
    return claim


async def _pending(conn: AsyncConnection, rows: Sequence[DueRow], now: datetime) -> dict[int, Any]:
    """The oldest still-``claimed`` delivery of each subscription (a crash or a give-up)."""
    since = min(min(r.next_due_at for r in rows), now) - DATE_SLACK
    since = max(since, now - MISSED_SPAN - DATE_SLACK)
    d = DELIVERY.c
    query = (
        select(d.id, d.subscription_id, d.due_at, d.local_date, d.nonce, d.tip_id, d.attempts)
        .where(
            d.subscription_id.in_([r.id for r in rows]),
            d.local_date >= since.date(),
            d.status == "claimed",
        )
        .order_by(d.local_date.desc())
    )
    return {r.subscription_id: r for r in (await conn.execute(query)).all()}


class _Plan:
    """Decisions for one batch, then the few statements that apply them."""

    def __init__(
        self, now: datetime, config: ClaimConfig, lease: Lease, in_flight: Collection[int]
    ) -> None:
        self.now, self.config, self.lease, self.in_flight = now, config, lease, in_flight
        self.inserts = NewDeliveries()
        self.to_send: dict[int, tuple[TakenRow | DueRow, Occurrences]] = {}
        self.reclaimed: list[Planned] = []
        self.expired: list[dict[str, Any]] = []
        self.pointers: dict[int, datetime | None] = {}
        self._occurrences: dict[tuple[Any, ...], Occurrences] = {}

    def add_all(self, rows: Iterable[TakenRow]) -> list[DueRow]:
        """Decide for due subscriptions, once per group that shares a decision key; returns
        those whose ``next_due_at`` is not one of their occurrences (a lease marker, or
        settings changed): see ``add_suspect``."""
        groups: dict[tuple[Any, ...], list[TakenRow]] = defaultdict(list)
        for row in rows:
            groups[row.decision_key()].append(row)
        suspects: list[DueRow] = []
        for group in groups.values():
            first = group[0].typed()
            if not first.active or first.failing:
                self.pointers.update(dict.fromkeys((r.id for r in group), None))
                continue
            occ = self._occurrences_of(first, first.next_due_at - TICK)
            if occ.first != first.next_due_at:
                suspects.extend(r.typed() for r in group)
            else:
                self._schedule(group, occ)
        return suspects

    def add_suspect(self, row: DueRow, pending: Any | None) -> None:
        """Decide for a subscription that may have a claimed row left from a crash."""
        if pending is None:  # settings changed since next_due_at was set: follow them
            self._schedule([row], self._occurrences_of(row, row.next_due_at - TICK))
        elif pending.id in self.in_flight:
            self._hold(row.id)  # this process is still sending it: only extend the lease
        elif self.now - pending.due_at <= self.config.catch_up:
            self._retry(row, pending)
        else:
            self.expired.append(
                {"p_id": pending.id, "p_status": "failed" if pending.attempts else "missed"}
            )
            self._schedule([row], self._occurrences_of(row, pending.due_at))

    def _hold(self, subscription_id: int) -> None:
        self.lease.subscription_ids.append(subscription_id)  # next_due_at: the lease marker

    def _retry(self, row: DueRow, pending: Any) -> None:
        following = next_due(schedule_of_row(row), pending.due_at)
        self._hold(row.id)
        self.reclaimed.append(
            _planned(row, pending, following[0] if following else None, self.lease)
        )

    def _schedule(self, rows: Sequence[TakenRow | DueRow], occ: Occurrences) -> None:
        """Rows for the missed occurrences and the due one of ``rows``, which share ``occ``."""
        ids, people = [r.id for r in rows], [r.person_id for r in rows]
        for due_at, local_date in occ.missed:
            self.inserts.add(DayRows(ids, people, local_date, due_at))
        if occ.due is None:
            self.pointers.update(dict.fromkeys(ids, occ.following))
            return
        claimed = (self.now, self.config.instance)
        self.inserts.add(DayRows(ids, people, occ.due[1], occ.due[0], claimed))
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
        """Apply the decisions: rows, reclaims, expiries, then the new ``next_due_at``."""
        inserted = await insert_deliveries(conn, self.inserts)
        for delivery_id, subscription_id, status, nonce in inserted:
            if status == "claimed":
                row, occ = self.to_send.pop(subscription_id)
                self._hold(row.id)
                claim.planned.append(_claimed(row, delivery_id, nonce, occ, self.lease))
            else:
                claim.missed += 1
        for row, occ in self.to_send.values():  # their row for that day exists already
            self.pointers[row.id] = occ.following
        claim.already_handled = len(self.to_send)
        await self._reclaim(conn)
        claim.planned.extend(self.reclaimed)
        claim.retried = len(self.reclaimed)
        if self.expired:
            d = DELIVERY.c
            stmt = (
                update(DELIVERY)
                .where(d.id == bindparam("p_id"))
                .values(status=bindparam("p_status"))
            )
            await conn.execute(stmt, self.expired)
        await _move_pointers(conn, self.pointers, self.lease)

    async def _reclaim(self, conn: AsyncConnection) -> None:
        if self.reclaimed:
            d = DELIVERY.c
            await conn.execute(
                update(DELIVERY)
                .where(d.id.in_([p.delivery_id for p in self.reclaimed]))
                .values(claimed_at=self.now, claimed_by=self.config.instance)
            )


def _claimed(
    row: TakenRow | DueRow, delivery_id: int, nonce: str, occ: Occurrences, lease: Lease
) -> Planned:
    """The prompt of a row this claim inserted."""
    assert occ.due is not None
    return Planned(
        delivery_id,
        row.id,
        row.person_id,
        row.platform,
        row.workspace,
        row.user_id,
        row.channel_id if row.where == "channel" else None,
        row.language,
        row.local_time,
        nonce,
        "",
        0,
        occ.due[0],
        occ.due[1],
        occ.following,
        lease,
    )


def _planned(row: DueRow, record: Any, following: datetime | None, lease: Lease) -> Planned:
    """The prompt of a ``claimed`` row left from an earlier claim."""
    return Planned(
        delivery_id=record.id,
        subscription_id=row.id,
        person_id=row.person_id,
        platform=row.platform,
        workspace=row.workspace,
        user_id=row.user_id,
        channel=row.channel_id if row.where == "channel" else None,
        language=row.language,
        local_time=row.local_time,
        nonce=record.nonce,
        tip_id=record.tip_id,
        attempts=record.attempts,
        due_at=record.due_at,
        local_date=record.local_date,
        following=following,
        lease=lease,
    )


async def _move_pointers(
    conn: AsyncConnection, pointers: dict[int, datetime | None], lease: Lease
) -> None:
    """One UPDATE per distinct new value: subscriptions sharing a schedule share their next due."""
    groups: dict[datetime | None, list[int]] = defaultdict(list)
    for subscription_id, pointer in pointers.items():
        groups[pointer].append(subscription_id)
    if lease.subscription_ids:
        groups[lease.marker].extend(lease.subscription_ids)
    for pointer, ids in groups.items():
        await set_next_due(conn, pointer, ids)
