"""Named vocabularies behind typed options: resolve typed text, serve autocomplete.

An option that names a vocabulary (``skill``, ``topic``, ``timezone``, ``region``,
``level``, ``category``, ``command``) accepts an id or a name in either language, ignoring case
and accents; an unknown value raises BadInput listing the closest accepted values.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Protocol

from coachbot.errors import BadInput
from coachbot.i18n import Lang, Localized
from coachbot.knowledge.models import CATEGORIES, KnowledgeBase, NamedBand
from coachbot.knowledge.retrieval import fold
from coachbot.markup import escape

if TYPE_CHECKING:
    from coachbot.registry import Registry

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
        close = self.closest(raw) or [e.id for e in self.entries[:5]]
        shown = escape(raw.strip()[:40])
        return Localized(
            f"« {shown} » n'est pas connu ({self.kind.fr}). Plus proches : {', '.join(close)}.",
            f'"{shown}" is not a known {self.kind.en}. Closest: {", ".join(close)}.',
        )

    def complete(self, prefix: str, lang: Lang, limit: int = 25) -> list[Suggestion]:
        """Entries whose id or label contains ``prefix`` (all of them for an empty prefix)."""
        p = fold(prefix.strip())
        hits = [e for e in self.entries if not p or any(p in fold(s) for s in (e.id, *e.spellings))]
        if not hits and p:
            hits = [e for e in self.entries if e.id in self.closest(prefix, limit)]
        return [Suggestion(e.id, e.label.get(lang)) for e in hits[:limit]]


class TimezoneVocabulary:
    """IANA timezone names, checked with zoneinfo; typos get suggestions."""

    kind = Localized("fuseau horaire", "timezone")

    def __init__(self) -> None:
        self._names = _timezones()
        self._folded = {name.lower(): name for name in self._names}

    def resolve(self, raw: str) -> str:
        """The canonical IANA name, e.g. ``europe/paris`` -> ``Europe/Paris``."""
        key = raw.strip().replace(" ", "_").lower()
        if key in self._folded:
            return self._folded[key]
        close = difflib.get_close_matches(key, list(self._folded), n=3, cutoff=0.5)
        named = ", ".join(self._folded[c] for c in close) or "Europe/Paris, America/New_York"
        shown = escape(raw.strip()[:40])
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
