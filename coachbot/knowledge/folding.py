"""Text as the free-question readers compare it: lowercase, without accents."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lowercase and strip accents, so ``Rémunération`` and ``remuneration`` match."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
