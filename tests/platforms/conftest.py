"""``bot_on``: the same ``tests.chat.Chat`` on the console, Slack and Discord.

Slack is the real adapter over HTTP against the fake Slack, Discord the real client
and command tree over the offline recorder (the fixtures of tests/slack and tests/discord).
"""

from __future__ import annotations

import pytest

from coachbot.app import App
from tests.chat import Chat, ChatBot
from tests.discord.conftest import discord_bot, recorder
from tests.discord.harness import Discord, DiscordBot
from tests.slack.chat import SlackBot, SlackChat
from tests.slack.conftest import fake_slack, runtime, settings, slack, wire

__all__ = ["discord_bot", "fake_slack", "recorder", "runtime", "settings", "slack", "wire"]
PLATFORMS = ["console", "slack", "discord"]


@pytest.fixture(params=PLATFORMS)
def bot_on(request: pytest.FixtureRequest, app: App) -> Chat:
    """One user, on each platform in turn."""
    if request.param == "slack":
        chat: SlackChat = request.getfixturevalue("slack")
        return SlackBot(chat)
    if request.param == "discord":
        discord: Discord = request.getfixturevalue("discord_bot")
        return DiscordBot(discord, app.registry)
    return ChatBot(app)
