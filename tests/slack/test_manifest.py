"""``coachbot slack manifest``, the platform choice of ``coachbot run``, and the README's scope list."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from coachbot.adapters.slack.manifest import BOT_EVENTS, SCOPES, build_manifest
from coachbot.app import build_registry
from coachbot.cli import _platform, main
from coachbot.knowledge.loader import default_knowledge
from coachbot.registry import Registry
from coachbot.settings import Secret, Secrets, Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return build_registry(default_knowledge())


def test_socket_mode_manifest(registry: Registry) -> None:
    manifest = build_manifest(registry)
    commands = manifest["features"]["slash_commands"]
    expected = [f"/{g}" for g in registry.groups if registry.in_group(g)]
    expected += [f"/{c.name}" for c in registry.top_level()]
    assert [c["command"] for c in commands] == expected
    for command in commands:
        assert re.fullmatch(r"/[a-z0-9_-]{1,31}", command["command"])
        assert 0 < len(command["description"]) <= 100 and len(command["usage_hint"]) <= 100
        assert command["should_escape"] is True and "url" not in command
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"] == {"is_enabled": True}
    assert settings["event_subscriptions"] == {"bot_events": BOT_EVENTS}
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["oauth_config"]["scopes"]["bot"] == sorted(SCOPES)
    assert 174 <= len(manifest["display_information"]["long_description"]) <= 4000


def test_http_manifest_points_everything_at_the_events_url(registry: Registry) -> None:
    manifest = build_manifest(registry, url="https://coach.example.org/")
    url = "https://coach.example.org/slack/events"
    assert {c["url"] for c in manifest["features"]["slash_commands"]} == {url}
    assert manifest["settings"]["interactivity"]["request_url"] == url
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_the_cli_prints_the_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack", "manifest", "--http", "https://x.example"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["settings"]["interactivity"]["request_url"] == "https://x.example/slack/events"
    assert main(["slack", "manifest"]) == 0
    assert json.loads(capsys.readouterr().out)["settings"]["socket_mode_enabled"] is True


def test_the_readme_lists_every_scope_and_why() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Run on Slack", 1)[1].split("\n## ", 1)[0]
    # The README is being split into docs/: a scope's row may live in a docs page.
    docs = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))
    for scope in SCOPES:
        assert re.search(rf"`{re.escape(scope)}`[^\n]*\|", section + docs), scope
    assert "coachbot slack manifest" in section


def _with(settings: Settings, **secrets: str) -> Settings:
    return replace(settings, secrets=Secrets(**{k: Secret(v) for k, v in secrets.items()}))


@pytest.mark.parametrize(
    ("secrets", "platform"),
    [
        ({}, "console"),
        ({"slack_bot_token": "x"}, "console"),
        ({"slack_bot_token": "x", "slack_app_token": "y"}, "slack"),
        ({"slack_bot_token": "x", "slack_signing_secret": "y"}, "slack"),
        ({"discord_token": "d"}, "discord"),
        ({"discord_token": "d", "slack_bot_token": "x", "slack_app_token": "y"}, "all"),
    ],
)
def test_run_picks_the_platforms_whose_secrets_are_set(
    settings: Settings, secrets: dict[str, str], platform: str
) -> None:
    assert _platform("auto", _with(settings, **secrets)) == platform
    assert _platform("console", _with(settings, **secrets)) == "console"


def test_socket_mode_unless_http_is_asked_or_there_is_no_app_token(settings: Settings) -> None:
    from coachbot.adapters.slack.run import use_http

    both = _with(settings, slack_bot_token="x", slack_app_token="y", slack_signing_secret="z")
    assert use_http(both, forced=False) is False
    assert use_http(both, forced=True) is True
    assert use_http(_with(settings, slack_bot_token="x", slack_signing_secret="z"), forced=False)
    with pytest.raises(SettingsError, match="COACHBOT_SLACK_APP_TOKEN"):
        use_http(_with(settings, slack_bot_token="x"), forced=False)
