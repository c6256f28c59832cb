"""The DM channel of each Discord user, remembered in memory and in the database.

Opening a DM channel is a request of its own, and Discord refuses a burst of them
(403, error 40003, "opening direct messages too fast"). A process that only kept
them in memory reopened every one after a restart, exactly such a burst. Here an id
opened once is stored (``dm_channel``), so a restart reads it back instead; memory
keeps the most recent ones to spare a query per prompt.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from coachbot.adapters.discord import PLATFORM
from coachbot.clock import Clock
from coachbot.db.models import DmChannel
from coachbot.db.people import find_person
from coachbot.identity import PersonRef

if TYPE_CHECKING:
    from coachbot.db.engine import Database

MEMORY = 10_000  # ids kept in memory; the database keeps them all


class DmChannels:
    """User id -> DM channel id; the database is optional (no database: memory only)."""

    def __init__(self, db: Database | None, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._memory: OrderedDict[str, int] = OrderedDict()

    def known(self, user_id: str) -> bool:
        """Whether the channel is in memory (no query: the rate limiter asks per message)."""
        return user_id in self._memory

    async def get(self, user_id: str) -> int | None:
        """The stored channel of ``user_id``, or None when it was never opened."""
        if user_id in self._memory:
            self._memory.move_to_end(user_id)
            return self._memory[user_id]
        if self.db is None:
            return None
        query = select(DmChannel.channel_id).where(
            DmChannel.platform == PLATFORM, DmChannel.user_id == user_id
        )
        async with self.db.session() as session:
            found = (await session.exec(query)).first()
        if found is None:
            return None
        self._remember(user_id, int(found))
        return int(found)

    async def put(self, person: PersonRef, channel_id: int) -> None:
        """Remember the channel just opened with ``person`` (kept with their data, so
        export and forget include it; another process storing it first is fine)."""
        self._remember(person.user, channel_id)
        if self.db is None:
            return
        try:
            async with self.db.session() as session:
                found = await find_person(session=session, ref=person)
                if found is None or found.id is None:
                    return  # nobody to keep it for: memory only
                session.add(
                    DmChannel(
                        person_id=found.id,
                        platform=PLATFORM,
                        user_id=person.user,
                        channel_id=str(channel_id),
                        opened_at=self.clock.now(),
                    )
                )
        except IntegrityError:
            pass  # stored meanwhile by another process: Discord gives the same id

    def _remember(self, user_id: str, channel_id: int) -> None:
        self._memory[user_id] = channel_id
        self._memory.move_to_end(user_id)
        if len(self._memory) > MEMORY:
            self._memory.popitem(last=False)
