"""Mentor links: who mentors whom. A link becomes active only when the learner asked for it.

A learner's request creates a *pending* link; the mentor accepts (*active*) or
declines (*declined*); either side ends it (*ended*). Asking again after a decline
or an end re-opens the same row as pending, so one pair has at most one row. A request
the learner withdraws is deleted: nothing was ever shared, and the person asked keeps
no trace of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import and_, delete, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.db.models import MentorAlert, MentorLink, Person

PENDING, ACTIVE, DECLINED, ENDED = "pending", "active", "declined", "ended"
OPEN = (PENDING, ACTIVE)
Role = Literal["mentor", "learner"]


@dataclass(frozen=True, slots=True)
class LinkView:
    """One link as its member ``role`` sees it: the other person's user id and the state."""

    role: Role
    other_user: str
    status: str
    alerts: bool
    alert_inactive_days: int


async def find_link(*, session: AsyncSession, mentor_id: int, learner_id: int) -> MentorLink | None:
    """The link where ``mentor_id`` mentors ``learner_id``, whatever its status."""
    query = select(MentorLink).where(
        MentorLink.mentor_id == mentor_id, MentorLink.learner_id == learner_id
    )
    return (await session.exec(query)).first()


async def active_link(
    *, session: AsyncSession, mentor_id: int, learner_id: int
) -> MentorLink | None:
    """The link only if it is active: the one gate of every mentor command about a learner."""
    link = await find_link(session=session, mentor_id=mentor_id, learner_id=learner_id)
    return link if link is not None and link.status == ACTIVE else None


async def request_link(
    *, session: AsyncSession, learner_id: int, mentor_id: int, now: datetime
) -> MentorLink:
    """Record that the learner asks the mentor: pending, unless the link is already open."""
    link = await find_link(session=session, mentor_id=mentor_id, learner_id=learner_id)
    if link is None:
        link = MentorLink(
            mentor_id=mentor_id,
            learner_id=learner_id,
            status=PENDING,
            created_at=now,
            updated_at=now,
        )
    elif link.status not in OPEN:  # a new request: the link starts over
        link.status, link.alerts, link.created_at, link.updated_at = PENDING, False, now, now
    session.add(link)
    await session.flush()
    return link


async def answer_request(
    *, session: AsyncSession, mentor_id: int, learner_id: int, accept: bool, now: datetime
) -> bool:
    """Accept or decline the learner's pending request; False when there is none."""
    link = await find_link(session=session, mentor_id=mentor_id, learner_id=learner_id)
    if link is None or link.status != PENDING:
        return False
    link.status, link.updated_at = (ACTIVE if accept else DECLINED), now
    session.add(link)
    return True


async def end_links(*, session: AsyncSession, person_id: int, other_id: int, now: datetime) -> int:
    """End every pending or active link between the two people, on either side; how many.

    A pending request ended by its learner (``person_id``) is withdrawn: deleted, with any
    alert rows left from an earlier time the link was active.
    """
    pair = or_(
        and_(col(MentorLink.mentor_id) == person_id, col(MentorLink.learner_id) == other_id),
        and_(col(MentorLink.mentor_id) == other_id, col(MentorLink.learner_id) == person_id),
    )
    query = select(MentorLink).where(pair, col(MentorLink.status).in_(OPEN))
    links = list((await session.exec(query)).all())
    for link in links:
        if link.status == PENDING and link.learner_id == person_id:
            await session.exec(delete(MentorAlert).where(col(MentorAlert.link_id) == link.id))
            await session.delete(link)
            continue
        link.status, link.alerts, link.updated_at = ENDED, False, now
        session.add(link)
    await session.flush()
    return len(links)


async def set_alerts(
    *, session: AsyncSession, link: MentorLink, on: bool | None, days: int | None, now: datetime
) -> MentorLink:
    """Change the mentor's alert choice and the no-evidence window; None keeps a value."""
    if on is not None:
        link.alerts = on
    if days is not None:
        link.alert_inactive_days = days
    link.updated_at = now
    session.add(link)
    return link


async def links_of(*, session: AsyncSession, person_id: int) -> list[LinkView]:
    """Every link of the person, as mentor then as learner, with the other person's user id."""
    return [
        *await _side(session, "mentor", person_id),
        *await _side(session, "learner", person_id),
    ]


async def _side(session: AsyncSession, role: Role, person_id: int) -> list[LinkView]:
    mine, theirs = (
        (MentorLink.mentor_id, MentorLink.learner_id)
        if role == "mentor"
        else (MentorLink.learner_id, MentorLink.mentor_id)
    )
    query = (
        select(MentorLink, Person.user_id)
        .join(Person, col(Person.id) == col(theirs))
        .where(mine == person_id)
        .order_by(Person.user_id)
    )
    rows = (await session.exec(query)).all()
    return [
        LinkView(role, user, link.status, link.alerts, link.alert_inactive_days)
        for link, user in rows
    ]
