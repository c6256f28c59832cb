"""Answering a slash command or a button press: through its ``response_url``, plus uploads.

The response URL works in every channel (even where the bot is not a member) and
takes up to ``RESPONSES`` posts; an ephemeral reply (personal data) is seen only by
the user. A longer answer is never cut: the rest goes through the Web API, in the same
channel (``chat.postEphemeral`` to the user for a personal reply, ``chat.postMessage``
for a public one) or, when the bot may not post there, into the user's DM. Pictures and
files cannot ride a response URL: a public reply uploads them into its channel (or,
when the bot may not post there, into the user's DM); a personal reply always uploads
them into the user's DM.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from coachbot.adapters.slack.outbox import NOT_THERE, DirectMessages, post, slack_error, upload
from coachbot.adapters.slack.render import Message, SlackRenderer, Upload
from coachbot.identity import PersonRef
from coachbot.reply import Reply

log = logging.getLogger(__name__)
RESPONSES = 5  # Slack accepts five posts per response_url
Respond = Callable[..., Awaitable[Any]]


class ReplySender:
    """Sends a core Reply as the answer to one interaction."""

    def __init__(self, renderer: SlackRenderer, dms: DirectMessages) -> None:
        self.renderer = renderer
        self.dms = dms

    async def answer(
        self,
        respond: Respond,
        client: AsyncWebClient,
        reply: Reply,
        *,
        person: PersonRef,
        channel: str | None,
    ) -> None:
        """Post ``reply`` (ephemeral when personal), then upload its pictures and files."""
        rendered = self.renderer.render(reply)
        kind = "ephemeral" if reply.ephemeral else "in_channel"
        for message in rendered.messages[:RESPONSES]:
            await respond(
                text=message.text,
                blocks=message.blocks,
                response_type=kind,
                replace_original=False,
                unfurl_links=False,
                unfurl_media=False,
            )
        rest = rendered.messages[RESPONSES:]
        if rest:
            await self._post_rest(client, rest, person, channel, personal=reply.ephemeral)
        public = None if reply.ephemeral else channel
        for item in rendered.uploads:
            await self._upload(client, item, person, public)

    async def post(
        self, client: AsyncWebClient, reply: Reply, *, person: PersonRef, channel: str
    ) -> None:
        """Post ``reply`` in ``channel`` through the Web API (an answer to a message, which
        has no response URL): to the user only when personal, in their DM when the bot
        cannot post there; then its pictures and files."""
        rendered = self.renderer.render(reply)
        where: str | None = channel
        for message in rendered.messages:
            where = await self._post_one(client, message, person, where, personal=reply.ephemeral)
        for item in rendered.uploads:
            await self._upload(client, item, person, None if reply.ephemeral else channel)

    async def _post_rest(
        self,
        client: AsyncWebClient,
        messages: list[Message],
        person: PersonRef,
        channel: str | None,
        *,
        personal: bool,
    ) -> None:
        """The messages past the response URL's ``RESPONSES``: in ``channel``, else the DM."""
        log.info(
            "a reply needed %d messages; the rest go through the Web API", RESPONSES + len(messages)
        )
        where = channel
        try:
            for message in messages:
                where = await self._post_one(client, message, person, where, personal=personal)
        except (SlackApiError, ClientError, TimeoutError, OSError) as exc:
            log.warning("could not post the rest of a long reply: %s", type(exc).__name__)

    async def _post_one(
        self,
        client: AsyncWebClient,
        message: Message,
        person: PersonRef,
        channel: str | None,
        *,
        personal: bool,
    ) -> str | None:
        """Post ``message`` in ``channel`` (to the user only when ``personal``) or, when the
        bot cannot post there, in the user's DM; returns the channel for the next one."""
        if channel:
            try:
                if personal:
                    await client.chat_postEphemeral(
                        channel=channel, user=person.user, text=message.text, blocks=message.blocks
                    )
                else:
                    await post(client, channel, message)
                return channel
            except SlackApiError as exc:
                if slack_error(exc) not in NOT_THERE:
                    raise
        dm = await self.dms.channel(client, person.workspace, person.user)
        await post(client, dm, message)
        return None

    async def _upload(
        self, client: AsyncWebClient, item: Upload, person: PersonRef, channel: str | None
    ) -> None:
        try:
            if channel:
                try:
                    await upload(client, channel, item)
                    return
                except SlackApiError as exc:
                    if slack_error(exc) not in NOT_THERE:
                        raise
            dm = await self.dms.channel(client, person.workspace, person.user)
            await upload(client, dm, item)
        except (SlackApiError, ClientError, TimeoutError, OSError) as exc:
            log.warning("could not upload %s: %s", item.filename, type(exc).__name__)
