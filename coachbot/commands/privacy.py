"""``/coach export`` and ``/coach forget``: a user's own data, to take away or to erase (GDPR).

Both answer only the user (ephemeral). Forget asks first: its Confirm button carries
a short-lived token bound to the person who asked (``coachbot.privacy.forget_token``).
The database work is imported on first use, so ``coachbot ask`` stays light.
"""

from __future__ import annotations

import json
import logging

from coachbot.errors import BadInput
from coachbot.i18n import Localized
from coachbot.identity import safe_name
from coachbot.registry import action, command
from coachbot.reply import Actions, Attachment, Button, ButtonStyle, Reply, Text, Tone, error
from coachbot.services import Context

log = logging.getLogger(__name__)
FORGET_ACTION = "forget"
TOKEN_MINUTES = 10


@command(
    "coach",
    "export",
    name_fr="exporter",
    description=Localized(
        "Recevoir toutes vos données (fichier JSON)", "Get all your data (JSON file)"
    ),
    personal=True,
    slow=True,
)
async def export(ctx: Context) -> Reply:
    """Everything stored about the user, as a JSON attachment only they see, named after
    them (``coachbot-export-<user>-<date>.json``) so two users' files never collide."""
    from coachbot.privacy import export_person

    now = ctx.services.clock.now()
    async with ctx.services.database().session() as session:
        data = await export_person(session=session, ref=ctx.person, now=now)
    blob = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    counts = ", ".join(f"{name}: {len(rows)}" for name, rows in data["tables"].items() if rows)
    text = Localized(
        "Voici tout ce que coachbot garde sur vous : votre profil (langue, fuseau), vos notes, "
        "preuves, objectifs (y compris ceux que vous avez fixés comme mentor), jours d'activité, "
        "jalons, liens et notes de mentorat des deux côtés, abonnement et envois de conseils. "
        "Pour tout effacer : `/coach oublier`.",
        "Here is everything coachbot keeps about you: your profile (language, timezone), your "
        "ratings, evidence, goals (including those you set as a mentor), activity days, "
        "milestones, mentoring links and notes on both sides, subscription and tip deliveries. "
        "To erase it all: `/coach forget`.",
    )
    blocks: tuple[Text | Attachment, ...] = (Text(ctx.t(text)),)
    if counts:
        blocks += (Text(f"`{counts}`"),)
    filename = f"coachbot-export-{safe_name(ctx.person.user)}-{now.date().isoformat()}.json"
    blocks += (Attachment(filename, blob, "application/json"),)
    return Reply(ctx.t(Localized("Vos données", "Your data")), blocks=blocks, ephemeral=True)


@command(
    "coach",
    "forget",
    name_fr="oublier",
    description=Localized(
        "Effacer toutes vos données (après confirmation)", "Erase all your data (after confirming)"
    ),
    personal=True,
)
async def forget(ctx: Context) -> Reply:
    """Ask for an explicit confirmation before erasing anything."""
    from coachbot.privacy import forget_token

    token = forget_token(ctx.person, ctx.services.clock.now())
    text = Localized(
        "Tout ce que coachbot garde sur vous sera effacé, sans retour possible : vos notes, "
        "preuves, objectifs, séries, jalons, votre abonnement aux conseils, vos liens de mentorat "
        "(comme apprenant et comme mentor) et les notes écrites ou reçues. Les objectifs que vous "
        "avez fixés à un apprenant lui restent, sans votre nom. Pensez à `/coach exporter` avant. "
        f"Ce bouton est valable {TOKEN_MINUTES} minutes.",
        "Everything coachbot keeps about you will be erased, for good: your ratings, evidence, "
        "goals, streaks, milestones, your tip subscription, your mentoring links (as learner and "
        "as mentor) and the notes written or received. Goals you set for a learner stay theirs, "
        f"without your name. Consider `/coach export` first. This button is valid for "
        f"{TOKEN_MINUTES} minutes.",
    )
    buttons = (
        Button(
            f"{FORGET_ACTION}:confirm:{token}",
            ctx.t(Localized("Tout effacer", "Erase everything")),
            ButtonStyle.DANGER,
        ),
        Button(f"{FORGET_ACTION}:cancel", ctx.t(Localized("Annuler", "Cancel"))),
    )
    return Reply(
        ctx.t(Localized("Effacer toutes vos données ?", "Erase all your data?")),
        blocks=(Text(ctx.t(text)), Actions(buttons)),
        tone=Tone.PROMPT,
        ephemeral=True,
    )


@action(FORGET_ACTION)
async def forget_button(ctx: Context, payload: str) -> Reply:
    """``confirm:<token>`` erases the presser's data if the token is theirs and fresh."""
    from coachbot.privacy import ErasureIncomplete, erase_person, forget_token_valid

    verb, _, token = payload.partition(":")
    if verb == "cancel":
        return Reply(ctx.t(Localized("Rien n'a été effacé", "Nothing was erased")), ephemeral=True)
    if verb != "confirm" or not forget_token_valid(ctx.person, token, ctx.services.clock.now()):
        raise BadInput(
            Localized(
                "Cette confirmation a expiré ou ne vous concerne pas : rien n'a été effacé. "
                "Tapez `/coach oublier` pour recommencer.",
                "This confirmation has expired or is not yours: nothing was erased. "
                "Type `/coach forget` to start again.",
            )
        )
    try:
        async with ctx.services.database().session() as session:
            await erase_person(session=session, ref=ctx.person)
    except ErasureIncomplete:
        log.exception("erasure refused: rows would remain")
        return error(
            ctx.t(Localized("Rien n'a été effacé", "Nothing was erased")),
            ctx.t(
                Localized(
                    "L'effacement n'a pas pu être complet, il a donc été annulé. "
                    "Réessayez dans un instant.",
                    "The erasure could not be complete, so it was undone. "
                    "Please try again in a moment.",
                )
            ),
        )
    ctx.services.languages.forget(ctx.person)
    ctx.services.conversations.forget(ctx.person)
    done = Localized(
        "coachbot ne garde plus rien sur vous. Si vous utilisez à nouveau le bot, il repartira "
        "de zéro.",
        "coachbot keeps nothing about you any more. If you use the bot again, it starts from "
        "scratch.",
    )
    return Reply(
        ctx.t(Localized("Données effacées", "Data erased")),
        blocks=(Text(ctx.t(done)),),
        tone=Tone.SUCCESS,
        ephemeral=True,
    )
