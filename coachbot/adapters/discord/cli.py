"""``coachbot discord ...`` and ``coachbot run --platform discord``.

``commands --json`` and ``invite-url`` need no token and no network; ``sync`` logs in
over REST only (no gateway) and refuses to send a payload our checker rejects. When
Discord refuses the token, cannot be reached or refuses the sync, ``sync`` and ``run``
print one line saying how to fix it and exit 1, never a traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import IO, TYPE_CHECKING, Any

import aiohttp
import discord

from coachbot.adapters.discord.client import CoachClient, make_client, translated_payload
from coachbot.adapters.discord.payload_check import problems
from coachbot.settings import Settings, SettingsError

if TYPE_CHECKING:
    from coachbot.app import App
    from coachbot.scheduling.scheduler import Scheduler

log = logging.getLogger(__name__)
SCOPES = ("bot", "applications.commands")
# View Channel, Send Messages, Embed Links, Attach Files: what channel prompts need.
PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, embed_links=True, attach_files=True
)


def _registry_client(settings: Settings) -> CoachClient:
    """A client with the full command tree, without database or token."""
    from coachbot.app import build_registry
    from coachbot.knowledge.loader import default_knowledge

    return make_client(build_registry(default_knowledge()), settings)


async def command_payload(settings: Settings) -> list[dict[str, Any]]:
    """The exact payload ``sync`` would send, translated."""
    return await translated_payload(_registry_client(settings).tree)


def print_commands(settings: Settings, *, as_json: bool, out: IO[str] | None = None) -> int:
    """Print the payload (``--json``) or one line per command; exit 1 if it breaks a rule."""
    payload = asyncio.run(command_payload(settings))
    out = out or sys.stdout
    if as_json:
        print(json.dumps(payload, ensure_ascii=False, indent=2), file=out)
    else:
        for command in payload:
            subs = [o["name"] for o in command.get("options", []) if o.get("type") in (1, 2)]
            print(f"/{command['name']}  {' '.join(subs)}".rstrip(), file=out)
    return _report(problems(payload))


def _report(found: list[str]) -> int:
    for problem in found:
        print(f"coachbot: Discord would refuse: {problem}", file=sys.stderr)
    return 1 if found else 0


def invite_url(settings: Settings, out: IO[str] | None = None) -> int:
    """Print the OAuth2 URL that adds the bot to a server with the minimal permissions."""
    app_id = settings.discord.application_id
    if not app_id:
        raise SettingsError(
            "[discord] application_id is not set: copy it from the Developer Portal "
            "(General Information > Application ID) into config.toml"
        )
    url = discord.utils.oauth_url(app_id, permissions=PERMISSIONS, scopes=SCOPES)
    print(url, file=out or sys.stdout)
    return 0


TOKEN_FIX = (
    "Discord token rejected: reset it on the Bot page of the Developer Portal "
    "(Reset Token) and export COACHBOT_DISCORD_TOKEN"
)
SCOPE_FIX = (
    "re-invite the bot with the applications.commands scope (coachbot discord invite-url), "
    "and check that [discord] application_id is this token's application"
)
FAILURES = (discord.DiscordException, aiohttp.ClientError, TimeoutError)


def explain(exc: BaseException) -> str:
    """One line saying what Discord refused, or why it cannot be reached, and how to fix it."""
    if isinstance(exc, discord.LoginFailure):
        return TOKEN_FIX
    if isinstance(exc, aiohttp.ClientConnectorError):  # refused, unreachable, DNS
        return (
            f"cannot reach Discord ({exc.host}: {exc.strerror or exc.os_error}): check the "
            "network connection, DNS or proxy, then try again"
        )
    if isinstance(exc, aiohttp.ClientError | TimeoutError):
        return f"the connection to Discord failed ({type(exc).__name__}): try again"
    if isinstance(exc, discord.HTTPException):
        return _http_refusal(exc)
    return f"Discord failed: {exc}"


def _http_refusal(exc: discord.HTTPException) -> str:
    said = f"{exc.status}/{exc.code}: {exc.text[:100] or 'no reason given'}"
    if exc.status == 401:
        return TOKEN_FIX
    if exc.status == 403:
        return f"Discord refused ({said}): {SCOPE_FIX}"
    if exc.status >= 500 or exc.status == 429:
        return f"Discord is busy or down ({said}): try again in a few minutes"
    return f"Discord refused the request ({said})"


def _guarded(work: Coroutine[Any, Any, int]) -> int:
    """Run ``work``; a Discord refusal or network failure becomes one line on stderr, exit 1."""
    try:
        return asyncio.run(work)
    except FAILURES as exc:
        log.debug("discord failure", exc_info=True)
        print(f"coachbot: {explain(exc)}", file=sys.stderr)
        return 1


def sync(settings: Settings, guild: int | None, out: IO[str] | None = None) -> int:
    """Upload the commands globally, or to one server (instant, for testing)."""
    token = settings.secrets.require("discord_token").reveal()
    return _guarded(_sync_client(_registry_client(settings), token, guild, out or sys.stdout))


async def _sync_client(client: CoachClient, token: str, guild: int | None, out: IO[str]) -> int:
    async with client:
        await client.login(token)
        found = problems(await translated_payload(client.tree))
        if found:
            return _report(found)
        target = discord.Object(id=guild) if guild else None
        if target is not None:
            client.tree.copy_global_to(guild=target)
        synced = await client.tree.sync(guild=target)
    where = f"server {guild}" if guild else "every server (global; may take up to an hour)"
    print(f"synced {len(synced)} commands to {where}", file=out)
    return 0


def run(settings: Settings) -> int:
    """Connect to Discord and serve until interrupted; says once when connected."""
    from coachbot.db.migrate import require_current_schema

    token = settings.secrets.require("discord_token").reveal()
    require_current_schema(settings.database.url)
    logging.getLogger("coachbot.adapters.discord").setLevel(logging.INFO)
    return _guarded(_run(settings, token))


async def _run(settings: Settings, token: str) -> int:
    from coachbot.app import build_app

    app = build_app(settings)
    client, scheduler = wire(app, settings)
    try:
        async with client:
            await client.start(token)
    finally:
        if scheduler is not None:
            await scheduler.stop()
        await app.close()
    return 0


def wire(app: App, settings: Settings) -> tuple[CoachClient, Scheduler | None]:
    """The client answering for ``app``, its delivery port, and the prompt scheduler.

    The port is registered before the scheduler is built (it reads the ports then);
    the scheduler starts once logged in, when REST calls work.
    """
    from coachbot.adapters.discord.delivery import DiscordDelivery
    from coachbot.adapters.discord.interactions import Responder
    from coachbot.adapters.discord.messages import MessageAnswerer
    from coachbot.app import build_scheduler
    from coachbot.scheduling.scheduler import register_port

    client = make_client(
        app.registry, settings, responder=Responder(app), messages=MessageAnswerer(app)
    )
    register_port(app.services, DiscordDelivery(client))
    scheduler = build_scheduler(app)
    if scheduler is not None:
        client.startup.append(_starter(scheduler))
    return client, scheduler


def _starter(scheduler: Scheduler) -> Callable[[CoachClient], Awaitable[None]]:
    async def start(client: CoachClient) -> None:
        scheduler.start()

    return start
