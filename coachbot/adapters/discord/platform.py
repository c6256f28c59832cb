"""Discord as a platform adapter: log in (REST works from then on), then the gateway."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord

from coachbot.adapters.discord import PLATFORM
from coachbot.adapters.discord.delivery import DiscordDelivery
from coachbot.adapters.discord.failures import FAILURES, explain
from coachbot.app import App
from coachbot.platform import PlatformAdapter, PlatformUnavailable
from coachbot.scheduling.ratelimit import Limit, PlatformLimits

if TYPE_CHECKING:
    from coachbot.adapters.discord.client import CoachClient

log = logging.getLogger(__name__)
LOGIN_TIMEOUT = 30.0  # seconds: the longest the other platforms' prompts wait for Discord
# 50 requests per second for the whole bot (per-route limits answer with a 429 and its
# retry-after); no burst, so no one-second window ever holds more than 50.
LIMITS = PlatformLimits(bot=Limit(50.0))


class DiscordPlatform:
    """A discord.py client serving the core: ``start`` logs in, ``serve`` runs the gateway."""

    platform = PLATFORM
    limits = LIMITS

    def __init__(
        self, client: discord.Client, token: str, delivery: DiscordDelivery | None = None
    ) -> None:
        self.client = client
        self.token = token
        self.delivery = delivery or DiscordDelivery(client)

    async def start(self) -> None:
        """Log in (bounded by ``LOGIN_TIMEOUT``): REST, hence delivery, works from then on."""
        try:
            await self._explained(
                "log in", asyncio.wait_for(self.client.login(self.token), LOGIN_TIMEOUT)
            )
        except TimeoutError as exc:
            raise PlatformUnavailable(
                f"could not log in: no answer within {LOGIN_TIMEOUT:.0f} s; check the network"
            ) from exc

    async def serve(self) -> None:
        """Run the gateway until ``stop``; a refusal raises ``PlatformUnavailable``."""
        await self._explained("connect to the gateway", self.client.connect())

    async def ready(self) -> str | None:
        """A readiness probe: None while the gateway session is up."""
        if self.client.is_ready() and not self.client.is_closed():
            return None
        return "not connected to the Discord gateway"

    async def stop(self) -> None:
        """Close the gateway and the HTTP session."""
        await self.client.close()

    async def _explained(self, step: str, work: Any) -> None:
        try:
            await work
        except TimeoutError:
            raise
        except FAILURES as exc:
            log.debug("discord failure", exc_info=True)
            raise PlatformUnavailable(f"could not {step}: {explain(exc)}") from exc


def adapter(app: App, args: argparse.Namespace) -> PlatformAdapter:
    """Discord for ``coachbot run --platform discord`` (needs COACHBOT_DISCORD_TOKEN)."""
    from coachbot.adapters.discord.delivery import delivery_for

    token = app.services.settings.secrets.require("discord_token").reveal()
    logging.getLogger("coachbot.adapters.discord").setLevel(logging.INFO)
    client = wired_client(app)
    return DiscordPlatform(client, token, delivery_for(app, client))


def wired_client(app: App) -> CoachClient:
    """The client answering for ``app``; once logged in it uploads the commands if they
    changed since the last upload."""
    from coachbot.adapters.discord.cli import command_sync
    from coachbot.adapters.discord.client import make_client
    from coachbot.adapters.discord.interactions import Responder
    from coachbot.adapters.discord.messages import MessageAnswerer

    client = make_client(
        app.registry,
        app.services.settings,
        responder=Responder(app),
        messages=MessageAnswerer(app),
    )
    client.startup.append(command_sync(app))
    return client
