"""The ``coachbot`` command line. Imports are lazy: ``coachbot ask`` loads no database or chat library."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from coachbot.app import App
    from coachbot.platform import PlatformAdapter
    from coachbot.settings import Settings

# The platforms ``coachbot run`` can serve: each module has ``adapter(app, args)`` returning
# a ``coachbot.platform.PlatformAdapter`` (see docs/adding-a-platform.md).
ADAPTERS = {
    "console": "coachbot.adapters.console.platform",
    "discord": "coachbot.adapters.discord.platform",
    "slack": "coachbot.adapters.slack.platform",
}


class AdapterModule(Protocol):
    """What each module of ``ADAPTERS`` provides."""

    def adapter(self, app: App, args: argparse.Namespace) -> PlatformAdapter:
        """The platform's adapter for ``app``, configured from the command line."""
        ...


# Ticks never come closer than 0.25 s of real time; beyond this speed, that is more than
# 40 minutes of bot time and prompts would arrive visibly late.
MAX_CLOCK_SPEED = 10_000
SCRATCH_PREFIX, SCRATCH_NAME = "coachbot-clock-", "demo.db"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coachbot", description="A career coach about the CTO role."
    )
    parser.add_argument(
        "--config", help="settings file (default: config.toml, else config.example.toml)"
    )
    parser.add_argument(
        "--log-format", choices=["text", "json"], help="log lines (default: [ops] log_format)"
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser(
        "run", help="run the bot: Discord/Slack when their tokens are set, else the console"
    )
    run.add_argument("--platform", choices=["auto", *ADAPTERS, "all"], default="auto")
    run.add_argument("--http", action="store_true", help="Slack: serve HTTP, not Socket Mode")
    run.add_argument("--port", type=int, help="Slack HTTP port (default: [slack] http_port)")
    chat = sub.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--user", help="acting user name (switch later with /as NAME)")
    chat.add_argument(
        "--clock-speed",
        type=_speed,
        default=1.0,
        metavar="N",
        help="run the bot's clock N times faster, 1 to 10000 (1000: a week of daily prompts "
        "in about 10 minutes)",
    )
    ask = sub.add_parser("ask", help="answer one free question and exit")
    ask.add_argument(
        "--lang",
        choices=["fr", "en"],
        help="reply language (default: the question's, else from config)",
    )
    ask.add_argument("question", nargs="+")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("doctor", help="check the configuration, database and tokens; say each fix")
    _discord_parser(sub)
    _slack_parser(sub)
    return parser


def _slack_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    slack = sub.add_parser("slack", help="Slack: print the app manifest")
    actions = slack.add_subparsers(dest="slack_cmd", required=True)
    manifest = actions.add_parser("manifest", help="print the app manifest (JSON) to paste")
    mode = manifest.add_mutually_exclusive_group()
    mode.add_argument("--socket", action="store_true", help="Socket Mode (default)")
    mode.add_argument("--http", metavar="URL", help="HTTP mode, served at URL/slack/events")


def _discord_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    discord = sub.add_parser("discord", help="Discord: sync commands, show them, invite URL")
    actions = discord.add_subparsers(dest="discord_cmd", required=True)
    sync = actions.add_parser("sync", help="upload the slash commands (globally or to one server)")
    sync.add_argument("--guild", type=int, help="server id: sync there only, instantly")
    sync.add_argument(
        "--clear", action="store_true", help="with --guild: remove that server's commands"
    )
    shown = actions.add_parser("commands", help="print the commands `sync` would upload")
    shown.add_argument("--json", action="store_true", help="the exact JSON payload")
    actions.add_parser("invite-url", help="print the URL that adds the bot to a server")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
    from coachbot.errors import DatabaseUnreachable, SchemaNotReady
    from coachbot.knowledge.loader import ContentError
    from coachbot.settings import SettingsError, config_path, load_settings

    if args.cmd == "doctor":  # it reports a broken config itself, with the rest
        from coachbot.ops.doctor import run

        return run(args.config, sys.stdout)
    try:
        settings = load_settings(config_path(args.config))
        _logging(args.log_format or settings.ops.log_format, settings)
        code = _COMMANDS[args.cmd](args, settings)
        sys.stdout.flush()  # a closed pipe shows here, where it is handled, not at exit
        return code
    except (SettingsError, ContentError, SchemaNotReady, DatabaseUnreachable) as exc:
        print(f"coachbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader left (`coachbot ask ... | head`): nothing to say
        _silence_stdout()
        return 141


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot raise again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _logging(log_format: str, settings: Settings) -> None:
    """Log lines as ``log_format``, never showing a configured secret."""
    from dataclasses import astuple

    from coachbot.ops.logs import configure_logging

    secrets = [s.reveal() for s in astuple(settings.secrets) if s is not None]
    configure_logging(log_format, secrets)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from coachbot.adapters.console import ConsoleRenderer
    from coachbot.app import build_app
    from coachbot.dispatch import Invocation
    from coachbot.identity import PersonRef

    app = build_app(settings, with_database=False)
    question = " ".join(args.question)
    invocation = Invocation(
        PersonRef("console", "local", "cli"), ("cto", "ask"), {"question": question}, lang=args.lang
    )
    reply = asyncio.run(app.dispatcher.dispatch(invocation))
    print(ConsoleRenderer(settings_dir(settings)).render(reply))
    return 0


def settings_dir(settings: Settings) -> Path:
    """Where the console writes files."""
    return Path(settings.console.charts_dir)


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from coachbot.db.migrate import upgrade

    upgrade(settings.database.url)
    return 0


def _speed(value: str) -> float:
    try:
        speed = float(value)
    except ValueError:
        speed = 0.0
    if not 1 <= speed <= MAX_CLOCK_SPEED:
        raise argparse.ArgumentTypeError(
            f"expected a number from 1 to {MAX_CLOCK_SPEED}, got {value!r}"
        )
    return speed


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    return _serve(args, settings, ["console"])


def _serve(
    args: argparse.Namespace,
    settings: Settings,
    platforms: Sequence[str],
    *,
    optional: Sequence[str] = (),
) -> int:
    """Run ``platforms`` (names in ``ADAPTERS``) in one runtime until a signal or the end
    of the console's input; ``optional`` ones may fail without stopping the others."""
    from coachbot.app import Runtime, build_app
    from coachbot.clock import ScaledClock
    from coachbot.platform import PlatformUnavailable

    speed = getattr(args, "clock_speed", 1.0)
    if speed != 1:
        settings = _scratch_database(settings)
    app = build_app(settings, clock=ScaledClock(speed) if speed != 1 else None)
    adapters = [_adapter(name).adapter(app, args) for name in platforms]
    if speed == 1:
        _require_schema(settings)  # after the secrets: a missing token is the first thing to fix
    runtime = Runtime(app, adapters, optional=optional, speed=speed)
    try:
        return asyncio.run(runtime.run())
    except PlatformUnavailable as exc:  # a refusal, already explained: one line, exit 1
        print(f"coachbot: {exc}", file=sys.stderr)
        return 1
    finally:
        if speed != 1:
            _drop_scratch(settings)


def _adapter(platform: str) -> AdapterModule:
    """The adapter package's module for ``platform``."""
    import importlib

    module: AdapterModule = importlib.import_module(ADAPTERS[platform])
    return module


def _scratch_database(settings: Settings) -> Settings:
    """Settings on a new, migrated SQLite file: an accelerated clock writes future dates,
    which must never reach the real database (they would mark real days as done)."""
    import tempfile
    from dataclasses import replace

    from coachbot.db.migrate import upgrade
    from coachbot.settings import DatabaseSettings

    folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
    url = f"sqlite+aiosqlite:///{folder / SCRATCH_NAME}"
    upgrade(url)
    print(
        f"(accelerated clock: a scratch database in {folder}, erased at the end; yours is untouched)"
    )
    return replace(settings, database=DatabaseSettings(url=url))


def _drop_scratch(settings: Settings) -> None:
    """Erase the scratch database of an accelerated session (its whole folder)."""
    import shutil

    path = Path(settings.database.url.removeprefix("sqlite+aiosqlite:///"))
    if path.name == SCRATCH_NAME and path.parent.name.startswith(SCRATCH_PREFIX):
        shutil.rmtree(path.parent, ignore_errors=True)


def _require_schema(settings: Settings) -> None:
    """Stop with the fix (``coachbot migrate``) when the database is not migrated (each
    runner calls it once its platform's secrets are checked)."""
    from coachbot.db.migrate import require_current_schema

    require_current_schema(settings.database.url)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    asked = _platform(args.platform, settings)
    if asked == "all":
        return _serve(args, settings, ["slack", "discord"], optional=["discord"])
    args.user = None
    return _serve(args, settings, [asked])


def _platform(asked: str, settings: Settings) -> str:
    """``auto``: every platform whose secrets are set (Slack, Discord or both), else the console."""
    if asked != "auto":
        return asked
    secrets = settings.secrets
    slack = secrets.slack_bot_token is not None and (
        secrets.slack_app_token is not None or secrets.slack_signing_secret is not None
    )
    discord = secrets.discord_token is not None
    return "all" if slack and discord else "slack" if slack else "discord" if discord else "console"


def _slack(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from coachbot.adapters.slack.manifest import build_manifest
    from coachbot.app import build_registry
    from coachbot.knowledge.loader import default_knowledge

    manifest = build_manifest(build_registry(default_knowledge()), url=args.http)
    print(json.dumps(manifest, ensure_ascii=False, indent=2))
    return 0


def _discord(args: argparse.Namespace, settings: Settings) -> int:
    from coachbot.adapters.discord import cli

    if args.discord_cmd == "sync":
        if args.clear and not args.guild:
            print(
                "coachbot: --clear removes one server's commands: add --guild ID", file=sys.stderr
            )
            return 2
        return cli.sync(settings, args.guild, clear=args.clear)
    if args.discord_cmd == "commands":
        return cli.print_commands(settings, as_json=args.json)
    return cli.invite_url(settings)


_COMMANDS = {
    "ask": _ask,
    "migrate": _migrate,
    "chat": _chat,
    "run": _run,
    "discord": _discord,
    "slack": _slack,
}


if __name__ == "__main__":
    raise SystemExit(main())
