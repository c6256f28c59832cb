"""Languages and localized strings shared by the whole core."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast, get_args

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)


@dataclass(frozen=True, slots=True)
class Localized:
    """A text in every supported language."""

    fr: str
    en: str

    def get(self, lang: Lang) -> str:
        """Return the text in ``lang``."""
        return self.fr if lang == "fr" else self.en

    def format(self, **values: object) -> Localized:
        """Return a copy with ``str.format`` applied in both languages."""
        return Localized(self.fr.format(**values), self.en.format(**values))


def parse_lang(value: str | None) -> Lang | None:
    """Map a language code or platform locale (``fr``, ``fr-FR``, ``en-US``) to a Lang."""
    if not value:
        return None
    head = value.strip().lower().replace("_", "-").split("-")[0]
    return cast(Lang, head) if head in LANGS else None
