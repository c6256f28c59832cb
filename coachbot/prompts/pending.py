"""Who has a failing-delivery notice waiting, kept in memory so a command reads nothing
from the database unless its user is among them (see ``coachbot.prompts.notices``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select

from coachbot.clock import Clock
from coachbot.db.engine import Database
from coachbot.db.models import Person, Subscription
from coachbot.identity import PersonRef

# Another process (a separate scheduler) may mark a subscription failing: its notice shows
# within this delay. This process's own engine invalidates the memory at once.
TTL = timedelta(seconds=30)


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
