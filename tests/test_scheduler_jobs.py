"""APScheduler runs the engine's periodic jobs (the tick, snoozes, weekly messages, mentor
alerts), each its own coalesced job with a misfire grace, one at a time in the process."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from coachbot.adapters.console.platform import ConsolePlatform
from coachbot.app import build_app, build_scheduler
from coachbot.clock import FakeClock
from coachbot.scheduling.scheduler import Job, Scheduler
from coachbot.settings import Settings


@pytest.mark.parametrize("speed", [1, 60])
async def test_each_periodic_job_is_an_apscheduler_job_that_coalesces(
    settings: Settings, speed: int
) -> None:
    app = build_app(settings)
    scheduler = build_scheduler(app, [ConsolePlatform(app, "alice")], speed=speed)
    assert scheduler is not None
    scheduler.start()
    try:
        jobs = {job.id: job for job in scheduler._scheduler.get_jobs()}
    finally:
        await scheduler.stop()
        await app.close()
    every = {name: seconds / speed for name, seconds in EXPECTED.items()}
    assert {
        i.removeprefix("coachbot-"): j.trigger.interval.total_seconds() for i, j in jobs.items()
    } == every
    assert all(job.coalesce for job in jobs.values())
    grace = {i.removeprefix("coachbot-"): j.misfire_grace_time for i, j in jobs.items()}
    assert grace == {name: max(1, round(seconds)) for name, seconds in every.items()}


EXPECTED = {"tick": 60.0, "snoozes": 60.0, "weekly": 900.0, "mentor_alerts": 3600.0}


async def test_jobs_run_one_at_a_time_and_a_busy_job_is_not_stacked(clock: FakeClock) -> None:
    ran: list[str] = []
    release = asyncio.Event()

    async def tick(now: datetime) -> None:
        ran.append("tick")
        await release.wait()

    async def weekly(now: datetime) -> None:
        ran.append("weekly")

    scheduler = Scheduler(tick, clock, 60, [Job("weekly", 900, weekly)])
    tick_job, weekly_job = scheduler.jobs
    first = asyncio.create_task(scheduler.run_job(tick_job))
    await asyncio.sleep(0)
    waiting = asyncio.create_task(scheduler.run_job(weekly_job))
    await scheduler.run_job(tick_job)  # still running: returns at once, not queued
    await asyncio.sleep(0)
    assert ran == ["tick"] and not waiting.done()
    release.set()
    await asyncio.wait_for(asyncio.gather(first, waiting), timeout=5)
    assert ran == ["tick", "weekly"]
    await scheduler.stop()
