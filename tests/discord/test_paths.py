"""On Discord, admin subcommands are top-level (``/coach-server``): the core's texts say so.

Discord sets permissions only on top-level commands, so ``/coach server`` is
``/coach-server`` there (``/coach-serveur`` in French). Every text the core writes
about a command (help, usage in errors, replies that point to a command) must name it
that way on Discord, and ``/help command:coach-server`` must find it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from coachbot.adapters.discord.commands import discord_path
from coachbot.app import App
from coachbot.registry import CommandSpec, OptionType
from tests.chat import ChatBot
from tests.discord.harness import CALLBACK, Discord, command
from tests.discord.limits_check import texts
from tests.discord.test_commands import REGISTRY
from tests.discord.test_interactions import sample_options

NESTED_ADMIN = re.compile(r"/coach\s+serv(?:er|eur)\b")
SERVER = REGISTRY.get(("coach", "server"))


def shown(discord_bot: Discord) -> list[str]:
    """Every text of every message sent so far."""
    return [t for body in discord_bot.recorder.sent_payloads() for t in texts(body)]


def bad_option(spec: CommandSpec) -> dict[str, Any] | None:
    """An option value Discord lets through but the core refuses (so the usage shows)."""
    for opt in spec.options:
        if opt.type is OptionType.INTEGER and opt.max_value is not None:
            return {"name": opt.name, "type": 4, "value": opt.max_value + 1}
        if opt.type is OptionType.STRING and (opt.vocabulary or opt.choices):
            return {"name": opt.name, "type": 3, "value": "zzqx-nothing"}
    return None


def test_the_registry_lifts_admin_subcommands_when_asked() -> None:
    assert SERVER is not None and SERVER.lifted
    assert SERVER.usage("en", flat_admin=True).startswith("/coach-server ")
    assert SERVER.qualified_name_in("fr", flat_admin=True) == "coach-serveur"
    assert SERVER.usage("en").startswith("/coach server ")  # the console and Slack keep it
    assert REGISTRY.get(("coach-server",)) is SERVER
    assert REGISTRY.get(REGISTRY.canonical(["coach-serveur"])) is SERVER
    for spec in REGISTRY:
        assert spec.path_in("en", flat_admin=True) == discord_path(spec)
        if not spec.lifted:
            assert spec.path_in("fr", flat_admin=True) == spec.path_in("fr")
        for lang in ("fr", "en"):
            assert not NESTED_ADMIN.search(spec.usage(lang, flat_admin=True))


@pytest.mark.parametrize("locale", ["en-US", "fr"])
async def test_no_discord_reply_or_usage_names_the_nested_admin_command(
    discord_bot: Discord, app: App, locale: str
) -> None:
    for spec in REGISTRY:
        options, resolved = sample_options(app, spec)
        path = discord_path(spec)
        await discord_bot.dispatch(
            command(path, options, resolved=resolved, admin=True, locale=locale)
        )
        bad = bad_option(spec)
        if bad is not None:
            await discord_bot.dispatch(command(path, [bad], admin=True, locale=locale))
        for word in (" ".join(spec.path), "-".join(spec.path), " ".join(spec.path_in("fr"))):
            value = [{"name": "command", "type": 3, "value": word}]
            await discord_bot.dispatch(command(("help",), value, locale=locale))
    for group in ("coach", ""):
        value = [{"name": "command", "type": 3, "value": group}] if group else []
        await discord_bot.dispatch(command(("help",), value, locale=locale))
    seen = shown(discord_bot)
    assert any("/coach-serv" in t for t in seen), "the admin command was never shown"
    assert [t for t in seen if NESTED_ADMIN.search(t)] == []


async def test_the_help_overview_lists_the_admin_command_at_the_top_level(
    discord_bot: Discord,
) -> None:
    await discord_bot.dispatch(command(("help",), locale="en-US"))
    [embed, *_] = discord_bot.recorder.sent_payloads()[-1]["embeds"]
    fields = {f["name"]: f["value"] for e in [embed] for f in e["fields"]}
    assert "/coach-server" in fields
    coach = next(v for k, v in fields.items() if k.startswith("/coach —"))
    assert "`server`" not in coach and "`language`" in coach


@pytest.mark.parametrize(
    ("word", "locale", "title"),
    [
        ("coach-server", "en-US", "/coach-server"),
        ("/coach-serveur", "fr", "/coach-serveur"),
        ("coach server", "en-US", "/coach-server"),
    ],
)
async def test_help_finds_the_lifted_command(
    discord_bot: Discord, word: str, locale: str, title: str
) -> None:
    value = [{"name": "command", "type": 3, "value": word}]
    await discord_bot.dispatch(command(("help",), value, locale=locale))
    [embed, *_] = discord_bot.recorder.sent_payloads()[-1]["embeds"]
    assert embed["title"] == title
    assert f"`{title} " in embed["description"]  # the usage


async def test_saving_server_defaults_points_to_the_lifted_command(discord_bot: Discord) -> None:
    language = [{"name": "language", "type": 3, "value": "en"}]
    await discord_bot.dispatch(command(("coach-server",), language, admin=True))
    body = discord_bot.recorder.sent_payloads()[-1]
    assert body["embeds"][0]["title"] == "Server defaults saved"
    assert "`/coach-server language:en" in " ".join(texts(body))


async def test_help_autocompletes_commands_as_discord_shows_them(discord_bot: Discord) -> None:
    focused = [{"name": "command", "type": 3, "value": "coach-s", "focused": True}]
    await discord_bot.dispatch(command(("help",), focused, kind=4))
    [call] = discord_bot.recorder.to(CALLBACK)
    assert call.payload is not None and call.payload["type"] == 8
    [choice] = call.payload["data"]["choices"]
    assert choice["value"] == "coach server"
    assert choice["name"].startswith("/coach-server — ")


async def test_help_autocomplete_in_french_and_without_a_prefix(discord_bot: Discord) -> None:
    focused = [{"name": "command", "type": 3, "value": "progression note", "focused": True}]
    await discord_bot.dispatch(command(("help",), focused, kind=4, locale="fr"))
    choices = discord_bot.recorder.to(CALLBACK)[-1].payload["data"]["choices"]  # type: ignore[index]
    assert choices[0] == {"name": choices[0]["name"], "value": "progress rate"}
    assert choices[0]["name"].startswith("/progression noter — ")
    assert all(c["name"].startswith("/progression note") for c in choices)
    empty = [{"name": "command", "type": 3, "value": "", "focused": True}]
    await discord_bot.dispatch(command(("help",), empty, kind=4))
    choices = discord_bot.recorder.to(CALLBACK)[-1].payload["data"]["choices"]  # type: ignore[index]
    assert 0 < len(choices) <= 25 and choices[0]["value"] == "cto"


async def test_text_platforms_keep_the_nested_admin_command(bot: ChatBot) -> None:
    assert (await bot.reply("/help command:coach-server", locale="en")).title == "/coach server"
    assert (await bot.reply("/aide commande:coach serveur", locale="fr")).title == (
        "/coach serveur"
    )
    overview = await bot.say("/help", locale="en")
    assert "/coach-server" not in overview and "`server`" in overview


async def test_help_for_an_unknown_command_names_the_closest(bot: ChatBot) -> None:
    text = await bot.say("/help command:cto salry", locale="en")
    assert "is not a known command" in text and "cto salary" in text
    assert "Usage: `/help [command:<command>]`" in text


async def test_the_missing_tips_channel_error_points_to_the_lifted_command(
    discord_bot: Discord,
) -> None:
    where = [{"name": "where", "type": 3, "value": "channel"}]
    await discord_bot.dispatch(command(("coach", "subscribe"), where))
    seen = shown(discord_bot)
    assert any("tips channel" in t for t in seen), seen
    assert [t for t in seen if NESTED_ADMIN.search(t)] == []
    assert any("/coach-server channel:" in t for t in seen)
