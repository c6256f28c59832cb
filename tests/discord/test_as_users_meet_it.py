"""Discord as its users meet it: names not ids, private notices, buttons that show the press,
a tips channel the bot can post in, no "thinking…" left hanging, explicit rate-limit waits."""

from __future__ import annotations

import re
from typing import Any

import pytest

from coachbot.adapters.discord.client import MAX_RATELIMIT_WAIT, make_client
from coachbot.adapters.discord.interactions import Responder, responder_of
from coachbot.adapters.discord.people import People
from coachbot.app import App
from coachbot.db.models import Subscription
from coachbot.db.people import ensure_person
from coachbot.db.workspaces import find_workspace
from coachbot.identity import PersonRef
from coachbot.settings import Settings
from tests.discord.harness import (
    ALICE,
    BOB,
    CALLBACK,
    FOLLOWUP,
    GUILD,
    ORIGINAL,
    Call,
    Discord,
    Recorder,
    channel_option,
    command,
    fixture,
    press,
    user_option,
)
from tests.discord.limits_check import message_problems, texts
from tests.discord.test_delivery import http_error

EPHEMERAL = 64
TIPS = "1263335148640301199"
SNOWFLAKE = re.compile(r"\d{17,20}")
EMBED_AND_FILES = 16384 | 32768


def flags(body: dict[str, Any]) -> int:
    return int(body.get("flags") or 0)


def labels(body: dict[str, Any]) -> list[str]:
    return [b["label"] for row in body.get("components", []) for b in row["components"]]


def bot_with(app: App, settings: Settings, recorder: Recorder, *, defer_after: float) -> Discord:
    responder = Responder(app, defer_after=defer_after)
    return Discord(make_client(app.registry, settings, responder=responder), recorder)


# 2. Personal notices never ride on a public answer.


async def _failing_subscription(app: App) -> None:
    now = app.services.clock.now()
    async with app.services.database().session() as session:
        person = await ensure_person(
            session=session, ref=PersonRef("discord", GUILD, ALICE), now=now
        )
        session.add(Subscription(person_id=person.id, local_time="09:00", timezone="Europe/Paris",
                                 days=127, where="dm", language="en", created_at=now,
                                 failing=True))  # fmt: skip


async def test_a_personal_notice_never_joins_a_public_answer(
    discord_bot: Discord, app: App
) -> None:
    await _failing_subscription(app)
    await discord_bot.dispatch(command(("cto", "overview")))
    public, notice = discord_bot.recorder.sent_payloads()
    assert flags(public) == 0 and public["embeds"]
    assert not any("on hold" in t for t in texts(public))
    assert flags(notice) & EPHEMERAL
    assert any("on hold" in t for t in texts(notice))
    assert message_problems(notice) == []


async def test_a_private_answer_keeps_its_notice(discord_bot: Discord, app: App) -> None:
    await _failing_subscription(app)
    await discord_bot.dispatch(command(("coach", "settings")))
    [body] = discord_bot.recorder.sent_payloads()
    assert flags(body) & EPHEMERAL and any("on hold" in t for t in texts(body))


# 4. People by name, channels as links, hints that can be typed.


async def test_coach_server_shows_the_channel_as_a_link_and_no_here_hint(
    discord_bot: Discord,
) -> None:
    option, resolved = channel_option("channel", TIPS)
    await discord_bot.dispatch(command(("coach-server",), [option], resolved=resolved, admin=True))
    [body] = discord_bot.recorder.sent_payloads()
    fields = {f["name"]: f["value"] for f in body["embeds"][0]["fields"]}
    assert fields["Tips channel"] == f"<#{TIPS}>"
    assert not any("channel:here" in t for t in texts(body))


async def test_mentor_list_and_view_name_people(discord_bot: Discord) -> None:
    bob_option, resolved = user_option("user", BOB)
    await discord_bot.dispatch(command(("mentor", "request"), [bob_option], resolved=resolved))
    responder_of(discord_bot.client).people = People()  # a restart: no name known
    discord_bot.recorder.clear()
    await discord_bot.dispatch(command(("mentor", "list"), user=BOB))
    listed = discord_bot.recorder.sent_payloads()[-1]
    assert labels(listed) == ["Accept @Alice Martin", "Decline @Alice Martin"]
    assert [c.url.rsplit("/", 1)[-1] for c in discord_bot.recorder.to("/users/{user_id}")] == [
        ALICE
    ]  # fetched once: Alice is not in Bob's interaction

    accept = listed["components"][0]["components"][0]["custom_id"]
    await discord_bot.dispatch(press(accept, user=BOB, in_guild=True))
    alice_option, resolved = user_option("user", ALICE)
    await discord_bot.dispatch(
        command(("mentor", "view"), [alice_option], resolved=resolved, user=BOB)
    )
    viewed = discord_bot.recorder.sent_payloads()[-1]
    title = viewed["embeds"][0]["title"]
    assert title == "Progress of @Alice Martin" and not SNOWFLAKE.search(title)
    assert len(discord_bot.recorder.to("/users/{user_id}")) == 1  # known since


async def test_a_confirmed_press_disables_the_buttons_and_marks_the_chosen_one(
    discord_bot: Discord,
) -> None:
    await discord_bot.dispatch(command(("coach", "forget")))
    asked = discord_bot.recorder.sent_payloads()[-1]
    erase = asked["components"][0]["components"][0]["custom_id"]
    raw = press(erase, in_guild=True)
    raw["message"]["components"] = asked["components"]  # the message as Discord shows it
    discord_bot.recorder.clear()
    await discord_bot.dispatch(raw)
    [update] = discord_bot.recorder.to(CALLBACK)
    assert update.payload is not None and update.payload["type"] == 7  # UPDATE_MESSAGE
    buttons = [b for row in update.data["components"] for b in row["components"]]
    assert [(b["custom_id"], b["disabled"]) for b in buttons] == [
        (b["custom_id"], True) for row in asked["components"] for b in row["components"]
    ]
    assert [b["style"] for b in buttons] == [3, 2]  # the pressed one in green
    [answer] = discord_bot.recorder.to(FOLLOWUP)
    assert flags(answer.data) & EPHEMERAL


async def test_a_refused_press_leaves_the_buttons_as_they_were(discord_bot: Discord) -> None:
    await discord_bot.dispatch(press(f"cb:{GUILD}:prompt:done:999", user=BOB))
    [ack] = discord_bot.recorder.to(CALLBACK)
    assert ack.payload is not None and ack.payload["type"] == 4 and flags(ack.data) & EPHEMERAL


# 4. The tips channel must be one the bot can post in.


def _channel_denying(denied: int) -> Any:
    def script(call: Call) -> Any:
        if call.method == "GET" and call.path == "/channels/{channel_id}":
            channel = fixture("rest/channel")
            channel["permission_overwrites"] = [
                {"id": GUILD, "type": 0, "allow": "0", "deny": str(denied)}
            ]
            return channel
        return None

    return script


async def test_a_tips_channel_without_the_bots_permissions_is_refused_naming_them(
    discord_bot: Discord, app: App
) -> None:
    discord_bot.recorder.script = _channel_denying(EMBED_AND_FILES)
    option, resolved = channel_option("channel", TIPS)
    await discord_bot.dispatch(command(("coach-server",), [option], resolved=resolved, admin=True))
    [body] = discord_bot.recorder.sent_payloads()
    assert flags(body) & EPHEMERAL and body["embeds"][0]["title"] == "Channel not usable"
    said = body["embeds"][0]["description"]
    assert "**Embed Links**" in said and "**Attach Files**" in said and f"<#{TIPS}>" in said
    assert "Send Messages" not in said
    async with app.services.database().session() as session:
        row = await find_workspace(session=session, ref=PersonRef("discord", GUILD, ALICE))
    assert row is None or row.tip_channel is None  # nothing stored


async def test_a_channel_the_bot_cannot_see_is_refused(discord_bot: Discord) -> None:
    discord_bot.recorder.script = lambda call: (
        http_error(403, 50001) if call.path == "/channels/{channel_id}" else None
    )
    option, resolved = channel_option("channel", TIPS)
    await discord_bot.dispatch(command(("coach-server",), [option], resolved=resolved, admin=True))
    [body] = discord_bot.recorder.sent_payloads()
    assert "**View Channel**" in body["embeds"][0]["description"]


# 4. After a deferral: the documented endpoint, and never a hanging "thinking…".


@pytest.mark.parametrize("path", [("coach", "export"), ("cto", "types")])
async def test_the_first_answer_after_a_deferral_edits_the_placeholder(
    app: App, settings: Settings, recorder: Recorder, path: tuple[str, ...]
) -> None:
    """Discord documents a follow-up sent right after a deferral, standing in for Edit
    Original Interaction Response, as deprecated: the answer goes through the latter."""
    bot = await bot_with(app, settings, recorder, defer_after=0).connect()
    try:
        await bot.dispatch(command(path))
    finally:
        await bot.close()
    calls = recorder.responses()
    assert calls[0].payload is not None and calls[0].payload["type"] == 5
    assert (calls[1].method, calls[1].path) == ("PATCH", ORIGINAL)


async def test_a_refused_answer_never_leaves_thinking_hanging(
    app: App, settings: Settings, recorder: Recorder
) -> None:
    refused = http_error(400, 50035)
    recorder.script = lambda call: (
        refused if call.method == "PATCH" and call.path == ORIGINAL and call.files else None
    )
    bot = await bot_with(app, settings, recorder, defer_after=0).connect()
    try:
        await bot.dispatch(command(("coach", "export")))
    finally:
        await bot.close()
    ack, failed, completed = recorder.responses()
    assert ack.payload == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert failed.files and (completed.method, completed.path) == ("PATCH", ORIGINAL)
    assert (
        completed.data["content"] == "The answer could not be shown; please try again in a moment."
    )
    assert completed.data["embeds"] == [] and completed.data["attachments"] == []


async def test_a_refused_immediate_answer_still_gets_a_reply(
    discord_bot: Discord,
) -> None:
    discord_bot.recorder.script = lambda call: (
        http_error(400, 50035)
        if call.path == CALLBACK and (call.payload or {}).get("data", {}).get("embeds")
        else None
    )
    await discord_bot.dispatch(command(("cto", "types")))
    refused, second = discord_bot.recorder.to(CALLBACK)
    assert refused.data["embeds"]
    assert second.payload is not None and second.payload["type"] == 4
    assert flags(second.data) & EPHEMERAL and "could not be shown" in second.data["content"]


# 4. discord.py's rate-limit sleep cap: set, and what it really is.


def test_the_rate_limit_wait_is_set_to_what_discord_py_applies(settings: Settings) -> None:
    from coachbot.app import build_registry
    from coachbot.knowledge.loader import default_knowledge

    client = make_client(build_registry(default_knowledge()), settings)
    assert client.http.max_ratelimit_timeout == MAX_RATELIMIT_WAIT == 30.0
