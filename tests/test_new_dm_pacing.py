"""New DMs against a strict platform: the request that opens a DM channel waits for its
own slot in the limiter like the message after it, so a tick full of people never
messaged before stays under the limit (virtual time, nothing sleeps)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from coachbot.adapters.discord import platform as discord_platform
from coachbot.adapters.slack import run as slack_run
from coachbot.app import App
from coachbot.clock import FakeClock
from coachbot.scheduling.ratelimit import Limit, PlatformLimits, VirtualTimer
from tests.delivery_fakes import EVERY_DAY, OpensDirectMessages, pipeline, subscribe_many

MONDAY_0730_UTC = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)  # 08:30 in Paris


def rate(times: list[float]) -> float:
    """Requests per second from the first to the last."""
    return (len(times) - 1) / (times[-1] - times[0])


async def deliver_to_new_people(
    app: App, clock: FakeClock, platform: OpensDirectMessages, limits: PlatformLimits, n: int
) -> int:
    """Subscribe ``n`` people never messaged before and run the tick that finds them due;
    returns how many prompts were sent."""
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    users = [f"{i}" for i in range(1, n + 1)]
    await subscribe_many(app, users, platform=platform.platform, days=EVERY_DAY, now=clock.now())
    clock.set(MONDAY_0730_UTC)
    pipe = pipeline(app, clock, platform, limits={platform.platform: limits})
    return (await pipe.tick(clock.now())).sent


@pytest.mark.timeout(60)
async def test_new_discord_dms_stay_under_a_strict_50_per_second(
    app: App, clock: FakeClock
) -> None:
    timer = VirtualTimer()
    strict = OpensDirectMessages("discord", timer=timer, limit=Limit(50, burst=1))
    sent = await deliver_to_new_people(app, clock, strict, discord_platform.LIMITS, 300)
    assert sent == 300 and len(strict.opened) == 300
    assert strict.rejected_429 == 0
    assert len(strict.requests) == 600  # an opening and a message each, nothing retried
    assert min(b - a for a, b in itertools.pairwise(strict.requests)) >= 1 / 50
    assert rate(strict.requests) >= 0.95 * 50


@pytest.mark.timeout(60)
async def test_new_slack_dms_stay_under_a_strict_workspace_limit(
    app: App, clock: FakeClock
) -> None:
    timer = VirtualTimer()
    strict = OpensDirectMessages("slack", timer=timer, limit=Limit(4, burst=10))
    sent = await deliver_to_new_people(app, clock, strict, slack_run.LIMITS, 60)
    assert sent == 60 and strict.rejected_429 == 0
    assert len(strict.requests) == 120
    assert rate(strict.requests) >= 0.95 * 4
