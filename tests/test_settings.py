"""Typed settings: example file parses, secrets only from the environment, errors say how to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from coachbot.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_example_config_is_valid_and_documented() -> None:
    settings = load_settings(ROOT / "config.example.toml", env={})
    assert settings.bot.default_language == "fr"
    assert settings.database.url.startswith("sqlite+aiosqlite")
    assert settings.scheduler.catch_up_hours == 6


def test_database_url_from_environment_overrides() -> None:
    env = {"COACHBOT_DATABASE_URL": "postgresql+asyncpg://db/x"}
    assert load_settings(ROOT / "config.example.toml", env=env).database.url.endswith("/x")


def test_secrets_come_from_environment_and_never_print() -> None:
    settings = load_settings(
        ROOT / "config.example.toml", env={"COACHBOT_DISCORD_TOKEN": "abc.def"}
    )
    assert settings.secrets.discord_token is not None
    assert settings.secrets.discord_token.reveal() == "abc.def"
    assert "abc.def" not in repr(settings)


def test_missing_secret_says_which_variable_to_set() -> None:
    settings = load_settings(ROOT / "config.example.toml", env={})
    with pytest.raises(SettingsError, match="COACHBOT_SLACK_BOT_TOKEN is not set"):
        settings.secrets.require("slack_bot_token")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[bot]\nlanguage = 'fr'\n", r"unknown setting \[bot\] language"),
        ("[scheduler]\ntick_seconds = 'soon'\n", r"scheduler.tick_seconds must be int"),
        ("[secrets]\ndiscord_token = 'x'\n", "secrets do not belong in a config file"),
        ("[bot\n", "not valid TOML"),
    ],
)
def test_bad_config_fails_fast(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml)
    with pytest.raises(SettingsError, match=message):
        load_settings(path, env={})


@pytest.mark.parametrize(
    ("written", "used"),
    [
        ("sqlite:///coachbot.db", "sqlite+aiosqlite:///coachbot.db"),
        ("sqlite+aiosqlite:////srv/c.db", "sqlite+aiosqlite:////srv/c.db"),
        ("postgresql://u:p@h:5432/c", "postgresql+asyncpg://u:p@h:5432/c"),
        ("postgres://u@h/c", "postgresql+asyncpg://u@h/c"),
        ("postgresql+asyncpg://u@h/c", "postgresql+asyncpg://u@h/c"),
    ],
)
def test_the_async_driver_is_chosen_for_the_user(written: str, used: str) -> None:
    env = {"COACHBOT_DATABASE_URL": written}
    assert load_settings(ROOT / "config.example.toml", env=env).database.url == used


def test_a_url_of_another_database_names_where_it_came_from_not_its_password() -> None:
    env = {"COACHBOT_DATABASE_URL": "postgresql+psycopg2://u:hunter2@h/c"}
    with pytest.raises(SettingsError, match=r"COACHBOT_DATABASE_URL names the driver") as caught:
        load_settings(ROOT / "config.example.toml", env=env)
    assert "hunter2" not in str(caught.value)
