"""The claim's three bulk statements (due subscriptions, new rows, next occurrences),
written for each database's driver; every other statement of the engine goes through
SQLAlchemy Core (``states.py``, ``claim.py``, ``pipeline.py``).

They stay raw because Core costs more than 20% here: claiming 100,000 due prompts in
batches of 5,000 took 4.9-5.3 s on SQLite and 5.0-5.4 s on PostgreSQL with the due
query and the ``next_due_at`` update in Core, against 3.9-4.2 s and 4.1-4.3 s raw (same
machine, same load). Claiming is almost all database work, so each batch is a few
set-based statements sent straight to the driver: arrays with ``unnest`` and ``ANY`` on
PostgreSQL, ``INSERT ... SELECT`` and JSON arrays of ids (``json_each``) on SQLite. No
per-row parameter processing by the SQL toolkit, no statement per row. Values are
stored exactly as the models' column types store them (on SQLite: naive UTC text
``YYYY-MM-DD HH:MM:SS.ffffff``), so the ORM reads them back unchanged. They run on the
caller's connection, inside its transaction.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from coachbot.scheduling.states import State, inserted

NONCE_BYTES = 10  # 20 hex characters: Discord allows 25
DUE_COLUMNS = (
    "s.id, s.person_id, s.local_time, s.timezone, s.days, s.skip_holidays, s.paused_until, "
    's.active, s.failing, s.next_due_at, s."where", s.channel_id, s.language, '
    "p.platform, p.workspace, p.user_id"
)
# A walk of the next_due_at index that stops at the limit, locking what it returns and
# skipping what other processes locked. FOR NO KEY UPDATE: ``/coach tip`` inserting the
# same day's delivery row takes FOR KEY SHARE on the subscription (its foreign key), which
# a plain FOR UPDATE would block while the claim waits for that insert: a deadlock.
PG_DUE = (
    f"SELECT {DUE_COLUMNS} FROM subscription s JOIN person p ON p.id = s.person_id "
    "WHERE s.next_due_at <= $1 AND p.platform = $2 "
    "ORDER BY s.next_due_at LIMIT $3 FOR NO KEY UPDATE OF s SKIP LOCKED"
)
SQLITE_DUE = (
    f"SELECT {DUE_COLUMNS} FROM subscription s JOIN person p ON p.id = s.person_id "
    "WHERE s.next_due_at <= ? AND p.platform = ? ORDER BY s.next_due_at LIMIT ?"
)
COLUMNS = (
    "subscription_id, person_id, local_date, status, nonce, due_at, claimed_at, claimed_by, "
    "claimed_until, tip_id, attempts"
)
RETURNING = (
    "ON CONFLICT (subscription_id, local_date) DO NOTHING "
    "RETURNING id, subscription_id, status, nonce"
)
# Per row only what differs from row to row; the rest once per day of rows (``g``).
PG_INSERT = (
    f"INSERT INTO delivery ({COLUMNS}) "
    "SELECT t.s, t.p, g.d, g.st, t.n, g.due, g.ca, g.cb, g.cu, '', 0 "
    "FROM unnest($1::int[], $2::int[], $3::text[], $4::int[]) AS t(s, p, n, k) "
    "JOIN unnest($5::date[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::text[], "
    "$10::timestamptz[]) WITH ORDINALITY AS g(d, st, due, ca, cb, cu, k) ON g.k = t.k "
    f"{RETURNING}"
)
# Without RETURNING, which doubles SQLite's cost of a large insert. SQLite numbers a new
# row with the largest id plus one (``delivery.id`` is the rowid, without AUTOINCREMENT)
# and the claim holds the write lock: its rows are exactly those above the largest id
# before it inserted.
SQLITE_INSERT = (
    f"INSERT INTO delivery ({COLUMNS}) "
    "SELECT s.id, s.person_id, ?, ?, {nonce}, ?, ?, ?, ?, '', 0 FROM subscription s "
    "WHERE s.id IN (SELECT value FROM json_each(?)) "
    "ON CONFLICT (subscription_id, local_date) DO NOTHING"
)
SQLITE_LAST_ID = "SELECT coalesce(max(id), 0) FROM delivery"
SQLITE_INSERTED = "SELECT id, subscription_id, status, nonce FROM delivery WHERE id > ?"
SQLITE_NONCE = f"lower(hex(randomblob({NONCE_BYTES})))"
PG_SET_NEXT_DUE = "UPDATE subscription SET next_due_at = $1 WHERE id = ANY($2::int[])"
SQLITE_SET_NEXT_DUE = (
    "UPDATE subscription SET next_due_at = ? WHERE id IN (SELECT value FROM json_each(?))"
)


@dataclass(frozen=True)
class Claimed:
    """Who claims a day's rows, when, and until when (the lease, from the database clock)."""

    at: datetime
    by: str
    until: datetime


@dataclass(frozen=True)
class DayRows:
    """Delivery rows of several subscriptions for the same local day: ``claimed`` to send
    now, with a fresh nonce each, or else ``missed`` records."""

    subscription_ids: list[int]
    person_ids: list[int]
    local_date: date
    due_at: datetime
    claimed: Claimed | None = None


@dataclass
class NewDeliveries:
    """Delivery rows to insert (tip chosen later, attempts 0), one ``DayRows`` per distinct
    (local date, due time, claim): subscribers of different schedules whose prompts fall on
    the same instant and local day share one statement on SQLite."""

    days: list[DayRows] = field(default_factory=list)
    _by_day: dict[tuple[Any, ...], DayRows] = field(default_factory=dict, repr=False)

    def add(self, rows: DayRows) -> None:
        """Add the rows of one day (``rows`` itself is left unchanged)."""
        key = (rows.local_date, rows.due_at, rows.claimed)
        same = self._by_day.get(key)
        if same is None:
            same = DayRows([], [], rows.local_date, rows.due_at, rows.claimed)
            self._by_day[key] = same
            self.days.append(same)
        same.subscription_ids.extend(rows.subscription_ids)
        same.person_ids.extend(rows.person_ids)

    def columns(self) -> tuple[list[Any], ...]:
        """The parameters of ``PG_INSERT``: subscription, person, nonce (new for claimed
        rows) and day number of each row, then date, status, due time, claimed at and
        claimed by of each day."""
        sid: list[int] = []
        pid: list[int] = []
        nonce: list[str] = []
        number: list[int] = []
        for k, rows in enumerate(self.days, start=1):
            n = len(rows.subscription_ids)
            sid.extend(rows.subscription_ids)
            pid.extend(rows.person_ids)
            nonce.extend(new_nonces(n) if rows.claimed else [""] * n)
            number.extend([k] * n)
        days = [(d.local_date, _status(d), d.due_at, *_claim_columns(d)) for d in self.days]
        return (sid, pid, nonce, number, *map(list, zip(*days, strict=True)))


def new_nonces(count: int) -> list[str]:
    """``count`` random nonces short enough for every platform (Discord allows 25
    characters), drawn at once."""
    text = os.urandom(NONCE_BYTES * count).hex()
    width = 2 * NONCE_BYTES
    return [text[i : i + width] for i in range(0, len(text), width)]


async def take_due(
    conn: AsyncConnection, *, now: datetime, platform: str, limit: int
) -> Sequence[Any]:
    """Up to ``limit`` due subscriptions of ``platform`` with their person (``DUE_COLUMNS``,
    as the driver returns them: see ``typed_due_columns``), oldest due first.

    On PostgreSQL they stay locked until the transaction ends. On SQLite, which has no row
    locks (one process claims), the caller's transaction took the write lock first
    (``begin_claim``), so nothing changes between this read and the claim's writes.
    """
    if conn.dialect.name == "postgresql":
        return (await conn.exec_driver_sql(PG_DUE, (now, platform, limit))).all()
    driver = await _driver(conn)
    rows: Sequence[Any] = await driver.execute_fetchall(
        SQLITE_DUE, (sqlite_datetime(now), platform, limit)
    )
    return rows


async def insert_deliveries(conn: AsyncConnection, rows: NewDeliveries) -> Sequence[Any]:
    """Insert ``rows``, skipping any (subscription, local date) that exists already;
    returns (id, subscription_id, status, nonce) of the rows inserted."""
    if not rows.days:
        return []
    if conn.dialect.name == "postgresql":
        driver = await _driver(conn)
        inserted: Sequence[Any] = await driver.fetch(PG_INSERT, *rows.columns())
        return inserted
    driver = await _driver(conn)
    [(last_id,)] = await driver.execute_fetchall(SQLITE_LAST_ID)
    for day in rows.days:  # person ids come from the subscription rows themselves
        at, by, until = _claim_columns(day)
        sql = SQLITE_INSERT.format(nonce=SQLITE_NONCE if day.claimed else "''")
        params = (
            day.local_date.isoformat(),
            _status(day),
            sqlite_datetime(day.due_at),
            sqlite_datetime(at),
            by,
            sqlite_datetime(until),
            json.dumps(day.subscription_ids),
        )
        await driver.execute(sql, params)
    inserted_sqlite: Sequence[Any] = await driver.execute_fetchall(SQLITE_INSERTED, (last_id,))
    return inserted_sqlite


async def set_next_due(conn: AsyncConnection, value: datetime | None, ids: Sequence[int]) -> None:
    """``next_due_at = value`` for the subscriptions ``ids``."""
    if not ids:
        return
    driver = await _driver(conn)
    if conn.dialect.name == "postgresql":
        await driver.execute(PG_SET_NEXT_DUE, value, list(ids))
    else:
        params = (sqlite_datetime(value), json.dumps(list(ids)))
        await driver.execute(SQLITE_SET_NEXT_DUE, params)


@lru_cache(maxsize=4096)  # a batch shares a handful of due times and one claim time
def sqlite_datetime(value: datetime | None) -> str | None:
    """An aware datetime as the text ``UTCDateTime`` stores on SQLite."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _status(rows: DayRows) -> str:
    return inserted(State.CLAIMED if rows.claimed else State.MISSED)


def _claim_columns(rows: DayRows) -> tuple[datetime | None, str | None, datetime | None]:
    claimed = rows.claimed
    return (claimed.at, claimed.by, claimed.until) if claimed else (None, None, None)


async def _driver(conn: AsyncConnection) -> Any:
    """The driver's connection (asyncpg or aiosqlite) under ``conn``, for statements whose
    parameters or results are too large for the toolkit's per-row processing. The
    transaction must have begun (on PostgreSQL the toolkit begins it lazily)."""
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    postgres = conn.dialect.name == "postgresql"
    if driver is None or not (driver.is_in_transaction() if postgres else driver.in_transaction):
        raise RuntimeError("bulk statements run inside the claim's transaction")
    return driver


def typed_due_columns(
    paused_until: Any, active: Any, failing: Any, next_due_at: Any
) -> tuple[date | None, bool, bool, datetime]:
    """The columns of a due row that SQLite returns as text or integers, as Python values."""
    if isinstance(next_due_at, str):
        next_due_at = datetime.fromisoformat(next_due_at).replace(tzinfo=UTC)
    if isinstance(paused_until, str):
        paused_until = date.fromisoformat(paused_until)
    return paused_until, bool(active), bool(failing), next_due_at


async def begin_claim(conn: AsyncConnection) -> None:
    """Start the caller's transaction for a claim: on SQLite as a writer (nothing must have
    run in it yet), so no other writer slips in between its reads and its writes; on
    PostgreSQL the row locks of each statement do that."""
    if conn.dialect.name == "postgresql":
        return
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    if driver is None or driver.in_transaction:
        raise RuntimeError("on SQLite the claim must be the first statement of its transaction")
    await conn.exec_driver_sql("BEGIN IMMEDIATE")
