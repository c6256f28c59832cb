"""What ``/coach subscribe|settings|pause|resume|unsubscribe|tip`` do (declared, and
imported lazily, by ``coachbot.commands.subscribe``).

Every option is checked before anything is written, so bad input changes nothing.
Options left out keep their current value (or the default for a first subscription:
08:30, the workspace's timezone, Monday to Friday, direct messages, your language).
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.db.models import Delivery, Person, Subscription
from coachbot.db.people import ensure_person
from coachbot.db.workspaces import find_workspace
from coachbot.errors import BadInput, blame
from coachbot.i18n import Localized
from coachbot.prompts import deliveries, parsing, subscriptions
from coachbot.prompts.compose import choose_tip_for, prompt_reply
from coachbot.prompts.subscriptions import (
    CHANNEL,
    DEFAULT_DAYS,
    DEFAULT_TIME,
    DM,
    Preferences,
    find_subscription,
    local_today,
    preferences_of,
    save_subscription,
)
from coachbot.prompts.views import next_text, settings_fields
from coachbot.reply import Reply, Text, Tone
from coachbot.scheduling.states import State
from coachbot.services import Context

DEFAULT_RECAP = 4  # Friday


async def subscribe(ctx: Context, raw: dict[str, str | None]) -> Reply:
    """Subscribe (or re-subscribe) with the given options, defaults for the rest."""
    changes = _parse(ctx, raw)
    now = ctx.services.clock.now()
    async with ctx.services.database().session() as session:
        person = await ensure_person(session=session, ref=ctx.person, now=now)
        sub = await _save(ctx, session, person, changes)
    title = Localized("Abonnement enregistré", "Subscribed")
    intro = Localized(
        f"Votre prochain conseil arrive **{next_text(sub, ctx.lang)}** ({sub.timezone}). "
        "Tout changer : `/coach settings`.",
        f"Your next tip arrives **{next_text(sub, ctx.lang)}** ({sub.timezone}). "
        "Change anything: `/coach settings`.",
    )
    return _reply(ctx, title, intro, sub)


async def settings(ctx: Context, raw: dict[str, str | None]) -> Reply:
    """Show the settings; with options, change them."""
    changes = _parse(ctx, raw)
    now = ctx.services.clock.now()
    async with ctx.services.database().session() as session:
        person = await ensure_person(session=session, ref=ctx.person, now=now)
        current = await find_subscription(session=session, person_id=_id(person))
        if current is None or not current.active:
            if changes:
                raise BadInput(NOT_SUBSCRIBED)
            return _not_subscribed(ctx)
        sub = await _save(ctx, session, person, changes) if changes else current
    title = Localized("Vos réglages", "Your settings")
    intro = Localized(
        "Changez-en un ou plusieurs avec les mêmes options : "
        "`/coach settings time:07:45 days:dim-jeu`.",
        "Change one or more with the same options: `/coach settings time:07:45 days:sun-thu`.",
    )
    if changes:
        title = Localized("Réglages changés", "Settings changed")
    return _reply(ctx, title, intro, sub)


NOT_SUBSCRIBED = Localized(
    "Vous n'êtes pas abonné au conseil quotidien : `/coach subscribe` (mêmes options).",
    "You are not subscribed to the daily tip: `/coach subscribe` (same options).",
)


def _not_subscribed(ctx: Context) -> Reply:
    return Reply(
        title=ctx.t(Localized("Pas d'abonnement", "No subscription")),
        blocks=(Text(ctx.t(NOT_SUBSCRIBED)),),
        ephemeral=True,
    )


def _reply(ctx: Context, title: Localized, intro: Localized, sub: Subscription) -> Reply:
    return Reply(
        title=ctx.t(title),
        blocks=(Text(ctx.t(intro)), settings_fields(sub, ctx.lang)),
        tone=Tone.SUCCESS,
        ephemeral=True,
    )


def _id(person: Person) -> int:
    assert person.id is not None
    return person.id


def _sub_id(sub: Subscription) -> int:
    assert sub.id is not None
    return sub.id


def _parse(ctx: Context, raw: dict[str, str | None]) -> dict[str, object]:
    """The subscription columns the given options set (nothing written yet)."""
    changes: dict[str, object] = {}
    if raw.get("time"):
        with blame("time"):
            changes["local_time"] = parsing.format_time(parsing.parse_time(str(raw["time"])))
    if raw.get("timezone"):
        changes["timezone"] = raw["timezone"]
    if raw.get("days"):
        with blame("days"):
            changes["days"] = parsing.parse_days(str(raw["days"]))
    if raw.get("language"):
        changes["language"] = raw["language"]
    if raw.get("skip_holidays"):
        value = str(raw["skip_holidays"])
        with blame("skip_holidays"):
            off = parsing.is_off(value)
            changes["skip_holidays"] = None if off else parsing.parse_country(value)
    if raw.get("recap"):
        with blame("recap"):
            changes["recap_weekday"] = parsing.parse_weekday(str(raw["recap"]))
    if raw.get("where") == "here":
        changes.update(where=CHANNEL, channel_id=_here(ctx))
    elif raw.get("where") == "dm":
        changes.update(where=DM, channel_id=None)
    elif raw.get("where") == "channel":
        changes.update(where=CHANNEL, channel_id=None)  # the tips channel, read in _save
    return changes


def _here(ctx: Context) -> str:
    if not ctx.channel:
        raise BadInput(
            Localized(
                "Je ne sais pas dans quel salon vous écrivez : lancez la commande dans le "
                "salon voulu, ou choisissez where:dm.",
                "I cannot tell which channel you are in: run the command in that channel, "
                "or choose where:dm.",
            ),
            "where",
        )
    return ctx.channel


async def _save(
    ctx: Context, session: AsyncSession, person: Person, changes: dict[str, object]
) -> Subscription:
    """Apply ``changes`` over the current preferences (or the defaults) and save."""
    current = await find_subscription(session=session, person_id=_id(person))
    base = preferences_of(current) if current else await _defaults(ctx, session, person)
    if changes.get("where") == CHANNEL and changes.get("channel_id") is None:
        with blame("where"):
            changes = {**changes, "channel_id": await _tips_channel(ctx, session)}
    prefs = dataclasses.replace(base, **changes)  # type: ignore[arg-type]
    if prefs.where == CHANNEL and prefs.channel_id and "channel_id" in changes:
        await _check_channel(ctx, prefs.channel_id)
    person.timezone = prefs.timezone  # the learner told us their zone: streaks use it too
    session.add(person)
    now = ctx.services.clock.now()
    sub = await save_subscription(session=session, person_id=_id(person), prefs=prefs, now=now)
    await _settle(session, sub, now)
    return sub


async def _settle(session: AsyncSession, sub: Subscription, now: datetime) -> None:
    """After a change of settings, pause or resume: today's prompt, if it was cancelled
    and is wanted again, is sent late (once); ``next_due_at`` skips today when today's
    prompt is sent or in the engine's hands, so the reply never promises a second one."""
    await deliveries.revive_today(session=session, sub=sub, now=now)
    today = await deliveries.todays_delivery(session=session, sub=sub, now=now)
    handled = today is not None and today.status != State.CANCELLED
    subscriptions.reschedule(sub, now, today.local_date if today and handled else None)
    session.add(sub)


async def _defaults(ctx: Context, session: AsyncSession, person: Person) -> Preferences:
    """First subscription: 08:30 in the zone the person gave before, else the one their
    platform knows (Slack's profile), else the workspace's; Mon-Fri, DM, their language."""
    workspace = await find_workspace(session=session, ref=ctx.person)
    zone = (
        person.timezone or known_zone(ctx.timezone) or (workspace.timezone if workspace else None)
    )
    return Preferences(
        local_time=DEFAULT_TIME,
        timezone=zone or ctx.services.settings.bot.default_timezone,
        days=DEFAULT_DAYS,
        where=DM,
        channel_id=None,
        language=ctx.lang,
        skip_holidays=None,
        recap_weekday=DEFAULT_RECAP,
    )


async def _check_channel(ctx: Context, channel: str) -> None:
    """BadInput (about ``where``) when the platform says the bot cannot post in ``channel``:
    the first tip would fail there and nobody would be told."""
    if ctx.channel_check is None:
        return
    refusal = await ctx.channel_check(channel)
    if refusal is not None:
        raise BadInput(refusal, "where")


def known_zone(name: str | None) -> str | None:
    """``name`` when it is an IANA zone this machine knows, else None (a platform's
    profile may carry an old or empty one)."""
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _option_shown(ctx: Context, option: str) -> str:
    """The name of ``/coach server``'s ``option`` in the caller's language."""
    spec = ctx.services.registry.get(("coach", "server"))
    opt = spec.option(option) if spec is not None else None
    return opt.name_in(ctx.lang) if opt is not None else option


async def _tips_channel(ctx: Context, session: AsyncSession) -> str:
    workspace = await find_workspace(session=session, ref=ctx.person)
    if workspace is None or not workspace.tip_channel:
        admin = f"{ctx.command_shown('coach', 'server')} {_option_shown(ctx, 'channel')}:..."
        raise BadInput(
            Localized(
                f"Aucun salon des conseils n'est défini ici (un admin le choisit avec "
                f"`{admin}`). Choisissez where:here ou where:dm.",
                f"No tips channel is set here (an admin sets it with "
                f"`{admin}`). Choose where:here or where:dm.",
            )
        )
    return workspace.tip_channel


async def pause(ctx: Context, until: str) -> Reply:
    """No tip up to and including ``until`` (a future date in the learner's zone)."""
    now = ctx.services.clock.now()
    async with ctx.services.database().session() as session:
        sub = await _active(ctx, session)
        with blame("until"):
            last = parsing.parse_future_date(until, local_today(sub, now))
        subscriptions.pause(sub, last, now)
        await deliveries.cancel_held(session=session, subscription_id=_sub_id(sub), through=last)
        await _settle(session, sub, now)
    text = Localized(
        f"Pas de conseil jusqu'au {last.isoformat()} inclus. Le suivant : **{next_text(sub, 'fr')}**. "
        "Reprendre plus tôt : `/coach resume`.",
        f"No tip until {last.isoformat()} included. The next one: **{next_text(sub, 'en')}**. "
        "Resume earlier: `/coach resume`.",
    )
    return _short(ctx, Localized("En pause", "Paused"), text)


async def resume(ctx: Context) -> Reply:
    """End a pause, or try a failing subscription again; the next tip comes on the next
    scheduled day."""
    now = ctx.services.clock.now()
    async with ctx.services.database().session() as session:
        sub = await _active(ctx, session)
        was_paused, was_failing = sub.paused_until is not None, sub.failing
        subscriptions.resume(sub, now)
        await _settle(session, sub, now)
    fr, en = next_text(sub, "fr"), next_text(sub, "en")
    if was_failing:
        text = _retrying(sub, fr, en)
    elif was_paused:
        text = Localized(
            f"C'est reparti. Prochain conseil : **{fr}**.", f"Back on. Next tip: **{en}**."
        )
    else:
        text = Localized(
            f"Aucune pause en cours. Prochain conseil : **{fr}**.",
            f"No pause was running. Next tip: **{en}**.",
        )
    return _short(ctx, Localized("Conseil quotidien", "Daily tip"), text)


def _retrying(sub: Subscription, fr: str, en: str) -> Localized:
    """Resuming a failing subscription: we try again, and say what made it fail."""
    if sub.where == DM:
        return Localized(
            f"C'est reparti : j'essaierai à nouveau vos messages privés, prochain conseil "
            f"**{fr}**. Ils n'arrivaient pas : vérifiez que vos messages privés sont ouverts, "
            "ou recevez-les ici : `/coach settings where:here`.",
            f"Back on: I will try your direct messages again, next tip **{en}**. They were "
            "not getting through: check that your direct messages are open, or get them "
            "here: `/coach settings where:here`.",
        )
    return Localized(
        f"C'est reparti : j'essaierai à nouveau ce salon, prochain conseil **{fr}**. Il "
        "ne recevait plus rien : vérifiez que j'y ai accès, ou passez en messages privés : "
        "`/coach settings where:dm`.",
        f"Back on: I will try that channel again, next tip **{en}**. Nothing was getting "
        "through: check that I can post there, or switch to direct messages: "
        "`/coach settings where:dm`.",
    )


async def unsubscribe(ctx: Context) -> Reply:
    """Stop the prompts; the tip history stays, so a new subscription never repeats tips."""
    now = ctx.services.clock.now()
    async with ctx.services.database().session() as session:
        person = await ensure_person(session=session, ref=ctx.person, now=now)
        sub = await find_subscription(session=session, person_id=_id(person))
        was_active = sub is not None and sub.active
        if sub is not None:
            subscriptions.unsubscribe(sub)
            session.add(sub)
            await deliveries.cancel_snoozes(session=session, subscription_id=_sub_id(sub))
            await deliveries.cancel_held(session=session, subscription_id=_sub_id(sub))
    text = (
        Localized(
            "C'est fait : plus de conseil quotidien. Revenir : `/coach subscribe`.",
            "Done: no more daily tips. Come back any time: `/coach subscribe`.",
        )
        if was_active
        else NOT_SUBSCRIBED
    )
    return _short(ctx, Localized("Désabonnement", "Unsubscribed"), text)


async def tip(ctx: Context) -> Reply:
    """Today's tip as the reply; it counts as today's prompt (seen, buttons live)."""
    now = ctx.services.clock.now()
    async with ctx.services.database().session() as session:
        person = await ensure_person(session=session, ref=ctx.person, now=now)
        defaults = await _defaults(ctx, session, person)
        sub = await subscriptions.holder_subscription(
            session=session, person_id=_id(person), prefs=defaults, now=now
        )
        delivery = await _todays(ctx, session, sub, now)
        active = sub.active
        language = sub.language if active else ctx.lang  # as the scheduled prompt reads
    assert delivery.id is not None
    reply = replace(
        prompt_reply(ctx.services.kb, delivery.tip_id, language, delivery.id), ephemeral=True
    )
    hint = Localized(
        "Un conseil chaque jour à votre heure : `/coach subscribe`.",
        "One tip every day at your own time: `/coach subscribe`.",
    )
    return reply if active else reply.with_notices(ctx.t(hint))


async def _todays(
    ctx: Context, session: AsyncSession, sub: Subscription, now: datetime
) -> Delivery:
    """Today's delivery of ``sub``, now seen by the learner, with its tip: recorded now if
    there was none, else taken over from the engine through the row (``take_over``), so
    the day has one tip, whoever gets there first."""
    delivery = await deliveries.todays_delivery(session=session, sub=sub, now=now)
    if delivery is not None and delivery.status in (State.SENT, State.SENDING):
        return delivery  # the day's tip, sent or being sent by the engine
    chosen = await choose_tip_for(session=session, services=ctx.services, subscription=sub)
    if delivery is None:
        delivery = await deliveries.record_shown(session=session, sub=sub, tip_id=chosen, now=now)
    return await deliveries.take_over(session=session, delivery=delivery, tip_id=chosen, now=now)


async def _active(ctx: Context, session: AsyncSession) -> Subscription:
    """The caller's active subscription; BadInput when they have none."""
    now = ctx.services.clock.now()
    person = await ensure_person(session=session, ref=ctx.person, now=now)
    sub = await find_subscription(session=session, person_id=_id(person))
    if sub is None or not sub.active:
        raise BadInput(NOT_SUBSCRIBED)
    return sub


def _short(ctx: Context, title: Localized, text: Localized) -> Reply:
    return Reply(title=ctx.t(title), blocks=(Text(ctx.t(text)),), tone=Tone.SUCCESS, ephemeral=True)
