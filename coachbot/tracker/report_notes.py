"""``/progress notes``: the notes mentors wrote to a learner, numbered, each with a button to
put it in the ``/progress report`` portfolio or leave it out (``mentor_note.in_report``).

Only the learner chooses: a button names a note id, and the choice is saved only when
that note was written to the person who presses it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from coachbot.errors import BadInput
from coachbot.i18n import Lang, Localized
from coachbot.identity import PersonRef
from coachbot.markup import escape, mention
from coachbot.registry import Registry
from coachbot.reply import Actions, Button, ButtonStyle, Items, Reply, Text, Tone
from coachbot.services import Services
from coachbot.tracker import labels
from coachbot.tracker.activity import find_with_zone
from coachbot.tracker.repository import NoteView, all_notes, choose_note, row_id

ACTION = "report_note"
PAGE = 10  # notes per page: a button each, two rows on Discord
EXCERPT = 200  # characters of a note shown in the list (the report holds it whole)
TITLE = Localized("Mots des mentors pour votre rapport", "Mentor notes for your report")
NOT_YOURS = Localized(
    "Ce mot n'existe plus ou ne vous est pas adressé : rien n'a changé.",
    "This note no longer exists or was not written to you: nothing changed.",
)


@dataclass(frozen=True)
class NotesPage:
    """One page of a learner's notes, newest page first; numbers count from the oldest note."""

    notes: list[NoteView]  # every note, oldest first
    tz: ZoneInfo
    page: int  # 1 = the newest notes

    @property
    def pages(self) -> int:
        """How many pages the notes fill (at least one)."""
        return max(1, -(-len(self.notes) // PAGE))

    @property
    def shown(self) -> range:
        """The indexes (into ``notes``) of this page's notes, oldest first."""
        end = len(self.notes) - (self.page - 1) * PAGE
        return range(max(0, end - PAGE), max(0, end))


async def list_notes(services: Services, ref: PersonRef, lang: Lang, page: int) -> Reply:
    """Page ``page`` of the notes written to ``ref`` with Include / Exclude buttons (ephemeral);
    a page past the last shows the last."""
    found = await _read(services, ref)
    if found is None or not found[0]:
        return Reply(
            TITLE.get(lang), blocks=(Text(_none(lang, services.registry)),), ephemeral=True
        )
    view = NotesPage(*found, page=1)
    return page_reply(replace(view, page=min(page, view.pages)), lang, services.registry)


async def choose(services: Services, ref: PersonRef, lang: Lang, payload: str) -> Reply:
    """A button of ``/progress notes``: ``include:<id>`` or ``exclude:<id>``, pressed by ``ref``.

    BadInput (changing nothing) unless the note was written to ``ref``.
    """
    verb, _, raw_id = payload.partition(":")
    if verb not in ("include", "exclude") or not raw_id.isdigit():
        raise BadInput(
            Localized("Ce bouton n'est plus valable.", "This button is no longer valid.")
        )
    note_id, include = int(raw_id), verb == "include"
    async with services.database().session() as session:
        found = await find_with_zone(
            session=session, ref=ref, default=services.settings.bot.default_timezone
        )
        if found is None:
            raise BadInput(NOT_YOURS)
        pid, tz = row_id(found[0]), found[1]
        if not await choose_note(
            session=session, learner_id=pid, note_id=note_id, in_report=include
        ):
            raise BadInput(NOT_YOURS)
        notes = await all_notes(session=session, learner_id=pid)
    index = next(i for i, n in enumerate(notes) if n.id == note_id)
    page = (len(notes) - 1 - index) // PAGE + 1
    return page_reply(NotesPage(notes, tz, page), lang, services.registry, Tone.SUCCESS)


async def _read(services: Services, ref: PersonRef) -> tuple[list[NoteView], ZoneInfo] | None:
    async with services.database().session() as session:
        found = await find_with_zone(
            session=session, ref=ref, default=services.settings.bot.default_timezone
        )
        if found is None:
            return None
        person, tz = found
        return await all_notes(session=session, learner_id=row_id(person)), tz


def page_reply(view: NotesPage, lang: Lang, registry: Registry, tone: Tone = Tone.INFO) -> Reply:
    """The list of one page: what the report gets, each note with its number and button."""
    report = labels.typed(registry, "progress report")
    intro = Localized(
        f"Choisissez les mots qui iront dans votre portfolio (`{report.fr}`).",
        f"Choose the notes that go in your portfolio (`{report.en}`).",
    )
    items = tuple(note_line(view.notes[i], i + 1, view.tz, lang) for i in view.shown)
    buttons = tuple(note_button(view.notes[i], i + 1, lang) for i in view.shown)
    blocks: tuple[Text | Items | Actions, ...] = (Text(intro.get(lang)), Items(items))
    footer = _pages_footer(view, lang, registry) if view.pages > 1 else None
    return Reply(
        TITLE.get(lang),
        blocks=(*blocks, Actions(buttons)),
        ephemeral=True,
        tone=tone,
        footer=footer,
    )


def note_line(note: NoteView, number: int, tz: ZoneInfo, lang: Lang) -> str:
    """``**3.** 2026-03-02 · <@bob> — text… · in the report``, the text inert and clipped."""
    text = note.text if len(note.text) <= EXCERPT else note.text[:EXCERPT].rstrip() + "…"
    state = (
        Localized("dans le rapport", "in the report")
        if note.in_report
        else Localized("hors du rapport", "left out")
    )
    day = labels.day(note.created_at, tz)
    return (
        f"**{number}.** {day} · {mention(note.mentor_user)} — {escape(text)} · _{state.get(lang)}_"
    )


def note_button(note: NoteView, number: int, lang: Lang) -> Button:
    """Exclude for a note in the report, Include for one left out."""
    if note.in_report:
        label = Localized(f"Retirer {number}", f"Exclude {number}")
        return Button(f"{ACTION}:exclude:{note.id}", label.get(lang))
    label = Localized(f"Inclure {number}", f"Include {number}")
    return Button(f"{ACTION}:include:{note.id}", label.get(lang), ButtonStyle.PRIMARY)


def _pages_footer(view: NotesPage, lang: Lang, registry: Registry) -> str:
    first, last = view.shown.start + 1, view.shown.stop
    other = labels.typed(registry, "progress notes", page=view.page % view.pages + 1)
    return Localized(
        f"Mots {first} à {last} sur {len(view.notes)}, page {view.page}/{view.pages}. "
        f"Suivante : {other.fr}",
        f"Notes {first} to {last} of {len(view.notes)}, page {view.page}/{view.pages}. "
        f"Next: {other.en}",
    ).get(lang)


def _none(lang: Lang, registry: Registry) -> str:
    return Localized(
        "Aucun mot de mentor pour l'instant. Un mentor vous en laisse avec "
        f"`{labels.typed(registry, 'mentor note').fr}`.",
        f"No notes from a mentor yet. A mentor leaves you one with "
        f"`{labels.typed(registry, 'mentor note').en}`.",
    ).get(lang)
