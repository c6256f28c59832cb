"""The daily prompt itself: choosing a learner's tip and turning it into a reply with buttons.

``choose_tips_for`` chooses for a whole batch of the engine's claimed prompts at once (a
few queries for all of them, then the pure selection per learner); ``choose_tip_for``
chooses for one subscription (``/coach tip``): both make the same choice. Button ids
are ``prompt:<verb>:<delivery_id>``, handled by ``coachbot.prompts.actions``.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from coachbot.i18n import Lang, Localized, parse_lang
from coachbot.knowledge.models import KnowledgeBase, Skill, Tip
from coachbot.markup import escape
from coachbot.prompts.selection import Catalog, LearnerState, Served, choose_tip, slot_at
from coachbot.reply import Actions, Button, ButtonStyle, Reply, Text, Tone
from coachbot.vocabularies import CATEGORY_LABELS

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from coachbot.db.models import Subscription
    from coachbot.services import Services

# Learners whose history is read in one query (a long-time learner has hundreds of rows).
# Choosing is CPU work on the event loop: every so many learners, the sends waiting for
# their rate-limit slot get a turn (a whole chunk at once held them ~150 ms, and they then
# left in a clump).
YIELD_EVERY = 25
SELECTION_CHUNK = 500

VERBS = ("done", "skip", "snooze", "too_easy", "too_hard")
LABELS = {
    "done": Localized("Fait", "Done"),
    "skip": Localized("Passer", "Skip"),
    "snooze": Localized("Plus tard (1 h)", "Snooze 1h"),
    "too_easy": Localized("Trop facile", "Too easy"),
    "too_hard": Localized("Trop difficile", "Too hard"),
}


@dataclass(frozen=True, slots=True)
class Profile:
    """What selection needs from the tracker."""

    focus_skill: str | None
    weakest: tuple[str, ...]


NO_PROFILE = Profile(None, ())


async def choose_tip_for(
    *, session: AsyncSession, services: Services, subscription: Subscription
) -> str:
    """The id of the tip ``subscription``'s learner should get next (deterministic)."""
    from coachbot.prompts.deliveries import tip_history

    assert subscription.person_id is not None
    person_id = subscription.person_id
    profile = await learner_profile(session=session, person_id=person_id, kb=services.kb)
    state = LearnerState(
        history=await tip_history(session=session, person_id=person_id),
        focus_skill=profile.focus_skill,
        weakest=profile.weakest,
        slot=_slot(services.kb, subscription.local_time),
        seed=person_id,
    )
    return choose_tip(services.kb.tips, services.kb.skills, state).id


class Learner(Protocol):
    """Whom a tip is chosen for (the engine's ``Planned`` prompts are learners)."""

    @property
    def subscription_id(self) -> int: ...

    @property
    def person_id(self) -> int: ...

    @property
    def local_time(self) -> str: ...  # HH:MM


async def choose_tips_for(
    *, session: AsyncSession, services: Services, learners: Sequence[Learner]
) -> dict[int, str]:
    """The tip each of ``learners`` should get next, by subscription id: the choice
    ``choose_tip_for`` makes, with every learner's history, feedback and profile read in
    three queries per ``SELECTION_CHUNK`` learners."""
    kb = services.kb
    catalog = Catalog.of(kb.tips, kb.skills)
    tips: dict[int, str] = {}
    for start in range(0, len(learners), SELECTION_CHUNK):
        chunk = learners[start : start + SELECTION_CHUNK]
        people = sorted({learner.person_id for learner in chunk})
        histories = await tip_histories(session=session, person_ids=people)
        profiles = await learner_profiles(session=session, person_ids=people, kb=kb)
        slots = {t: _slot(kb, t) for t in {learner.local_time for learner in chunk}}
        for done, learner in enumerate(chunk):
            if done % YIELD_EVERY == YIELD_EVERY - 1:
                await asyncio.sleep(0)  # let prompts already chosen leave on time meanwhile
            person = learner.person_id
            profile = profiles.get(person, NO_PROFILE)
            state = LearnerState(
                history=histories.get(person, ()),
                focus_skill=profile.focus_skill,
                weakest=profile.weakest,
                slot=slots[learner.local_time],
                seed=person,
            )
            tips[learner.subscription_id] = catalog.choose(state).id
    return tips


async def tip_histories(
    *, session: AsyncSession, person_ids: Iterable[int]
) -> dict[int, tuple[Served, ...]]:
    """``coachbot.prompts.deliveries.tip_history`` of several people at once (people with
    no history are left out)."""
    from sqlalchemy import select

    from coachbot.db.models import Delivery
    from coachbot.prompts.deliveries import SEEN_STATUSES

    d = Delivery.__table__.c  # type: ignore[attr-defined]
    query = (
        select(d.person_id, d.tip_id, d.feedback)
        .where(
            d.person_id.in_(list(person_ids)),
            d.tip_id != "",  # claimed, its tip not chosen yet: nothing seen
            d.status.in_(SEEN_STATUSES) | d.feedback.is_not(None),
        )
        .order_by(d.person_id, d.local_date, d.id)
    )
    rows = (await (await session.connection()).execute(query)).all()
    histories: dict[int, list[Served]] = defaultdict(list)
    served: dict[tuple[str, str | None], Served] = {}  # a few tips and feedbacks, shared
    for person, tip_id, feedback in rows:
        key = (tip_id, feedback)
        item = served.get(key) or served.setdefault(key, Served(tip_id, feedback))
        histories[person].append(item)
    return {person: tuple(items) for person, items in histories.items()}


async def learner_profiles(
    *, session: AsyncSession, person_ids: Sequence[int], kb: KnowledgeBase
) -> dict[int, Profile]:
    """``learner_profile`` of several people at once (people with no goal and no rating are
    left out: their profile is ``NO_PROFILE``)."""
    ratings = await _latest_ratings(session, person_ids, kb.skills)
    goals = await _focus_skills(session, person_ids)
    return {
        person: Profile(goals.get(person), _rated_weakest(ratings.get(person, {}), kb.skills))
        for person in {*ratings, *goals}
    }


async def _latest_ratings(
    session: AsyncSession, person_ids: Sequence[int], skills: Mapping[str, Skill]
) -> dict[int, dict[str, int]]:
    """The newest level of each rated catalog skill, per person (``latest_ratings``)."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from coachbot.db.models import Rating

    newest = (
        select(func.max(Rating.id))
        .where(col(Rating.person_id).in_(list(person_ids)))
        .group_by(col(Rating.person_id), col(Rating.skill_id))
    )
    query = select(Rating.person_id, Rating.skill_id, Rating.level).where(
        col(Rating.id).in_(newest)
    )
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for person, skill, level in await session.exec(query):
        if skill in skills:
            out[person][skill] = level
    return out


async def _focus_skills(session: AsyncSession, person_ids: Sequence[int]) -> dict[int, str]:
    """The skill of each person's newest active goal (``focus_goal``)."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from coachbot.db.models import Goal

    newest = (
        select(func.max(Goal.id))
        .where(col(Goal.person_id).in_(list(person_ids)), col(Goal.active).is_(True))
        .group_by(col(Goal.person_id))
    )
    query = select(Goal.person_id, Goal.skill_id).where(col(Goal.id).in_(newest))
    return {person: skill for person, skill in await session.exec(query)}


def _rated_weakest(ratings: Mapping[str, int], skills: Mapping[str, Skill]) -> tuple[str, ...]:
    """The rated skills, lowest first, in the tracker's order (``weakest``)."""
    if not ratings:
        return ()
    from coachbot.tracker.readiness import weakest

    return tuple(s for s in weakest(ratings, skills) if s in ratings)


def _slot(kb: KnowledgeBase, local_time: str) -> str | None:
    """The slot of the typical day a prompt at ``local_time`` (HH:MM) arrives in."""
    hour, minute = (int(part) for part in local_time.split(":"))
    return slot_at(kb.day, time(hour, minute))


async def learner_profile(*, session: AsyncSession, person_id: int, kb: KnowledgeBase) -> Profile:
    """The learner's focus skill and their rated skills, lowest first (unrated skills are
    unknown, not weak, so they do not steer the choice)."""
    from coachbot.tracker.profile import learner_profile as tracked

    profile = await tracked(session=session, person_id=person_id, kb=kb)
    rated = tuple(s for s in profile.weakest if s in profile.ratings)
    return Profile(profile.focus_skill, rated)


def find_tip(kb: KnowledgeBase, tip_id: str) -> Tip | None:
    """The tip called ``tip_id``, if the content still has it."""
    return next((t for t in kb.tips if t.id == tip_id), None)


def prompt_reply(kb: KnowledgeBase, tip_id: str, lang: str, delivery_id: int) -> Reply:
    """The prompt for one delivery: lesson, today's action, a question, and the buttons."""
    language: Lang = parse_lang(lang) or "fr"
    tip = find_tip(kb, tip_id) or kb.tips[0]  # a tip removed from the content since
    title, blocks, footer = _prompt_body(tip, kb.skills.get(tip.skill), language)
    buttons = prompt_buttons(delivery_id, language)
    return Reply(title=title, blocks=(*blocks, buttons), tone=Tone.PROMPT, footer=footer)


@lru_cache(maxsize=1024)
def _prompt_body(
    tip: Tip, skill: Skill | None, language: Lang
) -> tuple[str, tuple[Text, ...], str]:
    """Title, text blocks and footer of ``tip``'s prompt: the same for each of its
    deliveries, so made once."""
    title = Localized("Conseil du jour", "Tip of the day").get(language)
    if skill is not None:
        title += f" · {skill.name.get(language)}"
    today = Localized("Aujourd'hui :", "Today:").get(language)
    blocks = (
        Text(escape(tip.lesson.get(language))),
        Text(f"**{today}** {escape(tip.action.get(language))}"),
        Text(f"_{escape(tip.question.get(language))}_"),
    )
    return title, blocks, CATEGORY_LABELS[tip.category].get(language)


def prompt_buttons(delivery_id: int, lang: Lang) -> Actions:
    """Done / Skip / Snooze 1h / Too easy / Too hard for one delivery."""
    return Actions(
        tuple(
            Button(
                f"prompt:{verb}:{delivery_id}",
                LABELS[verb].get(lang),
                ButtonStyle.PRIMARY if verb == "done" else ButtonStyle.SECONDARY,
            )
            for verb in VERBS
        )
    )
