"""Slack fixtures: a fake Slack on 127.0.0.1, the real adapter served over HTTP, a signed wire."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import aiohttp
import pytest

from coachbot.adapters.slack.run import SlackRuntime, start_slack
from coachbot.app import App
from coachbot.settings import Secret, Secrets, Settings
from tests.slack.chat import SlackChat
from tests.slack.fake_slack import FakeSlack
from tests.slack.wire import SECRET, SlackWire

BOT_TOKEN = "xoxb-test-token"
TIMEOUT = aiohttp.ClientTimeout(total=10)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def settings(settings: Settings, fake_slack: FakeSlack) -> Settings:
    """The test settings plus Slack secrets, with the Web API pointed at the fake."""
    secrets = Secrets(
        slack_bot_token=Secret(BOT_TOKEN),
        slack_app_token=Secret("xapp-test-token"),
        slack_signing_secret=Secret(SECRET),
    )
    slack = replace(settings.slack, api_url=fake_slack.api_url, http_host="127.0.0.1")
    return replace(settings, secrets=secrets, slack=slack)


@pytest.fixture
async def runtime(app: App) -> AsyncIterator[SlackRuntime]:
    """The adapter serving HTTP on a free 127.0.0.1 port."""
    started = await start_slack(app, http=True, port=0)
    try:
        yield started
    finally:
        await started.stop()


@pytest.fixture
async def wire(runtime: SlackRuntime, fake_slack: FakeSlack) -> AsyncIterator[SlackWire]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        url = f"http://127.0.0.1:{runtime.port}/slack/events"
        yield SlackWire(session, url, fake_slack.response_url())


@pytest.fixture
def slack(wire: SlackWire, runtime: SlackRuntime, fake_slack: FakeSlack) -> SlackChat:
    """Users typing slash commands and pressing buttons, over HTTP."""
    return SlackChat(wire, runtime, fake_slack)
