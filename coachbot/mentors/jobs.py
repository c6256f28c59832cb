"""The mentors' periodic job, handed to the scheduler by the composition root: alerts."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from coachbot.delivery import DeliveryTarget
from coachbot.i18n import parse_lang
from coachbot.mentors.alerts import due_mentor_alerts
from coachbot.scheduling.periodic import Outbox, Periodic, nonce, send_all


async def send_mentor_alerts(outbox: Outbox, now: datetime) -> None:
    """Send the mentor alerts that are due (each is recorded once by its producer)."""
    services = outbox.services
    settings = services.settings.bot
    due = await outbox.in_transaction(
        partial(
            due_mentor_alerts,
            kb=services.kb,
            registry=services.registry,
            now=now,
            default_timezone=settings.default_timezone,
            platforms=outbox.platforms,
            default_language=parse_lang(settings.default_language) or "fr",
        )
    )
    stamp = now.isoformat()
    await send_all(
        outbox.send(DeliveryTarget(ref), reply, nonce("alert", str(ref), stamp, str(i)))
        for i, (ref, reply) in enumerate(due)
    )


ALERTS = Periodic("mentor_alerts", timedelta(hours=1), send_mentor_alerts)
JOBS = (ALERTS,)
