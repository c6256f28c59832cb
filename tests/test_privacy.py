"""``/coach export`` hands over everything stored about a user; ``/coach forget`` erases it all
after an explicit confirmation, and no row naming them remains in any table."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import String, event, text
from sqlmodel import select

from coachbot.app import App, build_app
from coachbot.clock import FakeClock
from coachbot.db.migrate import upgrade
from coachbot.db.models import (
    Delivery,
    DmChannel,
    Goal,
    Person,
    Rating,
    Subscription,
    UploadedFile,
    WeeklyMessage,
    metadata,
)
from coachbot.dispatch import run_action
from coachbot.identity import PersonRef
from coachbot.knowledge.models import KnowledgeBase
from coachbot.mentors.alerts import due_mentor_alerts
from coachbot.privacy import forget_token, forget_token_valid, remaining_rows
from coachbot.reply import Attachment, Tone
from coachbot.settings import DatabaseSettings, Settings
from tests.chat import ChatBot

ALICE = "alice"


async def person_id(app: App, user: str) -> int | None:
    async with app.services.database().session() as session:
        return (await session.exec(select(Person.id).where(Person.user_id == user))).first()


async def all_rows(app: App) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as plain dicts."""
    async with app.services.database().session() as session:
        conn = await session.connection()
        return {
            table.name: [dict(r._mapping) for r in await conn.execute(select(table))]
            for table in metadata.sorted_tables
        }


def rows_naming(tables: dict[str, list[dict[str, Any]]], pid: int, user: str) -> list[str]:
    """Rows that hold ``pid`` in a column referring to a person, or ``user`` in a text column,
    or refer to a row that no longer exists (which is how a deleted person's rows would hide)."""
    found = []
    for table in metadata.sorted_tables:
        for row in tables[table.name]:
            for column in table.columns:
                value = row[column.name]
                targets = {fk.column.table.name for fk in column.foreign_keys}
                if "person" in targets and value == pid:
                    found.append(f"{table.name}.{column.name}={pid}")
                if isinstance(column.type, String) and isinstance(value, str) and user in value:
                    found.append(f"{table.name}.{column.name} names {user}")
                for fk in column.foreign_keys:
                    parent = fk.column.table.name
                    if value is not None and all(
                        r[fk.column.name] != value for r in tables[parent]
                    ):
                        found.append(f"{table.name}.{column.name} dangles")
    return found


@pytest.fixture
async def lived(bot: ChatBot, app: App, clock: FakeClock) -> ChatBot:
    """alice has a row in every table: as a learner (bob mentors her) and as a mentor (of dave)."""
    for user in ("bob", "dave", ALICE):
        await bot.as_(user).say("/coach language en")
    await bot.as_("bob").say("/progress rate skill:budget level:2")
    await bot.as_(ALICE).say("/progress rate skill:security level:3")
    await bot.say("/progress log skill:security note:led the incident review")
    await bot.say("/progress goal skill:leadership level:4")
    await bot.say("/coach subscribe time:08:30")
    await bot.say("/mentor request user:@bob")
    await bot.as_("bob").say("/mentor accept user:@alice")
    await bot.say("/mentor note user:@alice text:write the post-mortem")
    await bot.say("/mentor alerts user:@alice on:true days:3")
    await bot.as_("dave").say("/mentor request user:@alice")
    await bot.as_(ALICE).say("/mentor accept user:@dave")
    await bot.say("/mentor note user:@dave text:keep going")
    await bot.say("/mentor focus user:@dave skill:budget level:3")
    await bot.say("/mentor alerts user:@dave on:true days:3")
    pid = await person_id(app, ALICE)
    async with app.services.database().session() as session:
        sub = (await session.exec(select(Subscription))).one()
        now = clock.now()
        session.add(
            Delivery(
                subscription_id=sub.id,
                person_id=pid,
                local_date=now.date(),
                tip_id="soft-001",
                status="sent",
                nonce="n1",
                due_at=now,
            )
        )
        session.add(
            WeeklyMessage(
                person_id=pid, kind="recap", week="2026-W10", status="sent", created_at=now
            )
        )
        session.add(UploadedFile(person_id=pid, digest="0" * 64, file_id="F1", created_at=now))
        session.add(  # the DM channel a platform opened with her
            DmChannel(
                person_id=pid, platform="discord", user_id=ALICE, channel_id="1", opened_at=now
            )
        )
    clock.advance(timedelta(days=3))
    async with app.services.database().session() as session:
        sent = await due_mentor_alerts(
            session=session,
            kb=app.services.kb,
            registry=app.registry,
            now=clock.now(),
            default_timezone="UTC",
            platforms=("console",),
        )
    assert sorted(m.user for m, _ in sent) == [ALICE, "bob"]
    return bot.as_(ALICE)


async def test_the_fixture_puts_alice_in_every_table(lived: ChatBot, app: App) -> None:
    pid = await person_id(app, ALICE)
    assert pid is not None
    async with app.services.database().session() as session:
        left = await remaining_rows(await session.connection(), pid)
    expected = {t.name for t in metadata.sorted_tables} - {"workspace", "command_sync"}
    assert set(left) == expected


# --- export ------------------------------------------------------------------------------


async def test_export_is_a_private_json_file_of_everything_about_the_user(
    lived: ChatBot, app: App
) -> None:
    reply = await lived.reply("/coach export")
    assert reply.ephemeral
    [file] = [b for b in reply.blocks if isinstance(b, Attachment)]
    assert file.mime == "application/json" and file.filename.endswith(".json")
    data = json.loads(file.data)
    assert data["format"] == "coachbot-export/1"
    assert data["person"]["user_id"] == ALICE and data["person"]["language"] == "en"
    tables = data["tables"]
    assert [r["skill_id"] for r in tables["rating"]] == ["it_security"]  # not bob's
    assert tables["evidence"][0]["note"] == "led the incident review"
    pid, bob, dave = [await person_id(app, u) for u in (ALICE, "bob", "dave")]
    assert {(g["person_id"], g["set_by_id"]) for g in tables["goal"]} == {
        (pid, None),
        (dave, pid),  # the goal she set as dave's mentor
    }
    links = {(r["mentor_id"], r["learner_id"]) for r in tables["mentor_link"]}
    assert links == {(bob, pid), (pid, dave)}
    assert {n["text"] for n in tables["mentor_note"]} == {"write the post-mortem", "keep going"}
    assert len(tables["subscription"]) == len(tables["delivery"]) == 1
    assert len(tables["weekly_message"]) == 1 and len(tables["mentor_alert"]) == 2
    assert tables["activity"] and tables["milestone"]
    assert set(data["people"].values()) == {"bob", "dave"}
    assert "workspace" not in tables


async def test_export_in_the_console_writes_the_file(lived: ChatBot, app: App) -> None:
    text = await lived.say("/coach export")
    assert "[file]:" in text and "coachbot-export-alice-2026-03-05.json" in text


async def test_two_users_exports_are_two_files(bot: ChatBot, app: App) -> None:
    """Each file is named after its user: in the console one user's export never
    overwrites another's, and an id is made safe for a file name."""
    names = []
    for user in ("alice", "bob", "T0/../U 1"):
        reply = await bot.as_(user).reply("/coach export", locale="en")
        [file] = [b for b in reply.blocks if isinstance(b, Attachment)]
        names.append(file.filename)
    assert names[0].startswith("coachbot-export-alice-") and names[0].endswith(".json")
    assert names[1].startswith("coachbot-export-bob-")
    assert names[2].startswith("coachbot-export-T0_.._U_1-") and "/" not in names[2]
    assert len(set(names)) == 3


async def test_export_of_someone_never_seen_is_empty_and_creates_nothing(
    bot: ChatBot, app: App
) -> None:
    reply = await bot.as_("stranger").reply("/coach export", locale="en")
    [file] = [b for b in reply.blocks if isinstance(b, Attachment)]
    data = json.loads(file.data)
    assert data["person"] is None and data["tables"] == {}
    assert await person_id(app, "stranger") is None


# --- forget ------------------------------------------------------------------------------


async def test_forget_asks_first_and_cancel_erases_nothing(lived: ChatBot, app: App) -> None:
    before = await all_rows(app)
    reply = await lived.reply("/coach forget")
    assert reply.tone is Tone.PROMPT and reply.ephemeral
    assert [b.label for b in lived.buttons()] == ["Erase everything", "Cancel"]
    assert await all_rows(app) == before
    cancelled = await lived.press_reply("Cancel")
    assert cancelled.title == "Nothing was erased"
    assert await all_rows(app) == before


async def test_forget_erases_every_row_naming_the_user(lived: ChatBot, app: App) -> None:
    pid = await person_id(app, ALICE)
    assert pid is not None
    assert rows_naming(await all_rows(app), pid, ALICE)  # the check can fail
    await lived.say("/coach forget")
    done = await lived.press_reply("Erase everything")
    assert done.title == "Data erased" and done.tone is Tone.SUCCESS and done.ephemeral

    tables = await all_rows(app)
    assert rows_naming(tables, pid, ALICE) == []
    # the others keep their own data; dave keeps the goal alice set him, without her name
    assert [r["skill_id"] for r in tables["rating"]] == ["budget_management"]
    dave = await person_id(app, "dave")
    assert [(g["person_id"], g["set_by_id"]) for g in tables["goal"]] == [(dave, None)]
    assert {p["user_id"] for p in tables["person"]} == {"bob", "dave"}
    # her cached language went with her: the next reply is in the default language, French
    assert "Aucun lien de mentorat" in await lived.say("/mentor list")
    assert "Not possible" in await lived.as_("bob").say("/mentor view user:@alice")


async def test_a_confirmation_expires(lived: ChatBot, app: App, clock: FakeClock) -> None:
    await lived.say("/coach forget")
    clock.advance(timedelta(minutes=11))
    refused = await lived.press_reply("Erase everything")
    assert refused.tone is Tone.ERROR
    assert "expired" in lived.session.renderer.render(refused)
    assert await person_id(app, ALICE) is not None


async def test_someone_elses_confirmation_erases_nobody(lived: ChatBot, app: App) -> None:
    await lived.say("/coach forget")
    confirm = lived.buttons()[0].action
    bob = PersonRef("console", "local", "bob")
    refused = await run_action(app.dispatcher, bob, confirm, "en")
    assert refused.tone is Tone.ERROR
    assert await person_id(app, ALICE) is not None and await person_id(app, "bob") is not None


def test_tokens_are_bound_to_the_person_and_a_ten_minute_window(clock: FakeClock) -> None:
    alice = PersonRef("console", "local", ALICE)
    token = forget_token(alice, clock.now())
    assert forget_token_valid(alice, token, clock.now() + timedelta(minutes=10))
    assert not forget_token_valid(alice, token, clock.now() + timedelta(minutes=10, seconds=1))
    assert not forget_token_valid(alice, token, clock.now() - timedelta(seconds=1))
    assert not forget_token_valid(alice.peer("bob"), token, clock.now())
    assert not forget_token_valid(PersonRef("console", "other", ALICE), token, clock.now())
    for forged in ("", "zz.abc", token.split(".")[0] + ".0000", token + "0"):
        assert not forget_token_valid(alice, forged, clock.now())


async def test_forget_works_for_someone_with_nothing_stored(bot: ChatBot, app: App) -> None:
    await bot.as_("stranger").reply("/coach forget")
    done = await bot.press_reply("Tout effacer")
    assert done.title == "Données effacées"
    assert await person_id(app, "stranger") is None


async def test_sqlite_enforces_foreign_keys(app: App) -> None:
    async with app.services.database().session() as session:
        conn = await session.connection()
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1


async def test_ratings_survive_for_others_in_other_workspaces(lived: ChatBot, app: App) -> None:
    lived.session.workspace = "elsewhere"
    await lived.say("/progress rate skill:security level:5")
    lived.session.workspace = app.services.settings.console.workspace
    await lived.say("/coach forget")
    await lived.press("Erase everything")
    async with app.services.database().session() as session:
        left = (await session.exec(select(Rating.level, Person.workspace).join(Person))).all()
        goals = (await session.exec(select(Goal))).all()
    assert ("elsewhere" in {w for _, w in left}) and (5 in {lvl for lvl, _ in left})
    assert len(goals) == 1


async def test_erasure_does_not_rely_on_cascades(lived: ChatBot, app: App) -> None:
    """With foreign keys off (so no ON DELETE CASCADE), forget still leaves nothing behind."""
    db = app.services.database()
    await db.engine.dispose()
    event.listen(db.engine.sync_engine, "connect", _foreign_keys_off)
    pid = await person_id(app, ALICE)
    assert pid is not None
    async with db.session() as session:
        conn = await session.connection()
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one() == 0
    await lived.say("/coach forget")
    await lived.press("Erase everything")
    assert rows_naming(await all_rows(app), pid, ALICE) == []


def _foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.cursor().execute("PRAGMA foreign_keys=OFF")


async def test_an_incomplete_erasure_is_undone(
    lived: ChatBot, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await all_rows(app)

    async def something_left(conn: Any, person_id: int) -> dict[str, int]:
        return {"rating": 1}

    monkeypatch.setattr("coachbot.privacy.remaining_rows", something_left)
    await lived.say("/coach forget")
    refused = await lived.press_reply("Erase everything")
    assert refused.tone is Tone.ERROR and refused.title == "Nothing was erased"
    assert await all_rows(app) == before


# --- people named by others' requests ----------------------------------------------------------


async def people(app: App) -> set[str]:
    async with app.services.database().session() as session:
        return set(await session.exec(select(Person.user_id)))


async def test_a_withdrawn_request_leaves_no_trace_of_the_person_asked(
    bot: ChatBot, app: App
) -> None:
    await bot.as_(ALICE).say("/mentor request user:@ghost")
    assert await people(app) == {ALICE, "ghost"}
    await bot.say("/mentor end user:@ghost")
    assert await people(app) == {ALICE}
    assert (await all_rows(app))["mentor_link"] == []
    assert "Aucun lien de mentorat" in await bot.say("/mentor list")


async def test_forget_takes_the_rows_only_its_requests_created(bot: ChatBot, app: App) -> None:
    """ghost never used the bot, bob only declined, carol chose a language, dave rates himself,
    erin mentors alice and frank: after alice forgets, only carol, dave and erin remain."""
    await bot.as_("carol").say("/coach language en")
    await bot.as_("dave").say("/progress rate skill:budget level:2")
    await bot.as_("frank").say("/mentor request user:@erin")
    await bot.as_("erin").say("/mentor accept user:@frank")
    for mentor in ("ghost", "bob", "carol", "dave", "erin"):
        await bot.as_(ALICE).say(f"/mentor request user:@{mentor}")
    await bot.as_("bob").say("/mentor decline user:@alice")
    await bot.as_("erin").say("/mentor accept user:@alice")
    await bot.say("/mentor note user:@alice text:keep going")
    assert await people(app) == {ALICE, "ghost", "bob", "carol", "dave", "erin", "frank"}

    await bot.as_(ALICE).say("/coach forget")
    await bot.press("Tout effacer")
    assert await people(app) == {"carol", "dave", "erin", "frank"}
    tables = await all_rows(app)
    assert len(tables["mentor_link"]) == 1 and tables["mentor_note"] == []


async def test_ending_an_active_link_keeps_both_people(bot: ChatBot, app: App) -> None:
    await bot.as_(ALICE).say("/mentor request user:@bob")
    await bot.as_("bob").say("/mentor accept user:@alice")
    await bot.as_("bob").say("/mentor end user:@alice")
    assert await people(app) == {ALICE, "bob"}  # the ended link stays listed to both
    assert "@bob — terminé" in await bot.as_(ALICE).say("/mentor list")


async def test_people_named_by_requests_go_on_postgresql(
    postgres_url: str, settings: Settings, clock: FakeClock, kb: KnowledgeBase
) -> None:
    await asyncio.to_thread(upgrade, postgres_url)
    pg = build_app(
        replace(settings, database=DatabaseSettings(url=postgres_url)), clock=clock, kb=kb
    )
    try:
        bot = ChatBot(pg)
        await bot.as_(ALICE).say("/mentor request user:@ghost")
        await bot.say("/mentor end user:@ghost")
        assert await people(pg) == {ALICE}
        await bot.say("/mentor request user:@bob")
        await bot.as_("bob").say("/mentor accept user:@alice")
        await bot.say("/mentor focus user:@alice skill:security level:4")
        await bot.as_(ALICE).say("/coach forget")
        await bot.press("Tout effacer")
        assert await people(pg) == set()
    finally:
        await pg.close()
