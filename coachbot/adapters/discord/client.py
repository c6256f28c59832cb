"""The discord.py client: the command tree from the registry, persistent buttons, sharding.

No privileged intent: slash commands and buttons arrive as interactions whatever the
intents; ``guilds`` is on, so discord.py knows the servers it is in, and
``dm_messages`` and ``guild_messages``, so a DM or a mention of the bot is a free
question (Discord gives the content of those without the message-content intent). No
member or message cache. With ``shard_count`` > 0 the client is an ``AutoShardedClient``
running ``shard_ids`` (a range per process); the delivery engine's PostgreSQL claim
keeps daily prompts exactly-once across processes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord
from discord import app_commands

from coachbot.adapters.discord.commands import build_commands
from coachbot.adapters.discord.interactions import Responder, on_tree_error
from coachbot.adapters.discord.messages import MessageAnswerer, addressed
from coachbot.adapters.discord.send import NO_MENTIONS
from coachbot.adapters.discord.translator import RegistryTranslator
from coachbot.adapters.discord.views import ActionButton
from coachbot.i18n import Lang, parse_lang
from coachbot.registry import Registry
from coachbot.settings import Settings

log = logging.getLogger(__name__)
Hook = Callable[["CoachClient"], Awaitable[None]]
# The longest per-route rate-limit wait discord.py sleeps through inside one request;
# a longer one raises discord.RateLimited, which the delivery port hands to the engine
# as RateLimited(retry_after). 30 s is the least discord.py accepts: it silently raises
# anything lower to 30, so the value is set to what it really is.
MAX_RATELIMIT_WAIT = 30.0
GUILD_ONLY = app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)
GUILD_INSTALL = app_commands.AppInstallationType(guild=True, user=False)


def intents() -> discord.Intents:
    """``guilds``, ``dm_messages`` and ``guild_messages``: none of them privileged."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.dm_messages = True
    chosen.guild_messages = True
    return chosen


def default_lang(settings: Settings) -> Lang:
    """The language of command texts for locales other than French and English."""
    return parse_lang(settings.bot.default_language) or "fr"


class CoachClient(discord.Client):
    """A client whose tree is the registry, and whose buttons survive restarts."""

    def __init__(
        self,
        registry: Registry,
        lang: Lang,
        *,
        responder: Responder | None = None,
        startup: Sequence[Hook] = (),
        messages: MessageAnswerer | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.coach_responder = responder
        self.coach_messages = messages
        self.startup: list[Hook] = list(startup)
        self.tree: app_commands.CommandTree[Any] = build_tree(self, registry, lang)
        self._announced = False

    async def setup_hook(self) -> None:
        """After login, before the gateway: translator, button routing, then the hooks."""
        await self.tree.set_translator(RegistryTranslator())
        self.add_dynamic_items(ActionButton)
        for hook in self.startup:
            await hook(self)

    async def on_message(self, message: discord.Message) -> None:
        """A DM to the bot, or a message mentioning it: answered as a free question."""
        if self.coach_messages is not None and addressed(message, self.user):
            await self.coach_messages.answer(message)

    async def on_ready(self) -> None:
        """Say once that the bot is online (Discord sends READY again after reconnects)."""
        if not self._announced:
            self._announced = True
            log.info("connected as %s to %d servers", self.user, len(self.guilds))


class ShardedCoachClient(CoachClient, discord.AutoShardedClient):
    """The same client over several shards."""


def build_tree(
    client: discord.Client, registry: Registry, lang: Lang
) -> app_commands.CommandTree[Any]:
    """The command tree of ``registry``: guild commands, installed on servers."""
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(
        client, allowed_contexts=GUILD_ONLY, allowed_installs=GUILD_INSTALL
    )
    for command in build_commands(registry, lang):
        tree.add_command(command)
    tree.error(on_tree_error)
    return tree


def quiet_voice_warnings() -> None:
    """The bot never joins voice: do not warn that voice libraries are missing."""
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False


def make_client(
    registry: Registry,
    settings: Settings,
    *,
    responder: Responder | None = None,
    startup: Sequence[Hook] = (),
    messages: MessageAnswerer | None = None,
) -> CoachClient:
    """A client for ``settings``: sharded when ``shard_count`` > 0; ``messages`` answers
    the DMs and mentions it receives."""
    quiet_voice_warnings()
    conf = settings.discord
    options: dict[str, Any] = {
        "intents": intents(),
        "application_id": conf.application_id or None,
        "allowed_mentions": NO_MENTIONS,
        "member_cache_flags": discord.MemberCacheFlags.none(),
        "max_messages": None,
        "chunk_guilds_at_startup": False,
        "max_ratelimit_timeout": MAX_RATELIMIT_WAIT,
    }
    cls: type[CoachClient] = CoachClient
    if conf.shard_count > 0:
        cls = ShardedCoachClient
        options.update(shard_count=conf.shard_count, shard_ids=list(conf.shard_ids) or None)
    lang = default_lang(settings)
    return cls(registry, lang, responder=responder, startup=startup, messages=messages, **options)


async def translated_payload(tree: app_commands.CommandTree[Any]) -> list[dict[str, Any]]:
    """Exactly what ``tree.sync()`` sends: each command's translated payload."""
    translator = tree.translator or RegistryTranslator()
    return [await c.get_translated_payload(tree, translator) for c in tree.get_commands()]
