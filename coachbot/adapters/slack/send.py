"""Answering a slash command or a button press: through its ``response_url``, plus uploads.

The response URL works in every channel (even where the bot is not a member) and
takes up to ``RESPONSES`` posts; an ephemeral reply (personal data) is seen only by
the user. Pictures and files cannot ride a response URL: a public reply uploads
them into its channel (or, when the bot may not post there, into the user's DM); a
personal reply always uploads them into the user's DM.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from coachbot.adapters.slack.outbox import NOT_THERE, DirectMessages, slack_error, upload
from coachbot.adapters.slack.render import Message, Rendered, SlackRenderer, Upload, context
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
        for message in within_responses(rendered):
            await respond(
                text=message.text,
                blocks=message.blocks,
                response_type=kind,
                replace_original=False,
                unfurl_links=False,
                unfurl_media=False,
            )
        public = None if reply.ephemeral else channel
        for item in rendered.uploads:
            await self._upload(client, item, person, public)

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


def within_responses(rendered: Rendered) -> list[Message]:
    """The messages to post, at most ``RESPONSES``; an answer longer than that is cut, visibly."""
    messages = rendered.messages
    if len(messages) <= RESPONSES:
        return messages
    log.warning("a reply needed %d messages; the last were dropped", len(messages))
    last = messages[RESPONSES - 1]
    marker = context([":scissors: …"])
    return [*messages[: RESPONSES - 1], Message(last.blocks[:-1] + marker, last.text)]
