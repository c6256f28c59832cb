"""Named vocabularies behind typed options: resolve typed text, serve autocomplete.

An option that names a vocabulary (``skill``, ``topic``, ``timezone``, ``region``,
``level``, ``category``, ``command``) accepts an id or a name in either language, ignoring case
and accents; an unknown value raises BadInput listing what is accepted: every value of
a small set, by the name a reader of either language would type, else the closest ids.
A timezone typed as an offset (``UTC+14``) is answered with the IANA zones that match.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Protocol

from coachbot.errors import BadInput
from coachbot.i18n import Lang, Localized
from coachbot.knowledge.models import CATEGORIES, KnowledgeBase, NamedBand
from coachbot.knowledge.retrieval import fold
from coachbot.markup import echo, escape

if TYPE_CHECKING:
    from coachbot.registry import Registry

SMALL_SET = 12  # up to this many entries, an unknown value gets every accepted one listed
CATEGORY_LABELS = {
    "technical": Localized("Techniques", "Technical"),
    "managerial": Localized("Managériales", "Managerial"),
    "strategic": Localized("Stratégiques", "Strategic"),
    "soft": Localized("Savoir-être", "Soft skills"),
    "foundation": Localized("Socle", "Foundations"),
}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An autocomplete entry: the value to submit and what the user sees."""

    value: str
    label: str


class Vocabulary(Protocol):
    """Resolves text to a value id and suggests values for a prefix."""

    kind: Localized

    def resolve(self, raw: str) -> str: ...

    def complete(self, prefix: str, lang: Lang, limit: int = 25) -> list[Suggestion]: ...


@dataclass(frozen=True, slots=True)
class Entry:
    """One accepted value with every spelling that selects it."""

    id: str
    label: Localized
    spellings: tuple[str, ...]


class EntryVocabulary:
    """A vocabulary over a fixed list of entries."""

    def __init__(self, kind: Localized, entries: Iterable[Entry]) -> None:
        self.kind = kind
        self.entries = tuple(entries)
        self._index = {fold(s): e.id for e in self.entries for s in (e.id, *e.spellings)}

    def resolve(self, raw: str) -> str:
        """The id of the entry ``raw`` names; BadInput with the closest ones otherwise."""
        key = fold(raw.strip()).replace("_", " ").replace("-", " ")
        for candidate in (fold(raw.strip()), key, key.replace(" ", "_")):
            if candidate in self._index:
                return self._index[candidate]
        raise BadInput(self._unknown(raw))

    def closest(self, raw: str, n: int = 3) -> list[str]:
        """Ids of the entries whose spellings are nearest to ``raw``."""
        names = difflib.get_close_matches(fold(raw), list(self._index), n=n * 3, cutoff=0.4)
        return list(dict.fromkeys(self._index[name] for name in names))[:n]

    def _unknown(self, raw: str) -> Localized:
        shown = echo(raw)
        if len(self.entries) <= SMALL_SET:
            fr, en = (self.accepted(raw, lang) for lang in ("fr", "en"))
            return Localized(
                f"« {shown} » n'est pas connu ({self.kind.fr}). Valeurs acceptées : {fr}.",
                f'"{shown}" is not a known {self.kind.en}. Accepted: {en}.',
            )
        close = self.closest(raw) or [e.id for e in self.entries[:5]]
        return Localized(
            f"« {shown} » n'est pas connu ({self.kind.fr}). Plus proches : {', '.join(close)}.",
            f'"{shown}" is not a known {self.kind.en}. Closest: {", ".join(close)}.',
        )

    def accepted(self, raw: str, lang: Lang) -> str:
        """Every entry as ``lang`` readers would type it, the closest to ``raw`` first."""
        close = self.closest(raw, len(self.entries))
        ids = [*close, *(e.id for e in self.entries if e.id not in close)]
        labels = {e.id: e.label.get(lang) for e in self.entries}
        return ", ".join(escape(typed_name(labels[i])) for i in ids)

    def complete(self, prefix: str, lang: Lang, limit: int = 25) -> list[Suggestion]:
        """Entries whose id or label contains ``prefix`` (all of them for an empty prefix)."""
        p = fold(prefix.strip())
        hits = [e for e in self.entries if not p or any(p in fold(s) for s in (e.id, *e.spellings))]
        if not hits and p:
            hits = [e for e in self.entries if e.id in self.closest(prefix, limit)]
        return [Suggestion(e.id, e.label.get(lang)) for e in hits[:limit]]


def typed_name(label: str) -> str:
    """A label as one typeable word: ``Large cities`` -> ``large-cities`` (resolving
    reads ``-`` as a space, so the word selects the entry)."""
    return "-".join(label.lower().split())


class TimezoneVocabulary:
    """IANA timezone names, checked with zoneinfo; typos get suggestions, and an offset
    such as ``UTC+14`` gets the zones that match it."""

    kind = Localized("fuseau horaire", "timezone")

    def __init__(self) -> None:
        self._names = _timezones()
        self._folded = {name.lower(): name for name in self._names}

    def resolve(self, raw: str) -> str:
        """The canonical IANA name, e.g. ``europe/paris`` -> ``Europe/Paris``."""
        key = raw.strip().replace(" ", "_").lower()
        if key in self._folded:
            return self._folded[key]
        offset = utc_offset(raw)
        if offset is not None:
            raise BadInput(offset_refusal(raw, offset))
        close = difflib.get_close_matches(key, list(self._folded), n=3, cutoff=0.5)
        named = ", ".join(self._folded[c] for c in close) or "Europe/Paris, America/New_York"
        shown = echo(raw)
        raise BadInput(
            Localized(
                f"« {shown} » n'est pas un fuseau IANA. Vouliez-vous : {named} ?",
                f'"{shown}" is not an IANA timezone. Did you mean: {named}?',
            )
        )

    def complete(self, prefix: str, lang: Lang, limit: int = 25) -> list[Suggestion]:
        """Timezones containing ``prefix``, shortest first."""
        p = prefix.strip().replace(" ", "_").lower()
        hits = sorted((n for n in self._names if p in n.lower()), key=lambda n: (len(n), n))
        return [Suggestion(n, n) for n in hits[:limit]]


_OFFSET = re.compile(r"^(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?:\s*[:h]?\s*(\d{2}))?$", re.I)
_REGIONS = (
    "Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/",
    "Indian/", "Pacific/",
)  # fmt: skip
_WELL_KNOWN = frozenset(
    {
        "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
        "America/Sao_Paulo", "America/Toronto", "Europe/London", "Europe/Paris",
        "Africa/Casablanca", "Africa/Dakar", "Asia/Dubai", "Asia/Kolkata", "Asia/Shanghai",
        "Asia/Tokyo", "Asia/Singapore", "Australia/Sydney", "Pacific/Auckland",
    }
)  # fmt: skip
_SEASONS = (datetime(2025, 1, 15, 12, tzinfo=UTC), datetime(2025, 7, 15, 12, tzinfo=UTC))


def utc_offset(raw: str) -> int | None:
    """Minutes east of UTC for ``UTC+14``, ``GMT-5``, ``UTC+5:30``; None for anything else."""
    match = _OFFSET.match(raw.strip())
    if match is None:
        return None
    sign = 1 if match.group(1) == "+" else -1
    return sign * (int(match.group(2)) * 60 + int(match.group(3) or 0))


def offset_zones(minutes: int, cities: int = 3) -> list[str]:
    """IANA zones at ``minutes`` east of UTC: the fixed ``Etc/GMT`` zone when there is one
    (its sign is inverted: ``Etc/GMT-14`` is UTC+14), then up to ``cities`` city zones whose
    standard time (daylight saving aside) is that offset, well-known and year-round ones first."""
    etc = []
    if minutes == 0:
        etc = ["UTC"]
    elif minutes % 60 == 0 and -12 <= minutes // 60 <= 14:
        etc = [f"Etc/GMT{-minutes // 60:+d}"]
    return etc + list(_city_zones(minutes)[:cities])


@cache
def _city_zones(minutes: int) -> tuple[str, ...]:
    import zoneinfo

    found = []
    for name in _timezones():
        if not name.startswith(_REGIONS):
            continue
        zone = zoneinfo.ZoneInfo(name)
        offsets = {
            int(off.total_seconds()) // 60
            for moment in _SEASONS
            if (off := moment.astimezone(zone).utcoffset()) is not None
        }
        if offsets and min(offsets) == minutes:
            found.append((name not in _WELL_KNOWN, len(offsets) > 1, name))
    return tuple(name for *_, name in sorted(found))


def offset_refusal(raw: str, minutes: int) -> Localized:
    """What to type instead of the offset ``raw``: the matching zones, or the valid range."""
    shown = echo(raw)
    zones = offset_zones(minutes)
    if not zones:
        return Localized(
            f"« {shown} » n'est pas un décalage horaire en usage : ils vont de UTC-12 à UTC+14. "
            "Donnez un fuseau IANA, par exemple Europe/Paris.",
            f'"{shown}" is not an offset in use: they run from UTC-12 to UTC+14. '
            "Give an IANA timezone, for example Europe/Paris.",
        )
    named = ", ".join(zones)
    inverted = next((z for z in zones if z.startswith("Etc/")), None)
    sign_fr = (
        f" Attention : les noms Etc/GMT inversent le signe ({inverted} = UTC{minutes // 60:+d}) "
        "et ne changent jamais d'heure."
        if inverted
        else ""
    )
    sign_en = (
        f" Note that Etc/GMT names invert the sign ({inverted} is UTC{minutes // 60:+d}) "
        "and never change for daylight saving."
        if inverted
        else ""
    )
    return Localized(
        f"« {shown} » est un décalage, pas un nom de fuseau IANA. Fuseaux qui correspondent : "
        f"{named}.{sign_fr} Une ville suit les changements d'heure de son pays.",
        f'"{shown}" is an offset, not an IANA timezone name. Matching zones: {named}.'
        f"{sign_en} A city zone follows its country's clock changes.",
    )


class CommandVocabulary:
    """The registry's commands and groups, in either language, with or without ``/``.

    A command's id is its English path (``cto salary``), a group's its name (``cto``).
    Suggestions show each command as the platform does: with ``flat_admin`` an admin
    subcommand is ``/coach-server`` (Discord), else ``/coach server``.
    """

    kind = Localized("commande", "command")

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._nested = EntryVocabulary(self.kind, _command_entries(registry, flat_admin=False))
        self._flat = EntryVocabulary(self.kind, _command_entries(registry, flat_admin=True))

    def resolve(self, raw: str) -> str:
        """The id of the command or group ``raw`` names; BadInput with the closest ones."""
        path = self.registry.canonical([fold(w) for w in raw.strip().lstrip("/").split()])
        spec = self.registry.get(path)
        if spec is not None:
            return spec.qualified_name
        if len(path) == 1 and path[0] in self.registry.groups:
            return path[0]
        return self._nested.resolve(raw.strip().lstrip("/"))

    def complete(
        self, prefix: str, lang: Lang, limit: int = 25, *, flat_admin: bool = False
    ) -> list[Suggestion]:
        """Groups and commands whose names, in either language, contain ``prefix``."""
        vocab = self._flat if flat_admin else self._nested
        return vocab.complete(prefix.strip().lstrip("/"), lang, limit)


def _command_entries(registry: Registry, *, flat_admin: bool) -> list[Entry]:
    """One entry per group with a nested command, then one per command."""
    entries = [
        Entry(g.name, Localized(f"/{g.name_in('fr')}", f"/{g.name}"), (g.name_in("fr"),))
        for g in registry.groups.values()
        if any(not (flat_admin and c.admin) for c in registry.in_group(g.name))
    ]
    for spec in registry:
        fr, en = (spec.qualified_name_in(lang, flat_admin=flat_admin) for lang in ("fr", "en"))
        label = Localized(f"/{fr} — {spec.description.fr}", f"/{en} — {spec.description.en}")
        entries.append(Entry(spec.qualified_name, label, (fr, en, spec.qualified_name_in("fr"))))
    return entries


@cache
def _timezones() -> tuple[str, ...]:
    import zoneinfo

    return tuple(sorted(n for n in zoneinfo.available_timezones() if "/" in n or n == "UTC"))


def _band_entries(bands: tuple[NamedBand, ...]) -> list[Entry]:
    return [Entry(b.id, b.label, (b.label.fr, b.label.en, *b.aliases)) for b in bands]


def build_vocabularies(kb: KnowledgeBase) -> dict[str, Vocabulary]:
    """Every vocabulary the commands use, built from the knowledge base."""
    skills = [Entry(s.id, s.name, (s.name.fr, s.name.en, *s.aliases)) for s in kb.skills.values()]
    topics = [Entry(t.id, t.title, (t.title.fr, t.title.en)) for t in kb.topics.values()]
    categories = [
        Entry(c, CATEGORY_LABELS[c], (CATEGORY_LABELS[c].fr, CATEGORY_LABELS[c].en))
        for c in CATEGORIES
    ]
    return {
        "skill": EntryVocabulary(Localized("compétence", "skill"), skills),
        "topic": EntryVocabulary(Localized("sujet", "topic"), topics),
        "region": EntryVocabulary(Localized("région", "region"), _band_entries(kb.salary.regions)),
        "level": EntryVocabulary(Localized("niveau", "level"), _band_entries(kb.salary.levels)),
        "category": EntryVocabulary(Localized("catégorie", "category"), categories),
        "timezone": TimezoneVocabulary(),
    }
