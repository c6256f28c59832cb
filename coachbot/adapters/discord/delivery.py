"""The Discord DeliveryPort: daily prompts by DM or to a channel, errors mapped for the scheduler.

A DM first finds the DM channel (memory, then the database: ``dm_channels``) or
opens it, then sends; the opening is a request of its own, paced by the engine's limiter
like the message (``pace``), so a new DM never bursts two requests back to back. Every message carries a
nonce with ``enforce_nonce``, so a retry after a lost answer is dropped by Discord
instead of posted twice. Discord's answers become the port's three failure kinds:
closed DMs and missing access or permission (50007, 50001, 50013), unknown
channel or user (10003, 10013) and other refusals are permanent; 429 is a rate
limit, and so is 40003 (403, opening DMs too fast: the prompt waits
``DM_OPEN_BACKOFF`` seconds and is neither dropped nor counted as a failure); 5xx and
network errors are transient.

discord.py waits out a rate limit itself when the wait is at most the client's
``max_ratelimit_timeout`` (``client.MAX_RATELIMIT_WAIT``, set explicitly: left unset,
discord.py would sleep up to 30 s per request); a longer one raises
``discord.RateLimited``, which reaches the engine as ``RateLimited(retry_after)``. A target Discord cannot even address (a
channel or user that is not a snowflake id, such as a ``tips`` typed elsewhere) is
permanent too, found before any request.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import TYPE_CHECKING

import aiohttp
import discord

from coachbot.adapters.discord import PLATFORM, limits
from coachbot.adapters.discord.dm_channels import DmChannels
from coachbot.adapters.discord.people import People, people_shown_as_text, with_names
from coachbot.adapters.discord.render import render
from coachbot.adapters.discord.send import message_kwargs
from coachbot.clock import SystemClock
from coachbot.delivery import (
    DeliveryTarget,
    Pace,
    PermanentFailure,
    RateLimited,
    Requests,
    Sent,
    TransientFailure,
    unpaced,
)
from coachbot.identity import PersonRef
from coachbot.reply import Reply

if TYPE_CHECKING:
    from coachbot.app import App

PERMANENT_CODES = {50007: "cannot send messages to this user", 50001: "missing access",
                   50013: "missing permissions", 10003: "unknown channel", 10013: "unknown user"}  # fmt: skip
OPENING_DMS_TOO_FAST = 40003
DM_OPEN_BACKOFF = 60.0  # seconds; Discord gives no Retry-After with 40003
SNOWFLAKE_MAX = 2**64 - 1  # Discord ids are unsigned 64-bit integers


def discord_nonce(nonce: str, part: int = 0) -> str:
    """The nonce of message ``part`` of a delivery: the engine's own when it fits, else a hash."""
    if part == 0 and 0 < len(nonce) <= limits.NONCE:
        return nonce
    return hashlib.blake2b(f"{nonce}/{part}".encode(), digest_size=12).hexdigest()


def failure(exc: Exception) -> Exception:
    """The port's failure for a discord.py or network error."""
    if isinstance(exc, discord.RateLimited):
        return RateLimited(exc.retry_after, "discord rate limit")
    if isinstance(exc, discord.HTTPException):
        return _http_failure(exc)
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return TransientFailure(f"network: {type(exc).__name__}")
    return exc


def snowflake(raw: str, what: str) -> int:
    """``raw`` as a Discord id; a ``PermanentFailure`` when it is none (retrying cannot help)."""
    text = raw.strip()
    if text.isascii() and text.isdigit() and 0 < int(text) <= SNOWFLAKE_MAX:
        return int(text)
    raise PermanentFailure(f"discord: {what} {raw[:40]!r} is not a Discord id")


def _http_failure(exc: discord.HTTPException) -> Exception:
    if exc.status == 429:
        retry = getattr(exc.response, "headers", {}).get("Retry-After", "1")
        return RateLimited(float(retry), "discord 429")
    if exc.code == OPENING_DMS_TOO_FAST:
        return RateLimited(DM_OPEN_BACKOFF, "discord 403/40003: opening DMs too fast")
    if exc.status >= 500 or exc.status == 401:  # 401: our token, not the user's fault
        return TransientFailure(f"discord {exc.status}")
    reason = PERMANENT_CODES.get(exc.code, exc.text[:120] or "refused")
    return PermanentFailure(f"discord {exc.status}/{exc.code}: {reason}")


class DiscordDelivery:
    """Sends core replies through a logged-in client's REST API."""

    platform = PLATFORM

    def __init__(self, client: discord.Client, dm_channels: DmChannels | None = None) -> None:
        self.client = client
        self.dm_channels = dm_channels or DmChannels(None, SystemClock())
        self.people = People()  # names in titles and labels of prompts, recaps, alerts

    async def send(
        self, target: DeliveryTarget, reply: Reply, *, nonce: str, pace: Pace = unpaced
    ) -> Sent:
        """Send ``reply`` to the target's DMs or channel, each request after the first
        (the message after opening a DM, a second part) paced by ``pace``; raises the
        port's failures."""
        try:
            return await self._send(target, reply, nonce, Requests(pace))
        except Exception as exc:
            mapped = failure(exc)
            if mapped is exc:
                raise
            raise mapped from exc

    async def _send(
        self, target: DeliveryTarget, reply: Reply, nonce: str, requests: Requests
    ) -> Sent:
        if target.channel:
            channel_id = snowflake(target.channel, "channel")
        else:
            channel_id = await self._dm(target.person, requests)
        channel = self.client.get_partial_messageable(channel_id)
        names = await self.people.names(self.client, people_shown_as_text(reply))
        first: discord.Message | None = None
        shown = with_names(reply, names)
        for part, message in enumerate(render(shown, workspace=target.person.workspace)):
            await requests.next()
            sent = await channel.send(**message_kwargs(message), nonce=discord_nonce(nonce, part))
            first = first or sent
        assert first is not None  # render always returns at least one message
        return Sent(str(first.id))

    async def _dm(self, person: PersonRef, requests: Requests) -> int:
        """The DM channel with ``person``: stored, else opened (idempotent on Discord's
        side, a request of its own) and stored."""
        stored = await self.dm_channels.get(person.user)
        if stored is not None:
            return stored
        user = snowflake(person.user, "user")
        await requests.next()
        data = await self.client.http.start_private_message(user)
        await self.dm_channels.put(person, int(data["id"]))
        return int(data["id"])


def delivery_for(app: App, client: discord.Client) -> DiscordDelivery:
    """The port of ``client`` for ``app``, keeping DM channels in ``app``'s database."""
    return DiscordDelivery(client, DmChannels(app.services.db, app.services.clock))
