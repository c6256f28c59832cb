"""A notice at the user's next command when their daily prompts stopped being delivered.

The engine marks a subscription ``failing`` after 3 permanent failures in a row;
this provider tells the user once (``failing_notified``) what happened and how to fix it.
Who has such a notice waiting is kept in memory (``PendingNotices``): a command reads
nothing from the database unless its user is among them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select

from coachbot.clock import Clock
from coachbot.db.engine import Database
from coachbot.db.models import Person, Subscription
from coachbot.i18n import Localized
from coachbot.identity import PersonRef
from coachbot.services import Context

# Another process (a separate scheduler) may mark a subscription failing: its notice shows
# within this delay. This process's own engine invalidates the memory at once.
TTL = timedelta(seconds=30)

FAILING = Localized(
    "Vos conseils quotidiens n'ont pas pu vous être remis trois fois de suite (messages "
    "privés fermés, ou salon supprimé) : ils sont suspendus. Pour les recevoir à nouveau, "
    "ouvrez vos messages privés au bot puis tapez `/coach resume`, ou recevez-les dans "
    "un salon : `/coach settings where:here`.",
    "Your daily tips could not be delivered three times in a row (direct messages closed, "
    "or the channel is gone), so they are on hold. To get them again, open your direct "
    "messages to the bot and type `/coach resume`, or get them in a channel: "
    "`/coach settings where:here`.",
)


class PendingNotices:
    """The people with a failing-delivery notice not yet shown, read in one query at most
    once per ``TTL``, or at once after ``changed``."""

    def __init__(self, db: Database, clock: Clock, ttl: timedelta = TTL) -> None:
        self._db, self._clock, self._ttl = db, clock, ttl
        self._waiting: set[PersonRef] = set()
        self._fresh_until: datetime | None = None

    async def has(self, person: PersonRef) -> bool:
        """Whether ``person`` may have a notice waiting."""
        now = self._clock.now()
        if self._fresh_until is None or now >= self._fresh_until:
            self._waiting = await self._load()
            self._fresh_until = now + self._ttl
        return person in self._waiting

    def changed(self) -> None:
        """Subscriptions were marked failing: read again at the next command."""
        self._fresh_until = None

    def shown(self, person: PersonRef) -> None:
        """``person``'s notice was shown (or is gone): nothing waits for them any more."""
        self._waiting.discard(person)

    async def _load(self) -> set[PersonRef]:
        query = (
            select(Person.platform, Person.workspace, Person.user_id)
            .join(Subscription, col(Person.id) == Subscription.person_id)
            .where(
                col(Subscription.failing).is_(True),
                col(Subscription.failing_notified).is_(False),
            )
        )
        async with self._db.session() as session:
            rows = (await session.exec(query)).all()
        return {PersonRef(platform, workspace, user) for platform, workspace, user in rows}


async def failing_notice(ctx: Context) -> list[str]:
    """The failing-delivery notice, the first time the user runs a command after it (no
    database read unless the user is among those with a notice waiting)."""
    db = ctx.services.db
    if db is None:
        return []
    pending = ctx.services.pending_notices
    if not await pending.has(ctx.person):
        return []
    pending.shown(ctx.person)
    return await _claim(db, ctx)


async def _claim(db: Database, ctx: Context) -> list[str]:
    """Mark the notice shown, once even if two commands race, and say it."""
    ref = ctx.person
    query = (
        select(Subscription.id)
        .join(Person, col(Person.id) == Subscription.person_id)
        .where(
            Person.platform == ref.platform,
            Person.workspace == ref.workspace,
            Person.user_id == ref.user,
            col(Subscription.failing).is_(True),
            col(Subscription.failing_notified).is_(False),
        )
    )
    async with db.session() as session:
        found = (await session.exec(query)).first()
        if found is None:
            return []
        # A conditional update, so two commands racing show the notice once.
        claim = (
            update(Subscription)
            .where(col(Subscription.id) == found, col(Subscription.failing_notified).is_(False))
            .values(failing_notified=True)
        )
        claimed = (await session.exec(claim)).rowcount
    return [ctx.t(FAILING)] if claimed else []
