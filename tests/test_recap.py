"""Weekly recaps (learners) and digests (mentors): on the right local day, exactly once a week."""

from __future__ import annotations

from datetime import UTC, datetime

from coachbot.clock import FakeClock
from coachbot.db.models import MentorLink, Person, WeeklyMessage
from coachbot.db.people import ensure_person
from coachbot.identity import PersonRef
from coachbot.prompts.recap import due_weekly_messages, mark_weekly_sent, week_of
from coachbot.reply import Reply
from coachbot.tracker.repository import record_evidence, record_rating
from tests.chat import ChatBot

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FRIDAY_0830_PARIS = datetime(2026, 3, 6, 7, 30, tzinfo=UTC)
PLATFORMS = ("console",)  # the platforms of the process asking


async def due(bot: ChatBot, now: datetime) -> list[tuple[str, str | None, Reply, int]]:
    """What is due at ``now``: (user, channel, reply, message id), marked sent."""
    services = bot.app.services
    async with services.database().session() as session:
        found = await due_weekly_messages(
            session=session, services=services, now=now, platforms=PLATFORMS
        )
        for _, _, message_id in found:
            await mark_weekly_sent(session=session, message_id=message_id, now=now)
    return [(t.person.user, t.channel, reply, mid) for t, reply, mid in found]


def body(reply: Reply) -> str:
    return "\n".join(getattr(b, "markup", "") for b in reply.blocks)


async def person(bot: ChatBot, user: str) -> Person:
    ref = PersonRef(bot.person.platform, bot.person.workspace, user)
    async with bot.app.services.database().session() as session:
        return await ensure_person(session=session, ref=ref, now=MONDAY)


async def test_recap_goes_once_on_the_chosen_day(bot: ChatBot, clock: FakeClock) -> None:
    await bot.say("/coach subscribe time:08:30 days:mon-fri", locale="en")
    alice = await person(bot, "alice")
    async with bot.app.services.database().session() as session:
        kw = {"session": session, "person_id": alice.id, "skill_id": "it_security"}
        await record_rating(**kw, level=2, now=datetime(2026, 3, 1, 12, tzinfo=UTC))  # type: ignore[arg-type]
        await record_rating(**kw, level=3, now=MONDAY)  # type: ignore[arg-type]
        await record_evidence(**kw, note="ran the incident review", now=MONDAY)  # type: ignore[arg-type]
    await bot.say("/coach language lang:en")
    for day in range(2, 7):  # a tip done every morning, Monday to Friday
        clock.set(datetime(2026, 3, day, 6, 0, tzinfo=UTC))
        await bot.reply("/coach tip")
        await bot.press("Done")

    assert await due(bot, datetime(2026, 3, 5, 12, 0, tzinfo=UTC)) == []  # Thursday
    assert await due(bot, datetime(2026, 3, 6, 7, 29, tzinfo=UTC)) == []  # Friday 08:29
    sent = await due(bot, FRIDAY_0830_PARIS)
    assert [(user, channel) for user, channel, _, _ in sent] == [("alice", None)]
    text = body(sent[0][2])
    assert sent[0][2].title == "Your week · 2026-W10"
    for expected in (
        "Tips done: **5**",
        "Log entries: **1**",
        "Streak: **5**",
        "IT security: 2 → 3",
    ):
        assert expected in text, text
    assert await due(bot, datetime(2026, 3, 6, 18, 0, tzinfo=UTC)) == []  # once a week
    assert await due(bot, datetime(2026, 3, 8, 18, 0, tzinfo=UTC)) == []  # Sunday
    again = await due(bot, datetime(2026, 3, 13, 8, 0, tzinfo=UTC))
    assert [s[0] for s in again] == ["alice"] and "Tips done: **0**" in body(again[0][2])
    async with bot.app.services.database().session() as session:
        rows = list(await session.exec(_weekly()))
    assert [(r.kind, r.week, r.status) for r in rows] == [
        ("recap", "2026-W10", "sent"),
        ("recap", "2026-W11", "sent"),
    ]


def _weekly():  # type: ignore[no-untyped-def]
    from sqlmodel import col, select

    return select(WeeklyMessage).order_by(col(WeeklyMessage.id))


async def test_recap_day_off_and_pauses(bot: ChatBot) -> None:
    await bot.say("/coach subscribe recap:off", locale="en")
    await bot.as_("bob").say("/coach subscribe recap:fri", locale="en")
    await bot.as_("bob").say("/coach pause until:2026-03-07", locale="en")
    await bot.as_("carol").say("/coach subscribe recap:wed time:18:00", locale="en")
    assert await due(bot, FRIDAY_0830_PARIS) == []
    sent = await due(bot, datetime(2026, 3, 4, 17, 0, tzinfo=UTC))  # Wednesday 18:00 Paris
    assert [s[0] for s in sent] == ["carol"]


async def test_far_timezones_get_it_on_their_own_friday(bot: ChatBot) -> None:
    await bot.as_("kiri").say("/coach subscribe timezone:Pacific/Kiritimati", locale="en")
    await bot.as_("baker").say("/coach subscribe timezone:Etc/GMT+12", locale="en")
    # Friday 08:30 at UTC+14 is Thursday 18:30 UTC; at UTC-12 it is Friday 20:30 UTC.
    assert [s[0] for s in await due(bot, datetime(2026, 3, 5, 18, 29, tzinfo=UTC))] == []
    assert [s[0] for s in await due(bot, datetime(2026, 3, 5, 18, 30, tzinfo=UTC))] == ["kiri"]
    assert [s[0] for s in await due(bot, datetime(2026, 3, 6, 20, 29, tzinfo=UTC))] == []
    assert [s[0] for s in await due(bot, datetime(2026, 3, 6, 20, 30, tzinfo=UTC))] == ["baker"]


async def test_many_not_yet_due_never_hide_a_due_one(bot: ChatBot) -> None:
    for user in ("p1", "p2", "p3"):  # Paris, 08:30: not due at 07:00 local
        await bot.as_(user).say("/coach subscribe", locale="en")
    await bot.as_("tokyo").say("/coach subscribe timezone:Asia/Tokyo", locale="en")
    services = bot.app.services
    async with services.database().session() as session:
        now = datetime(2026, 3, 6, 6, 0, tzinfo=UTC)  # Friday 07:00 Paris, 15:00 Tokyo
        found = await due_weekly_messages(
            session=session, services=services, now=now, platforms=PLATFORMS, limit=2
        )
    assert [target.person.user for target, _, _ in found] == ["tokyo"]


async def test_learners_not_due_for_any_reason_never_hide_a_due_one(bot: ChatBot) -> None:
    """Each reason a recap is not due is checked in SQL, before the page limit: two learners
    for each reason come before the due one, and a page of two still finds it."""
    for reason, options in (
        ("late", "time:10:00"),  # Friday 10:00 in Paris: not yet
        ("wed", "recap:wed"),  # another day
        ("paused", ""),
        ("got", ""),  # had it this week already
    ):
        for n in (1, 2):
            await bot.as_(f"{reason}{n}").say(f"/coach subscribe {options}", locale="en")
    for n in (1, 2):
        await bot.as_(f"paused{n}").say("/coach pause until:2026-03-07", locale="en")
        got = await person(bot, f"got{n}")
        async with bot.app.services.database().session() as session:
            session.add(
                WeeklyMessage(
                    person_id=got.id,
                    kind="recap",
                    week="2026-W10",
                    status="sent",
                    created_at=MONDAY,
                )
            )
    await bot.as_("due").say("/coach subscribe", locale="en")
    services = bot.app.services
    now = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)  # Friday 09:00 in Paris
    async with services.database().session() as session:
        found = await due_weekly_messages(
            session=session, services=services, now=now, platforms=PLATFORMS, limit=2
        )
    assert [target.person.user for target, _, _ in found] == ["due"]


async def test_a_monday_digest_east_of_utc_comes_every_week(bot: ChatBot) -> None:
    """At UTC+14, Monday 08:30 is still Sunday in most of the world: last week's digest
    must not be taken for this week's."""
    await bot.as_("bob").say("/coach subscribe timezone:Pacific/Kiritimati recap:mon", locale="en")
    bob, alice = await person(bot, "bob"), await person(bot, "alice")
    async with bot.app.services.database().session() as session:
        session.add(_link(bob, alice, "active"))
    titles = []
    for monday in (1, 8, 15):  # Monday 08:30 at UTC+14 is Sunday 18:30 UTC
        sent = await due(bot, datetime(2026, 3, monday, 18, 30, tzinfo=UTC))
        titles += [reply.title for user, _, reply, _ in sent if "mentees" in reply.title]
    assert titles == [f"Your mentees this week · 2026-W{n}" for n in (10, 11, 12)]


async def test_mentor_digest_covers_active_mentees_once(bot: ChatBot) -> None:
    await bot.say("/coach language lang:en")
    await bot.say("/coach subscribe recap:off")
    await bot.reply("/coach tip")
    await bot.press("Done")
    alice, bob, carol = [await person(bot, u) for u in ("alice", "bob", "carol")]
    async with bot.app.services.database().session() as session:
        for learner, status in ((alice, "active"), (carol, "pending")):
            session.add(_link(bob, learner, status))
    sent = await due(bot, FRIDAY_0830_PARIS)  # bob has no subscription: Friday 08:30, Paris
    assert [(s[0], s[1]) for s in sent] == [("bob", None)]
    digest = sent[0][2]
    assert "@alice" in body(digest) and "@carol" not in body(digest)
    assert "Conseils faits : **1**" in body(digest)  # bob never chose: the default, French
    assert await due(bot, datetime(2026, 3, 6, 12, 0, tzinfo=UTC)) == []


def _link(mentor: Person, learner: Person, status: str) -> MentorLink:
    assert mentor.id is not None and learner.id is not None
    return MentorLink(
        mentor_id=mentor.id,
        learner_id=learner.id,
        status=status,
        created_at=MONDAY,
        updated_at=MONDAY,
    )


def test_week_of_uses_the_local_iso_week() -> None:
    from zoneinfo import ZoneInfo

    local = datetime(2026, 1, 1, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    week = week_of(local)
    assert (week.label, week.monday.isoformat()) == ("2026-W01", "2025-12-29")
    assert week.start == datetime(2025, 12, 28, 23, 0, tzinfo=UTC)
