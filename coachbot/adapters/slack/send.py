"""Answering a slash command or a button press: through its ``response_url``, plus uploads.

The response URL works in every channel (even where the bot is not a member) and
takes up to ``RESPONSES`` posts; an ephemeral reply (personal data) is seen only by
the user. A longer answer is never cut: the rest goes through the Web API, in the same
channel (``chat.postEphemeral`` to the user for a personal reply, ``chat.postMessage``
for a public one) or, when the bot may not post there, into the user's DM. Pictures and
files cannot ride a response URL: a public reply uploads them into its channel (or,
when the bot may not post there, into the user's DM); a personal reply always uploads
them into the user's DM.

No refusal is silent: ``respond()`` does not raise when Slack refuses a post (``404
expired_url`` after 30 minutes or five posts, ``400 invalid_blocks``), so every answer
is checked, and a refused message and those after it go through the Web API (same
channel, else the DM); a message whose blocks Slack refuses is sent as plain text.
Each refusal is logged once, with Slack's error and where the reply went instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from coachbot.adapters.slack.files import ChartFiles
from coachbot.adapters.slack.outbox import NOT_THERE, DirectMessages, post, slack_error, upload
from coachbot.adapters.slack.render import Message, SlackRenderer, Upload, uploads
from coachbot.identity import PersonRef
from coachbot.reply import Reply

log = logging.getLogger(__name__)
RESPONSES = 5  # Slack accepts five posts per response_url
TEXT_CHARS = 40_000
Respond = Callable[..., Awaitable[Any]]


class ReplySender:
    """Sends a core Reply as the answer to one interaction."""

    def __init__(
        self, renderer: SlackRenderer, dms: DirectMessages, charts: ChartFiles | None = None
    ) -> None:
        self.renderer = renderer
        self.dms = dms
        self.charts = charts

    async def answer(
        self,
        respond: Respond,
        client: AsyncWebClient,
        reply: Reply,
        *,
        person: PersonRef,
        channel: str | None,
    ) -> None:
        """Post ``reply`` (ephemeral when personal), then upload its pictures and files.
        A personal picture is uploaded into the user's DM first (once per change, see
        ``ChartFiles``) and shown in the reply itself; if Slack refuses to show it there
        (a file still processing), the reply goes again with the picture as a line."""
        files = await self._personal_pictures(client, reply, person)
        kind = "ephemeral" if reply.ephemeral else "in_channel"
        rendered = self.renderer.render(reply, files=files)
        sent, refusal = await respond_all(respond, rendered.messages[:RESPONSES], kind)
        if files and refusal is not None and "invalid_blocks" in refusal:
            log.info("Slack refused a picture in a reply (%s); it stays in the DM", refusal)
            rendered = self.renderer.render(reply)
            left = rendered.messages[sent : RESPONSES - 1]
            more, refusal = await respond_all(respond, left, kind)
            sent += more
        messages = rendered.messages
        rest = messages[sent:]
        if rest:
            went = await self._post_rest(client, rest, person, channel, personal=reply.ephemeral)
            if refusal is not None:
                log.warning("Slack refused a reply (%s); it went %s", refusal, went)
            else:
                log.info("a reply needed %d messages; the rest went %s", len(messages), went)
        public = None if reply.ephemeral else channel
        for item in rendered.uploads:
            if item.filename not in files:  # a personal picture is in the DM already
                await self._upload(client, item, person, public)

    async def _personal_pictures(
        self, client: AsyncWebClient, reply: Reply, person: PersonRef
    ) -> dict[str, str]:
        """The file ids of a personal reply's pictures, uploaded into the DM if new."""
        if self.charts is None or not reply.ephemeral:
            return {}
        files: dict[str, str] = {}
        for item in uploads(reply):
            if not item.is_image:
                continue
            try:
                files[item.filename] = await self.charts.file_id(client, person, item)
            except (SlackApiError, ClientError, TimeoutError, OSError) as exc:
                log.warning("could not upload %s: %s", item.filename, type(exc).__name__)
        return files

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
    ) -> str:
        """Post ``messages`` through the Web API: in ``channel``, else the DM; says where
        they went (or why they could not)."""
        where = channel
        try:
            for message in messages:
                where = await self._post_one(client, message, person, where, personal=personal)
        except (SlackApiError, ClientError, TimeoutError, OSError) as exc:
            reason = slack_error(exc) if isinstance(exc, SlackApiError) else type(exc).__name__
            return f"nowhere: the Web API refused it too ({reason})"
        return "to the channel through the Web API" if where else "to the user's DM"

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
                await self._post_in(client, channel, message, person, personal=personal)
                return channel
            except SlackApiError as exc:
                if slack_error(exc) not in NOT_THERE:
                    raise
        dm = await self.dms.channel(client, person.workspace, person.user)
        await self._post_in(client, dm, message, person, personal=False)
        return None

    async def _post_in(
        self,
        client: AsyncWebClient,
        channel: str,
        message: Message,
        person: PersonRef,
        *,
        personal: bool,
    ) -> None:
        """One message in ``channel``; as plain text when Slack refuses its blocks."""
        try:
            await self._post_as(client, channel, message, person, personal=personal)
        except SlackApiError as exc:
            if slack_error(exc) != "invalid_blocks":
                raise
            plain = Message([], as_text(message))
            await self._post_as(client, channel, plain, person, personal=personal)

    async def _post_as(
        self,
        client: AsyncWebClient,
        channel: str,
        message: Message,
        person: PersonRef,
        *,
        personal: bool,
    ) -> None:
        if not personal:
            await post(client, channel, message)
            return
        await client.chat_postEphemeral(
            channel=channel, user=person.user, text=message.text, blocks=message.blocks or None
        )

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


async def respond_all(
    respond: Respond, messages: list[Message], kind: str
) -> tuple[int, str | None]:
    """Post ``messages`` through the response URL in order, stopping at the first one
    Slack refuses: how many it took, and why it refused (None when it took them all)."""
    for sent, message in enumerate(messages):
        refusal = await respond_refusal(respond, message, kind)
        if refusal is not None:
            return sent, refusal
    return len(messages), None


async def respond_refusal(respond: Respond, message: Message, kind: str) -> str | None:
    """Post ``message`` through the response URL; None when Slack took it, else why not
    (``404 expired_url``, ``400 invalid_blocks``, a network error)."""
    try:
        answer = await respond(
            text=message.text,
            blocks=message.blocks,
            response_type=kind,
            replace_original=False,
            unfurl_links=False,
            unfurl_media=False,
        )
    except (ClientError, TimeoutError, OSError) as exc:
        return type(exc).__name__
    status = getattr(answer, "status_code", 200)
    if status == 200:
        return None
    return f"{status} {str(getattr(answer, 'body', '')).strip()[:100]}"


def as_text(message: Message) -> str:
    """A message as plain text: every text of its blocks, one per line (Slack's
    ``text`` takes up to 40,000 characters)."""
    texts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                texts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.blocks)
    return "\n".join(texts)[:TEXT_CHARS] or message.text
