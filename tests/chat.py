"""One chat fixture for every platform, so feature tests read like a conversation.

``Chat`` is the interface: ``await bot.say("/cto salary region:paris")`` returns the reply
as the user sees it (text), ``await bot.press("Cancel")`` presses a button of the last
reply by its label or action id and returns what that shows. ``ChatBot`` (console and
core, here), ``tests.slack.chat.SlackBot`` and ``tests.discord.harness.DiscordBot``
implement it with the same names and meaning, so one conversation runs on each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from coachbot.adapters.console import ConsoleRenderer, ConsoleSession
from coachbot.app import App
from coachbot.dispatch import run_action
from coachbot.markup import plain
from coachbot.reply import Actions, Button, Reply
from coachbot.textcommand import run_line


class Chat(Protocol):
    """A user talking to the bot on some platform."""

    async def say(self, line: str) -> str:
        """Type ``line`` (a slash command); the visible reply."""
        ...

    async def press(self, label_or_action: str) -> str:
        """Press a button of the last reply, by label or action id; the visible reply."""
        ...


class ChatBot:
    """The console's ``Chat``; also gives the core's ``Reply`` (``reply``, ``press_reply``)."""

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

    async def press_reply(self, label_or_action: str) -> Reply:
        """Press a button of the last reply by label or action id; the core's Reply."""
        button = next(
            b for b in self.buttons() if label_or_action in (b.label, plain(b.label), b.action)
        )
        self.last = await run_action(self.app.dispatcher, self.person, button.action, None)
        return self.last

    async def press(self, label_or_action: str) -> str:
        """Press a button of the last reply by label or action id; the console rendering."""
        return self.session.renderer.render(await self.press_reply(label_or_action))
