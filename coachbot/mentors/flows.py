"""What the ``/mentor`` commands do (they are declared in ``coachbot.commands.mentor``).

A learner asks someone to follow them; with the learner's consent the mentor views
their progress, leaves notes, sets goals and may get alerts. Without the link a
command needs, every command about someone gets the same ``refusal``: it says
nothing about that person, not even whether they use the bot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.db.models import MentorLink, Person
from coachbot.db.people import ensure_person, find_person
from coachbot.errors import BadInput
from coachbot.i18n import Lang, Localized
from coachbot.markup import escape
from coachbot.mentors import links, shown_user, typed_user
from coachbot.mentors.links import LinkView
from coachbot.mentors.notes import add_note, storable
from coachbot.privacy import drop_if_unused
from coachbot.registry import Registry
from coachbot.reply import Actions, Button, ButtonStyle, Field, Fields, Reply, Text, Tone, error
from coachbot.services import Context
from coachbot.tracker.labels import typed
from coachbot.tracker.repository import set_goal
from coachbot.userref import parse_user_ref

REFUSAL_TITLE = Localized("Impossible", "Not possible")
STATUS = {
    links.PENDING: Localized("en attente", "pending"),
    links.ACTIVE: Localized("actif", "active"),
    links.DECLINED: Localized("refusé", "declined"),
    links.ENDED: Localized("terminé", "ended"),
}
MAX_REQUEST_BUTTONS = 2
YES = Localized("oui", "true")


def refusal(ctx: Context) -> Reply:
    """The one answer for anything about someone without the link it needs."""
    learner = Localized("@apprenant", "@learner")
    ask, listed = (
        typed(ctx.services.registry, "mentor request", user="@mentor"),
        typed(ctx.services.registry, "mentor list"),
    )
    accept, decline = (
        typed(ctx.services.registry, "mentor accept", user=learner),
        typed(ctx.services.registry, "mentor decline", user=learner),
    )
    text = Localized(
        f"Aucun lien de mentorat entre vous ne le permet. L'apprenant demande avec `{ask.fr}` ; "
        f"le mentor répond avec `{accept.fr}` ou `{decline.fr}` ; `{listed.fr}` montre vos liens.",
        f"No mentoring link between you allows this. The learner asks with `{ask.en}`; the "
        f"mentor answers with `{accept.en}` or `{decline.en}`; `{listed.en}` shows your links.",
    )
    return error(ctx.t(REFUSAL_TITLE), ctx.t(text))


def _done(ctx: Context, title: Localized, text: Localized) -> Reply:
    return Reply(ctx.t(title), blocks=(Text(ctx.t(text)),), tone=Tone.SUCCESS, ephemeral=True)


@asynccontextmanager
async def _session(ctx: Context) -> AsyncIterator[AsyncSession]:
    async with ctx.services.database().session() as session:
        yield session


def _not_self(ctx: Context, user: str) -> None:
    if user == ctx.person.user:
        raise BadInput(
            Localized(
                "Cette commande concerne une autre personne que vous.",
                "This command is about someone other than you.",
            )
        )


async def _pair(session: AsyncSession, ctx: Context, user: str) -> tuple[Person, Person] | None:
    """The caller's and the other person's rows when both exist; never creates either."""
    _not_self(ctx, user)
    me = await find_person(session=session, ref=ctx.person)
    other = await find_person(session=session, ref=ctx.person.peer(user))
    return (me, other) if me is not None and other is not None else None


async def _mentee(
    session: AsyncSession, ctx: Context, user: str
) -> tuple[MentorLink, Person] | None:
    """The active link where the caller mentors ``user``, with the learner's row."""
    pair = await _pair(session, ctx, user)
    if pair is None:
        return None
    me, learner = pair
    assert me.id is not None and learner.id is not None
    link = await links.active_link(session=session, mentor_id=me.id, learner_id=learner.id)
    return (link, learner) if link is not None else None


async def request(ctx: Context, user: str) -> Reply:
    """Record the learner's request; the answer is the same whoever ``user`` is."""
    _not_self(ctx, user)
    now = ctx.services.clock.now()
    async with _session(ctx) as session:
        me = await ensure_person(session=session, ref=ctx.person, now=now)
        mentor = await ensure_person(session=session, ref=ctx.person.peer(user), now=now)
        assert me.id is not None and mentor.id is not None
        link = await links.request_link(
            session=session, learner_id=me.id, mentor_id=mentor.id, now=now
        )
    who, end_it = (
        shown_user(user),
        typed(ctx.services.registry, "mentor end", user=typed_user(user)),
    )
    listed = typed(ctx.services.registry, "mentor list")
    if link.status == links.ACTIVE:
        return _done(
            ctx,
            Localized("Déjà votre mentor", "Already your mentor"),
            Localized(f"{who} vous suit déjà.", f"{who} already mentors you."),
        )
    return _done(
        ctx,
        Localized("Demande envoyée", "Request sent"),
        Localized(
            f"Si {who} accepte (votre demande apparaît dans son `{listed.fr}`), {who} pourra "
            f"voir votre progression, vous laisser des notes et vous proposer des objectifs. "
            f"Vous pouvez retirer la demande ou finir le lien à tout moment : `{end_it.fr}`.",
            f"If {who} accepts (your request shows in their `{listed.en}`), {who} will be able "
            f"to see your progress, leave you notes and suggest goals. You can withdraw the "
            f"request or end the link at any time: `{end_it.en}`.",
        ),
    )


async def answer(ctx: Context, user: str, *, accept: bool) -> Reply:
    """Accept or decline ``user``'s pending request to the caller."""
    now = ctx.services.clock.now()
    async with _session(ctx) as session:
        pair = await _pair(session, ctx, user)
        answered = False
        if pair is not None:
            me, learner = pair
            assert me.id is not None and learner.id is not None
            answered = await links.answer_request(
                session=session, mentor_id=me.id, learner_id=learner.id, accept=accept, now=now
            )
    if not answered:
        return refusal(ctx)
    who, at = shown_user(user), typed_user(user)
    if accept:
        view_it, note_it = (
            typed(ctx.services.registry, "mentor view", user=at),
            typed(ctx.services.registry, "mentor note", user=at, text="..."),
        )
        alert_me = typed(ctx.services.registry, "mentor alerts", user=at, on=YES)
        return _done(
            ctx,
            Localized("Vous êtes mentor", "You are a mentor"),
            Localized(
                f"Vous suivez maintenant {who}. Sa progression : `{view_it.fr}` ; une note : "
                f"`{note_it.fr}` ; des alertes : `{alert_me.fr}`.",
                f"You now mentor {who}. Their progress: `{view_it.en}`; a note: "
                f"`{note_it.en}`; alerts: `{alert_me.en}`.",
            ),
        )
    return _done(
        ctx,
        Localized("Demande refusée", "Request declined"),
        Localized(
            f"Vous ne suivrez pas {who}. Rien de sa progression ne vous est partagé.",
            f"You will not mentor {who}. Nothing of their progress is shared with you.",
        ),
    )


async def answer_button(ctx: Context, payload: str) -> Reply:
    """The Accept / Decline buttons of ``/mentor list``: ``accept:<user>``, ``decline:<user>``."""
    verb, _, user = payload.partition(":")
    if verb not in ("accept", "decline"):
        raise BadInput(
            Localized("Ce bouton n'est plus valable.", "This button is no longer valid.")
        )
    return await answer(ctx, parse_user_ref(user), accept=verb == "accept")


async def end(ctx: Context, user: str) -> Reply:
    """End every pending or active link between the caller and ``user``, whichever side; the
    other person's row goes too when nothing names them any more (a withdrawn request to
    someone who never used the bot)."""
    now = ctx.services.clock.now()
    ended = 0
    async with _session(ctx) as session:
        pair = await _pair(session, ctx, user)
        if pair is not None:
            me, other = pair
            assert me.id is not None and other.id is not None
            ended = await links.end_links(
                session=session, person_id=me.id, other_id=other.id, now=now
            )
            if ended:
                await drop_if_unused(session=session, person_id=other.id)
    if not ended:
        return refusal(ctx)
    who = shown_user(user)
    return _done(
        ctx,
        Localized("Lien terminé", "Link ended"),
        Localized(
            f"Le lien de mentorat avec {who} est terminé : plus rien n'est partagé entre vous.",
            f"The mentoring link with {who} has ended: nothing is shared between you any more.",
        ),
    )


async def view(ctx: Context, user: str) -> Reply:
    """The learner's ``/progress show``, to their active mentor only."""
    async with _session(ctx) as session:
        found = await _mentee(session, ctx, user)
    if found is None:
        return refusal(ctx)
    from coachbot.tracker.show import progress_overview

    overview = await progress_overview(
        ctx.services, ctx.person.peer(user), ctx.lang, mentor=ctx.person.user
    )
    return replace(overview, ephemeral=True)


async def note(ctx: Context, user: str, text: str) -> Reply:
    """Store the note as written; the reply shows it back neutralised."""
    now = ctx.services.clock.now()
    async with _session(ctx) as session:
        found = await _mentee(session, ctx, user)
        if found is None:
            return refusal(ctx)
        link, learner = found
        assert learner.id is not None
        await add_note(
            session=session, mentor_id=link.mentor_id, learner_id=learner.id, text=text, now=now
        )
    who, shown, show = (
        shown_user(user),
        escape(storable(text)),
        typed(ctx.services.registry, "progress show"),
    )
    saved = Localized(
        f"{who} la verra à son prochain `{show.fr}` : {shown}",
        f"{who} will see it on their next `{show.en}`: {shown}",
    )
    return Reply(
        ctx.t(Localized("Note enregistrée", "Note saved")),
        blocks=(Text(ctx.t(saved)),),
        tone=Tone.SUCCESS,
        ephemeral=True,
    )


async def focus(ctx: Context, user: str, skill: str, level: int) -> Reply:
    """Give the learner a goal marked as set by the mentor."""
    now = ctx.services.clock.now()
    async with _session(ctx) as session:
        found = await _mentee(session, ctx, user)
        if found is None:
            return refusal(ctx)
        link, learner = found
        assert learner.id is not None
        await set_goal(
            session=session,
            person_id=learner.id,
            skill_id=skill,
            level=level,
            set_by_id=link.mentor_id,
            now=now,
        )
    name = ctx.t(ctx.services.kb.skills[skill].name)
    who = shown_user(user)
    return _done(
        ctx,
        Localized("Objectif fixé", "Goal set"),
        Localized(
            f"Objectif de {who} : **{name}** au niveau {level}/5, marqué comme fixé par vous.",
            f"Goal for {who}: **{name}** at level {level}/5, marked as set by you.",
        ),
    )


async def alerts(ctx: Context, user: str, on: bool | None, days: int | None) -> Reply:
    """Opt in or out of alerts about one mentee; without options, show the current choice."""
    now = ctx.services.clock.now()
    async with _session(ctx) as session:
        found = await _mentee(session, ctx, user)
        if found is None:
            return refusal(ctx)
        link = await links.set_alerts(session=session, link=found[0], on=on, days=days, now=now)
    who, n = shown_user(user), link.alert_inactive_days
    if not link.alerts:
        turn_on = typed(ctx.services.registry, "mentor alerts", user=typed_user(user), on=YES)
        text = Localized(
            f"Pas d'alertes sur {who}. Pour les activer : `{turn_on.fr}`.",
            f"No alerts about {who}. To turn them on: `{turn_on.en}`.",
        )
    else:
        text = Localized(
            f"Alertes sur {who} activées : série rompue, rien consigné depuis {n} jours, note en "
            "baisse — chacune avec un ordre du jour proposé pour votre prochain entretien.",
            f"Alerts about {who} are on: streak broken, nothing logged for {n} days, a rating "
            "down — each with a suggested agenda for your next one-on-one.",
        )
    return _done(ctx, Localized("Alertes", "Alerts"), text)


async def list_links(ctx: Context) -> Reply:
    """The caller's links on both sides, with Accept / Decline buttons for requests to them."""
    async with _session(ctx) as session:
        me = await find_person(session=session, ref=ctx.person)
        views = await links.links_of(session=session, person_id=me.id) if me and me.id else []
    title = ctx.t(Localized("Mentorat", "Mentoring"))
    if not views:
        ask = typed(ctx.services.registry, "mentor request", user=Localized("@nom", "@name"))
        empty = Localized(
            f"Aucun lien de mentorat. Demandez à quelqu'un : `{ask.fr}`.",
            f"No mentoring link yet. Ask someone: `{ask.en}`.",
        )
        return Reply(title, blocks=(Text(ctx.t(empty)),), ephemeral=True)
    return Reply(title, blocks=_list_blocks(views, ctx.lang, ctx.services.registry), ephemeral=True)


def _list_blocks(
    views: list[LinkView], lang: Lang, registry: Registry
) -> tuple[Fields | Actions, ...]:
    mentors = [_mentor_line(v, lang) for v in views if v.role == "learner"]
    mentees = [_mentee_line(v, lang, registry) for v in views if v.role == "mentor"]
    fields = []
    if mentors:
        fields.append(Field(Localized("Mes mentors", "My mentors").get(lang), "\n".join(mentors)))
    if mentees:
        fields.append(
            Field(Localized("Mes apprenants", "My mentees").get(lang), "\n".join(mentees))
        )
    asking = [v.other_user for v in views if v.role == "mentor" and v.status == links.PENDING]
    buttons = tuple(b for user in asking[:MAX_REQUEST_BUTTONS] for b in _answer_buttons(user, lang))
    blocks: tuple[Fields | Actions, ...] = (Fields(tuple(fields)),)
    return (*blocks, Actions(buttons)) if buttons else blocks


def _mentor_line(view: LinkView, lang: Lang) -> str:
    status = STATUS[view.status].get(lang)
    if view.status == links.PENDING:
        status += Localized(" : en attente de sa réponse", ": waiting for their answer").get(lang)
    return f"- {shown_user(view.other_user)} — {status}"


def _mentee_line(view: LinkView, lang: Lang, registry: Registry) -> str:
    who, at = shown_user(view.other_user), typed_user(view.other_user)
    if view.status == links.PENDING:
        accept, decline = (
            typed(registry, "mentor accept", user=at),
            typed(registry, "mentor decline", user=at),
        )
        asks = Localized(
            f"vous demande d'être son mentor : `{accept.fr}` ou `{decline.fr}`",
            f"asks you to be their mentor: `{accept.en}` or `{decline.en}`",
        )
        return f"- {who} — {asks.get(lang)}"
    status = STATUS[view.status].get(lang)
    if view.status == links.ACTIVE and view.alerts:
        days = view.alert_inactive_days
        status += Localized(f" · alertes ({days} j)", f" · alerts ({days} days)").get(lang)
    return f"- {who} — {status}"


def _answer_buttons(user: str, lang: Lang) -> tuple[Button, Button]:
    who = shown_user(user)  # labels are markup: adapters show the person's name
    return (
        Button(
            f"mentor:accept:{user}",
            Localized(f"Accepter {who}", f"Accept {who}").get(lang),
            ButtonStyle.PRIMARY,
        ),
        Button(f"mentor:decline:{user}", Localized(f"Refuser {who}", f"Decline {who}").get(lang)),
    )
