"""The scheduler: ONE APScheduler interval job that runs the tick for every subscriber.

A job per subscriber would hold every subscriber in memory and reload them all at
start-up; the tick instead asks the database's ``next_due_at`` index what is due, so
memory and start-up cost do not grow with the number of subscribers.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from coachbot.clock import Clock
from coachbot.delivery import DeliveryPort
from coachbot.scheduling.breaker import Breakers, ClockSeconds
from coachbot.scheduling.claim import ClaimConfig
from coachbot.scheduling.periodic import Outbox, Periodic, PeriodicJob
from coachbot.scheduling.pipeline import Composer, DeliveryPipeline, TickReport
from coachbot.scheduling.ratelimit import PlatformLimits, RateLimiter, Timer
from coachbot.scheduling.retry import RetryPolicy, Sender

if TYPE_CHECKING:
    from coachbot.services import Services

log = logging.getLogger(__name__)
MIN_INTERVAL = 0.25  # seconds of real time between ticks, however fast the clock runs
# How long a claim holds before another tick may send it again: short enough that a resend
# after a crash falls inside Discord's nonce de-duplication ("the past few minutes"), long
# enough for a batch to be sent (a process renews the leases of what it still holds).
LEASE = timedelta(minutes=2)
# Claims and tips of one batch name its ids in single statements: SQLite takes 32,766
# parameters at most.
MAX_BATCH = 20_000


def instance_name() -> str:
    """Who claims, in delivery rows: host, process and a random part (pids get reused)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class TickRunner:
    """One tick: the daily prompts, then whichever periodic job is due."""

    pipeline: DeliveryPipeline
    jobs: list[PeriodicJob] = field(default_factory=list)

    async def tick(self, now: datetime) -> TickReport:
        """Everything due at ``now``."""
        report = await self.pipeline.tick(now)
        for job in self.jobs:
            await job.maybe_run(now)
        return report


class Scheduler:
    """Runs ``tick(clock.now())`` every ``interval`` seconds of real time, one at a time."""

    def __init__(
        self, tick: Callable[[datetime], Awaitable[Any]], clock: Clock, interval: float
    ) -> None:
        self.tick, self.clock, self.interval = tick, clock, max(interval, MIN_INTERVAL)
        self._lock = asyncio.Lock()
        self._running: asyncio.Task[Any] | None = None
        self._scheduler: Any = None
        self._stopped = False

    def start(self) -> None:
        """Start ticking now (a first tick at once catches up after downtime)."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self._scheduler = AsyncIOScheduler()
        self._scheduler.add_job(
            self.run_once,
            "interval",
            seconds=self.interval,
            next_run_time=datetime.now().astimezone(),
            id="coachbot-tick",
            coalesce=True,
            max_instances=2,  # the second returns at once while a long tick runs
            misfire_grace_time=None,
        )
        self._scheduler.start()

    async def run_once(self) -> None:
        """One tick, unless one is already running or the scheduler stopped; errors are
        logged, never raised."""
        if self._stopped or self._lock.locked():
            return
        async with self._lock:
            self._running = asyncio.current_task()
            try:
                report = await self.tick(self.clock.now())
                log.debug("tick: %s", report)
            except asyncio.CancelledError:
                if not self._stopped:
                    raise
                log.debug("tick cancelled by stop(); its claimed rows are sent later")
            except Exception:
                log.exception("scheduler tick failed; the next tick retries")
            finally:
                self._running = None

    async def stop(self, grace: float = 0.0) -> None:
        """Stop ticking: none starts afterwards, and a tick in progress gets ``grace``
        seconds to finish before it is cancelled (safe: its rows stay claimed, and its
        transactions finish first)."""
        self._stopped = True
        running = self._running if self._running is not asyncio.current_task() else None
        if running is not None and grace > 0:
            # before APScheduler's shutdown, which cancels the job's task
            await asyncio.wait({running}, timeout=grace)
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if running is not None:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)


@dataclass(frozen=True)
class Outlets:
    """Where the scheduler sends: a port per platform, the limits each adapter declares, and
    the periodic jobs the features declare (the composition root gathers them)."""

    ports: Mapping[str, DeliveryPort]
    limits: Mapping[str, PlatformLimits] = field(default_factory=dict)
    jobs: Sequence[Periodic] = ()


def build_runner(
    services: Services,
    composer: Composer,
    outlets: Outlets,
    *,
    timer: Timer | None = None,
    instance: str | None = None,
    rng: random.Random | None = None,
) -> TickRunner:
    """The tick delivering through ``outlets``."""
    from coachbot.scheduling.ratelimit import RealTimer

    settings = services.settings.scheduler
    ports = outlets.ports
    limiter = RateLimiter(timer or RealTimer(), dict(outlets.limits), observer=services.observers)
    breakers = Breakers(ClockSeconds(services.clock), services.observers)
    sender = Sender(limiter, RetryPolicy(), rng or random.Random(), breakers)
    config = ClaimConfig(
        instance=instance or instance_name(),
        platforms=tuple(sorted(ports)),
        batch_size=max(1, min(settings.batch_size, MAX_BATCH)),
        catch_up=timedelta(hours=settings.catch_up_hours),
        lease=LEASE,
    )
    db = services.database()
    pipeline = DeliveryPipeline(db, services, ports, composer, sender, services.clock, config)
    return TickRunner(pipeline, Outbox(db, services, ports, sender).jobs(outlets.jobs))


def build_scheduler(
    services: Services, composer: Composer, outlets: Outlets, *, speed: float = 1.0
) -> Scheduler:
    """The scheduler of this process: one job, ticking every ``tick_seconds / speed``."""
    runner = build_runner(services, composer, outlets)
    interval = services.settings.scheduler.tick_seconds / speed
    return Scheduler(runner.tick, services.clock, interval)
