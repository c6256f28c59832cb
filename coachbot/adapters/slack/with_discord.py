"""``coachbot run --platform all``: Slack and Discord in one process, sharing the core and one scheduler.

Slack starts first. The scheduler starts as soon as Discord has answered the login
(bounded by ``DISCORD_LOGIN_TIMEOUT``): REST works from then on and Discord's delivery
port needs nothing more, so Slack's prompts never wait for Discord's gateway. Discord
failing (a refused token, no answer, a refused gateway) is logged once, clearly, and
Slack keeps serving; Discord's prompts then stay in the database, unclaimed (a process
only claims the platforms it has a port for), until coachbot runs with Discord working.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from coachbot.adapters.discord import discord  # through the package: its warning filter applies
from coachbot.adapters.slack.run import start_slack
from coachbot.app import App, build_app, build_scheduler
from coachbot.scheduling.scheduler import Scheduler, delivery_ports, register_port
from coachbot.settings import Settings

log = logging.getLogger("coachbot")
DISCORD = "discord"
DISCORD_LOGIN_TIMEOUT = 30.0  # seconds: the longest Slack's prompts wait for Discord's login


async def serve_all(settings: Settings, *, http: bool, port: int | None) -> int:
    """Both platforms until interrupted (Slack in Socket Mode, or HTTP when ``http``)."""
    from coachbot.adapters.discord.client import make_client
    from coachbot.adapters.discord.interactions import Responder
    from coachbot.adapters.discord.messages import MessageAnswerer

    token = settings.secrets.require("discord_token").reveal()
    app = build_app(settings)
    try:
        client = make_client(
            app.registry, settings, responder=Responder(app), messages=MessageAnswerer(app)
        )
        await serve_slack_and_discord(app, client, token, http=http, port=port)
    finally:
        await app.close()
    return 0


async def serve_slack_and_discord(
    app: App, client: discord.Client, token: str, *, http: bool, port: int | None
) -> None:
    """Serve Slack, log ``client`` in, run one scheduler for both; until cancelled."""
    runtime = await start_slack(app, http=http, port=port)
    try:
        async with client:
            scheduling = Scheduling(app)
            try:
                await _run_discord(app, client, token, scheduling)
                await asyncio.Event().wait()  # Discord failed: Slack serves on
            finally:
                await scheduling.stop()
    finally:
        await runtime.stop()


async def _run_discord(
    app: App, client: discord.Client, token: str, scheduling: Scheduling
) -> None:
    """Log in, start the scheduler, run the gateway; returns only if Discord failed."""
    from coachbot.adapters.discord.delivery import DiscordDelivery

    login = asyncio.wait_for(client.login(token), DISCORD_LOGIN_TIMEOUT)
    if not await _discord_step("log in", login):
        scheduling.start()
        return
    register_port(app.services, DiscordDelivery(client))
    scheduling.start()
    if not await _discord_step("connect to the gateway", client.connect()):
        delivery_ports(app.services).pop(DISCORD, None)  # its client may be closed now
        scheduling.follow_ports()


async def _discord_step(step: str, work: Awaitable[object]) -> bool:
    """Await ``work``; a failure is logged as one clear error (False), never raised."""
    try:
        await work
    except Exception as exc:
        log.error(
            "Discord: could not %s (%s). Slack keeps running; Discord's prompts wait until "
            "coachbot runs with Discord working.",
            step,
            discord_problem(exc),
        )
        return False
    return True


def discord_problem(exc: Exception) -> str:
    """What went wrong with Discord, with the fix when there is an obvious one."""
    if isinstance(exc, discord.LoginFailure):
        return (
            "the token was refused; put the bot token from the Developer Portal "
            "(Bot > Reset Token) in COACHBOT_DISCORD_TOKEN"
        )
    if isinstance(exc, TimeoutError):
        return f"no answer within {DISCORD_LOGIN_TIMEOUT:.0f} s; check the network"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class Scheduling:
    """The one scheduler of the process, over the delivery ports registered when it starts."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.scheduler: Scheduler | None = None

    def start(self) -> None:
        """Build and start the scheduler (none when the settings disable it)."""
        self.scheduler = build_scheduler(self.app)
        if self.scheduler is not None:
            self.scheduler.start()

    async def stop(self) -> None:
        """Stop it, if it runs."""
        if self.scheduler is not None:
            await self.scheduler.stop()
            self.scheduler = None

    def follow_ports(self) -> None:
        """From the next tick on, deliver over the ports registered now.

        The running scheduler gets a fresh tick rather than a restart: stopping it would
        cancel a tick in flight (APScheduler logs that as an error), while swapping the
        tick lets the current one end as it began.
        """
        fresh = build_scheduler(self.app)
        if self.scheduler is not None and fresh is not None:
            self.scheduler.tick = fresh.tick
