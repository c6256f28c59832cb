"""The ``coachbot`` command line. Imports are lazy: ``coachbot ask`` loads no database or chat library."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coachbot.settings import Settings

# Ticks never come closer than 0.25 s of real time; beyond this speed, that is more than
# 40 minutes of bot time and prompts would arrive visibly late.
MAX_CLOCK_SPEED = 10_000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coachbot", description="A career coach about the CTO role."
    )
    parser.add_argument(
        "--config", help="settings file (default: config.toml, else config.example.toml)"
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser(
        "run", help="run the bot: Discord/Slack when their tokens are set, else the console"
    )
    run.add_argument(
        "--platform", choices=["auto", "console", "discord", "slack", "all"], default="auto"
    )
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
    shown = actions.add_parser("commands", help="print the commands `sync` would upload")
    shown.add_argument("--json", action="store_true", help="the exact JSON payload")
    actions.add_parser("invite-url", help="print the URL that adds the bot to a server")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from coachbot.errors import SchemaNotReady
    from coachbot.knowledge.loader import ContentError
    from coachbot.settings import SettingsError, config_path, load_settings

    try:
        settings = load_settings(config_path(args.config))
        return _COMMANDS[args.cmd](args, settings)
    except (SettingsError, ContentError, SchemaNotReady) as exc:
        print(f"coachbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


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
    from coachbot.adapters.console import run_console
    from coachbot.app import build_app, build_scheduler
    from coachbot.clock import ScaledClock
    from coachbot.scheduling.console_delivery import ConsoleDelivery
    from coachbot.scheduling.scheduler import register_port

    speed = getattr(args, "clock_speed", 1.0)
    if speed != 1:
        settings = _scratch_database(settings)
    else:
        _require_schema(settings)

    async def session() -> int:
        app = build_app(settings, clock=ScaledClock(speed) if speed != 1 else None)
        register_port(app.services, ConsoleDelivery(app.services))
        scheduler = build_scheduler(app, speed=speed)
        if scheduler is not None:
            scheduler.start()
        try:
            return await run_console(app, args.user or settings.console.user)
        finally:
            if scheduler is not None:
                await scheduler.stop()
            await app.close()

    return asyncio.run(session())


def _scratch_database(settings: Settings) -> Settings:
    """Settings on a new, migrated SQLite file: an accelerated clock writes future dates,
    which must never reach the real database (they would mark real days as done)."""
    import tempfile
    from dataclasses import replace

    from coachbot.db.migrate import upgrade
    from coachbot.settings import DatabaseSettings

    folder = Path(tempfile.mkdtemp(prefix="coachbot-clock-"))
    url = f"sqlite+aiosqlite:///{folder / 'demo.db'}"
    upgrade(url)
    print(f"(accelerated clock: using a scratch database in {folder}; yours is untouched)")
    return replace(settings, database=DatabaseSettings(url=url))


def _require_schema(settings: Settings) -> None:
    """Stop with the fix (``coachbot migrate``) when the database is not migrated (each
    runner calls it once its platform's secrets are checked)."""
    from coachbot.db.migrate import require_current_schema

    require_current_schema(settings.database.url)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    platform = _platform(args.platform, settings)
    if platform in ("slack", "all"):
        return _run_slack(args, settings, with_discord=platform == "all")
    if platform == "discord":
        from coachbot.adapters.discord.cli import run

        return run(settings)
    args.user = None
    return _chat(args, settings)


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


def _run_slack(args: argparse.Namespace, settings: Settings, *, with_discord: bool) -> int:
    from coachbot.adapters.slack.run import serve_slack, use_http

    http = use_http(settings, forced=args.http or args.port is not None)
    _require_schema(settings)  # after the secrets: a missing token is the first thing to fix
    if with_discord and _has_discord():
        from coachbot.adapters.slack.with_discord import serve_all

        return asyncio.run(serve_all(settings, http=http, port=args.port))
    if with_discord:
        logging.getLogger("coachbot").warning("no Discord adapter here: running Slack only")
    return asyncio.run(serve_slack(settings, http=http, port=args.port))


def _has_discord() -> bool:
    import importlib.util

    return importlib.util.find_spec("coachbot.adapters.discord.cli") is not None


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
        return cli.sync(settings, args.guild)
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
