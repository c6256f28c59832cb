"""Apply Alembic migrations from code (``coachbot migrate``, ``make run``, tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config

from coachbot.errors import DatabaseUnreachable, SchemaNotReady

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and at ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (blocking: call it outside the loop);
    ``DatabaseUnreachable`` when it cannot be opened."""
    with reachable(url):
        command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Take the database at ``url`` back to ``revision``."""
    command.downgrade(alembic_config(url), revision)


def require_current_schema(url: str) -> None:
    """Return when the database at ``url`` is at the newest revision; otherwise raise
    ``SchemaNotReady`` with a message saying how to fix it (blocking: outside the loop)."""
    import asyncio

    head = head_revision()
    with reachable(url):
        current = asyncio.run(_current_revision(url))
    if current != head:
        state = "has no coachbot tables yet" if current is None else f"is at revision {current}"
        raise SchemaNotReady(
            f"the database ({_safe(url)}) {state}; this version needs revision {head}. "
            "Run `coachbot migrate` (or `make run`, which migrates first)."
        )


def head_revision() -> str | None:
    """The newest revision of our migrations (reads the migration files: blocking)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database behind ``engine`` is at (None: not migrated)."""
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def _current_revision(url: str) -> str | None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        return await current_revision(engine)
    finally:
        await engine.dispose()


@contextmanager
def reachable(url: str) -> Iterator[None]:
    """Turn a failure to open the database at ``url`` into ``DatabaseUnreachable``, one line
    saying what to check (the driver's own words, never the password)."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    _sqlite_folder_exists(url)
    try:
        yield
    except (OperationalError, InterfaceError, DBAPIError, OSError) as exc:
        raise DatabaseUnreachable(
            f"cannot open the database {_safe(url)} ({_reason(exc)}): {_check(url)}"
        ) from exc


def _sqlite_folder_exists(url: str) -> None:
    """Raise ``DatabaseUnreachable`` when ``url`` is a SQLite file in a folder that does not
    exist: said before any driver opens it, since a failed aiosqlite open can leave its
    worker thread writing to a closed event loop (a traceback after the message)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    folder = Path(parsed.database).parent
    if not folder.is_dir():
        raise DatabaseUnreachable(
            f"cannot open the database {_safe(url)} (no folder {folder}): {_check(url)}"
        )


def _reason(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    return f"{type(cause).__name__}: {cause}".splitlines()[0][:160]


def _check(url: str) -> str:
    if url.startswith("sqlite"):
        return (
            "check that its folder exists and is writable ([database] url or COACHBOT_DATABASE_URL)"
        )
    return (
        "check that the server runs, the database exists and the user may connect "
        "([database] url or COACHBOT_DATABASE_URL)"
    )


def _safe(url: str) -> str:
    """``url`` without its password, fit for a message."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
