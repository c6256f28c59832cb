"""A Slack user's own time zone (``tz`` from users.info) is the default when they subscribe."""

from __future__ import annotations

from coachbot.app import App
from tests.slack.chat import SlackChat, buttons_of, text_of
from tests.slack.fake_slack import FakeSlack
from tests.slack.wire import SlackWire

NEW_YORK = {"locale": "en-US", "tz": "America/New_York"}


async def test_a_new_york_user_gets_the_tip_at_their_own_0830(
    slack: SlackChat, fake_slack: FakeSlack
) -> None:
    fake_slack.users["U0001"] = NEW_YORK
    text = text_of(await slack.say("/coach subscribe"))
    assert "America/New_York" in text and "08:30" in text


async def test_the_app_home_button_subscribes_in_the_users_zone(
    slack: SlackChat, wire: SlackWire, fake_slack: FakeSlack
) -> None:
    fake_slack.users["U0001"] = NEW_YORK
    await wire.event("Ev1")
    (home,) = await fake_slack.wait_for("views.publish")
    (subscribe,) = buttons_of(home.params["view"]["blocks"])
    await slack.press(subscribe, home=True)
    (_, again) = await fake_slack.wait_for("views.publish", 2)
    text = text_of([again.params["view"]])
    assert "America/New_York" in text and "08:30" in text


async def test_a_zone_given_wins_and_an_unknown_profile_zone_falls_back(
    slack: SlackChat, fake_slack: FakeSlack, app: App
) -> None:
    fake_slack.users["U0001"] = NEW_YORK
    assert "Asia/Tokyo" in text_of(await slack.say("/coach subscribe timezone:Asia/Tokyo"))
    fake_slack.users["U0002"] = {"locale": "en-US", "tz": "Mars/Olympus"}
    default = app.services.settings.bot.default_timezone
    assert default in text_of(await slack.say("/coach subscribe", user="U0002"))


async def test_users_info_is_called_once_per_user_even_in_a_burst(
    slack: SlackChat, wire: SlackWire, fake_slack: FakeSlack
) -> None:
    import asyncio

    users = [f"U{n:04d}" for n in range(100, 140)]
    fake_slack.gates["users.info"] = gate = asyncio.Event()  # all lookups in flight together
    burst = [wire.command("/cto", "salary", user=u) for u in users]
    burst += [wire.event(f"Ev{u}", user=u) for u in users]
    sent = asyncio.gather(*burst)
    await fake_slack.wait_for("users.info", len(users))
    gate.set()
    await sent
    await slack.runtime.adapter.drain()
    assert sorted(c.params["user"] for c in fake_slack.of("users.info")) == users
    assert slack.runtime.adapter.users.calls == len(users)
