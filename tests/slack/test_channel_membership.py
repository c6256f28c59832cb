"""``where:here`` in a channel the bot is not in is refused at once, with how to invite it;
nothing is saved, so the first tip cannot fail there unseen."""

from __future__ import annotations

import json

from tests.slack.chat import SlackChat, text_of
from tests.slack.fake_slack import FakeSlack
from tests.slack.wire import SlackWire


async def test_a_channel_without_the_bot_is_refused_with_how_to_invite_it(
    slack: SlackChat, fake_slack: FakeSlack
) -> None:
    fake_slack.outside.add("C0777")
    refused = text_of(await slack.say("/coach subscribe where:here", channel="C0777"))
    assert "not a member of that channel" in refused and "/invite @coachbot" in refused
    (asked,) = fake_slack.of("conversations.info")
    assert asked.params["channel"] == "C0777"
    assert "No subscription" in text_of(await slack.say("/coach settings")), "nothing saved"


async def test_a_channel_with_the_bot_is_accepted(slack: SlackChat, fake_slack: FakeSlack) -> None:
    accepted = text_of(await slack.say("/coach subscribe where:here", channel="C0042"))
    assert "Subscribed" in accepted
    assert [c.params["channel"] for c in fake_slack.of("conversations.info")] == ["C0042"]


async def test_a_private_channel_the_bot_cannot_see_is_refused_too(
    slack: SlackChat, fake_slack: FakeSlack
) -> None:
    await slack.say("/coach subscribe")
    fake_slack.fail("conversations.info", "channel_not_found")
    refused = text_of(await slack.say("/coach settings where:here", channel="G0001"))
    assert "/invite @coachbot" in refused
    assert "direct messages" in text_of(await slack.say("/coach settings"))


async def test_the_app_home_form_keeps_a_channel_without_the_bot_open(
    slack: SlackChat, wire: SlackWire, fake_slack: FakeSlack
) -> None:
    from tests.slack.test_app_home import open_form

    await slack.say("/coach subscribe")
    fake_slack.outside.add("C0777")
    form = await open_form(slack, wire, fake_slack, "Change settings")
    answer = json.loads((await wire.submit(form, {"where": "here", "cb_channel": "C0777"})).text)
    assert answer["response_action"] == "errors"
    assert "/invite @coachbot" in answer["errors"]["where"]


async def test_when_slack_cannot_tell_the_channel_is_accepted(
    slack: SlackChat, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("conversations.info", "missing_scope")
    assert "Subscribed" in text_of(await slack.say("/coach subscribe where:here"))
