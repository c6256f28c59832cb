"""User-written text (evidence notes, mentors' notes): does it say anything once shown?

Text is stored as written but always shown neutralised (``coachbot.markup.neutralize``):
control, NUL and direction characters vanish. A note made only of those, of spaces or of
other invisible characters would show as nothing, so it is refused rather than saved.
"""

from __future__ import annotations

import unicodedata

from coachbot.markup import neutralize

_INVISIBLE = ("Cc", "Cf")  # control and format characters: nothing to see


def blank(text: str) -> bool:
    """True when ``text`` shows nothing once neutralised: only spaces, line breaks and
    control or format characters (zero-width joiners, word joiners...)."""
    return all(ch.isspace() or unicodedata.category(ch) in _INVISIBLE for ch in neutralize(text))
