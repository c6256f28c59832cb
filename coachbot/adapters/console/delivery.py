"""The console's delivery port: scheduled messages appear in the terminal's output."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

from coachbot.delivery import DeliveryTarget, Pace, Sent, unpaced
from coachbot.reply import Reply

if TYPE_CHECKING:
    from coachbot.adapters.console import ConsoleRenderer

PLATFORM = "console"


class ConsoleDelivery:
    """Prints each message to ``output`` (the process's stdout when None). While a console
    session runs, ``show`` is its renderer, which remembers buttons, so ``/press N``
    works on delivered prompts too."""

    platform = PLATFORM

    def __init__(self, renderer: ConsoleRenderer, output: IO[str] | None = None) -> None:
        self.renderer = renderer
        self.output = output
        self.show: Callable[[Reply], str] | None = None

    async def send(
        self, target: DeliveryTarget, reply: Reply, *, nonce: str, pace: Pace = unpaced
    ) -> Sent:
        """Show ``reply`` addressed to ``target`` (one print, nothing to pace); the console
        never refuses a message."""
        where = f" in #{target.channel}" if target.channel else ""
        header = f"── scheduled message for {target.person.user}{where} ──"
        shown = self.show(reply) if self.show is not None else self.renderer.render(reply)
        print(f"\n{header}\n{shown}\n", file=self.output or sys.stdout, flush=True)
        return Sent(message_id=f"console-{nonce}")
