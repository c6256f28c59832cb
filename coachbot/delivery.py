"""The delivery port: how the core sends a message nobody asked for (daily prompts, alerts).

Each adapter implements ``DeliveryPort`` for its platform and maps its errors onto
the three failure kinds below, which is all the scheduler needs to decide whether
to retry, wait, or give up.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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


Pace = Callable[[], Awaitable[None]]


async def unpaced() -> None:
    """The ``pace`` of a caller that has no rate limit to keep (returns at once)."""


class Requests:
    """Paces the requests of one ``send``: the caller paid for the first before calling;
    every later one (the message after opening a DM channel, a second part, an upload)
    waits for ``pace``, the caller's limiter, so none goes out in a burst."""

    def __init__(self, pace: Pace) -> None:
        self.pace = pace
        self.made = 0

    async def next(self) -> None:
        """Return when the next request may go out (at once for the first)."""
        if self.made:
            await self.pace()
        self.made += 1


class DeliveryPort(Protocol):
    """Implemented by each adapter (console, Discord, Slack)."""

    platform: str

    async def send(
        self, target: DeliveryTarget, reply: Reply, *, nonce: str, pace: Pace = unpaced
    ) -> Sent:
        """Send ``reply`` to ``target``; ``nonce`` lets platforms that can drop duplicates.
        The caller has paid for one request; the port awaits ``pace()`` before each further
        request it makes (``Requests`` does the counting)."""
        ...
