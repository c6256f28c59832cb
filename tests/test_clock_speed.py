"""The console runs the real scheduler: prompts arrive in the terminal, and an accelerated
clock shows a week of them in minutes (virtual minutes here: nothing sleeps but the one
end-to-end run of ``coachbot chat``, which waits for its first prompt)."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from coachbot.adapters.console.platform import ConsolePlatform
from coachbot.app import build_app, build_scheduler
from coachbot.cli import main
from coachbot.clock import FakeClock, ScaledClock
from coachbot.db.migrate import upgrade
from coachbot.knowledge.models import KnowledgeBase
from coachbot.scheduling.scheduler import MIN_INTERVAL
from coachbot.settings import Settings
from tests.chat import ChatBot

ROOT = Path(__file__).resolve().parent.parent


async def test_a_week_of_prompts_in_under_three_real_hours_at_60x(
    settings: Settings, kb: KnowledgeBase
) -> None:
    await asyncio.to_thread(upgrade, settings.database.url)
    real = FakeClock(datetime(2026, 3, 1, 22, tzinfo=UTC))  # Sunday night in Paris
    app = build_app(settings, clock=ScaledClock(60, base=real), kb=kb)
    out = io.StringIO()
    console = ConsolePlatform(app, "alice", stdin=io.StringIO(), stdout=out)
    bot = ChatBot(app)
    await bot.say("/coach subscribe time:08:30 days:mon-fri language:en", locale="en")
    scheduler = build_scheduler(app, [console], speed=60)
    assert scheduler is not None and scheduler.interval == 1.0  # 60 s of bot time
    for _ in range(7 * 24):  # a tick each real minute = each bot hour (prompts come late,
        real.advance(timedelta(minutes=1))  # within the catch-up window)
        await scheduler.run_once()
    await app.close()
    messages = out.getvalue().split("── scheduled message for alice ──")[1:]
    prompts = [m for m in messages if "Tip of the day" in m]
    assert len(prompts) == 5  # Monday to Friday, none at the weekend
    assert all("[1] Done" in p for p in prompts)
    assert len([m for m in messages if "Your week" in m]) == 1  # Friday's weekly recap


def test_the_tick_interval_follows_the_clock_speed(settings: Settings) -> None:
    app = build_app(settings)
    console = [ConsolePlatform(app, "alice")]
    assert (scheduler := build_scheduler(app, console, speed=1)) and scheduler.interval == 60
    assert (scheduler := build_scheduler(app, console, speed=120)) and scheduler.interval == 0.5
    fastest = build_scheduler(app, console, speed=10_000)
    assert fastest is not None and fastest.interval == MIN_INTERVAL
    off = replace(settings, scheduler=replace(settings.scheduler, enabled=False))
    assert build_scheduler(build_app(off), console) is None
    assert build_scheduler(build_app(settings, with_database=False), console) is None


async def test_no_tick_starts_once_the_scheduler_is_stopped(clock: FakeClock) -> None:
    from coachbot.scheduling.scheduler import Scheduler

    ticks = []

    async def tick(now: datetime) -> None:
        ticks.append(now)

    scheduler = Scheduler(tick, clock, interval=60)
    await scheduler.run_once()
    await scheduler.stop()
    await scheduler.run_once()  # a run APScheduler had already handed out
    assert ticks == [clock.now()]


async def test_a_tick_cancelled_by_stop_ends_quietly(clock: FakeClock, caplog) -> None:  # type: ignore[no-untyped-def]
    from coachbot.scheduling.scheduler import Scheduler

    started = asyncio.Event()

    async def slow_tick(now: datetime) -> None:
        started.set()
        await asyncio.Event().wait()  # until cancelled

    scheduler = Scheduler(slow_tick, clock, interval=60)
    running = asyncio.create_task(scheduler.run_once())
    await started.wait()
    await scheduler.stop()
    assert running.done() and not running.cancelled() and running.exception() is None
    assert "Traceback" not in caplog.text and not [
        r for r in caplog.records if r.levelname == "ERROR"
    ]


def test_clock_speed_is_checked(capsys) -> None:  # type: ignore[no-untyped-def]
    for bad in ("0", "fast", "20000"):
        try:
            main(["chat", "--clock-speed", bad])
        except SystemExit as exc:
            assert exc.code == 2
    assert "expected a number from 1 to 10000" in capsys.readouterr().err


def test_coachbot_chat_delivers_prompts_from_the_real_scheduler(tmp_path: Path) -> None:
    # An accelerated clock runs on a scratch database: subscribe in the session itself. At
    # 10,000x a day of the bot's time passes in under 9 real seconds, so the first daily
    # prompt comes whatever the time of day.
    env = {"COACHBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", "PATH": ""}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")  # this checkout's coachbot
    with (tmp_path / "stderr.txt").open("w") as errors:  # a file: a full pipe would block it
        process = subprocess.Popen(
            [sys.executable, "-m", "coachbot", "chat", "--clock-speed", "10000"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            cwd=tmp_path,
            env=env,
        )
    seen: list[str] = []
    arrived = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            seen.append(line)
            if "[1] Done" in line:
                arrived.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert process.stdin is not None
    process.stdin.write("/coach subscribe time:12:00 timezone:UTC days:mon-sun language:en\n")
    process.stdin.flush()
    try:
        in_time = arrived.wait(timeout=60)
    finally:
        process.stdin.close()  # end of input: the session ends, the scheduler stops
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    text = "".join(seen)
    assert in_time, text + (tmp_path / "stderr.txt").read_text()
    assert "── scheduled message for me ──" in text
    assert process.returncode == 0, (tmp_path / "stderr.txt").read_text()
    assert "Traceback" not in (tmp_path / "stderr.txt").read_text()  # a quiet shutdown
