"""In-process memo of values derived from a person's rows (latest ratings, streak, charts).

Keys always include a version read from the database (the highest row id of the
tables the value comes from, which moves on every insert), so a memo can never
serve a value its rows no longer give, even with several bot processes: at worst
each process computes a value once more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coachbot.memo import Memo

if TYPE_CHECKING:
    from coachbot.services import Services

__all__ = ["Memo", "memo"]


def memo(services: Services, name: str, max_entries: int = 4096) -> Memo:
    """The process's memo called ``name``, created with the services on first use."""
    found = services.memos.get(name)
    if found is None:
        found = services.memos[name] = Memo(max_entries)
    return found
