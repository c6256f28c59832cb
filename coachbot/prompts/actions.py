"""The buttons of a daily prompt: Done, Skip, Snooze 1h, Too easy, Too hard.

Collected as a command module, so it imports the database lazily. Only the person the prompt was delivered to may press them; anyone else gets a
neutral refusal. Pressing the same button twice changes nothing the second time.
Done also records a ``prompt_done`` activity for the learner's local day, which feeds
the streak and milestones of the tracker.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from coachbot.i18n import Localized
from coachbot.prompts.compose import VERBS
from coachbot.registry import action
from coachbot.reply import Reply, Text, Tone
from coachbot.services import Context

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from coachbot.db.models import Delivery, Person

SNOOZE = timedelta(hours=1)
CONFIRM = {
    "done": Localized(
        "Bravo ! C'est noté, et cela compte pour votre série de jours.",
        "Well done! Noted, and it counts for your streak.",
    ),
    "skip": Localized(
        "C'est noté : cette compétence reviendra moins souvent pendant quelque temps.",
        "Noted: this skill will come up less for a while.",
    ),
    "too_easy": Localized(
        "Merci : les prochains conseils viseront d'autres compétences, plus exigeantes.",
        "Thanks: the next tips will aim at other, more demanding skills.",
    ),
    "too_hard": Localized(
        "Merci : on laisse reposer cette compétence, puis on y revient par un autre angle.",
        "Thanks: this skill gets a rest, then comes back from another angle.",
    ),
}
ALREADY = Localized("C'est déjà noté.", "Already noted.")
HELD = Localized(
    "Vos conseils sont en pause ou ne sont plus remis : je ne peux pas vous le renvoyer. "
    "Les reprendre : `/coach resume`.",
    "Your tips are paused or not getting through: I cannot send it again. "
    "Resume them: `/coach resume`.",
)


@action("prompt")
async def prompt_action(ctx: Context, payload: str) -> Reply:
    """Handle ``prompt:<verb>:<delivery_id>`` for the prompt's own learner only."""
    verb, _, raw_id = payload.partition(":")
    if verb not in VERBS or not raw_id.isdigit():
        return _refusal(ctx)
    services = ctx.services
    now = services.clock.now()
    async with services.database().session() as session:
        found = await _own_delivery(session, ctx, int(raw_id))
        if found is None:
            return _refusal(ctx)
        delivery, person = found
        if verb == "snooze":
            if await _held(session, delivery, now):
                return Reply(blocks=(Text(ctx.t(HELD)),), ephemeral=True)
            return ctx_reply(ctx, _snooze(delivery, now))
        changed = delivery.feedback != verb
        delivery.feedback = verb
        session.add(delivery)
        done = verb == "done" and changed
        notices = await _done(session, ctx, person, now) if done else []
    text = CONFIRM[verb] if changed else ALREADY
    return ctx_reply(ctx, text).with_notices(*notices)


async def _own_delivery(
    session: AsyncSession, ctx: Context, delivery_id: int
) -> tuple[Delivery, Person] | None:
    """The delivery and its learner, if the learner is the person pressing."""
    from coachbot.db.models import Delivery
    from coachbot.db.people import find_person

    person = await find_person(session=session, ref=ctx.person)
    delivery = await session.get(Delivery, delivery_id)
    if person is None or delivery is None or delivery.person_id != person.id:
        return None
    return delivery, person


async def _held(session: AsyncSession, delivery: Delivery, now: datetime) -> bool:
    """Whether the prompt's subscription is paused or failing (a snooze would be dropped)."""
    from coachbot.db.models import Subscription
    from coachbot.prompts.subscriptions import held

    sub = await session.get(Subscription, delivery.subscription_id)
    return sub is not None and held(sub, now)


def _snooze(delivery: Delivery, now: datetime) -> Localized:
    if delivery.feedback in ("done", "skip"):
        return ALREADY
    if delivery.snoozed_until is not None and delivery.snoozed_until > now:
        at = f"{delivery.snoozed_until:%H:%M} UTC"
        return Localized(f"Déjà reporté : il reviendra vers {at}.", f"Already snoozed until {at}.")
    delivery.snoozed_until = now + SNOOZE
    return Localized("Je vous le renvoie dans une heure.", "I will send it again in an hour.")


async def _done(session: AsyncSession, ctx: Context, person: Person, now: datetime) -> list[str]:
    """Record today's ``prompt_done`` activity (the learner's local day, as the streak
    reads it); the milestones it reaches, as notices."""
    from coachbot.tracker.activity import local_date, person_zone, record_activity
    from coachbot.tracker.milestones import check_milestones

    assert person.id is not None
    default = ctx.services.settings.bot.default_timezone
    today = local_date(now, await person_zone(session=session, person=person, default=default))
    await record_activity(
        session=session, person_id=person.id, kind="prompt_done", local_date=today, now=now
    )
    reached = await check_milestones(
        session=session,
        person_id=person.id,
        kb=ctx.services.kb,
        registry=ctx.services.registry,
        today=today,
        now=now,
    )
    return [ctx.t(r.message) for r in reached]


def ctx_reply(ctx: Context, text: Localized) -> Reply:
    """A short private confirmation."""
    return Reply(blocks=(Text(ctx.t(text)),), tone=Tone.SUCCESS, ephemeral=True)


def _refusal(ctx: Context) -> Reply:
    text = Localized(
        "Ces boutons sont réservés à la personne qui a reçu ce conseil. "
        "Pour recevoir les vôtres : `/coach subscribe`.",
        "These buttons belong to the person who received this tip. "
        "To get your own: `/coach subscribe`.",
    )
    return Reply(blocks=(Text(ctx.t(text)),), ephemeral=True)
