"""The scheduler's other jobs, on their own cadence: snoozed prompts, weekly recaps and
digests, mentor alerts. Each feature (``coachbot.prompts.jobs``, ``coachbot.mentors.jobs``)
declares its jobs as ``Periodic`` values that the composition root hands the scheduler,
the way it hands the pipeline a ``Composer``: the engine imports no feature. A job
decides what is due and records it exactly once; the ``Outbox`` sends what it returns
through the same ports, limiter and retry policy as the daily prompts."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from coachbot.delivery import DeliveryPort, DeliveryTarget
from coachbot.reply import Reply
from coachbot.scheduling.pipeline import finish
from coachbot.scheduling.retry import Result, Sender, SendOutcome

if TYPE_CHECKING:
    from coachbot.db.engine import Database
    from coachbot.services import Services

log = logging.getLogger(__name__)
T = TypeVar("T")
ROUNDS = 50  # producers return a page at a time; a run takes at most this many pages


@dataclass(frozen=True)
class Periodic:
    """A job a feature declares: ``run(outbox, now)`` at most once every ``every`` of bot
    time (``timedelta(0)``: every tick)."""

    name: str
    every: timedelta
    run: Callable[[Outbox, datetime], Awaitable[None]]


@dataclass
class PeriodicJob:
    """``run(now)`` at most once every ``every`` of bot time (the first tick runs it)."""

    name: str
    every: timedelta
    run: Callable[[datetime], Awaitable[None]]
    last: datetime | None = None

    async def maybe_run(self, now: datetime) -> None:
        """Run if due by the bot's clock (``TickRunner`` asks every tick)."""
        if self.last is None or now - self.last >= self.every:
            await self.run_now(now)

    async def run_now(self, now: datetime) -> None:
        """Run (APScheduler's cadence says it is time); a failure is logged and retried on
        the next period. Producers record what they hand out once, so an extra run sends
        nothing twice."""
        self.last = now
        try:
            await self.run(now)
        except Exception:
            log.exception("scheduled job %s failed", self.name)


@dataclass
class Outbox:
    """Sends what the jobs return, for the platforms this process serves."""

    db: Database
    services: Services
    ports: Mapping[str, DeliveryPort]
    sender: Sender

    @property
    def platforms(self) -> tuple[str, ...]:
        """The platforms this process has a port for: producers hand out only their messages,
        and leave the others' to the processes that serve them."""
        return tuple(sorted(self.ports))

    async def send(self, target: DeliveryTarget, reply: Reply, nonce: str) -> SendOutcome:
        """Send one message; a platform this process has no port for is a permanent failure."""
        port = self.ports.get(target.person.platform)
        if port is None:
            return SendOutcome(Result.PERMANENT, 0, error="no delivery port in this process")
        return await self.sender.send(port, target, reply, nonce)

    async def in_transaction(self, work: Callable[..., Awaitable[T]]) -> T:
        """``work(session=...)`` in a transaction of its own, finished even when the tick is
        cancelled meanwhile (at shutdown): a statement cut off half-way would leave its
        connection to be torn down, which can hang the process's exit."""

        async def run() -> T:
            async with self.db.session() as session:
                return await work(session=session)

        return await finish(run())

    def jobs(self, declared: Sequence[Periodic]) -> list[PeriodicJob]:
        """The ``declared`` jobs, each sending through this outbox."""
        return [PeriodicJob(job.name, job.every, partial(job.run, self)) for job in declared]


async def send_all(calls: Iterable[Awaitable[object]]) -> None:
    """Run ``calls`` together; one failing does not stop the others."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, Exception):
            log.error("a scheduled message failed: %r", result)


def nonce(*parts: str) -> str:
    """A stable nonce for a message the jobs send (the same parts, the same nonce)."""
    return hashlib.blake2b(":".join(parts).encode(), digest_size=12).hexdigest()
