"""Can the bot post tips in a channel? Its permissions there, computed by discord.py.

A channel picked in a command (the tips channel of ``/coach-server``) is checked
before the core stores it: the bot needs View Channel, Send Messages, Embed Links and
Attach Files there (a prompt is an embed, a chart a file). The guild, the bot's
member and the channel come from discord.py's cache when the gateway filled it, else
from three REST reads; ``permissions_for`` applies roles and overwrites as Discord does.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from coachbot.i18n import Lang, Localized

log = logging.getLogger(__name__)
NEEDED: dict[str, Localized] = {
    "view_channel": Localized("Voir le salon", "View Channel"),
    "send_messages": Localized("Envoyer des messages", "Send Messages"),
    "embed_links": Localized("Intégrer des liens", "Embed Links"),
    "attach_files": Localized("Joindre des fichiers", "Attach Files"),
}


async def missing_in(client: discord.Client, guild_id: int, channel_id: int) -> list[str]:
    """The permission names (``NEEDED`` keys) the bot lacks in the channel; none when
    Discord cannot be asked (a refusal to post will then say it later)."""
    try:
        granted = await _bot_permissions(client, guild_id, channel_id)
    except (discord.Forbidden, discord.NotFound):
        return ["view_channel"]  # the bot cannot even see the channel
    except discord.HTTPException:
        log.warning("could not check the permissions in channel %s", channel_id, exc_info=True)
        return []
    return [name for name in NEEDED if not getattr(granted, name)]


async def _bot_permissions(
    client: discord.Client, guild_id: int, channel_id: int
) -> discord.Permissions:
    assert client.user is not None  # logged in: interactions only arrive then
    guild = client.get_guild(guild_id)
    me = guild.me if guild is not None else None
    channel: Any = guild.get_channel(channel_id) if guild is not None else None
    if guild is None or me is None or channel is None:
        guild = await client.fetch_guild(guild_id, with_counts=False)
        me = await guild.fetch_member(client.user.id)
        channel = await guild.fetch_channel(channel_id)
    return channel.permissions_for(me)


def refusal_text(missing: list[str], channel_id: int, lang: Lang) -> str:
    """Markup naming the channel and each missing permission, and how to grant them."""
    names = ", ".join(f"**{NEEDED[name].get(lang)}**" for name in missing)
    return Localized(
        f"Je ne peux pas publier dans <#{channel_id}> : il me manque {names}. Donnez-moi ces "
        "permissions dans les réglages du salon (Permissions), puis recommencez. "
        "Rien n'a été modifié.",
        f"I cannot post in <#{channel_id}>: I am missing {names}. Grant me these "
        "permissions in the channel's settings (Permissions), then try again. "
        "Nothing was changed.",
    ).get(lang)
