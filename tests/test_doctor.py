"""``coachbot doctor`` on good and broken deployments: every failing check says its fix,
the exit code says whether anything failed, and no secret is ever printed."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from coachbot.cli import main
from coachbot.db.migrate import upgrade
from coachbot.settings import SECRET_ENV

APP_ID = "1263331577734844457"
BOT_PART = base64.urlsafe_b64encode(APP_ID.encode()).decode().rstrip("=")
DISCORD_TOKEN = f"{BOT_PART}.GdKf3a.{'x' * 38}"
SLACK_BOT = "xoxb-1111111111-2222222222-abcdefABCDEF"
SLACK_APP = "xapp-1-A0123456789-1234567890123-0f0f0f0f"


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated SQLite database, and no secret in the environment yet."""
    for variable in [*SECRET_ENV.values(), "COACHBOT_DATABASE_URL", "COACHBOT_CONFIG"]:
        monkeypatch.delenv(variable, raising=False)
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    upgrade(url.replace("sqlite:", "sqlite+aiosqlite:"))
    monkeypatch.setenv("COACHBOT_DATABASE_URL", url)
    config = tmp_path / "config.toml"
    config.write_text(f"[discord]\napplication_id = {APP_ID}\n")
    return config


def doctor(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["--config", str(config), "doctor"])
    return code, capsys.readouterr().out


def test_a_good_deployment_passes_every_check(
    deployment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COACHBOT_DISCORD_TOKEN", DISCORD_TOKEN)
    monkeypatch.setenv("COACHBOT_SLACK_BOT_TOKEN", SLACK_BOT)
    monkeypatch.setenv("COACHBOT_SLACK_APP_TOKEN", SLACK_APP)
    code, out = doctor(deployment, capsys)
    assert code == 0, out
    assert "FAIL" not in out and "everything looks right" in out
    assert "ok   database: SQLite reachable, migrations current" in out
    assert f"ok   discord application: application id {APP_ID}" in out
    assert "ok   slack mode: Socket Mode" in out
    assert DISCORD_TOKEN not in out and SLACK_BOT not in out


def test_broken_tokens_ids_and_slack_mode_each_get_their_fix(
    deployment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.write_text("[discord]\napplication_id = 42\n")
    monkeypatch.setenv("COACHBOT_DISCORD_TOKEN", "Bot " + DISCORD_TOKEN)
    monkeypatch.setenv("COACHBOT_SLACK_BOT_TOKEN", "xoxp-user-token-instead-of-bot")
    code, out = doctor(deployment, capsys)
    assert code == 1
    assert 'FAIL discord token: COACHBOT_DISCORD_TOKEN starts with "Bot "' in out
    assert "FAIL discord application: [discord] application_id 42 is not a Discord id" in out
    assert "FAIL slack: COACHBOT_SLACK_BOT_TOKEN does not look like a bot token: xoxb-" in out
    assert "fix: copy the Bot User OAuth Token" in out
    assert "FAIL slack mode: neither COACHBOT_SLACK_APP_TOKEN" in out
    assert "fix: Developer Portal > your application > Bot > Reset Token" in out
    assert "4 problem(s) found" in out and "xoxp-user" not in out


def test_http_mode_and_a_token_of_another_application(
    deployment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    other = base64.urlsafe_b64encode(b"1111111111111111111").decode().rstrip("=")
    monkeypatch.setenv("COACHBOT_DISCORD_TOKEN", f"{other}.GdKf3a.{'y' * 38}")
    monkeypatch.setenv("COACHBOT_SLACK_BOT_TOKEN", SLACK_BOT)
    monkeypatch.setenv("COACHBOT_SLACK_SIGNING_SECRET", "0123456789abcdef" * 2)
    code, out = doctor(deployment, capsys)
    assert code == 0, out
    assert "warn discord application: the token is for bot 1111111111111111111" in out
    assert "ok   slack mode: HTTP mode on 0.0.0.0:3000" in out
    deployment.write_text(
        f"[discord]\napplication_id = {APP_ID}\n[ops]\nenabled = true\nhost = '0.0.0.0'\n"
    )
    code, out = doctor(deployment, capsys)
    assert code == 0 and "warn ops: http://0.0.0.0:9464/healthz" in out and "no password" in out


def test_an_unmigrated_or_missing_database_says_run_migrate(
    deployment: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COACHBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    code, out = doctor(deployment, capsys)
    assert code == 1 and "never.db does not exist yet" in out
    assert "fix: run `coachbot migrate`" in out
    assert not (tmp_path / "never.db").exists()  # the doctor creates nothing
    (tmp_path / "empty.db").write_bytes(b"")
    monkeypatch.setenv("COACHBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    code, out = doctor(deployment, capsys)
    assert code == 1 and "has no coachbot tables yet" in out


def test_an_unreachable_database_and_a_broken_config(
    deployment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COACHBOT_DATABASE_URL", "postgresql://coach:hunter2@127.0.0.1:1/coach")
    code, out = doctor(deployment, capsys)
    assert code == 1 and "FAIL database: cannot open the database" in out
    assert "hunter2" not in out
    deployment.write_text("[ops]\nport = 70000\n")
    code, out = doctor(deployment, capsys)
    assert code == 1 and "FAIL config: [ops] port must be from 0 to 65535" in out
    assert "fix: edit the file" in out
