"""Each user's chosen reply language, read on every command, so kept in a short-lived cache.

With several bot processes a change made through another process shows up here
within ``TTL`` at most; a change made through this process shows up at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from coachbot.clock import Clock
from coachbot.i18n import Lang
from coachbot.identity import PersonRef

if TYPE_CHECKING:
    from coachbot.db.engine import Database

TTL = timedelta(seconds=30)
MAX_ENTRIES = 50_000


class LanguagePreferences:
    """Reads and writes users' language choices, caching reads for ``TTL``."""

    def __init__(self, db: Database | None, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._cache: dict[PersonRef, tuple[Lang | None, datetime]] = {}
        self._workspaces: dict[tuple[str, str], tuple[Lang | None, datetime]] = {}

    async def get(self, person: PersonRef) -> Lang | None:
        """The language ``person`` chose, if any."""
        now = self._clock.now()
        cached = self._cache.get(person)
        if cached and cached[1] > now:
            return cached[0]
        lang = await self._load(person)
        self._remember(person, lang, now)
        return lang

    async def set(self, person: PersonRef, lang: Lang) -> None:
        """Store ``lang`` as ``person``'s choice."""
        from coachbot.db.people import set_language

        if self._db is None:
            raise RuntimeError("choosing a language needs the database")
        async with self._db.session() as session:
            await set_language(session=session, ref=person, lang=lang, now=self._clock.now())
        self._remember(person, lang, self._clock.now())

    async def workspace_default(self, person: PersonRef) -> Lang | None:
        """The default language the admins of ``person``'s workspace chose, if any."""
        key, now = (person.platform, person.workspace), self._clock.now()
        cached = self._workspaces.get(key)
        if cached and cached[1] > now:
            return cached[0]
        lang = await self._load_workspace(person)
        if len(self._workspaces) >= MAX_ENTRIES:
            self._workspaces.clear()
        self._workspaces[key] = (lang, now + TTL)
        return lang

    def workspace_changed(self, person: PersonRef, lang: Lang | None) -> None:
        """Record that ``person``'s workspace default is now ``lang`` (set by an admin)."""
        self._workspaces[(person.platform, person.workspace)] = (lang, self._clock.now() + TTL)

    async def _load_workspace(self, person: PersonRef) -> Lang | None:
        if self._db is None:
            return None
        from coachbot.db.workspaces import workspace_language

        async with self._db.session() as session:
            return await workspace_language(session=session, ref=person)

    def forget(self, person: PersonRef) -> None:
        """Drop the cached choice of ``person`` (after their data is erased)."""
        self._cache.pop(person, None)

    async def _load(self, person: PersonRef) -> Lang | None:
        if self._db is None:
            return None
        from coachbot.db.people import get_language

        async with self._db.session() as session:
            return await get_language(session=session, ref=person)

    def _remember(self, person: PersonRef, lang: Lang | None, now: datetime) -> None:
        if len(self._cache) >= MAX_ENTRIES:
            self._cache.clear()
        self._cache[person] = (lang, now + TTL)
