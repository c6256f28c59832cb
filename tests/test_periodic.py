"""The scheduler's periodic jobs (snoozes, weekly messages, mentor alerts) in processes that
share one database but serve different platforms: each sends only what it has a port for."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from coachbot.app import App, build_app, periodic_jobs
from coachbot.clock import FakeClock
from coachbot.db.migrate import upgrade
from coachbot.db.models import Delivery, MentorAlert, MentorLink, WeeklyMessage
from coachbot.db.people import ensure_person
from coachbot.identity import PersonRef
from coachbot.knowledge.models import KnowledgeBase
from coachbot.scheduling.periodic import Outbox
from coachbot.scheduling.ratelimit import RateLimiter
from coachbot.scheduling.retry import RetryPolicy, Sender
from coachbot.settings import DatabaseSettings, Settings
from tests.delivery_fakes import FakePlatform, subscribe

FRIDAY_0830_PARIS = datetime(2026, 3, 6, 7, 30, tzinfo=UTC)
PLATFORMS = ("console", "slack")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """SQLite, and PostgreSQL when the suite has one (``COACHBOT_TEST_POSTGRES_URL``)."""
    if request.param == "sqlite":
        return sqlite_url
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def two_processes(
    database_url: str, settings: Settings, clock: FakeClock, kb: KnowledgeBase
) -> AsyncIterator[tuple[App, App]]:
    """Two bot processes on one database (two engines; SQLite allows only one process)."""
    await asyncio.to_thread(upgrade, database_url)
    shared = replace(settings, database=DatabaseSettings(url=database_url))
    first = build_app(shared, clock=clock, kb=kb)
    second = (
        first if database_url == settings.database.url else build_app(shared, clock=clock, kb=kb)
    )
    yield first, second
    for each in {id(first): first, id(second): second}.values():
        await each.close()


async def a_learner_and_their_mentor(app: App, platform: str) -> None:
    """On ``platform``: a learner whose recap is due on Friday 08:30 in Paris, with a prompt
    snoozed until then, and a mentor (alerts on) whose learner logged nothing for weeks."""
    now = FRIDAY_0830_PARIS - timedelta(days=30)
    sid = await subscribe(app, f"learner-{platform}", platform=platform, now=now)
    async with app.services.database().session() as session:
        learner, mentor = [
            await ensure_person(session=session, ref=PersonRef(platform, "w1", user), now=now)
            for user in (f"learner-{platform}", f"mentor-{platform}")
        ]
        assert learner.id is not None and mentor.id is not None
        session.add(
            Delivery(
                subscription_id=sid,
                person_id=learner.id,
                local_date=FRIDAY_0830_PARIS.date(),
                tip_id=app.services.kb.tips[0].id,
                status="sent",
                nonce=f"n-{platform}",
                due_at=now,
                snoozed_until=FRIDAY_0830_PARIS,
            )
        )
        session.add(
            MentorLink(
                mentor_id=mentor.id,
                learner_id=learner.id,
                status="active",
                alerts=True,
                created_at=now,
                updated_at=now,
            )
        )


def outbox(app: App, port: FakePlatform) -> Outbox:
    sender = Sender(RateLimiter(port.timer, {}), RetryPolicy(), random.Random(7))
    return Outbox(app.services.database(), app.services, {port.platform: port}, sender)


async def run_jobs(box: Outbox, now: datetime) -> None:
    for job in box.jobs(periodic_jobs()):
        await job.run(now)


def received(port: FakePlatform) -> list[tuple[str, str]]:
    """(user, title up to its first " · ") of each message the platform accepted."""
    return sorted((m.target.person.user, m.reply.title.split(" · ")[0]) for m in port.messages)


def expected(platform: str) -> list[tuple[str, str]]:
    """The snoozed prompt, the recap, the alert and the digest of ``platform``'s people."""
    learner, mentor = f"learner-{platform}", f"mentor-{platform}"
    return [
        (learner, "Tip of the day"),
        (learner, "Your week"),
        (mentor, "Alerte mentorat"),
        (mentor, "Vos mentorés cette semaine"),
    ]


async def test_each_process_sends_only_its_platforms_messages(
    two_processes: tuple[App, App],
) -> None:
    """A console-only and a slack-only process on one database: neither claims, fails or
    drops the other's weekly messages, snoozed prompts or mentor alerts."""
    first, second = two_processes
    for platform in PLATFORMS:
        await a_learner_and_their_mentor(first, platform)
    console, slack = FakePlatform("console"), FakePlatform("slack")
    await run_jobs(outbox(first, console), FRIDAY_0830_PARIS)
    assert received(console) == expected("console")
    async with first.services.database().session() as session:  # slack's are left alone
        weekly = (await session.exec(select(WeeklyMessage))).all()
        assert sorted(w.person_id for w in weekly) == [1, 2]  # console's learner and mentor
        assert len((await session.exec(select(MentorAlert))).all()) == 1
        snoozed = select(Delivery.nonce).where(col(Delivery.snoozed_until).is_not(None))
        assert (await session.exec(snoozed)).all() == ["n-slack"]

    await run_jobs(outbox(second, slack), FRIDAY_0830_PARIS + timedelta(minutes=1))
    assert received(slack) == expected("slack")
    assert len(console.messages) == 4
    async with second.services.database().session() as session:
        assert {w.status for w in await session.exec(select(WeeklyMessage))} == {"sent"}
        assert len((await session.exec(select(MentorAlert))).all()) == 2
