"""``--platform all``: Slack and Discord in one process, one scheduler, and Slack unharmed by Discord.

Slack is the fake on 127.0.0.1 (Socket Mode); Discord is a stub client that logs in,
connects (forever) or fails as told, with no network. The scheduler is the real one:
its first tick runs at once, so a Slack prompt due now shows that it started.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, cast

import discord
import pytest

from coachbot.adapters.discord.platform import DiscordPlatform
from coachbot.adapters.slack.run import SlackRuntime
from coachbot.app import App, Runtime
from coachbot.clock import FakeClock
from coachbot.identity import PersonRef
from coachbot.textcommand import run_line
from tests.slack.fake_slack import FakeSlack
from tests.slack.wire import payload

ADA = PersonRef("slack", "T0001", "U0001")


class StubDiscord:
    """The parts of a discord.py client that ``--platform all`` uses, without a network."""

    def __init__(
        self,
        *,
        login_error: Exception | None = None,
        connect_error: Exception | None = None,
    ) -> None:
        self.login_error, self.connect_error = login_error, connect_error
        self.calls: list[str] = []
        self.closed = asyncio.Event()

    async def close(self) -> None:
        self.calls.append("close")
        self.closed.set()

    async def login(self, token: str) -> None:
        self.calls.append(f"login {token}")
        if self.login_error:
            raise self.login_error

    async def connect(self) -> None:
        self.calls.append("connect")
        if self.connect_error:
            raise self.connect_error
        await self.closed.wait()  # the gateway, until the process stops


@pytest.fixture
async def due_prompt(app: App, clock: FakeClock) -> None:
    """Ada, on Slack, subscribed yesterday; her first prompt is due now."""
    line = "/coach subscribe time:08:30 timezone:UTC days:mon-sun"
    await run_line(app.dispatcher, ADA, line, "en-US", "C0001", mentions_only=True)
    clock.advance(timedelta(days=1))


@asynccontextmanager
async def serving(app: App, stub: StubDiscord) -> AsyncIterator[Runtime]:
    """``coachbot run --platform all``'s runtime, running; stopped (as by SIGTERM) at the end."""
    discord_side = DiscordPlatform(cast(discord.Client, stub), "tok")
    adapters = [SlackRuntime(app, http=False), discord_side]
    runtime = Runtime(app, adapters, optional=["discord"])
    task = asyncio.create_task(runtime.run(handle_signals=False))
    try:
        yield runtime
    finally:
        await asyncio.wait_for(runtime.stop(), 30)
        assert await task == 0
        assert stub.calls[-1] == "close"


def serving_platforms(runtime: Runtime) -> list[str]:
    return sorted(a.platform for a in runtime.active)


async def slash_over_socket(fake_slack: FakeSlack) -> dict[str, Any]:
    body = payload("slash_command") | {"text": "salary", "response_url": fake_slack.response_url()}
    envelope = {"envelope_id": "e1", "type": "slash_commands", "payload": body}
    await fake_slack.push(envelope | {"accepts_response_payload": True})
    (response,) = await fake_slack.wait_for("response")
    return response.params


@pytest.mark.usefixtures("due_prompt")
async def test_slack_prompts_go_out_while_discord_connects(app: App, fake_slack: FakeSlack) -> None:
    stub = StubDiscord()
    async with serving(app, stub) as runtime:
        (prompt,) = await fake_slack.wait_for("chat.postMessage")
        assert prompt.params["channel"] == "DU0001"
        assert stub.calls == ["login tok", "connect"]
        assert serving_platforms(runtime) == ["discord", "slack"]


@pytest.mark.usefixtures("due_prompt")
@pytest.mark.parametrize(
    ("failure", "said"),
    [
        ("refused token", "could not log in: Discord token rejected"),
        ("no answer", "could not log in: no answer within 30 s"),
        ("refused gateway", "could not connect to the gateway: Discord failed: Shard ID"),
    ],
)
async def test_a_discord_failure_leaves_slack_serving_with_one_clear_error(
    app: App,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    failure: str,
    said: str,
) -> None:
    stub = {
        "refused token": StubDiscord(login_error=discord.LoginFailure("Improper token")),
        "no answer": StubDiscord(login_error=TimeoutError()),
        "refused gateway": StubDiscord(connect_error=discord.PrivilegedIntentsRequired(None)),
    }[failure]
    caplog.set_level(logging.ERROR)
    async with serving(app, stub) as runtime:
        (prompt,) = await fake_slack.wait_for("chat.postMessage")
        assert prompt.params["channel"] == "DU0001"
        assert "salary" in str(await slash_over_socket(fake_slack)).lower()
        await asyncio.wait_for(stub.closed.wait(), 10)  # Discord is left out, then closed
        assert serving_platforms(runtime) == ["slack"]
        assert ("connect" in stub.calls) == (failure == "refused gateway")
        [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert error.getMessage().startswith("Discord: could not") and said in error.getMessage()
        assert "Slack keeps running" in error.getMessage() and error.exc_info is None
