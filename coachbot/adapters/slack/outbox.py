"""Sending to Slack: direct-message channels, messages and file uploads, shared by replies and prompts."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from coachbot.adapters.slack.render import Message, Upload

MAX_DM_CHANNELS = 50_000
# Errors that mean "the bot cannot post there", where the user's DM still works.
NOT_THERE = frozenset({"not_in_channel", "channel_not_found", "is_archived", "restricted_action"})


def slack_error(exc: SlackApiError) -> str:
    """The error code of a Web API failure (``not_in_channel``, ``ratelimited``...)."""
    return str(exc.response.get("error") or f"http_{exc.response.status_code}")


class DirectMessages:
    """The DM channel of each user (``conversations.open``), remembered once opened."""

    def __init__(self) -> None:
        self._channels: dict[tuple[str, str], str] = {}

    def known(self, team: str, user: str) -> bool:
        """Whether the DM channel with ``user`` is already open and remembered."""
        return (team, user) in self._channels

    async def channel(self, client: AsyncWebClient, team: str, user: str) -> str:
        """The id of the bot's DM with ``user`` (opened on first use)."""
        known = self._channels.get((team, user))
        if known:
            return known
        response = await client.conversations_open(users=user)
        channel = str(response["channel"]["id"])
        if len(self._channels) >= MAX_DM_CHANNELS:
            self._channels.clear()
        self._channels[(team, user)] = channel
        return channel


async def post(
    client: AsyncWebClient, channel: str, message: Message, *, nonce: str | None = None
) -> str:
    """Post one rendered message to ``channel``; returns its ``ts`` (the message id)."""
    metadata = {"event_type": "coachbot_delivery", "event_payload": {"nonce": nonce}}
    response = await client.chat_postMessage(
        channel=channel,
        text=message.text,
        blocks=message.blocks or None,
        unfurl_links=False,
        unfurl_media=False,
        metadata=metadata if nonce else None,
    )
    return str(response.get("ts") or "")


async def upload(client: AsyncWebClient, channel: str, item: Upload) -> None:
    """Upload a picture or file into ``channel`` (``files_upload_v2``)."""
    await client.files_upload_v2(
        channel=channel,
        file=item.data,
        filename=item.filename,
        title=item.title,
        alt_txt=item.title if item.is_image else None,
    )
