"""Several bot processes on one PostgreSQL: ``FOR UPDATE SKIP LOCKED`` splits the due prompts,
and each one goes out exactly once, even when one process dies mid-way."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from coachbot.app import App
from coachbot.clock import FakeClock
from tests.delivery_fakes import (
    EVERY_DAY,
    Crash,
    FakePlatform,
    deliveries,
    pipeline,
    subscribe_many,
    tick_until_crash,
)

DUE = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)


async def test_two_dispatchers_racing_deliver_each_prompt_exactly_once(
    pg_apps: list[App], clock: FakeClock
) -> None:
    clock.set(DUE - timedelta(hours=1))
    users = [f"u{i}" for i in range(300)]
    await subscribe_many(pg_apps[0], users, days=EVERY_DAY, now=clock.now())
    platform = FakePlatform(dedupe=False)  # a duplicate would show
    a = pipeline(pg_apps[0], clock, platform, instance="a", batch_size=20)
    b = pipeline(pg_apps[1], clock, platform, instance="b", batch_size=20)
    for day in range(3):
        clock.set(DUE + timedelta(days=day))
        await asyncio.gather(a.tick(clock.now()), b.tick(clock.now()), a.tick(clock.now()))
    received = Counter(m.target.person.user for m in platform.messages)
    assert set(received) == set(users) and set(received.values()) == {3}
    rows = await deliveries(pg_apps[1])
    assert len(rows) == 900 and {r.status for r in rows} == {"sent"}
    by = Counter(r.claimed_by for r in rows)
    assert by["a"] > 0 and by["b"] > 0, by  # both processes took a share


async def test_when_one_process_dies_the_other_finishes_its_work(
    pg_apps: list[App], clock: FakeClock
) -> None:
    clock.set(DUE - timedelta(hours=1))
    users = [f"u{i}" for i in range(60)]
    await subscribe_many(pg_apps[0], users, now=clock.now())
    platform = FakePlatform()  # drops a repeated nonce, like Discord's enforce_nonce
    dying = pipeline(pg_apps[0], clock, platform, instance="dying", batch_size=20)
    sent = []

    def hook(step: str, planned: object) -> None:
        sent.append(step)
        if sent.count("sent") == 10:
            raise Crash("kill -9")

    dying.on_step = hook
    clock.set(DUE)
    await tick_until_crash(dying, clock.now())
    survivor = pipeline(pg_apps[1], clock, platform, instance="survivor", batch_size=20)
    await survivor.tick(clock.now())  # takes what was never claimed, not the dead one's claims
    for _ in range(8):
        clock.advance(timedelta(minutes=1))
        await survivor.tick(clock.now())  # the dead one's leases run out: its claims go out
    assert sorted(m.target.person.user for m in platform.messages) == sorted(users)
    rows = await deliveries(pg_apps[1])
    assert len(rows) == 60 and {r.status for r in rows} == {"sent"}
    assert Counter(n for n, _ in platform.calls).most_common(1)[0][1] <= 2


async def test_downtime_on_postgresql_records_missed_days_and_sends_the_recent_one(
    pg_apps: list[App], clock: FakeClock
) -> None:
    from datetime import date

    from coachbot.db.models import Delivery

    app = pg_apps[0]
    clock.set(datetime(2026, 3, 1, 12, tzinfo=UTC))
    late = await subscribe_many(
        app, ["alice", "bob"], at="08:00", timezone="UTC", days=EVERY_DAY, now=clock.now()
    )
    gone = await subscribe_many(
        app, ["carol"], at="01:00", timezone="UTC", days=EVERY_DAY, now=clock.now()
    )
    async with app.services.database().session() as session:  # bob saw Wednesday's by /coach tip
        session.add(
            Delivery(
                subscription_id=late[1],
                person_id=2,
                local_date=date(2026, 3, 4),
                tip_id="t",
                status="sent",
                nonce="n",
                due_at=clock.now(),
            )
        )
    platform = FakePlatform()
    clock.set(datetime(2026, 3, 4, 10, tzinfo=UTC))  # down from Sunday noon to Wednesday 10:00
    report = await pipeline(app, clock, platform).tick(clock.now())
    assert (report.sent, report.missed, report.already_handled) == (1, 2 + 2 + 3, 1)
    assert [m.target.person.user for m in platform.messages] == ["alice"]
    rows = await deliveries(app)
    days = {
        sid: sorted((r.local_date.day, r.status) for r in rows if r.subscription_id == sid)
        for sid in (*late, *gone)
    }
    assert days[late[0]] == [(2, "missed"), (3, "missed"), (4, "sent")]
    assert days[late[1]] == [(2, "missed"), (3, "missed"), (4, "sent")]  # the command's row
    assert days[gone[0]] == [(2, "missed"), (3, "missed"), (4, "missed")]


async def test_tips_chosen_together_on_postgresql_match_those_chosen_alone(
    pg_apps: list[App], clock: FakeClock
) -> None:
    import random

    from tests.test_tip_batch import give_pasts, tips_alone

    app = pg_apps[0]
    clock.set(DUE - timedelta(hours=1))
    sids = await subscribe_many(app, [f"u{i}" for i in range(30)], now=clock.now())
    await give_pasts(app, sids, app.services.kb, random.Random(11))
    expected = await tips_alone(app, sids)
    from coachbot.prompts.compose import choose_tip_for, choose_tips_for, prompt_reply
    from coachbot.scheduling.pipeline import Composer

    pipe = pipeline(app, clock, FakePlatform(), batch_size=20)
    pipe.composer = Composer(choose_tip_for, prompt_reply, choose_tips_for)
    clock.set(DUE)
    assert (await pipe.tick(clock.now())).sent == 30
    today = {r.subscription_id: r.tip_id for r in await deliveries(app) if r.status == "sent"}
    assert today == expected
