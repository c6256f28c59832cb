"""Every command name a Slack user is shown is one the manifest registers, in French too.

Slack delivers only the slash commands an app's manifest registers; French is the
default language, and French speakers read ``/progression noter`` and ``/aide``.
"""

from __future__ import annotations

import re

from coachbot.adapters.slack.manifest import build_manifest
from coachbot.app import App
from tests.slack.chat import Post, SlackChat, text_of
from tests.slack.fake_slack import FakeSlack
from tests.slack.wire import SlackWire

SHOWN_COMMAND = re.compile(r"(?:^|[\s`(«\"'])/([a-z][a-z0-9_-]*)")


def registered(app: App) -> set[str]:
    """The commands the manifest registers, without the slash."""
    commands = build_manifest(app.registry)["features"]["slash_commands"]
    return {c["command"][1:] for c in commands}


def commands_shown(posts: list[Post]) -> set[str]:
    return set(SHOWN_COMMAND.findall(text_of(posts)))


async def test_a_french_speaker_can_type_every_command_the_bot_shows(
    slack: SlackChat, app: App, fake_slack: FakeSlack
) -> None:
    fake_slack.users["U0001"] = {"locale": "fr-FR"}
    lines = (
        "/aide",
        "/help",
        "/aide commande:progression",
        "/aide commande:coach abonner",
        "/progression",
        "/progression voir",
        "/progression noter securite 9",
        "/mentor",
        "/coach reglages",
        "/cto",
        "/progress nimportequoi",
    )
    shown: set[str] = set()
    for line in lines:
        posts = await slack.say(line)
        assert posts, line
        shown |= commands_shown(posts)
    assert {"progression", "aide", "coach", "cto", "mentor"} <= shown
    assert shown <= registered(app), shown - registered(app)


async def test_the_french_names_reach_the_bot(slack: SlackChat) -> None:
    posts = await slack.say("/progression noter securite 2")
    assert "2/5" in text_of(posts) or "Security" in text_of(posts)
    assert "Unknown command" not in text_of(await slack.say("/aide"))


async def test_app_home_names_only_registered_commands(
    slack: SlackChat, app: App, wire: SlackWire, fake_slack: FakeSlack
) -> None:
    fake_slack.users["U0001"] = {"locale": "fr-FR"}
    await wire.event("Ev1")
    (home,) = await fake_slack.wait_for("views.publish")
    assert commands_shown([home.params["view"]]) <= registered(app)


async def test_a_bare_group_shows_its_commands(slack: SlackChat, fake_slack: FakeSlack) -> None:
    posts = await slack.say("/progress")
    assert posts[0]["blocks"][0]["text"]["text"] == "/progress"
    assert "Unknown command" not in text_of(posts) and "/progress rate" in text_of(posts)
    fake_slack.users["U0001"] = {"locale": "fr-FR"}
    fake_slack.users["U0002"] = {"locale": "fr-FR"}
    french = await slack.say("/progression", user="U0002")
    assert french[0]["blocks"][0]["text"]["text"] == "/progression"
    assert "/progression noter" in text_of(french)
