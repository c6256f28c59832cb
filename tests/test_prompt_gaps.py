"""The learner's side of daily prompts meeting the engine: snoozes that must not go out,
a snooze re-sent after a crash keeping its nonce, ``/coach tip`` while the engine holds
today's row, and ``/coach resume`` of a failing subscription."""

from __future__ import annotations

from datetime import datetime, timedelta

from coachbot.clock import FakeClock
from coachbot.db.models import Subscription
from coachbot.knowledge.models import KnowledgeBase
from coachbot.markup import escape
from coachbot.prompts.compose import choose_tip_for
from coachbot.prompts.deliveries import snooze_sent
from coachbot.reply import Reply, Text
from coachbot.scheduling.claim import Claim, ClaimConfig, claim_batch
from tests.chat import ChatBot
from tests.test_prompt_actions import action_of, delivery, press, snoozes
from tests.test_subscribe import stored

# The clock fixture starts on Monday 2026-03-02 at 09:00 UTC, 10:00 in Paris.
ENGINE = ClaimConfig(instance="engine", platforms=("console",))  # leases on the database clock


async def subscribed_prompt(bot: ChatBot) -> Reply:
    """A subscriber's prompt for today, shown by ``/coach tip``."""
    await bot.say("/coach subscribe", locale="en")
    return await bot.reply("/coach tip", locale="en")


async def set_subscription(bot: ChatBot, **values: object) -> None:
    sub = await stored(bot.app, bot.person.user)
    assert sub is not None
    async with bot.app.services.database().session() as session:
        row = await session.get(Subscription, sub.id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)


async def test_unsubscribing_drops_a_pending_snooze(bot: ChatBot, clock: FakeClock) -> None:
    prompt = await subscribed_prompt(bot)
    await press(bot, action_of(prompt, "Snooze 1h"))
    await bot.say("/coach unsubscribe", locale="en")
    assert await snoozes(bot, clock.advance(timedelta(hours=1))) == []
    assert (await delivery(bot, action_of(prompt, "Done"))).snoozed_until is None


async def test_a_failing_or_paused_subscription_drops_its_snooze(
    bot: ChatBot, clock: FakeClock
) -> None:
    for user, state in (("ana", {"failing": True}), ("bob", {"paused_until": clock.now().date()})):
        learner = bot.as_(user)
        await press(learner, action_of(await subscribed_prompt(learner), "Snooze 1h"), user=user)
        await set_subscription(learner, **state)
    assert await snoozes(bot, clock.advance(timedelta(hours=1))) == []
    assert await snoozes(bot, clock.advance(timedelta(days=2))) == []  # dropped, not delayed


async def test_a_snooze_of_an_active_subscription_still_goes_out(
    bot: ChatBot, clock: FakeClock
) -> None:
    prompt = await subscribed_prompt(bot)
    await press(bot, action_of(prompt, "Snooze 1h"))
    await set_subscription(bot, paused_until=clock.now().date() - timedelta(days=1))
    assert len(await snoozes(bot, clock.advance(timedelta(hours=1)))) == 1


async def test_a_resend_retried_after_a_crash_keeps_its_nonce(
    bot: ChatBot, clock: FakeClock
) -> None:
    prompt = await subscribed_prompt(bot)
    snooze = action_of(prompt, "Snooze 1h")
    await press(bot, snooze)
    first = await snoozes(bot, clock.advance(timedelta(hours=1)))
    # The process dies between the send and snooze_sent; the lease runs out.
    again = await snoozes(bot, clock.advance(timedelta(minutes=11)))
    assert [d.nonce for d in again] == [d.nonce for d in first]
    async with bot.app.services.database().session() as session:
        await snooze_sent(session=session, delivery_id=again[0].delivery_id)
    # A second snooze of the same prompt is a new message: a new nonce.
    await press(bot, snooze)
    second = await snoozes(bot, clock.advance(timedelta(hours=1)))
    assert len(second) == 1 and second[0].nonce != first[0].nonce
    assert first[0].nonce != (await delivery(bot, snooze)).nonce


async def claim(bot: ChatBot, now: datetime) -> Claim:
    async with bot.app.services.database().engine.begin() as conn:
        return await claim_batch(conn, now=now, config=ENGINE, platform="console", limit=100)


async def test_tip_while_the_engine_claimed_today_takes_the_day_over(
    bot: ChatBot, clock: FakeClock, kb: KnowledgeBase
) -> None:
    await bot.say("/coach subscribe time:10:05 days:daily language:fr", locale="en")
    claimed = await claim(bot, clock.advance(timedelta(minutes=5)))
    assert len(claimed.planned) == 1 and claimed.planned[0].tip_id == ""
    sub = await stored(bot.app)
    assert sub is not None
    async with bot.app.services.database().session() as session:
        expected = await choose_tip_for(
            session=session, services=bot.app.services, subscription=sub
        )
    reply = await bot.reply("/coach tip", locale="en")
    row = await delivery(bot, action_of(reply, "Fait"))  # in the subscription's language
    assert row.id == claimed.planned[0].delivery_id
    assert (row.tip_id, row.status, row.sent_at) == (expected, "sent", clock.now())
    tip = next(t for t in kb.tips if t.id == expected)
    assert reply.blocks[0] == Text(escape(tip.lesson.get("fr")))
    # The day is the command's now: the engine neither holds nor sends anything today.
    again = await claim(bot, clock.advance(timedelta(minutes=3)))
    assert again.planned == [] and row.claimed_by == "command"
    sub = await stored(bot.app)
    assert sub is not None and sub.next_due_at is not None
    assert sub.next_due_at.date() == clock.now().date() + timedelta(days=1)


async def test_resume_tries_a_failing_subscription_again(bot: ChatBot) -> None:
    await bot.say("/coach subscribe", locale="en")
    await set_subscription(
        bot, failing=True, failing_notified=True, consecutive_failures=3, next_due_at=None
    )
    text = await bot.say("/coach resume", locale="en")
    assert "Back on" in text and "direct messages" in text and "where:here" in text
    assert "tue 2026-03-03 08:30" in text and "No pause was running" not in text
    sub = await stored(bot.app)
    assert sub is not None and not sub.failing and not sub.failing_notified
    assert sub.consecutive_failures == 0 and sub.next_due_at is not None
    assert "No pause was running" in await bot.say("/coach resume", locale="en")


async def test_snoozing_while_paused_says_why_and_changes_nothing(bot: ChatBot) -> None:
    prompt = await subscribed_prompt(bot)
    await bot.say("/coach pause until:2026-03-10", locale="en")
    reply = await press(bot, action_of(prompt, "Snooze 1h"))
    assert "/coach resume" in reply.blocks[0].markup  # type: ignore[union-attr]
    assert (await delivery(bot, action_of(prompt, "Done"))).snoozed_until is None
