"""``/progress rate``, ``log`` and ``goal``: record one thing, answer with what changed.

Each runs in one transaction: the row, the day's activity and the milestones it
reaches are saved together or not at all. Milestones go in the reply's notices.
A log on a day not yet counted extends the streak that ended yesterday (or starts
one); on a day already counted (a log or a completed prompt) it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.errors import BadInput
from coachbot.i18n import Lang, Localized
from coachbot.identity import PersonRef
from coachbot.markup import escape
from coachbot.reply import Reply, Text, Tone
from coachbot.services import Services
from coachbot.tracker import labels
from coachbot.tracker.activity import local_date, record_activity
from coachbot.tracker.milestones import Facts, Reached, announce, make_facts, reached
from coachbot.tracker.repository import (
    Focus,
    record_evidence,
    record_rating,
    row_id,
    set_goal,
)
from coachbot.tracker.snapshot import Snapshot, ensure_located, snapshot
from coachbot.tracker.usertext import blank

EMPTY_NOTE = Localized(
    "La note est vide une fois retirés les caractères invisibles ou de contrôle (octets NUL, "
    "marques de direction, espaces) : écrivez ce que vous avez fait. Rien n'a été enregistré.",
    "The note is empty once invisible and control characters (NUL bytes, direction marks, "
    "spaces) are removed: write what you did. Nothing was saved.",
)


@dataclass(frozen=True)
class Outcome:
    """What a recording changed: the learner's facts afterwards and the milestones announced."""

    facts: Facts
    announced: list[Reached]


async def rate(services: Services, ref: PersonRef, lang: Lang, *, skill: str, level: int) -> Reply:
    """Record a self-rating (history kept) and say how it moved."""
    now = services.clock.now()
    async with services.database().session() as session:
        pid, _, snap = await _before(session, services, ref, now)
        before = snap.ratings.get(skill)
        row = await record_rating(
            session=session, person_id=pid, skill_id=skill, level=level, now=now
        )
        after = replace(
            snap,
            versions=replace(snap.versions, rating=row_id(row)),
            ratings={**snap.ratings, skill: level},
        )
        outcome = await _outcome(session, services, pid, after, now)
    name = escape(labels.skill_name(services.kb, skill, lang))
    target = services.kb.skills[skill].target
    was = (
        Localized(" (première note)", " (first rating)")
        if before is None
        else Localized(f" (avant : {before}/5)", f" (before: {before}/5)")
    )
    score = labels.percent(outcome.facts.readiness.score, lang)
    show = labels.typed(services.registry, "progress show")
    text = Localized(
        f"**{name}** : {level}/5{was.fr}. Cible du profil CTO : {target}/5.\n"
        f"Préparation CTO : **{score}**. Vue d'ensemble : `{show.fr}`.",
        f"**{name}**: {level}/5{was.en}. CTO profile target: {target}/5.\n"
        f"CTO readiness: **{score}**. Overview: `{show.en}`.",
    )
    title = Localized("Auto-évaluation enregistrée", "Rating saved")
    return _reply(title, text, outcome, lang)


async def log(services: Services, ref: PersonRef, lang: Lang, *, skill: str, note: str) -> Reply:
    """Record an evidence note, count the day for the streak, and echo the note back inert.

    A note that shows nothing once neutralised is BadInput: nothing is saved or counted.
    """
    if blank(note):
        raise BadInput(EMPTY_NOTE)
    now = services.clock.now()
    async with services.database().session() as session:
        pid, today, snap = await _before(session, services, ref, now)
        row = await record_evidence(
            session=session, person_id=pid, skill_id=skill, note=note, now=now
        )
        await record_activity(session=session, person_id=pid, kind="log", local_date=today, now=now)
        after = replace(
            snap,
            versions=replace(snap.versions, evidence=row_id(row)),
            streak=snap.streak if snap.today_done else snap.streak + 1,
            today_done=True,
        )
        outcome = await _outcome(session, services, pid, after, now)
    name = escape(labels.skill_name(services.kb, skill, lang))
    streak = labels.streak(outcome.facts.streak, lang)
    text = Localized(
        f"**{name}** — {escape(note)}\nSérie : {streak}.",
        f"**{name}** — {escape(note)}\nStreak: {streak}.",
    )
    return _reply(Localized("Preuve consignée", "Evidence logged"), text, outcome, lang)


async def goal(services: Services, ref: PersonRef, lang: Lang, *, skill: str, level: int) -> Reply:
    """Make ``skill`` at ``level`` the learner's focus."""
    now = services.clock.now()
    async with services.database().session() as session:
        pid, _, snap = await _before(session, services, ref, now)
        row = await set_goal(session=session, person_id=pid, skill_id=skill, level=level, now=now)
        focus = Focus(row_id(row), skill, level)
        after = replace(snap, versions=replace(snap.versions, goal=focus.id), goal=focus)
        outcome = await _outcome(session, services, pid, after, now)
    name = escape(labels.skill_name(services.kb, skill, lang))
    current = outcome.facts.goal_level
    target = services.kb.skills[skill].target
    text = Localized(
        f"Objectif : **{name}** → {level}/5 (actuellement {labels.level(current)}). "
        f"Le profil CTO vise {target}/5.",
        f"Focus: **{name}** → {level}/5 (now {labels.level(current)}). "
        f"The CTO profile aims at {target}/5.",
    )
    if current is None:
        rate_it = labels.typed(services.registry, "progress rate", skill=skill, level="<0-5>")
        text = Localized(
            text.fr + f"\nNotez-vous d'abord : `{rate_it.fr}`.",
            text.en + f"\nRate yourself first: `{rate_it.en}`.",
        )
    return _reply(Localized("Objectif enregistré", "Focus set"), text, outcome, lang)


async def _before(
    session: AsyncSession, services: Services, ref: PersonRef, now: datetime
) -> tuple[int, date, Snapshot]:
    """The person's id (created on first use), local day, and data before the change.

    The flows then derive the data after the change from it rather than reading it back:
    it saves a scan of the history, and only committed data ever reaches the memo.
    """
    found = await ensure_located(
        session=session, ref=ref, default=services.settings.bot.default_timezone, now=now
    )
    today = local_date(now, found.tz)
    snap = await snapshot(
        session=session, services=services, person=found.person, today=today, known=found.versions
    )
    return row_id(found.person), today, snap


async def _outcome(
    session: AsyncSession, services: Services, pid: int, snap: Snapshot, now: datetime
) -> Outcome:
    """The learner's facts after the change, and the milestones it makes them reach."""
    facts = make_facts(
        recorded=snap.versions,
        latest=snap.ratings,
        streak=snap.streak,
        goal=snap.goal,
        kb=services.kb,
    )
    found = await announce(
        session=session,
        person_id=pid,
        found=reached(facts, services.registry),
        now=now,
        known=snap.milestones,
    )
    return Outcome(facts, found)


def _reply(title: Localized, text: Localized, outcome: Outcome, lang: Lang) -> Reply:
    return Reply(
        title=title.get(lang),
        blocks=(Text(text.get(lang)),),
        tone=Tone.SUCCESS,
        ephemeral=True,
        notices=tuple(r.message.get(lang) for r in outcome.announced),
    )
