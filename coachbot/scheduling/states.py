"""The delivery row's state machine: the one place that says who may move a row, and where.

A delivery row is one prompt: one subscription, one local day (unique). Its ``status``:

============  ===========================================================================
claimed       the engine process ``claimed_by`` holds it until ``claimed_until``
sending       that process passed the compare-and-set right before the request; the
              platform may have the message (the only state a crash can repeat)
retry         not sent yet; any process may take it again once ``claimed_until`` passes
sent          the learner has it (the engine sent it, or ``/coach tip`` showed it)
failed        given up: a permanent refusal, or still unsent when the catch-up window closed
missed        never sent: due while the engine was down for longer than the catch-up window
cancelled     dropped before sending (unsubscribed or paused while it was held)
============  ===========================================================================

``claimed_until`` is always written from the **database's** clock (``LeaseClock``), so
hosts whose clocks disagree never take each other's rows early. Each statement that moves
a row is built by ``move``, which refuses a transition missing from ``TRANSITIONS``, and
names the states the row must be in (``WHERE status IN ...``), so a statement that lost a
race changes nothing and says so in its row count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Table,
    Update,
    bindparam,
    func,
    literal,
    literal_column,
    type_coerce,
    update,
)

from coachbot.clock import Clock
from coachbot.db.models import metadata
from coachbot.db.types import UTCDateTime

DELIVERY: Table = metadata.tables["delivery"]
# How long a claim holds without a heartbeat. Short enough that a resend after a crash
# falls inside Discord's nonce de-duplication ("the past few minutes"); a process renews
# everything it holds long before that (every ``HEARTBEAT_SHARE`` of the lease).
LEASE = timedelta(minutes=2)  # the default; ``[scheduler] lease_seconds`` sets it
HEARTBEAT_SHARE = 0.25  # a process renews what it holds every quarter of its lease


class State(StrEnum):
    """The states of a delivery row (see the module docstring)."""

    CLAIMED = "claimed"
    SENDING = "sending"
    RETRY = "retry"
    SENT = "sent"
    FAILED = "failed"
    MISSED = "missed"
    CANCELLED = "cancelled"


S = State
# States a process may hold, or take over once their lease has passed.
LIVE = (S.CLAIMED, S.SENDING, S.RETRY)
# (from, to): who does it. ``None`` is "no row yet" (an insert).
TRANSITIONS: dict[tuple[State | None, State], str] = {
    (None, S.CLAIMED): "the engine claims a due occurrence",
    (None, S.MISSED): "the engine records an occurrence older than the catch-up window",
    (None, S.SENT): "/coach tip records the tip it showed",
    (S.CLAIMED, S.CLAIMED): "heartbeat, or a process takes over an expired lease",
    (S.CLAIMED, S.SENDING): "compare-and-set right before the request (lease still held)",
    (S.CLAIMED, S.RETRY): "no tip could be chosen or rendered, or the process stops before "
    "sending it: handed back (``release``), a later tick retries",
    (S.CLAIMED, S.SENT): "/coach tip takes the day over before the engine sends",
    (S.CLAIMED, S.CANCELLED): "unsubscribe or pause before sending",
    (S.SENDING, S.SENDING): "heartbeat while the request and its retries run",
    (S.SENDING, S.SENT): "the platform accepted it",
    (S.SENDING, S.RETRY): "5xx, timeouts or 429s exhausted the retries, or the process "
    "stopped before its request (``release``)",
    (S.SENDING, S.FAILED): "the platform refused it for good",
    (S.SENDING, S.CLAIMED): "another process takes over a crashed send (same nonce)",
    (S.RETRY, S.CLAIMED): "a process takes the retry once it is due",
    (S.RETRY, S.SENT): "/coach tip shows the day's tip while a retry waits",
    (S.RETRY, S.CANCELLED): "unsubscribe or pause while a retry waits",
    (S.RETRY, S.FAILED): "the catch-up window closed while it waited, having been tried",
    (S.RETRY, S.MISSED): "the catch-up window closed while it waited, never tried",
    (S.CLAIMED, S.FAILED): "taken back after the catch-up window closed, having been tried",
    (S.CLAIMED, S.MISSED): "taken back after the catch-up window closed, never tried",
    (S.CANCELLED, S.RETRY): "resubscribe or resume the same day: sent once, late",
    (S.MISSED, S.SENT): "/coach tip shows a missed day's tip",
    (S.FAILED, S.SENT): "/coach tip shows a failed day's tip",
    (S.CANCELLED, S.SENT): "/coach tip shows a cancelled day's tip",
}


class TransitionError(ValueError):
    """A statement asked for a move the state machine does not allow."""


def allowed(source: State | None, target: State) -> bool:
    """Whether a row may go from ``source`` to ``target``."""
    return (source, target) in TRANSITIONS


def move(sources: tuple[State, ...], target: State, *where: Any, **values: Any) -> Update:
    """``UPDATE delivery SET status = target, **values WHERE status IN sources AND where``;
    raises ``TransitionError`` if one of the moves is not in ``TRANSITIONS``."""
    bad = [s for s in sources if not allowed(s, target)]
    if bad or not sources:
        raise TransitionError(f"no transition {bad or sources} -> {target}")
    return update(DELIVERY).where(in_states(sources), *where).values(status=target.value, **values)


def renew(instance: str, until: ColumnElement[datetime]) -> Update:
    """The heartbeat: every row ``instance`` holds (``claimed`` or ``sending``) is held
    ``until``; the rows keep their state (the claimed->claimed, sending->sending moves)."""
    holding = (State.CLAIMED, State.SENDING)
    if not all(allowed(s, s) for s in holding):
        raise TransitionError("the heartbeat must be allowed by TRANSITIONS")
    d = DELIVERY.c
    where = (in_states(holding), d.claimed_by == instance)
    return update(DELIVERY).where(*where).values(claimed_until=until)


def release(instance: str, now: ColumnElement[datetime], unsent: list[int]) -> list[Update]:
    """A stopping process hands back what it holds and has not sent: ``retry`` with a lease
    already over, so any process takes it at its next tick. That is every ``claimed`` row,
    and the ``sending`` rows of ``unsent`` (stopped before their request); the other
    ``sending`` rows stay as they are, as their request may be out (the crash window)."""
    d = DELIVERY.c
    mine = d.claimed_by == instance
    statements = [move((State.CLAIMED,), State.RETRY, mine, claimed_until=now)]
    if unsent:
        stopped = d.id.in_(unsent)
        statements.append(move((State.SENDING,), State.RETRY, mine, stopped, claimed_until=now))
    return statements


def in_states(states: tuple[State, ...]) -> ColumnElement[bool]:
    """SQL: the row's status is one of ``states``, written inline (the same text as the
    partial index's condition, and usable by executemany, unlike an expanding IN)."""
    status = DELIVERY.c.status
    if len(states) == 1:
        return status == literal_column(f"'{states[0].value}'")
    return status.in_([literal_column(f"'{s.value}'") for s in states])


def inserted(target: State) -> str:
    """The status of a new row in ``target`` (refused unless an insert may create it)."""
    if not allowed(None, target):
        raise TransitionError(f"no row is created as {target}")
    return target.value


class LeaseClock(Protocol):
    """Where lease times come from: ``at(offset)`` is "now + offset" as SQL."""

    def at(self, offset: timedelta, dialect: str) -> ColumnElement[datetime]: ...


class DatabaseClock:
    """The database server's clock: every process compares leases with the same time."""

    def at(self, offset: timedelta, dialect: str) -> ColumnElement[datetime]:
        """``now() + offset`` on PostgreSQL; on SQLite the same, as the text ``UTCDateTime``
        stores (``YYYY-MM-DD HH:MM:SS.ffffff``)."""
        if dialect == "postgresql":
            return func.now() + literal(offset)  # stable in a statement: indexes apply
        seconds = f"{offset.total_seconds():+.6f} seconds"
        text = func.strftime("%Y-%m-%d %H:%M:%f", "now", seconds).concat("000")
        return type_coerce(text, UTCDateTime())


@dataclass(frozen=True)
class SharedClock:
    """One ``Clock`` standing for the database's (tests and simulations: every engine of a
    test shares it, whatever its own host clock says)."""

    clock: Clock

    def at(self, offset: timedelta, dialect: str) -> ColumnElement[datetime]:
        """The shared clock's now + ``offset``, as a bound value."""
        return bindparam(None, self.clock.now() + offset, type_=UTCDateTime())
