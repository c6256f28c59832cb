"""Token buckets per platform, so the scheduler never sends faster than a platform accepts.

Buckets use the GCRA form of a token bucket (a "theoretical arrival time"), which gives
each caller a reserved slot: waiters are served in order and never wake in a herd. Time
comes from an injected ``Timer``, so tests run on virtual time and never sleep.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from coachbot.delivery import DeliveryTarget
from coachbot.observe import Observer

# Stay a little under each platform's published limit: our clock and theirs disagree by a
# few milliseconds, and a 429 costs far more than 3% of throughput.
HEADROOM = 0.97
IDLE_BUCKETS_KEPT = 10_000


class Timer(Protocol):
    """Monotonic seconds and a way to wait for them."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealTimer:
    """The process's monotonic clock and ``asyncio.sleep``."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin, never going back."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of real time."""
        await asyncio.sleep(seconds)


class VirtualTimer:
    """Virtual time for tests and simulations: sleepers wake in the order of their wake-up
    times, each moving the clock to its own, with no real waiting."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.slept: list[float] = []
        self._sleepers: list[tuple[float, int]] = []
        self._count = itertools.count()

    def monotonic(self) -> float:
        """The virtual time."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Return once every earlier sleeper has woken; the clock then reads our wake time."""
        self.slept.append(seconds)
        me = (self.now + max(0.0, seconds), next(self._count))
        heapq.heappush(self._sleepers, me)
        try:
            while True:
                await asyncio.sleep(0)  # let every runnable task book its own slot first
                if self._sleepers[0] == me:
                    break
        finally:
            self._sleepers.remove(me)
            heapq.heapify(self._sleepers)
        self.now = max(self.now, me[0])


@dataclass(frozen=True)
class Limit:
    """``rate`` requests per second, at most ``burst`` at once."""

    rate: float
    burst: int = 1


@dataclass(frozen=True)
class PlatformLimits:
    """A platform's published limits: one for the whole bot, one per workspace, one per channel."""

    bot: Limit | None = None
    workspace: Limit | None = None
    channel: Limit | None = None


UNLIMITED = Limit(float("inf"))


def share_of(limits: PlatformLimits, senders: int) -> PlatformLimits:
    """The part of ``limits`` one of ``senders`` processes sending for the same bot may use
    (rates divided among them, bursts too, at least one request)."""
    if senders == 1:
        return limits

    def part(limit: Limit | None) -> Limit | None:
        if limit is None:
            return None
        return Limit(limit.rate / senders, max(1, limit.burst // senders))

    return PlatformLimits(part(limits.bot), part(limits.workspace), part(limits.channel))


@dataclass
class TokenBucket:
    """One bucket; ``reserve`` books the next slot and says how long to wait for it."""

    limit: Limit
    timer: Timer
    tat: float = float("-inf")  # theoretical arrival time of the next request
    blocked_until: float = float("-inf")
    released_tat: float = float("-inf")  # the same, counted when requests really leave

    @property
    def interval(self) -> float:
        """Seconds between two requests at the sustained rate."""
        return 1.0 / (self.limit.rate * HEADROOM)

    def reserve(self) -> float:
        """Book a slot; return the seconds to wait before using it (0: now)."""
        now = self.timer.monotonic()
        tolerance = (self.limit.burst - 1) * self.interval
        tat = max(self.tat, now)
        slot = max(now, tat - tolerance)
        self.tat = tat + self.interval
        return slot - now

    def release(self) -> float:
        """Seconds to wait before a request whose slot has come really leaves (0: now).

        Reservations assume every waiter wakes on time; when the process was busy (a batch's
        tips chosen on the event loop), everyone whose slot passed meanwhile wakes at once,
        and would leave as a burst. Counting again when requests leave spaces them out."""
        now = self.timer.monotonic()
        tolerance = (self.limit.burst - 1) * self.interval
        tat = max(self.released_tat, now)
        self.released_tat = tat + self.interval
        return max(0.0, tat - tolerance - now)

    def block(self, seconds: float) -> None:
        """Grant nothing for ``seconds`` (a 429's retry-after), then resume without a burst."""
        until = self.timer.monotonic() + seconds
        self.blocked_until = max(self.blocked_until, until)
        tolerance = (self.limit.burst - 1) * self.interval
        self.tat = max(self.tat, until + tolerance)
        self.released_tat = max(self.released_tat, until + tolerance)

    def idle(self, now: float) -> bool:
        """True when the bucket is full again and may be forgotten."""
        return max(self.tat, self.released_tat, self.blocked_until) <= now


@dataclass
class RateLimiter:
    """Buckets keyed by platform, workspace and channel, created on first use; ``limits``
    are the ones each adapter declares (``PlatformAdapter.limits``), by platform."""

    timer: Timer = field(default_factory=RealTimer)
    limits: dict[str, PlatformLimits] = field(default_factory=dict)
    buckets: dict[tuple[str, ...], TokenBucket] = field(default_factory=dict)
    observer: Observer = field(default_factory=Observer)  # hears waits and 429s (metrics)

    def keys(self, target: DeliveryTarget) -> list[tuple[str, ...]]:
        """The buckets a message to ``target`` draws from, narrowest first (always at least
        the bot-wide one, which honours a retry-after even on a platform without limits)."""
        person = target.person
        limits = self.limits.get(person.platform, PlatformLimits())
        channel = target.channel or f"dm:{person.user}"
        scoped = (
            (limits.channel, (person.platform, person.workspace, channel)),
            (limits.workspace, (person.platform, person.workspace)),
        )
        return [key for limit, key in scoped if limit is not None] + [(person.platform,)]

    async def acquire(self, keys: Sequence[tuple[str, ...]], requests: int = 1) -> None:
        """Wait until every bucket of ``keys`` grants ``requests`` requests."""
        for key in keys:
            bucket = self._bucket(key)
            for _ in range(requests):
                await self._reserve(bucket, key[0])

    async def _reserve(self, bucket: TokenBucket, platform: str) -> None:
        """Book one slot of ``bucket``, waiting as long as it says."""
        while True:
            wait = bucket.reserve()
            if wait > 0:
                self.observer.limiter_waited(platform, wait)
                await self.timer.sleep(wait)
            # a 429 seen while we slept invalidates the slot we booked
            if bucket.blocked_until > self.timer.monotonic():
                continue
            late = bucket.release()
            if late > 0:  # woke with others after a busy spell: leave in turn
                await self.timer.sleep(late)
                if bucket.blocked_until > self.timer.monotonic():
                    continue
            return

    def block(self, keys: Sequence[tuple[str, ...]], seconds: float) -> None:
        """Honour a retry-after on every bucket of ``keys`` (we cannot tell which one tripped)."""
        if keys:
            self.observer.rate_limited(keys[0][0], seconds)
        for key in keys:
            self._bucket(key).block(seconds)

    def _bucket(self, key: tuple[str, ...]) -> TokenBucket:
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= IDLE_BUCKETS_KEPT:
                self._forget_idle()
            limits = self.limits.get(key[0], PlatformLimits())
            limit = {1: limits.bot, 2: limits.workspace, 3: limits.channel}[len(key)] or UNLIMITED
            bucket = self.buckets[key] = TokenBucket(limit, self.timer)
        return bucket

    def _forget_idle(self) -> None:
        now = self.timer.monotonic()
        self.buckets = {k: b for k, b in self.buckets.items() if not b.idle(now)}
