"""The claim's two hot statements, written for each database's driver.

Claiming 100,000 prompts at once spends most of its time in these two statements; going
through the driver directly (arrays with ``unnest`` on PostgreSQL, one multi-row VALUES
on SQLite) skips the per-row parameter processing of the SQL toolkit, several times
over. Values are stored exactly as the models' column types store them (on SQLite:
naive UTC text ``YYYY-MM-DD HH:MM:SS.ffffff``), so the ORM reads them back unchanged.
They run on the caller's connection, inside its transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncConnection

SQLITE_ROWS_PER_STATEMENT = 2_000  # 8 parameters a row, under SQLite's 32,766


class NewDelivery(NamedTuple):
    """One delivery row to insert (tip chosen later, attempts 0)."""

    subscription_id: int
    person_id: int
    local_date: date
    status: str
    nonce: str
    due_at: datetime
    claimed_at: datetime | None
    claimed_by: str | None


COLUMNS = (
    "subscription_id, person_id, local_date, status, nonce, due_at, claimed_at, claimed_by, "
    "tip_id, attempts"
)
CONFLICT = (
    "ON CONFLICT (subscription_id, local_date) DO NOTHING RETURNING id, subscription_id, status"
)
PG_INSERT = (
    f"INSERT INTO delivery ({COLUMNS}) "
    "SELECT s, p, d, st, n, due, ca, cb, '', 0 FROM unnest("
    "$1::int[], $2::int[], $3::date[], $4::text[], $5::text[], $6::timestamptz[], "
    "$7::timestamptz[], $8::text[]) AS t(s, p, d, st, n, due, ca, cb) "
    f"{CONFLICT}"
)


async def insert_deliveries(
    conn: AsyncConnection, rows: Sequence[NewDelivery]
) -> list[tuple[int, int, str]]:
    """Insert ``rows``, skipping any (subscription, local date) that exists already;
    returns (id, subscription_id, status) of the rows inserted."""
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        result = await conn.exec_driver_sql(PG_INSERT, tuple(map(list, zip(*rows, strict=True))))
        return [tuple(r) for r in result.all()]
    out: list[tuple[int, int, str]] = []
    for start in range(0, len(rows), SQLITE_ROWS_PER_STATEMENT):
        chunk = rows[start : start + SQLITE_ROWS_PER_STATEMENT]
        values = ",".join(["(?, ?, ?, ?, ?, ?, ?, ?, '', 0)"] * len(chunk))
        params = tuple(v for row in chunk for v in _sqlite_values(row))
        sql = f"INSERT INTO delivery ({COLUMNS}) VALUES {values} {CONFLICT}"
        out.extend(tuple(r) for r in (await conn.exec_driver_sql(sql, params)).all())
    return out


async def set_next_due(conn: AsyncConnection, value: datetime | None, ids: Sequence[int]) -> None:
    """``next_due_at = value`` for the subscriptions ``ids``."""
    if conn.dialect.name == "postgresql":
        sql = "UPDATE subscription SET next_due_at = $1 WHERE id = ANY($2::int[])"
        await conn.exec_driver_sql(sql, (value, list(ids)))
        return
    for start in range(0, len(ids), SQLITE_ROWS_PER_STATEMENT):
        chunk = ids[start : start + SQLITE_ROWS_PER_STATEMENT]
        marks = ",".join("?" * len(chunk))
        sql = f"UPDATE subscription SET next_due_at = ? WHERE id IN ({marks})"
        await conn.exec_driver_sql(sql, (sqlite_datetime(value), *chunk))


@lru_cache(maxsize=4096)  # a batch shares a handful of due times and one claim time
def sqlite_datetime(value: datetime | None) -> str | None:
    """An aware datetime as the text ``UTCDateTime`` stores on SQLite."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_values(row: NewDelivery) -> tuple[Any, ...]:
    return (
        row.subscription_id,
        row.person_id,
        row.local_date.isoformat(),
        row.status,
        row.nonce,
        sqlite_datetime(row.due_at),
        sqlite_datetime(row.claimed_at),
        row.claimed_by,
    )
