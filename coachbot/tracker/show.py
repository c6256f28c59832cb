"""``/progress show``: a learner's overview; ``/mentor view`` shows the same to a mentor.

The overview reads everything in one short transaction, then renders the radar
chart outside it (in a worker thread, or from the chart cache).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.i18n import Lang, Localized
from coachbot.identity import PersonRef
from coachbot.knowledge.models import KnowledgeBase
from coachbot.markup import escape, mention
from coachbot.registry import Registry
from coachbot.reply import Block, Field, Fields, Items, Reply, Text
from coachbot.services import Services
from coachbot.tracker import labels
from coachbot.tracker.activity import local_date
from coachbot.tracker.milestones import announce, make_facts, mentor_focus, reached
from coachbot.tracker.overview import Overview
from coachbot.tracker.pictures import PAST_DAYS, overview_images
from coachbot.tracker.readiness import compute
from coachbot.tracker.repository import (
    Entry,
    NoteView,
    goal_setter,
    mark_seen,
    row_id,
    unseen_notes,
)
from coachbot.tracker.snapshot import (
    Located,
    Snapshot,
    last_entries,
    locate,
    owner,
    ratings_at,
    snapshot,
)

LAST_ENTRIES = 5


async def progress_overview(
    services: Services,
    learner: PersonRef,
    lang: Lang,
    *,
    mentor: str | None = None,
    chart: bool = True,
) -> Reply:
    """The ``/progress show`` reply for ``learner`` (ephemeral).

    For the learner it also delivers unseen mentor notes (then marks them seen) and
    announces milestones reached, and a focus a mentor set, once. For a ``mentor`` (their
    user id) it is read-only: no notes are shown or marked, no milestone is recorded, the
    title names the learner, and a focus set by another mentor does not name them.
    """
    view = await _read(services, learner, mentor=mentor, chart=chart)
    title = _title(learner, lang, mentor is not None)
    if view is None or view.empty:
        hint = empty_hint(learner.user, lang) if mentor else start_hint(services.registry).get(lang)
        notes = note_items(view, lang) if view else ()
        return Reply(title=title, blocks=(Text(hint), *notes), ephemeral=True)
    blocks = overview_blocks(view, services.kb, lang)
    if chart and view.ratings:
        blocks += await overview_images(services, view, lang)
    return Reply(
        title=title,
        blocks=blocks,
        ephemeral=True,
        footer=labels.SCORE_RULE.get(lang),
        notices=tuple(r.message.get(lang) for r in view.announced),
    )


async def _read(
    services: Services, learner: PersonRef, *, mentor: str | None, chart: bool
) -> Overview | None:
    default = services.settings.bot.default_timezone
    async with services.database().session() as session:
        found = await locate(session=session, ref=learner, default=default)
        if found is None:
            return None
        return await load_overview(
            session=session, found=found, services=services, mentor=mentor, chart=chart
        )


async def load_overview(
    *,
    session: AsyncSession,
    found: Located,
    services: Services,
    mentor: str | None = None,
    chart: bool = True,
) -> Overview:
    """Read the overview of a located person; unless a ``mentor`` views it, deliver notes,
    milestones and the news of a focus set by a mentor.

    The ratings of ``PAST_DAYS`` ago are only read for the chart.
    """
    now = services.clock.now()
    person, tz = found.person, found.tz
    pid = row_id(person)
    today = local_date(now, tz)
    snap = await snapshot(
        session=session, services=services, person=person, today=today, known=found.versions
    )
    past = (
        await ratings_at(
            session=session,
            services=services,
            person=person,
            version=snap.versions,
            cutoff=past_cutoff(today, tz),
        )
        if chart
        else {}
    )
    view = Overview(
        person_id=pid,
        owner=owner(person),
        user=person.user_id,
        tz=tz,
        today=today,
        ratings=snap.ratings,
        past=past,
        readiness=compute(snap.ratings, services.kb.skills),
        goal=snap.goal,
        streak=snap.streak,
        entries=await last_entries(
            session=session,
            services=services,
            person=person,
            version=snap.versions,
            limit=LAST_ENTRIES,
        ),
        version=snap.versions.chart,
        goal_setter=await goal_setter(session=session, goal=snap.goal),
        mentor=mentor,
    )
    if mentor is None:
        if found.unseen_notes:
            await _deliver_notes(session, view, now)
        await _announce(session, services, view, snap, now)
    return view


async def _deliver_notes(session: AsyncSession, view: Overview, now: datetime) -> None:
    """Show the learner their unseen mentor notes, and mark them seen."""
    notes = await unseen_notes(session=session, learner_id=view.person_id)
    await mark_seen(session=session, note_ids=[n.id for n in notes], now=now)
    view.notes.extend(notes)


async def _announce(
    session: AsyncSession, services: Services, view: Overview, snap: Snapshot, now: datetime
) -> None:
    """Record and show the milestones the learner's data now reaches (a streak, say)."""
    facts = make_facts(
        recorded=snap.versions,
        latest=snap.ratings,
        streak=snap.streak,
        goal=view.goal,
        kb=services.kb,
    )
    news = mentor_focus(view.goal, view.goal_setter, services.kb)
    found = await announce(
        session=session,
        person_id=view.person_id,
        found=news + reached(facts, services.registry),
        now=now,
        known=snap.milestones,
    )
    view.announced.extend(found)


def past_cutoff(today: date, tz: ZoneInfo) -> datetime:
    """The end of the local day ``PAST_DAYS`` ago: ratings up to then make the "before" series."""
    start_next = datetime.combine(today - timedelta(days=PAST_DAYS - 1), time(), tzinfo=tz)
    return start_next - timedelta(microseconds=1)


def overview_blocks(view: Overview, kb: KnowledgeBase, lang: Lang) -> tuple[Block, ...]:
    """The overview's text blocks: summary, categories, last entries, new mentor notes."""
    blocks: list[Block] = [Text(summary_markup(view, kb, lang)), category_fields(view, lang)]
    if view.entries:
        heading = Localized("Dernières entrées", "Last entries").get(lang)
        items = tuple(entry_markup(e, kb, lang, view.tz) for e in view.entries)
        blocks.append(Items(items, heading=heading))
    blocks.extend(note_items(view, lang))
    return tuple(blocks)


def note_items(view: Overview, lang: Lang) -> tuple[Items, ...]:
    """The new mentor notes as one list (none when there are none)."""
    if not view.notes:
        return ()
    heading = Localized("Nouveaux mots de vos mentors", "New notes from your mentors").get(lang)
    return (Items(tuple(note_markup(n, view.tz) for n in view.notes), heading=heading),)


def note_markup(note: NoteView, tz: ZoneInfo) -> str:
    """One mentor note: ``2026-03-02 · @bob — text`` (the author as a person, shown by name)."""
    return f"{labels.day(note.created_at, tz)} · {mention(note.mentor_user)} — {escape(note.text)}"


def summary_markup(view: Overview, kb: KnowledgeBase, lang: Lang) -> str:
    """Readiness, streak and focus goal, in a few lines of markup."""
    score = labels.percent(view.readiness.score, lang)
    rated = f"{len(view.ratings)}/{len(kb.skills)}"
    lines = [
        Localized(
            f"**Préparation CTO : {score}** du profil cible ({rated} compétences notées)",
            f"**CTO readiness: {score}** of the target profile ({rated} skills rated)",
        ).get(lang),
        Localized("Série : ", "Streak: ").get(lang) + labels.streak(view.streak, lang),
    ]
    if view.goal is not None:
        name = escape(labels.skill_name(kb, view.goal.skill_id, lang))
        now = labels.level(view.ratings.get(view.goal.skill_id))
        lines.append(
            Localized(
                f"Objectif : **{name}** → {view.goal.target_level}/5 (actuellement {now})",
                f"Focus: **{name}** → {view.goal.target_level}/5 (now {now})",
            ).get(lang)
            + set_by(view, lang)
        )
    return "\n".join(lines)


def set_by(view: Overview, lang: Lang) -> str:
    """`` (set by <mentor>)`` after a focus a mentor set, else nothing. A mentor viewing reads
    "you" for their own and "another mentor" for someone else's: the learner's other mentors
    are theirs to tell."""
    setter = view.goal_setter
    if setter is None:
        return ""
    if view.mentor is None:
        return labels.set_by(setter).get(lang)
    if setter == view.mentor:
        return Localized(" (fixé par vous)", " (set by you)").get(lang)
    return Localized(" (fixé par un autre mentor)", " (set by another mentor)").get(lang)


def category_fields(view: Overview, lang: Lang) -> Fields:
    """One inline field per category: average of rated skills, coverage, readiness."""
    fields = []
    for cat in view.readiness.categories:
        value = Localized(
            f"moyenne {labels.level(cat.average)} · {cat.rated}/{cat.total} notées · "
            f"{labels.percent(cat.readiness, lang)}",
            f"average {labels.level(cat.average)} · {cat.rated}/{cat.total} rated · "
            f"{labels.percent(cat.readiness, lang)}",
        )
        fields.append(Field(labels.category_name(cat.category, lang), value.get(lang), True))
    return Fields(tuple(fields))


def entry_markup(entry: Entry, kb: KnowledgeBase, lang: Lang, tz: ZoneInfo) -> str:
    """One journal line: ``2026-03-02 · IT security — rated 3/5`` or the note logged."""
    name = escape(labels.skill_name(kb, entry.skill_id, lang))
    head = f"{labels.day(entry.created_at, tz)} · **{name}**"
    if entry.kind == "rating":
        return head + Localized(f" — noté {entry.level}/5", f" — rated {entry.level}/5").get(lang)
    return f"{head} — {escape(entry.note or '')}"


def _title(learner: PersonRef, lang: Lang, for_mentor: bool) -> str:
    if for_mentor:
        who = mention(learner.user)  # titles are markup: adapters show the name
        return Localized(f"Progression de {who}", f"Progress of {who}").get(lang)
    return Localized("Votre progression", "Your progress").get(lang)


def start_hint(registry: Registry) -> Localized:
    """What a learner who recorded nothing reads: the three commands to start with."""
    rate = labels.typed(registry, "progress rate", skill="leadership", level=3)
    note = Localized("j'ai animé la revue d'incident", "led the incident review")
    log = labels.typed(registry, "progress log", skill="security", note=note)
    goal = labels.typed(registry, "progress goal", skill="vision", level=4)
    return Localized(
        f"Rien d'enregistré pour l'instant. Commencez par vous évaluer : `{rate.fr}`, "
        f"consignez ce que vous faites : `{log.fr}`, et choisissez un objectif : `{goal.fr}`.",
        f"Nothing recorded yet. Start by rating yourself: `{rate.en}`, log what you do: "
        f"`{log.en}`, and pick a goal: `{goal.en}`.",
    )


def empty_hint(user: str, lang: Lang) -> str:
    """What a mentor reads about a learner who recorded nothing yet."""
    who = mention(user)
    return Localized(
        f"{who} n'a encore rien enregistré : aucune note, aucune preuve, aucun objectif.",
        f"{who} has recorded nothing yet: no rating, no evidence, no goal.",
    ).get(lang)
