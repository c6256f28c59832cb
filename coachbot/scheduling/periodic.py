"""The scheduler's other jobs, on their own cadence: snoozed prompts, weekly recaps and
digests, mentor alerts. Each producer (in ``coachbot.prompts`` and ``coachbot.mentors``)
decides what is due and records it exactly once; these jobs send what it returns
through the same ports, limiter and retry policy as the daily prompts."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from coachbot.delivery import DeliveryPort, DeliveryTarget
from coachbot.i18n import parse_lang
from coachbot.reply import Reply
from coachbot.scheduling.pipeline import finish
from coachbot.scheduling.retry import Result, Sender, SendOutcome

if TYPE_CHECKING:
    from coachbot.db.engine import Database
    from coachbot.prompts.deliveries import DueSnooze
    from coachbot.services import Services

log = logging.getLogger(__name__)
T = TypeVar("T")
ROUNDS = 50  # producers return a page at a time; a run takes at most this many pages


@dataclass
class PeriodicJob:
    """``run(now)`` at most once every ``every`` of bot time (the first tick runs it)."""

    name: str
    every: timedelta
    run: Callable[[datetime], Awaitable[None]]
    last: datetime | None = None

    async def maybe_run(self, now: datetime) -> None:
        """Run if due; a failure is logged and retried on the next period."""
        if self.last is not None and now - self.last < self.every:
            return
        self.last = now
        try:
            await self.run(now)
        except Exception:
            log.exception("scheduled job %s failed", self.name)


@dataclass
class Outbox:
    """Sends what the producers return, for the platforms this process serves."""

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

    async def _in_transaction(self, work: Callable[..., Awaitable[T]]) -> T:
        """``work(session=...)`` in a transaction of its own, finished even when the tick is
        cancelled meanwhile (at shutdown): a statement cut off half-way would leave its
        connection to be torn down, which can hang the process's exit."""

        async def run() -> T:
            async with self.db.session() as session:
                return await work(session=session)

        return await finish(run())

    async def snoozes(self, now: datetime) -> None:
        """Send snoozed prompts whose time has come again."""
        from coachbot.prompts.compose import prompt_reply
        from coachbot.prompts.deliveries import due_snoozes, snooze_sent

        for _ in range(ROUNDS):
            due = await self._in_transaction(
                partial(due_snoozes, now=now, platforms=self.platforms)
            )
            if not due:
                return

            async def one(item: DueSnooze) -> None:
                reply = prompt_reply(self.services.kb, item.tip_id, item.language, item.delivery_id)
                outcome = await self.send(item.target, reply, item.nonce)
                if outcome.result is not Result.LATER:  # sent, or it never can be
                    await self._in_transaction(partial(snooze_sent, delivery_id=item.delivery_id))

            await _all(one(item) for item in due)

    async def weekly(self, now: datetime) -> None:
        """Send the weekly recaps and digests that are due."""
        from coachbot.prompts.recap import due_weekly_messages, mark_weekly_failed, mark_weekly_sent

        for _ in range(ROUNDS):
            due = await self._in_transaction(
                partial(
                    due_weekly_messages, services=self.services, now=now, platforms=self.platforms
                )
            )
            if not due:
                return

            async def one(target: DeliveryTarget, reply: Reply, message_id: int) -> None:
                outcome = await self.send(target, reply, _nonce("weekly", str(message_id)))
                if outcome.result is Result.SENT:
                    await self._in_transaction(
                        partial(mark_weekly_sent, message_id=message_id, now=now)
                    )
                else:
                    await self._in_transaction(partial(mark_weekly_failed, message_id=message_id))

            await _all(one(*item) for item in due)

    async def mentor_alerts(self, now: datetime) -> None:
        """Send the mentor alerts that are due (each is recorded once by its producer)."""
        from coachbot.mentors.alerts import due_mentor_alerts

        settings = self.services.settings.bot
        due = await self._in_transaction(
            partial(
                due_mentor_alerts,
                kb=self.services.kb,
                now=now,
                default_timezone=settings.default_timezone,
                platforms=self.platforms,
                default_language=parse_lang(settings.default_language) or "fr",
            )
        )
        stamp = now.isoformat()
        await _all(
            self.send(DeliveryTarget(ref), reply, _nonce("alert", str(ref), stamp, str(i)))
            for i, (ref, reply) in enumerate(due)
        )

    def jobs(self) -> list[PeriodicJob]:
        """The jobs whose producers exist in this code base, with their cadence."""
        wanted = [
            ("snoozes", timedelta(0), "coachbot.prompts.deliveries", self.snoozes),
            ("weekly", timedelta(minutes=15), "coachbot.prompts.recap", self.weekly),
            ("mentor_alerts", timedelta(hours=1), "coachbot.mentors.alerts", self.mentor_alerts),
        ]
        return [
            PeriodicJob(name, every, run) for name, every, module, run in wanted if _has(module)
        ]


async def _all(calls: Iterable[Awaitable[object]]) -> None:
    """Run ``calls`` together; one failing does not stop the others."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, Exception):
            log.error("a scheduled message failed: %r", result)


def _nonce(*parts: str) -> str:
    return hashlib.blake2b(":".join(parts).encode(), digest_size=12).hexdigest()


def _has(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None
