"""``/coach subscribe|settings|pause|resume|unsubscribe|tip``: the daily learning prompt.

Declarations only: the handlers live in ``coachbot.prompts.handlers``, imported when a
command runs, so loading the command set (``coachbot ask``) needs no database library.
"""

from __future__ import annotations

from coachbot.i18n import Localized
from coachbot.registry import Choice, Option, OptionType, command
from coachbot.reply import Reply
from coachbot.services import Context

OPTIONS = (
    Option(
        "time",
        Localized("Heure locale HH:MM (24 h)", "Local time HH:MM (24-hour)"),
        name_fr="heure",
        hint=Localized("HH:MM", "HH:MM"),
    ),
    Option(
        "timezone",
        Localized("Fuseau IANA", "IANA timezone"),
        vocabulary="timezone",
        name_fr="fuseau",
    ),
    Option(
        "days",
        Localized("Jours : lun-ven, dim-jeu, ven,sam...", "Days: mon-fri, sun-thu, fri,sat..."),
        max_length=60,
        name_fr="jours",
        hint=Localized("lun-ven", "mon-fri"),
    ),
    Option(
        "where",
        Localized("Où recevoir le conseil", "Where to get the tip"),
        choices=(
            Choice("dm", Localized("En message privé", "In direct messages")),
            Choice("here", Localized("Dans ce salon", "In this channel")),
            Choice("channel", Localized("Dans le salon des conseils", "In the tips channel")),
        ),
        name_fr="ou",
    ),
    Option(
        "language",
        Localized("Langue des conseils", "Language of the tips"),
        choices=(
            Choice("fr", Localized("Français", "French")),
            Choice("en", Localized("Anglais", "English")),
        ),
        name_fr="langue",
    ),
    Option(
        "skip_holidays",
        Localized(
            "Sauter les jours fériés d'un pays (FR, US...) ou off",
            "Skip a country's public holidays (FR, US...) or off",
        ),
        max_length=8,
        name_fr="sauf_feries",
        hint=Localized("code pays|off", "country code|off"),
    ),
    Option(
        "recap",
        Localized("Jour du bilan hebdo (ven...) ou off", "Weekly recap day (fri...) or off"),
        max_length=12,
        name_fr="bilan",
        hint=Localized("ven|off", "fri|off"),
    ),
)


@command(
    "coach",
    "subscribe",
    name_fr="abonner",
    description=Localized(
        "Recevoir un conseil par jour à votre heure", "Get one tip a day at your own time"
    ),
    options=OPTIONS,
    personal=True,
    saves=True,
)
async def subscribe(ctx: Context, **options: str | None) -> Reply:
    """Subscribe (or re-subscribe): given options are set, the others keep their value."""
    from coachbot.prompts import handlers

    return await handlers.subscribe(ctx, options)


@command(
    "coach",
    "settings",
    name_fr="reglages",
    description=Localized(
        "Voir ou changer vos réglages du conseil quotidien",
        "See or change your daily tip settings",
    ),
    options=OPTIONS,
    personal=True,
    saves=True,
)
async def settings(ctx: Context, **options: str | None) -> Reply:
    """Show the daily tip settings; with options, change them."""
    from coachbot.prompts import handlers

    return await handlers.settings(ctx, options)


@command(
    "coach",
    "pause",
    name_fr="pause",
    description=Localized("Suspendre le conseil quotidien", "Pause the daily tip"),
    options=[
        Option(
            "until",
            Localized("Dernier jour de pause (AAAA-MM-JJ)", "Last day of the pause (YYYY-MM-DD)"),
            type=OptionType.DATE,
            required=True,
            max_length=10,
            name_fr="fin",
            hint=Localized("AAAA-MM-JJ", "YYYY-MM-DD"),
        )
    ],
    personal=True,
    saves=True,
)
async def pause(ctx: Context, until: str) -> Reply:
    """No tip up to and including ``until``."""
    from coachbot.prompts import handlers

    return await handlers.pause(ctx, until)


@command(
    "coach",
    "resume",
    name_fr="reprendre",
    description=Localized("Reprendre le conseil quotidien", "Resume the daily tip"),
    personal=True,
    saves=True,
)
async def resume(ctx: Context) -> Reply:
    """End a pause."""
    from coachbot.prompts import handlers

    return await handlers.resume(ctx)


@command(
    "coach",
    "unsubscribe",
    name_fr="desabonner",
    description=Localized("Ne plus recevoir le conseil quotidien", "Stop the daily tip"),
    personal=True,
    saves=True,
)
async def unsubscribe(ctx: Context) -> Reply:
    """Stop the daily tip (the history of tips seen stays)."""
    from coachbot.prompts import handlers

    return await handlers.unsubscribe(ctx)


@command(
    "coach",
    "tip",
    name_fr="conseil",
    description=Localized("Le conseil du jour, tout de suite", "Today's tip, right now"),
    personal=True,
)
async def tip(ctx: Context) -> Reply:
    """Today's tip as the reply, with its buttons."""
    from coachbot.prompts import handlers

    return await handlers.tip(ctx)
