"""The inbound adapter contract: what a platform adapter hands the composition root.

``coachbot.delivery.DeliveryPort`` is how the core reaches people (outbound);
``PlatformAdapter`` is how a platform plugs into the process (inbound): its name, its
delivery port, the rate limits its platform publishes, and a lifecycle the runtime
(``coachbot.app.Runtime``) drives in one fixed order: ``start`` every adapter, then the
scheduler over the ports of those that started, then ``serve`` until a signal or the
end of input, then ``stop``. See docs/adding-a-platform.md.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from coachbot.delivery import DeliveryPort
from coachbot.scheduling.ratelimit import PlatformLimits


class PlatformUnavailable(Exception):
    """The platform refused us or cannot be reached; the message says how to fix it."""


@runtime_checkable
class PlatformAdapter(Protocol):
    """One platform, as the runtime sees it (console, Discord, Slack, ...)."""

    @property
    def platform(self) -> str:
        """The platform's name, as in ``PersonRef.platform`` (``"slack"``)."""
        ...

    @property
    def delivery(self) -> DeliveryPort:
        """The outbound port for scheduled messages (ready once ``start`` returned)."""
        ...

    @property
    def limits(self) -> PlatformLimits:
        """The platform's published rate limits, which the scheduler's limiter honours."""
        ...

    async def start(self) -> None:
        """Connect (log in, open the socket or the HTTP listener) and return once scheduled
        messages can be sent; ``PlatformUnavailable`` when the platform says no."""
        ...

    async def serve(self) -> None:
        """Take users' work until ``stop``; returning earlier means the adapter is done (the
        console at the end of its input), ``PlatformUnavailable`` that it failed."""
        ...

    async def stop(self) -> None:
        """Stop taking work, let work already started finish (bounded), close connections;
        makes ``serve`` return. Safe to call twice, and before ``start``."""
        ...
