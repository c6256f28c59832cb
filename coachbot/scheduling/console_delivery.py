"""The console's delivery port: scheduled messages appear in the terminal's output."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coachbot.delivery import DeliveryTarget, Sent
from coachbot.reply import Reply

if TYPE_CHECKING:
    from coachbot.services import Services

PLATFORM = "console"


class ConsoleDelivery:
    """Prints each message to ``services.extras["console_output"]`` (stdout until the console
    sets it). When the console registers ``extras["console_show"]`` (its session's renderer,
    which remembers buttons), prompts go through it so ``/press N`` works on them."""

    platform = PLATFORM

    def __init__(self, services: Services) -> None:
        self.services = services
        self._renderer: Any = None

    async def send(self, target: DeliveryTarget, reply: Reply, *, nonce: str) -> Sent:
        """Show ``reply`` addressed to ``target``; the console never refuses a message."""
        where = f" in #{target.channel}" if target.channel else ""
        header = f"── scheduled message for {target.person.user}{where} ──"
        out = self.services.extras.get("console_output") or sys.stdout
        print(f"\n{header}\n{self._render(reply)}\n", file=out, flush=True)
        return Sent(message_id=f"console-{nonce}")

    def requests_for(self, target: DeliveryTarget) -> int:
        """One print per message: the console has no rate limit to respect."""
        return 1

    def _render(self, reply: Reply) -> str:
        show = self.services.extras.get("console_show")
        if show is not None:
            return str(show(reply))
        if self._renderer is None:
            from coachbot.adapters.console import ConsoleRenderer

            self._renderer = ConsoleRenderer(Path(self.services.settings.console.charts_dir))
        return str(self._renderer.render(reply))
