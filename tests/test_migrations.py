"""Alembic's ``upgrade head`` on an empty database yields exactly the models' schema."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
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


def test_the_console_refuses_an_unmigrated_database_and_says_how_to_fix_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from coachbot.cli import main

    monkeypatch.setenv("COACHBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    monkeypatch.chdir(tmp_path)
    assert main(["chat"]) == 2
    err = capsys.readouterr().err
    assert "has no coachbot tables yet" in err and "coachbot migrate" in err
    assert "Traceback" not in err
