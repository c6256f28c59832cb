"""Logs as JSON lines on request: the command, platform and workspace being served, never
a token nor what a user typed; and bad [ops] settings stop with one line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from coachbot.app import App
from coachbot.cli import main
from coachbot.ops.logs import JsonFormatter, OurHandler, TextFormatter, configure_logging
from tests.chat import ChatBot

TOKEN = "MTI2MzMzMTU3NzczNDg0NDQ1Nw.GdKf3a.secret-part-of-the-token"


class Lines(logging.Handler):
    """Keeps what a formatter made of each record."""

    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__()
        self.setFormatter(formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def json_lines() -> Iterator[Lines]:
    handler = Lines(JsonFormatter([TOKEN]))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


async def test_a_failing_command_logs_its_scope_but_no_user_text_nor_token(
    app: App, json_lines: Lines, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = app.registry.get(("progress", "log"))
    assert spec is not None

    async def broken(ctx: object, **options: object) -> None:
        raise ValueError(f"cannot store {options['note']!r} with {TOKEN}")

    monkeypatch.setitem(app.registry._commands, spec.path, replace(spec, handler=broken))
    bot = ChatBot(app)
    reply = await bot.say("/progress log skill:security note:my private words")
    assert "Internal error" in reply or "Erreur interne" in reply
    [line] = [json.loads(x) for x in json_lines.lines if "failed" in x]
    assert line["level"] == "error" and line["message"] == "command /progress log failed"
    assert (line["command"], line["platform"], line["workspace"]) == (
        "progress log",
        "console",
        "local",
    )
    assert line["exception"] == "ValueError" and "broken" in line["stack"]
    everything = "\n".join(json_lines.lines)
    assert "private words" not in everything and "secret-part" not in everything


def test_secrets_are_masked_in_both_formats() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "token %s", (TOKEN,), None)
    assert TOKEN not in TextFormatter([TOKEN]).format(record)
    assert json.loads(JsonFormatter([TOKEN]).format(record))["message"] == "token ********"


def test_log_format_json_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACHBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    root = logging.getLogger()
    try:
        assert main(["--log-format", "json", "migrate"]) == 0
        [ours] = [h for h in root.handlers if isinstance(h, OurHandler)]
        assert isinstance(ours.formatter, JsonFormatter)
        configure_logging("text")
        [ours] = [h for h in root.handlers if isinstance(h, OurHandler)]  # replaced, not added
        assert isinstance(ours.formatter, TextFormatter)
    finally:
        for handler in [h for h in root.handlers if isinstance(h, OurHandler)]:
            root.removeHandler(handler)


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ("[ops]\nlog_format = 'yaml'\n", '[ops] log_format must be "text" or "json"'),
        ("[ops]\nport = -1\n", "[ops] port must be from 0 to 65535"),
        ("[ops]\nenabled = 'yes'\n", "ops.enabled must be bool"),
        ("[database]\nurl = 'oracle://x'\n", "[database] url must be a SQLite or PostgreSQL URL"),
    ],
)
def test_bad_ops_and_database_settings_are_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    toml: str,
    says: str,
) -> None:
    monkeypatch.delenv("COACHBOT_DATABASE_URL", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(toml)
    assert main(["--config", str(config), "migrate"]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1
