"""A chat-like driver over the real HTTP endpoint: ``await slack.say("/cto salary paris")``.

Each call sends one signed request exactly as Slack would, waits (bounded) for the
work the listeners started, and returns what the app posted to the response URL,
every message checked against Block Kit and Slack's limits on the way.
"""

from __future__ import annotations

import re
from typing import Any

from coachbot.adapters.slack.run import SlackRuntime
from tests.slack.blockkit import check_message
from tests.slack.fake_slack import FakeSlack
from tests.slack.wire import SlackWire

Post = dict[str, Any]


class SlackChat:
    """Users talking to the app through Slack."""

    def __init__(self, wire: SlackWire, runtime: SlackRuntime, fake: FakeSlack) -> None:
        self.wire = wire
        self.runtime = runtime
        self.fake = fake

    async def say(self, line: str, *, user: str = "U0001", channel: str = "C0001") -> list[Post]:
        """Type a slash command; returns the messages posted back through the response URL."""
        command, _, text = line.partition(" ")
        text = self.as_slack_sends(text)
        before = len(self.fake.of("response"))
        answer = await self.wire.command(command, text, user=user, channel=channel)
        assert (answer.status, answer.text) == (200, ""), answer
        return await self._posts_since(before)

    def as_slack_sends(self, text: str) -> str:
        """``text`` as Slack delivers it with ``should_escape``: a person typed as
        ``@handle`` (their username or display name) becomes ``<@ID|handle>``."""
        for user, info in self.fake.users.items():
            handles = {info.get("name"), (info.get("profile") or {}).get("display_name")}
            for handle in filter(None, handles):
                pattern = rf"(?<![\w<|])@{re.escape(handle)}\b"
                text = re.sub(pattern, f"<@{user}|{handle}>", text)
        return text

    async def press(
        self, button: dict[str, Any], *, user: str = "U0001", home: bool = False
    ) -> list[Post]:
        """Click a button the app rendered (its action_id and value, as Slack sends them back)."""
        before = len(self.fake.of("response"))
        answer = await self.wire.press(button["action_id"], button["value"], user=user, home=home)
        assert answer.status == 200, answer
        return await self._posts_since(before)

    async def _posts_since(self, before: int) -> list[Post]:
        await self.runtime.adapter.drain()
        posts = [c.params for c in self.fake.of("response")[before:]]
        for post in posts:
            check_message(post.get("blocks", []))
        return posts


def text_of(posts: list[Post]) -> str:
    """Every text shown by some posts (header, sections, fields, context, buttons)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                out.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk([p.get("blocks", []) for p in posts])
    return "\n".join(out).replace("\u200b", "")


def buttons_of(posts: list[Post] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The buttons of some posts (or of a list of blocks)."""
    blocks = [b for p in posts for b in (p.get("blocks", []) if "blocks" in p else [p])]
    return [e for b in blocks if b.get("type") == "actions" for e in b["elements"]]


class SlackBot:
    """The ``tests.chat.Chat`` of one Slack user: slash commands and buttons over HTTP."""

    def __init__(self, slack: SlackChat, user: str = "U0001") -> None:
        self.slack, self.user = slack, user
        self.last: list[Post] = []

    async def say(self, line: str) -> str:
        """Type a slash command; the text of what the app posted back."""
        self.last = await self.slack.say(line, user=self.user)
        return text_of(self.last)

    async def press(self, label_or_action: str) -> str:
        """Click a button of the last answer by label or action; the text posted back."""
        button = next(
            b for b in buttons_of(self.last) if label_or_action in (b["text"]["text"], b["value"])
        )
        self.last = await self.slack.press(button, user=self.user)
        return text_of(self.last)
