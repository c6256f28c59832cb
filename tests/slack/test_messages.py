"""Talking to the bot in Slack: a plain DM is a free question, so is a mention in a
channel; commands typed in the DM still run; nothing else is read."""

from __future__ import annotations

import itertools
from typing import Any

from coachbot.adapters.slack.manifest import BOT_EVENTS, SCOPES
from coachbot.adapters.slack.run import SlackRuntime
from tests.slack.blockkit import check_message
from tests.slack.chat import text_of
from tests.slack.fake_slack import FakeSlack
from tests.slack.wire import SlackWire

EVENT_IDS = itertools.count(100)


async def dm(
    wire: SlackWire, runtime: SlackRuntime, fake: FakeSlack, text: str, **event: Any
) -> list[dict[str, Any]]:
    """Send ``text`` as a Slack event; the messages the bot posted in answer."""
    before = len(fake.of("chat.postMessage"))
    answer = await wire.message(text, event_id=f"Ev{next(EVENT_IDS)}", **event)
    assert answer.status == 200, answer
    await runtime.adapter.drain()
    posts = [c.params for c in fake.of("chat.postMessage")[before:]]
    for post in posts:
        check_message(post.get("blocks", []))
    return posts


async def test_a_plain_dm_is_a_free_question_answered_in_its_language(
    wire: SlackWire, runtime: SlackRuntime, fake_slack: FakeSlack
) -> None:
    posts = await dm(wire, runtime, fake_slack, "combien gagne un CTO à Lyon ?")
    assert [p["channel"] for p in posts] == ["D0001"]
    assert "Grandes villes" in text_of(posts) and "60–80" in text_of(posts)
    posts = await dm(wire, runtime, fake_slack, "what does a cto do at 3 pm?")
    assert "Meetings" in text_of(posts)


async def test_a_follow_up_in_the_dm_continues_the_answer(
    wire: SlackWire, runtime: SlackRuntime, fake_slack: FakeSlack
) -> None:
    await dm(wire, runtime, fake_slack, "combien gagne un CTO expert à Paris ?")
    assert "Expert · Grandes villes" in text_of(await dm(wire, runtime, fake_slack, "et à Lyon ?"))


async def test_a_command_typed_in_the_dm_still_runs(
    wire: SlackWire, runtime: SlackRuntime, fake_slack: FakeSlack
) -> None:
    posts = await dm(wire, runtime, fake_slack, "/cto day hour:9")
    assert "Planning the day" in text_of(posts)


async def test_a_mention_in_a_channel_is_a_question_answered_there(
    wire: SlackWire, runtime: SlackRuntime, fake_slack: FakeSlack
) -> None:
    posts = await dm(
        wire,
        runtime,
        fake_slack,
        "<@UBOT> what are the kinds of CTO?",
        channel="C0042",
        kind="app_mention",
        channel_type=None,
    )
    assert [p["channel"] for p in posts] == ["C0042"]
    assert "customer liaison" in text_of(posts)


async def test_channel_messages_edits_and_bots_are_not_questions(
    wire: SlackWire, runtime: SlackRuntime, fake_slack: FakeSlack
) -> None:
    assert (
        await dm(wire, runtime, fake_slack, "salaire ?", channel="C1", channel_type="channel") == []
    )


def test_the_manifest_asks_for_dm_and_mention_events_and_their_scopes() -> None:
    assert {"message.im", "app_mention"} <= set(BOT_EVENTS)
    assert {"im:history", "app_mentions:read"} <= set(SCOPES)
