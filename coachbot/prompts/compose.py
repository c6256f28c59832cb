"""The daily prompt itself: choosing a learner's tip and turning it into a reply with buttons.

Used by the engine's pipeline for each delivery and by ``/coach tip``. Button ids are
``prompt:<verb>:<delivery_id>``, handled by ``coachbot.prompts.actions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import TYPE_CHECKING

from coachbot.i18n import Lang, Localized, parse_lang
from coachbot.knowledge.models import KnowledgeBase, Tip
from coachbot.markup import escape
from coachbot.prompts.selection import LearnerState, choose_tip, slot_at
from coachbot.reply import Actions, Button, ButtonStyle, Reply, Text, Tone
from coachbot.vocabularies import CATEGORY_LABELS

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from coachbot.db.models import Subscription
    from coachbot.services import Services

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


async def choose_tip_for(
    *, session: AsyncSession, services: Services, subscription: Subscription
) -> str:
    """The id of the tip ``subscription``'s learner should get next (deterministic)."""
    from coachbot.prompts.deliveries import tip_history

    assert subscription.person_id is not None
    person_id = subscription.person_id
    profile = await learner_profile(session=session, person_id=person_id, kb=services.kb)
    hour, minute = (int(part) for part in subscription.local_time.split(":"))
    state = LearnerState(
        history=await tip_history(session=session, person_id=person_id),
        focus_skill=profile.focus_skill,
        weakest=profile.weakest,
        slot=slot_at(services.kb.day, time(hour, minute)),
        seed=person_id,
    )
    return choose_tip(services.kb.tips, services.kb.skills, state).id


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
    skill = kb.skills.get(tip.skill)
    title = Localized("Conseil du jour", "Tip of the day").get(language)
    if skill is not None:
        title += f" · {skill.name.get(language)}"
    today = Localized("Aujourd'hui :", "Today:").get(language)
    blocks = (
        Text(escape(tip.lesson.get(language))),
        Text(f"**{today}** {escape(tip.action.get(language))}"),
        Text(f"_{escape(tip.question.get(language))}_"),
        prompt_buttons(delivery_id, language),
    )
    footer = CATEGORY_LABELS[tip.category].get(language)
    return Reply(title=title, blocks=blocks, tone=Tone.PROMPT, footer=footer)


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
