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
    run.add_argument("--platform", choices=["auto", "console"], default="auto")
    chat = sub.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--user", help="acting user name (switch later with /as NAME)")
    ask = sub.add_parser("ask", help="answer one free question and exit")
    ask.add_argument("--lang", choices=["fr", "en"], help="reply language (default: from config)")
    ask.add_argument("question", nargs="+")
    sub.add_parser("migrate", help="apply database migrations")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from coachbot.knowledge.loader import ContentError
    from coachbot.settings import SettingsError, config_path, load_settings

    try:
        settings = load_settings(config_path(args.config))
        return _COMMANDS[args.cmd](args, settings)
    except (SettingsError, ContentError) as exc:
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
        PersonRef("console", "local", "cli"), ("cto", "ask"), {"question": question}, args.lang
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


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from coachbot.adapters.console import run_console
    from coachbot.app import build_app

    async def session() -> int:
        app = build_app(settings)
        try:
            return await run_console(app, args.user or settings.console.user)
        finally:
            await app.close()

    return asyncio.run(session())


def _run(args: argparse.Namespace, settings: Settings) -> int:
    args.user = None
    return _chat(args, settings)


_COMMANDS = {"ask": _ask, "migrate": _migrate, "chat": _chat, "run": _run}


if __name__ == "__main__":
    raise SystemExit(main())
