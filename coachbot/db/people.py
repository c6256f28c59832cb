"""Repository of people: the only place that maps (platform, workspace, user) to rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.db.models import Person
from coachbot.i18n import Lang, parse_lang
from coachbot.identity import PersonRef


async def find_person(*, session: AsyncSession, ref: PersonRef) -> Person | None:
    """The stored person for ``ref``, or None if they never used the bot."""
    query = select(Person).where(
        Person.platform == ref.platform,
        Person.workspace == ref.workspace,
        Person.user_id == ref.user,
    )
    return (await session.exec(query)).first()


async def ensure_person(*, session: AsyncSession, ref: PersonRef, now: datetime) -> Person:
    """The person for ``ref``, created on first use."""
    person = await find_person(session=session, ref=ref)
    if person is not None:
        return person
    try:
        async with session.begin_nested():  # a savepoint: losing the race keeps the transaction
            person = Person(
                platform=ref.platform, workspace=ref.workspace, user_id=ref.user, created_at=now
            )
            session.add(person)
            await session.flush()
    except IntegrityError:  # another command of the same new user created the row first
        person = await find_person(session=session, ref=ref)
        if person is None:
            raise
    return person


async def get_language(*, session: AsyncSession, ref: PersonRef) -> Lang | None:
    """The language ``ref`` chose, if any (one indexed lookup, no ORM object: it runs per command)."""
    query = select(Person.language).where(
        Person.platform == ref.platform,
        Person.workspace == ref.workspace,
        Person.user_id == ref.user,
    )
    return parse_lang((await session.exec(query)).first())


async def set_language(*, session: AsyncSession, ref: PersonRef, lang: Lang, now: datetime) -> None:
    """Remember that ``ref`` wants replies in ``lang``."""
    person = await ensure_person(session=session, ref=ref, now=now)
    person.language = lang
    session.add(person)
