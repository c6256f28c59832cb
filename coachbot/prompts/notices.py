"""A notice at the user's next command when their daily prompts stopped being delivered.

The engine marks a subscription ``failing`` after 3 permanent failures in a row;
this provider tells the user once (``failing_notified``) what happened and how to fix it.
Who has such a notice waiting is kept in memory (``PendingNotices``): a command reads
nothing from the database unless its user is among them.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col, select

from coachbot.db.engine import Database
from coachbot.db.models import Person, Subscription
from coachbot.i18n import Localized
from coachbot.prompts.pending import TTL, PendingNotices
from coachbot.services import Context

__all__ = ["FAILING", "TTL", "PendingNotices", "failing_notice"]


FAILING = Localized(
    "Vos conseils quotidiens n'ont pas pu vous être remis trois fois de suite (messages "
    "privés fermés, ou salon supprimé) : ils sont suspendus. Pour les recevoir à nouveau, "
    "ouvrez vos messages privés au bot puis tapez `/coach resume`, ou recevez-les dans "
    "un salon : `/coach settings where:here`.",
    "Your daily tips could not be delivered three times in a row (direct messages closed, "
    "or the channel is gone), so they are on hold. To get them again, open your direct "
    "messages to the bot and type `/coach resume`, or get them in a channel: "
    "`/coach settings where:here`.",
)


async def failing_notice(ctx: Context) -> list[str]:
    """The failing-delivery notice, the first time the user runs a command after it (no
    database read unless the user is among those with a notice waiting)."""
    db = ctx.services.db
    if db is None:
        return []
    pending = ctx.services.pending_notices
    if not await pending.has(ctx.person):
        return []
    pending.shown(ctx.person)
    return await _claim(db, ctx)


async def _claim(db: Database, ctx: Context) -> list[str]:
    """Mark the notice shown, once even if two commands race, and say it."""
    ref = ctx.person
    query = (
        select(Subscription.id)
        .join(Person, col(Person.id) == Subscription.person_id)
        .where(
            Person.platform == ref.platform,
            Person.workspace == ref.workspace,
            Person.user_id == ref.user,
            col(Subscription.failing).is_(True),
            col(Subscription.failing_notified).is_(False),
        )
    )
    async with db.session() as session:
        found = (await session.exec(query)).first()
        if found is None:
            return []
        # A conditional update, so two commands racing show the notice once.
        claim = (
            update(Subscription)
            .where(col(Subscription.id) == found, col(Subscription.failing_notified).is_(False))
            .values(failing_notified=True)
        )
        claimed = (await session.exec(claim)).rowcount
    return [ctx.t(FAILING)] if claimed else []
