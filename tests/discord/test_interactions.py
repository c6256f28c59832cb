"""Raw interactions as Discord sends them, through discord.py's CommandTree, to recorded HTTP.

Every registry command is invoked (parametrized, so new commands are covered);
then the details: language, autocomplete, deferral, admin checks, hostile input,
buttons after a restart, stale commands.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from coachbot.adapters.discord.client import make_client
from coachbot.adapters.discord.commands import discord_path, is_channel
from coachbot.adapters.discord.delivery import DiscordDelivery
from coachbot.adapters.discord.interactions import Responder
from coachbot.app import App
from coachbot.db.models import Delivery, Subscription
from coachbot.db.people import ensure_person, find_person
from coachbot.db.workspaces import find_workspace
from coachbot.delivery import DeliveryTarget
from coachbot.dispatch import Dispatcher, Invocation
from coachbot.i18n import Localized
from coachbot.identity import PersonRef
from coachbot.knowledge.models import KnowledgeBase
from coachbot.prompts.compose import prompt_reply
from coachbot.registry import CommandSpec, Group, Option, OptionType, Registry
from coachbot.reply import Actions, Button, Image, Reply, Text
from coachbot.services import Context
from coachbot.settings import Settings
from tests.discord.harness import (
    ALICE,
    BOB,
    CALLBACK,
    FOLLOWUP,
    GUILD,
    ORIGINAL,
    Discord,
    Recorder,
    channel_option,
    command,
    fixture,
    press,
    user_option,
)
from tests.discord.limits_check import message_problems, texts
from tests.discord.test_commands import REGISTRY

EPHEMERAL = 64
CHANNEL = "381870553235193857"
MENTION = re.compile(r"@(everyone|here)|<@[&!]?\d")
ACTIVE_MARKDOWN = re.compile(r"(?<!\\)\*\*loud|(?<!\\)\[x\]\(")


def flags(call_data: dict[str, Any]) -> int:
    return int(call_data.get("flags") or 0)


@pytest.fixture
def invocations(app: App, monkeypatch: pytest.MonkeyPatch) -> list[Invocation]:
    """What reached the core's dispatcher."""
    seen: list[Invocation] = []
    original = app.dispatcher.dispatch

    async def spy(inv: Invocation) -> Reply:
        seen.append(inv)
        return await original(inv)

    monkeypatch.setattr(app.dispatcher, "dispatch", spy)
    return seen


def sample_options(app: App, spec: CommandSpec) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A valid value for each required option, typed as Discord sends it."""
    options: list[dict[str, Any]] = []
    resolved: dict[str, Any] = {}
    for opt in (o for o in spec.options if o.required):
        if opt.type is OptionType.USER:
            sent, found = user_option(opt.name, BOB)
            options.append(sent)
            resolved |= found
        elif is_channel(opt):
            sent, found = channel_option(opt.name, CHANNEL)
            options.append(sent)
            resolved |= found
        elif opt.type is OptionType.INTEGER:
            value = opt.min_value if opt.min_value is not None else 1
            options.append({"name": opt.name, "type": 4, "value": value})
        elif opt.type is OptionType.BOOLEAN:
            options.append({"name": opt.name, "type": 5, "value": False})
        else:
            options.append({"name": opt.name, "type": 3, "value": _text_value(app, spec, opt)})
    return options, resolved


def _text_value(app: App, spec: CommandSpec, opt: Option) -> str:
    if opt.choices:
        return opt.choices[0].value
    if opt.vocabulary:
        return app.dispatcher.complete(spec.path, opt.name, "", "en")[0].value
    return "Reviewed the incident runbook with the team"[: opt.max_length or None]


@pytest.mark.parametrize("spec", list(REGISTRY), ids=lambda s: s.qualified_name)
async def test_every_command_answers_through_the_command_tree(
    discord_bot: Discord, app: App, invocations: list[Invocation], spec: CommandSpec
) -> None:
    options, resolved = sample_options(app, spec)
    raw = command(discord_path(spec), options, resolved=resolved, admin=spec.admin)
    await discord_bot.dispatch(raw)

    [inv] = invocations
    assert inv.path == spec.path
    assert inv.person == PersonRef("discord", GUILD, ALICE)
    assert (inv.locale, inv.channel, inv.is_admin) == ("en-US", CHANNEL, spec.admin)
    assert set(inv.args) == {o.name for o in spec.options if o.required}
    if any(o.type is OptionType.USER and o.required for o in spec.options):
        assert BOB in inv.args.values()

    calls = discord_bot.recorder.responses()
    [ack] = [c for c in calls if c.path == CALLBACK]
    assert ack.payload is not None and ack.payload["type"] in (4, 5)
    if spec.slow:
        assert ack.payload["type"] == 5  # deferred first, the placeholder then replaced
        assert [c.method for c in discord_bot.recorder.to(ORIGINAL)][:1] == ["PATCH"]
    sent = discord_bot.recorder.sent_payloads()
    assert sent, "no message was sent"
    for body in sent:
        assert message_problems(body) == []
        if spec.personal:
            assert discord_bot.recorder.private(body), "personal data must be ephemeral"


async def test_a_recorded_slash_command_gets_its_embeds(discord_bot: Discord) -> None:
    await discord_bot.dispatch(fixture("interactions/command_cto_salary"))
    [call] = discord_bot.recorder.calls[-1:]
    assert call.path == CALLBACK and call.payload is not None
    assert call.payload["type"] == 4
    data = call.data
    assert data["allowed_mentions"] == {"parse": []}
    assert flags(data) == 0  # salaries are public knowledge
    [grid, note] = data["embeds"]
    assert grid["title"] == "What a CTO earns"
    assert grid["fields"] == [
        {"name": "Expert · Paris", "value": "100–140 k€ gross / year", "inline": True}
    ]
    assert "€93k" in note["description"] and note["footer"]["text"].startswith("Sources:")


async def test_reply_language_follows_the_user_then_the_discord_locale(
    discord_bot: Discord, kb: KnowledgeBase
) -> None:
    await discord_bot.dispatch(command(("cto", "types"), locale="fr"))
    french = discord_bot.recorder.sent_payloads()[-1]["embeds"][0]["title"]
    await discord_bot.dispatch(
        command(("coach", "language"), [{"name": "lang", "type": 3, "value": "en"}], locale="fr")
    )
    await discord_bot.dispatch(command(("cto", "types"), locale="fr"))
    english = discord_bot.recorder.sent_payloads()[-1]["embeds"][0]["title"]
    assert (french, english) == (kb.topics["types"].title.fr, kb.topics["types"].title.en)


async def test_a_french_client_sends_the_english_ids_and_reads_french(
    discord_bot: Discord, invocations: list[Invocation]
) -> None:
    """A French client shows ``/progression noter competence niveau``; Discord still sends
    the base names, so the core gets its own ids, and the reply is in French."""
    options = [{"name": "skill", "type": 3, "value": "it_security"},
               {"name": "level", "type": 4, "value": 3}]  # fmt: skip
    await discord_bot.dispatch(command(("progress", "rate"), options, locale="fr"))
    [inv] = invocations
    assert (inv.path, dict(inv.args)) == (
        ("progress", "rate"),
        {"skill": "it_security", "level": 3},
    )
    assert discord_bot.recorder.sent_payloads()[-1]["embeds"][0]["title"] == (
        "Auto-évaluation enregistrée"
    )


async def test_skill_autocomplete_is_served_by_the_core(discord_bot: Discord, app: App) -> None:
    await discord_bot.dispatch(fixture("interactions/autocomplete_progress_rate"))
    [call] = discord_bot.recorder.to(CALLBACK)
    assert call.payload is not None and call.payload["type"] == 8
    choices = call.payload["data"]["choices"]
    expected = app.dispatcher.complete(("progress", "rate"), "skill", "secu", "fr")
    assert choices == [{"name": s.label, "value": s.value} for s in expected]
    assert 0 < len(choices) <= 25
    assert all(c["value"] in app.services.kb.skills for c in choices)


async def test_timezone_autocomplete(discord_bot: Discord) -> None:
    focused = [{"name": "timezone", "type": 3, "value": "paris", "focused": True}]
    await discord_bot.dispatch(command(("coach", "subscribe"), focused, kind=4))
    [call] = discord_bot.recorder.to(CALLBACK)
    assert call.payload is not None
    assert call.payload["data"]["choices"][0] == {"name": "Europe/Paris", "value": "Europe/Paris"}


async def test_a_slow_command_defers_then_follows_up_privately_with_its_file(
    discord_bot: Discord,
) -> None:
    await discord_bot.dispatch(command(("coach", "export")))
    ack, answer = discord_bot.recorder.responses()
    assert ack.payload == {"type": 5, "data": {"flags": EPHEMERAL}}  # private from the start
    assert (answer.method, answer.path) == ("PATCH", ORIGINAL)  # replaces "thinking…"
    [(filename, blob)] = answer.files
    assert filename.startswith("coachbot-export-") and filename.endswith(".json")
    assert b'"tables"' in blob


async def test_a_command_not_done_in_time_defers_publicly(
    app: App, settings: Settings, recorder: Recorder
) -> None:
    bot = await Discord(
        make_client(app.registry, settings, responder=Responder(app, defer_after=0)), recorder
    ).connect()
    try:
        await bot.dispatch(command(("cto", "types")))
    finally:
        await bot.close()
    ack, answer = recorder.responses()
    assert ack.payload == {"type": 5}  # public, like the answer will be
    assert (answer.method, answer.path) == ("PATCH", ORIGINAL)
    assert answer.data["embeds"][0]["title"]


async def test_a_private_answer_after_a_public_deferral_never_shows_publicly(
    app: App, settings: Settings, recorder: Recorder
) -> None:
    bot = await Discord(
        make_client(app.registry, settings, responder=Responder(app, defer_after=0)), recorder
    ).connect()
    try:
        await bot.dispatch(command(("cto", "day"), [{"name": "hour", "type": 4, "value": 22}]))
    finally:
        await bot.close()
    ack, aside, follow, delete = recorder.responses()
    assert ack.payload == {"type": 5}
    assert (aside.method, aside.path) == ("PATCH", ORIGINAL)  # a neutral public line...
    assert aside.data["content"] == "Answer sent privately." and "embeds" not in aside.data
    assert follow.path == FOLLOWUP and flags(follow.data) & EPHEMERAL  # the error stays private
    assert (delete.method, delete.path) == ("DELETE", ORIGINAL)  # ...then gone


async def test_a_chart_command_sends_its_png_in_the_embed(
    app: App, settings: Settings, recorder: Recorder
) -> None:
    async def chart(ctx: Context) -> Reply:
        chart = Image("radar.png", b"\x89PNG", "radar")
        return Reply(
            "Radar", blocks=(Text("Your skills"), chart, Actions((Button("lab:again", "Again"),)))
        )

    spec = CommandSpec("lab", "chart", Localized("Graphique", "Chart"), chart, slow=True)
    registry = Registry([Group("lab", Localized("Labo", "Lab"))], [spec])
    lab = App(app.services, registry, Dispatcher(app.services, registry))
    bot = await Discord(
        make_client(registry, settings, responder=Responder(lab)), recorder
    ).connect()
    try:
        await bot.dispatch(command(("lab", "chart")))
    finally:
        await bot.close()
    ack, follow = recorder.responses()
    assert ack.payload == {"type": 5}
    assert (follow.method, follow.path) == ("PATCH", ORIGINAL)
    assert follow.files == [("radar.png", b"\x89PNG")]
    assert follow.data["embeds"][0]["image"] == {"url": "attachment://radar.png"}
    assert follow.data["attachments"] == [
        {"id": 0, "filename": "radar.png", "description": "radar"}
    ]
    [button] = follow.data["components"][0]["components"]
    assert button["custom_id"] == f"cb:{GUILD}:lab:again"


async def test_admin_commands_are_checked_again_by_the_core(
    discord_bot: Discord, invocations: list[Invocation]
) -> None:
    admin_specs = [s for s in REGISTRY if s.admin]
    assert admin_specs, "the registry has no admin command to check"
    path = discord_path(admin_specs[0])
    await discord_bot.dispatch(command(path, admin=False))
    refused = discord_bot.recorder.sent_payloads()[-1]
    assert refused["embeds"][0]["title"] == "Admins only" and flags(refused) & EPHEMERAL
    assert [i.is_admin for i in invocations] == [False]


# Admin commands: the server's defaults are the admins' business, deferred or not.

TIPS = "1263335148640301199"


def _bot(app: App, settings: Settings, recorder: Recorder, *, deferred: bool) -> Discord:
    """A bot that answers at once, or one that defers every command first (a busy database)."""
    responder = Responder(app, defer_after=0 if deferred else 60)
    return Discord(make_client(app.registry, settings, responder=responder), recorder)


@pytest.mark.parametrize("deferred", [False, True], ids=["at-once", "deferred"])
async def test_coach_server_stores_the_picked_channel_and_answers_privately(
    app: App, settings: Settings, recorder: Recorder, deferred: bool
) -> None:
    option, resolved = channel_option("channel", TIPS)
    bot = await _bot(app, settings, recorder, deferred=deferred).connect()
    try:
        await bot.dispatch(command(("coach-server",), [option], resolved=resolved, admin=True))
    finally:
        await bot.close()
    [ack] = recorder.to(CALLBACK)
    assert ack.payload is not None and ack.payload["type"] == (5 if deferred else 4)
    assert [c for c in recorder.to(ORIGINAL) if c.method == "DELETE"] == []  # nothing public
    sent = recorder.sent_payloads()
    assert sent and all(recorder.private(body) for body in sent)
    assert sent[-1]["embeds"][0]["title"] == "Server defaults saved"
    async with app.services.database().session() as session:
        row = await find_workspace(session=session, ref=PersonRef("discord", GUILD, ALICE))
    assert row is not None and row.tip_channel == TIPS


@pytest.mark.parametrize("deferred", [False, True], ids=["at-once", "deferred"])
async def test_an_admin_answer_stays_private_even_when_the_core_makes_it_public(
    app: App, settings: Settings, recorder: Recorder, deferred: bool
) -> None:
    async def defaults(ctx: Context) -> Reply:
        return Reply("Server defaults", blocks=(Text("Timezone: Europe/Paris"),))

    spec = CommandSpec("lab", "defaults", Localized("Réglages", "Defaults"), defaults, admin=True)
    registry = Registry([Group("lab", Localized("Labo", "Lab"))], [spec])
    lab = App(app.services, registry, Dispatcher(app.services, registry))
    bot = await _bot(lab, settings, recorder, deferred=deferred).connect()
    try:
        await bot.dispatch(command(discord_path(spec), admin=True))
    finally:
        await bot.close()
    [ack] = recorder.to(CALLBACK)
    if deferred:
        assert ack.payload == {"type": 5, "data": {"flags": EPHEMERAL}}
    [body] = recorder.sent_payloads()
    assert recorder.private(body)
    assert body["embeds"][0]["title"] == "Server defaults"


HOSTILE = "@everyone @here <@&123456789012345678> <@80351110224678913> **loud** [x](https://e.vil)"


@pytest.mark.parametrize(
    ("path", "options"),
    [
        (("cto", "salary"), [{"name": "region", "type": 3, "value": HOSTILE}]),
        (("cto", "ask"), [{"name": "question", "type": 3, "value": HOSTILE}]),
        (("progress", "log"), [
            {"name": "skill", "type": 3, "value": "security"},
            {"name": "note", "type": 3, "value": HOSTILE},
        ]),
        (("help",), [{"name": "command", "type": 3, "value": HOSTILE[:64]}]),
    ],
)  # fmt: skip
async def test_hostile_input_never_pings_nor_formats(
    discord_bot: Discord, path: tuple[str, ...], options: list[dict[str, Any]]
) -> None:
    await discord_bot.dispatch(command(path, options))
    sent = discord_bot.recorder.sent_payloads()
    assert sent
    for body in sent:
        assert body["allowed_mentions"] == {"parse": []}
        for text in texts(body):
            assert not MENTION.search(text), text
            assert not ACTIVE_MARKDOWN.search(text), text


async def test_a_stale_command_gets_a_clear_private_answer(discord_bot: Discord) -> None:
    await discord_bot.dispatch(command(("retired",)))
    [call] = discord_bot.recorder.to(CALLBACK)
    assert call.payload is not None and call.payload["type"] == 4
    assert flags(call.data) & EPHEMERAL
    assert "coachbot discord sync" in call.data["embeds"][0]["description"]


# Daily prompts: sent by DM, pressed after a restart.


async def _prompt_delivery(app: App) -> Delivery:
    """A claimed prompt for Alice of the guild, as the engine leaves it before sending."""
    now = app.services.clock.now()
    async with app.services.database().session() as session:
        person = await ensure_person(
            session=session, ref=PersonRef("discord", GUILD, ALICE), now=now
        )
        sub = Subscription(person_id=person.id, local_time="09:00", timezone="Europe/Paris", days=127,
                           where="dm", language="en", created_at=now)  # fmt: skip
        session.add(sub)
        await session.flush()
        delivery = Delivery(subscription_id=sub.id, person_id=person.id, local_date=date(2026, 3, 2),
                            tip_id=app.services.kb.tips[0].id, status="claimed", nonce="a1b2c3d4e5f6a7b8c9d0",
                            due_at=datetime(2026, 3, 2, 8, tzinfo=UTC))  # fmt: skip
        session.add(delivery)
        await session.flush()
        return delivery


async def test_a_prompt_goes_by_dm_with_its_nonce_and_buttons(
    discord_bot: Discord, app: App
) -> None:
    delivery = await _prompt_delivery(app)
    reply = prompt_reply(app.services.kb, delivery.tip_id, "en", delivery.id or 0)
    port = DiscordDelivery(discord_bot.client)
    target = DeliveryTarget(PersonRef("discord", GUILD, ALICE))
    sent = await port.send(target, reply, nonce=delivery.nonce)

    opened, message = discord_bot.recorder.calls[-2:]
    assert (opened.path, opened.payload) == ("/users/@me/channels", {"recipient_id": int(ALICE)})
    assert message.url.endswith("/channels/1264000000000000001/messages")
    body = message.payload or {}
    assert (body["nonce"], body["enforce_nonce"]) == (delivery.nonce, True)
    assert message_problems(body) == []
    ids = [b["custom_id"] for row in body["components"] for b in row["components"]]
    assert ids[0] == f"cb:{GUILD}:prompt:done:{delivery.id}" and len(ids) == 5
    assert sent.message_id == "1264000000000001000"


async def test_a_button_still_works_after_a_restart(
    app: App, settings: Settings, recorder: Recorder
) -> None:
    delivery = await _prompt_delivery(app)
    first = await Discord(
        make_client(app.registry, settings, responder=Responder(app)), recorder
    ).connect()
    reply = prompt_reply(app.services.kb, delivery.tip_id, "en", delivery.id or 0)
    await DiscordDelivery(first.client).send(
        DeliveryTarget(PersonRef("discord", GUILD, ALICE)), reply, nonce="n1"
    )
    custom_id = recorder.calls[-1].payload["components"][0]["components"][0]["custom_id"]  # type: ignore[index]
    await first.close()  # the process stops; nothing of the view survives

    second = await Discord(
        make_client(app.registry, settings, responder=Responder(app)), recorder
    ).connect()
    recorder.clear()
    try:
        await second.dispatch(press(custom_id))  # pressed in the DM: no guild in the interaction
    finally:
        await second.close()
    [ack] = recorder.to(CALLBACK)
    assert ack.payload is not None and ack.payload["type"] == 7  # the prompt itself updated
    [answer] = recorder.to(FOLLOWUP)
    assert flags(answer.data) & EPHEMERAL and answer.data["allowed_mentions"] == {"parse": []}
    async with app.services.database().session() as session:
        stored = await session.get(Delivery, delivery.id)
    assert stored is not None and stored.feedback == "done"


async def test_a_button_of_someone_else_changes_nothing(discord_bot: Discord, app: App) -> None:
    delivery = await _prompt_delivery(app)
    await discord_bot.dispatch(press(f"cb:{GUILD}:prompt:done:{delivery.id}", user=BOB))
    [ack] = discord_bot.recorder.to(CALLBACK)
    assert ack.payload is not None and flags(ack.data) & EPHEMERAL
    async with app.services.database().session() as session:
        stored = await session.get(Delivery, delivery.id)
    assert stored is not None and stored.feedback is None


async def test_a_button_whose_action_fails_still_gets_an_answer(
    discord_bot: Discord, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(ctx: Context, payload: str) -> Reply:
        raise RuntimeError("boom")

    monkeypatch.setitem(
        app.registry.actions, "prompt", replace(app.registry.actions["prompt"], handler=broken)
    )
    await discord_bot.dispatch(press(f"cb:{GUILD}:prompt:done:1"))
    [ack] = discord_bot.recorder.to(CALLBACK)
    assert ack.data["embeds"][0]["title"] == "Internal error"


async def test_an_ephemeral_confirmation_button_works_in_the_server(
    discord_bot: Discord, app: App
) -> None:
    await discord_bot.dispatch(command(("progress", "log"), [
        {"name": "skill", "type": 3, "value": "security"},
        {"name": "note", "type": 3, "value": "Ran the incident review"},
    ]))  # fmt: skip
    await discord_bot.dispatch(command(("coach", "forget")))
    asked = discord_bot.recorder.sent_payloads()[-1]
    assert flags(asked) & EPHEMERAL
    [erase, cancel] = asked["components"][0]["components"]
    assert erase["custom_id"].startswith(f"cb:{GUILD}:forget:confirm:")
    assert (erase["style"], cancel["custom_id"]) == (4, f"cb:{GUILD}:forget:cancel")

    await discord_bot.dispatch(press(erase["custom_id"], in_guild=True))
    done = discord_bot.recorder.sent_payloads()[-1]
    assert flags(done) & EPHEMERAL
    async with app.services.database().session() as session:
        gone = await find_person(session=session, ref=PersonRef("discord", GUILD, ALICE))
    assert gone is None
