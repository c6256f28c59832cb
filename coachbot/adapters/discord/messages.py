"""Messages to the bot: a DM is a free question (or a command typed with its slash), and
so is a message mentioning the bot in a server channel.

Discord gives a bot the content of DMs and of messages that mention it without the
privileged message-content intent; the ``dm_messages`` and ``guild_messages`` intents
(not privileged) deliver them. In a server channel only questions are answered: a
personal reply (an error, say) goes to the asker's DM, never to the channel.
"""

from __future__ import annotations

import logging
import re

import discord

from coachbot.adapters.discord import PLATFORM
from coachbot.adapters.discord.interactions import DM_WORKSPACE
from coachbot.adapters.discord.render import render
from coachbot.adapters.discord.send import message_kwargs
from coachbot.app import App
from coachbot.identity import PersonRef
from coachbot.reply import Reply
from coachbot.textcommand import message_line, run_line

log = logging.getLogger(__name__)
LEADING_MENTIONS = re.compile(r"^(?:\s*<@!?\d+>)+")


def guild_of(message: discord.Message) -> int | None:
    """The id of the server ``message`` was sent in (None in a DM), cached or not."""
    if message.guild is not None:
        return message.guild.id
    return getattr(message.channel, "guild_id", None)


def addressed(message: discord.Message, me: discord.abc.User | None) -> bool:
    """Whether ``message`` is for the bot: a DM from a person, or a mention of the bot."""
    if message.author.bot or me is None or message.author.id == me.id:
        return False
    return guild_of(message) is None or any(u.id == me.id for u in message.mentions)


class MessageAnswerer:
    """Answers the messages addressed to the bot, in their channel."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def answer(self, message: discord.Message) -> None:
        """Run the message as a line of the core and post the reply where it was sent."""
        guild = guild_of(message)
        text = LEADING_MENTIONS.sub("", message.content).strip()
        # In a server channel a message is only ever a question: commands go by slash.
        line = message_line(text) if guild is None else (f"/cto ask {text}" if text else None)
        if line is None:
            return
        person = PersonRef(PLATFORM, str(guild) if guild else DM_WORKSPACE, str(message.author.id))
        try:
            reply = await run_line(
                self.app.dispatcher, person, line, None, str(message.channel.id), mentions_only=True
            )
            await self._post(message, reply, person, public=guild is not None)
        except (discord.HTTPException, discord.Forbidden):
            log.warning("could not answer a Discord message in channel %s", message.channel.id)

    async def _post(
        self, message: discord.Message, reply: Reply, person: PersonRef, *, public: bool
    ) -> None:
        where: discord.abc.Messageable = message.channel
        if public and reply.ephemeral:
            where = await message.author.create_dm()
        for out in render(reply, workspace=person.workspace):
            await where.send(**message_kwargs(out))
