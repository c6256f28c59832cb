"""Reading the options of the prompt commands: times, weekdays, holiday countries, dates.

Every parser either returns a clean value or raises ``BadInput`` saying what is
accepted; ``format_days`` writes a day set back in a form ``parse_days`` reads.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, time, timedelta
from functools import cache

from coachbot.errors import BadInput
from coachbot.i18n import Lang, Localized
from coachbot.knowledge.retrieval import fold
from coachbot.markup import echo

ALL_DAYS = 0b1111111
WEEKDAYS_MON_FRI = 0b0011111
SHORT = {
    "en": ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
    "fr": ("lun", "mar", "mer", "jeu", "ven", "sam", "dim"),
}
_LONG = (
    ("monday", "lundi"),
    ("tuesday", "mardi"),
    ("wednesday", "mercredi"),
    ("thursday", "jeudi"),
    ("friday", "vendredi"),
    ("saturday", "samedi"),
    ("sunday", "dimanche"),
)
_DAY_INDEX = {
    name: i
    for i in range(7)
    for name in (SHORT["en"][i], SHORT["fr"][i], *_LONG[i], _LONG[i][0][:4], _LONG[i][0][:5])
}
_EVERY_DAY = {"daily", "everyday", "all", "tous", "quotidien"}
_OFF = {"none", "off", "no", "non", "aucun", "aucune", "-"}
_TIME = re.compile(r"^(\d{1,2})\s*[:hH.]\s*(\d{2})?$")
MAX_AHEAD_DAYS = 366  # a pause ends at most a year (a leap year's) after today
COMMON_COUNTRIES = ("FR", "BE", "CH", "CA", "US", "GB", "DE", "ES", "IT", "MA", "SN", "IL", "AE")


def is_off(raw: str) -> bool:
    """True for the words that switch an optional setting off (``none``, ``off``, ``aucun``)."""
    return fold(raw.strip()) in _OFF


def parse_time(raw: str) -> time:
    """A 24-hour time: ``08:30``, ``8:30`` or ``8h30`` (French style)."""
    match = _TIME.match(raw.strip())
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour < 24 and minute < 60:
            return time(hour, minute)
    shown = echo(raw)
    raise BadInput(
        Localized(
            f"« {shown} » n'est pas une heure valide : HH:MM sur 24 h, "
            "de 00:00 à 23:59 (par exemple 08:30).",
            f'"{shown}" is not a valid time: HH:MM on the 24-hour clock, '
            "from 00:00 to 23:59 (for example 08:30).",
        )
    )


def format_time(value: time) -> str:
    """``HH:MM``, the stored and displayed form."""
    return f"{value.hour:02d}:{value.minute:02d}"


def parse_days(raw: str) -> int:
    """A set of weekdays as a bit mask (bit 0 = Monday), from ``mon-fri``, ``sun-thu``,
    ``fri,sat``, ``lun-ven``, ``daily``...; ranges wrap around the week end."""
    mask = 0
    for token in re.split(r"[,;+\s]+", fold(raw.strip())):
        if token:
            mask |= _days_token(token, raw)
    if not mask:
        raise BadInput(_bad_days(raw))
    return mask


def _days_token(token: str, raw: str) -> int:
    if token in _EVERY_DAY:
        return ALL_DAYS
    first, _, last = token.partition("-")
    if first not in _DAY_INDEX or (last and last not in _DAY_INDEX):
        raise BadInput(_bad_days(raw))
    start = _DAY_INDEX[first]
    end = _DAY_INDEX[last] if last else start
    span = (end - start) % 7
    return sum(1 << ((start + k) % 7) for k in range(span + 1))


def _bad_days(raw: str) -> Localized:
    shown = echo(raw)
    return Localized(
        f"« {shown} » n'est pas un ensemble de jours. Exemples : lun-ven, dim-jeu, "
        "ven,sam, mon-fri, daily (noms anglais ou français, plages avec -, listes avec ,).",
        f'"{shown}" is not a set of days. Examples: mon-fri, sun-thu, fri,sat, lun-ven, '
        "daily (English or French names, ranges with -, lists with ,).",
    )


def format_days(mask: int, lang: Lang) -> str:
    """The shortest readable form of ``mask``: ``mon-fri``, ``sun-thu``, ``fri,sat``."""
    names = SHORT[lang]
    if mask & ALL_DAYS == ALL_DAYS:
        return f"{names[0]}-{names[6]}"
    start = _week_start(mask)
    runs: list[list[int]] = []
    for k in range(7):
        day = (start + k) % 7
        if not mask >> day & 1:
            continue
        if runs and (runs[-1][-1] + 1) % 7 == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(_run(run, names) for run in runs)


def _week_start(mask: int) -> int:
    """Monday, unless a range of three days or more runs over the week end (``sun-thu``,
    ``fri-mon``): then that range's first day, so it reads as one range."""
    start = 0
    while start > -6 and mask >> ((start - 1) % 7) & 1:
        start -= 1
    if not mask & 1 or _run_length(mask, start % 7) < 3 or start == 0:
        return 0
    return start % 7


def _run_length(mask: int, start: int) -> int:
    length = 0
    while length < 7 and mask >> ((start + length) % 7) & 1:
        length += 1
    return length


def _run(run: list[int], names: tuple[str, ...]) -> str:
    if len(run) >= 3:
        return f"{names[run[0]]}-{names[run[-1]]}"
    return ",".join(names[d] for d in run)


def day_set(mask: int) -> frozenset[int]:
    """The weekdays of ``mask`` (0 = Monday)."""
    return frozenset(d for d in range(7) if mask >> d & 1)


def parse_weekday(raw: str) -> int:
    """One weekday (0 = Monday), or -1 for ``off``."""
    key = fold(raw.strip())
    if key in _OFF:
        return -1
    if key in _DAY_INDEX:
        return _DAY_INDEX[key]
    shown = echo(raw)
    raise BadInput(
        Localized(
            f"« {shown} » n'est pas un jour de la semaine (lun...dim, mon...sun, ou off).",
            f'"{shown}" is not a day of the week (mon...sun, lun...dim, or off).',
        )
    )


@cache
def supported_countries() -> frozenset[str]:
    """Country codes (ISO alpha-2 and alpha-3) the ``holidays`` package knows."""
    import holidays

    return frozenset(holidays.list_supported_countries())


def parse_country(raw: str) -> str:
    """A country code known to the ``holidays`` package (ISO, 2 or 3 letters), upper-cased
    (``fr`` -> ``FR``); a region code (``US-CA``) is refused naming its country."""
    code = raw.strip().upper()
    known = supported_countries()
    if code in known:
        return code
    shown = echo(raw)
    country, dash, _ = code.partition("-")
    if dash and country in known:
        raise BadInput(
            Localized(
                f"« {shown} » désigne une région : seuls les jours fériés d'un pays entier "
                f"sont pris en compte. Donnez le code du pays, ici {country} (ou off).",
                f'"{shown}" names a region: only the public holidays of a whole country are '
                f"supported. Give the country code, here {country} (or off).",
            )
        )
    two_letters = sorted(c for c in known if len(c) == 2)
    close = difflib.get_close_matches(code, two_letters, n=3, cutoff=0.5)
    examples = ", ".join(dict.fromkeys([*close, *COMMON_COUNTRIES]))
    raise BadInput(
        Localized(
            f"« {shown} » n'est pas un code pays connu pour les jours fériés. Codes ISO "
            f"à 2 lettres (ou 3 : FRA, USA), par exemple : {examples} (ou off).",
            f'"{shown}" is not a country code known for public holidays. Two-letter ISO '
            f"codes (or three: FRA, USA), for example: {examples} (or off).",
        )
    )


def parse_future_date(raw: str, today: date) -> date:
    """A date ``YYYY-MM-DD`` strictly after ``today`` and at most ``MAX_AHEAD_DAYS`` after
    it (a longer pause is an unsubscribe; and date arithmetic far ahead would
    overflow the calendar)."""
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        shown = echo(raw)
        raise BadInput(
            Localized(
                f"« {shown} » n'est pas une date AAAA-MM-JJ (par exemple 2026-12-31).",
                f'"{shown}" is not a date YYYY-MM-DD (for example 2026-12-31).',
            )
        ) from None
    if value <= today:
        raise BadInput(
            Localized(
                f"La date doit être dans le futur (après le {today.isoformat()}).",
                f"The date must be in the future (after {today.isoformat()}).",
            )
        )
    return _within_a_year(value, today)


def _within_a_year(value: date, today: date) -> date:
    """``value`` if it is at most ``MAX_AHEAD_DAYS`` after ``today``, else a clear refusal."""
    last = latest_date(today)
    if value > last:
        raise BadInput(
            Localized(
                f"Une pause dure au plus un an : choisissez une date jusqu'au {last.isoformat()} "
                "inclus (ou arrêtez les conseils avec `/coach desabonner`).",
                f"A pause lasts at most one year: pick a date up to {last.isoformat()} included "
                "(or stop the tips with `/coach unsubscribe`).",
            )
        )
    return value


def latest_date(today: date) -> date:
    """The furthest date a learner may name from ``today`` (``MAX_AHEAD_DAYS`` later, or
    the last day the calendar has)."""
    if today > date.max - timedelta(days=MAX_AHEAD_DAYS):
        return date.max
    return today + timedelta(days=MAX_AHEAD_DAYS)
