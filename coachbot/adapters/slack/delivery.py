"""The Slack delivery port: daily prompts and alerts by DM or into a channel.

Slack errors map onto the three failures the scheduler acts on: ``ratelimited``
(HTTP 429) becomes ``RateLimited`` with Slack's ``Retry-After``; server errors,
timeouts and connection failures become ``TransientFailure``; every other error
(``not_in_channel``, ``channel_not_found``, ``account_inactive``, ``is_archived``,
``cannot_dm_bot``, ``user_not_found``, a revoked token...) is a ``PermanentFailure``,
since sending the same request again gets the same answer.

This port must be given a Web API client WITHOUT retry handlers (see ``run.py``):
the scheduler's token bucket and backoff already honour Retry-After and retry 5xx,
so a client that slept and retried inside ``send`` would block a pipeline worker,
hide 429s from the rate limiter and, after a connection reset, could post twice.
Slack has no idempotency key for ``chat.postMessage``; the ``nonce`` travels as
message metadata so a duplicate can at least be traced.
"""

from __future__ import annotations

import logging

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from coachbot.adapters.slack import PLATFORM
from coachbot.adapters.slack.outbox import DirectMessages, post, slack_error, upload
from coachbot.adapters.slack.people import named
from coachbot.adapters.slack.render import SlackRenderer
from coachbot.adapters.slack.users import UserDirectory
from coachbot.delivery import (
    DeliveryError,
    DeliveryTarget,
    Pace,
    PermanentFailure,
    RateLimited,
    Requests,
    Sent,
    TransientFailure,
    unpaced,
)
from coachbot.identity import PersonRef
from coachbot.reply import Reply

log = logging.getLogger(__name__)
TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "timeout"}
)
# The bot's own credentials are wrong: no recipient is at fault, so no subscription may be
# marked failing for it; the prompts wait (and are retried) until the operator fixes the token.
BOT_SIDE_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "missing_scope"}
)
DEFAULT_RETRY_AFTER = 1.0


class SlackDelivery:
    """Sends replies nobody asked for (prompts, recaps, alerts) to Slack users."""

    platform = PLATFORM

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        team: str | None = None,
        renderer: SlackRenderer | None = None,
        dms: DirectMessages | None = None,
        users: UserDirectory | None = None,
    ) -> None:
        self.client = client
        self.team = team
        self.renderer = renderer or SlackRenderer()
        self.dms = dms or DirectMessages()
        self.users = users  # names people in headers and quoted commands (see ``people``)

    async def send(
        self, target: DeliveryTarget, reply: Reply, *, nonce: str, pace: Pace = unpaced
    ) -> Sent:
        """Post ``reply`` to the target's channel, else their DM (``conversations.open``
        first when it is new), each request after the first paced by ``pace``; Slack errors
        become DeliveryErrors."""
        person = target.person
        if self.team and person.workspace != self.team:
            raise PermanentFailure(f"workspace {person.workspace} is not the one this bot serves")
        requests = Requests(pace)
        try:
            channel = target.channel or await self._dm(person, requests)
            if self.users is not None:
                reply = await named(self.users, self.client, person, reply)
            return await self._post_all(channel, reply, nonce, requests)
        except SlackApiError as exc:
            raise classify(exc) from exc
        except (ClientError, TimeoutError, OSError) as exc:
            raise TransientFailure(f"network: {type(exc).__name__}") from exc

    async def _dm(self, person: PersonRef, requests: Requests) -> str:
        """The DM channel with ``person``; opening it is a request of its own, paced."""
        if not self.dms.known(person.workspace, person.user):
            await requests.next()
        return await self.dms.channel(self.client, person.workspace, person.user)

    async def _post_all(self, channel: str, reply: Reply, nonce: str, requests: Requests) -> Sent:
        rendered = self.renderer.render(reply)
        first, *rest = rendered.messages
        await requests.next()
        message_id = await post(self.client, channel, first, nonce=nonce)
        try:  # the prompt is out: a failure after this must not make the scheduler send it again
            for message in rest:
                await requests.next()
                await post(self.client, channel, message)
            for item in rendered.uploads:
                await requests.next()
                await upload(self.client, channel, item)
        except (SlackApiError, ClientError, TimeoutError, OSError) as exc:
            log.warning("the rest of a delivered message failed: %s", type(exc).__name__)
        return Sent(message_id)


def classify(exc: SlackApiError) -> DeliveryError:
    """The scheduler's view of a Web API error."""
    code = slack_error(exc)
    status = exc.response.status_code
    if status == 429 or code == "ratelimited":
        return RateLimited(retry_after(exc), code)
    if status >= 500 or code in TRANSIENT_ERRORS:
        return TransientFailure(code)
    if code in BOT_SIDE_ERRORS:
        log.error("Slack refused the bot token (%s): fix COACHBOT_SLACK_BOT_TOKEN or scopes", code)
        return TransientFailure(code)
    return PermanentFailure(code)


def retry_after(exc: SlackApiError) -> float:
    """Slack's ``Retry-After`` in seconds (1 when the header is missing or unreadable)."""
    headers = exc.response.headers or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(float(value), 0.0) if value is not None else DEFAULT_RETRY_AFTER
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
