"""Render every picture in both languages through the real commands, to look at them.

``python -m benchmarks.pictures OUT_DIR`` writes ``<picture>-<n>-<lang>.png`` and prints each
file's alt text: a learner with ten ratings over four months (overview, history), her
mentor's view, the salary grid, and a learner with two ratings. Not a benchmark: it lives
here because it drives the bot the way the benchmarks do.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from coachbot.app import App, build_app
from coachbot.clock import FakeClock
from coachbot.db.migrate import upgrade
from coachbot.reply import Image
from coachbot.settings import DatabaseSettings, load_settings
from tests.chat import ChatBot

ROOT = Path(__file__).resolve().parent.parent
STEPS = [
    ("security", 1), ("leadership", 2), ("budget", 1), ("english", 3), ("vision", 2),
    ("security", 2), ("networks_systems", 3), ("english", 4), ("security", 3), ("leadership", 3),
]  # fmt: skip
SHOTS = {
    "overview": ("alice", "/progress show"),
    "mentor": ("bob", "/mentor view user:@alice"),
    "history": ("alice", "/progress history skill:security"),
    "salary": ("alice", "/cto salary"),
    "two-ratings": ("newbie", "/progress show"),
}


async def _story(bot: ChatBot, clock: FakeClock) -> None:
    """alice rates and logs over four months with bob as mentor; newbie rates twice."""
    await bot.as_("alice").say("/mentor request user:@bob")
    await bot.as_("bob").say("/mentor accept user:@alice")
    for i, (skill, level) in enumerate(STEPS):
        await bot.as_("alice").say(f"/progress rate skill:{skill} level:{level}")
        if i % 3 == 0:
            await bot.say("/progress log skill:security note:ran the incident review")
        clock.advance(timedelta(days=13))
    await bot.say("/progress goal skill:security level:4")
    await bot.as_("newbie").say("/progress rate skill:security level:2")
    await bot.say("/progress rate skill:leadership level:3")


async def _shoot(bot: ChatBot, out: Path) -> None:
    for lang in ("en", "fr"):
        for user in ("alice", "bob", "newbie"):
            await bot.as_(user).say(f"/coach language {lang}")
        for name, (user, line) in SHOTS.items():
            reply = await bot.as_(user).reply(line)
            for i, block in enumerate(b for b in reply.blocks if isinstance(b, Image)):
                (out / f"{name}-{i}-{lang}.png").write_bytes(block.data)
                print(f"{name}-{i}-{lang}.png | {block.alt}")


async def main(out: Path) -> None:
    """Tell the story on a scratch database, then render every picture in both languages."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/pictures.db"
        await asyncio.to_thread(upgrade, url)
        base = load_settings(ROOT / "config.example.toml", env={})
        console = replace(base.console, charts_dir=tmp)
        settings = replace(base, database=DatabaseSettings(url=url), console=console)
        clock = FakeClock(datetime(2026, 8, 1, 9, tzinfo=UTC))
        app: App = build_app(settings, clock=clock)
        try:
            await _story(ChatBot(app), clock)
            await _shoot(ChatBot(app), out)
        finally:
            await app.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1] if len(sys.argv) > 1 else "pictures")))
