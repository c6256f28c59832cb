"""``/progress``: ratings, evidence, goals, streaks, milestones, the overview and the report."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, select

from coachbot.app import App, build_app
from coachbot.clock import FakeClock
from coachbot.db.migrate import upgrade
from coachbot.db.models import Activity, Evidence, MentorNote, Milestone, Person, Rating, Workspace
from coachbot.db.people import ensure_person
from coachbot.dispatch import run_action
from coachbot.identity import PersonRef
from coachbot.knowledge.models import KnowledgeBase
from coachbot.markup import parse_inline
from coachbot.reply import Attachment, Image, Reply, Text, Tone
from coachbot.settings import DatabaseSettings, Settings
from coachbot.textcommand import run_line
from coachbot.tracker.activity import current_streak, person_zone, record_activity
from coachbot.tracker.profile import learner_profile
from coachbot.tracker.show import progress_overview
from tests.chat import ChatBot


@pytest.fixture
async def en(bot: ChatBot) -> ChatBot:
    """Alice, who chose English."""
    await bot.say("/coach language en")
    return bot


async def rows(app: App, model: type, **where: object) -> list:
    async with app.services.database().session() as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return list(await session.exec(query))


def markup_of(reply: Reply) -> str:
    return "\n".join(b.markup for b in reply.blocks if isinstance(b, Text))


# --- rating ------------------------------------------------------------------------------


async def test_rating_history_is_kept_never_overwritten(
    en: ChatBot, app: App, clock: FakeClock
) -> None:
    first = await en.say("/progress rate skill:security level:2")
    assert "IT security: 2/5 (first rating)" in first
    clock.advance(timedelta(days=1))
    second = await en.say("/progress rate skill:security level:4")
    assert "IT security: 4/5 (before: 2/5)" in second
    levels = [r.level for r in await rows(app, Rating, skill_id="it_security")]
    assert levels == [2, 4]
    history = await en.say("/progress history skill:security")
    assert "4/5 now, 2 rating(s)" in history
    assert "2026-03-03 · 4/5" in history and "2026-03-02 · 2/5" in history


async def test_skill_is_found_by_name_in_either_language_ignoring_case_and_accents(
    en: ChatBot, app: App
) -> None:
    await en.say('/progress rate skill:"SÉCURITÉ informatique" level:3')
    await en.say('/progress rate skill:"team leadership" level:4')
    await en.say("/progress rate skill:Anglais level:5")
    found = {r.skill_id for r in await rows(app, Rating)}
    assert found == {"it_security", "team_leadership", "english"}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/progress rate skill:secuirty level:3", "Closest: it_security"),
        ("/progress rate skill:leadrship level:3", "team_leadership"),
        ("/progress rate skill:security level:6", "whole number (0–5)"),
        ("/progress rate skill:security level:-1", "whole number (0–5)"),
        ("/progress rate skill:security", 'The option "level" is required'),
        ("/progress goal skill:security level:0", "whole number (1–5)"),
        ("/progress log skill:nothing note:did things", "is not a known skill"),
        ("/progress history skill:cooking", "is not a known skill"),
    ],
)
async def test_bad_input_is_refused_clearly_and_saves_nothing(
    en: ChatBot, app: App, line: str, expected: str
) -> None:
    text = await en.say(line)
    assert expected in text and "Usage: `/progress" in text
    assert en.last is not None and en.last.tone is Tone.ERROR
    assert await rows(app, Rating) == [] and await rows(app, Evidence) == []


async def test_errors_speak_french_too(bot: ChatBot) -> None:
    text = await bot.say("/progress rate skill:secuirty level:3")
    assert "n'est pas connu (compétence). Plus proches : it_security" in text


# --- evidence ------------------------------------------------------------------------------


async def test_a_501_character_note_is_refused_with_the_limit_and_nothing_saved(
    en: ChatBot, app: App
) -> None:
    text = await en.say("/progress log skill:security note:" + "x" * 501)
    assert "longer than 500 characters (501)" in text and "Nothing was saved" in text
    assert await rows(app, Evidence) == [] and await rows(app, Activity) == []
    assert await rows(app, Milestone) == []
    ok = await en.say("/progress log skill:security note:" + "y" * 500)
    assert "Evidence logged" in ok
    assert [len(e.note) for e in await rows(app, Evidence)] == [500]


async def test_a_note_takes_the_rest_of_the_line_and_is_stored_as_written(
    en: ChatBot, app: App
) -> None:
    await en.say("/progress log skill:security note: led the incident review: 3 teams, 2 h")
    (evidence,) = await rows(app, Evidence)
    assert evidence.note == "led the incident review: 3 teams, 2 h"
    assert evidence.skill_id == "it_security"


HOSTILE = "**@everyone** <!channel> <@&123> _x_ `y` \u202eevil\u200f \x00nul\n- fake bullet"


async def test_hostile_notes_are_stored_as_written_and_echoed_inert(en: ChatBot, app: App) -> None:
    reply = await en.reply("/progress log skill:security note:" + HOSTILE)
    (evidence,) = await rows(app, Evidence)
    assert evidence.note == HOSTILE.replace("\x00", "")
    for shown in (reply, await en.reply("/progress show chart:false")):
        markup = markup_of(shown) + "\n".join(
            i for b in shown.blocks for i in getattr(b, "items", ())
        )
        assert "\u202e" not in markup and "\x00" not in markup and "\n- fake" not in markup
        assert "\\*\\*@everyone\\*\\*" in markup
    spans = parse_inline(markup_of(reply).split("\n")[0])
    assert [s.text for s in spans if s.style == "bold"] == ["IT security"]


async def test_ten_thousand_characters_are_refused(en: ChatBot, app: App) -> None:
    text = await en.say("/progress log skill:security note:" + "@everyone " * 1000)
    assert "longer than 500 characters" in text
    assert await rows(app, Evidence) == []


# --- goals ---------------------------------------------------------------------------------


async def test_goal_sets_the_focus_and_a_new_goal_replaces_it(en: ChatBot, app: App) -> None:
    text = await en.say("/progress goal skill:vision level:4")
    assert "Focus: Long-term vision → 4/5 (now —)" in text
    assert "/progress rate skill:long_term_vision" in text
    await en.say("/progress goal skill:budget level:3")
    show = await en.say("/progress show chart:false")
    assert "Focus: Budget management → 3/5" in show and "Long-term vision" not in show
    from coachbot.db.models import Goal

    goals = await rows(app, Goal)
    assert [(g.skill_id, g.active) for g in goals] == [
        ("long_term_vision", False),
        ("budget_management", True),
    ]


# --- streaks -------------------------------------------------------------------------------


async def test_streak_counts_consecutive_local_days(en: ChatBot, clock: FakeClock) -> None:
    for _ in range(3):
        text = await en.say("/progress log skill:security note:patched a server")
        clock.advance(timedelta(days=1))
    assert "Streak: 3 days" in text
    # the next day, before logging anything: the streak still stands
    assert "Streak: 3 days" in await en.say("/progress show chart:false")
    clock.advance(timedelta(days=1))  # a whole day without a log breaks it
    assert "Streak: 0 days" in await en.say("/progress show chart:false")
    assert "Streak: 1 day." in await en.say("/progress log skill:security note:again")


async def test_two_logs_the_same_day_count_once(en: ChatBot, app: App, clock: FakeClock) -> None:
    await en.say("/progress log skill:security note:one")
    clock.advance(timedelta(hours=2))
    text = await en.say("/progress log skill:budget note:two")
    assert "Streak: 1 day." in text
    assert len(await rows(app, Activity)) == 1


async def test_ratings_alone_do_not_make_a_streak(en: ChatBot, clock: FakeClock) -> None:
    await en.say("/progress rate skill:security level:2")
    clock.advance(timedelta(days=1))
    await en.say("/progress rate skill:security level:3")
    assert "Streak: 0 days" in await en.say("/progress show chart:false")


async def prompts_done(app: App, who: PersonRef, *days: date) -> None:
    """What issue 4 does when a learner presses Done on a daily prompt."""
    async with app.services.database().session() as session:
        person = await ensure_person(session=session, ref=who, now=app.services.clock.now())
        assert person.id is not None
        for day in days:
            await record_activity(
                session=session,
                person_id=person.id,
                kind="prompt_done",
                local_date=day,
                now=app.services.clock.now(),
            )


async def test_completed_prompts_count_for_the_streak(en: ChatBot, app: App) -> None:
    await en.say("/progress rate skill:security level:2")
    await prompts_done(app, en.person, date(2026, 3, 1), date(2026, 2, 28))
    assert "Streak: 2 days" in await en.say("/progress show chart:false")
    await prompts_done(app, en.person, date(2026, 3, 2))
    assert "Streak: 3 days" in await en.say("/progress show chart:false")
    # today already counts: logging too does not count it twice
    assert "Streak: 3 days." in await en.say("/progress log skill:security note:and a log")
    assert "Streak: 3 days" in await en.say("/progress show chart:false")


async def test_local_days_follow_the_person_then_the_workspace_timezone(
    en: ChatBot, app: App, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=UTC))  # 00:30 on March 3rd in Paris
    await en.say("/progress log skill:security note:late")
    assert [a.local_date for a in await rows(app, Activity)] == [date(2026, 3, 3)]
    async with app.services.database().session() as session:
        (person,) = await session.exec(select(Person))
        session.add(Workspace(platform="console", workspace="local", timezone="America/New_York"))
        await session.flush()
        assert str(await person_zone(session=session, person=person, default="UTC")) == (
            "America/New_York"
        )
        person.timezone = "Asia/Tokyo"
        assert str(await person_zone(session=session, person=person, default="UTC")) == (
            "Asia/Tokyo"
        )


async def test_record_activity_is_idempotent_per_day(app: App, clock: FakeClock) -> None:
    async with app.services.database().session() as session:
        person = await ensure_person(
            session=session, ref=PersonRef("console", "local", "zoe"), now=clock.now()
        )
        assert person.id is not None
        kwargs = {"session": session, "person_id": person.id, "now": clock.now()}
        assert await record_activity(kind="prompt_done", local_date=date(2026, 3, 2), **kwargs)
        assert not await record_activity(kind="prompt_done", local_date=date(2026, 3, 2), **kwargs)
        assert await record_activity(kind="log", local_date=date(2026, 3, 2), **kwargs)
        streak = await current_streak(session=session, person_id=person.id, today=date(2026, 3, 2))
    assert streak == 1
    assert len(await rows(app, Activity)) == 2


async def test_a_long_streak_is_counted_past_the_first_window(app: App, clock: FakeClock) -> None:
    today = date(2026, 3, 2)
    async with app.services.database().session() as session:
        person = await ensure_person(
            session=session, ref=PersonRef("console", "local", "zoe"), now=clock.now()
        )
        assert person.id is not None
        for offset in range(400):
            await record_activity(
                session=session,
                person_id=person.id,
                kind="log",
                local_date=today - timedelta(days=offset),
                now=clock.now(),
            )
        streak = await current_streak(session=session, person_id=person.id, today=today)
    assert streak == 400


# --- milestones ----------------------------------------------------------------------------


async def test_first_rating_and_first_log_are_announced_once(en: ChatBot) -> None:
    first = await en.reply("/progress rate skill:security level:2")
    assert any("First self-rating" in n for n in first.notices)
    again = await en.reply("/progress rate skill:security level:3")
    assert not any("First self-rating" in n for n in again.notices)
    log = await en.reply("/progress log skill:security note:did it")
    assert [n for n in log.notices if "First evidence" in n]
    assert (await en.reply("/progress log skill:security note:did it again")).notices == ()
    assert (await en.reply("/progress show chart:false")).notices == ()


async def test_seven_and_thirty_day_streaks_are_announced_once(
    en: ChatBot, clock: FakeClock
) -> None:
    announced: dict[int, list[str]] = {}
    for day in range(1, 32):
        reply = await en.reply("/progress log skill:pedagogy note:mentored a junior")
        announced[day] = [n for n in reply.notices if "in a row" in n]
        clock.advance(timedelta(days=1))
    assert announced[7] == ["7 days in a row: consistency pays off!"]
    assert announced[30] == ["30 days in a row: consistency pays off!"]
    assert [d for d, found in announced.items() if found] == [7, 30]


async def test_reaching_the_focus_goal_is_announced(en: ChatBot) -> None:
    await en.say("/progress rate skill:budget level:2")
    await en.say("/progress goal skill:budget level:4")
    assert (await en.reply("/progress rate skill:budget level:3")).notices == ()
    reached = await en.reply("/progress rate skill:budget level:4")
    assert any("Goal reached: **Budget management** at level 4/5" in n for n in reached.notices)
    assert (await en.reply("/progress rate skill:budget level:5")).notices == ()
    # a new goal is a new milestone
    again = await en.reply("/progress goal skill:budget level:5")
    assert any("Goal reached: **Budget management** at level 5/5" in n for n in again.notices)


async def test_every_category_at_three_and_readiness_steps(
    en: ChatBot, kb: KnowledgeBase, app: App
) -> None:
    notices: list[str] = []
    for skill in kb.skills.values():
        notices += (await en.reply(f"/progress rate skill:{skill.id} level:3")).notices
    assert sum("Every category at 3/5" in n for n in notices) == 1
    assert sum("50% of the target profile" in n for n in notices) == 1
    assert not any("80%" in n for n in notices)
    keys = {m.key for m in await rows(app, Milestone)}
    assert {"first_rating", "all_categories_3", "readiness_50"} <= keys


# --- the overview ----------------------------------------------------------------------------


async def test_show_has_readiness_categories_streak_entries_and_a_radar(
    en: ChatBot, kb: KnowledgeBase
) -> None:
    await en.say("/progress rate skill:leadership level:5")
    await en.say("/progress rate skill:security level:4")
    await en.say("/progress log skill:security note:led the incident review")
    reply = await en.reply("/progress show")
    text = en.session.renderer.render(reply)
    total = sum(s.target for s in kb.skills.values())
    assert f"CTO readiness: {round(100 * 9 / total)}%" in text
    assert "(2/30 skills rated)" in text
    assert "Technical\n    average 4/5 · 1/7 rated" in text
    assert "Managerial\n    average 5/5 · 1/6 rated" in text
    assert "Streak: 1 day" in text
    assert "IT security — led the incident review" in text and "rated 5/5" in text
    assert reply.ephemeral
    radar, gaps = [b for b in reply.blocks if isinstance(b, Image)]
    assert radar.data.startswith(b"\x89PNG\r\n\x1a\n") and gaps.data.startswith(b"\x89PNG")
    assert "charts/progress-alice-2026-03-02.png" in text
    assert "charts/next-alice-2026-03-02.png" in text


async def test_show_lists_only_the_five_newest_entries(en: ChatBot, clock: FakeClock) -> None:
    for level in range(6):
        await en.say(f"/progress rate skill:curiosity level:{level}")
        clock.advance(timedelta(minutes=1))
    text = await en.say("/progress show chart:false")
    assert "rated 5/5" in text and "rated 1/5" in text and "rated 0/5" not in text


async def test_show_before_anything_explains_how_to_start(en: ChatBot) -> None:
    text = await en.say("/progress show")
    assert "Nothing recorded yet" in text and "/progress rate" in text
    assert en.last is not None and en.last.ephemeral


async def test_a_capped_skill_adds_nothing_above_its_target(en: ChatBot, kb: KnowledgeBase) -> None:
    await en.say("/progress rate skill:law level:5")  # target 3
    total = sum(s.target for s in kb.skills.values())
    text = await en.say("/progress show chart:false")
    assert f"CTO readiness: {round(100 * 3 / total)}%" in text


async def test_ratings_from_90_days_ago_feed_the_radar(
    en: ChatBot, app: App, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coachbot.tracker import pictures

    seen = []
    real = pictures.radar_png
    monkeypatch.setattr(pictures, "radar_png", lambda data: seen.append(data) or real(data))
    await en.say("/progress rate skill:security level:1")
    clock.advance(timedelta(days=100))
    await en.say("/progress rate skill:security level:4")
    await en.say("/progress show")
    categories = list(dict.fromkeys(s.category for s in app.services.kb.skills.values()))
    index = categories.index("technical")
    assert seen[-1].past is not None and seen[-1].past[index] == pytest.approx(100 / 28)
    assert seen[-1].now[index] == pytest.approx(400 / 28)
    assert [v for i, v in enumerate(seen[-1].now) if i != index] == [None] * 4


# --- mentor notes, mentors' view --------------------------------------------------------------


async def add_note(app: App, learner: PersonRef, mentor: PersonRef, text: str) -> None:
    async with app.services.database().session() as session:
        now = app.services.clock.now()
        student = await ensure_person(session=session, ref=learner, now=now)
        teacher = await ensure_person(session=session, ref=mentor, now=now)
        assert student.id is not None and teacher.id is not None
        session.add(
            MentorNote(mentor_id=teacher.id, learner_id=student.id, text=text, created_at=now)
        )


async def test_unseen_mentor_notes_show_once_and_are_marked_seen(en: ChatBot, app: App) -> None:
    await en.say("/progress rate skill:security level:2")
    await add_note(app, en.person, en.person.peer("bob"), "Great **review** @here")
    first = await en.say("/progress show chart:false")
    assert "New notes from your mentors" in first and "@bob — Great **review** @here" in first
    markup = (
        "\n".join(i for b in en.last.blocks for i in getattr(b, "items", ())) if en.last else ""
    )
    assert "\\*\\*review\\*\\*" in markup
    assert "New notes" not in await en.say("/progress show chart:false")
    (note,) = await rows(app, MentorNote)
    assert note.seen_at is not None


async def test_a_note_reaches_a_learner_who_recorded_nothing_yet(en: ChatBot, app: App) -> None:
    await add_note(app, en.person, en.person.peer("bob"), "welcome aboard")
    text = await en.say("/progress show")
    assert "Nothing recorded yet" in text and "@bob — welcome aboard" in text
    assert "welcome aboard" not in await en.say("/progress show")


async def test_the_mentor_view_is_read_only(en: ChatBot, app: App) -> None:
    await en.say("/progress rate skill:security level:2")
    await add_note(app, en.person, en.person.peer("bob"), "keep going")
    reply = await progress_overview(app.services, en.person, "en", mentor="bob")
    text = en.session.renderer.render(reply)
    assert "Progress of @alice" in text and "IT security" in text and "keep going" not in text
    assert reply.notices == ()
    (note,) = await rows(app, MentorNote)
    assert note.seen_at is None
    assert {m.key for m in await rows(app, Milestone)} == {"first_rating"}


# --- tenancy ---------------------------------------------------------------------------------


async def test_another_workspace_with_the_same_user_id_sees_nothing(en: ChatBot, app: App) -> None:
    await en.say("/progress rate skill:security level:4")
    await en.say("/progress log skill:security note:secret incident")
    await en.say("/progress goal skill:vision level:5")
    twin = PersonRef("console", "other-team", "alice")
    for line in ("/progress show", "/progress history skill:security", "/progress report"):
        reply = await run_line(app.dispatcher, twin, line, locale="en")
        text = en.session.renderer.render(reply)
        assert "secret incident" not in text and "4/5" not in text
        assert "Long-term vision" not in text and ("Nothing" in text or "No rating" in text)
        assert not [b for b in reply.blocks if isinstance(b, (Image, Attachment))]
    other = await run_line(app.dispatcher, PersonRef("slack", "local", "alice"), "/progress show")
    assert "Rien d'enregistré" in en.session.renderer.render(other)


async def test_people_of_one_workspace_see_only_their_own_data(en: ChatBot) -> None:
    await en.say("/progress log skill:security note:alice's secret")
    en.as_("bob")
    text = await en.say("/progress show", locale="en")
    assert "alice's secret" not in text and "Nothing recorded yet" in text


# --- the report ------------------------------------------------------------------------------


async def test_report_is_a_markdown_portfolio(en: ChatBot, app: App, clock: FakeClock) -> None:
    await en.say("/progress rate skill:security level:2")
    clock.advance(timedelta(days=20))
    await en.say("/progress rate skill:security level:4")
    await en.say("/progress log skill:security note:led the incident review | # not a title")
    await en.say("/progress goal skill:security level:5")
    await add_note(app, en.person, en.person.peer("bob"), "Solid incident handling")
    reply = await en.reply("/progress report")
    assert reply.ephemeral
    (doc,) = [b for b in reply.blocks if isinstance(b, Attachment)]
    assert doc.mime == "text/markdown" and doc.filename == "cto-readiness-alice-2026-03-22.md"
    text = doc.data.decode("utf-8")
    assert text.startswith("# CTO-readiness portfolio — @alice")
    assert "## Readiness" in text and "of the target CTO profile (1/30 skills rated)" in text
    assert "| Technical | 4/5 | 1/7 |" in text
    assert "| IT security | Technical | 4/5 | 4/5 | 2 (2026-03-02) → 4 (2026-03-22) |" in text
    assert "## Evidence log (1)" in text
    assert "- 2026-03-22 · **IT security** — led the incident review \\| \\# not a title" in text
    assert "Focus: **IT security** → 5/5 (now 4/5)" in text
    assert "Solid incident handling" not in text and "## Mentor notes" not in text
    summary = markup_of(reply)
    assert "No mentor note included (choose them with `/progress notes`)" in summary
    assert "## How readiness is computed" in text


def report_text(reply: Reply) -> str:
    (doc,) = [b for b in reply.blocks if isinstance(b, Attachment)]
    return doc.data.decode("utf-8")


async def test_the_report_holds_the_notes_the_learner_chose(en: ChatBot, app: App) -> None:
    await en.say("/progress rate skill:security level:2")
    for text in ("Solid incident handling", "Talk less in reviews", "Great budget pitch"):
        await add_note(app, en.person, en.person.peer("bob"), text)
    assert "## Mentor notes" not in report_text(await en.reply("/progress report"))
    listed = await en.say("/progress notes")
    assert "1. 2026-03-02 · @bob — Solid incident handling · left out" in listed
    assert "3. 2026-03-02 · @bob — Great budget pitch · left out" in listed
    assert [b.label for b in en.buttons()] == ["Include 1", "Include 2", "Include 3"]

    await en.press("Include 1")
    chosen = await en.press_reply("Include 3")
    assert chosen.tone is Tone.SUCCESS
    assert [b.label for b in en.buttons()] == ["Exclude 1", "Include 2", "Exclude 3"]
    reply = await en.reply("/progress report")
    text = report_text(reply)
    assert "## Mentor notes" in text and "**@bob** — Solid incident handling" in text
    assert "Great budget pitch" in text and "Talk less in reviews" not in text
    assert "Mentor notes included: 2" in markup_of(reply)
    assert "Talk less in reviews" in report_text(
        await en.reply("/progress report mentor_notes:true")
    )
    assert "## Mentor notes" not in report_text(
        await en.reply("/progress report mentor_notes:false")
    )

    await en.say("/progress notes")
    await en.press("Exclude 1")
    text = report_text(await en.reply("/progress report"))
    assert "Solid incident handling" not in text and "Great budget pitch" in text
    assert [n.in_report for n in await rows(app, MentorNote)] == [False, False, True]


async def test_only_the_learner_chooses_their_notes(en: ChatBot, app: App) -> None:
    await add_note(app, en.person, en.person.peer("bob"), "Solid incident handling")
    await en.say("/progress notes")
    include = en.buttons()[0].action
    for presser in ("bob", "mallory"):  # the note's author, a stranger
        refused = await run_action(app.dispatcher, en.person.peer(presser), include, "en")
        assert refused.tone is Tone.ERROR
        assert "was not written to you: nothing changed" in en.session.renderer.render(refused)
    twin = PersonRef("console", "other-team", "alice")
    assert (await run_action(app.dispatcher, twin, include, "en")).tone is Tone.ERROR
    for forged in ("report_note:include:999", "report_note:steal:1", "report_note:include:x"):
        assert (await run_action(app.dispatcher, en.person, forged, "en")).tone is Tone.ERROR
    assert [n.in_report for n in await rows(app, MentorNote)] == [False]


async def test_notes_come_in_pages_of_ten_newest_first(en: ChatBot, app: App) -> None:
    for n in range(1, 13):
        await add_note(app, en.person, en.person.peer("bob"), f"note number {n}")
    first = await en.say("/progress notes")
    assert "3. 2026-03-02 · @bob — note number 3 " in first and "note number 2 " not in first
    assert "Notes 3 to 12 of 12, page 1/2. Next: /progress notes page:2" in first
    older = await en.say("/progress notes page:2")
    assert [b.label for b in en.buttons()] == ["Include 1", "Include 2"]
    assert "note number 3 " not in older
    await en.press("Include 2")
    assert [b.label for b in en.buttons()] == ["Include 1", "Exclude 2"]  # the same page
    assert "page 2/2" in await en.say("/progress notes page:9")


async def test_a_long_note_is_clipped_in_the_list_and_whole_in_the_report(
    en: ChatBot, app: App
) -> None:
    await en.say("/progress rate skill:security level:2")
    await add_note(app, en.person, en.person.peer("bob"), "word " * 150 + "THE END")
    listed = await en.say("/progress notes")
    assert "THE END" not in listed and "…" in listed
    await en.press("Include 1")
    assert "THE END" in report_text(await en.reply("/progress report"))


async def test_notes_in_french_and_without_notes(bot: ChatBot, app: App) -> None:
    assert "Aucun mot de mentor pour l'instant" in await bot.say("/progression notes")
    await add_note(app, bot.person, bot.person.peer("bob"), "Bravo")
    listed = await bot.say("/progression notes")
    assert "Mots des mentors pour votre rapport" in listed and "hors du rapport" in listed
    assert "`/progression rapport`" in markup_of(bot.last) if bot.last else False
    await bot.press("Inclure 1")
    assert [b.label for b in bot.buttons()] == ["Retirer 1"]


async def test_report_in_french(bot: ChatBot) -> None:
    await bot.say("/progress rate skill:securite level:3")
    reply = await bot.reply("/progress report")
    (doc,) = [b for b in reply.blocks if isinstance(b, Attachment)]
    text = doc.data.decode("utf-8")
    assert "# Portfolio de préparation CTO" in text and "| Sécurité informatique |" in text


async def test_report_before_anything_says_so(en: ChatBot) -> None:
    text = await en.say("/progress report")
    assert "Nothing to put in the portfolio yet" in text


# --- the profile other features use ----------------------------------------------------------


async def test_learner_profile_orders_the_weakest_skills(
    en: ChatBot, app: App, kb: KnowledgeBase
) -> None:
    for skill, level in (("security", 1), ("leadership", 4), ("law", 0), ("english", 5)):
        await en.say(f"/progress rate skill:{skill} level:{level}")
    await en.say("/progress goal skill:leadership level:5")
    async with app.services.database().session() as session:
        person = (await session.exec(select(Person).where(col(Person.user_id) == "alice"))).one()
        assert person.id is not None
        profile = await learner_profile(session=session, person_id=person.id, kb=kb)
    assert profile.focus_skill == "team_leadership" and profile.focus_target == 5
    assert profile.ratings == {
        "it_security": 1,
        "team_leadership": 4,
        "law": 0,
        "english": 5,
    }
    # level 0 (unrated or rated 0) first; among them target 5, then 4, then 3; then by id
    assert profile.weakest[:4] == (
        "innovation_strategy",
        "long_term_vision",
        "strategy_alignment",
        "active_listening",
    )
    assert profile.weakest.index("applied_sciences") + 1 == profile.weakest.index("law")
    assert profile.weakest.index("law") > profile.weakest.index("web_development")
    assert profile.weakest[-3:] == ("it_security", "team_leadership", "english")
    assert sorted(profile.weakest) == sorted(kb.skills)


# --- PostgreSQL (runs when COACHBOT_TEST_POSTGRES_URL is set) ---------------------------------


async def test_the_tracker_on_postgresql(
    postgres_url: str, settings: Settings, clock: FakeClock, kb: KnowledgeBase
) -> None:
    await asyncio.to_thread(upgrade, postgres_url)
    pg = build_app(
        replace(settings, database=DatabaseSettings(url=postgres_url)), clock=clock, kb=kb
    )
    try:
        bot = ChatBot(pg)
        await bot.say("/coach language en")
        first = await bot.reply("/progress log skill:security note:with a NUL\x00 byte")
        assert any("First evidence" in n for n in first.notices)
        again = await bot.reply("/progress log skill:security note:same day")
        assert again.notices == () and "Streak: 1 day." in bot.session.renderer.render(again)
        clock.advance(timedelta(days=1))
        await bot.say("/progress rate skill:security level:3")
        text = await bot.say("/progress show")
        assert "Streak: 1 day" in text and "IT security — same day" in text
        assert len(await rows(pg, Activity)) == 1
        assert sorted(e.note for e in await rows(pg, Evidence)) == ["same day", "with a NUL byte"]
        report = await bot.reply("/progress report")
        assert any(isinstance(b, Attachment) for b in report.blocks)
    finally:
        await pg.close()
