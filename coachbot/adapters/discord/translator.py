"""Command names, descriptions and choice names in French and English, through
discord.py's Translator.

Every translatable string of the generated commands is a ``locale_str`` whose
``localized`` extra is the core's ``Localized``. For descriptions and choice names the
message is the text in the bot's default language, and the translator answers for
Discord's French locale (``fr``) and both English ones (``en-US``, ``en-GB``); other
locales see the default. For names of commands, groups and options the message is the
English name, the id Discord sends back in every interaction whatever the user's
language; the translator only adds the French name (``fr``), never cut: the registry
has already checked it is a valid Discord name.
"""

from __future__ import annotations

from discord import Locale, app_commands

from coachbot.adapters.discord import limits
from coachbot.i18n import Lang, Localized

LOCALE_LANGS: dict[Locale, Lang] = {
    Locale.french: "fr",
    Locale.american_english: "en",
    Locale.british_english: "en",
}
ELLIPSIS = "…"


def clip(text: str, limit: int = limits.COMMAND_DESCRIPTION) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (Discord refuses longer ones)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def localized_str(
    text: Localized, default: Lang, limit: int = limits.COMMAND_DESCRIPTION
) -> app_commands.locale_str:
    """A translatable string: ``text`` in ``default`` now, the other languages on sync."""
    return app_commands.locale_str(clip(text.get(default), limit), localized=text, limit=limit)


def localized_name(names: Localized) -> app_commands.locale_str:
    """A translatable name: English as the base name, French for the ``fr`` locale."""
    return app_commands.locale_str(names.en, localized=names, name=True)


class RegistryTranslator(app_commands.Translator):
    """Serves the registry's own translations; nothing to load, nothing to guess."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        """The text in ``locale``'s language, or None for locales we do not speak."""
        lang = LOCALE_LANGS.get(locale)
        text = string.extras.get("localized")
        if lang is None or not isinstance(text, Localized):
            return None
        if string.extras.get("name"):
            return text.fr if lang == "fr" else None  # English is the base name already
        return clip(text.get(lang), int(string.extras.get("limit", limits.COMMAND_DESCRIPTION)))
