"""Whether the bot can post in a Slack channel, asked when someone picks it for their tips.

``conversations.info`` says whether the bot is a member (``is_member``); the bot's own
DMs answer ``is_im``. A channel the bot cannot see (private, or someone else's DM)
is ``channel_not_found``. Where Slack cannot tell (a missing scope, a network error),
the choice is accepted: the delivery still reports a failure later, and a blip must
not refuse a good channel.
"""

from __future__ import annotations

import logging

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from coachbot.adapters.slack.outbox import slack_error
from coachbot.i18n import Localized
from coachbot.services import ChannelCheck

log = logging.getLogger(__name__)
HIDDEN = frozenset({"channel_not_found"})


def not_a_member(bot: str) -> Localized:
    """The refusal of a channel the bot is not in, with how to invite it."""
    return Localized(
        "Je ne suis pas membre de ce salon : je ne pourrais pas y poster vos conseils. "
        f"Invitez-moi en tapant `/invite @{bot}` dans le salon, puis relancez la commande ; "
        "ou recevez-les en message privé : `ou:dm`.",
        "I am not a member of that channel, so I could not post your tips there. Invite me "
        f"by typing `/invite @{bot}` in the channel, then run the command again; or get "
        "them in direct messages: `where:dm`.",
    )


ARCHIVED = Localized(
    "Ce salon est archivé : choisissez-en un autre, ou `ou:dm`.",
    "That channel is archived: pick another one, or `where:dm`.",
)


class ChannelAccess:
    """Asks Slack whether the bot (``bot``, its name to invite) is in a channel."""

    def __init__(self, bot: str = "coachbot") -> None:
        self.bot = bot

    def checker(self, client: AsyncWebClient) -> ChannelCheck:
        """The core's ``channel_check`` for one interaction."""

        async def check(channel: str) -> Localized | None:
            return await self.refusal(client, channel)

        return check

    async def refusal(self, client: AsyncWebClient, channel: str) -> Localized | None:
        """None when the bot can post in ``channel`` (or Slack cannot tell), else why not."""
        try:
            answer = await client.conversations_info(channel=channel)
        except SlackApiError as exc:
            if slack_error(exc) in HIDDEN:
                return not_a_member(self.bot)
            log.info("conversations.info could not tell (%s); channel accepted", slack_error(exc))
            return None
        except (ClientError, TimeoutError, OSError) as exc:
            log.info("conversations.info failed (%s); channel accepted", type(exc).__name__)
            return None
        data = answer.get("channel") or {}
        if data.get("is_archived"):
            return ARCHIVED
        if data.get("is_member") or data.get("is_im"):
            return None
        return not_a_member(self.bot)
