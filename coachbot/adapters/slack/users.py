"""Who a Slack user is, as far as the bot cares: their locale and whether they administer the workspace.

One ``users.info`` call (with ``include_locale``) answers both; the answer is cached
per (team, user) for ``TTL`` so a busy user costs one call an hour. A failed lookup
is cached briefly too and reads as "no locale, not an admin": replies fall back to
the workspace default language, admin commands are refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

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
    """A user's Slack locale (``fr-FR``) and admin flag (admin or owner of the workspace)."""

    locale: str | None = None
    is_admin: bool = False


class UserDirectory:
    """Looks users up with ``users.info`` and remembers the answer."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._cache: dict[tuple[str, str], tuple[SlackUser, datetime]] = {}

    async def lookup(self, client: AsyncWebClient, team: str, user: str) -> SlackUser:
        """The user's locale and admin flag; never raises for a Slack error."""
        now = self._clock.now()
        cached = self._cache.get((team, user))
        if cached and cached[1] > now:
            return cached[0]
        found, ttl = await self._fetch(client, user)
        if len(self._cache) >= MAX_ENTRIES:
            self._cache.clear()
        self._cache[(team, user)] = (found, now + ttl)
        return found

    async def _fetch(self, client: AsyncWebClient, user: str) -> tuple[SlackUser, timedelta]:
        try:
            response = await client.users_info(user=user, include_locale=True)
        except (SlackApiError, ClientError, OSError, TimeoutError) as exc:
            log.warning("users.info failed for a user: %s", _reason(exc))
            return SlackUser(), FAILED_TTL
        data = response.get("user") or {}
        admin = bool(data.get("is_admin") or data.get("is_owner"))
        return SlackUser(data.get("locale"), admin), TTL


def _reason(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return type(exc).__name__
