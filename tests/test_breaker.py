"""The circuit breaker per platform, on virtual time: an 8-hour 5xx storm costs a bounded
number of requests, prompts wait without being lost or counted, delivery resumes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import generate_latest
from sqlmodel import select

from coachbot.app import App
from coachbot.clock import FakeClock
from coachbot.db.models import WeeklyMessage
from coachbot.delivery import DeliveryTarget, PermanentFailure, TransientFailure
from coachbot.identity import PersonRef
from coachbot.observe import Observer
from coachbot.ops.metrics import Metrics
from coachbot.prompts.jobs import send_weekly
from coachbot.reply import Reply
from coachbot.scheduling.breaker import Breaker, BreakerPolicy, BreakerState
from coachbot.scheduling.pipeline import DeliveryPipeline
from coachbot.scheduling.ratelimit import RateLimiter, VirtualTimer
from coachbot.scheduling.retry import Result, RetryPolicy, Sender
from tests.delivery_fakes import EVERY_DAY, FakePlatform, deliveries, pipeline, subscribe_many
from tests.test_periodic import FRIDAY_0830_PARIS, a_learner_and_their_mentor, outbox

MONDAY_0700_UTC = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
TARGET = DeliveryTarget(PersonRef("discord", "w", "u"))


class Heard(Observer):
    def __init__(self) -> None:
        self.states: list[str] = []

    def breaker_changed(self, platform: str, state: str) -> None:
        self.states.append(state)


def breaker(timer: VirtualTimer, heard: Observer | None = None) -> Breaker:
    policy = BreakerPolicy(failures_to_open=3, cool_down=10.0, max_cool_down=40.0)
    return Breaker("discord", timer, policy, heard or Observer())


def test_it_opens_after_failures_in_a_row_and_probes_one_at_a_time() -> None:
    timer, heard = VirtualTimer(), Heard()
    b = breaker(timer, heard)
    b.failed()
    b.failed()
    b.answered()  # an answer breaks the run of failures
    for _ in range(3):
        assert b.admit()
        b.failed()
    assert b.state is BreakerState.OPEN and not b.admit()
    timer.now = 10.0
    assert b.admit()  # the probe
    assert b.state is BreakerState.HALF_OPEN and not b.admit() and not b.admit()
    b.answered()
    assert b.state is BreakerState.CLOSED and b.admit()
    assert heard.states == ["open", "half_open", "closed"]


def test_failed_probes_double_the_cool_down_up_to_its_cap() -> None:
    timer = VirtualTimer()
    b = breaker(timer)
    for _ in range(3):
        b.failed()
    opened_for = []
    for _ in range(5):
        opened_for.append(b.retry_at - timer.now)
        timer.now = b.retry_at
        assert b.admit()
        b.failed()
    assert opened_for == [10.0, 20.0, 40.0, 40.0, 40.0]


def test_a_probe_that_ends_without_an_answer_lets_the_next_send_probe() -> None:
    timer = VirtualTimer()
    b = breaker(timer)
    for _ in range(3):
        b.failed()
    timer.now = 10.0
    assert b.admit() and not b.admit()
    b.abandoned()
    assert b.admit()


async def test_the_sender_sends_nothing_while_open_and_counts_no_attempt() -> None:
    timer = VirtualTimer()
    sender = Sender(RateLimiter(timer, {}), RetryPolicy(), random.Random(3))
    storm = FakePlatform("discord", timer=timer, script=lambda i, t: TransientFailure("503"))
    first = await sender.send(storm, TARGET, Reply("x"), "n1")
    assert first.result is Result.LATER and first.attempts == 5  # opened on the 5th failure
    held = await sender.send(storm, TARGET, Reply("x"), "n2")
    assert (held.result, held.attempts, held.error) == (Result.LATER, 0, "discord circuit open")
    assert held.held and not first.held
    assert len(storm.calls) == 5
    refused = FakePlatform("discord", timer=timer, script=lambda i, t: PermanentFailure("gone"))
    timer.now += 30.0
    probe = await sender.send(refused, TARGET, Reply("x"), "n3")
    assert probe.result is Result.PERMANENT  # an answer: the platform is up again
    assert sender.breakers is not None
    assert sender.breakers.of("discord").state is BreakerState.CLOSED


@pytest.mark.timeout(120)
async def test_an_eight_hour_storm_costs_few_requests_and_loses_nothing(
    app: App, clock: FakeClock
) -> None:
    clock.set(MONDAY_0700_UTC - timedelta(hours=1))
    users = [f"u{i}" for i in range(20)]
    await subscribe_many(app, users, at="08:30", days=EVERY_DAY, now=clock.now())
    storm_ends = MONDAY_0700_UTC + timedelta(hours=8)
    timer = VirtualTimer()

    def weather(i: int, target: DeliveryTarget) -> BaseException | None:
        return TransientFailure("503") if clock.now() < storm_ends else None

    platform = FakePlatform(timer=timer, script=weather)
    pipe = pipeline(app, clock, platform, timer=timer, catch_up=timedelta(hours=12))
    clock.set(MONDAY_0700_UTC)
    while clock.now() < storm_ends:
        await tick_a_minute_later(pipe, clock)
    # 5 failures open it, then one probe per cool-down (30 s doubling up to 10 min): about
    # 5 + 5 + 8 h / 10 min; without the breaker, up to 905 requests for ONE prompt
    assert len(platform.calls) <= 60
    assert not platform.messages
    after_storm = clock.now()
    while len(platform.messages) < len(users) and clock.now() < after_storm + timedelta(hours=1):
        await tick_a_minute_later(pipe, clock)
    assert sorted(m.target.person.user for m in platform.messages) == sorted(users)
    assert clock.now() - after_storm <= timedelta(minutes=15)
    rows = await deliveries(app)
    assert {r.status for r in rows} == {"sent"} and len(rows) == len(users)
    # a row counts only the requests really made for it: held prompts were not counted
    assert sum(r.attempts for r in rows) == len(platform.calls)


async def tick_a_minute_later(pipe: DeliveryPipeline, clock: FakeClock) -> None:
    """The next tick (the breaker's time is the bot's clock)."""
    clock.advance(timedelta(minutes=1))
    await pipe.tick(clock.now())


def test_the_metrics_show_each_platform_breaker() -> None:
    metrics = Metrics()
    metrics.breaker_changed("discord", "open")
    text = generate_latest(metrics.registry).decode()
    assert (
        'coachbot_circuit_breaker{coachbot_circuit_breaker="open",platform="discord"} 1.0' in text
    )
    assert (
        'coachbot_circuit_breaker{coachbot_circuit_breaker="closed",platform="discord"} 0.0' in text
    )


async def weekly_statuses(app: App) -> list[str]:
    async with app.services.database().session() as session:
        return sorted(w.status for w in (await session.exec(select(WeeklyMessage))).all())


async def test_weekly_messages_held_by_an_open_circuit_stay_due(app: App) -> None:
    await a_learner_and_their_mentor(app, "console")
    port = FakePlatform("console")
    box = outbox(app, port)
    assert box.sender.breakers is not None
    storm = box.sender.breakers.of("console")
    for _ in range(BreakerPolicy().failures_to_open):
        storm.failed()
    await send_weekly(box, FRIDAY_0830_PARIS)
    assert port.calls == [] and await weekly_statuses(app) == []  # given back, not failed
    port.timer.now = storm.retry_at  # the cool-down is over: one probe, then the rest
    for _ in range(3):
        await send_weekly(box, FRIDAY_0830_PARIS)
    assert await weekly_statuses(app) == ["sent", "sent"] and len(port.messages) == 2
