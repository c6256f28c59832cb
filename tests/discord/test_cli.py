"""``coachbot discord ...`` and ``coachbot run --platform discord``: offline parts and wiring."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import discord
import pytest

from coachbot import cli as main_cli
from coachbot.adapters.discord import cli
from coachbot.adapters.discord.client import ShardedCoachClient, make_client, translated_payload
from coachbot.app import App
from coachbot.settings import Secret, Secrets, Settings
from tests.discord.harness import Discord, Recorder
from tests.discord.test_commands import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "config.example.toml")


def with_discord(settings: Settings, **changes: Any) -> Settings:
    return replace(settings, discord=replace(settings.discord, **changes))


async def test_commands_json_is_exactly_the_synced_payload(settings: Settings) -> None:
    printed = await cli.command_payload(settings)
    assert printed == await translated_payload(make_client(REGISTRY, settings).tree)


def test_commands_json_through_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main_cli.main(["--config", EXAMPLE, "discord", "commands", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert {c["name"] for c in payload} >= {"cto", "progress", "mentor", "coach", "help"}


def test_invite_url_asks_for_two_scopes_and_minimal_permissions(settings: Settings) -> None:
    out = io.StringIO()
    assert cli.invite_url(with_discord(settings, application_id=1263331577734844457), out) == 0
    query = parse_qs(urlparse(out.getvalue().strip()).query)
    assert query["client_id"] == ["1263331577734844457"]
    assert query["scope"] == ["bot applications.commands"]
    wanted = discord.Permissions(int(query["permissions"][0]))
    assert int(query["permissions"][0]) == 1024 + 2048 + 16384 + 32768
    assert (wanted.view_channel, wanted.send_messages, wanted.embed_links, wanted.attach_files) == (
        True,
    ) * 4
    assert not (wanted.administrator or wanted.manage_guild or wanted.mention_everyone)


def test_invite_url_without_application_id_says_what_to_set(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main_cli.main(["--config", EXAMPLE, "discord", "invite-url"]) == 2
    assert "application_id" in capsys.readouterr().err


async def test_sync_to_one_server_uploads_the_checked_payload(
    settings: Settings, recorder: Recorder
) -> None:
    client = cli._registry_client(settings)
    client.http.request = recorder.rest  # type: ignore[method-assign]
    out = io.StringIO()
    assert await cli._sync_client(client, "token", 81384788765712384, out) == 0
    [upload] = [c for c in recorder.calls if c.method == "PUT"]
    assert upload.url.endswith(
        "/applications/1263331577734844457/guilds/81384788765712384/commands"
    )
    assert upload.payload == await translated_payload(make_client(REGISTRY, settings).tree)
    assert "synced" in out.getvalue()


def test_run_without_a_token_explains_which_variable_to_set(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COACHBOT_DISCORD_TOKEN", raising=False)
    assert main_cli.main(["--config", EXAMPLE, "run", "--platform", "discord"]) == 2
    assert "COACHBOT_DISCORD_TOKEN is not set" in capsys.readouterr().err


def test_run_picks_discord_when_its_token_is_set(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Settings] = []
    monkeypatch.setattr(cli, "run", lambda s: started.append(s) or 0)
    with_token = replace(settings, secrets=Secrets(discord_token=Secret("t")))
    args = main_cli._parser().parse_args(["run"])
    assert main_cli._run(args, with_token) == 0
    assert started == [with_token]


def test_sharding_runs_an_auto_sharded_client_on_the_configured_shards(settings: Settings) -> None:
    client = make_client(REGISTRY, with_discord(settings, shard_count=8, shard_ids=[2, 3]))
    assert isinstance(client, ShardedCoachClient) and isinstance(client, discord.AutoShardedClient)
    assert (client.shard_count, client.shard_ids) == (8, [2, 3])
    single = make_client(REGISTRY, settings)
    assert not isinstance(single, discord.AutoShardedClient)


def test_no_privileged_intent(settings: Settings) -> None:
    intents = make_client(REGISTRY, settings).intents
    assert not (intents.members or intents.presences or intents.message_content)
    assert intents.value == discord.Intents(guilds=True).value


async def test_login_registers_the_persistent_buttons(
    app: App, settings: Settings, recorder: Recorder
) -> None:
    client = make_client(app.registry, settings)
    bot = await Discord(client, recorder).connect()
    try:
        patterns = [p.pattern for p in client._connection._view_store._dynamic_items]
        assert patterns == [r"cb:(?P<workspace>[0-9A-Za-z_-]{1,32}):(?P<action>.+)"]
    finally:
        await bot.close()


async def test_run_wires_the_delivery_port_and_starts_the_scheduler_once_logged_in(
    app: App, settings: Settings, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coachbot.adapters.discord.delivery import DiscordDelivery
    from coachbot.scheduling.scheduler import delivery_ports

    client, scheduler = cli.wire(app, settings)
    assert isinstance(delivery_ports(app.services)["discord"], DiscordDelivery)
    assert scheduler is not None
    started: list[bool] = []
    monkeypatch.setattr(scheduler, "start", lambda: started.append(True))
    assert started == []
    bot = await Discord(client, recorder).connect()
    await bot.close()
    assert started == [True]
