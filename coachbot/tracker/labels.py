"""Small shared wording of the tracker: skill and category names, dates, streaks, scores."""

from __future__ import annotations

from datetime import datetime, tzinfo

from coachbot.i18n import Lang, Localized
from coachbot.knowledge.models import KnowledgeBase
from coachbot.vocabularies import CATEGORY_LABELS


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


SCORE_RULE = Localized(
    "Préparation = Σ min(note, cible) / Σ cibles du profil CTO (compétence non notée = 0).",
    "Readiness = Σ min(rating, target) / Σ targets of the CTO profile (unrated skill = 0).",
)
