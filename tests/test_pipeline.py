"""The delivery pipeline on a fake clock and a fake platform: each local day's prompt goes
out exactly once, through downtime, crashes, timezone changes, 5xx and 429 storms."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from coachbot.app import App
from coachbot.clock import FakeClock
from coachbot.delivery import PermanentFailure, RateLimited, TransientFailure
from coachbot.scheduling.pipeline import Composer, finish
from coachbot.scheduling.ratelimit import Limit, PlatformLimits, VirtualTimer
from tests.delivery_fakes import (
    EVERY_DAY,
    STAND_IN,
    Crash,
    FakePlatform,
    deliveries,
    pipeline,
    reschedule,
    run_days,
    stand_in_reply,
    stand_in_tip,
    subscribe,
    subscribe_many,
    subscription,
    tick_until_crash,
)

MONDAY_0730_UTC = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)  # 08:30 in Paris


async def test_a_prompt_goes_out_at_its_local_time_once(app: App, clock: FakeClock) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    sid = await subscribe(app, "alice", now=clock.now())
    platform = FakePlatform()
    pipe = pipeline(app, clock, platform)
    clock.set(MONDAY_0730_UTC - timedelta(minutes=1))
    assert (await pipe.tick(clock.now())).sent == 0
    clock.set(MONDAY_0730_UTC)
    report = await pipe.tick(clock.now())
    assert (report.claimed, report.sent) == (1, 1)
    assert (await pipe.tick(clock.now() + timedelta(minutes=1))).sent == 0
    [row] = await deliveries(app)
    assert (row.status, row.local_date, row.tip_id, row.attempts) == (
        "sent",
        date(2026, 3, 2),
        f"tip-{sid}",
        1,
    )
    [message] = platform.received_by("alice")
    assert message.nonce == row.nonce and message.reply.title == f"Tip tip-{sid} (en)"
    sub = await subscription(app, sid)
    assert sub.next_due_at == MONDAY_0730_UTC + timedelta(days=1)


async def test_a_week_of_weekday_prompts(app: App, clock: FakeClock) -> None:
    await subscribe(app, "alice", now=clock.now())  # Monday 10:00 in Paris: from Tuesday
    await subscribe(app, "bob", at="07:00", timezone="America/New_York", now=clock.now())
    platform = FakePlatform()
    await run_days(pipeline(app, clock, platform), clock, 8, step=timedelta(minutes=45))
    rows = await deliveries(app)
    alice = [r for r in rows if r.person_id == 1]
    bob = [r for r in rows if r.person_id == 2]
    assert [r.local_date.day for r in alice] == [3, 4, 5, 6, 9, 10]
    assert [r.local_date.day for r in bob] == [2, 3, 4, 5, 6, 9]
    # New York switched to summer time on Sunday 8 March: 07:00 stays 07:00 locally
    assert [r.due_at.hour for r in bob] == [12, 12, 12, 12, 12, 11]
    assert len(platform.received_by("alice")) == 6 and {r.status for r in rows} == {"sent"}


async def test_subscribing_a_minute_before_the_time(app: App, clock: FakeClock) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(minutes=1))
    await subscribe(app, "alice", now=clock.now())
    platform = FakePlatform()
    clock.set(MONDAY_0730_UTC)
    assert (await pipeline(app, clock, platform).tick(clock.now())).sent == 1


async def test_a_timezone_change_never_gives_a_second_prompt_the_same_day(
    app: App, clock: FakeClock
) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    sid = await subscribe(app, "alice", now=clock.now())
    platform = FakePlatform()
    pipe = pipeline(app, clock, platform)
    clock.set(MONDAY_0730_UTC)
    await pipe.tick(clock.now())
    # an hour later she moves to New York, where it is still early Monday morning
    clock.advance(timedelta(hours=1))
    await reschedule(app, sid, clock.now(), timezone="America/New_York")
    assert (await subscription(app, sid)).next_due_at == datetime(2026, 3, 2, 13, 30, tzinfo=UTC)
    await run_days(pipe, clock, 3, step=timedelta(minutes=30))
    rows = await deliveries(app)
    assert [(r.local_date, r.status) for r in rows] == [
        (date(2026, 3, 2), "sent"),
        (date(2026, 3, 3), "sent"),
        (date(2026, 3, 4), "sent"),
    ]
    assert [m.at for m in platform.received_by("alice")] and len(platform.messages) == 3
    assert rows[1].due_at == datetime(2026, 3, 3, 13, 30, tzinfo=UTC)  # 08:30 in New York


async def test_after_downtime_recent_prompts_go_out_once_and_older_are_missed(
    app: App, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 3, 1, 12, tzinfo=UTC))
    late = await subscribe(
        app, "alice", at="08:00", timezone="UTC", days=EVERY_DAY, now=clock.now()
    )
    gone = await subscribe(app, "bob", at="01:00", timezone="UTC", days=EVERY_DAY, now=clock.now())
    platform = FakePlatform()
    # the bot was down from Sunday noon to Wednesday 10:00 UTC
    clock.set(datetime(2026, 3, 4, 10, tzinfo=UTC))
    report = await pipeline(app, clock, platform).tick(clock.now())
    assert (report.sent, report.missed) == (1, 2 + 3)
    rows = await deliveries(app)
    by_sub = {
        s: [(r.local_date.day, r.status) for r in rows if r.subscription_id == s]
        for s in (late, gone)
    }
    assert by_sub[late] == [(2, "missed"), (3, "missed"), (4, "sent")]  # 08:00 is 2 h ago
    assert by_sub[gone] == [(2, "missed"), (3, "missed"), (4, "missed")]  # 01:00 is 9 h ago
    assert [m.target.person.user for m in platform.messages] == ["alice"]
    assert (await subscription(app, gone)).next_due_at == datetime(2026, 3, 5, 1, tzinfo=UTC)


async def test_a_very_long_outage_records_at_most_a_month_of_missed_days(
    app: App, clock: FakeClock
) -> None:
    sid = await subscribe(app, "alice", days=EVERY_DAY, now=clock.now())
    clock.set(datetime(2026, 9, 18, 13, tzinfo=UTC))  # 200 days later, 15:00 in Paris
    report = await pipeline(app, clock, FakePlatform()).tick(clock.now())
    assert (report.missed, report.sent) == (31, 0)
    rows = await deliveries(app)
    assert rows[0].local_date == date(2026, 8, 19) and rows[-1].local_date == date(2026, 9, 18)
    assert (await subscription(app, sid)).next_due_at == datetime(2026, 9, 19, 6, 30, tzinfo=UTC)


STEPS = ["claim-written", "claimed", "tips", "sending", "sent", "recorded"]


async def crash(pipe, now: datetime, step: str) -> None:
    """Run a tick that dies at ``step`` (nothing catches a Crash, as nothing survives a kill)."""

    def hook(name: str, planned: object) -> None:
        if name == step:
            raise Crash(step)

    pipe.on_step = hook
    await tick_until_crash(pipe, now)


@pytest.mark.parametrize("step", STEPS)
async def test_a_crash_at_any_step_loses_nothing_and_doubles_nothing(
    app: App, clock: FakeClock, step: str
) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    users = ["alice", "bob", "carol"]
    subs = [await subscribe(app, u, now=clock.now()) for u in users]
    platform = FakePlatform()  # drops a repeated nonce, like Discord with enforce_nonce
    clock.set(MONDAY_0730_UTC)
    await crash(pipeline(app, clock, platform, instance="dead", concurrency=1), clock.now(), step)
    before = len(platform.calls)
    # the process restarts; the dead one's claims come due again when their lease ends
    restarted = pipeline(app, clock, platform, instance="new")
    for _ in range(10):
        clock.advance(timedelta(minutes=1))
        await restarted.tick(clock.now())
    assert sorted(m.target.person.user for m in platform.messages) == users
    rows = await deliveries(app)
    assert [(r.status, r.local_date) for r in rows] == [("sent", date(2026, 3, 2))] * 3
    for sid in subs:
        assert (await subscription(app, sid)).next_due_at == MONDAY_0730_UTC + timedelta(days=1)
    resent = [n for n, _ in platform.calls[before:]]
    if step == "sent":
        # only the window between the platform's acceptance and the record: one message
        # sent again, with its stored nonce, so a nonce-aware platform drops the copy
        assert len(platform.calls) == 4 and platform.calls[0][0] in resent
    else:
        assert len(platform.calls) == 3


async def test_without_nonce_support_the_window_shows_one_duplicate(
    app: App, clock: FakeClock
) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    await subscribe(app, "alice", now=clock.now())
    platform = FakePlatform(dedupe=False)  # like Slack: no idempotency key
    clock.set(MONDAY_0730_UTC)
    await crash(pipeline(app, clock, platform, concurrency=1), clock.now(), "sent")
    clock.advance(timedelta(minutes=6))
    await pipeline(app, clock, platform, instance="new").tick(clock.now())
    assert len(platform.messages) == 2 and platform.messages[0].nonce == platform.messages[1].nonce


async def test_a_crash_with_many_prompts_in_flight(app: App, clock: FakeClock) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    users = [f"u{i}" for i in range(40)]
    await subscribe_many(app, users, now=clock.now())
    platform = FakePlatform()
    seen = []

    def hook(name: str, planned: object) -> None:
        seen.append(name)
        if seen.count("recorded") == 7:
            raise Crash("kill -9")

    clock.set(MONDAY_0730_UTC)
    pipe = pipeline(app, clock, platform, concurrency=8, batch_size=16)
    pipe.on_step = hook
    await tick_until_crash(pipe, clock.now())
    restarted = pipeline(app, clock, platform, instance="new", batch_size=16)
    await run_days(restarted, clock, 1, step=timedelta(minutes=10))
    assert sorted({m.target.person.user for m in platform.messages}) == sorted(users)
    rows = [r for r in await deliveries(app) if r.local_date == date(2026, 3, 2)]
    assert len(rows) == 40 and {r.status for r in rows} == {"sent"}
    assert len([m for m in platform.messages if m.nonce in {r.nonce for r in rows}]) == 40


async def test_a_transaction_in_flight_ends_however_often_the_tick_is_cancelled() -> None:
    # At shutdown APScheduler cancels the running tick, the scheduler cancels it too, and
    # asyncio cancels what is left: the transaction must still end, not be cut off.
    release = asyncio.Event()
    committed = []

    async def transaction() -> None:
        await release.wait()
        committed.append(True)

    tick = asyncio.create_task(finish(transaction()))
    for _ in range(3):
        await asyncio.sleep(0)  # a yield, not a wait: the tick takes each cancellation
        tick.cancel()
    await asyncio.sleep(0)
    assert not tick.done() and committed == []
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await tick
    assert committed == [True]


async def test_stopping_in_the_middle_of_a_periodic_jobs_query_leaves_its_connection_sound(
    app: App, clock: FakeClock
) -> None:
    # The snoozed-prompts job runs in every tick; shutdown cancels the tick wherever it is.
    # A statement cut off half-way makes the pool tear its connection down, and that
    # teardown could hang the process's exit: the job's transaction must end first.
    from sqlalchemy import event

    from coachbot.app import periodic_jobs
    from coachbot.scheduling.scheduler import Outlets, build_runner

    port = FakePlatform()
    runner = build_runner(
        app.services, STAND_IN, Outlets({port.platform: port}, jobs=periodic_jobs())
    )
    engine = app.services.database().engine.sync_engine
    torn_down: list[object] = []
    ticks: list[asyncio.Task[object]] = []

    def cancel_the_tick(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if "snoozed_until" in statement and ticks:
            ticks[0].cancel()  # shutdown arrives while the job's query is in flight

    event.listen(engine, "after_cursor_execute", cancel_the_tick)
    event.listen(engine, "invalidate", lambda *args: torn_down.append(args))
    ticks.append(asyncio.create_task(runner.tick(clock.now())))
    with pytest.raises(asyncio.CancelledError):
        await ticks[0]
    assert torn_down == []


async def test_a_slow_batch_keeps_its_lease_so_no_other_process_takes_it(
    app: App, clock: FakeClock
) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    await subscribe_many(app, ["alice", "bob", "carol"], now=clock.now())
    slow = asyncio.Event()

    def script(i: int, target: object) -> None:
        if i == 0:
            clock.advance(timedelta(seconds=90))  # the first send takes 90 s

    platform = FakePlatform(script=script, hold={1: slow})  # the second hangs until released
    clock.set(MONDAY_0730_UTC)
    first = asyncio.create_task(pipeline(app, clock, platform, concurrency=1).tick(clock.now()))
    while len(platform.calls) < 2:
        await asyncio.sleep(0)
    clock.advance(timedelta(seconds=60))  # the first claim's 2-minute lease has run out
    other = await pipeline(app, clock, platform, instance="other").tick(clock.now())
    slow.set()
    await first
    assert other.claimed + other.retried == 0  # the lease was renewed before the 2nd request
    assert sorted(m.target.person.user for m in platform.messages) == ["alice", "bob", "carol"]
    assert len(platform.calls) == 3


async def test_a_failing_tip_choice_delays_the_prompt_but_never_loses_it(
    app: App, clock: FakeClock
) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    await subscribe(app, "alice", now=clock.now())
    broken = {"tips": True}

    async def flaky(*, session, services, subscription) -> str:  # type: ignore[no-untyped-def]
        if broken["tips"]:
            raise RuntimeError("selection bug")
        return await stand_in_tip(session=session, services=services, subscription=subscription)

    platform = FakePlatform()
    pipe = pipeline(app, clock, platform)
    pipe.composer = Composer(flaky, stand_in_reply)
    clock.set(MONDAY_0730_UTC)
    report = await pipe.tick(clock.now())
    assert (report.claimed, report.sent, report.later) == (1, 0, 1) and not pipe.in_flight
    broken["tips"] = False
    for _ in range(5):
        clock.advance(timedelta(minutes=1))
        await pipe.tick(clock.now())
    [monday] = [r for r in await deliveries(app) if r.local_date == date(2026, 3, 2)]
    assert (monday.status, monday.tip_id) == ("sent", "tip-1")
    assert monday.sent_at == MONDAY_0730_UTC + timedelta(minutes=2)  # when the lease ends


async def test_three_permanent_failures_in_a_row_mark_the_subscription_failing(
    app: App, clock: FakeClock
) -> None:
    sid = await subscribe(app, "alice", days=EVERY_DAY, now=clock.now())
    closed = {"dms": True}

    def script(i: int, target: object) -> BaseException | None:
        return PermanentFailure("DMs closed") if closed["dms"] else None

    platform = FakePlatform(script=script)
    pipe = pipeline(app, clock, platform)
    await run_days(pipe, clock, 2, step=timedelta(hours=1))
    assert (await subscription(app, sid)).consecutive_failures == 2
    closed["dms"] = False  # a success in between starts the count again
    await run_days(pipe, clock, 1, step=timedelta(hours=1))
    assert (await subscription(app, sid)).consecutive_failures == 0
    closed["dms"] = True
    await run_days(pipe, clock, 5, step=timedelta(hours=1))
    sub = await subscription(app, sid)
    assert (sub.failing, sub.failing_notified, sub.consecutive_failures) == (True, False, 3)
    assert sub.next_due_at is None  # no more requests to a closed door
    statuses = [r.status for r in await deliveries(app)]
    assert statuses == ["failed", "failed", "sent", "failed", "failed", "failed"]
    assert len(platform.calls) == 6  # a permanent failure is never retried


async def test_a_5xx_storm_is_retried_with_growing_jittered_backoff(
    app: App, clock: FakeClock
) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    await subscribe(app, "alice", now=clock.now())
    platform = FakePlatform(script=lambda i, t: TransientFailure("502") if i < 4 else None)
    clock.set(MONDAY_0730_UTC)
    report = await pipeline(app, clock, platform).tick(clock.now())
    assert report.sent == 1 and len(platform.calls) == 5 and len(platform.messages) == 1
    waits = platform.timer.slept
    assert len(waits) == 4
    for n, wait in enumerate(waits, start=1):  # half fixed, half jitter: in [d/2, d]
        ceiling = 0.5 * 2 ** (n - 1)
        assert ceiling / 2 <= wait <= ceiling
    [row] = await deliveries(app)
    assert row.attempts == 5


async def test_a_long_outage_of_the_platform_leaves_the_prompt_for_a_later_tick(
    app: App, clock: FakeClock
) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    await subscribe(app, "alice", now=clock.now())
    down = {"until": 12}
    platform = FakePlatform(
        script=lambda i, t: TransientFailure("503") if i < down["until"] else None
    )
    pipe = pipeline(app, clock, platform)
    clock.set(MONDAY_0730_UTC)
    report = await pipe.tick(clock.now())
    assert (report.sent, report.later) == (0, 1) and len(platform.calls) == 5
    [row] = await deliveries(app)
    assert (row.status, row.attempts) == ("retry", 5) and "503" in (row.error or "")
    await run_days(pipe, clock, 1, step=timedelta(minutes=2))
    [row] = [r for r in await deliveries(app) if r.local_date == date(2026, 3, 2)]
    assert (row.status, row.attempts) == ("sent", 13)
    assert len(platform.messages) == 2  # Monday's, late but within catch-up, and Tuesday's


async def test_prompts_stuck_beyond_catch_up_are_given_up(app: App, clock: FakeClock) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    await subscribe(app, "alice", now=clock.now())
    platform = FakePlatform(script=lambda i, t: TransientFailure("503"))
    pipe = pipeline(app, clock, platform)
    clock.set(MONDAY_0730_UTC)
    await run_days(pipe, clock, 1, step=timedelta(minutes=10))
    monday = [r for r in await deliveries(app) if r.local_date == date(2026, 3, 2)]
    assert monday[0].status == "failed" and platform.messages == []


async def test_a_429_storm_is_honoured(app: App, clock: FakeClock) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    for user in ("alice", "bob", "carol"):
        await subscribe(app, user, now=clock.now())
    timer = VirtualTimer()

    def storm(i: int, target: object) -> BaseException | None:
        return RateLimited(retry_after=2.0) if timer.now < 10 else None

    platform = FakePlatform(timer=timer, script=storm)
    clock.set(MONDAY_0730_UTC)
    report = await pipeline(app, clock, platform, concurrency=1).tick(clock.now())
    assert report.sent == 3 and len(platform.messages) == 3
    limited = [t for _, t in platform.calls if t < 10]
    # after each 429, nothing is sent before its retry-after has passed
    assert all(b - a >= 2.0 for a, b in itertools.pairwise(limited))
    assert len(limited) == 5


async def test_the_limiter_keeps_a_rate_limited_platform_from_ever_saying_429(
    app: App, clock: FakeClock
) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    await subscribe_many(app, [f"u{i}" for i in range(120)], now=clock.now())
    timer = VirtualTimer()
    platform = FakePlatform(timer=timer, limit=Limit(50, burst=50))
    limits = {"console": PlatformLimits(bot=Limit(50, burst=10))}
    clock.set(MONDAY_0730_UTC)
    report = await pipeline(app, clock, platform, timer=timer, limits=limits).tick(clock.now())
    assert report.sent == 120 and platform.rejected_429 == 0
    steady = [t for _, t in platform.calls[10:]]  # after the first burst of 10
    rate = (len(steady) - 1) / (steady[-1] - steady[0])
    assert 0.95 * 50 <= rate <= 50


async def test_inactive_failing_and_other_platform_subscriptions_are_left_alone(
    app: App, clock: FakeClock
) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    gone = await subscribe(app, "alice", now=clock.now(), active=False)
    failing = await subscribe(app, "bob", now=clock.now(), failing=True)
    other = await subscribe(app, "dora", now=clock.now(), platform="discord")
    clock.set(MONDAY_0730_UTC)
    platform = FakePlatform()
    assert (await pipeline(app, clock, platform).tick(clock.now())).sent == 0
    assert (await subscription(app, gone)).next_due_at is None
    assert (await subscription(app, failing)).next_due_at is None
    assert (await subscription(app, other)).next_due_at == MONDAY_0730_UTC  # for its own process
    assert platform.calls == []


async def test_a_tip_shown_by_a_command_counts_as_the_days_prompt(
    app: App, clock: FakeClock
) -> None:
    from coachbot.db.models import Delivery

    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    sid = await subscribe(app, "alice", now=clock.now())
    async with app.services.database().session() as session:
        session.add(
            Delivery(
                subscription_id=sid,
                person_id=1,
                local_date=date(2026, 3, 2),
                tip_id="t",
                status="sent",
                nonce="n",
                due_at=clock.now(),
            )
        )
    clock.set(MONDAY_0730_UTC)
    report = await pipeline(app, clock, FakePlatform()).tick(clock.now())
    assert (report.sent, report.already_handled) == (0, 1)
    assert (await subscription(app, sid)).next_due_at == MONDAY_0730_UTC + timedelta(days=1)


async def test_the_whole_tick_with_the_real_prompt_and_its_snooze_button(
    app: App, clock: FakeClock
) -> None:
    from coachbot.app import periodic_jobs
    from coachbot.dispatch import run_action
    from coachbot.prompts.compose import choose_tip_for, choose_tips_for, prompt_reply
    from coachbot.reply import Actions
    from coachbot.scheduling.scheduler import Outlets, build_runner

    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    await subscribe(app, "alice", now=clock.now())
    platform = FakePlatform()
    composer = Composer(choose_tip_for, prompt_reply, choose_tips_for)
    outlets = Outlets({platform.platform: platform}, jobs=periodic_jobs())
    runner = build_runner(app.services, composer, outlets, timer=platform.timer)
    clock.set(MONDAY_0730_UTC)
    assert (await runner.tick(clock.now())).sent == 1
    [prompt] = platform.messages
    buttons = [
        b for block in prompt.reply.blocks if isinstance(block, Actions) for b in block.buttons
    ]
    assert [b.label for b in buttons] == ["Done", "Skip", "Snooze 1h", "Too easy", "Too hard"]
    snooze = next(b.action for b in buttons if b.label == "Snooze 1h")
    await run_action(app.dispatcher, prompt.target.person, snooze, "en")
    clock.advance(timedelta(minutes=30))
    await runner.tick(clock.now())
    assert len(platform.messages) == 1  # not yet
    clock.advance(timedelta(minutes=31))
    await runner.tick(clock.now())
    again = platform.messages[1]
    assert again.reply.title == prompt.reply.title and again.nonce != prompt.nonce
    assert len(await deliveries(app)) == 1  # still one prompt for the day


async def test_a_settings_change_while_a_prompt_waits_for_a_retry_loses_nothing(
    app: App, clock: FakeClock
) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    sid = await subscribe(app, "alice", now=clock.now())
    outage = FakePlatform(script=lambda i, _: TransientFailure("503") if i < 5 else None)
    pipe = pipeline(app, clock, outage)
    clock.set(MONDAY_0730_UTC)
    assert (await pipe.tick(clock.now())).later == 1  # the platform is down: kept for later
    clock.advance(timedelta(seconds=30))
    await reschedule(app, sid, clock.now(), language="fr")  # /coach settings language:fr
    await run_days(pipe, clock, 1)
    rows = [(str(r.local_date), r.status) for r in await deliveries(app)]
    assert rows == [("2026-03-02", "sent"), ("2026-03-03", "sent")]
    assert len(outage.messages) == 2


@pytest.mark.parametrize("change", [{"local_time": "09:00"}, {"language": "fr"}])
async def test_a_settings_change_after_a_crash_at_claim_loses_nothing(
    app: App, clock: FakeClock, change: dict[str, object]
) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    sid = await subscribe(app, "alice", now=clock.now())
    platform = FakePlatform()
    dead = pipeline(app, clock, platform, instance="dead")

    def crash(name: str, planned: object) -> None:
        if name == "claimed":
            raise Crash(name)

    dead.on_step = crash
    clock.set(MONDAY_0730_UTC)
    await tick_until_crash(dead, clock.now())
    clock.advance(timedelta(seconds=30))
    await reschedule(app, sid, clock.now(), **change)  # within the dead process's lease
    await run_days(pipeline(app, clock, platform, instance="new"), clock, 2, timedelta(minutes=5))
    statuses = [(str(r.local_date), r.status) for r in await deliveries(app)]
    assert statuses[:2] == [("2026-03-02", "sent"), ("2026-03-03", "sent")]
    assert {status for _, status in statuses} == {"sent"}
    assert len(platform.messages) == len(statuses)  # Monday's, late but once, then one a day


@pytest.mark.parametrize(
    ("zone", "at", "start", "expected_utc"),
    [
        # Paris springs forward at 02:00 on 29 March 2026: 02:30 does not exist that day
        # and fires at 03:30 (the gap's length later), once.
        (
            "Europe/Paris",
            "02:30",
            datetime(2026, 3, 27, 12, tzinfo=UTC),
            ["2026-03-28 01:30", "2026-03-29 01:30", "2026-03-30 00:30"],
        ),
        # Paris falls back at 03:00 on 25 October 2026: 02:30 happens twice, fires once.
        (
            "Europe/Paris",
            "02:30",
            datetime(2026, 10, 23, 12, tzinfo=UTC),
            ["2026-10-24 00:30", "2026-10-25 00:30", "2026-10-26 01:30"],
        ),
        # New York falls back at 02:00 on 1 November 2026: 01:30 happens twice, fires once.
        (
            "America/New_York",
            "01:30",
            datetime(2026, 10, 30, 12, tzinfo=UTC),
            ["2026-10-31 05:30", "2026-11-01 05:30", "2026-11-02 06:30"],
        ),
        # UTC+14 and UTC-12: the learner's own day, whatever the UTC date.
        (
            "Pacific/Kiritimati",
            "08:30",
            datetime(2026, 3, 1, 12, tzinfo=UTC),
            ["2026-03-01 18:30", "2026-03-02 18:30", "2026-03-03 18:30"],
        ),
        (
            "Etc/GMT+12",
            "08:30",
            datetime(2026, 3, 1, 12, tzinfo=UTC),
            ["2026-03-01 20:30", "2026-03-02 20:30", "2026-03-03 20:30"],
        ),
        # A leap day is a day like any other.
        (
            "Europe/Paris",
            "08:30",
            datetime(2028, 2, 28, 12, tzinfo=UTC),
            ["2028-02-29 07:30", "2028-03-01 07:30", "2028-03-02 07:30"],
        ),
    ],
)
async def test_one_prompt_per_local_day_through_the_whole_pipeline(
    app: App, clock: FakeClock, zone: str, at: str, start: datetime, expected_utc: list[str]
) -> None:
    clock.set(start)
    await subscribe(app, "alice", at=at, timezone=zone, days=EVERY_DAY, now=clock.now())
    platform = FakePlatform()
    await run_days(pipeline(app, clock, platform), clock, 3, step=timedelta(minutes=10))
    rows = await deliveries(app)
    assert [r.due_at.strftime("%Y-%m-%d %H:%M") for r in rows] == expected_utc
    assert {r.status for r in rows} == {"sent"} and len(platform.messages) == 3
    local_days = [r.local_date for r in rows]
    assert len(set(local_days)) == 3  # one per local day, none twice
    for row in rows:  # each sent within a tick of its due time, never early
        assert row.sent_at is not None and timedelta(0) <= row.sent_at - row.due_at <= timedelta(
            minutes=10
        )
