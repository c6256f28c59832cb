"""A chat-like driver over the console adapter, so feature tests read like a conversation."""

from __future__ import annotations

from pathlib import Path

from coachbot.adapters.console import ConsoleRenderer, ConsoleSession
from coachbot.app import App
from coachbot.dispatch import run_action
from coachbot.markup import plain
from coachbot.reply import Actions, Button, Reply
from coachbot.textcommand import run_line


class ChatBot:
    """``await bot.say("/cto salary region:paris")`` returns the rendered text."""

    def __init__(self, app: App, user: str = "alice") -> None:
        self.app = app
        renderer = ConsoleRenderer(Path(app.services.settings.console.charts_dir))
        self.session = ConsoleSession(app, user, renderer)
        self.last: Reply | None = None

    @property
    def person(self):
        return self.session.person

    def as_(self, user: str) -> ChatBot:
        """Switch the acting user (like ``/as NAME`` in the console)."""
        self.session.user = user
        return self

    async def reply(self, line: str, locale: str | None = None) -> Reply:
        """The core's Reply to ``line``."""
        self.last = await run_line(self.app.dispatcher, self.person, line, locale)
        return self.last

    async def say(self, line: str, locale: str | None = None) -> str:
        """The console rendering of the reply to ``line``."""
        return self.session.renderer.render(await self.reply(line, locale))

    def buttons(self) -> tuple[Button, ...]:
        """The buttons of the last reply."""
        assert self.last is not None
        return tuple(b for blk in self.last.blocks if isinstance(blk, Actions) for b in blk.buttons)

    async def press(self, label_or_action: str) -> Reply:
        """Press a button of the last reply by label or action id."""
        button = next(
            b for b in self.buttons() if label_or_action in (b.label, plain(b.label), b.action)
        )
        self.last = await run_action(self.app.dispatcher, self.person, button.action, None)
        return self.last
