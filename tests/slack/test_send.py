"""Answering interactions: response-URL limits, where files go, failed lookups, App Home fallback."""

from __future__ import annotations

import re
from typing import Any

from coachbot.adapters.slack.outbox import DirectMessages
from coachbot.adapters.slack.render import SlackRenderer
from coachbot.adapters.slack.run import SlackRuntime, listener_client
from coachbot.adapters.slack.send import RESPONSES, ReplySender
from coachbot.app import App
from coachbot.identity import PersonRef
from coachbot.reply import Image, Reply, Text
from tests.slack.blockkit import check_message
from tests.slack.chat import SlackChat, text_of
from tests.slack.fake_slack import FakeSlack
from tests.slack.wire import SlackWire

ADA = PersonRef("slack", "T0001", "U0001")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Responder:
    """Stands in for Bolt's ``respond``: records what would go to the response URL."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []

    async def __call__(self, **message: Any) -> None:
        self.posts.append(message)


def sender() -> ReplySender:
    return ReplySender(SlackRenderer(), DirectMessages())


def long_reply(*, ephemeral: bool) -> Reply:
    """A reply of about 200 sections: far more than five messages."""
    huge = "\n\n".join(f"Part {i} " + "word " * 500 for i in range(200))
    return Reply(blocks=(Text(huge),), ephemeral=ephemeral)


def parts_in(posts: list[dict[str, Any]]) -> list[int]:
    """The part numbers shown by some posts, in order."""
    return [int(m) for m in re.findall(r"Part (\d+) ", text_of(posts))]


async def test_a_personal_answer_longer_than_five_messages_is_sent_whole(
    fake_slack: FakeSlack,
) -> None:
    respond = Responder()
    client = listener_client("xoxb-test", fake_slack.api_url)
    reply = long_reply(ephemeral=True)
    await sender().answer(respond, client, reply, person=ADA, channel="C1")
    assert len(respond.posts) == RESPONSES
    rest = [c.params for c in fake_slack.of("chat.postEphemeral")]
    assert rest and {(p["channel"], p["user"]) for p in rest} == {("C1", "U0001")}
    assert len(respond.posts) + len(rest) == len(SlackRenderer().render(reply).messages)
    for post in respond.posts + rest:
        check_message(post["blocks"])
    assert parts_in(respond.posts + rest) == list(range(200)), "every part, in order, once"
    assert ":scissors:" not in text_of(respond.posts + rest)
    assert not fake_slack.of("chat.postMessage"), "nothing personal in a public message"


async def test_the_rest_goes_to_the_dm_where_the_bot_cannot_post(fake_slack: FakeSlack) -> None:
    client = listener_client("xoxb-test", fake_slack.api_url)
    fake_slack.fail("chat.postEphemeral", "channel_not_found")
    respond = Responder()
    await sender().answer(respond, client, long_reply(ephemeral=True), person=ADA, channel="C9")
    assert len(fake_slack.of("chat.postEphemeral")) == 1, "one refusal is enough"
    rest = [c.params for c in fake_slack.of("chat.postMessage")]
    assert rest and {p["channel"] for p in rest} == {"DU0001"}
    assert parts_in(respond.posts + rest) == list(range(200))


async def test_the_rest_of_a_public_answer_stays_in_its_channel(fake_slack: FakeSlack) -> None:
    client = listener_client("xoxb-test", fake_slack.api_url)
    respond = Responder()
    await sender().answer(respond, client, long_reply(ephemeral=False), person=ADA, channel="C1")
    assert {p["response_type"] for p in respond.posts} == {"in_channel"}
    rest = [c.params for c in fake_slack.of("chat.postMessage")]
    assert rest and {p["channel"] for p in rest} == {"C1"}
    assert parts_in(respond.posts + rest) == list(range(200))


async def test_a_public_picture_goes_to_the_channel_else_to_the_dm(fake_slack: FakeSlack) -> None:
    client = listener_client("xoxb-test", fake_slack.api_url)
    reply = Reply(blocks=(Image("chart.png", PNG, "A chart"),))
    await sender().answer(Responder(), client, reply, person=ADA, channel="C1")
    assert [c.params["channel_id"] for c in fake_slack.of("files.completeUploadExternal")] == ["C1"]
    fake_slack.fail("files.completeUploadExternal", "not_in_channel")
    await sender().answer(Responder(), client, reply, person=ADA, channel="C2")
    channels = [c.params["channel_id"] for c in fake_slack.of("files.completeUploadExternal")]
    assert channels == ["C1", "C2", "DU0001"]


async def test_a_personal_picture_never_goes_to_the_channel(fake_slack: FakeSlack) -> None:
    client = listener_client("xoxb-test", fake_slack.api_url)
    respond = Responder()
    reply = Reply(blocks=(Image("radar.png", PNG, "Radar"),), ephemeral=True)
    await sender().answer(respond, client, reply, person=ADA, channel="C1")
    assert respond.posts[0]["response_type"] == "ephemeral"
    assert [c.params["channel_id"] for c in fake_slack.of("files.completeUploadExternal")] == [
        "DU0001"
    ]


async def test_without_users_info_the_workspace_default_applies_and_admin_is_refused(
    slack: SlackChat, fake_slack: FakeSlack, app: App
) -> None:
    assert app.services.settings.bot.default_language == "fr"
    fake_slack.users["U0009"] = {"locale": "fr-FR", "is_admin": True}
    await slack.say("/coach server language:en", user="U0009")  # the workspace's default
    fake_slack.users["U0404"] = {"locale": "fr-FR", "is_admin": True}
    fake_slack.fail("users.info", "user_not_found", times=3)
    assert "What a CTO earns" in text_of(await slack.say("/cto salary", user="U0404"))
    admin = next(spec for spec in app.registry if spec.admin)
    refused = text_of(await slack.say(f"/{admin.qualified_name}", user="U0404"))
    assert "Admins only" in refused


async def test_app_home_is_published_without_the_chart_when_slack_refuses_it(
    slack: SlackChat, wire: SlackWire, runtime: SlackRuntime, fake_slack: FakeSlack
) -> None:
    await slack.say("/progress rate security 3")
    fake_slack.fail("views.publish", "invalid_blocks")
    await wire.event("Ev1")
    first, second = await fake_slack.wait_for("views.publish", 2)
    assert any(b["type"] == "image" for b in first.params["view"]["blocks"])
    blocks = second.params["view"]["blocks"]
    assert not any(b["type"] == "image" for b in blocks)
    check_message(blocks, max_blocks=100)
