"""``/progress report``: a shareable CTO-readiness portfolio as a Markdown document.

The document holds the readiness score and its categories, each skill's ratings
over time, the evidence log and the notes of their mentors the learner chose to
include (``/progress notes``; ``mentor_notes:true`` takes them all, ``false`` none).
User-written text is neutralised and Markdown-escaped, so a note can never change the
document's structure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.i18n import Lang, Localized
from coachbot.identity import PersonRef, safe_name
from coachbot.knowledge.models import KnowledgeBase
from coachbot.markup import neutralize
from coachbot.registry import Registry
from coachbot.reply import Attachment, Reply, Text
from coachbot.services import Services
from coachbot.tracker import labels
from coachbot.tracker.activity import current_streak, find_with_zone, local_date
from coachbot.tracker.readiness import Readiness, compute
from coachbot.tracker.repository import (
    Entry,
    Focus,
    NoteView,
    RatingPoint,
    all_notes,
    chosen_notes,
    evidence_log,
    focus_goal,
    goal_setter,
    rating_history,
    row_id,
)

MAX_CHANGES = 12
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


@dataclass(frozen=True)
class ReportData:
    """What the report shows, read from the database."""

    user: str
    today: date
    tz: ZoneInfo
    ratings: dict[str, int]
    readiness: Readiness
    history: list[RatingPoint]
    evidence: list[Entry]
    goal: Focus | None
    streak: int
    notes: list[NoteView] | None  # None: no section (none chosen, or all left out)
    goal_setter: str | None = None  # the mentor who set the focus, if one did


def md(text: str) -> str:
    """User text made inert in Markdown: one line, control characters gone, specials escaped."""
    flat = " ".join(neutralize(text).split())
    escaped = re.sub(r"^([-=])", r"\\\1", _MD_SPECIAL.sub(r"\\\1", flat))
    return re.sub(r"^(\d+)\.", r"\1\\.", escaped)  # "1. " would start a numbered list


async def progress_report(
    services: Services, ref: PersonRef, lang: Lang, *, mentor_notes: bool | None = None
) -> Reply:
    """The portfolio of ``ref`` as a Markdown attachment (ephemeral), with the mentor notes
    the learner chose (``mentor_notes`` None), all of them (True) or none (False)."""
    data = await load_report(services, ref, with_notes=mentor_notes)
    title = Localized("Portfolio de préparation CTO", "CTO-readiness portfolio").get(lang)
    if data is None or not (data.history or data.evidence):
        reg = services.registry
        rate, log = labels.typed(reg, "progress rate"), labels.typed(reg, "progress log")
        text = Localized(
            f"Rien à mettre dans le portfolio pour l'instant : commencez par `{rate.fr}` et "
            f"`{log.fr}`.",
            f"Nothing to put in the portfolio yet: start with `{rate.en}` and `{log.en}`.",
        )
        return Reply(title=title, blocks=(Text(text.get(lang)),), ephemeral=True)
    document = render_markdown(data, services.kb, lang)
    name = f"cto-readiness-{safe_name(data.user)}-{data.today.isoformat()}.md"
    return Reply(
        title=title,
        blocks=(
            Text(_summary(data, lang, services.registry)),
            Attachment(name, document.encode("utf-8"), "text/markdown"),
        ),
        ephemeral=True,
    )


async def load_report(
    services: Services, ref: PersonRef, *, with_notes: bool | None = None
) -> ReportData | None:
    """Everything the report needs, or None for someone who never used the tracker.

    ``with_notes``: None for the notes the learner chose, True for all, False for none.
    """
    now = services.clock.now()
    async with services.database().session() as session:
        default = services.settings.bot.default_timezone
        found = await find_with_zone(session=session, ref=ref, default=default)
        if found is None:
            return None
        person, tz = found
        pid = row_id(person)
        today = local_date(now, tz)
        history = await rating_history(session=session, person_id=pid)
        latest = {p.skill_id: p.level for p in history}
        goal = await focus_goal(session=session, person_id=pid)
        return ReportData(
            user=person.user_id,
            today=today,
            tz=tz,
            ratings=latest,
            readiness=compute(latest, services.kb.skills),
            history=history,
            evidence=await evidence_log(session=session, person_id=pid),
            goal=goal,
            streak=await current_streak(session=session, person_id=pid, today=today),
            notes=await _report_notes(session, pid, with_notes),
            goal_setter=await goal_setter(session=session, goal=goal),
        )


async def _report_notes(
    session: AsyncSession, learner_id: int, with_notes: bool | None
) -> list[NoteView] | None:
    """All notes (True), none (False), or the chosen ones, None when there are none."""
    if with_notes is None:
        return await chosen_notes(session=session, learner_id=learner_id) or None
    return await all_notes(session=session, learner_id=learner_id) if with_notes else None


def render_markdown(data: ReportData, kb: KnowledgeBase, lang: Lang) -> str:
    """The whole portfolio as Markdown text."""
    parts = [
        _heading(data, lang),
        _readiness_section(data, kb, lang),
        _skills_section(data, kb, lang),
        _evidence_section(data, kb, lang),
    ]
    if data.notes is not None:
        parts.append(_notes_section(data, lang))
    parts.append(_method_section(lang))
    return "\n\n".join(parts) + "\n"


def _t(lang: Lang, fr: str, en: str) -> str:
    return Localized(fr, en).get(lang)


def _heading(data: ReportData, lang: Lang) -> str:
    title = _t(lang, "Portfolio de préparation CTO", "CTO-readiness portfolio")
    generated = _t(lang, "Généré par coachbot le", "Generated by coachbot on")
    return f"# {title} — @{md(data.user)}\n\n_{generated} {data.today.isoformat()}._"


def _readiness_section(data: ReportData, kb: KnowledgeBase, lang: Lang) -> str:
    score = labels.percent(data.readiness.score, lang)
    rated = f"{len(data.ratings)}/{len(kb.skills)}"
    lines = [
        f"## {_t(lang, 'Préparation', 'Readiness')}",
        "",
        _t(
            lang,
            f"**{score}** du profil CTO cible ({rated} compétences notées). ",
            f"**{score}** of the target CTO profile ({rated} skills rated). ",
        )
        + _t(lang, "Série : ", "Streak: ")
        + labels.streak(data.streak, lang)
        + ".",
    ]
    if data.goal is not None:
        name = md(labels.skill_name(kb, data.goal.skill_id, lang))
        now = labels.level(data.ratings.get(data.goal.skill_id))
        goal = f"**{name}** → {data.goal.target_level}/5"
        by = (
            _t(lang, f" (fixé par @{md(data.goal_setter)})", f" (set by @{md(data.goal_setter)})")
            if data.goal_setter
            else ""
        )
        lines += [
            "",
            _t(lang, f"Objectif : {goal} (actuellement {now})", f"Focus: {goal} (now {now})") + by,
        ]
    head = _t(
        lang,
        "| Catégorie | Moyenne | Notées | Préparation |",
        "| Category | Average | Rated | Readiness |",
    )
    lines += ["", head, "| --- | --- | --- | --- |"]
    for cat in data.readiness.categories:
        lines.append(
            f"| {labels.category_name(cat.category, lang)} | {labels.level(cat.average)} | "
            f"{cat.rated}/{cat.total} | {labels.percent(cat.readiness, lang)} |"
        )
    return "\n".join(lines)


def _skills_section(data: ReportData, kb: KnowledgeBase, lang: Lang) -> str:
    head = _t(
        lang,
        "| Compétence | Catégorie | Note | Cible | Évolution |",
        "| Skill | Category | Rating | Target | Over time |",
    )
    lines = [f"## {_t(lang, 'Notes dans le temps', 'Ratings over time')}", "", head]
    lines.append("| --- | --- | --- | --- | --- |")
    by_skill: dict[str, list[RatingPoint]] = {}
    for point in data.history:
        by_skill.setdefault(point.skill_id, []).append(point)
    for skill in kb.skills.values():
        points = by_skill.get(skill.id)
        if not points:
            continue
        lines.append(
            f"| {md(skill.name.get(lang))} | {labels.category_name(skill.category, lang)} | "
            f"{points[-1].level}/5 | {skill.target}/5 | {_changes(points, data.tz)} |"
        )
    return "\n".join(lines)


def _changes(points: Iterable[RatingPoint], tz: ZoneInfo) -> str:
    """Only the ratings that changed the level: ``1 (2026-01-02) → 3 (2026-02-10)``."""
    changes: list[RatingPoint] = []
    for point in points:
        if not changes or point.level != changes[-1].level:
            changes.append(point)
    shown = [f"{p.level} ({labels.day(p.created_at, tz)})" for p in changes[-MAX_CHANGES:]]
    return ("… → " if len(changes) > MAX_CHANGES else "") + " → ".join(shown)


def _evidence_section(data: ReportData, kb: KnowledgeBase, lang: Lang) -> str:
    title = _t(lang, "Journal des preuves", "Evidence log")
    if not data.evidence:
        return f"## {title}\n\n_{_t(lang, 'Aucune preuve consignée.', 'No evidence logged.')}_"
    lines = [f"## {title} ({len(data.evidence)})", ""]
    for entry in data.evidence:
        name = md(labels.skill_name(kb, entry.skill_id, lang))
        lines.append(
            f"- {labels.day(entry.created_at, data.tz)} · **{name}** — {md(entry.note or '')}"
        )
    return "\n".join(lines)


def _notes_section(data: ReportData, lang: Lang) -> str:
    title = _t(lang, "Mots des mentors", "Mentor notes")
    if not data.notes:
        return f"## {title}\n\n_{_t(lang, 'Aucun mot reçu.', 'No notes received.')}_"
    lines = [f"## {title}", ""]
    for note in data.notes:
        day = labels.day(note.created_at, data.tz)
        lines.append(f"- {day} · **@{md(note.mentor_user)}** — {md(note.text)}")
    return "\n".join(lines)


def _method_section(lang: Lang) -> str:
    title = _t(lang, "Calcul de la préparation", "How readiness is computed")
    return f"## {title}\n\n{labels.SCORE_RULE.get(lang)}"


def _summary(data: ReportData, lang: Lang, registry: Registry) -> str:
    score = labels.percent(data.readiness.score, lang)
    choose = labels.typed(registry, "progress notes")
    count = len(data.notes or ())
    notes = (
        _t(
            lang,
            f" Mots des mentors inclus : {count} (choisissez-les avec `{choose.fr}`).",
            f" Mentor notes included: {count} (choose them with `{choose.en}`).",
        )
        if count
        else _t(
            lang,
            f" Aucun mot de mentor inclus (choisissez-les avec `{choose.fr}`).",
            f" No mentor note included (choose them with `{choose.en}`).",
        )
    )
    return (
        _t(
            lang,
            f"Votre portfolio est joint : préparation **{score}**, {len(data.history)} note(s), "
            f"{len(data.evidence)} preuve(s).",
            f"Your portfolio is attached: readiness **{score}**, {len(data.history)} rating(s), "
            f"{len(data.evidence)} evidence note(s).",
        )
        + notes
    )
