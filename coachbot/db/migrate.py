"""Apply Alembic migrations from code (``coachbot migrate``, ``make run``, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from coachbot.errors import SchemaNotReady

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and at ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (blocking: call it outside the loop)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Take the database at ``url`` back to ``revision``."""
    command.downgrade(alembic_config(url), revision)


def require_current_schema(url: str) -> None:
    """Return when the database at ``url`` is at the newest revision; otherwise raise
    ``SchemaNotReady`` with a message saying how to fix it (blocking: outside the loop)."""
    import asyncio

    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    current = asyncio.run(_current_revision(url))
    if current != head:
        state = "has no coachbot tables yet" if current is None else f"is at revision {current}"
        raise SchemaNotReady(
            f"the database ({_safe(url)}) {state}; this version needs revision {head}. "
            "Run `coachbot migrate` (or `make run`, which migrates first)."
        )


async def _current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    finally:
        await engine.dispose()


def _safe(url: str) -> str:
    """``url`` without its password, fit for a message."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
