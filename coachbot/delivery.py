"""The delivery port: how the core sends a message nobody asked for (daily prompts, alerts).

Each adapter implements ``DeliveryPort`` for its platform and maps its errors onto
the three failure kinds below, which is all the scheduler needs to decide whether
to retry, wait, or give up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from coachbot.identity import PersonRef
from coachbot.reply import Reply


@dataclass(frozen=True, slots=True)
class DeliveryTarget:
    """Where a message goes: the person's direct messages, or a channel of their workspace."""

    person: PersonRef
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class Sent:
    """The platform accepted the message."""

    message_id: str


class DeliveryError(Exception):
    """Sending failed."""


class PermanentFailure(DeliveryError):
    """Retrying cannot help: DMs closed, channel gone, account inactive, missing permission."""


class RateLimited(DeliveryError):
    """The platform asked us to wait ``retry_after`` seconds."""

    def __init__(self, retry_after: float, message: str = "rate limited") -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TransientFailure(DeliveryError):
    """A server-side or network error that may pass (5xx, timeout)."""


class DeliveryPort(Protocol):
    """Implemented by each adapter (console, Discord, Slack)."""

    platform: str

    async def send(self, target: DeliveryTarget, reply: Reply, *, nonce: str) -> Sent:
        """Send ``reply`` to ``target``; ``nonce`` lets platforms that can drop duplicates."""
        ...

    def requests_for(self, target: DeliveryTarget) -> int:
        """How many platform requests the next ``send`` to ``target`` makes (1, or 2 when a
        direct-message channel must be opened first): the rate limiter books that many."""
        ...
