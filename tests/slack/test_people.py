"""People on Slack: user options are mentions only, and people show as ``<@U…>`` (their name).

Slack turns a picked person into ``<@U…>``; a plain word is a typo or a name, never a
user id. Replies name people with Slack's own mention syntax, which Slack shows as
their name (mrkdwn ``verbatim`` texts and no ``<!…>``, so nobody is notified by it),
while text users type (notes, logs) never becomes a mention.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlmodel import select

from coachbot.adapters.slack.run import SlackRuntime
from coachbot.app import App
from coachbot.clock import FakeClock
from coachbot.db.models import MentorLink, Person
from coachbot.delivery import DeliveryTarget
from coachbot.mentors.alerts import due_mentor_alerts
from tests.slack.blockkit import check_message
from tests.slack.chat import Post, SlackChat, buttons_of, text_of
from tests.slack.fake_slack import FakeSlack
from tests.slack.wire import SlackWire

ADA, BOB = "U0001", "U0002"


async def rows(app: App, model: type) -> list[Any]:
    async with app.services.database().session() as session:
        return list(await session.exec(select(model)))


def raw(posts: list[Post]) -> str:
    """The blocks of some posts as Slack receives them (mentions are ``<@U…>`` there)."""
    return json.dumps([p.get("blocks", []) for p in posts], ensure_ascii=False)


async def link_up(slack: SlackChat) -> None:
    """Ada asks Bob (picked in Slack's menu: a mention) to mentor her; Bob accepts."""
    await slack.say(f"/mentor request <@{BOB}|bob>")
    await slack.say(f"/mentor accept <@{ADA}|ada>", user=BOB)


async def test_a_plain_name_gets_the_usage_and_nothing_is_stored(
    slack: SlackChat, app: App
) -> None:
    for line in ("/mentor request bob", "/mentor request user:@bob", f"/mentor request {BOB}"):
        posts = await slack.say(line)
        text = text_of(posts)
        assert ":warning:" in text and "/mentor request" in text, line
        assert "Request sent" not in text and posts[0]["response_type"] == "ephemeral"
    assert await rows(app, MentorLink) == []
    assert {p.user_id for p in await rows(app, Person)} <= {ADA}


async def test_replies_and_lists_name_people_with_slack_mentions(slack: SlackChat) -> None:
    asked = await slack.say(f"/mentor request <@{BOB}|bob>")
    assert asked[0]["response_type"] == "ephemeral"
    assert f"<@{BOB}>" in raw(asked)
    listed = await slack.say("/mentor list", user=BOB)
    assert f"<@{ADA}>" in raw(listed) and listed[0]["response_type"] == "ephemeral"
    accept = next(b for b in buttons_of(listed) if b["value"] == f"mentor:accept:{ADA}")
    assert accept["text"] == {"type": "plain_text", "text": f"Accept @{ADA}", "emoji": True}
    accepted = await slack.press(accept, user=BOB)
    assert f"You now mentor <@{ADA}>" in raw(accepted)
    alerts = await slack.say(f"/mentor alerts <@{ADA}> on:true", user=BOB)
    assert f"Alerts about <@{ADA}> are on" in raw(alerts)
    assert f"<@{BOB}>" in raw(await slack.say("/mentor list"))


async def test_text_a_user_typed_never_becomes_a_mention(
    slack: SlackChat, wire: SlackWire, fake_slack: FakeSlack
) -> None:
    await link_up(slack)
    typed = "ping <@U0003|carol> and &lt;@U0004&gt;"
    noted = await slack.say(f"/mentor note <@{ADA}> text:{typed}", user=BOB)
    logged = await slack.say(f"/progress log security {typed}")
    shown = await slack.say("/progress show")
    await wire.event("Ev1")
    (home,) = await fake_slack.wait_for("views.publish")
    for posts in (noted, logged, shown, [home.params["view"]]):
        assert "<@U0003" not in raw(posts) and "<@U0004" not in raw(posts)
    assert f"<@{ADA}>" in raw(noted)  # the person named by the reply still is
    assert "&lt;@U0003&gt;" in text_of(shown) and "&lt;@U0004&gt;" in text_of(shown)
    assert "&lt;@U0003&gt;" in text_of([home.params["view"]])  # shown as typed


async def test_app_home_names_people_with_slack_mentions(
    slack: SlackChat, runtime: SlackRuntime, fake_slack: FakeSlack
) -> None:
    from coachbot.identity import PersonRef
    from coachbot.markup import mention
    from coachbot.reply import Reply, Text

    banner = Reply(blocks=(Text(f"From {mention(BOB)}: {mention('not an id!')}"),))
    client = runtime.adapter.bolt.client
    await runtime.adapter.home.publish(client, PersonRef("slack", "T0001", ADA), "en", banner)
    (home,) = await fake_slack.wait_for("views.publish")
    blocks = home.params["view"]["blocks"]
    check_message(blocks, max_blocks=100)
    assert f"From <@{BOB}>: @not an id!" in raw([home.params["view"]])


async def test_a_mentor_alert_names_the_learner_with_a_mention(
    slack: SlackChat, runtime: SlackRuntime, app: App, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    await link_up(slack)
    await slack.say(f"/mentor alerts <@{ADA}> on:true days:7", user=BOB)
    clock.advance(timedelta(days=7))
    async with app.services.database().session() as session:
        due = await due_mentor_alerts(
            session=session,
            kb=app.services.kb,
            registry=app.registry,
            now=clock.now(),
            default_timezone="UTC",
            platforms=("slack",),
        )
    [(mentor, reply)] = due
    await runtime.delivery.send(DeliveryTarget(mentor), reply, nonce="alert-1")
    (posted,) = fake_slack.of("chat.postMessage")
    assert posted.params["channel"] == f"D{BOB}"
    check_message(posted.params["blocks"])
    assert f"<@{ADA}>" in json.dumps(posted.params["blocks"])  # "About <@U0001>:"
    assert "<" not in posted.params["text"]  # the notification text names nobody
