"""``/coach server``: a workspace's defaults, for its admins (language, timezone, tips channel).

The registry is group -> command, so the three settings are options of one command;
without options it shows the current defaults. The dispatcher refuses non-admins.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from coachbot.errors import BadInput
from coachbot.i18n import Localized, parse_lang
from coachbot.markup import channel_ref, code
from coachbot.prompts import parsing
from coachbot.registry import Choice, Option, OptionType, command
from coachbot.reply import Field, Fields, Reply, Text, Tone
from coachbot.services import Context

if TYPE_CHECKING:
    from coachbot.db.models import Workspace

_CHANNEL_ID = re.compile(r"^<?#?([A-Za-z0-9_.-]{1,64})(?:\|[^>]*)?>?$")
UNSET = Localized("non défini", "not set")


@command(
    "coach",
    "server",
    name_fr="serveur",
    description=Localized(
        "Admins : langue, fuseau et salon des conseils par défaut",
        "Admins: default language, timezone and tips channel",
    ),
    options=[
        Option(
            "language",
            Localized("Langue par défaut", "Default language"),
            choices=(
                Choice("fr", Localized("Français", "French")),
                Choice("en", Localized("Anglais", "English")),
            ),
            name_fr="langue",
        ),
        Option(
            "timezone",
            Localized("Fuseau par défaut", "Default timezone"),
            vocabulary="timezone",
            name_fr="fuseau",
        ),
        Option(
            "channel",
            Localized("Salon des conseils", "Tips channel"),
            type=OptionType.CHANNEL,
            max_length=80,
            name_fr="salon",
            hint=Localized("#salon|here|none", "#channel|here|none"),
        ),
        Option(
            "no_channel",
            Localized("Retirer le salon des conseils", "Remove the tips channel"),
            type=OptionType.BOOLEAN,
            name_fr="sans_salon",
        ),
    ],
    admin=True,
    saves=True,
)
async def server(
    ctx: Context,
    language: str | None,
    timezone: str | None,
    channel: str | None,
    no_channel: bool | None = None,
) -> Reply:
    """Set the given defaults of the caller's workspace, then show them all."""
    from coachbot.db.workspaces import ensure_workspace

    if no_channel and channel:
        raise BadInput(
            Localized(
                "Choisissez : un salon des conseils, ou aucun (sans_salon), pas les deux.",
                "Choose one: a tips channel, or none (no_channel), not both.",
            )
        )
    tip_channel = _channel(ctx, channel) if channel else None
    set_channel = bool(channel) or bool(no_channel)  # no_channel stores None
    async with ctx.services.database().session() as session:
        row = await ensure_workspace(session=session, ref=ctx.person)
        if language:
            row.language = parse_lang(language)
        if timezone:
            row.timezone = timezone
        if set_channel:
            row.tip_channel = tip_channel
        session.add(row)
    if language:
        ctx.services.languages.workspace_changed(ctx.person, parse_lang(language))
    changed = any((language, timezone, set_channel))
    title = (
        Localized("Réglages du serveur enregistrés", "Server defaults saved")
        if changed
        else (Localized("Réglages du serveur", "Server defaults"))
    )
    return _show(ctx, title, row)


def _channel(ctx: Context, raw: str) -> str | None:
    """The channel id to store, None for ``none``; ``here`` is the current channel."""
    if parsing.is_off(raw):
        return None
    if raw.strip().lower() in ("here", "ici"):
        if not ctx.channel:
            raise BadInput(
                Localized(
                    "Je ne sais pas dans quel salon vous écrivez : nommez-le (#salon).",
                    "I cannot tell which channel you are in: name it (#channel).",
                )
            )
        return ctx.channel
    match = _CHANNEL_ID.match(raw.strip())
    if match is None:
        raise BadInput(
            Localized(
                "« channel » attend un salon (#salon), here ou none.",
                '"channel" takes a channel (#channel), here or none.',
            )
        )
    return match.group(1)


def _show(ctx: Context, title: Localized, row: Workspace) -> Reply:
    default_tz = ctx.services.settings.bot.default_timezone
    default_lang = ctx.services.settings.bot.default_language
    fields = (
        Field(ctx.t(Localized("Langue", "Language")), f"`{row.language or default_lang}`"),
        Field(ctx.t(Localized("Fuseau", "Timezone")), code(row.timezone or default_tz)),
        Field(
            ctx.t(Localized("Salon des conseils", "Tips channel")),
            channel_ref(row.tip_channel) if row.tip_channel else ctx.t(UNSET),
        ),
    )
    shown = ctx.command_shown("coach", "server")  # /coach-server on Discord
    # A channel named with # works wherever the option is typed and in Discord's channel
    # picker, which cannot take "here".
    note = Localized(
        "Valeurs par défaut des membres qui n'ont rien choisi. Changer : "
        f"`{shown} langue:en fuseau:Europe/Paris salon:#conseils`.",
        "Defaults for members who chose nothing themselves. Change: "
        f"`{shown} language:en timezone:Europe/Paris channel:#tips`.",
    )
    return Reply(
        title=ctx.t(title),
        blocks=(
            Fields(tuple(Field(f.name, f.value, inline=True) for f in fields)),
            Text(ctx.t(note)),
        ),
        tone=Tone.SUCCESS,
        ephemeral=True,
    )
