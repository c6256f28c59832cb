"""The message a mentor gets with an alert: what happened, then a suggested agenda for the
next one-on-one drawn from the skills furthest from their target, in the order of the
"what to work on next" chart (``coachbot.tracker.gaps``)."""

from __future__ import annotations

from coachbot.i18n import Lang, Localized
from coachbot.knowledge.models import KnowledgeBase
from coachbot.markup import escape
from coachbot.mentors import shown_user, typed_user
from coachbot.registry import Registry
from coachbot.reply import Items, Reply, Text, Tone
from coachbot.tracker.gaps import next_skills
from coachbot.tracker.labels import typed
from coachbot.tracker.profile import LearnerProfile

AGENDA_SKILLS = 3


def alert_reply(
    kb: KnowledgeBase,
    registry: Registry,
    learner_user: str,
    happened: list[Localized],
    profile: LearnerProfile,
    lang: Lang,
) -> Reply:
    """The message to the mentor: what happened, then an agenda for the next one-on-one."""
    who, at = shown_user(learner_user), typed_user(learner_user)
    heading = Localized(
        "Ordre du jour proposé pour votre prochain entretien",
        "Suggested agenda for your next one-on-one",
    )
    off = typed(registry, "mentor alerts", user=at, on=Localized("non", "false"))
    stop = Localized(f"Plus d'alertes : {off.fr}", f"No more alerts: {off.en}")
    return Reply(
        Localized("Alerte mentorat", "Mentoring alert").get(lang),
        blocks=(
            Text(Localized(f"À propos de {who} :", f"About {who}:").get(lang)),
            Items(tuple(text.get(lang) for text in happened)),
            Items(agenda(kb, registry, profile, lang), heading=heading.get(lang)),
        ),
        tone=Tone.PROMPT,
        ephemeral=True,
        footer=stop.get(lang),
    )


def agenda(
    kb: KnowledgeBase, registry: Registry, profile: LearnerProfile, lang: Lang
) -> tuple[str, ...]:
    """The first ``AGENDA_SKILLS`` skills of ``next_skills`` (largest gap to target first,
    then unrated ones, as the gap chart draws them), each with a question from the tips;
    then one closing item."""
    picks = [n.skill_id for n in next_skills(profile.ratings, kb.skills)[:AGENDA_SKILLS]]
    items = [_agenda_item(kb, skill, profile.ratings.get(skill), lang) for skill in picks]
    if not profile.ratings:
        rate = typed(registry, "progress rate")
        items.append(
            Localized(
                f"Lui proposer de se noter (`{rate.fr}`) pour repérer ses points faibles.",
                f"Suggest they rate themselves (`{rate.en}`) to find their weak spots.",
            ).get(lang)
        )
    items.append(
        Localized(
            "Convenir d'une action pour la semaine, à revoir au prochain entretien.",
            "Agree on one action for the week, to review at the next one-on-one.",
        ).get(lang)
    )
    return tuple(items)


def _agenda_item(kb: KnowledgeBase, skill_id: str, level: int | None, lang: Lang) -> str:
    skill = kb.skills[skill_id]
    tip = next((t for t in kb.tips if t.skill == skill_id), None)
    question = (
        escape(tip.question.get(lang))
        if tip
        else Localized("lui demander un exemple récent", "ask for a recent example").get(lang)
    )
    rated = (
        f"{level}/5"
        if level is not None
        else Localized("pas encore notée", "not rated yet").get(lang)
    )
    line = Localized(
        "**{name}** — {rated} (cible {target}) : {question}",
        "**{name}** — {rated} (target {target}): {question}",
    )
    name = escape(skill.name.get(lang))
    values = {"name": name, "rated": rated, "target": skill.target, "question": question}
    return line.format(**values).get(lang)
