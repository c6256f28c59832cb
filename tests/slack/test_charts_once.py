"""The radar chart is uploaded once per change: shared by ``/progress show`` and App Home,
remembered across restarts, and shown in the reply itself (the file sits in the DM)."""

from __future__ import annotations

import asyncio
import json

from coachbot.adapters.slack.files import ChartFiles
from coachbot.adapters.slack.outbox import DirectMessages
from coachbot.adapters.slack.render import Upload
from coachbot.adapters.slack.run import SlackRuntime, listener_client
from coachbot.app import App
from coachbot.identity import PersonRef
from tests.slack.blockkit import check_message
from tests.slack.chat import Post, SlackChat
from tests.slack.fake_slack import FakeSlack
from tests.slack.wire import SlackWire

ADA = PersonRef("slack", "T0001", "U0001")


def images(blocks: list[dict]) -> list[str]:
    return [b["slack_file"]["id"] for b in blocks if b["type"] == "image"]


def shown(posts: list[Post]) -> list[str]:
    return [i for p in posts for i in images(p["blocks"])]


async def test_progress_show_and_app_home_share_one_upload(
    slack: SlackChat, wire: SlackWire, fake_slack: FakeSlack
) -> None:
    await slack.say("/progress rate security 3")
    posts = await slack.say("/progress show")
    for post in posts:
        check_message(post["blocks"])
    uploaded = fake_slack.of("files.completeUploadExternal")
    assert {u.params["channel_id"] for u in uploaded} == {"DU0001"}
    file_ids = [u.params["files"][0]["id"] for u in uploaded]
    assert len(file_ids) == 2, "the radar and the gap chart"
    assert shown(posts) == file_ids, "the charts are in the reply, the files in the DM"
    await slack.say("/progress show")
    await wire.event("Ev1")
    (home,) = await fake_slack.wait_for("views.publish")
    assert set(images(home.params["view"]["blocks"])) <= set(file_ids)
    assert len(fake_slack.of("files.completeUploadExternal")) == 2
    await slack.say("/progress rate security 4")
    await slack.say("/progress show")
    assert len(fake_slack.of("files.completeUploadExternal")) > 2, "a changed chart goes up"


async def test_a_restart_uploads_nothing_already_uploaded(
    slack: SlackChat, app: App, fake_slack: FakeSlack
) -> None:
    await slack.say("/progress rate security 3")
    posts = await slack.say("/progress show")
    file_id = shown(posts)[0]
    png = next(c for c in fake_slack.of("upload"))
    assert png.params["size"] > 1000
    restarted = ChartFiles(app.services, DirectMessages())  # a new process, same database
    client = listener_client("xoxb-test", fake_slack.api_url)
    data = await chart_bytes(slack)
    again = await restarted.file_id(client, ADA, Upload("radar.png", data, "Radar", True))
    assert again == file_id and restarted.uploads == 0
    assert len(fake_slack.of("files.completeUploadExternal")) == len(shown(posts))


async def chart_bytes(slack: SlackChat) -> bytes:
    """The PNG ``/progress show`` draws now (the one uploaded above)."""
    from coachbot.adapters.slack.render import uploads
    from coachbot.tracker.show import progress_overview

    app = slack.runtime.adapter.core
    reply = await progress_overview(app.services, ADA, "en")
    return next(u for u in uploads(reply) if u.is_image).data


async def test_concurrent_asks_share_one_upload(app: App, fake_slack: FakeSlack) -> None:
    charts = ChartFiles(app.services, DirectMessages())
    client = listener_client("xoxb-test", fake_slack.api_url)
    item = Upload("radar.png", b"\x89PNG" + b"0" * 2000, "Radar", True)
    ids = await asyncio.gather(*(charts.file_id(client, ADA, item) for _ in range(5)))
    assert len(set(ids)) == 1 and charts.uploads == 1


async def test_a_refused_home_image_costs_one_extra_publish_not_one_each_time(
    slack: SlackChat, wire: SlackWire, runtime: SlackRuntime, fake_slack: FakeSlack
) -> None:
    await slack.say("/progress rate security 3")
    fake_slack.fail("views.publish", "invalid_blocks")
    await wire.event("Ev1")
    first = await fake_slack.wait_for("views.publish", 2)
    assert images(first[0].params["view"]["blocks"]) and not images(
        first[1].params["view"]["blocks"]
    )
    await wire.event("Ev2")
    (*_, third) = await fake_slack.wait_for("views.publish", 3)
    await runtime.adapter.drain()
    assert len(fake_slack.of("views.publish")) == 3 and not images(third.params["view"]["blocks"])


async def test_a_chart_slack_cannot_show_yet_leaves_the_reply_readable(
    slack: SlackChat, fake_slack: FakeSlack
) -> None:
    await slack.say("/progress rate security 3")
    fake_slack.refuse_response(400, "invalid_blocks")
    first, again = await slack.say("/progress show")
    assert shown([first]) and not shown([again])
    assert ":bar_chart:" in json.dumps(again["blocks"]) and "Readiness" in json.dumps(again)
    assert len(fake_slack.of("files.completeUploadExternal")) == 2, "the charts are in the DM"
    assert not fake_slack.of("chat.postEphemeral")
