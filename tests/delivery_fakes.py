"""Test doubles for the delivery engine: a scriptable fake platform, a stand-in composer,
and helpers to subscribe people and run ticks on a fake clock (nothing here sleeps)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import select

from coachbot.app import App
from coachbot.clock import FakeClock
from coachbot.db.models import Delivery, Subscription
from coachbot.db.people import ensure_person
from coachbot.delivery import DeliveryTarget, Pace, RateLimited, Requests, Sent, unpaced
from coachbot.identity import PersonRef
from coachbot.reply import Actions, Button, Reply, Text, Tone
from coachbot.scheduling.breaker import Breakers, ClockSeconds
from coachbot.scheduling.claim import ClaimConfig
from coachbot.scheduling.due import Schedule, mask_from_days, next_due, parse_local_time
from coachbot.scheduling.pipeline import Composer, DeliveryPipeline
from coachbot.scheduling.ratelimit import Limit, PlatformLimits, RateLimiter, VirtualTimer
from coachbot.scheduling.retry import RetryPolicy, Sender
from coachbot.scheduling.states import SharedClock

WEEKDAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))


class Crash(BaseException):
    """A process dying: nothing after it runs, nothing catches it."""


async def tick_until_crash(pipe: DeliveryPipeline, now: datetime) -> None:
    """Run a tick that must die of a ``Crash`` raised by its ``on_step`` hook."""
    try:
        await pipe.tick(now)
    except BaseException as error:
        crashed = isinstance(error, Crash) or (
            isinstance(error, BaseExceptionGroup) and error.subgroup(Crash) is not None
        )
        if not crashed:
            raise
    else:
        raise AssertionError("the tick did not crash")


@dataclass
class Message:
    """What the fake platform accepted."""

    target: DeliveryTarget
    reply: Reply
    nonce: str
    at: float


@dataclass
class FakePlatform:
    """A DeliveryPort whose answers a test scripts; it drops a repeated nonce like Discord's
    ``enforce_nonce`` when ``dedupe`` is set, and can enforce its own rate limit."""

    platform: str = "console"
    timer: VirtualTimer = field(default_factory=VirtualTimer)
    dedupe: bool = True
    script: Callable[[int, DeliveryTarget], BaseException | None] = lambda i, t: None
    limit: Limit | None = None
    hold: dict[int, asyncio.Event] = field(default_factory=dict)  # call index -> released by
    messages: list[Message] = field(default_factory=list)
    calls: list[tuple[str, float]] = field(default_factory=list)  # (nonce, time) per request
    rejected_429: int = 0
    _tat: float = float("-inf")

    async def send(
        self, target: DeliveryTarget, reply: Reply, *, nonce: str, pace: Pace = unpaced
    ) -> Sent:
        now = self.timer.monotonic()
        self.calls.append((nonce, now))
        if (gate := self.hold.get(len(self.calls) - 1)) is not None:
            await gate.wait()  # a slow request, released by the test
        if self.limit is not None and not self._admit(now):
            self.rejected_429 += 1
            raise RateLimited(1.0 / self.limit.rate)
        failure = self.script(len(self.calls) - 1, target)
        if failure is not None:
            raise failure
        if not (self.dedupe and any(m.nonce == nonce for m in self.messages)):
            self.messages.append(Message(target, reply, nonce, now))
        return Sent(message_id=f"m-{nonce}")

    def _admit(self, now: float) -> bool:
        assert self.limit is not None
        interval = 1 / self.limit.rate
        tat = max(self._tat, now)
        if tat - now > (self.limit.burst - 1) * interval + 1e-9:
            return False
        self._tat = tat + interval
        return True

    def received_by(self, user: str) -> list[Message]:
        """Messages shown to ``user``."""
        return [m for m in self.messages if m.target.person.user == user]


@dataclass
class OpensDirectMessages(FakePlatform):
    """A strict platform where a person's first message opens their DM channel first: a
    request of its own, counted against the same limit (Discord's POST
    /users/@me/channels, Slack's conversations.open)."""

    opened: set[str] = field(default_factory=set)
    requests: list[float] = field(default_factory=list)  # when each request arrived

    async def send(
        self, target: DeliveryTarget, reply: Reply, *, nonce: str, pace: Pace = unpaced
    ) -> Sent:
        requests = Requests(pace)
        if target.person.user not in self.opened:
            await requests.next()
            self._arrive()
            self.opened.add(target.person.user)
        await requests.next()
        self.requests.append(self.timer.monotonic())
        return await super().send(target, reply, nonce=nonce)

    def _arrive(self) -> None:
        now = self.timer.monotonic()
        self.requests.append(now)
        if self.limit is not None and not self._admit(now):
            self.rejected_429 += 1
            raise RateLimited(1.0 / self.limit.rate)


async def stand_in_tip(*, session, services, subscription) -> str:
    """Deterministic stand-in for ``choose_tip_for`` (tests only)."""
    return f"tip-{subscription.id}"


def stand_in_reply(kb, tip_id: str, lang: str, delivery_id: int) -> Reply:
    """Stand-in for ``prompt_reply`` (tests only): a prompt with its five buttons."""
    labels = ("Done", "Skip", "Snooze 1h", "Too easy", "Too hard")
    buttons = tuple(Button(f"prompt_{i}:{delivery_id}", label) for i, label in enumerate(labels))
    return Reply(
        title=f"Tip {tip_id} ({lang})",
        blocks=(Text("lesson"), Actions(buttons)),
        tone=Tone.PROMPT,
    )


STAND_IN = Composer(stand_in_tip, stand_in_reply)


def pipeline(
    app: App,
    clock: FakeClock,
    *ports: FakePlatform,
    timer: VirtualTimer | None = None,
    limits: dict[str, PlatformLimits] | None = None,
    instance: str = "test-1",
    concurrency: int = 64,
    lease_clock: FakeClock | None = None,
    **config: object,
) -> DeliveryPipeline:
    """A pipeline on ``app``'s database with fake ports, virtual time and seeded jitter;
    leases follow ``lease_clock`` (the database's clock, shared by every engine of a test;
    ``clock``, the engine's host clock, by default)."""
    timer = timer or (ports[0].timer if ports else VirtualTimer())
    limiter = RateLimiter(
        timer, limits if limits is not None else {}, observer=app.services.observers
    )
    claim = ClaimConfig(
        instance=instance,
        platforms=tuple(p.platform for p in ports),
        lease_clock=SharedClock(lease_clock or clock),  # the database's clock, for every engine
        **config,  # type: ignore[arg-type]
    )
    return DeliveryPipeline(
        db=app.services.database(),
        services=app.services,
        ports={p.platform: p for p in ports},
        composer=STAND_IN,
        sender=Sender(limiter, RetryPolicy(), random.Random(7), Breakers(ClockSeconds(clock))),
        clock=clock,
        config=claim,
        concurrency=concurrency,
    )


async def subscribe(
    app: App,
    user: str,
    *,
    at: str = "08:30",
    timezone: str = "Europe/Paris",
    days: frozenset[int] = WEEKDAYS,
    platform: str = "console",
    now: datetime,
    **fields: object,
) -> int:
    """Subscribe ``user`` as the subscribe command would: next_due_at from ``now``."""
    [sid] = await subscribe_many(
        app, [user], at=at, timezone=timezone, days=days, platform=platform, now=now, **fields
    )
    return sid


async def subscribe_many(
    app: App,
    users: list[str],
    *,
    at: str = "08:30",
    timezone: str = "Europe/Paris",
    days: frozenset[int] = WEEKDAYS,
    platform: str = "console",
    now: datetime,
    **fields: object,
) -> list[int]:
    """Subscribe several people with the same settings, in one transaction."""
    schedule = Schedule(parse_local_time(at), timezone, days, fields.get("skip_holidays"))  # type: ignore[arg-type]
    due = next_due(schedule, now)
    subs = []
    async with app.services.database().session() as session:
        for user in users:
            person = await ensure_person(
                session=session, ref=PersonRef(platform, "w1", user), now=now
            )
            subs.append(
                Subscription(
                    person_id=person.id,
                    local_time=at,
                    timezone=timezone,
                    days=mask_from_days(days),
                    where="dm",
                    language="en",
                    next_due_at=due[0] if due else None,
                    created_at=now,
                    **fields,
                )
            )
        session.add_all(subs)
        await session.flush()
    return [s.id for s in subs if s.id is not None]


async def reschedule(app: App, subscription_id: int, now: datetime, **changes: object) -> None:
    """Change a subscription's settings as ``/coach settings`` would, recomputing next_due_at."""
    from coachbot.prompts.subscriptions import reschedule as recompute

    async with app.services.database().session() as session:
        sub = await session.get(Subscription, subscription_id)
        assert sub is not None
        for name, value in changes.items():
            setattr(sub, name, value)
        recompute(sub, now)
        session.add(sub)


async def deliveries(app: App) -> list[Delivery]:
    """Every delivery row, oldest first."""
    async with app.services.database().session() as session:
        query = select(Delivery).order_by(Delivery.due_at, Delivery.id)  # type: ignore[arg-type]
        return list((await session.exec(query)).all())


async def subscription(app: App, subscription_id: int) -> Subscription:
    """A fresh copy of one subscription row."""
    async with app.services.database().session() as session:
        sub = await session.get(Subscription, subscription_id)
        assert sub is not None
        return sub


async def run_days(
    pipe: DeliveryPipeline, clock: FakeClock, days: int, step: timedelta = timedelta(minutes=1)
) -> None:
    """Tick every ``step`` for ``days`` days of fake time."""
    end = clock.now() + timedelta(days=days)
    while clock.now() < end:
        clock.advance(step)
        await pipe.tick(clock.now())
