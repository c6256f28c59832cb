"""First run: ``coachbot run`` uploads the commands when they changed; duplicates are named;
``coachbot discord sync --guild ID --clear`` removes a server's copies."""

from __future__ import annotations

import io
import logging

import pytest

from coachbot import cli as main_cli
from coachbot.adapters.discord import cli
from coachbot.adapters.discord.client import translated_payload
from coachbot.adapters.discord.platform import wired_client
from coachbot.adapters.discord.sync import GLOBAL, SyncRecords, payload_hash
from coachbot.app import App
from coachbot.settings import Settings
from tests.discord.harness import GUILD, Discord, Recorder
from tests.discord.test_cli import EXAMPLE, fake_discord, with_token

APP_ID = "1263331577734844457"
GLOBAL_URL = f"https://discord.com/api/v10/applications/{APP_ID}/commands"
GUILD_URL = f"https://discord.com/api/v10/applications/{APP_ID}/guilds/{GUILD}/commands"


def registered(*names: str) -> list[dict[str, object]]:
    """Commands as Discord lists them (GET .../commands)."""
    return [
        {"id": str(1264000000000002000 + i), "application_id": APP_ID, "name": name,
         "description": name, "type": 1, "version": "1"}
        for i, name in enumerate(names)
    ]  # fmt: skip


def puts(recorder: Recorder) -> list[str]:
    return [c.url for c in recorder.calls if c.method == "PUT"]


async def start(app: App, settings: Settings, recorder: Recorder) -> None:
    """What ``coachbot run`` does up to the gateway: wire, then log in (start-up steps run)."""
    client = wired_client(app)
    bot = await Discord(client, recorder).connect()
    await bot.close()


async def test_the_first_run_uploads_the_commands_and_a_restart_does_not(
    app: App, settings: Settings
) -> None:
    first = Recorder()
    await start(app, settings, first)
    assert puts(first) == [GLOBAL_URL]
    [upload] = [c for c in first.calls if c.method == "PUT"]
    assert app.services.db is not None
    stored = await SyncRecords(app.services.db).stored(GLOBAL)
    assert stored == payload_hash(upload.payload or [])

    again = Recorder()
    await start(app, settings, again)
    assert puts(again) == []  # unchanged: nothing uploaded


async def test_a_run_after_the_commands_changed_uploads_them(app: App, settings: Settings) -> None:
    assert app.services.db is not None
    await SyncRecords(app.services.db).save(GLOBAL, "an older payload", app.services.clock.now())
    recorder = Recorder()
    await start(app, settings, recorder)
    assert puts(recorder) == [GLOBAL_URL]


async def test_a_run_names_the_commands_a_server_shows_twice(
    app: App, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    assert app.services.db is not None
    await SyncRecords(app.services.db).save(GUILD, "synced by hand", app.services.clock.now())
    recorder = Recorder()
    recorder.commands[GUILD_URL] = registered("cto", "coach", "lab")
    with caplog.at_level(logging.WARNING, logger="coachbot.adapters.discord"):
        await start(app, settings, recorder)
    [warning] = [r.getMessage() for r in caplog.records if "twice" in r.getMessage()]
    assert f"server {GUILD}" in warning and "/coach, /cto." in warning
    assert f"coachbot discord sync --guild {GUILD} --clear" in warning


def test_a_server_sync_warns_about_commands_that_are_global_too(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    recorder = fake_discord(monkeypatch, "/none", RuntimeError())
    recorder.commands[GLOBAL_URL] = registered("help", "cto")
    assert cli.sync(with_token(settings), int(GUILD)) == 0
    err = capsys.readouterr().err
    assert f"server {GUILD} has its own copy" in err and "/cto, /help." in err
    assert f"--guild {GUILD} --clear" in err


async def test_clear_removes_a_servers_commands_and_its_record(
    app: App, settings: Settings, recorder: Recorder
) -> None:
    assert app.services.db is not None
    records = SyncRecords(app.services.db)
    await records.save(GUILD, "synced by hand", app.services.clock.now())
    client = cli._registry_client(settings)
    client.http.request = recorder.rest  # type: ignore[method-assign]
    out = io.StringIO()
    assert await cli._sync_client(client, "t", int(GUILD), out, records=records, clear=True) == 0
    [upload] = [c for c in recorder.calls if c.method == "PUT"]
    assert (upload.url, upload.payload) == (GUILD_URL, [])
    assert await records.guilds() == []
    assert out.getvalue() == f"removed the commands of server {GUILD}\n"


def test_clear_needs_a_server(capsys: pytest.CaptureFixture[str]) -> None:
    assert main_cli.main(["--config", EXAMPLE, "discord", "sync", "--clear"]) == 2
    assert "--guild ID" in capsys.readouterr().err


async def test_the_hash_is_of_exactly_what_sync_sends(settings: Settings) -> None:
    client = cli._registry_client(settings)
    payload = await translated_payload(client.tree)
    assert payload_hash(payload) == payload_hash(list(payload))
    changed = [dict(payload[0], description="changed"), *payload[1:]]
    assert payload_hash(changed) != payload_hash(payload)
