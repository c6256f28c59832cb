"""Which language a free question is written in (lingua, restricted to French and English).

The detector is built on first use and kept: building it costs nothing, but its first
detection loads the models (about 50 ms in low-accuracy mode, ten times more in high).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

from coachbot.i18n import Lang

if TYPE_CHECKING:
    from lingua import LanguageDetector

# Below this confidence, or with fewer letters than this, the question is too short or
# too mixed to tell: the caller falls back to the locale, then the default.
MIN_CONFIDENCE = 0.8
MIN_LETTERS = 4
LETTERS = re.compile(r"[^\W\d_]")
# French puts a space before "?" and "!"; English does not: when the words cannot tell
# ("cto full remote possible ?", every word borrowed), the punctuation does.
FRENCH_SPACING = re.compile(r"\w\s+[?!]")


@cache
def _detector() -> LanguageDetector:
    from lingua import Language, LanguageDetectorBuilder

    languages = (Language.FRENCH, Language.ENGLISH)
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def detect(text: str, votes: Mapping[Lang, int] | None = None) -> Lang | None:
    """``fr`` or ``en`` when ``text`` says clearly which, else None.

    ``votes`` (words only one language has, see ``Retriever.language_votes``) decide when
    they differ: on short questions they beat lingua ("cto salary lyon"); French spacing
    before "?" or "!" decides a tie, then lingua decides the other ties ("whats a CTO"), loaded on the first tie only (tests/test_answers.py compares
    both on the answer sets; benchmarks/content.py times a cold start that loads it).
    """
    if votes and votes.get("fr", 0) != votes.get("en", 0):
        return "fr" if votes.get("fr", 0) > votes.get("en", 0) else "en"
    if FRENCH_SPACING.search(text):
        return "fr"
    return detect_by_model(text)


def detect_by_model(text: str) -> Lang | None:
    """lingua's reading of ``text``, when it is confident enough."""
    if len(LETTERS.findall(text)) < MIN_LETTERS:
        return None
    best = _detector().compute_language_confidence_values(text)[0]
    if best.value < MIN_CONFIDENCE:
        return None
    return "fr" if best.language.name == "FRENCH" else "en"
