"""Reading a user reference typed in a command: ``<@U123>``, ``<@!123>``, ``@name`` or ``name``."""

from __future__ import annotations

import re

from coachbot.errors import BadInput
from coachbot.i18n import Localized

_MENTION = re.compile(r"^<@!?([A-Za-z0-9_.-]{1,64})(?:\|[^>]*)?>$")
_PLAIN = re.compile(r"^@?([A-Za-z0-9_.-]{1,64})$")


def parse_user_ref(text: str, option: str = "user", *, mentions_only: bool = False) -> str:
    """The user id in ``text``: a platform mention, or (unless ``mentions_only``) a plain name.

    Chat platforms that turn a picked user into a mention set ``mentions_only``: there a plain
    word is a typo or an unknown name, never someone's id.
    """
    text = text.strip()
    match = _MENTION.match(text) or (None if mentions_only else _PLAIN.match(text))
    if match is None:
        raise BadInput(
            Localized(
                f"« {option} » attend une mention d'utilisateur (@nom).",
                f'"{option}" takes a user mention (@name).',
            )
        )
    return match.group(1)
