"""Fixtures: a logged-in offline Discord client over the ``app`` fixture's core."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from coachbot.adapters.discord.client import make_client
from coachbot.adapters.discord.interactions import Responder
from coachbot.adapters.discord.messages import MessageAnswerer
from coachbot.app import App
from coachbot.settings import Settings
from tests.discord.harness import Discord, Recorder


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def discord_bot(app: App, settings: Settings, recorder: Recorder) -> AsyncIterator[Discord]:
    client = make_client(
        app.registry, settings, responder=Responder(app), messages=MessageAnswerer(app)
    )
    harness = await Discord(client, recorder).connect()
    yield harness
    await harness.close()
