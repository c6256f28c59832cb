"""Delivery rows seen from the learner's side: tip history, today's tip, snoozed prompts.

Snooze contract with the engine (``coachbot.scheduling``): a delivery whose
``snoozed_until`` has passed is sent again. Each tick the engine calls
``due_snoozes``, which leases the due rows (moves ``snoozed_until`` ``SNOOZE_LEASE`` ahead,
with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so two processes never take the same
row), sends each one, then calls ``snooze_sent``. A crash between the two leaves the
lease to expire, and the prompt is offered again: nothing is lost, and it carries the same
nonce, so a platform that honours nonces (Discord) drops the copy if the first send got
through. The nonce cannot come from ``snoozed_until`` (the lease moves it): it comes from
the row's ``attempts``, which counts every send of the row and which only
``snooze_sent`` moves, so each snooze has its own nonce and keeps it across retries.

A snooze is dropped, never sent, while the subscription is paused or failing, and
``/coach unsubscribe`` drops the learner's pending snoozes (``cancel_snoozes``). A snooze
pressed while not subscribed (on a ``/coach tip``) was asked for then, and is honoured.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.db.models import Delivery, Person, Subscription
from coachbot.delivery import DeliveryTarget
from coachbot.prompts.selection import Served
from coachbot.prompts.subscriptions import held, local_today, target_of
from coachbot.scheduling.states import DELIVERY, State, inserted, move

# Only what reached the learner counts as seen: a held or waiting prompt may never arrive.
SEEN_STATUSES = (State.SENT.value,)
SNOOZE_LEASE = timedelta(minutes=10)
COMMAND = "command"  # claimed_by of the rows /coach tip records
NO_TIP = ""  # tip_id of a row the engine claimed, until it chooses the tip


async def tip_history(*, session: AsyncSession, person_id: int) -> tuple[Served, ...]:
    """The tips the person received (oldest first) with their feedback: only ``sent``
    deliveries (or ones with feedback); a prompt held, waiting for a retry, missed,
    failed or cancelled never reached them and does not count as seen."""
    query = (
        select(Delivery.tip_id, Delivery.feedback)
        .where(
            Delivery.person_id == person_id,
            Delivery.tip_id != NO_TIP,
            or_(col(Delivery.status).in_(SEEN_STATUSES), col(Delivery.feedback).is_not(None)),
        )
        .order_by(col(Delivery.local_date), col(Delivery.id))
    )
    return tuple(Served(tip, feedback) for tip, feedback in await session.exec(query))


async def todays_delivery(
    *, session: AsyncSession, sub: Subscription, now: datetime
) -> Delivery | None:
    """The delivery of ``sub`` for the learner's current local day, if there is one."""
    query = select(Delivery).where(
        Delivery.subscription_id == sub.id, Delivery.local_date == local_today(sub, now)
    )
    return (await session.exec(query)).first()


async def record_shown(
    *, session: AsyncSession, sub: Subscription, tip_id: str, now: datetime
) -> Delivery:
    """Record that today's tip was shown as a command reply (it counts as today's prompt,
    so the scheduler will not send another one today). Safe against the scheduler
    claiming the same day at the same moment: the unique (subscription, day) row wins."""
    assert sub.id is not None and sub.person_id is not None
    values = {
        "subscription_id": sub.id,
        "person_id": sub.person_id,
        "local_date": local_today(sub, now),
        "tip_id": tip_id,
        "status": inserted(State.SENT),
        "nonce": uuid.uuid4().hex,
        "due_at": now,
        "claimed_at": now,
        "claimed_by": COMMAND,
        "sent_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.exec(insert(Delivery).values(**values).on_conflict_do_nothing())
    found = await todays_delivery(session=session, sub=sub, now=now)
    assert found is not None
    return found


# The states /coach tip takes a day over from: anything not sent nor being sent.
TAKEN_OVER = (State.CLAIMED, State.RETRY, State.MISSED, State.FAILED, State.CANCELLED)


async def take_over(
    *, session: AsyncSession, delivery: Delivery, tip_id: str, now: datetime
) -> Delivery:
    """Serve today's row as a command reply: a row the engine holds (or that waits for a
    retry, or was missed, failed or cancelled) becomes ``sent``, with the tip it already
    has or else ``tip_id``, in one compare-and-set; the engine's own compare-and-set then
    finds it ``sent`` and does not send. A row the engine is sending, or sent, is left
    as it is: its tip is the day's tip. Returns the row as it now is."""
    d = DELIVERY.c
    tip = case((d.tip_id == NO_TIP, tip_id), else_=d.tip_id)
    stmt = move(
        TAKEN_OVER, State.SENT, d.id == delivery.id, tip_id=tip, sent_at=now, claimed_by=COMMAND
    )
    await session.exec(stmt)
    await session.refresh(delivery)
    return delivery


async def cancel_held(
    *, session: AsyncSession, subscription_id: int, through: date | None = None
) -> None:
    """Prompts of the subscription not sent yet (held by the engine, or waiting for a
    retry), up to the local day ``through`` (all without it): ``cancelled``. A prompt the
    engine is already sending goes out (the request may be on its way)."""
    d = DELIVERY.c
    days = () if through is None else (d.local_date <= through,)
    held_rows = (State.CLAIMED, State.RETRY)
    await session.exec(
        move(held_rows, State.CANCELLED, d.subscription_id == subscription_id, *days)
    )


async def revive_today(*, session: AsyncSession, sub: Subscription, now: datetime) -> None:
    """Today's prompt, cancelled by an unsubscribe or a pause that no longer holds: back to
    ``retry``, due at once, so the engine sends it (late, once) rather than leaving the day
    empty. Its day's row exists, so nothing else is sent that day."""
    if held(sub, now) or not sub.active:
        return
    d = DELIVERY.c
    await session.exec(
        move(
            (State.CANCELLED,),
            State.RETRY,
            d.subscription_id == sub.id,
            d.local_date == local_today(sub, now),
            claimed_until=d.due_at,
            claimed_by=None,
        )
    )


@dataclass(frozen=True, slots=True)
class DueSnooze:
    """A snoozed prompt to send again: ``prompt_reply(kb, tip_id, language, delivery_id)``
    to ``target``, with ``nonce`` (fresh for each re-send)."""

    delivery_id: int
    tip_id: str
    language: str
    target: DeliveryTarget
    nonce: str


async def due_snoozes(
    *, session: AsyncSession, now: datetime, platforms: Collection[str], limit: int = 500
) -> list[DueSnooze]:
    """Snoozed prompts due at ``now`` for people of ``platforms`` (those the caller can send
    to), leased for ``SNOOZE_LEASE`` (see the module docstring); others' are left alone.

    It runs every tick, so it starts from the ``snoozed_until`` index (a handful of rows)
    rather than letting the planner walk a million subscriptions towards them."""
    snoozed = select(Delivery.id).where(
        col(Delivery.snoozed_until).is_not(None), col(Delivery.snoozed_until) <= now
    )
    query = (
        select(Delivery, Subscription, Person)
        .join(Subscription, col(Subscription.id) == Delivery.subscription_id)
        .join(Person, col(Person.id) == Delivery.person_id)
        .where(col(Delivery.id).in_(snoozed), col(Person.platform).in_(platforms))
        .order_by(col(Delivery.snoozed_until))
        .limit(limit)
        .with_for_update(skip_locked=True, of=Delivery)
    )
    due = []
    for delivery, sub, person in await session.exec(query):
        assert delivery.id is not None
        if not held(sub, now):
            delivery.snoozed_until = now + SNOOZE_LEASE
            nonce = _resend_nonce(delivery.nonce, delivery.attempts)
            target = target_of(person, sub)
            due.append(DueSnooze(delivery.id, delivery.tip_id, sub.language, target, nonce))
        else:  # paused or failing: the snooze is dropped, not kept for later
            delivery.snoozed_until = None
        session.add(delivery)
    return due


async def snooze_sent(*, session: AsyncSession, delivery_id: int) -> None:
    """The snoozed prompt went out again: it is no longer snoozed, and one more send of the
    row is counted (the next snooze of the row gets a new nonce)."""
    delivery = await session.get(Delivery, delivery_id)
    if delivery is not None and delivery.snoozed_until is not None:
        delivery.snoozed_until = None
        delivery.attempts += 1
        session.add(delivery)


async def cancel_snoozes(*, session: AsyncSession, subscription_id: int) -> None:
    """Drop every pending snooze of the subscription (the learner stopped their prompts)."""
    await session.exec(
        update(Delivery)
        .where(
            col(Delivery.subscription_id) == subscription_id,
            col(Delivery.snoozed_until).is_not(None),
        )
        .values(snoozed_until=None)
    )


def _resend_nonce(nonce: str, sends: int) -> str:
    """A nonce of 24 hex characters (Discord takes 25): the same for every retry of one
    re-send, distinct from the row's first send and from its other re-sends."""
    seed = f"{nonce}:snooze:{sends}".encode()
    return hashlib.blake2b(seed, digest_size=12).hexdigest()
