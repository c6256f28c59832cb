"""The buttons of a daily prompt: Done feeds the streak, feedback is stored once, snooze
re-sends, and nobody but the learner may press them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from coachbot.clock import FakeClock
from coachbot.db.models import Activity, Delivery
from coachbot.dispatch import run_action
from coachbot.identity import PersonRef
from coachbot.knowledge.models import KnowledgeBase
from coachbot.prompts.compose import prompt_reply
from coachbot.prompts.deliveries import DueSnooze, due_snoozes, snooze_sent, tip_history
from coachbot.prompts.selection import Served
from coachbot.reply import Actions, Reply, Tone
from tests.chat import ChatBot

PLATFORMS = ("console",)  # the platforms of the process asking


async def todays_tip(bot: ChatBot) -> Reply:
    await bot.say("/coach language lang:en")
    return await bot.reply("/coach tip")


def action_of(reply: Reply, label: str) -> str:
    buttons = [b for blk in reply.blocks if isinstance(blk, Actions) for b in blk.buttons]
    return next(b.action for b in buttons if b.label == label)


async def press(bot: ChatBot, action_id: str, user: str = "alice") -> Reply:
    person = PersonRef(bot.person.platform, bot.person.workspace, user)
    return await run_action(bot.app.dispatcher, person, action_id, None)


async def delivery(bot: ChatBot, action_id: str) -> Delivery:
    async with bot.app.services.database().session() as session:
        found = await session.get(Delivery, int(action_id.rsplit(":", 1)[1]))
    assert found is not None
    return found


async def snoozes(
    bot: ChatBot, now: datetime, platforms: tuple[str, ...] = PLATFORMS
) -> list[DueSnooze]:
    """What a tick of a process with ports for ``platforms`` leases, at ``now``."""
    async with bot.app.services.database().session() as session:
        return await due_snoozes(session=session, now=now, platforms=platforms)


async def activities(bot: ChatBot) -> list[Activity]:
    async with bot.app.services.database().session() as session:
        return list(await session.exec(select(Activity)))


def test_prompt_reply_has_the_five_buttons(kb: KnowledgeBase) -> None:
    tip = kb.tips[0]
    reply = prompt_reply(kb, tip.id, "fr", 42)
    actions = next(b for b in reply.blocks if isinstance(b, Actions))
    assert [b.action for b in actions.buttons] == [
        "prompt:done:42",
        "prompt:skip:42",
        "prompt:snooze:42",
        "prompt:too_easy:42",
        "prompt:too_hard:42",
    ]
    assert [b.label for b in actions.buttons][:3] == ["Fait", "Passer", "Plus tard (1 h)"]
    assert reply.tone is Tone.PROMPT and "Conseil du jour" in (reply.title or "")
    english = prompt_reply(kb, tip.id, "en", 42)
    assert "Today:" in english.blocks[1].markup  # type: ignore[union-attr]


async def test_done_feeds_the_streak_once(bot: ChatBot, clock: FakeClock) -> None:
    from coachbot.tracker.activity import current_streak

    tip = await todays_tip(bot)
    done = action_of(tip, "Done")
    first = await press(bot, done)
    assert "Well done" in first.blocks[0].markup  # type: ignore[union-attr]
    second = await press(bot, done)
    assert "Already noted" in second.blocks[0].markup  # type: ignore[union-attr]
    rows = await activities(bot)
    assert [(a.kind, a.local_date.isoformat()) for a in rows] == [("prompt_done", "2026-03-02")]
    assert (await delivery(bot, done)).feedback == "done"
    clock.advance(timedelta(days=1))
    await press(bot, action_of(await bot.reply("/coach tip"), "Done"))
    async with bot.app.services.database().session() as session:
        streak = await current_streak(
            session=session, person_id=rows[0].person_id, today=datetime(2026, 3, 3).date()
        )
    assert streak == 2


async def test_feedback_buttons_store_the_last_choice(bot: ChatBot) -> None:
    tip = await todays_tip(bot)
    for label, stored in (("Too easy", "too_easy"), ("Too hard", "too_hard"), ("Skip", "skip")):
        reply = await press(bot, action_of(tip, label))
        assert reply.ephemeral and reply.tone is Tone.SUCCESS
        assert (await delivery(bot, action_of(tip, label))).feedback == stored
    assert await activities(bot) == []


async def test_someone_else_gets_a_neutral_refusal(bot: ChatBot) -> None:
    tip = await todays_tip(bot)
    for label in ("Done", "Skip", "Snooze 1h"):
        reply = await press(bot, action_of(tip, label), user="mallory")
        assert "belong to the person who received this tip" in reply.blocks[0].markup or (  # type: ignore[union-attr]
            "réservés à la personne" in reply.blocks[0].markup  # type: ignore[union-attr]
        )
        assert reply.tone is not Tone.SUCCESS
    row = await delivery(bot, action_of(tip, "Done"))
    assert row.feedback is None and row.snoozed_until is None
    assert await activities(bot) == []


async def test_malformed_button_ids_are_refused(bot: ChatBot) -> None:
    await todays_tip(bot)
    for action_id in ("prompt:done:", "prompt:dance:1", "prompt:done:999", "prompt:x"):
        reply = await press(bot, action_id)
        assert reply.tone is not Tone.SUCCESS


async def test_snooze_resends_after_an_hour_once(bot: ChatBot, clock: FakeClock) -> None:
    tip = await todays_tip(bot)
    snooze = action_of(tip, "Snooze 1h")
    assert "in an hour" in (await press(bot, snooze)).blocks[0].markup  # type: ignore[union-attr]
    assert "Already snoozed" in (await press(bot, snooze)).blocks[0].markup  # type: ignore[union-attr]
    assert await snoozes(bot, clock.advance(timedelta(minutes=59))) == []
    due = await snoozes(bot, clock.advance(timedelta(minutes=1)))
    assert [d.delivery_id for d in due] == [(await delivery(bot, snooze)).id]
    assert due[0].target.person == bot.person and due[0].target.channel is None
    assert due[0].language == "en" and len(due[0].nonce) == 24
    assert await snoozes(bot, clock.now()) == []  # leased: another tick does not take it again
    async with bot.app.services.database().session() as session:
        await snooze_sent(session=session, delivery_id=due[0].delivery_id)
    assert (await delivery(bot, snooze)).snoozed_until is None
    assert await snoozes(bot, clock.advance(timedelta(hours=5))) == []  # nothing left, ever


async def test_a_lost_snooze_send_is_offered_again(bot: ChatBot, clock: FakeClock) -> None:
    tip = await todays_tip(bot)
    await press(bot, action_of(tip, "Snooze 1h"))
    first = await snoozes(bot, clock.advance(timedelta(hours=1)))
    # The process dies before snooze_sent; after the lease the prompt comes back.
    again = await snoozes(bot, clock.advance(timedelta(minutes=11)))
    assert [d.delivery_id for d in again] == [d.delivery_id for d in first]


async def test_no_snooze_once_done(bot: ChatBot, clock: FakeClock) -> None:
    tip = await todays_tip(bot)
    await press(bot, action_of(tip, "Done"))
    reply = await press(bot, action_of(tip, "Snooze 1h"))
    assert "Already noted" in reply.blocks[0].markup  # type: ignore[union-attr]
    assert (await delivery(bot, action_of(tip, "Done"))).snoozed_until is None
    assert clock.now() == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_a_snooze_is_left_to_a_process_of_its_platform(
    bot: ChatBot, clock: FakeClock
) -> None:
    tip = await todays_tip(bot)
    await press(bot, action_of(tip, "Snooze 1h"))
    snoozed_until = (await delivery(bot, action_of(tip, "Done"))).snoozed_until
    later = clock.advance(timedelta(hours=1))
    assert await snoozes(bot, later, ("discord", "slack")) == []  # not theirs to lease
    assert (await delivery(bot, action_of(tip, "Done"))).snoozed_until == snoozed_until
    assert len(await snoozes(bot, later, ("console", "slack"))) == 1


async def test_the_tip_history_leaves_out_a_prompt_claimed_before_its_tip_is_chosen(
    bot: ChatBot, clock: FakeClock
) -> None:
    """The engine claims a day's row with no tip (``tip_id`` "") and then chooses the tip
    from the history: that row must not be in it."""
    shown = await delivery(bot, action_of(await todays_tip(bot), "Done"))
    db = bot.app.services.database()
    async with db.session() as session:
        session.add(
            Delivery(
                subscription_id=shown.subscription_id,
                person_id=shown.person_id,
                local_date=shown.local_date + timedelta(days=1),
                tip_id="",
                status="claimed",
                nonce="tomorrow",
                due_at=clock.now() + timedelta(days=1),
            )
        )
    async with db.session() as session:
        history = await tip_history(session=session, person_id=shown.person_id)
    assert history == (Served(shown.tip_id, None),)
