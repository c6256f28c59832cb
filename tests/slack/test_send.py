"""Answering interactions: response-URL limits, where files go, failed lookups, App Home fallback."""

from __future__ import annotations

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


async def test_an_answer_longer_than_five_messages_is_cut_visibly(fake_slack: FakeSlack) -> None:
    huge = "\n\n".join(f"Part {i} " + "word " * 500 for i in range(200))
    respond = Responder()
    client = listener_client("xoxb-test", fake_slack.api_url)
    await sender().answer(respond, client, Reply(blocks=(Text(huge),)), person=ADA, channel="C1")
    assert len(respond.posts) == RESPONSES
    for post in respond.posts:
        check_message(post["blocks"])
    assert respond.posts[-1]["blocks"][-1]["elements"][0]["text"] == ":scissors: …"


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
