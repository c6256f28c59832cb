"""Repository of daily-prompt subscriptions: create, change, pause, resume, stop.

Every change that can move the next prompt recomputes ``next_due_at`` with the
engine's ``coachbot.scheduling.due.next_due``, so the scheduler's indexed column is
always right. Unsubscribing keeps the row (inactive, nothing due): its deliveries are
the learner's tip history, which selection needs to avoid repeats.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.db.models import Person, Subscription
from coachbot.delivery import DeliveryTarget
from coachbot.identity import PersonRef

DEFAULT_TIME = "08:30"
DEFAULT_DAYS = 0b0011111  # Monday to Friday
DM, CHANNEL = "dm", "channel"


@dataclass(frozen=True, slots=True)
class Preferences:
    """What a learner chose for their daily prompt (the columns a command may change)."""

    local_time: str
    timezone: str
    days: int
    where: str
    channel_id: str | None
    language: str
    skip_holidays: str | None
    recap_weekday: int


PREFERENCE_FIELDS = tuple(f.name for f in fields(Preferences))


def preferences_of(sub: Subscription) -> Preferences:
    """The preferences stored in ``sub``."""
    return Preferences(**{name: getattr(sub, name) for name in PREFERENCE_FIELDS})


async def find_subscription(*, session: AsyncSession, person_id: int) -> Subscription | None:
    """The person's subscription row (active or not), if they ever had one."""
    query = select(Subscription).where(Subscription.person_id == person_id)
    return (await session.exec(query)).first()


async def save_subscription(
    *, session: AsyncSession, person_id: int, prefs: Preferences, now: datetime
) -> Subscription:
    """Subscribe with ``prefs`` (or change them): active, failures forgotten, next prompt planned."""
    sub = await find_subscription(session=session, person_id=person_id)
    if sub is None:
        sub = Subscription(person_id=person_id, created_at=now, **_columns(prefs))  # type: ignore[arg-type]
    for name, value in _columns(prefs).items():
        setattr(sub, name, value)
    sub.active, sub.failing, sub.failing_notified, sub.consecutive_failures = True, False, False, 0
    reschedule(sub, now)
    session.add(sub)
    await session.flush()
    return sub


def _columns(prefs: Preferences) -> dict[str, object]:
    return {name: getattr(prefs, name) for name in PREFERENCE_FIELDS}


async def holder_subscription(
    *, session: AsyncSession, person_id: int, prefs: Preferences, now: datetime
) -> Subscription:
    """The person's subscription, or a new inactive one that only holds their tip history
    (``/coach tip`` without subscribing: a delivery row needs a subscription)."""
    sub = await find_subscription(session=session, person_id=person_id)
    if sub is None:
        sub = Subscription(
            person_id=person_id,
            created_at=now,
            active=False,
            **_columns(prefs),  # type: ignore[arg-type]
        )
        session.add(sub)
        await session.flush()
    return sub


def pause(sub: Subscription, until: date, now: datetime) -> None:
    """No prompt until ``until`` has passed (prompts come back the day after)."""
    sub.paused_until = until
    reschedule(sub, now)


def resume(sub: Subscription, now: datetime) -> None:
    """Prompts again from the next scheduled day: the pause ends, and a failing
    subscription is tried again (its failures forgotten)."""
    sub.paused_until = None
    sub.failing, sub.failing_notified, sub.consecutive_failures = False, False, 0
    reschedule(sub, now)


def held(sub: Subscription, now: datetime) -> bool:
    """Whether ``sub``'s prompts are held back at ``now``: failing, or paused on the
    learner's current day."""
    paused = sub.paused_until is not None and sub.paused_until >= local_today(sub, now)
    return sub.failing or paused


def unsubscribe(sub: Subscription) -> None:
    """No more prompts; the row and its history stay."""
    sub.active = False
    sub.next_due_at = None


def reschedule(sub: Subscription, now: datetime, handled: date | None = None) -> None:
    """Set ``next_due_at`` to the first due instant after ``now`` (None when nothing is
    due), skipping the local day ``handled`` (today's prompt went out or is held by the
    engine: a later time the same day must not promise a second one). ``next_due_at``
    is only ever the next occurrence: prompts in flight live on their delivery rows."""
    from coachbot.scheduling.due import next_due, schedule_of

    if not sub.active or sub.failing:
        sub.next_due_at = None
        return
    schedule = schedule_of(sub)
    found = next_due(schedule, now)
    if found is not None and found[1] == handled:
        found = next_due(schedule, found[0])
    sub.next_due_at = found[0] if found else None


def local_today(sub: Subscription, now: datetime) -> date:
    """The learner's calendar day at ``now``, in the subscription's timezone."""
    return now.astimezone(ZoneInfo(sub.timezone)).date()


def target_of(person: Person, sub: Subscription) -> DeliveryTarget:
    """Where the subscription's prompts go: the person's DMs or the chosen channel."""
    ref = PersonRef(person.platform, person.workspace, person.user_id)
    return DeliveryTarget(ref, sub.channel_id if sub.where == CHANNEL else None)
