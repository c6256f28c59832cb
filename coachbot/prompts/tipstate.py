"""What App Home needs to know about a person's daily tip: subscribed, held, current settings.

Read through the core's repositories, with no rule of its own: ``held`` is the core's
"paused today, or failing", and the settings are written back as the option values
``/coach settings`` reads (``08:30``, ``mon-fri``, ``dm``...), so a form pre-filled
with them and sent unchanged asks for no change at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from coachbot.db.models import Subscription
from coachbot.db.people import find_person
from coachbot.i18n import Lang
from coachbot.identity import PersonRef
from coachbot.prompts.parsing import SHORT, format_days
from coachbot.prompts.subscriptions import CHANNEL, DM, find_subscription, held
from coachbot.services import Services

HERE = "here"  # the ``where`` choice that names a channel: ``ctx.channel``
OFF = "off"


@dataclass(frozen=True, slots=True)
class TipState:
    """A person's daily tip as App Home shows it (the default: not subscribed)."""

    subscribed: bool = False
    held: bool = False
    values: Mapping[str, str] = field(default_factory=dict)
    channel: str | None = None


async def tip_state(services: Services, person: PersonRef, lang: Lang) -> TipState:
    """``person``'s subscription state, read in one short transaction."""
    async with services.database().session() as session:
        found = await find_person(session=session, ref=person)
        if found is None or found.id is None:
            return TipState()
        sub = await find_subscription(session=session, person_id=found.id)
        if sub is None or not sub.active:
            return TipState()
        return TipState(
            subscribed=True,
            held=held(sub, services.clock.now()),
            values=option_values(sub, lang),
            channel=sub.channel_id if sub.where == CHANNEL else None,
        )


def tip_commands(state: TipState) -> tuple[str, ...]:
    """The ``/coach`` subcommands that make sense in ``state``, in the order to offer them:
    subscribe when not subscribed; else change the settings, pause (or resume while
    paused or failing), stop, and today's tip."""
    if not state.subscribed:
        return ("subscribe",)
    return ("settings", "resume" if state.held else "pause", "unsubscribe", "tip")


def option_values(sub: Subscription, lang: Lang) -> dict[str, str]:
    """``sub``'s settings as the values of the settings command's options."""
    recap = SHORT[lang][sub.recap_weekday] if sub.recap_weekday >= 0 else OFF
    return {
        "time": sub.local_time,
        "timezone": sub.timezone,
        "days": format_days(sub.days, lang),
        "where": "dm" if sub.where == DM else HERE,
        "language": sub.language,
        "skip_holidays": sub.skip_holidays or OFF,
        "recap": recap,
    }
