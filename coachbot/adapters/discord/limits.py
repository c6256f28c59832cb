"""Discord's documented limits, in one place, for the renderer and the payload checker.

Lengths are counted in Unicode code points, as Discord's API does (Python's ``len``).
"""

from __future__ import annotations

# Messages and embeds (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
CONTENT = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_TOTAL = 6000
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
FILES_PER_MESSAGE = 10

# Components
BUTTONS_PER_ROW = 5
ROWS = 5
BUTTON_LABEL = 80
CUSTOM_ID = 100

# Message nonce (a string of at most 25 characters)
NONCE = 25

# Application commands
COMMAND_NAME = 32
COMMAND_DESCRIPTION = 100
OPTIONS = 25
CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100
STRING_LENGTH = 6000
COMMAND_CHARACTERS = 8000
GLOBAL_CHAT_COMMANDS = 100
AUTOCOMPLETE_CHOICES = 25

# The locales Discord accepts as localization keys (developer docs, "Locales").
LOCALES = frozenset(
    {
        "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu",
        "nl", "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru",
        "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko",
    }
)  # fmt: skip
