"""The overview's two pictures, worded for the reader: the five categories on a radar and
"what to work on next". ``/progress show`` and ``/mentor view`` both attach them; for a
mentor they are titled with the learner's name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coachbot.i18n import Lang, Localized
from coachbot.identity import safe_name
from coachbot.knowledge.models import KnowledgeBase
from coachbot.mentors import typed_user
from coachbot.reply import Image
from coachbot.services import Services
from coachbot.tracker import labels
from coachbot.tracker.charts import (
    GAP_ROWS,
    GapData,
    GapRow,
    RadarData,
    SeriesNames,
    cached_png,
    gap_png,
    radar_png,
)
from coachbot.tracker.gaps import NextSkill, next_skills
from coachbot.tracker.readiness import CategoryScore, compute

if TYPE_CHECKING:
    from coachbot.tracker.overview import Overview

PAST_DAYS = 90  # the radar's "before" series: the ratings of this many days ago
NOT_RATED = Localized("non notée", "not rated")  # a skill ("compétence")
NO_RATING = Localized("aucune note", "not rated")  # a category, whatever its gender


def whose(view: Overview) -> str | None:
    """The learner as the pictures name them for a mentor (``@bob``), None for the learner."""
    return typed_user(view.user) if view.mentor is not None else None


async def overview_images(services: Services, view: Overview, lang: Lang) -> tuple[Image, ...]:
    """The radar, then the gap chart when some skill is below target or not rated yet."""
    images = [await radar_image(services, view, lang)]
    rows = next_skills(view.ratings, services.kb.skills)[:GAP_ROWS]
    if rows:
        images.append(await gap_image(services, view, rows, lang))
    return tuple(images)


async def radar_image(services: Services, view: Overview, lang: Lang) -> Image:
    """The five categories now, 90 days ago and against the target; cached until the data
    or the day changes."""
    now = view.readiness.categories
    past = compute(view.past, services.kb.skills).categories if view.past else None
    unrated = [labels.category_name(c.category, lang) for c in now if not c.rated]
    data = RadarData(
        title=radar_title(whose(view)).get(lang),
        labels=tuple(_category_label(c, lang) for c in now),
        now=tuple(_readiness(c) for c in now),
        past=tuple(_readiness(c) for c in past) if past else None,
        names=SeriesNames(
            now=Localized("Aujourd'hui", "Now").get(lang),
            target=Localized("Cible CTO", "CTO target").get(lang),
            past=Localized(f"Il y a {PAST_DAYS} jours", f"{PAST_DAYS} days ago").get(lang),
        ),
        not_rated=_not_rated_line(unrated, lang),
        rings=(labels.percent(50, lang), labels.percent(100, lang)),
    )
    key = ("radar", view.owner, view.version, view.today, lang, data.title)
    png = await cached_png(services, key, radar_png, data)
    name = f"progress-{safe_name(view.user)}-{view.today}.png"
    return Image(name, png, radar_alt(data, now, lang))


def radar_title(learner: str | None) -> Localized:
    """The radar's title: the reader's own, or the learner's by name for a mentor."""
    if learner is None:
        return Localized("Vous et le profil CTO cible", "You and the target CTO profile")
    return Localized(f"{learner} et le profil CTO cible", f"{learner} and the target CTO profile")


def _readiness(category: CategoryScore) -> float | None:
    """A category's readiness, None (not plotted) when none of its skills is rated."""
    return category.readiness if category.rated else None


def _category_label(category: CategoryScore, lang: Lang) -> str:
    name = labels.category_name(category.category, lang)
    if not category.rated:
        return f"{name}\n{NO_RATING.get(lang)}"
    rated = Localized(
        f"{category.rated}/{category.total} notées", f"{category.rated}/{category.total} rated"
    )
    return f"{name}\n{labels.percent(category.readiness, lang)}\n{rated.get(lang)}"


def _not_rated_line(names: list[str], lang: Lang) -> str | None:
    if not names:
        return None
    shown = ", ".join(names)
    return Localized(f"Pas encore notées : {shown}", f"Not rated yet: {shown}").get(lang)


def radar_alt(data: RadarData, now: tuple[CategoryScore, ...], lang: Lang) -> str:
    """The radar in words: each category's readiness against the target (100 %)."""
    parts = [
        f"{labels.category_name(c.category, lang)} "
        + (labels.percent(c.readiness, lang) if c.rated else NO_RATING.get(lang))
        for c in now
    ]
    return Localized(
        f"{data.title} : préparation par catégorie, la cible valant 100 % — {', '.join(parts)}",
        f"{data.title}: readiness per category, the target being 100% — {', '.join(parts)}",
    ).get(lang)


async def gap_image(
    services: Services, view: Overview, rows: tuple[NextSkill, ...], lang: Lang
) -> Image:
    """The skills furthest from their target, in the agenda's order; cached with the data."""
    kb = services.kb
    title = gap_title(whose(view)).get(lang)
    data = GapData(
        title=title,
        rows=tuple(_gap_row(kb, n, lang) for n in rows),
        axis=Localized("Niveaux à gagner pour la cible CTO", "Levels to reach the CTO target").get(
            lang
        ),
        categories=tuple((c, labels.category_name(c, lang)) for c in _categories(kb)),
        not_rated=NOT_RATED.get(lang),
    )
    key = ("gaps", view.owner, view.version, lang, title)
    png = await cached_png(services, key, gap_png, data)
    return Image(
        f"next-{safe_name(view.user)}-{view.today}.png", png, gap_alt(kb, title, rows, lang)
    )


def gap_title(learner: str | None) -> Localized:
    """The gap chart's title, naming the learner for a mentor."""
    if learner is None:
        return Localized("À travailler ensuite", "What to work on next")
    return Localized(f"{learner} : à travailler ensuite", f"{learner}: what to work on next")


def _gap_row(kb: KnowledgeBase, skill: NextSkill, lang: Lang) -> GapRow:
    if skill.rating is None:
        note = Localized(
            f"non notée · cible {skill.target}", f"not rated · target {skill.target}"
        ).get(lang)
    else:
        note = f"{skill.rating} → {skill.target}"
    return GapRow(
        label=labels.skill_name(kb, skill.skill_id, lang),
        category=skill.category,
        rating=skill.rating,
        target=skill.target,
        note=note,
    )


def _categories(kb: KnowledgeBase) -> list[str]:
    return list(dict.fromkeys(s.category for s in kb.skills.values()))


def gap_alt(kb: KnowledgeBase, title: str, rows: tuple[NextSkill, ...], lang: Lang) -> str:
    """The gap chart in words: each skill with its rating and target, in the chart's order."""
    parts = []
    for n in rows:
        name = labels.skill_name(kb, n.skill_id, lang)
        level = NOT_RATED.get(lang) if n.rating is None else f"{n.rating}/5"
        target = Localized(f"cible {n.target}", f"target {n.target}").get(lang)
        parts.append(f"{name} ({level}, {target})")
    return Localized(
        f"{title}, le plus grand écart d'abord : {', '.join(parts)}",
        f"{title}, largest gap first: {', '.join(parts)}",
    ).get(lang)
