"""Shared fixtures: a fresh database per test, a fake clock, and a ``bot`` that reads like a chat."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from coachbot.app import App, build_app
from coachbot.clock import FakeClock
from coachbot.db.migrate import upgrade
from coachbot.knowledge.loader import default_knowledge
from coachbot.knowledge.models import KnowledgeBase
from coachbot.settings import DatabaseSettings, Settings, load_settings
from tests.chat import ChatBot

ROOT = Path(__file__).resolve().parent.parent

# Speed is measured by the benchmarks, never by the tests: no property test fails because
# one example ran slowly on a busy machine.
hypothesis_settings.register_profile(
    "coachbot", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("coachbot")


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return default_knowledge()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A brand-new SQLite file for this test only, never the development database."""
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def settings(tmp_path: Path, sqlite_url: str) -> Settings:
    base = load_settings(ROOT / "config.example.toml", env={})
    console = replace(base.console, charts_dir=str(tmp_path / "charts"))
    return replace(base, database=DatabaseSettings(url=sqlite_url), console=console)


@pytest.fixture
async def app(settings: Settings, clock: FakeClock, kb: KnowledgeBase) -> AsyncIterator[App]:
    await asyncio.to_thread(upgrade, settings.database.url)
    built = build_app(settings, clock=clock, kb=kb)
    yield built
    await built.close()


@pytest.fixture
def bot(app: App) -> ChatBot:
    return ChatBot(app)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database, created for one test and dropped after it."""
    base = os.environ.get("COACHBOT_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("COACHBOT_TEST_POSTGRES_URL is not set")
    name = f"coachbot_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def pg_apps(
    postgres_url: str, settings: Settings, clock: FakeClock, kb: KnowledgeBase
) -> AsyncIterator[list[App]]:
    """Three bot processes (three engines, three connection pools) on one fresh PostgreSQL
    database."""
    await asyncio.to_thread(upgrade, postgres_url)
    pg = replace(settings, database=DatabaseSettings(url=postgres_url))
    apps = [build_app(pg, clock=clock, kb=kb) for _ in range(3)]
    yield apps
    for app in apps:
        await app.close()


async def _admin(url: str, statement: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(statement))
    await engine.dispose()
