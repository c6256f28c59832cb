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

import discord

from coachbot.adapters.discord.client import CoachClient, make_client, translated_payload
from coachbot.adapters.discord.failures import FAILURES, explain
from coachbot.adapters.discord.payload_check import problems
from coachbot.adapters.discord.sync import (
    SyncRecords,
    duplicate_warning,
    duplicated,
    payload_hash,
    sync_if_changed,
    target_of,
)
from coachbot.clock import SystemClock
from coachbot.settings import Settings, SettingsError

if TYPE_CHECKING:
    from coachbot.app import App

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


def sync(
    settings: Settings, guild: int | None, out: IO[str] | None = None, *, clear: bool = False
) -> int:
    """Upload the commands globally, or to one server (instant, for testing); with
    ``clear``, remove that server's commands. Recorded in the database when it is
    migrated, so ``coachbot run`` knows what Discord has."""
    token = settings.secrets.require("discord_token").reveal()
    client = _registry_client(settings)
    url = settings.database.url if _migrated(settings.database.url) else None
    return _guarded(_with_records(url, client, token, guild, out or sys.stdout, clear))


def _migrated(url: str) -> bool:
    """Whether the database can record syncs (syncing itself needs no database)."""
    from sqlalchemy.exc import SQLAlchemyError

    from coachbot.db.migrate import require_current_schema
    from coachbot.errors import SchemaNotReady

    try:
        require_current_schema(url)
    except (SchemaNotReady, SQLAlchemyError, OSError):
        return False
    return True


async def _with_records(
    url: str | None, client: CoachClient, token: str, guild: int | None, out: IO[str], clear: bool
) -> int:
    if url is None:
        return await _sync_client(client, token, guild, out, clear=clear)
    from coachbot.db.engine import Database

    db = Database(url)
    try:
        records = SyncRecords(db)
        return await _sync_client(client, token, guild, out, records=records, clear=clear)
    finally:
        await db.dispose()


async def _sync_client(
    client: CoachClient,
    token: str,
    guild: int | None,
    out: IO[str],
    *,
    records: SyncRecords | None = None,
    clear: bool = False,
) -> int:
    async with client:
        await client.login(token)
        if clear and guild:
            return await _clear(client, guild, out, records)
        payload = await translated_payload(client.tree)
        found = problems(payload)
        if found:
            return _report(found)
        target = discord.Object(id=guild) if guild else None
        if target is not None:
            client.tree.copy_global_to(guild=target)
        synced = await client.tree.sync(guild=target)
        if records is not None:
            await records.save(target_of(guild), payload_hash(payload), SystemClock().now())
        where = f"server {guild}" if guild else "every server (global; may take up to an hour)"
        print(f"synced {len(synced)} commands to {where}", file=out)
        guilds = [guild] if guild else await records.guilds() if records is not None else []
        for server, names in (await duplicated(client, guilds)).items():
            print(f"coachbot: warning: {duplicate_warning(server, names)}", file=sys.stderr)
    return 0


async def _clear(client: CoachClient, guild: int, out: IO[str], records: SyncRecords | None) -> int:
    """Remove every command of one server (its global commands stay)."""
    target = discord.Object(id=guild)
    client.tree.clear_commands(guild=target)
    await client.tree.sync(guild=target)
    if records is not None:
        await records.forget(target_of(guild))
    print(f"removed the commands of server {guild}", file=out)
    return 0


def command_sync(app: App) -> Callable[[CoachClient], Awaitable[None]]:
    """The start-up step uploading the commands when they changed (see ``sync``); a
    failure is logged in one line and the bot serves on with the commands Discord has."""

    async def sync_commands(client: CoachClient) -> None:
        if app.services.db is None:
            return
        try:
            await sync_if_changed(client, SyncRecords(app.services.db), app.services.clock.now())
        except FAILURES as exc:
            log.error("could not sync the commands: %s", explain(exc))

    return sync_commands
