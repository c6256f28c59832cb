"""Token buckets, retry-after and backoff on virtual time (nothing here sleeps)."""

from __future__ import annotations

import asyncio
import itertools
import random

from hypothesis import given
from hypothesis import strategies as st

from coachbot.adapters.discord import platform as discord_platform
from coachbot.adapters.slack import run as slack_run
from coachbot.delivery import (
    DeliveryTarget,
    Pace,
    PermanentFailure,
    RateLimited,
    Sent,
    TransientFailure,
    unpaced,
)
from coachbot.identity import PersonRef
from coachbot.reply import Reply
from coachbot.scheduling.ratelimit import (
    HEADROOM,
    IDLE_BUCKETS_KEPT,
    Limit,
    PlatformLimits,
    RateLimiter,
    VirtualTimer,
)
from coachbot.scheduling.retry import Result, RetryPolicy, Sender
from tests.delivery_fakes import OpensDirectMessages

# the limits the Discord and Slack adapters declare
PUBLISHED = {"discord": discord_platform.LIMITS, "slack": slack_run.LIMITS}


def target(platform: str, user: str = "u", channel: str | None = None) -> DeliveryTarget:
    return DeliveryTarget(PersonRef(platform, "w", user), channel)


async def grant_times(limiter: RateLimiter, targets: list[DeliveryTarget]) -> list[float]:
    """When each of many concurrent senders got its turn."""
    times: list[float] = [0.0] * len(targets)

    async def one(i: int) -> None:
        await limiter.acquire(limiter.keys(targets[i]))
        times[i] = limiter.timer.monotonic()

    await asyncio.gather(*(one(i) for i in range(len(targets))))
    return times


def most_in_any_window(times: list[float], window: float) -> int:
    ordered = sorted(times)
    return max(sum(1 for t in ordered[i:] if t < start + window) for i, start in enumerate(ordered))


async def test_discord_is_held_under_50_requests_per_second() -> None:
    limiter = RateLimiter(VirtualTimer(), dict(PUBLISHED))
    times = await grant_times(limiter, [target("discord", f"u{i}") for i in range(300)])
    assert times.count(0.0) == 1  # no burst: evenly spaced
    assert most_in_any_window(times, 1.0) <= 50
    ordered = sorted(times)
    assert 0.95 * 50 <= (len(ordered) - 1) / (ordered[-1] - ordered[0]) <= 50


async def test_slack_paces_each_channel_and_the_workspace() -> None:
    limiter = RateLimiter(VirtualTimer(), dict(PUBLISHED))
    targets = [target("slack", "u", channel=f"C{i % 2}") for i in range(10)]
    times = await grant_times(limiter, targets)
    for channel in ("C0", "C1"):
        mine = sorted(t for t, x in zip(times, targets, strict=True) if x.channel == channel)
        assert all(b - a >= 1.0 for a, b in itertools.pairwise(mine))
    many = await grant_times(limiter, [target("slack", f"u{i}") for i in range(400)])
    assert most_in_any_window(many, 60.0) <= 300  # "several hundred per minute"


async def test_a_retry_after_blocks_every_waiter_then_resumes_without_a_burst() -> None:
    timer = VirtualTimer()
    limiter = RateLimiter(timer, {"discord": PlatformLimits(bot=Limit(10, burst=5))})
    keys = limiter.keys(target("discord"))
    await limiter.acquire(keys)
    limiter.block(keys, 3.0)
    times = await grant_times(limiter, [target("discord")] * 4)
    assert min(times) >= 3.0
    assert sorted(times) == sorted(set(times))  # one at a time after the block


async def test_a_slot_booked_before_a_429_is_not_used_during_it() -> None:
    timer = VirtualTimer()
    limiter = RateLimiter(timer, {"discord": PlatformLimits(bot=Limit(1, burst=1))})
    keys = limiter.keys(target("discord"))
    await limiter.acquire(keys)  # t=0

    async def late() -> float:
        await limiter.acquire(keys)  # booked for t≈1
        return timer.monotonic()

    task = asyncio.create_task(late())
    await asyncio.sleep(0)
    limiter.block(keys, 5.0)  # the 429 arrives while it waits
    assert await task >= 5.0


class BusyTimer(VirtualTimer):
    """Virtual time where the process is busy until ``busy_until``: a sleeper due earlier
    wakes only then, together with every other one (as after CPU work on the event loop)."""

    busy_until = 0.0

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds)
        self.now = max(self.now, self.busy_until)


async def test_waiters_woken_together_after_a_busy_spell_still_leave_one_at_a_time() -> None:
    timer = BusyTimer()
    timer.busy_until = 1.0  # the event loop was busy for the first second
    limiter = RateLimiter(timer, {"discord": PlatformLimits(bot=Limit(10))})
    times = await grant_times(limiter, [target("discord", f"u{i}") for i in range(30)])
    interval = 1 / (10 * HEADROOM)
    assert min(b - a for a, b in itertools.pairwise(sorted(times))) >= interval - 1e-9
    assert most_in_any_window(times, 1.0) <= 10


async def test_platforms_without_limits_still_honour_retry_after() -> None:
    timer = VirtualTimer()
    limiter = RateLimiter(timer, {})
    keys = limiter.keys(target("console"))
    await limiter.acquire(keys)
    assert timer.now == 0
    limiter.block(keys, 2.5)
    await limiter.acquire(keys)
    assert timer.now == 2.5


async def test_idle_channel_buckets_are_forgotten() -> None:
    timer = VirtualTimer()
    limiter = RateLimiter(timer, dict(PUBLISHED))
    for i in range(IDLE_BUCKETS_KEPT + 10):
        limiter._bucket(("slack", "w", f"C{i}"))
    timer.now = 1000.0
    limiter._bucket(("slack", "w", "new"))
    assert len(limiter.buckets) < IDLE_BUCKETS_KEPT


@given(failures=st.integers(1, 30), seed=st.integers(0, 2**32))
def test_backoff_grows_exponentially_with_bounded_jitter(failures: int, seed: int) -> None:
    policy = RetryPolicy()
    ceiling = min(policy.max_delay, policy.base_delay * 2 ** (failures - 1))
    assert ceiling / 2 <= policy.backoff(failures, random.Random(seed)) <= ceiling


class Scripted:
    platform = "discord"

    def __init__(self, *answers: BaseException | None) -> None:
        self.answers = list(answers)
        self.calls = 0

    async def send(
        self, target: DeliveryTarget, reply: Reply, *, nonce: str, pace: Pace = unpaced
    ) -> Sent:
        self.calls += 1
        answer = self.answers.pop(0) if self.answers else None
        if answer is not None:
            raise answer
        return Sent(f"m{self.calls}")


def sender(timer: VirtualTimer) -> Sender:
    return Sender(RateLimiter(timer, {}), RetryPolicy(), random.Random(1))


async def test_a_permanent_failure_is_never_retried() -> None:
    port = Scripted(PermanentFailure("DMs closed"))
    outcome = await sender(VirtualTimer()).send(port, target("discord"), Reply("x"), "n")
    assert (outcome.result, outcome.attempts, port.calls) == (Result.PERMANENT, 1, 1)
    assert outcome.error == "PermanentFailure: DMs closed"


async def test_retries_are_bounded() -> None:
    timer = VirtualTimer()
    storm = Scripted(*[TransientFailure("500")] * 20)
    outcome = await sender(timer).send(storm, target("discord"), Reply("x"), "n")
    assert (outcome.result, storm.calls) == (Result.LATER, RetryPolicy().transient_attempts)
    limited = Scripted(*[RateLimited(1.0)] * 20)
    outcome = await sender(timer).send(limited, target("discord"), Reply("x"), "n")
    assert (outcome.result, limited.calls) == (Result.LATER, RetryPolicy().rate_limited_attempts)


async def test_a_huge_retry_after_is_capped() -> None:
    timer = VirtualTimer()
    port = Scripted(RateLimited(86_400.0))
    outcome = await sender(timer).send(port, target("discord"), Reply("x"), "n")
    assert outcome.result is Result.SENT and timer.now == RetryPolicy().max_retry_after


async def test_a_bug_in_an_adapter_does_not_escape() -> None:
    port = Scripted(KeyError("oops"))
    outcome = await sender(VirtualTimer()).send(port, target("discord"), Reply("x"), "n")
    assert outcome.result is Result.LATER and "KeyError" in (outcome.error or "")


async def test_a_send_that_opens_a_dm_paces_both_requests() -> None:
    timer = VirtualTimer()
    send = Sender(RateLimiter(timer, dict(PUBLISHED)), RetryPolicy(), random.Random(1))
    port = OpensDirectMessages("discord", timer=timer)
    for i in range(100):  # 100 new people: 200 requests at 50/s, about 4 s
        await send.send(port, target("discord", f"u{i}"), Reply("x"), f"n{i}")
    assert timer.now >= 199 / 50
    assert min(b - a for a, b in itertools.pairwise(port.requests)) >= 1 / 50
    before = timer.now
    for i in range(100):  # the same people again: their DMs are open, 100 requests
        await send.send(port, target("discord", f"u{i}"), Reply("x"), f"m{i}")
    assert 99 / 50 <= timer.now - before < 150 / 50
