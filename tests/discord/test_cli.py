"""``coachbot discord ...`` and ``coachbot run --platform discord``: offline parts and wiring."""

from __future__ import annotations

import io
import json
import logging
import re
import socket
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import aiohttp
import discord
import pytest
from aiohttp.client_reqrep import ConnectionKey
from discord.http import HTTPClient, Route

from coachbot import cli as main_cli
from coachbot.adapters.discord import cli
from coachbot.adapters.discord.client import ShardedCoachClient, make_client, translated_payload
from coachbot.app import App
from coachbot.settings import Secret, Secrets, Settings, SettingsError
from tests.discord.harness import GUILD, Discord, Recorder
from tests.discord.test_commands import REGISTRY
from tests.discord.test_delivery import http_error

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


RUN_DISCORD = main_cli._parser().parse_args(["run", "--platform", "discord"])


def test_run_picks_discord_when_its_token_is_set(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(main_cli, "_serve", lambda a, s, names, **_: started.append(names) or 0)
    with_token = replace(settings, secrets=Secrets(discord_token=Secret("t")))
    args = main_cli._parser().parse_args(["run"])
    assert main_cli._run(args, with_token) == 0
    assert started == [["discord"]]


def test_run_refuses_an_unmigrated_database_once_the_token_is_there(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from coachbot.db.migrate import SchemaNotReady

    with pytest.raises(SchemaNotReady, match="coachbot migrate"):
        main_cli._run(RUN_DISCORD, with_token(settings))


def test_sharding_runs_an_auto_sharded_client_on_the_configured_shards(settings: Settings) -> None:
    client = make_client(REGISTRY, with_discord(settings, shard_count=8, shard_ids=[2, 3]))
    assert isinstance(client, ShardedCoachClient) and isinstance(client, discord.AutoShardedClient)
    assert (client.shard_count, client.shard_ids) == (8, [2, 3])
    single = make_client(REGISTRY, settings)
    assert not isinstance(single, discord.AutoShardedClient)


def test_no_privileged_intent(settings: Settings) -> None:
    intents = make_client(REGISTRY, settings).intents
    assert not (intents.members or intents.presences or intents.message_content)
    assert (
        intents.value == discord.Intents(guilds=True, dm_messages=True, guild_messages=True).value
    )


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


async def test_the_adapter_logs_in_on_start_and_delivers_through_that_client(
    app: App, settings: Settings, recorder: Recorder
) -> None:
    from coachbot.adapters.discord.delivery import DiscordDelivery
    from coachbot.adapters.discord.platform import DiscordPlatform

    client = make_client(app.registry, settings)
    client.http.request = recorder.rest  # type: ignore[method-assign]
    adapter = DiscordPlatform(client, "recorded-token")
    assert not recorder.to(LOGIN)
    await adapter.start()
    try:
        assert recorder.to(LOGIN) and client.user is not None
        assert isinstance(adapter.delivery, DiscordDelivery) and adapter.delivery.client is client
    finally:
        await adapter.stop()


# Discord refusing or unreachable: one line saying how to fix it, exit 1, no traceback.

LOGIN = "/users/@me"
GUILD_SYNC = "/applications/{application_id}/guilds/{guild_id}/commands"
DISCORD_KEY = ConnectionKey("discord.com", 443, True, True, None, None, None)


def with_token(settings: Settings) -> Settings:
    return replace(settings, secrets=Secrets(discord_token=Secret("not-a-real-token")))


def fake_discord(monkeypatch: pytest.MonkeyPatch, path: str, exc: BaseException) -> Recorder:
    """discord.py's REST transport answering from the recorded fixtures, raising ``exc``
    on ``path``: what every client the command builds will meet."""
    recorder = Recorder()
    recorder.script = lambda call: exc if call.path == path else None

    async def request(self: HTTPClient, route: Route, **kwargs: Any) -> Any:
        return await recorder.rest(route, **kwargs)

    monkeypatch.setattr(HTTPClient, "request", request)
    return recorder


DNS = aiohttp.ClientConnectorDNSError(
    DISCORD_KEY, OSError(-3, "Temporary failure in name resolution")
)
REFUSED = aiohttp.ClientConnectorError(
    DISCORD_KEY, ConnectionRefusedError(111, "Connection refused")
)
FAILURES = [
    pytest.param(LOGIN, http_error(401), r"token rejected.*Bot page.*export COACHBOT_DISCORD_TOKEN", id="bad-token"),
    pytest.param(LOGIN, DNS, r"cannot reach Discord \(discord\.com: .*name resolution\).*network", id="dns"),
    pytest.param(LOGIN, REFUSED, r"cannot reach Discord \(discord\.com: Connection refused\)", id="no-network"),
    pytest.param(LOGIN, http_error(503), r"busy or down \(503/0.*try again", id="discord-down"),
]  # fmt: skip


def assert_one_clear_line(err: str, pattern: str) -> None:
    assert "Traceback" not in err
    [line] = err.strip().splitlines()
    assert line.startswith("coachbot: ") and re.search(pattern, line), line


@pytest.mark.parametrize(("path", "exc", "pattern"), FAILURES)
def test_sync_explains_a_refused_login_in_one_line(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    path: str,
    exc: BaseException,
    pattern: str,
) -> None:
    fake_discord(monkeypatch, path, exc)
    assert cli.sync(with_token(settings), int(GUILD)) == 1
    assert_one_clear_line(capsys.readouterr().err, pattern)


@pytest.mark.parametrize(("path", "exc", "pattern"), FAILURES)
def test_run_explains_a_refused_login_in_one_line(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    path: str,
    exc: BaseException,
    pattern: str,
) -> None:
    from coachbot.db.migrate import upgrade

    upgrade(settings.database.url)  # run refuses an unmigrated database before logging in
    fake_discord(monkeypatch, path, exc)
    assert main_cli._run(RUN_DISCORD, with_token(settings)) == 1
    assert_one_clear_line(capsys.readouterr().err, pattern)


@pytest.mark.parametrize(
    ("exc", "pattern"),
    [
        (http_error(403, 50001), r"403/50001.*applications\.commands.*coachbot discord invite-url"),
        (http_error(400, 50035), r"refused the request \(400/50035"),
    ],
)
def test_a_refused_sync_says_how_to_fix_it(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    exc: BaseException,
    pattern: str,
) -> None:
    recorder = fake_discord(monkeypatch, GUILD_SYNC, exc)
    assert cli.sync(with_token(settings), int(GUILD)) == 1
    assert [c.method for c in recorder.calls if c.path == GUILD_SYNC] == ["PUT"]
    assert_one_clear_line(capsys.readouterr().err, pattern)


def test_no_network_through_the_real_http_stack(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing faked above aiohttp: a port where nobody listens refuses the connection."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
    assert main_cli.main(["--config", EXAMPLE, "discord", "sync"]) == 2  # no token yet
    capsys.readouterr()
    assert cli.sync(with_token(settings), None) == 1
    assert_one_clear_line(capsys.readouterr().err, r"cannot reach Discord \(127\.0\.0\.1: ")


async def test_ready_is_logged_once_with_the_number_of_servers(
    discord_bot: Discord, caplog: pytest.LogCaptureFixture
) -> None:
    state = discord_bot.client._connection
    state._add_guild_from_data({"id": GUILD, "name": "CTO club"})  # type: ignore[typeddict-item]
    with caplog.at_level(logging.INFO, logger="coachbot.adapters.discord"):
        await discord_bot.client.on_ready()
        await discord_bot.client.on_ready()  # READY again after a reconnect
    said = [r.getMessage() for r in caplog.records if r.name.startswith("coachbot")]
    assert said == [f"connected as {discord_bot.client.user} to 1 servers"]


# Shards that cannot run: refused when the settings are read, with the fix.


@pytest.mark.parametrize(
    ("toml", "fix"),
    [
        ("shard_ids = [0, 1]", r"needs shard_count.*e\.g\. shard_count = 2"),
        ("shard_count = 4\nshard_ids = [3, 4]", r"from 0 to 3 \(shard_count = 4\); wrong: \[4\]"),
        ("shard_count = 4\nshard_ids = [-1]", r"wrong: \[-1\]"),
        ("shard_count = 2\nshard_ids = [1, 1]", r"distinct.*wrong: \[1\]"),
        ("shard_count = -2", r"shard_count must be 0 .* got -2"),
    ],
)
def test_impossible_shards_fail_fast_saying_how_to_fix_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, fix: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[discord]\napplication_id = 1\n{toml}\n", encoding="utf-8")
    assert main_cli.main(["--config", str(config), "discord", "commands"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coachbot: [discord] shard") and re.search(fix, err), err


def test_shards_are_checked_however_the_settings_are_built(settings: Settings) -> None:
    with pytest.raises(SettingsError, match="shard_count"):
        make_client(REGISTRY, with_discord(settings, shard_count=0, shard_ids=[1]))
    assert with_discord(settings, shard_count=4, shard_ids=[0, 3]).discord.shard_ids == [0, 3]


def test_the_discord_page_gives_the_permissions_invite_url_asks_for() -> None:
    section = (ROOT / "docs" / "discord.md").read_text(encoding="utf-8")
    totals = re.findall(r"(?:permissions|Total) `(\d+)`", section)
    assert len(totals) == 2, totals  # the invite step and the permission table
    assert {int(t) for t in totals} == {cli.PERMISSIONS.value}
    bits = [int(b) for b in re.findall(r"\| [A-Za-z ]+ \(`1 << \d+` = (\d+)\)", section)]
    assert sum(bits) == cli.PERMISSIONS.value and len(bits) == 4
