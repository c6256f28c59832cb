"""Typed models of the knowledge base (plain frozen dataclasses: cheap to import)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Literal

from coachbot.i18n import Lang, Localized

CATEGORIES = ("technical", "managerial", "strategic", "soft", "foundation")
Category = Literal["technical", "managerial", "strategic", "soft", "foundation"]
DAY_SLOTS = (
    "morning_planning",
    "team_sync",
    "project_followup",
    "lunch",
    "strategy_time",
    "meetings",
    "end_of_day_delegation",
)


@dataclass(frozen=True, slots=True)
class SectionText:
    """A section in one language, placeholders already filled."""

    heading: str
    text: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    """One entry of a topic, in both languages, with its provenance."""

    id: str
    topic_id: str
    sources: tuple[str, ...]
    fr: SectionText
    en: SectionText

    def text(self, lang: Lang) -> SectionText:
        """The section in ``lang``."""
        return self.fr if lang == "fr" else self.en

    @property
    def key(self) -> str:
        """``topic/section``: a stable address."""
        return f"{self.topic_id}/{self.id}"


@dataclass(frozen=True, slots=True)
class Topic:
    """A subject of ``/cto``: title, one-line summary and sections.

    ``id`` is also the English name of its ``/cto`` subcommand, ``name_fr`` the French one.
    """

    id: str
    title: Localized
    summary: Localized
    sources: tuple[str, ...]
    sections: tuple[Section, ...]
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    name_fr: str | None = None

    def name_in(self, lang: Lang) -> str:
        """The subcommand name speakers of ``lang`` type: ``salaire`` for ``salary``."""
        return (self.name_fr or self.id) if lang == "fr" else self.id


@dataclass(frozen=True, slots=True)
class Skill:
    """A skill of the catalog learners rate themselves on."""

    id: str
    category: Category
    target: int
    sources: tuple[str, ...]
    name: Localized
    description: Localized
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DaySlot:
    """A moment of the CTO's typical day.

    ``end`` bounds the clock times the slot covers (``start <= t < end``). The source
    gives start times only; ``end_given`` is False for the last slot, whose end the
    source never states (it then covers the hour it starts in). ``alt_start`` is the
    other start time the source offers (« 8h / 8h30 »)."""

    id: str
    start: time
    end: time
    label: Localized
    text: Localized
    alt_start: time | None = None
    end_given: bool = True


@dataclass(frozen=True, slots=True)
class NamedBand:
    """A region or an experience level of the salary grid."""

    id: str
    label: Localized
    aliases: tuple[str, ...]
    years: tuple[int, int | None] | None = None


@dataclass(frozen=True, slots=True)
class SalaryGrid:
    """The French salary grid: k€ gross a year, per (level, region)."""

    source: str
    regions: tuple[NamedBand, ...]
    levels: tuple[NamedBand, ...]
    bands: dict[tuple[str, str], tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Tip:
    """A daily learning prompt tied to a skill and, maybe, a moment of the day."""

    id: str
    skill: str
    category: Category
    slot: str | None
    sources: tuple[str, ...]
    lesson: Localized
    action: Localized
    question: Localized


@dataclass(frozen=True, slots=True)
class Fact:
    """A figure quoted by the content, stored once."""

    id: str
    kind: str
    value: object
    source: str


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything coachbot knows, validated."""

    topics: dict[str, Topic]
    facts: dict[str, Fact]
    skills: dict[str, Skill]
    day: tuple[DaySlot, ...]
    salary: SalaryGrid
    tips: tuple[Tip, ...]
    synonyms: tuple[tuple[str, ...], ...]
    sources: dict[str, Localized] = field(default_factory=dict)

    def sections(self) -> list[Section]:
        """Every section of every topic."""
        return [s for t in self.topics.values() for s in t.sections]

    def section(self, key: str) -> Section | None:
        """The section at ``topic/section``, if any."""
        topic_id, _, section_id = key.partition("/")
        topic = self.topics.get(topic_id)
        return next((s for s in topic.sections if s.id == section_id), None) if topic else None

    def cite(self, files: tuple[str, ...] | list[str], lang: Lang) -> str:
        """The seed files named as a reader would know them ("a US finance encyclopedia")."""
        names = [self.sources[f].get(lang) if f in self.sources else f for f in files]
        return "; ".join(dict.fromkeys(names))
