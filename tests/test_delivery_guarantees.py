"""The reproductions of issue #11, each a test: exactly one prompt per local day even with
several engines on one database, a slow platform, another platform's backlog, ``/coach
tip`` or a settings change in the middle of a claim, a retry across unsubscribe and
resubscribe, a stop while a prompt is held, and hosts whose clocks disagree.

Engines share one fake clock standing for the database's (``lease_clock``); a host
clock may differ from it. Nothing sleeps: platforms are fakes on virtual time."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from coachbot.app import App
from coachbot.clock import FakeClock
from coachbot.db.models import Person, Subscription
from coachbot.delivery import TransientFailure
from coachbot.knowledge.models import KnowledgeBase
from coachbot.markup import escape
from coachbot.prompts.compose import choose_tip_for, choose_tips_for, prompt_reply
from coachbot.prompts.deliveries import tip_history
from coachbot.reply import Reply, Text
from coachbot.scheduling.due import mask_from_days
from coachbot.scheduling.pipeline import Composer, DeliveryPipeline
from coachbot.scheduling.ratelimit import Limit, PlatformLimits, VirtualTimer
from tests.chat import ChatBot
from tests.delivery_fakes import (
    EVERY_DAY,
    FakePlatform,
    deliveries,
    pipeline,
    subscribe_many,
)

# The clock fixture starts on Monday 2026-03-02 at 09:00 UTC, 10:00 in Paris.
DUE = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)  # 08:30 in Paris


class SkewedClock:
    """A host clock ``skew`` ahead of the shared (database) clock."""

    def __init__(self, base: FakeClock, skew: timedelta) -> None:
        self.base, self.skew = base, skew

    def now(self) -> datetime:
        return self.base.now() + self.skew


async def run_beside(main: Awaitable[object], *others: Callable[[], Awaitable[object]]) -> None:
    """Run ``main``; meanwhile tick ``others`` again and again (yielding, never sleeping)."""
    task = asyncio.ensure_future(main)
    while not task.done():
        for other in others:
            await other()
        await asyncio.sleep(0)
    await task


@dataclass
class SteppedTick:
    """One engine whose tick can be held at a step of its claim: while it chooses the tips
    (``choosing-tips``) or while its first request is out (``sending``)."""

    step: str
    pipe: DeliveryPipeline
    platform: FakePlatform
    choosing: asyncio.Event = field(default_factory=asyncio.Event)
    sending: asyncio.Event = field(default_factory=asyncio.Event)
    entered: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def of(cls, app: App, clock: FakeClock, step: str) -> SteppedTick:
        """An engine on ``app`` over a fake platform, held at ``step`` once started."""
        sending = asyncio.Event()
        platform = FakePlatform(hold={0: sending} if step == "sending" else {})
        held = cls(step, pipeline(app, clock, platform), platform, sending=sending)
        held.pipe.composer = Composer(choose_tip_for, prompt_reply, held.choose_tips)
        return held

    async def choose_tips(self, **kwargs: object) -> object:
        """The real tip choice, held the first time when the step is ``choosing-tips``."""
        if self.step == "choosing-tips" and not self.choosing.is_set():
            self.entered.set()
            await self.choosing.wait()
        return await choose_tips_for(**kwargs)  # type: ignore[arg-type]

    async def start(self) -> asyncio.Task[object]:
        """Start a tick; return once it is at the step, or once it ended for other steps."""
        tick: asyncio.Task[object] = asyncio.create_task(self.pipe.tick(self.pipe.clock.now()))
        if self.step == "choosing-tips":
            await self.entered.wait()
        elif self.step == "sending":
            while not self.platform.calls:
                await asyncio.sleep(0)
        else:
            await tick
        return tick

    def release(self) -> None:
        """Let the held tick go on."""
        self.choosing.set()
        self.sending.set()


def per_user(platform: FakePlatform) -> Counter[str]:
    return Counter(m.target.person.user for m in platform.messages)


# --- 1. several engines, a slow platform, claims waiting in the queue ------------------------


async def slow_platform_with_three_engines(apps: list[App], clock: FakeClock) -> list[FakePlatform]:
    """60 learners due at once; engine "a" claims 30 and each of its sends takes 5 s, so
    its last ones wait 150 s in its queue, longer than a lease, while "b" and "c" keep
    ticking. Returns each engine's side of the one platform (like Slack: a duplicate
    shows). Only "a" moves the clock: the others' database work takes real time, and a
    send of theirs left unrecorded for a lease of virtual time would be a stall the
    engine treats as a crash (docs/delivery.md), not what this test is about."""
    users = [f"u{i}" for i in range(60)]
    clock.set(DUE - timedelta(hours=1))
    await subscribe_many(apps[0], users, days=EVERY_DAY, now=clock.now())

    def slow(i: int, target: object) -> None:
        clock.advance(timedelta(seconds=5))

    sides = [FakePlatform(script=slow, dedupe=False), FakePlatform(dedupe=False)]
    sides.append(FakePlatform(dedupe=False))
    a, b, c = (
        pipeline(app, clock, side, instance=name, concurrency=1, batch_size=size)
        for app, side, name, size in zip(apps, sides, "abc", (30, 10, 10), strict=True)
    )
    clock.set(DUE)
    await run_beside(a.tick(clock.now()), lambda: b.tick(clock.now()), lambda: c.tick(clock.now()))
    for _ in range(3):  # whatever is left, later
        clock.advance(timedelta(minutes=5))
        await a.tick(clock.now())
    return sides


def received(sides: list[FakePlatform]) -> Counter[str]:
    """Prompts per learner, whichever engine sent them."""
    return sum((per_user(side) for side in sides), Counter())


async def test_three_engines_and_a_slow_platform_send_each_prompt_once(
    app: App, clock: FakeClock
) -> None:
    sides = await slow_platform_with_three_engines([app, app, app], clock)
    assert len(received(sides)) == 60 and set(received(sides).values()) == {1}
    a, *others = sides
    assert a.messages and any(side.messages for side in others)  # both kinds took part


async def test_three_engines_on_postgres_send_each_prompt_once(
    pg_apps: list[App], clock: FakeClock
) -> None:
    sides = await slow_platform_with_three_engines(pg_apps, clock)
    assert len(received(sides)) == 60 and set(received(sides).values()) == {1}


# --- 2. a backlog on one platform never holds back another ------------------------------------


async def subscribe_fast(app: App, platform: str, count: int, due: datetime) -> None:
    """``count`` people of ``platform`` due at ``due``, inserted in two statements."""
    db = app.services.database()
    async with db.engine.begin() as conn:
        first = (await conn.execute(select(Person.id).order_by(Person.id.desc()))).first()  # type: ignore[union-attr]
        start = (first[0] if first else 0) + 1
        ids = range(start, start + count)
        people = [
            {"id": i, "platform": platform, "workspace": "w1", "user_id": f"{platform}{i}"}
            for i in ids
        ]
        await conn.execute(insert(Person), [{**p, "created_at": due} for p in people])
        subs = [
            {
                "person_id": i,
                "local_time": "08:30",
                "timezone": "Europe/Paris",
                "days": mask_from_days(EVERY_DAY),
                "where": "dm",
                "language": "en",
                "next_due_at": due,
                "created_at": due,
                "active": True,
                "failing": False,
                "failing_notified": False,
                "consecutive_failures": 0,
                "recap_weekday": 4,
            }
            for i in ids
        ]
        await conn.execute(insert(Subscription), subs)


async def test_a_backlog_on_another_platform_does_not_starve_this_process(
    app: App, clock: FakeClock
) -> None:
    # The Discord process is down with 6,000 overdue prompts; a Slack-only process must
    # still send its own 50 on its first tick.
    clock.set(DUE)
    await subscribe_fast(app, "discord", 6000, DUE - timedelta(minutes=30))
    await subscribe_fast(app, "slack", 50, DUE)
    slack = FakePlatform(platform="slack")
    report = await pipeline(app, clock, slack, batch_size=5).tick(clock.now())
    assert report.sent == 50 and len(slack.messages) == 50


async def test_a_stuck_platform_does_not_hold_back_the_other_ones_prompts(
    app: App, clock: FakeClock
) -> None:
    clock.set(DUE - timedelta(hours=1))
    # Discord's prompts are due first, so a shared queue would put them ahead.
    await subscribe_many(
        app, [f"d{i}" for i in range(40)], at="08:29", platform="discord", now=clock.now()
    )
    await subscribe_many(app, ["s1", "s2", "s3"], platform="slack", now=clock.now())
    stuck = asyncio.Event()  # every Discord request hangs until the test releases it
    slack_done = asyncio.Event()
    discord = FakePlatform("discord", hold={i: stuck for i in range(40)})
    slack = FakePlatform(
        "slack", discord.timer, script=lambda i, t: slack_done.set() if i == 2 else None
    )
    clock.set(DUE + timedelta(seconds=30))
    pipe = pipeline(app, clock, discord, slack, concurrency=4)
    tick = asyncio.create_task(pipe.tick(clock.now()))
    try:
        await asyncio.wait_for(slack_done.wait(), timeout=20)  # a bound, not a pause
        assert len(slack.messages) == 3 and discord.messages == []
    finally:
        stuck.set()
        report = await tick
    assert report.sent == 43


# --- 3. /coach tip at every step of a claim: one tip a day, the one shown ---------------------


def tip_shown(kb: KnowledgeBase, reply: Reply) -> str:
    """The id of the tip whose lesson ``reply`` opens with."""
    for tip in kb.tips:
        if reply.blocks[0] in (Text(escape(tip.lesson.get(lang))) for lang in ("en", "fr")):
            return tip.id
    raise AssertionError(f"no tip in {reply.blocks[0]!r}")


async def history(app: App, person_id: int) -> list[str]:
    async with app.services.database().session() as session:
        return [s.tip_id for s in await tip_history(session=session, person_id=person_id)]


STEPS = ("before-claim", "choosing-tips", "sending", "after-record")


@pytest.mark.parametrize("step", STEPS)
async def test_coach_tip_at_any_step_of_a_claim_gives_one_tip_a_day(
    bot: ChatBot, clock: FakeClock, kb: KnowledgeBase, step: str
) -> None:
    await bot.say("/coach subscribe time:10:05 days:daily", locale="en")
    held = SteppedTick.of(bot.app, clock, step)
    pipe, platform = held.pipe, held.platform
    shown: list[Reply] = []
    if step == "before-claim":
        shown.append(await bot.reply("/coach tip", locale="en"))
    clock.advance(timedelta(minutes=5))
    tick = await held.start()
    if step != "before-claim":
        shown.append(await bot.reply("/coach tip", locale="en"))
    held.release()
    await tick
    seen = [tip_shown(kb, r) for r in shown] + [tip_shown(kb, m.reply) for m in platform.messages]
    [row] = await deliveries(bot.app)
    assert len(set(seen)) == 1 and row.tip_id == seen[0] and row.status == "sent"
    assert len(platform.messages) <= 1
    assert await history(bot.app, row.person_id) == [row.tip_id]
    # The next day brings another tip, once.
    clock.advance(timedelta(days=1))
    await pipe.tick(clock.now())
    assert len(set(await history(bot.app, row.person_id))) == 2


async def test_coach_tip_on_a_missed_day_shows_a_real_tip(
    bot: ChatBot, clock: FakeClock, kb: KnowledgeBase
) -> None:
    await bot.say("/coach subscribe time:10:05 days:daily", locale="en")
    clock.advance(timedelta(hours=8))  # the engine was down past the catch-up window
    await pipeline(bot.app, clock, FakePlatform()).tick(clock.now())
    [missed] = await deliveries(bot.app)
    assert (missed.status, missed.tip_id) == ("missed", "")
    reply = await bot.reply("/coach tip", locale="en")
    [row] = await deliveries(bot.app)
    assert row.tip_id != "" and tip_shown(kb, reply) == row.tip_id and row.status == "sent"


# --- 4. no deadlock between /coach tip and a claim on PostgreSQL ------------------------------


async def test_coach_tip_inserting_the_day_while_a_claim_reads_does_not_block(
    pg_apps: list[App], clock: FakeClock, postgres_url: str
) -> None:
    # /coach tip inserts today's row (its foreign key takes FOR KEY SHARE on the
    # subscription) between the claim's read of due subscriptions and the claim's insert.
    app = pg_apps[0]
    clock.set(DUE - timedelta(hours=1))
    [sid] = await subscribe_many(app, ["alice"], days=EVERY_DAY, now=clock.now())
    clock.set(DUE)
    outcome: list[str] = []

    async def command_insert() -> None:
        engine = create_async_engine(postgres_url)
        try:
            async with engine.begin() as conn:
                await conn.execute(text("SET LOCAL lock_timeout = '2s'"))
                await conn.execute(
                    text(
                        "INSERT INTO delivery (subscription_id, person_id, local_date, tip_id, "
                        "status, nonce, attempts, due_at) SELECT id, person_id, :day, 'x', "
                        "'sent', 'n', 0, :due FROM subscription WHERE id = :sid"
                    ),
                    {"day": DUE.date(), "due": DUE, "sid": sid},
                )
            outcome.append("inserted")
        except Exception as exc:  # a lock timeout: the command would have waited on the claim
            outcome.append(type(exc).__name__)
        finally:
            await engine.dispose()

    from sqlalchemy import event

    sync_engine = app.services.database().engine.sync_engine

    def after(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if "FROM subscription s JOIN person p" in statement and not outcome:
            thread = threading.Thread(target=lambda: asyncio.run(command_insert()))
            thread.start()
            thread.join(timeout=30)

    event.listen(sync_engine, "after_cursor_execute", after)
    platform = FakePlatform()
    report = await pipeline(app, clock, platform).tick(clock.now())
    event.remove(sync_engine, "after_cursor_execute", after)
    assert outcome == ["inserted"]
    assert report.sent == 0 and platform.messages == []  # the day was the command's


# --- 5. a settings change while today's prompt is in flight ----------------------------------


@pytest.mark.parametrize("step", ["choosing-tips", "sending", "after-record"])
async def test_a_settings_change_in_flight_keeps_today_and_the_next_day(
    bot: ChatBot, clock: FakeClock, step: str
) -> None:
    await bot.say("/coach subscribe time:10:05 days:daily", locale="en")
    held = SteppedTick.of(bot.app, clock, step)
    pipe, platform = held.pipe, held.platform
    clock.advance(timedelta(minutes=5))
    tick = await held.start()
    clock.advance(timedelta(minutes=1))
    text_reply = await bot.say("/coach settings time:11:00", locale="en")
    assert "tue 2026-03-03 11:00" in text_reply  # the next tip, not a lease
    held.release()
    await tick
    for _ in range((2 * 24 + 2) * 6):
        clock.advance(timedelta(minutes=10))
        await pipe.tick(clock.now())
    days = Counter(r.local_date for r in await deliveries(bot.app) if r.status == "sent")
    assert days == {date(2026, 3, 2): 1, date(2026, 3, 3): 1, date(2026, 3, 4): 1}
    assert len(platform.messages) == 3


# --- 6. unsubscribe, then resubscribe, while a retry waits ------------------------------------


async def test_unsubscribe_and_resubscribe_during_a_retry_do_not_strand_the_day(
    bot: ChatBot, clock: FakeClock
) -> None:
    await bot.say("/coach subscribe time:10:05 days:daily", locale="en")
    down = {"until": 5}
    platform = FakePlatform(
        script=lambda i, t: TransientFailure("503") if i < down["until"] else None
    )
    pipe = pipeline(bot.app, clock, platform)
    clock.advance(timedelta(minutes=5))
    assert (await pipe.tick(clock.now())).later == 1  # today's prompt waits for a retry
    [row] = await deliveries(bot.app)
    assert await history(bot.app, row.person_id) == []  # not delivered: not seen
    await bot.say("/coach unsubscribe", locale="en")
    answer = await bot.say("/coach subscribe time:11:00", locale="en")
    assert "2026-03-02 11:00" not in answer  # no promise of a second tip today
    for _ in range(12):
        clock.advance(timedelta(minutes=10))
        await pipe.tick(clock.now())
    [today] = [r for r in await deliveries(bot.app) if r.local_date == date(2026, 3, 2)]
    assert today.status == "sent" and len(platform.messages) == 1  # late, once
    assert await history(bot.app, row.person_id) == [today.tip_id]


# --- 7. no prompt after "no more daily tips" --------------------------------------------------


@pytest.mark.parametrize("command", ["/coach unsubscribe", "/coach pause until:2026-03-05"])
async def test_nothing_is_sent_after_the_learner_stops_or_pauses(
    bot: ChatBot, clock: FakeClock, command: str
) -> None:
    await bot.say("/coach subscribe time:10:05 days:daily", locale="en")
    choosing, entered = asyncio.Event(), asyncio.Event()

    async def slow_choice(**kwargs: object) -> object:
        entered.set()
        await choosing.wait()
        return await choose_tips_for(**kwargs)  # type: ignore[arg-type]

    platform = FakePlatform()
    pipe = pipeline(bot.app, clock, platform)
    pipe.composer = Composer(choose_tip_for, prompt_reply, slow_choice)
    clock.advance(timedelta(minutes=5))
    tick = asyncio.create_task(pipe.tick(clock.now()))
    await entered.wait()  # the engine holds today's prompt
    await bot.say(command, locale="en")
    choosing.set()
    report = await tick
    assert platform.messages == [] and report.lost == 1
    [row] = await deliveries(bot.app)
    assert row.status == "cancelled"


# --- clocks: a host 150 s ahead of the database ----------------------------------------------


async def test_a_host_clock_ahead_does_not_resend_a_held_prompt(app: App, clock: FakeClock) -> None:
    clock.set(DUE - timedelta(hours=1))
    await subscribe_many(app, ["alice"], days=EVERY_DAY, now=clock.now())
    release = asyncio.Event()
    platform = FakePlatform(hold={0: release}, dedupe=False)
    on_time = pipeline(app, clock, platform, instance="on-time")
    ahead = pipeline(
        app, SkewedClock(clock, timedelta(seconds=150)), platform, instance="ahead",
        lease_clock=clock,
    )  # fmt: skip
    clock.set(DUE)
    first = asyncio.create_task(on_time.tick(clock.now()))
    while not platform.calls:
        await asyncio.sleep(0)
    clock.advance(timedelta(seconds=10))
    for _ in range(3):
        await ahead.tick(ahead.clock.now())
    release.set()
    await first
    assert len(platform.messages) == 1 and len(platform.calls) == 1


# --- 5 (issue's "what to build"). A claim takes what the platform can send in one lease -------


async def test_a_claim_takes_only_what_its_platform_can_send_within_a_lease(
    app: App, clock: FakeClock
) -> None:
    clock.set(DUE - timedelta(hours=1))
    await subscribe_many(app, [f"d{i}" for i in range(150)], platform="discord", now=clock.now())
    timer = VirtualTimer()
    discord = FakePlatform("discord", timer)
    limits = {"discord": PlatformLimits(bot=Limit(1))}  # 1 request/s: 58 new DMs in 2 minutes
    pipe = pipeline(app, clock, discord, timer=timer, limits=limits, concurrency=4)
    held: list[int] = []
    pipe.on_step = lambda name, planned: (
        held.append(len(pipe.in_flight)) if name == "claimed" else None
    )
    clock.set(DUE + timedelta(seconds=30))
    report = await pipe.tick(clock.now())
    assert pipe.budget("discord") == 58 and report.sent == 150
    assert held[0] == 58 and max(held) <= 58 + 2 * 4  # one lease, plus the queue and workers
