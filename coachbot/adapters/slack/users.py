"""Who a Slack user is, as far as the bot cares: locale, time zone, admin flag and name.

One ``users.info`` call (with ``include_locale``) answers all four; the answer is
cached per (team, user) for ``TTL`` so a busy user costs one call an hour, and
concurrent lookups of the same user share one call in flight (a burst of
interactions by someone new costs one call, not one each). A failed lookup is cached
briefly too and reads as "no locale, no zone, not an admin, no name": replies fall
back to the workspace default language, admin commands are refused, and the person
is shown as Slack's own mention.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from coachbot.clock import Clock

log = logging.getLogger(__name__)
TTL = timedelta(hours=1)
FAILED_TTL = timedelta(minutes=1)
MAX_ENTRIES = 50_000


@dataclass(frozen=True, slots=True)
class SlackUser:
    """A user's Slack locale (``fr-FR``), zone (``America/New_York``), admin flag
    (admin or owner of the workspace), and the name people know them by.

    ``handle`` is one word a person can type after ``@`` to pick them in Slack's
    composer (their display name when it has no space, else their username)."""

    locale: str | None = None
    is_admin: bool = False
    timezone: str | None = None
    name: str | None = None
    handle: str | None = None


Key = tuple[str, str]


class UserDirectory:
    """Looks users up with ``users.info`` and remembers the answer."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._cache: dict[Key, tuple[SlackUser, datetime]] = {}
        self._pending: dict[Key, asyncio.Future[SlackUser]] = {}
        self.calls = 0  # users.info calls made (what coalescing saves shows here)

    async def lookup(self, client: AsyncWebClient, team: str, user: str) -> SlackUser:
        """The user as Slack describes them; never raises for a Slack error."""
        key = (team, user)
        cached = self._cache.get(key)
        if cached and cached[1] > self._clock.now():
            return cached[0]
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[SlackUser] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            found = await self._remember(client, key)
            future.set_result(found)
            return found
        finally:
            del self._pending[key]
            if not future.done():
                future.cancel()

    async def lookup_many(
        self, client: AsyncWebClient, team: str, users: Iterable[str]
    ) -> dict[str, SlackUser]:
        """Several users at once (each looked up once, concurrently)."""
        wanted = list(dict.fromkeys(users))
        found = await asyncio.gather(*(self.lookup(client, team, u) for u in wanted))
        return dict(zip(wanted, found, strict=True))

    async def _remember(self, client: AsyncWebClient, key: Key) -> SlackUser:
        found, ttl = await self._fetch(client, key[1])
        if len(self._cache) >= MAX_ENTRIES:
            self._cache.clear()
        self._cache[key] = (found, self._clock.now() + ttl)
        return found

    async def _fetch(self, client: AsyncWebClient, user: str) -> tuple[SlackUser, timedelta]:
        self.calls += 1
        try:
            response = await client.users_info(user=user, include_locale=True)
        except (SlackApiError, ClientError, OSError, TimeoutError) as exc:
            log.warning("users.info failed for a user: %s", _reason(exc))
            return SlackUser(), FAILED_TTL
        return slack_user(response.get("user") or {}), TTL


def slack_user(data: dict[str, Any]) -> SlackUser:
    """What the bot keeps of a ``users.info`` user object."""
    profile = data.get("profile") or {}
    display = str(profile.get("display_name") or "").strip()
    real = str(profile.get("real_name") or data.get("real_name") or "").strip()
    username = str(data.get("name") or "").strip()
    handle = display if display and not any(c.isspace() for c in display) else username
    return SlackUser(
        locale=data.get("locale"),
        is_admin=bool(data.get("is_admin") or data.get("is_owner")),
        timezone=data.get("tz") or None,
        name=display or real or username or None,
        handle=handle or None,
    )


def _reason(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return type(exc).__name__
