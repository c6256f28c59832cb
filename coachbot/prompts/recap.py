"""Weekly messages: each learner's recap and each mentor's digest of their mentees, once a week.

When: a learner's recap goes on their subscription's ``recap_weekday`` once their
usual prompt time has passed, in their timezone (``recap:off`` turns it off; paused
or failing subscriptions get none). A mentor's digest follows the same setting of
the mentor's own subscription, else Friday after 08:30 in the mentor's timezone.
Both go to direct messages: they hold personal data.

Once a week, at most: ``due_weekly_messages`` claims a ``weekly_message`` row unique on
(person, kind, ISO week of the local day) before building the message; a claim that
loses the race inserts nothing and is skipped. The engine sends what it returns and
then calls ``mark_weekly_sent`` (or ``mark_weekly_failed``); a failed send, or a crash
before it, is not retried that week. Each process asks only for the people of the
platforms it can send to, and leaves the others' messages to the processes serving them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from coachbot.db.models import (
    Activity,
    Evidence,
    MentorLink,
    Person,
    Rating,
    Subscription,
    WeeklyMessage,
)
from coachbot.delivery import DeliveryTarget
from coachbot.i18n import Lang, Localized, parse_lang
from coachbot.identity import PersonRef
from coachbot.markup import escape, mention
from coachbot.reply import Reply, Text, Tone
from coachbot.tracker.labels import typed

if TYPE_CHECKING:
    from coachbot.services import Services

RECAP, DIGEST = "recap", "digest"
DIGEST_DEFAULT = (4, time(8, 30))  # Friday, 08:30


@dataclass(frozen=True, slots=True)
class Week:
    """A learner's local week so far: from Monday 00:00 to ``today``."""

    label: str  # 2026-W10
    monday: date
    today: date
    start: datetime  # Monday 00:00 local, as aware UTC


@dataclass(frozen=True, slots=True)
class WeekActivity:
    """What a learner did during a week."""

    prompts_done: int
    logs: int
    ratings: tuple[tuple[str, int | None, int], ...]  # skill, level before the week, now
    streak: int


def week_of(local: datetime) -> Week:
    """The ISO week containing the aware local moment ``local``."""
    today = local.date()
    year, number, _ = today.isocalendar()
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday, time(0), tzinfo=local.tzinfo)
    return Week(f"{year}-W{number:02d}", monday, today, start.astimezone(ZoneInfo("UTC")))


def due_now(local: datetime, weekday: int, at: time) -> bool:
    """True on ``weekday`` (0 = Monday, -1 = never) from the local time ``at`` on."""
    return weekday >= 0 and local.weekday() == weekday and local.time() >= at


async def due_weekly_messages(
    *,
    session: AsyncSession,
    services: Services,
    now: datetime,
    platforms: Collection[str],
    limit: int = 200,
) -> list[tuple[DeliveryTarget, Reply, int]]:
    """Recaps and digests due at ``now`` for people of ``platforms`` (those the caller can
    send to), each claimed once: (target, reply, message id)."""
    out = []
    for person, sub in await _recap_candidates(session, now, platforms, limit):
        out.extend(await _recap(session, services, person, sub, now))
    sent = await _digests_claimed(session, now)
    for mentor, own in await _digest_candidates(session, platforms):
        if len(out) >= 2 * limit:
            break
        out.extend(await _digest(session, services, mentor, own, now, sent))
    return out


async def _recap(
    session: AsyncSession, services: Services, person: Person, sub: Subscription, now: datetime
) -> list[tuple[DeliveryTarget, Reply, int]]:
    local = now.astimezone(ZoneInfo(sub.timezone))
    if not _recap_day(sub, local):
        return []
    message_id = await _claim(session, person, RECAP, week_of(local).label, now)
    if message_id is None:
        return []
    reply = await recap_reply(session, services, person, local, _lang(sub.language))
    return [(_dm(person), reply, message_id)]


async def _digest(
    session: AsyncSession,
    services: Services,
    mentor: Person,
    sub: Subscription | None,
    now: datetime,
    sent: set[tuple[int | None, str]],
) -> list[tuple[DeliveryTarget, Reply, int]]:
    zone = ZoneInfo(
        sub.timezone if sub else mentor.timezone or services.settings.bot.default_timezone
    )
    local = now.astimezone(zone)
    weekday, at = (sub.recap_weekday, _hhmm(sub.local_time)) if sub else DIGEST_DEFAULT
    week = week_of(local).label
    if not due_now(local, weekday, at) or (mentor.id, week) in sent:
        return []
    message_id = await _claim(session, mentor, DIGEST, week, now)
    if message_id is None:
        return []
    lang = _lang(sub.language if sub else mentor.language or services.settings.bot.default_language)
    reply = await digest_reply(session, services, mentor, local, lang)
    return [(_dm(mentor), reply, message_id)]


def _recap_day(sub: Subscription, local: datetime) -> bool:
    paused = sub.paused_until is not None and sub.paused_until >= local.date()
    return not paused and due_now(local, sub.recap_weekday, _hhmm(sub.local_time))


def _hhmm(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def _lang(value: str | None) -> Lang:
    return parse_lang(value) or "fr"


def _dm(person: Person) -> DeliveryTarget:
    return DeliveryTarget(PersonRef(person.platform, person.workspace, person.user_id))


def _candidate_weeks(now: datetime) -> list[str]:
    """The ISO weeks any timezone (UTC-12 to UTC+14) can be in at ``now``."""
    days = [now + timedelta(hours=h) for h in (-12, 0, 14)]
    return sorted({f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in days})


def _not_claimed(kind: str, weeks: list[str]) -> ColumnElement[bool]:
    """No weekly message of ``kind`` claimed yet for the person in any of ``weeks``."""
    return ~exists().where(
        col(WeeklyMessage.person_id) == Person.id,
        col(WeeklyMessage.kind) == kind,
        col(WeeklyMessage.week).in_(weeks),
    )


async def _recap_candidates(
    session: AsyncSession, now: datetime, platforms: Collection[str], limit: int
) -> list[tuple[Person, Subscription]]:
    """Learners whose recap is due at ``now`` and not claimed this week, found in SQL:
    timezones that share a local day and time form one condition each, so the query
    returns only due rows and a page of not-yet-due ones never hides the due ones."""
    active = (col(Subscription.active).is_(True), col(Subscription.failing).is_(False))
    zones = await session.exec(select(Subscription.timezone).where(*active).distinct())
    by_moment: dict[tuple[int, str, date, str], list[str]] = {}
    for name in zones:
        local = now.astimezone(ZoneInfo(name))
        key = (local.weekday(), f"{local:%H:%M}", local.date(), week_of(local).label)
        by_moment.setdefault(key, []).append(name)
    if not by_moment:
        return []
    query = (
        select(Person, Subscription)
        .join(Subscription, col(Subscription.person_id) == Person.id)
        .where(
            *active,
            col(Person.platform).in_(platforms),
            or_(*(_due_at(key, names) for key, names in by_moment.items())),
        )
        .order_by(col(Person.id))
        .limit(limit)
    )
    return [(p, s) for p, s in await session.exec(query)]


def _due_at(moment: tuple[int, str, date, str], zones: list[str]) -> ColumnElement[bool]:
    """Subscriptions in ``zones`` whose recap is due at that local moment, unclaimed."""
    weekday, hhmm, today, week = moment
    return and_(
        col(Subscription.timezone).in_(zones),
        col(Subscription.recap_weekday) == weekday,
        col(Subscription.local_time) <= hhmm,  # zero-padded HH:MM compares as text
        or_(col(Subscription.paused_until).is_(None), col(Subscription.paused_until) < today),
        _not_claimed(RECAP, [week]),
    )


def _mentors() -> SelectOfScalar[int]:
    """The ids of people with at least one active mentee."""
    return select(MentorLink.mentor_id).where(MentorLink.status == "active")


async def _digest_candidates(
    session: AsyncSession, platforms: Collection[str]
) -> list[tuple[Person, Subscription | None]]:
    """Mentors of ``platforms``, with their subscription if any (all of them: mentors are
    few, and whether each one is due, and for which local week, is decided in Python)."""
    query = (
        select(Person, Subscription)
        .outerjoin(Subscription, col(Subscription.person_id) == Person.id)
        .where(col(Person.id).in_(_mentors()), col(Person.platform).in_(platforms))
        .order_by(col(Person.id))
    )
    return [(p, s) for p, s in await session.exec(query)]


async def _digests_claimed(session: AsyncSession, now: datetime) -> set[tuple[int | None, str]]:
    """(mentor, week) of the digests claimed for the weeks any timezone can be in at ``now``.

    Each mentor is checked against their own local week: a mere "claimed in one of these
    weeks" would take last week's digest for this one where this week starts early (a
    Monday digest at UTC+14 goes out while it is still Sunday in most of the world)."""
    query = select(WeeklyMessage.person_id, WeeklyMessage.week).where(
        col(WeeklyMessage.person_id).in_(_mentors()),
        WeeklyMessage.kind == DIGEST,
        col(WeeklyMessage.week).in_(_candidate_weeks(now)),
    )
    return set(await session.exec(query))


async def _claim(
    session: AsyncSession, person: Person, kind: str, week: str, now: datetime
) -> int | None:
    """Insert the (person, kind, week) row; its id, or None when it already existed."""
    values = {
        "person_id": person.id,
        "kind": kind,
        "week": week,
        "status": "claimed",
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(WeeklyMessage)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(col(WeeklyMessage.id))
    )
    return (await session.exec(statement)).scalar_one_or_none()


async def release_weekly(*, session: AsyncSession, message_id: int) -> None:
    """The weekly message was not even tried (its platform's circuit breaker is open): give
    its claim back, so a later run claims and sends it, once."""
    row = await session.get(WeeklyMessage, message_id)
    if row is not None and row.status == "claimed":
        await session.delete(row)


async def mark_weekly_sent(*, session: AsyncSession, message_id: int, now: datetime) -> None:
    """The weekly message went out."""
    row = await session.get(WeeklyMessage, message_id)
    if row is not None:
        row.status, row.sent_at = "sent", now
        session.add(row)


async def mark_weekly_failed(*, session: AsyncSession, message_id: int) -> None:
    """The weekly message could not be sent; it is not retried this week."""
    row = await session.get(WeeklyMessage, message_id)
    if row is not None:
        row.status = "failed"
        session.add(row)


async def week_activity(
    session: AsyncSession, services: Services, person_id: int, week: Week
) -> WeekActivity:
    """Prompts done, logs, changed ratings and the streak of one learner this week."""
    from coachbot.tracker.activity import current_streak
    from coachbot.tracker.repository import latest_ratings

    done = select(func.count()).where(
        Activity.person_id == person_id,
        Activity.kind == "prompt_done",
        col(Activity.local_date) >= week.monday,
        col(Activity.local_date) <= week.today,
    )
    logs = select(func.count()).where(
        Evidence.person_id == person_id, col(Evidence.created_at) >= week.start
    )
    changed = select(Rating.skill_id).where(
        Rating.person_id == person_id, col(Rating.created_at) >= week.start
    )
    skills = set(await session.exec(changed))
    now_levels = await latest_ratings(session=session, person_id=person_id)
    before = await latest_ratings(
        session=session, person_id=person_id, at_or_before=week.start - timedelta(microseconds=1)
    )
    ratings = tuple((s, before.get(s), now_levels[s]) for s in sorted(skills) if s in now_levels)
    return WeekActivity(
        prompts_done=(await session.exec(done)).one(),
        logs=(await session.exec(logs)).one(),
        ratings=tuple(r for r in ratings if r[1] != r[2]),
        streak=await current_streak(session=session, person_id=person_id, today=week.today),
    )


def activity_lines(activity: WeekActivity, services: Services, lang: Lang) -> list[str]:
    """The week as short lines: tips done, logs, ratings changed, streak."""
    lines = [
        Localized(
            f"Conseils faits : **{activity.prompts_done}**",
            f"Tips done: **{activity.prompts_done}**",
        ).get(lang),
        Localized(
            f"Entrées de journal : **{activity.logs}**", f"Log entries: **{activity.logs}**"
        ).get(lang),
        Localized(
            f"Série : **{activity.streak}** jour(s) d'affilée",
            f"Streak: **{activity.streak}** day(s) in a row",
        ).get(lang),
    ]
    for skill_id, before, after in activity.ratings:
        skill = services.kb.skills.get(skill_id)
        name = escape(skill.name.get(lang) if skill else skill_id)
        was = "—" if before is None else str(before)
        lines.append(Localized(f"{name} : {was} → {after}", f"{name}: {was} → {after}").get(lang))
    return lines


async def recap_reply(
    session: AsyncSession, services: Services, person: Person, local: datetime, lang: Lang
) -> Reply:
    """A learner's recap of their local week so far."""
    assert person.id is not None
    week = week_of(local)
    activity = await week_activity(session, services, person.id, week)
    lines = activity_lines(activity, services, lang)
    show, tip = typed(services.registry, "progress show"), typed(services.registry, "coach tip")
    outro = Localized(
        f"Continuez : `{show.fr}` pour le détail, `{tip.fr}` pour le conseil du jour.",
        f"Keep going: `{show.en}` for the details, `{tip.en}` for today's tip.",
    )
    return Reply(
        title=Localized(f"Votre semaine · {week.label}", f"Your week · {week.label}").get(lang),
        blocks=(Text("\n".join(f"- {line}" for line in lines)), Text(outro.get(lang))),
        tone=Tone.INFO,
    )


async def digest_reply(
    session: AsyncSession, services: Services, mentor: Person, local: datetime, lang: Lang
) -> Reply:
    """A mentor's digest: each active mentee's week, in the mentor's local week."""
    week = week_of(local)
    query = (
        select(Person)
        .join(MentorLink, col(MentorLink.learner_id) == Person.id)
        .where(MentorLink.mentor_id == mentor.id, MentorLink.status == "active")
        .order_by(col(Person.user_id))
    )
    blocks = []
    for mentee in await session.exec(query):
        assert mentee.id is not None
        activity = await week_activity(session, services, mentee.id, week)
        lines = activity_lines(activity, services, lang)
        who = mention(mentee.user_id)  # a name on each platform, never a raw id
        blocks.append(Text(f"{who}\n" + "\n".join(f"- {x}" for x in lines)))
    title = Localized(
        f"Vos mentorés cette semaine · {week.label}", f"Your mentees this week · {week.label}"
    )
    return Reply(title=title.get(lang), blocks=tuple(blocks), tone=Tone.INFO)
