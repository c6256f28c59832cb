"""App Home's daily-tip buttons and forms, end to end over HTTP.

The buttons follow the subscription's state; "Change settings" and "Pause" open a
modal (``views.open``) whose submission (``view_submission``) runs the core's command:
a bad value comes back in the ack as ``response_action: errors`` and changes nothing,
a good one closes the form and re-publishes App Home.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import timedelta
from typing import Any

import pytest

from coachbot.adapters.slack import app as slack_app
from coachbot.adapters.slack.forms import CHANNEL_BLOCK, FORM_PREFIX
from coachbot.adapters.slack.run import SlackRuntime
from coachbot.clock import FakeClock
from tests.slack.blockkit import check_view
from tests.slack.chat import SlackChat, buttons_of, text_of
from tests.slack.fake_slack import FakeSlack
from tests.slack.wire import SlackWire

View = dict[str, Any]
EVENT_IDS = itertools.count(100)


async def open_home(wire: SlackWire, fake_slack: FakeSlack) -> View:
    """Open the Home tab; the view published for it (checked against slack_sdk)."""
    before = len(fake_slack.of("views.publish"))
    await wire.event(f"Ev{next(EVENT_IDS)}")
    published = await fake_slack.wait_for("views.publish", before + 1)
    view: View = published[-1].params["view"]
    check_view(view)
    return view


def labels(view: View) -> list[str]:
    """The labels of a view's buttons, in order."""
    return [b["text"]["text"] for b in buttons_of(view["blocks"])]


def button(view: View, label: str) -> dict[str, Any]:
    """The button of ``view`` labelled ``label``."""
    return next(b for b in buttons_of(view["blocks"]) if b["text"]["text"] == label)


async def open_form(slack: SlackChat, wire: SlackWire, fake_slack: FakeSlack, label: str) -> View:
    """Press an App Home button that opens a form; the modal opened (checked)."""
    pressed = button(await open_home(wire, fake_slack), label)
    assert pressed["action_id"].startswith(FORM_PREFIX)
    before = len(fake_slack.of("views.update"))
    await slack.press(pressed, home=True)
    opened = fake_slack.of("views.open")[-1]
    assert opened.params["trigger_id"] == "1.2.ghi"  # the press's own trigger
    check_view(opened.params["view"])
    filled = (await fake_slack.wait_for("views.update", before + 1))[-1]
    assert (filled.params["view_id"], filled.params["hash"]) == ("V2", "h1")
    view: View = filled.params["view"]
    check_view(view)
    return view


def initial(view: View) -> dict[str, str | None]:
    """What each input of a modal shows when it opens."""
    out: dict[str, str | None] = {}
    for block in view["blocks"]:
        if block["type"] == "input":
            element = block["element"]
            out[block["block_id"]] = (
                (element.get("initial_option") or {}).get("value")
                or element.get("initial_value")
                or element.get("initial_conversation")
            )
    return out


async def settings_text(slack: SlackChat) -> str:
    return text_of(await slack.say("/coach settings"))


async def test_the_buttons_follow_the_subscription_state(
    slack: SlackChat, wire: SlackWire, fake_slack: FakeSlack
) -> None:
    assert labels(await open_home(wire, fake_slack)) == ["Get one tip a day at your own time"]
    await slack.say("/coach subscribe")
    active = ["Change settings", "Pause the daily tip", "Stop the daily tip"]
    assert labels(await open_home(wire, fake_slack)) == [*active, "Today's tip, right now"]
    await slack.say("/coach pause until:2026-03-10")
    paused = labels(await open_home(wire, fake_slack))
    assert paused == ["Change settings", "Resume the daily tip", "Stop the daily tip", paused[3]]
    await slack.say("/coach unsubscribe")
    assert labels(await open_home(wire, fake_slack)) == ["Get one tip a day at your own time"]


async def test_change_settings_opens_the_current_settings_and_saves_the_changes(
    slack: SlackChat, wire: SlackWire, runtime: SlackRuntime, fake_slack: FakeSlack
) -> None:
    await slack.say("/coach subscribe time:07:45 days:sun-thu timezone:Europe/Paris")
    form = await open_form(slack, wire, fake_slack, "Change settings")
    shown = initial(form)
    assert {k: shown[k] for k in ("time", "timezone", "days", "where", "language")} == {
        "time": "07:45",
        "timezone": "Europe/Paris",
        "days": "sun-thu",
        "where": "dm",
        "language": "en",
    }
    published = len(fake_slack.of("views.publish"))
    answer = await wire.submit(form, {"time": "06:15", "days": "tue-thu"})
    assert (answer.status, answer.text) == (200, ""), "the form closes"
    await runtime.adapter.drain()
    home = (await fake_slack.wait_for("views.publish", published + 1))[-1].params["view"]
    check_view(home)
    assert "Settings changed" in text_of([home]) and "06:15" in text_of([home])
    text = await settings_text(slack)
    assert "06:15" in text and "tue-thu" in text and "Europe/Paris" in text


async def test_an_unchanged_form_changes_nothing(
    slack: SlackChat, wire: SlackWire, runtime: SlackRuntime, fake_slack: FakeSlack
) -> None:
    await slack.say("/coach subscribe time:07:45 where:here", channel="C0042")
    form = await open_form(slack, wire, fake_slack, "Change settings")
    assert initial(form)["where"] == "here" and initial(form)[CHANNEL_BLOCK] == "C0042"
    assert (await wire.submit(form, {})).text == ""
    await runtime.adapter.drain()
    text = await settings_text(slack)
    assert "07:45" in text and "C0042" in text and "Your settings" in text


@pytest.mark.parametrize(
    ("changes", "block", "says"),
    [
        ({"time": "25:99"}, "time", '"25:99" is not a valid time'),
        ({"time": "06:00", "timezone": "Mars/Olympus"}, "timezone", "is not an IANA timezone"),
        ({"days": "someday", "language": "fr"}, "days", '"someday" is not a set of days'),
        ({"where": "channel"}, "where", "No tips channel is set here"),
        # the same value, good for one option and bad for the next: the core names which
        ({"skip_holidays": "FR", "recap": "FR"}, "recap", '"FR" is not a day of the week'),
    ],
)
async def test_a_bad_value_stays_in_the_form_with_the_cores_message(
    slack: SlackChat,
    wire: SlackWire,
    runtime: SlackRuntime,
    fake_slack: FakeSlack,
    changes: dict[str, str],
    block: str,
    says: str,
) -> None:
    await slack.say("/coach subscribe time:07:45")
    form = await open_form(slack, wire, fake_slack, "Change settings")
    published = len(fake_slack.of("views.publish"))
    answer = await wire.submit(form, changes)
    assert answer.status == 200
    body = json.loads(answer.text)
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [block] and says in body["errors"][block]
    assert "Usage" not in body["errors"][block], "the form needs no command line"
    await runtime.adapter.drain()
    assert len(fake_slack.of("views.publish")) == published, "the form stays open"
    text = await settings_text(slack)
    assert "07:45" in text and "`en`" in text.replace("\u200b", ""), "nothing changed"


async def test_the_tip_can_go_to_a_picked_channel(
    slack: SlackChat, wire: SlackWire, runtime: SlackRuntime, fake_slack: FakeSlack
) -> None:
    await slack.say("/coach subscribe")
    form = await open_form(slack, wire, fake_slack, "Change settings")
    picker = next(b for b in form["blocks"] if b.get("block_id") == CHANNEL_BLOCK)
    assert picker["element"]["type"] == "conversations_select"
    assert (await wire.submit(form, {"where": "here", CHANNEL_BLOCK: "C0042"})).text == ""
    await runtime.adapter.drain()
    assert "C0042" in await settings_text(slack)
    again = await open_form(slack, wire, fake_slack, "Change settings")
    assert initial(again)["where"] == "here" and initial(again)[CHANNEL_BLOCK] == "C0042"
    assert (await wire.submit(again, {CHANNEL_BLOCK: "C0077"})).text == ""
    await runtime.adapter.drain()
    assert "C0077" in await settings_text(slack)


async def test_pause_asks_for_the_last_day_and_resume_follows(
    slack: SlackChat, wire: SlackWire, runtime: SlackRuntime, fake_slack: FakeSlack
) -> None:
    await slack.say("/coach subscribe")
    form = await open_form(slack, wire, fake_slack, "Pause the daily tip")
    assert form["title"]["text"] == "/coach pause" and list(initial(form)) == ["until"]
    (until,) = [b for b in form["blocks"] if b.get("block_id") == "until"]
    assert until["element"]["type"] == "datepicker"
    refused = json.loads((await wire.submit(form, {"until": "2026-03-01"})).text)
    assert refused["errors"] == {"until": "The date must be in the future (after 2026-03-02)."}
    published = len(fake_slack.of("views.publish"))
    assert (await wire.submit(form, {"until": "2026-03-10"})).text == ""
    await runtime.adapter.drain()
    home = (await fake_slack.wait_for("views.publish", published + 1))[-1].params["view"]
    assert "No tip until 2026-03-10" in text_of([home])
    assert "Resume the daily tip" in labels(home) and "Pause the daily tip" not in labels(home)


async def test_a_slow_command_closes_the_form_and_answers_in_app_home(
    slack: SlackChat,
    wire: SlackWire,
    runtime: SlackRuntime,
    fake_slack: FakeSlack,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await slack.say("/coach subscribe time:07:45")
    form = await open_form(slack, wire, fake_slack, "Change settings")
    monkeypatch.setattr(slack_app, "FORM_BUDGET", 0.2)
    clock.advance(timedelta(hours=2))  # the user's cached locale expired: users.info again
    fake_slack.gates["users.info"] = gate = asyncio.Event()
    published = len(fake_slack.of("views.publish"))
    assert (await wire.submit(form, {"time": "25:99"})).text == "", "acked in time, closed"
    gate.set()
    await runtime.adapter.drain()
    home = (await fake_slack.wait_for("views.publish", published + 1))[-1].params["view"]
    assert '"25:99" is not a valid time' in text_of([home])
    assert "07:45" in await settings_text(slack)


async def test_the_settings_form_speaks_the_users_language(
    slack: SlackChat, wire: SlackWire, fake_slack: FakeSlack
) -> None:
    fake_slack.users["U0001"] = {"locale": "fr-FR"}
    await slack.say("/coach subscribe")
    form = await open_form(slack, wire, fake_slack, "Changer les réglages")
    assert form["title"]["text"] == "/coach reglages" and form["submit"]["text"] == "Enregistrer"
    assert initial(form)["days"] == "lun-ven"
    where = next(b for b in form["blocks"] if b.get("block_id") == "where")
    assert "Dans le salon choisi ci-dessous" in json.dumps(where, ensure_ascii=False)


async def test_a_form_opens_before_the_user_is_looked_up_and_is_filled_after(
    slack: SlackChat,
    wire: SlackWire,
    runtime: SlackRuntime,
    fake_slack: FakeSlack,
    clock: FakeClock,
) -> None:
    await slack.say("/coach subscribe time:07:45")
    pressed = button(await open_home(wire, fake_slack), "Change settings")
    clock.advance(timedelta(hours=2))  # the cached user expired: users.info again
    fake_slack.gates["users.info"] = gate = asyncio.Event()
    answer = await wire.press(pressed["action_id"], pressed["value"], home=True)
    assert answer.status == 200
    (opened,) = await fake_slack.wait_for("views.open")
    assert opened.params["trigger_id"] == "1.2.ghi" and not fake_slack.of("views.update")
    check_view(opened.params["view"])
    gate.set()
    await runtime.adapter.drain()
    (filled,) = await fake_slack.wait_for("views.update")
    assert filled.params["view_id"] == "V2" and initial(filled.params["view"])["time"] == "07:45"
