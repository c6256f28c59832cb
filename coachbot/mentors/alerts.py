"""Alerts to mentors who opted in: a mentee's streak broke, nothing logged for N days, a rating
went down; each comes with a suggested agenda for the next one-on-one.

What is due is a function of the database and ``now`` only: the scheduler calls
``due_mentor_alerts`` for the platforms it has a port for and sends each reply to the
mentor's direct messages. Every alert is recorded in ``mentor_alert`` (unique per link,
kind and period) in the caller's transaction, so it goes out once per period: at most
once, since an alert whose sending fails after the commit is not tried again. That is
the intended trade-off (as for the weekly messages): an alert only points at facts that
the next alert and the weekly digest show again, and a duplicate would be noise.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.db.models import MentorAlert, MentorLink
from coachbot.i18n import Lang, Localized, parse_lang
from coachbot.identity import PersonRef
from coachbot.knowledge.models import KnowledgeBase
from coachbot.markup import escape
from coachbot.mentors.agenda import alert_reply
from coachbot.mentors.watch import (
    LOOKBACK_DAYS,
    Drop,
    LearnerFacts,
    learner_facts,
    watched_links,
)
from coachbot.registry import Registry
from coachbot.reply import Reply
from coachbot.tracker.activity import count_streak, local_date
from coachbot.tracker.profile import learner_profile

STREAK_MIN = 3  # a shorter streak breaking is not worth a message
STREAK_BROKEN, NO_EVIDENCE, RATING_DOWN = "streak_broken", "no_evidence", "rating_down"
CHUNK = 300  # (link, kind, period) keys per query: 900 bound values, under every backend's cap


@dataclass(frozen=True, slots=True)
class Alert:
    """One thing a mentor should know; ``period`` makes it unique for its link and kind."""

    kind: str
    period: str
    text: Localized  # markup


async def due_mentor_alerts(
    *,
    session: AsyncSession,
    kb: KnowledgeBase,
    registry: Registry,
    now: datetime,
    default_timezone: str,
    platforms: Collection[str],
    default_language: Lang = "fr",
) -> list[tuple[PersonRef, Reply]]:
    """The alerts due at ``now`` to mentors of ``platforms`` (those the caller can send to),
    one reply per mentor and mentee, each recorded as sent; others' are left alone."""
    watched = await watched_links(session, platforms)
    learners = list({learner.id: learner for _, _, learner in watched}.values())
    facts = await learner_facts(
        session=session,
        learners=learners,
        now=now,
        default_timezone=default_timezone,
        platforms=platforms,
    )
    found: dict[int | None, list[Alert]] = {}
    for link, _, learner in watched:
        assert learner.id is not None
        found[link.id] = alerts_for(kb, link, facts[learner.id], now)
    sent = await _already_sent(session, [(i, a) for i, alerts in found.items() for a in alerts])
    out: list[tuple[PersonRef, Reply]] = []
    for link, mentor, learner in watched:
        assert learner.id is not None
        new = [a for a in found[link.id] if (link.id, a.kind, a.period) not in sent]
        fresh = [alert.text for alert in new if await _record(session, link, alert, now)]
        if fresh:
            profile = await learner_profile(session=session, person_id=learner.id, kb=kb)
            lang = parse_lang(mentor.language) or default_language
            reply = alert_reply(kb, registry, learner.user_id, fresh, profile, lang)
            out.append((PersonRef(mentor.platform, mentor.workspace, mentor.user_id), reply))
    return out


def alerts_for(
    kb: KnowledgeBase, link: MentorLink, facts: LearnerFacts, now: datetime
) -> list[Alert]:
    """Every alert that holds for the link's learner at ``now``, sent already or not."""
    checks = (streak_broken(facts), no_evidence(link, facts, now), rating_down(kb, facts))
    return [alert for alert in checks if alert is not None]


def streak_broken(facts: LearnerFacts) -> Alert | None:
    """A streak of ``STREAK_MIN``+ days followed by a whole empty local day, in the lookback.

    Nothing while yesterday or today counts (the streak is alive or already restarted).
    """
    today, days = facts.today, facts.days
    if today in days or today - timedelta(days=1) in days:
        return None
    last = max((d for d in days if d < today), default=None)
    if last is None or last < today - timedelta(days=LOOKBACK_DAYS):
        return None
    length = count_streak(days, last)
    if length < STREAK_MIN:
        return None
    broke = (last + timedelta(days=1)).isoformat()
    return Alert(
        STREAK_BROKEN,
        broke,
        Localized(
            f"Sa série de {length} jours s'est arrêtée le {broke}.",
            f"Their {length}-day streak stopped on {broke}.",
        ),
    )


def no_evidence(link: MentorLink, facts: LearnerFacts, now: datetime) -> Alert | None:
    """Nothing logged for the link's N days, counted from the last log or the request if
    more recent; it repeats every N days of silence (the period: start + multiple of N)."""
    last = facts.last_evidence
    since = max(last, link.created_at) if last is not None else link.created_at
    silent, window = (now - since).days, link.alert_inactive_days
    if silent < window:
        return None
    when = last.date().isoformat() if last is not None else None
    about = (
        Localized(f"dernière le {when}", f"last one on {when}")
        if when
        else Localized("aucune jusqu'ici", "none so far")
    )
    return Alert(
        NO_EVIDENCE,
        f"{since.date().isoformat()}+{silent // window}",
        Localized(
            f"Aucune preuve consignée depuis {silent} jours ({about.fr}).",
            f"No evidence logged for {silent} days ({about.en}).",
        ),
    )


def rating_down(kb: KnowledgeBase, facts: LearnerFacts) -> Alert | None:
    """Skills whose newest rating, given in the lookback, is below the previous one; the
    period is the local day of the latest drop."""
    drops = [d for d in facts.drops if d.skill_id in kb.skills]
    if not drops:
        return None
    period = local_date(max(d.at for d in drops), facts.tz).isoformat()
    return Alert(RATING_DOWN, period, _drops_text(kb, drops))


def _drops_text(kb: KnowledgeBase, drops: list[Drop]) -> Localized:
    def moves(lang: Lang) -> str:
        return ", ".join(
            f"**{escape(kb.skills[d.skill_id].name.get(lang))}** {d.before} → {d.now}"
            for d in drops
        )

    return Localized(f"Note en baisse : {moves('fr')}.", f"Rating down: {moves('en')}.")


async def _already_sent(
    session: AsyncSession, candidates: list[tuple[int | None, Alert]]
) -> set[tuple[int | None, str, str]]:
    """Which of the candidate (link, alert) pairs were recorded before: one query per chunk."""
    keys = [(link_id, a.kind, a.period) for link_id, a in candidates]
    sent: set[tuple[int | None, str, str]] = set()
    for start in range(0, len(keys), CHUNK):
        columns = tuple_(col(MentorAlert.link_id), col(MentorAlert.kind), col(MentorAlert.period))
        query = select(MentorAlert.link_id, MentorAlert.kind, MentorAlert.period).where(
            columns.in_(keys[start : start + CHUNK])
        )
        sent.update(await session.exec(query))
    return sent


async def _record(session: AsyncSession, link: MentorLink, alert: Alert, now: datetime) -> bool:
    """Claim the alert for its period; False when it went out already (here or elsewhere)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {"link_id": link.id, "kind": alert.kind, "period": alert.period, "sent_at": now}
    result = await session.exec(insert(MentorAlert).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount)
