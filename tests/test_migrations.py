"""Alembic's ``upgrade head`` on an empty database yields exactly the models' schema."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from coachbot.db import models
from coachbot.db.migrate import downgrade, upgrade


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, models.metadata))


async def schema_diff(url: str) -> list[object]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    await engine.dispose()
    return diff


def test_sqlite_upgrade_matches_models(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    assert asyncio.run(schema_diff(sqlite_url)) == []


def test_sqlite_downgrade_to_base_and_back(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    downgrade(sqlite_url, "base")
    upgrade(sqlite_url)
    assert asyncio.run(schema_diff(sqlite_url)) == []


def test_postgres_upgrade_matches_models(postgres_url: str) -> None:
    upgrade(postgres_url)
    assert asyncio.run(schema_diff(postgres_url)) == []
