"""Repository of workspace defaults (language, timezone, tip channel) set by admins."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.db.models import Workspace
from coachbot.i18n import Lang, parse_lang
from coachbot.identity import PersonRef


async def find_workspace(*, session: AsyncSession, ref: PersonRef) -> Workspace | None:
    """The stored defaults of ``ref``'s workspace, or None if its admins never set any."""
    query = select(Workspace).where(
        Workspace.platform == ref.platform, Workspace.workspace == ref.workspace
    )
    return (await session.exec(query)).first()


async def ensure_workspace(*, session: AsyncSession, ref: PersonRef) -> Workspace:
    """The defaults row of ``ref``'s workspace, created empty on first use."""
    found = await find_workspace(session=session, ref=ref)
    if found is None:
        found = Workspace(platform=ref.platform, workspace=ref.workspace)
        session.add(found)
        await session.flush()
    return found


async def workspace_language(*, session: AsyncSession, ref: PersonRef) -> Lang | None:
    """The default language of ``ref``'s workspace, if its admins chose one (one lookup)."""
    query = select(Workspace.language).where(
        Workspace.platform == ref.platform, Workspace.workspace == ref.workspace
    )
    return parse_lang((await session.exec(query)).first())
