"""A stopping process takes no new work, lets the requests it started finish, and hands
back what it still holds, so the next process sends it at its first tick: no prompt is
lost, none is doubled, none waits for a lease to run out.

(``tests/slack/test_stop_mid_delivery.py`` does the same with SIGTERM and real processes.)
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from coachbot.app import App
from coachbot.clock import FakeClock
from coachbot.scheduling.states import State
from tests.delivery_fakes import EVERY_DAY, FakePlatform, deliveries, pipeline, subscribe_many

DUE = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
USERS = [f"u{i}" for i in range(20)]
STARTED = range(2, 6)  # the requests in flight when the stop comes: held by the test


async def _stop_mid_tick(app: App, clock: FakeClock, platform: FakePlatform) -> int:
    """Engine "a" sends two prompts, has four requests in flight, and is told to stop;
    returns how many rows it hands back."""
    clock.set(DUE - timedelta(hours=1))
    await subscribe_many(app, USERS, days=EVERY_DAY, now=clock.now())
    clock.set(DUE)
    a = pipeline(app, clock, platform, instance="a", concurrency=4)
    tick = asyncio.ensure_future(a.tick(clock.now()))
    while len(platform.calls) < STARTED.stop:
        await asyncio.sleep(0)
    a.drain()
    for gate in platform.hold.values():
        gate.set()
    await asyncio.wait_for(tick, timeout=10)
    return await a.release()


async def test_a_stop_finishes_started_sends_and_hands_back_the_rest(
    app: App, clock: FakeClock
) -> None:
    platform = FakePlatform(dedupe=False, hold={i: asyncio.Event() for i in STARTED})
    handed_back = await _stop_mid_tick(app, clock, platform)
    assert len(platform.messages) == STARTED.stop  # what had started went out
    assert handed_back == len(USERS) - STARTED.stop
    rows = await deliveries(app)
    retry = [d for d in rows if d.status == State.RETRY]
    assert len(retry) == handed_back and all(d.attempts == 0 for d in retry)
    b = pipeline(app, clock, platform, instance="b")
    await b.tick(clock.now())  # at once: no lease to wait for
    assert Counter(m.target.person.user for m in platform.messages) == Counter(USERS)
    assert {d.status for d in await deliveries(app)} == {State.SENT}


async def test_a_stopping_engine_claims_and_sends_nothing_more(app: App, clock: FakeClock) -> None:
    clock.set(DUE - timedelta(hours=1))
    await subscribe_many(app, USERS, days=EVERY_DAY, now=clock.now())
    clock.set(DUE)
    platform = FakePlatform()
    a = pipeline(app, clock, platform, instance="a")
    a.drain()
    report = await a.tick(clock.now())
    assert report.claimed == 0 and not platform.calls
    assert await a.release() == 0
