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
from collections.abc import Coroutine
from typing import IO, Any

import discord

from coachbot.adapters.discord.client import CoachClient, make_client, translated_payload
from coachbot.adapters.discord.failures import FAILURES, explain
from coachbot.adapters.discord.payload_check import problems
from coachbot.settings import Settings, SettingsError

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
