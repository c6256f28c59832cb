"""The console as a platform adapter: the terminal's input is served until its end."""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
from pathlib import Path
from typing import IO

from coachbot.adapters.console import BANNER, PLATFORM, ConsoleRenderer, ConsoleSession
from coachbot.adapters.console.delivery import ConsoleDelivery
from coachbot.app import App
from coachbot.platform import PlatformAdapter
from coachbot.scheduling.ratelimit import PlatformLimits

Lines = asyncio.Queue[str | None]


class ConsolePlatform:
    """One terminal session: lines from ``stdin``, answers and delivered messages to ``stdout``."""

    platform = PLATFORM
    limits = PlatformLimits()  # a terminal has no rate limit

    def __init__(
        self, app: App, user: str, stdin: IO[str] = sys.stdin, stdout: IO[str] = sys.stdout
    ) -> None:
        renderer = ConsoleRenderer(Path(app.services.settings.console.charts_dir))
        self.session = ConsoleSession(app, user, renderer)
        self.delivery = ConsoleDelivery(renderer, stdout)
        self.delivery.show = self.session.show  # delivered prompts' buttons: /press N
        self.stdin, self.stdout = stdin, stdout
        self._lines: Lines | None = None
        self._stopped = False

    async def start(self) -> None:
        """Nothing to connect: a terminal is always there."""

    async def serve(self) -> None:
        """Answer each line until end of input, ``/quit`` or ``stop()``."""
        if self._stopped:
            return
        interactive = self.stdin.isatty()
        if interactive:
            print(BANNER.get(await self.session.language()), file=self.stdout)
        lines = self._read_lines()
        while not self._stopped:
            if interactive:
                print(f"{self.session.user}> ", end="", file=self.stdout, flush=True)
            line = await lines.get()
            if line is None or line.strip() in ("/quit", "/exit"):
                return
            answer = await self.session.handle(line)
            if answer is not None:
                print(answer + "\n", file=self.stdout, flush=True)

    async def stop(self) -> None:
        """Stop reading: the line being answered is finished, the next is not read."""
        self._stopped = True
        if self._lines is not None:
            self._lines.put_nowait(None)

    def _read_lines(self) -> Lines:
        """Lines read by a daemon thread: a blocked ``readline`` never holds up the exit."""
        loop = asyncio.get_running_loop()
        lines = self._lines = Lines()

        def read() -> None:
            while True:
                line = self.stdin.readline()
                try:
                    loop.call_soon_threadsafe(lines.put_nowait, line or None)
                except RuntimeError:  # the loop is closed: the process is ending
                    return
                if not line:
                    return

        threading.Thread(target=read, name="console-stdin", daemon=True).start()
        return lines


async def run_console(
    app: App, user: str, stdin: IO[str] = sys.stdin, stdout: IO[str] = sys.stdout
) -> int:
    """Serve ``stdin`` until end of input or ``/quit`` (no scheduler); returns the exit code."""
    await ConsolePlatform(app, user, stdin, stdout).serve()
    return 0


def adapter(app: App, args: argparse.Namespace) -> PlatformAdapter:
    """The console for ``coachbot run --platform console`` / ``coachbot chat``."""
    return ConsolePlatform(app, getattr(args, "user", None) or app.services.settings.console.user)
