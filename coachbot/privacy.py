"""Personal data: everything stored about a person, to hand over (export) or to erase (forget).

What "about a person" means is read from the schema, not listed by hand: a row is
theirs when a column refers to their ``person`` row, or to a row that is theirs
(a delivery of their subscription, an alert about their mentoring link). A table
added later is therefore exported and erased without touching this module.
Export and erase use the same rule, so the export shows exactly what forget removes.

Someone named in a request gets a person row holding only their ids. When nothing names
them any more (the request was withdrawn, the learner erased their data) and they never
chose anything themselves, that row goes too (``drop_if_unused``).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Table,
    delete,
    false,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.db.models import metadata
from coachbot.db.people import find_person
from coachbot.identity import PersonRef

FORMAT = "coachbot-export/1"
PERSON = "person"
TOKEN_TTL = timedelta(minutes=10)
_TOKEN_KEY = b"coachbot/forget-confirmation"


def naming(table: Table, person_id: int) -> ColumnElement[bool] | None:
    """The condition selecting the rows of ``table`` that name the person, if any can."""
    conditions: list[ColumnElement[bool]] = []
    for fk in table.foreign_keys:
        target = fk.column.table
        if target.name == PERSON:
            conditions.append(fk.parent == person_id)
        elif target is not table and isinstance(target, Table):
            inner = naming(target, person_id)
            if inner is not None:
                conditions.append(fk.parent.in_(select(fk.column).where(inner)))
    return or_(*conditions) if conditions else None


def owned(table: Table, person_id: int) -> ColumnElement[bool]:
    """Like ``naming``, but a condition matching nothing for a table that cannot name anyone."""
    condition = naming(table, person_id)
    return condition if condition is not None else false()


def personal_tables() -> list[Table]:
    """Every table but ``person`` whose rows can name a person, parents before children."""
    return [t for t in metadata.sorted_tables if t.name != PERSON and naming(t, 0) is not None]


def optional_refs(table: Table) -> list[Column[Any]]:
    """Nullable columns of ``table`` referring to a person: erasing that person clears them.

    (``goal.set_by_id``: a goal a mentor set stays the learner's, no longer naming the mentor.)
    """
    return [
        c
        for c in table.columns
        if c.nullable and any(fk.column.table.name == PERSON for fk in c.foreign_keys)
    ]


async def export_person(*, session: AsyncSession, ref: PersonRef, now: datetime) -> dict[str, Any]:
    """Everything stored about ``ref`` as JSON-ready data (nothing when they never used the bot)."""
    person = await find_person(session=session, ref=ref)
    data: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": now.isoformat(),
        "about": {"platform": ref.platform, "workspace": ref.workspace, "user": ref.user},
        "person": None,
        "tables": {},
        "people": {},
    }
    if person is None or person.id is None:
        return data
    conn = await session.connection()
    people = metadata.tables[PERSON]
    data["person"] = (await _rows(conn, people, people.c.id == person.id))[0]
    for table in personal_tables():
        data["tables"][table.name] = await _rows(conn, table, owned(table, person.id))
    data["people"] = await _people(conn, data["tables"], person.id)
    return data


async def erase_person(*, session: AsyncSession, ref: PersonRef) -> bool:
    """Delete every row naming ``ref``; False when nothing was stored. Checks that none remains.

    The people those rows named (mentors, learners) lose their person row too when it was
    only there for ``ref``'s rows (see ``drop_if_unused``).
    """
    person = await find_person(session=session, ref=ref)
    if person is None or person.id is None:
        return False
    pid = person.id
    session.expunge(person)
    conn = await session.connection()
    others = await named_people(conn, pid)
    for table in personal_tables():
        for column in optional_refs(table):
            await conn.execute(update(table).where(column == pid).values({column.name: None}))
    for table in reversed(personal_tables()):  # children first: their condition reads parents
        await conn.execute(delete(table).where(owned(table, pid)))
    people = metadata.tables[PERSON]
    await conn.execute(delete(people).where(people.c.id == pid))
    await _check_erased(conn, pid)
    for other in sorted(others):
        await drop_if_unused(session=session, person_id=other)
    return True


async def named_people(conn: AsyncConnection, person_id: int) -> set[int]:
    """The ids of the other people that the rows naming ``person_id`` refer to."""
    found: set[int] = set()
    for table in personal_tables():
        for column in _person_columns(table):
            query = select(column).where(owned(table, person_id), column != person_id).distinct()
            found.update(v for v in (await conn.execute(query)).scalars() if v is not None)
    return found


async def drop_if_unused(*, session: AsyncSession, person_id: int) -> bool:
    """Delete the person row ``person_id`` if it is bare: no language or timezone chosen and
    no row of any personal table naming them. True when it was deleted.

    One statement decides and deletes, so a row naming them written first keeps them.
    """
    people = metadata.tables[PERSON]
    named = [
        select(literal(1)).select_from(t).where(owned(t, person_id)).exists()
        for t in personal_tables()
    ]
    bare = (
        (people.c.id == person_id)
        & people.c.language.is_(None)
        & people.c.timezone.is_(None)
        & ~or_(*named)
    )
    conn = await session.connection()
    return bool((await conn.execute(delete(people).where(bare))).rowcount)


def _person_columns(table: Table) -> list[Column[Any]]:
    return [
        c for c in table.columns if any(fk.column.table.name == PERSON for fk in c.foreign_keys)
    ]


async def remaining_rows(conn: AsyncConnection, person_id: int) -> dict[str, int]:
    """How many rows per table still name the person (empty when none does)."""
    counts: dict[str, int] = {}
    people = metadata.tables[PERSON]
    found = [(people, people.c.id == person_id)]
    found += [(t, owned(t, person_id)) for t in personal_tables()]
    for table, condition in found:
        count = (
            await conn.execute(select(func.count()).select_from(table).where(condition))
        ).scalar_one()
        if count:
            counts[table.name] = count
    return counts


class ErasureIncomplete(RuntimeError):
    """Rows naming the person remained: the transaction must roll back, erasing nothing."""


async def _check_erased(conn: AsyncConnection, person_id: int) -> None:
    left = await remaining_rows(conn, person_id)
    if left:
        raise ErasureIncomplete(f"erasure left rows behind: {left}")


async def _rows(conn: AsyncConnection, table: Table, condition: Any) -> list[dict[str, Any]]:
    query = select(table).where(condition).order_by(*table.primary_key.columns)
    return [_jsonable(dict(row._mapping)) for row in await conn.execute(query)]


async def _people(
    conn: AsyncConnection, tables: dict[str, list[dict[str, Any]]], pid: int
) -> dict[str, str]:
    """The user ids of the other people the exported rows name (mentors, learners)."""
    ids: set[int] = set()
    for name, rows in tables.items():
        refs = [c.name for c in _person_columns(metadata.tables[name])]
        ids.update(row[c] for row in rows for c in refs if row[c] not in (None, pid))
    if not ids:
        return {}
    people = metadata.tables[PERSON]
    query = select(people.c.id, people.c.user_id).where(people.c.id.in_(ids))
    return {str(i): user for i, user in await conn.execute(query)}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def forget_token(ref: PersonRef, now: datetime) -> str:
    """A confirmation token for ``/coach forget``: valid for ``TOKEN_TTL``, for ``ref`` only.

    It is not a secret: pressing a button only ever erases the presser, so the token's
    job is to bind the button to who asked and when, which any bot process can check.
    """
    issued = int(now.timestamp())
    return f"{issued:x}.{_digest(ref, issued)}"


def forget_token_valid(ref: PersonRef, token: str, now: datetime) -> bool:
    """True when ``token`` was issued to ``ref`` less than ``TOKEN_TTL`` ago."""
    stamp, _, digest = token.partition(".")
    try:
        issued = int(stamp, 16)
    except ValueError:
        return False
    age = now.timestamp() - issued
    fresh = 0 <= age <= TOKEN_TTL.total_seconds()
    return fresh and hmac.compare_digest(digest, _digest(ref, issued))


def _digest(ref: PersonRef, issued: int) -> str:
    message = "\x1f".join((ref.platform, ref.workspace, ref.user, str(issued))).encode()
    return hmac.new(_TOKEN_KEY, message, hashlib.sha256).hexdigest()[:24]
