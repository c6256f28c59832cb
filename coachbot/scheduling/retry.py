"""Sending one message with the platform's rules: rate limits, retry-after, backoff, give-up.

A 429 blocks the buckets for its retry-after and tries again; a transient failure (5xx,
timeout) waits an exponentially growing, jittered delay; a permanent failure stops at
once. Every wait is bounded, so one delivery never holds the pipeline for long: what
cannot be sent now stays claimed and a later tick retries it.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from coachbot.delivery import (
    DeliveryPort,
    DeliveryTarget,
    PermanentFailure,
    RateLimited,
    TransientFailure,
)
from coachbot.reply import Reply
from coachbot.scheduling.breaker import Breakers
from coachbot.scheduling.ratelimit import RateLimiter

log = logging.getLogger(__name__)
MAX_ERROR = 200


class Result(StrEnum):
    """How a send ended."""

    SENT = "sent"
    PERMANENT = "permanent"  # retrying cannot help
    LATER = "later"  # gave up for now; the row stays claimed and a later tick retries


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before leaving a message to a later tick."""

    transient_attempts: int = 5
    rate_limited_attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 60.0  # a longer wait comes back as another 429

    def backoff(self, failures: int, rng: random.Random) -> float:
        """Seconds to wait after ``failures`` transient failures: exponential, half jittered."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (failures - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class SendOutcome:
    """What happened to one message, and how many requests it took."""

    result: Result
    attempts: int
    message_id: str | None = None
    error: str | None = None

    @property
    def held(self) -> bool:
        """Nothing was even tried (the platform's circuit breaker is open): not a failure
        of this message, which waits for a later run as it was."""
        return self.result is Result.LATER and self.attempts == 0


@dataclass
class Sender:
    """Sends through a port under the limiter, the platform's circuit breaker and the retry
    policy (the breakers default to the limiter's timer and observer)."""

    limiter: RateLimiter
    policy: RetryPolicy
    rng: random.Random
    breakers: Breakers | None = None

    def __post_init__(self) -> None:
        if self.breakers is None:
            self.breakers = Breakers(self.limiter.timer, self.limiter.observer)

    async def send(
        self,
        port: DeliveryPort,
        target: DeliveryTarget,
        reply: Reply,
        nonce: str,
        before_attempt: Callable[[], Awaitable[None]] | None = None,
        proceed: Callable[[], bool] | None = None,
    ) -> SendOutcome:
        """Try until sent, permanently refused, or out of patience (see ``RetryPolicy``);
        every request the port makes waits for its slot in the limiter (the first here,
        the others through ``pace``); ``before_attempt`` runs before each attempt (the
        pipeline renews its lease there). When ``proceed()`` turns false (the process is
        stopping), the next attempt is not made: a ``held`` outcome if none was."""
        keys = self.limiter.keys(target)

        async def pace() -> None:  # each further request of the send: opening a DM, a part
            await self.limiter.acquire(keys)

        assert self.breakers is not None
        breaker = self.breakers.of(port.platform)
        transient = limited = attempts = 0
        while True:
            if before_attempt is not None:  # before the slot: nothing between it and the request
                await before_attempt()
            await self.limiter.acquire(keys)
            if proceed is not None and not proceed():
                return SendOutcome(Result.LATER, attempts, error="the process is stopping")
            if not breaker.admit():  # a storm: this prompt waits for a later tick, unsent
                return SendOutcome(Result.LATER, attempts, error=f"{port.platform} circuit open")
            attempts += 1
            try:
                sent = await port.send(target, reply, nonce=nonce, pace=pace)
            except PermanentFailure as exc:
                breaker.answered()
                return SendOutcome(Result.PERMANENT, attempts, error=_describe(exc))
            except RateLimited as exc:
                breaker.answered()
                limited += 1
                if limited >= self.policy.rate_limited_attempts:
                    return SendOutcome(Result.LATER, attempts, error=_describe(exc))
                self.limiter.block(keys, min(exc.retry_after, self.policy.max_retry_after))
            except TransientFailure as exc:
                breaker.failed()
                transient += 1
                if transient >= self.policy.transient_attempts or breaker.stopped:
                    return SendOutcome(Result.LATER, attempts, error=_describe(exc))
                await self.limiter.timer.sleep(self.policy.backoff(transient, self.rng))
            except Exception as exc:  # a bug in an adapter must not stop the other deliveries
                breaker.abandoned()
                log.exception("delivery port %s failed unexpectedly", port.platform)
                return SendOutcome(Result.LATER, attempts, error=_describe(exc))
            except BaseException:  # cancelled: a probe it held goes to the next send
                breaker.abandoned()
                raise
            else:
                breaker.answered()
                return SendOutcome(Result.SENT, attempts, message_id=sent.message_id)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
