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


def storable(text: str) -> str:
    """The note as it will be stored: as written, minus NUL bytes (PostgreSQL refuses them)."""
    return text.replace("\x00", "")


async def add_note(
    *, session: AsyncSession, mentor_id: int, learner_id: int, text: str, now: datetime
) -> MentorNote:
    """Store a note from mentor to learner; BadInput when empty or over ``MAX_NOTE`` characters."""
    text = storable(text)
    if not text.strip() or len(text) > MAX_NOTE:
        raise BadInput(
            Localized(
                f"Une note fait de 1 à {MAX_NOTE} caractères ({len(text)}). "
                "Rien n'a été enregistré.",
                f"A note has 1 to {MAX_NOTE} characters ({len(text)}). Nothing was saved.",
            )
        )
    note = MentorNote(mentor_id=mentor_id, learner_id=learner_id, text=text, created_at=now)
    session.add(note)
    await session.flush()
    return note
