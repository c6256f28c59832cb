"""No raw id shown to people: names from users.info, channels as Slack links, and every
command the bot quotes works when typed exactly as shown."""

from __future__ import annotations

import json
import re

from tests.slack.chat import Post, SlackChat, buttons_of, text_of
from tests.slack.fake_slack import FakeSlack
from tests.slack.wire import SlackWire

ADA, BOB = "U0001", "U0002"
PEOPLE = {
    ADA: {"locale": "en-US", "name": "ada", "profile": {"display_name": "ada"}},
    BOB: {
        "locale": "en-US",
        "name": "bob",
        "profile": {"display_name": "Bob B", "real_name": "Bob"},
    },
}
QUOTED = re.compile(r"`(/[^`]+)`")


def seen_ids(posts: list[Post]) -> list[str]:
    """Raw user ids a person would read: in headers, buttons, and outside ``<@…>``."""
    shown = re.sub(r"<@[UW][A-Z0-9]+>", "", text_of(posts))
    return re.findall(r"\bU0\d{3}\b", shown)


async def linked(slack: SlackChat, fake_slack: FakeSlack) -> list[Post]:
    fake_slack.users.update(PEOPLE)
    await slack.say("/mentor request @bob")
    return await slack.say("/mentor accept @ada", user=BOB)


async def test_every_hint_works_when_typed_as_shown(
    slack: SlackChat, fake_slack: FakeSlack
) -> None:
    accepted = await linked(slack, fake_slack)
    hints = QUOTED.findall(text_of(accepted))
    assert "/mentor view user:@ada" in hints, hints
    for hint in hints:
        typed = hint.replace("...", "a note").replace("<", "").replace(">", "")
        answer = text_of(await slack.say(typed, user=BOB))
        assert "Invalid input" not in answer and "Unknown" not in answer, (hint, answer)


async def test_titles_and_buttons_name_people(slack: SlackChat, fake_slack: FakeSlack) -> None:
    await linked(slack, fake_slack)
    viewed = await slack.say("/mentor view @ada", user=BOB)
    assert viewed[0]["blocks"][0]["text"]["text"].endswith("Progress of @ada")
    assert seen_ids(viewed) == []
    fake_slack.users["U0003"] = {"locale": "en-US", "name": "cy", "profile": {"real_name": "Cy"}}
    await slack.say("/mentor request @bob", user="U0003")
    listed = await slack.say("/mentor list", user=BOB)
    labels = [b["text"]["text"] for b in buttons_of(listed)]
    assert "Accept @Cy" in labels and seen_ids(listed) == []


async def test_a_tips_channel_shows_as_a_channel_link(
    slack: SlackChat, wire: SlackWire, fake_slack: FakeSlack
) -> None:
    posts = await slack.say("/coach subscribe where:here", channel="C0042")
    raw = json.dumps([p["blocks"] for p in posts])
    assert "<#C0042>" in raw and "`C0042`" not in raw


async def test_one_lookup_per_person_whatever_the_reply_shows(
    slack: SlackChat, fake_slack: FakeSlack
) -> None:
    await linked(slack, fake_slack)
    for _ in range(3):
        await slack.say("/mentor list", user=BOB)
    looked_up = [c.params["user"] for c in fake_slack.of("users.info")]
    assert sorted(looked_up) == [ADA, BOB]


async def test_a_delivered_message_names_people_in_the_commands_it_quotes(
    slack: SlackChat, fake_slack: FakeSlack
) -> None:
    from coachbot.delivery import DeliveryTarget
    from coachbot.identity import PersonRef
    from coachbot.reply import Reply, Text

    fake_slack.users.update(PEOPLE)
    reply = Reply(title="About @U0001", blocks=(Text("See `/mentor view user:@U0001`."),))
    bob = PersonRef("slack", "T0001", BOB)
    await slack.runtime.delivery.send(DeliveryTarget(bob), reply, nonce="n1")
    (posted,) = fake_slack.of("chat.postMessage")
    assert "/mentor view user:@ada" in text_of([posted.params])
    assert seen_ids([posted.params]) == []
