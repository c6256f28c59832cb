"""``/coach``: personal settings (language now; daily prompts and personal data later)."""

from __future__ import annotations

from coachbot.i18n import Localized, parse_lang
from coachbot.registry import Choice, Group, Option, command
from coachbot.reply import Reply, Text, Tone
from coachbot.services import Context

GROUP = Group(
    "coach",
    Localized("Vos réglages, conseils quotidiens et données", "Your settings, daily tips and data"),
    name_fr="coach",
)


@command(
    "coach",
    "language",
    name_fr="langue",
    description=Localized("Choisir la langue des réponses", "Choose the language of replies"),
    options=[
        Option(
            "lang",
            Localized("fr ou en", "fr or en"),
            required=True,
            choices=(
                Choice("fr", Localized("Français", "French")),
                Choice("en", Localized("Anglais", "English")),
            ),
            name_fr="langue",
        )
    ],
    personal=True,
    saves=True,
)
async def language(ctx: Context, lang: str) -> Reply:
    """Remember the user's language; the confirmation is already in that language."""
    chosen = parse_lang(lang) or ctx.lang
    await ctx.services.languages.set(ctx.person, chosen)
    done = Localized("Je vous répondrai en français.", "I will answer you in English.")
    return Reply(
        title=Localized("Langue enregistrée", "Language saved").get(chosen),
        blocks=(Text(done.get(chosen)),),
        tone=Tone.SUCCESS,
        ephemeral=True,
    )
