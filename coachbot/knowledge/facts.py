"""Formatting figures for each language, so digits live once in facts.toml."""

from __future__ import annotations

import re
from datetime import date
from typing import cast

from coachbot.i18n import Lang
from coachbot.knowledge.models import Fact

_MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "en": "January February March April May June July August September October November December",
}
PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")
KINDS = frozenset(
    [
        "eur",
        "eur_k",
        "eur_k_range",
        "usd",
        "usd_range",
        "percent",
        "year",
        "date",
        "years_range",
        "years_min",
        "text",
        "person",
    ]
)


def group_digits(value: int, lang: Lang) -> str:
    """``256604`` -> ``256 604`` (fr) or ``256,604`` (en)."""
    return f"{value:,}".replace(",", "\u202f" if lang == "fr" else ",")


def format_fact(fact: Fact, lang: Lang) -> str:
    """The fact's value written for ``lang`` readers."""
    v = fact.value
    fr = lang == "fr"
    match fact.kind:
        case "eur_k":
            return f"{v} k€" if fr else f"€{v}k"
        case "eur":
            n = group_digits(cast(int, v), lang)
            return f"{n} €" if fr else f"€{n}"
        case "eur_k_range":
            lo, hi = cast(list[int], v)
            return f"{lo} à {hi} k€" if fr else f"€{lo}k to €{hi}k"
        case "usd":
            n = group_digits(cast(int, v), lang)
            return f"{n} $" if fr else f"${n}"
        case "usd_range":
            low, high = (group_digits(x, lang) for x in cast(list[int], v))
            return f"de {low} $ à {high} $" if fr else f"${low} to ${high}"
        case "percent":
            return f"{v} %" if fr else f"{v}%"
        case "year" | "text" | "person":
            return str(v)
        case "date":
            d = date.fromisoformat(str(v))
            month = _MONTHS[lang].split()[d.month - 1]
            return f"{d.day} {month} {d.year}" if fr else f"{month} {d.day}, {d.year}"
        case "years_range":
            lo, hi = cast(list[int], v)
            return f"{lo} à {hi} ans" if fr else f"{lo} to {hi} years"
        case "years_min":
            return f"plus de {v} ans" if fr else f"{v}+ years"
    raise ValueError(f"unknown fact kind {fact.kind!r}")


def fill(text: str, facts: dict[str, Fact], lang: Lang) -> str:
    """Replace every ``{fact_id}`` in ``text``; KeyError names an unknown id."""
    return PLACEHOLDER.sub(lambda m: format_fact(facts[m.group(1)], lang), text)
