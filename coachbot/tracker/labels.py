"""Small shared wording of the tracker: skill and category names, dates, streaks, scores."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from coachbot.i18n import Lang, Localized
from coachbot.knowledge.models import KnowledgeBase
from coachbot.markup import mention
from coachbot.vocabularies import CATEGORY_LABELS

if TYPE_CHECKING:
    from coachbot.registry import CommandSpec, Option, Registry


def skill_name(kb: KnowledgeBase, skill_id: str, lang: Lang) -> str:
    """The skill's name in ``lang`` (its id if the catalog no longer has it)."""
    skill = kb.skills.get(skill_id)
    return skill.name.get(lang) if skill else skill_id


def category_name(category: str, lang: Lang) -> str:
    """The category's label in ``lang``."""
    label = CATEGORY_LABELS.get(category)
    return label.get(lang) if label else category


def day(moment: datetime, tz: tzinfo) -> str:
    """``moment`` as the learner's local ISO date (``2026-03-02``), the same in both languages."""
    return moment.astimezone(tz).date().isoformat()


def streak(days: int, lang: Lang) -> str:
    """``3 days`` / ``3 jours`` (``1 day`` / ``1 jour``)."""
    unit = Localized("jour", "day").get(lang) if days == 1 else Localized("jours", "days").get(lang)
    return f"{days} {unit}"


def percent(score: float, lang: Lang) -> str:
    """A 0-100 score rounded to a whole percent, with each language's spacing."""
    return f"{round(score)} %" if lang == "fr" else f"{round(score)}%"


def level(value: float | None) -> str:
    """A 0-5 level (``3/5``, ``3.5/5``) or a dash when there is none."""
    if value is None:
        return "—"
    shown = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{shown}/5"


def set_by(mentor: str | None) -> Localized:
    """`` (set by <mentor>)`` after a focus, naming the mentor (a user id) as a person;
    nothing when the learner set it themselves."""
    if mentor is None:
        return Localized("", "")
    who = mention(mentor)
    return Localized(f" (fixé par {who})", f" (set by {who})")


def typed(registry: Registry, path: str, **options: object) -> Localized:
    """The command ``path`` (its English words, ``"progress rate"``) as each language types it,
    with ``options`` (English names) as ``name:value``: ``/progression noter competence:x``.

    The names come from ``registry`` (the one the composition root built), so a renamed
    command is quoted right.
    Values are shown as given (a ``Localized`` one in each language): callers pass ids,
    placeholders or ``typed_user`` names, never raw user text.
    """
    spec = registry.get(tuple(path.split()))
    if spec is None:
        raise KeyError(f"no command /{path}")
    return Localized(_typed_in(spec, options, "fr"), _typed_in(spec, options, "en"))


def _typed_in(spec: CommandSpec, options: dict[str, object], lang: Lang) -> str:
    words = [f"/{spec.qualified_name_in(lang)}"]
    for name, value in options.items():
        shown = value.get(lang) if isinstance(value, Localized) else str(value)
        words.append(f"{_option(spec, name).name_in(lang)}:{shown}")
    return " ".join(words)


def _option(spec: CommandSpec, name: str) -> Option:
    found = spec.option(name)
    if found is None:
        raise KeyError(f"/{spec.qualified_name} has no option {name!r}")
    return found


MONTHS: dict[Lang, tuple[str, ...]] = {
    "fr": (
        "janv.", "févr.", "mars", "avr.", "mai", "juin",
        "juil.", "août", "sept.", "oct.", "nov.", "déc.",
    ),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}  # fmt: skip

SCORE_RULE = Localized(
    "Préparation = Σ min(note, cible) / Σ cibles du profil CTO (compétence non notée = 0).",
    "Readiness = Σ min(rating, target) / Σ targets of the CTO profile (unrated skill = 0).",
)
