"""The prompts' periodic jobs, handed to the scheduler by the composition root: snoozed
prompts coming due again, and the weekly recaps and digests."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from coachbot.delivery import DeliveryTarget
from coachbot.prompts.compose import prompt_reply
from coachbot.prompts.deliveries import DueSnooze, due_snoozes, snooze_sent
from coachbot.prompts.recap import (
    due_weekly_messages,
    mark_weekly_failed,
    mark_weekly_sent,
    release_weekly,
)
from coachbot.reply import Reply
from coachbot.scheduling.periodic import ROUNDS, Outbox, Periodic, nonce, send_all
from coachbot.scheduling.retry import Result


async def send_snoozes(outbox: Outbox, now: datetime) -> None:
    """Send snoozed prompts whose time has come again."""
    for _ in range(ROUNDS):
        due = await outbox.in_transaction(partial(due_snoozes, now=now, platforms=outbox.platforms))
        if not due:
            return
        settled: list[int] = []
        await send_all(snooze_one(outbox, item, settled=settled) for item in due)
        if not settled:
            return  # none could go (a storm): the same ones would come back at once


async def snooze_one(outbox: Outbox, item: DueSnooze, *, settled: list[int]) -> None:
    """Send one snoozed prompt; once sent (or never sendable) it is recorded and its id
    added to ``settled``, else it stays due for a later run."""
    reply = prompt_reply(outbox.services.kb, item.tip_id, item.language, item.delivery_id)
    outcome = await outbox.send(item.target, reply, item.nonce)
    if outcome.result is not Result.LATER:  # sent, or it never can be
        await outbox.in_transaction(partial(snooze_sent, delivery_id=item.delivery_id))
        settled.append(item.delivery_id)


async def send_weekly(outbox: Outbox, now: datetime) -> None:
    """Send the weekly recaps and digests that are due."""
    for _ in range(ROUNDS):
        due = await outbox.in_transaction(
            partial(
                due_weekly_messages, services=outbox.services, now=now, platforms=outbox.platforms
            )
        )
        if not due:
            return
        held: list[int] = []
        await send_all(weekly_one(outbox, now, *item, held=held) for item in due)
        if len(held) == len(due):
            return  # the platforms are down: the next run tries again


async def weekly_one(
    outbox: Outbox, now: datetime, target: DeliveryTarget, reply: Reply, message_id: int,
    *, held: list[int],
) -> None:  # fmt: skip
    """Send one weekly message and record how it went; ``held`` gets its id when an open
    circuit breaker kept it from being tried (its claim is then given back)."""
    outcome = await outbox.send(target, reply, nonce("weekly", str(message_id)))
    if outcome.result is Result.SENT:
        await outbox.in_transaction(partial(mark_weekly_sent, message_id=message_id, now=now))
    elif outcome.held:
        held.append(message_id)
        await outbox.in_transaction(partial(release_weekly, message_id=message_id))
    else:
        await outbox.in_transaction(partial(mark_weekly_failed, message_id=message_id))


SNOOZES = Periodic("snoozes", timedelta(0), send_snoozes)
WEEKLY = Periodic("weekly", timedelta(minutes=15), send_weekly)
JOBS = (SNOOZES, WEEKLY)
