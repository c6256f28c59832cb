"""End to end over HTTP: signed requests exactly as Slack sends them, a fake Slack Web API.

The Bolt app runs in HTTP mode on 127.0.0.1; its Web API client and every response
URL point at the fake, which records each call. Every message the app posts is
checked against slack_sdk's Block Kit models and Slack's limits (see ``chat.py``).
"""

from __future__ import annotations

import asyncio
import json
import re
import time

import pytest
from slack_bolt.listener_matcher.builtins import block_action, command, event, view_submission
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from coachbot.adapters.slack.commands import slash_commands
from coachbot.adapters.slack.forms import FORM_CALLBACK
from coachbot.adapters.slack.home import RUN_PREFIX
from coachbot.adapters.slack.render import ACTION_PREFIX
from coachbot.app import App, build_registry
from coachbot.knowledge.loader import default_knowledge
from tests.slack.blockkit import check_message
from tests.slack.chat import SlackChat, buttons_of, text_of
from tests.slack.fake_slack import FakeSlack
from tests.slack.wire import (
    PAYLOADS,
    SlackWire,
    command_request,
    event_request,
    press_request,
    submission_request,
)

REGISTRY = build_registry(default_knowledge())
GROUPS = sorted(REGISTRY.groups)


@pytest.mark.parametrize("group", GROUPS)
async def test_every_command_of_each_group_answers_through_the_response_url(
    slack: SlackChat, group: str
) -> None:
    for spec in REGISTRY.in_group(group):
        posts = await slack.say(f"/{group} {spec.name}")
        assert len(posts) >= 1, spec.qualified_name
        kinds = {p["response_type"] for p in posts}
        needs_args = any(o.required for o in spec.options)
        if spec.personal or needs_args or spec.admin:
            assert kinds == {"ephemeral"}, spec.qualified_name
        if needs_args:
            assert f"/{spec.qualified_name}" in text_of(posts), "the usage is shown"


def test_slash_commands_are_the_registry_groups_and_top_level_commands_in_both_languages() -> None:
    names = [c.command for c in slash_commands(REGISTRY)]
    groups = [g for g in REGISTRY.groups.values() if REGISTRY.in_group(g.name)]
    expected = {f"/{g.name_in(lang)}" for g in groups for lang in ("en", "fr")}
    expected |= {f"/{c.name_in(lang)}" for c in REGISTRY.top_level() for lang in ("en", "fr")}
    assert len(names) == len(set(names)) and set(names) == expected
    assert {"/cto", "/progress", "/progression", "/mentor", "/coach", "/help", "/aide"} <= set(
        names
    )


async def test_positional_and_key_value_options_give_the_same_answer(slack: SlackChat) -> None:
    positional = await slack.say("/cto salary paris expert")
    named = await slack.say("/cto salary level:expert region:paris")
    assert text_of(positional) == text_of(named)
    assert "Expert · Paris" in text_of(positional)
    assert positional[0]["response_type"] == "in_channel"


async def test_help_answers_with_the_overview(slack: SlackChat) -> None:
    text = text_of(await slack.say("/help"))
    assert all(f"/{g}" in text for g in GROUPS)
    assert "/cto salary" in text_of(await slack.say("/help cto salary"))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/cto day hour:99", "/cto day"),
        ("/progress rate security", "/progress rate"),
        ("/progress rate security 9", "/progress rate"),
        ("/cto salary colour:blue", "/cto salary"),
    ],
)
async def test_a_wrong_or_missing_argument_gets_the_usage(
    slack: SlackChat, line: str, expected: str
) -> None:
    posts = await slack.say(line)
    text = text_of(posts)
    assert ":warning:" in text and "Usage" in text and expected in text
    assert posts[0]["response_type"] == "ephemeral"


async def test_the_reply_language_follows_the_slack_locale_then_the_users_choice(
    slack: SlackChat, fake_slack: FakeSlack
) -> None:
    fake_slack.users["U0007"] = {"locale": "fr-FR"}
    assert "Le salaire d'un CTO" in text_of(await slack.say("/cto salary", user="U0007"))
    assert "What a CTO earns" in text_of(await slack.say("/cto salary"))  # an en-US user
    await slack.say("/coach language en", user="U0007")
    assert "What a CTO earns" in text_of(await slack.say("/cto salary", user="U0007"))
    info = [c for c in fake_slack.of("users.info") if c.params["user"] == "U0007"]
    assert len(info) == 1 and info[0].params["include_locale"] in ("1", "true", True)


async def test_progress_is_personal_and_its_charts_go_to_the_users_dm(
    slack: SlackChat, fake_slack: FakeSlack
) -> None:
    rated = await slack.say("/progress rate security 3")
    assert rated[0]["response_type"] == "ephemeral"
    shown = await slack.say("/progress show")
    assert {p["response_type"] for p in shown} == {"ephemeral"}
    opened = await fake_slack.wait_for("conversations.open")
    assert opened[0].params["users"] == "U0001"
    done = await fake_slack.wait_for("files.completeUploadExternal", count=2)
    assert [d.params["channel_id"] for d in done] == ["DU0001", "DU0001"]  # radar, gaps
    assert all(u.params["size"] > 1000 for u in fake_slack.of("upload"))  # real PNGs went up


async def test_a_mention_resolves_to_an_id_and_a_button_press_answers(
    slack: SlackChat,
) -> None:
    asked = await slack.say("/mentor request <@U0002|bob>")
    assert "@U0002" in text_of(asked)
    listed = await slack.say("/mentor list", user="U0002")
    accept = next(b for b in buttons_of(listed) if "accept" in b["value"])
    assert accept["action_id"].startswith("cb:mentor:")
    pressed = await slack.press(accept, user="U0002")
    assert pressed and "U0001" in text_of(pressed)
    assert "active" in text_of(await slack.say("/mentor list", user="U0002")).lower()


async def test_the_forget_confirmation_buttons_work(slack: SlackChat) -> None:
    await slack.say("/progress rate security 3")
    asked = await slack.say("/coach forget")
    cancel, confirm = (
        next(b for b in buttons_of(asked) if verb in b["value"]) for verb in ("cancel", "confirm")
    )
    assert confirm["style"] == "danger" and confirm["action_id"] == "cb:" + confirm["value"]
    cancelled = await slack.press(cancel)
    assert "Nothing was erased" in text_of(cancelled)
    assert cancelled[0]["response_type"] == "ephemeral"
    assert "Data erased" in text_of(await slack.press(confirm))


async def test_admin_commands_need_a_workspace_admin(
    slack: SlackChat, fake_slack: FakeSlack, app: App
) -> None:
    admin = next((s for s in app.registry if s.admin), None)
    if admin is None:
        pytest.skip("no admin command in the registry")
    refused = text_of(await slack.say(f"/{admin.qualified_name}"))
    assert "Admins only" in refused
    fake_slack.users["U0009"] = {"locale": "en-US", "is_admin": True}
    allowed = text_of(await slack.say(f"/{admin.qualified_name}", user="U0009"))
    assert "Admins only" not in allowed


async def test_hostile_input_never_pings_or_formats(slack: SlackChat) -> None:
    hostile = "&lt;!channel&gt; <!here> <@U0002|bob> &amp; *bold* _it_ `x` &gt; quote"
    logged = await slack.say(f"/progress log security {hostile}")
    shown = await slack.say("/progress show")
    for post in logged + shown:
        raw = json.dumps(post["blocks"])
        assert "<!channel>" not in raw and "<!here>" not in raw and "<@U0002" not in raw
    text = text_of(shown)
    assert "&lt;!channel&gt;" in text and "@here" in text and "&amp;" in text
    assert "*bold*" in text  # shown as typed: the markers are kept but inert
    blocks_text = json.dumps([p["blocks"] for p in shown], ensure_ascii=False)
    assert "*bold*" not in blocks_text  # ...because zero-width spaces break them apart


async def test_the_ack_comes_before_any_slow_work(
    wire: SlackWire, runtime: object, fake_slack: FakeSlack, slack: SlackChat
) -> None:
    fake_slack.gates["users.info"] = gate = asyncio.Event()
    answer = await wire.command("/cto", "salary")
    assert (answer.status, answer.text) == (200, "")
    await fake_slack.wait_for("users.info")  # the work started after the ack, and waits
    assert not fake_slack.of("response")
    gate.set()
    assert (await fake_slack.wait_for("response"))[0].params["blocks"]


async def test_bad_signature_and_stale_timestamp_are_refused(
    wire: SlackWire, fake_slack: FakeSlack
) -> None:
    form = b"command=%2Fcto&text=salary&team_id=T0001&user_id=U0001"
    kind = "application/x-www-form-urlencoded"
    assert (await wire.send(form, kind, secret="not-the-secret")).status == 401
    stale = int(time.time()) - 6 * 60
    assert (await wire.send(form, kind, timestamp=stale)).status == 401
    assert not fake_slack.of("users.info") and not fake_slack.of("response")


async def test_app_home_shows_progress_settings_and_chart(
    slack: SlackChat, wire: SlackWire, runtime: object, fake_slack: FakeSlack
) -> None:
    await slack.say("/progress rate security 3")
    await wire.event("Ev1")
    (published,) = await fake_slack.wait_for("views.publish")
    view = published.params["view"]
    assert published.params["user_id"] == "U0001" and view["type"] == "home"
    check_message(view["blocks"], max_blocks=100)
    images = [b for b in view["blocks"] if b["type"] == "image"]
    uploaded = fake_slack.of("files.completeUploadExternal")  # the radar and the gap chart
    assert [u.params["channel_id"] for u in uploaded] == ["DU0001"] * 2  # the user's DM
    ids = [u.params["files"][0]["id"] for u in uploaded]
    assert [i["slack_file"]["id"] for i in images] == ids
    assert "Streak" in text_of([view]) and "Readiness" in text_of([view])
    assert buttons_of(view["blocks"]), "settings come with buttons"
    await wire.event("Ev2")
    await fake_slack.wait_for("views.publish", 2)
    assert len(fake_slack.of("files.completeUploadExternal")) == 2, "unchanged charts stay"


async def test_an_app_home_button_runs_its_command_and_updates_the_tab(
    slack: SlackChat, wire: SlackWire, runtime: object, fake_slack: FakeSlack
) -> None:
    await wire.event("Ev1")
    (first,) = await fake_slack.wait_for("views.publish")
    button = next(
        b for b in buttons_of(first.params["view"]["blocks"]) if "subscribe" in b["value"]
    )
    await slack.press(button, home=True)
    published = await fake_slack.wait_for("views.publish", 2)
    assert buttons_of(published[1].params["view"]["blocks"])
    assert button["value"] == "/coach subscribe"
    settings = text_of(await slack.say("/coach settings"))
    assert "08:30" in settings


async def test_a_retried_event_is_processed_once(
    wire: SlackWire, runtime: object, fake_slack: FakeSlack
) -> None:
    assert (await wire.event("Ev42")).status == 200
    await fake_slack.wait_for("views.publish")
    assert (await wire.event("Ev42", retry=1)).status == 200
    assert (await wire.event("Ev42")).status == 200  # a duplicate without the header
    await runtime.adapter.drain()  # type: ignore[attr-defined]
    assert len(fake_slack.of("views.publish")) == 1
    assert runtime.adapter.skipped_events == 2  # type: ignore[attr-defined]


async def test_a_retry_whose_first_attempt_never_arrived_is_processed(
    wire: SlackWire, runtime: object, fake_slack: FakeSlack
) -> None:
    assert (await wire.event("Ev77", retry=1)).status == 200
    (published,) = await fake_slack.wait_for("views.publish")
    assert published.params["user_id"] == "U0001"
    assert (await wire.event("Ev77", retry=2)).status == 200  # that one was seen: dropped
    assert (await wire.event("Ev78", retry=3)).status == 200  # another unseen event
    await fake_slack.wait_for("views.publish", 2)
    await runtime.adapter.drain()  # type: ignore[attr-defined]
    assert len(fake_slack.of("views.publish")) == 2
    assert runtime.adapter.skipped_events == 1  # type: ignore[attr-defined]


async def test_the_messages_tab_does_not_publish_home(
    wire: SlackWire, runtime: object, fake_slack: FakeSlack
) -> None:
    await wire.event("Ev7", tab="messages")
    await runtime.adapter.drain()  # type: ignore[attr-defined]
    assert not fake_slack.of("views.publish")


RESPONSE_URL = "http://127.0.0.1:9/response/r1"
ON_THE_WIRE = {
    "slash_command": (
        command_request("/cto", "salary", user="U0002", channel="C0002", response_url=RESPONSE_URL),
        command("/cto", asyncio=True),
        "C0002",
    ),
    "block_actions": (
        press_request("cb:x", "x", user="U0002", home=False, response_url=RESPONSE_URL),
        block_action(re.compile("^" + re.escape(ACTION_PREFIX)), asyncio=True),
        "D0001",
    ),
    "block_actions_home": (
        press_request("cbrun:x", "/x", user="U0002", home=True, response_url=RESPONSE_URL),
        block_action(re.compile("^" + re.escape(RUN_PREFIX)), asyncio=True),
        None,
    ),
    "app_home_opened": (
        event_request("Ev1", user="U0002", tab="home"),
        event("app_home_opened", asyncio=True),
        "D0001",
    ),
    "view_submission": (
        submission_request({"blocks": [], "callback_id": FORM_CALLBACK}, {}, user="U0002"),
        view_submission(FORM_CALLBACK, asyncio=True),
        None,
    ),
}


@pytest.mark.parametrize("name", sorted(ON_THE_WIRE))
async def test_the_fixtures_are_what_bolt_reads_from_slack(name: str) -> None:
    """Bolt's own parsing (the HTTP body, then the context its listeners get) reads the
    recorded payloads as the kind of request, workspace, user and channel they claim."""
    (body, content_type), matcher, channel = ON_THE_WIRE[name]
    request = AsyncBoltRequest(body=body.decode(), headers={"content-type": content_type})
    assert await matcher.async_matches(request, BoltResponse(status=200)), name
    context = request.context
    assert (context.team_id, context.user_id, context.channel_id) == ("T0001", "U0002", channel)
    assert context.enterprise_id is None and context.is_enterprise_install is False
    assert context.response_url == (
        RESPONSE_URL if name in ("slash_command", "block_actions") else None
    )


def test_every_recorded_fixture_is_checked_against_bolt() -> None:
    assert sorted(p.stem for p in PAYLOADS.glob("*.json")) == sorted(ON_THE_WIRE)
