"""What each user was just told, so ``et à Lyon ?`` or ``why?`` can continue it.

In memory only, per (user, conversation), for a few minutes, bounded: the oldest
conversation is dropped first.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from coachbot.clock import Clock
from coachbot.i18n import Lang
from coachbot.identity import PersonRef

TTL = timedelta(minutes=5)
MAX_CONVERSATIONS = 10_000
TurnKind = Literal["salary", "day", "section"]


@dataclass(frozen=True, slots=True)
class Turn:
    """The last answer given in a conversation, as what a follow-up may change."""

    kind: TurnKind
    lang: Lang
    region: str | None = None
    level: str | None = None
    section: str | None = None  # topic/section key of the answer
    next_section: str | None = None  # the one offered as a follow-up


@dataclass(frozen=True, slots=True)
class ConversationKey:
    """One user in one conversation (a channel, a DM, the console)."""

    person: PersonRef
    channel: str | None


class Conversations:
    """The last turn of each recent conversation, expiring after ``ttl``."""

    def __init__(self, clock: Clock, ttl: timedelta = TTL, size: int = MAX_CONVERSATIONS) -> None:
        self._clock, self._ttl, self._size = clock, ttl, size
        self._turns: OrderedDict[ConversationKey, tuple[Turn, datetime]] = OrderedDict()

    def remember(self, key: ConversationKey, turn: Turn) -> None:
        """Record ``turn`` as the last answer in ``key``'s conversation."""
        self._turns[key] = (turn, self._clock.now() + self._ttl)
        self._turns.move_to_end(key)
        while len(self._turns) > self._size:
            self._turns.popitem(last=False)

    def last(self, key: ConversationKey) -> Turn | None:
        """The last turn of ``key``'s conversation, if recent enough."""
        entry = self._turns.get(key)
        if entry is None:
            return None
        if entry[1] <= self._clock.now():
            del self._turns[key]
            return None
        return entry[0]

    def forget(self, person: PersonRef) -> None:
        """Drop every conversation of ``person`` (after their data is erased)."""
        for key in [k for k in self._turns if k.person == person]:
            del self._turns[key]
