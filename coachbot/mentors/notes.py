"""Mentors' notes to their learners: stored as written, shown back neutralised.

The learner reads them on their next ``/progress show`` (the tracker delivers the
unseen ones and marks them seen).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from coachbot.db.models import MentorNote
from coachbot.errors import BadInput
from coachbot.i18n import Localized
from coachbot.mentors import MAX_NOTE
from coachbot.tracker.usertext import blank


def storable(text: str) -> str:
    """The note as it will be stored: as written, minus NUL bytes (PostgreSQL refuses them)."""
    return text.replace("\x00", "")


async def add_note(
    *, session: AsyncSession, mentor_id: int, learner_id: int, text: str, now: datetime
) -> MentorNote:
    """Store a note from mentor to learner; BadInput when it shows nothing once neutralised
    (only spaces, NUL bytes, direction marks...) or is over ``MAX_NOTE`` characters."""
    text = storable(text)
    if blank(text):
        raise BadInput(
            Localized(
                "La note est vide une fois retirés les caractères invisibles ou de contrôle "
                "(octets NUL, marques de direction, espaces). Rien n'a été enregistré.",
                "The note is empty once invisible and control characters (NUL bytes, direction "
                "marks, spaces) are removed. Nothing was saved.",
            )
        )
    if len(text) > MAX_NOTE:
        raise BadInput(
            Localized(
                f"Une note fait au plus {MAX_NOTE} caractères ({len(text)}). "
                "Rien n'a été enregistré.",
                f"A note has at most {MAX_NOTE} characters ({len(text)}). Nothing was saved.",
            )
        )
    note = MentorNote(mentor_id=mentor_id, learner_id=learner_id, text=text, created_at=now)
    session.add(note)
    await session.flush()
    return note
