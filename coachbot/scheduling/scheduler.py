"""The scheduler: APScheduler runs the engine's periodic jobs (the tick, snoozed prompts,
weekly messages, mentor alerts), each as ONE interval job for every subscriber.

A job per subscriber would hold every subscriber in memory and reload them all at
start-up; the tick instead asks the database's ``next_due_at`` index what is due, so
memory and start-up cost do not grow with the number of subscribers (docs/delivery.md
says why else).
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import random
import secrets
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from coachbot.clock import Clock
from coachbot.delivery import DeliveryPort
from coachbot.scheduling.breaker import Breakers, ClockSeconds
from coachbot.scheduling.claim import ClaimConfig
from coachbot.scheduling.periodic import Outbox, Periodic, PeriodicJob
from coachbot.scheduling.pipeline import Composer, DeliveryPipeline, TickReport
from coachbot.scheduling.ratelimit import PlatformLimits, RateLimiter, Timer, share_of
from coachbot.scheduling.retry import RetryPolicy, Sender

if TYPE_CHECKING:
    from coachbot.services import Services

log = logging.getLogger(__name__)
MIN_INTERVAL = 0.25  # seconds of real time between ticks, however fast the clock runs
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


class Holder(Protocol):
    """What holds delivery rows between ticks (the pipeline): told to take no new work when
    the process stops, then to hand back what it holds."""

    def drain(self) -> None: ...

    async def release(self) -> int: ...


@dataclass(frozen=True)
class Job:
    """One of the engine's periodic jobs as APScheduler runs it: ``run(now)`` every
    ``every`` seconds of real time."""

    name: str
    every: float
    run: Callable[[datetime], Awaitable[Any]]


class Scheduler:
    """Runs the tick every ``interval`` seconds of real time, and each of ``jobs`` on its
    own cadence, as APScheduler jobs: coalesced (runs missed while the process was busy or
    asleep become one), dropped when later than their own period (the next run is as
    good), and one job at a time in this process (they share the database and the
    limiter); a run that comes while the same job is still running or waiting returns at
    once."""

    def __init__(
        self,
        tick: Callable[[datetime], Awaitable[Any]],
        clock: Clock,
        interval: float,
        jobs: Sequence[Job] = (),
        held: Holder | None = None,
    ) -> None:
        self.clock, self.interval = clock, max(interval, MIN_INTERVAL)
        self.held = held
        self.jobs = [Job("tick", self.interval, tick), *jobs]
        self._lock = asyncio.Lock()
        self._waiting: set[str] = set()  # jobs running or waiting for the lock
        self._running: asyncio.Task[Any] | None = None
        self._scheduler: Any = None
        self._stopped = False

    def start(self) -> None:
        """Start every job now (a first tick at once catches up after downtime)."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self._scheduler = AsyncIOScheduler()
        first = datetime.now().astimezone()
        for job in self.jobs:
            self._scheduler.add_job(
                self.run_job,
                "interval",
                args=[job],
                seconds=job.every,
                next_run_time=first,
                id=f"coachbot-{job.name}",
                coalesce=True,
                max_instances=2,  # the second returns at once while a long run goes on
                misfire_grace_time=max(1, math.ceil(job.every)),
            )
        self._scheduler.start()

    async def run_once(self) -> None:
        """Run every job once, the tick first (what APScheduler does at start-up; tests
        drive the scheduler with it)."""
        for job in self.jobs:
            await self.run_job(job)

    async def run_job(self, job: Job) -> None:
        """One run of ``job`` after the one in progress, unless it is already running or
        waiting, or the scheduler stopped; errors are logged, never raised."""
        if self._stopped or job.name in self._waiting:
            return
        self._waiting.add(job.name)
        try:
            async with self._lock:
                if not self._stopped:
                    await self._run(job)
        except asyncio.CancelledError:
            if not self._stopped:
                raise
            log.debug(
                "%s was waiting its turn when stop() came; it runs in the next process", job.name
            )
        finally:
            self._waiting.discard(job.name)

    async def _run(self, job: Job) -> None:
        self._running = asyncio.current_task()
        try:
            report = await job.run(self.clock.now())
            log.debug("%s: %s", job.name, report)
        except asyncio.CancelledError:
            if not self._stopped:
                raise
            log.debug("%s cancelled by stop(); its claimed rows are sent later", job.name)
        except Exception:
            log.exception("scheduled job %s failed; its next run retries", job.name)
        finally:
            self._running = None

    async def stop(self, grace: float = 0.0) -> None:
        """Stop: no run starts afterwards; the run in progress takes no new work and gets
        ``grace`` seconds to finish the requests it started before it is cancelled (its
        transactions finish first); then what it still holds unsent is handed back."""
        self._stopped = True
        if self.held is not None:
            self.held.drain()
        await self._end_running(grace)
        if self.held is not None:
            await self._release(self.held)

    @staticmethod
    async def _release(held: Holder) -> None:
        try:
            await held.release()
        except Exception as exc:  # the leases end on their own: the rows are not lost
            log.warning(
                "could not hand back held prompts (%s); they are sent after their lease ends",
                type(exc).__name__,
            )

    async def _end_running(self, grace: float) -> None:
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
    limits = {name: share_of(limit, settings.senders) for name, limit in outlets.limits.items()}
    limiter = RateLimiter(timer or RealTimer(), limits, observer=services.observers)
    breakers = Breakers(ClockSeconds(services.clock), services.observers)
    sender = Sender(limiter, RetryPolicy(), rng or random.Random(), breakers)
    config = ClaimConfig(
        instance=instance or instance_name(),
        platforms=tuple(sorted(ports)),
        batch_size=max(1, min(settings.batch_size, MAX_BATCH)),
        catch_up=timedelta(hours=settings.catch_up_hours),
        lease=timedelta(seconds=settings.lease_seconds),
    )
    db = services.database()
    pipeline = DeliveryPipeline(db, services, ports, composer, sender, services.clock, config)
    return TickRunner(pipeline, Outbox(db, services, ports, sender).jobs(outlets.jobs))


def build_scheduler(
    services: Services, composer: Composer, outlets: Outlets, *, speed: float = 1.0
) -> Scheduler:
    """The scheduler of this process: the tick every ``tick_seconds / speed``, and each
    periodic job the features declare every ``every / speed`` (at least a tick)."""
    runner = build_runner(services, composer, outlets)
    interval = max(services.settings.scheduler.tick_seconds / speed, MIN_INTERVAL)
    jobs = periodic(runner, interval, speed)
    return Scheduler(runner.pipeline.tick, services.clock, interval, jobs, runner.pipeline)


def periodic(runner: TickRunner, interval: float, speed: float) -> list[Job]:
    """``runner``'s periodic jobs as APScheduler jobs, each every ``every`` of bot time
    (in real seconds at ``speed``), none more often than the tick."""
    return [
        Job(job.name, max(job.every.total_seconds() / speed, interval), job.run_now)
        for job in runner.jobs
    ]
