"""The failing-delivery notice: shown once at the next command, without a database read
on the commands of everyone else."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from coachbot.app import App
from coachbot.clock import FakeClock
from coachbot.delivery import PermanentFailure
from coachbot.prompts.notices import PendingNotices
from tests.chat import ChatBot
from tests.delivery_fakes import FakePlatform, pipeline, run_days, subscribe

EVERY_DAY = frozenset(range(7))
ON_HOLD = "on hold"


@contextmanager
def statements(app: App) -> Iterator[list[str]]:
    """The SQL statements run while the block runs."""
    seen: list[str] = []
    engine = app.services.database().engine.sync_engine

    def record(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_a_failing_subscription_is_told_once(
    bot: ChatBot, app: App, clock: FakeClock
) -> None:
    bot.session.workspace = "w1"  # where tests.delivery_fakes.subscribe puts people
    await bot.say("/coach language en")
    person = bot.person
    await subscribe(app, person.user, now=clock.now(), failing=True, platform=person.platform)
    app.services.pending_notices.changed()
    assert ON_HOLD in (await bot.reply("/cto types")).notices[0]
    assert (await bot.reply("/cto types")).notices == ()


async def test_commands_read_no_notice_state_when_nothing_waits(bot: ChatBot, app: App) -> None:
    await bot.say("/coach language en")
    await bot.say("/cto types")  # the first command of the process reads who waits, once
    with statements(app) as seen:
        for _ in range(5):
            await bot.say("/cto types")
    assert seen == []


async def test_the_engine_marking_a_subscription_failing_is_seen_at_once(
    bot: ChatBot, app: App, clock: FakeClock
) -> None:
    bot.session.workspace = "w1"
    # A memory that would stay stale for a month: only the engine's invalidation shows it.
    app.services.pending_notices = PendingNotices(
        app.services.database(), clock, timedelta(days=30)
    )  # type: ignore[misc]
    await bot.say("/coach language en")
    await bot.say("/cto types")
    person = bot.person
    await subscribe(app, person.user, days=EVERY_DAY, now=clock.now(), platform=person.platform)
    platform = FakePlatform(script=lambda i, target: PermanentFailure("DMs closed"))
    await run_days(pipeline(app, clock, platform), clock, 4, step=timedelta(hours=1))
    reply = await bot.reply("/cto types")
    assert reply.notices and ON_HOLD in reply.notices[0]
