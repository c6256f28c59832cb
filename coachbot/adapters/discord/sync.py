"""Keeping Discord's commands in step with the registry, with no manual step.

``coachbot run`` hashes the payload ``sync`` would send (canonical JSON, SHA-256) and
uploads it globally only when the hash differs from the one stored in
``command_sync`` for that target: the first run, or a run after the commands
changed. Each upload, from ``run`` or from ``coachbot discord sync``, stores its
hash; ``sync --guild ID --clear`` removes a server's copy and its record.

A server holding its own copy of commands that are also global shows each of them
twice. After each upload the other side is read back (the global commands after a
server sync; the servers we synced to after a global one) and a warning names every
duplicated command and the command that removes the server's copies.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord
from sqlmodel import col, delete, select

from coachbot.adapters.discord import PLATFORM
from coachbot.db.models import CommandSync

if TYPE_CHECKING:
    from coachbot.db.engine import Database

log = logging.getLogger(__name__)
GLOBAL = "global"


def payload_hash(payload: Sequence[dict[str, Any]]) -> str:
    """A fingerprint of the payload: equal exactly when Discord would get the same commands."""
    canonical = json.dumps(list(payload), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def target_of(guild: int | None) -> str:
    """The ``command_sync`` target of a sync: a server id, or ``global``."""
    return str(guild) if guild else GLOBAL


class SyncRecords:
    """What was last uploaded where (``command_sync``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def stored(self, target: str) -> str | None:
        """The hash last uploaded to ``target``, if any."""
        query = select(CommandSync.payload_hash).where(
            CommandSync.platform == PLATFORM, CommandSync.target == target
        )
        async with self.db.session() as session:
            return (await session.exec(query)).first()

    async def save(self, target: str, digest: str, now: datetime) -> None:
        """Record an upload (replacing the previous record of ``target``)."""
        await self.forget(target)
        async with self.db.session() as session:
            session.add(
                CommandSync(platform=PLATFORM, target=target, payload_hash=digest, synced_at=now)
            )

    async def forget(self, target: str) -> None:
        """Drop the record of ``target`` (its commands were removed)."""
        query = delete(CommandSync).where(
            col(CommandSync.platform) == PLATFORM, col(CommandSync.target) == target
        )
        async with self.db.session() as session:
            await session.exec(query)

    async def guilds(self) -> list[int]:
        """The servers that were given their own copy of the commands."""
        query = select(CommandSync.target).where(
            CommandSync.platform == PLATFORM, CommandSync.target != GLOBAL
        )
        async with self.db.session() as session:
            return sorted(int(t) for t in await session.exec(query) if t.isdigit())


async def duplicated(client: discord.Client, guilds: Sequence[int]) -> dict[int, list[str]]:
    """For each of ``guilds``, the command names it holds that are global too."""
    tree: Any = getattr(client, "tree")  # noqa: B009  (CoachClient's command tree)
    global_names = {c.name for c in await tree.fetch_commands()}
    found: dict[int, list[str]] = {}
    for guild in guilds:
        names = {c.name for c in await tree.fetch_commands(guild=discord.Object(id=guild))}
        if names & global_names:
            found[guild] = sorted(names & global_names)
    return found


def duplicate_warning(guild: int, names: Sequence[str]) -> str:
    """One line naming the commands shown twice on ``guild`` and how to fix it."""
    shown = ", ".join(f"/{n}" for n in names)
    return (
        f"server {guild} has its own copy of commands that are also global, so it shows "
        f"them twice: {shown}. Remove its copies: coachbot discord sync --guild {guild} --clear"
    )


async def sync_if_changed(client: discord.Client, records: SyncRecords, now: datetime) -> bool:
    """Upload the global commands when they changed since the last upload (or were never
    uploaded), then warn about servers showing them twice; True when it uploaded."""
    from coachbot.adapters.discord.client import translated_payload
    from coachbot.adapters.discord.payload_check import problems

    tree: Any = getattr(client, "tree")  # noqa: B009
    payload = await translated_payload(tree)
    digest = payload_hash(payload)
    uploaded = False
    if await records.stored(GLOBAL) != digest:
        found = problems(payload)
        if found:
            log.error("commands not synced: Discord would refuse them (%s)", "; ".join(found))
            return False
        synced = await tree.sync()
        await records.save(GLOBAL, digest, now)
        log.info(
            "synced %d commands to every server (they changed since the last sync)", len(synced)
        )
        uploaded = True
    for guild, names in (await duplicated(client, await records.guilds())).items():
        log.warning(duplicate_warning(guild, names))
    return uploaded
