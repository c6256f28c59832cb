"""What the core reports as it happens, for whoever watches the process (metrics, logs).

The core calls one ``Observers`` object, built with the services; listeners (the
Prometheus metrics of ``coachbot.ops``) are added at start-up, in any order, and may be
none at all. A listener overrides the ``Observer`` methods it cares about. Events carry
names, platforms, workspaces, counts and durations: never a token or anything a user typed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandScope:
    """The command being served, for log lines written while it runs."""

    command: str  # "progress rate", "action:prompt", "unknown"
    platform: str
    workspace: str


CURRENT_COMMAND: ContextVar[CommandScope | None] = ContextVar("coachbot_command", default=None)


@dataclass(frozen=True)
class CommandDone:
    """One command or button press, served."""

    scope: CommandScope
    outcome: str  # ok, bad_input, refused, unknown, error
    seconds: float


@dataclass(frozen=True)
class DeliveryDone:
    """One scheduled prompt's send, recorded."""

    platform: str
    outcome: str  # sent, permanent, later (left claimed for a later tick)
    attempts: int  # requests it took in this tick
    lag_seconds: float | None  # from due to sent; None unless sent


class Observer:
    """A listener: every method does nothing until overridden."""

    def command_done(self, event: CommandDone) -> None:
        """A command or button press was answered."""

    def delivery_done(self, event: DeliveryDone) -> None:
        """A scheduled prompt's outcome was committed."""

    def limiter_waited(self, platform: str, seconds: float) -> None:
        """A send waited ``seconds`` for a rate-limit bucket of ``platform``."""

    def rate_limited(self, platform: str, retry_after: float) -> None:
        """``platform`` answered 429; its buckets are blocked for ``retry_after`` seconds."""

    def leases_held(self, count: int) -> None:
        """This process now holds ``count`` claimed prompts (leased, not yet recorded)."""

    def breaker_changed(self, platform: str, state: str) -> None:
        """``platform``'s circuit breaker is now ``state`` (closed, open, half_open)."""


class Observers(Observer):
    """Every listener, called in turn; one that raises is logged and never stops the core."""

    def __init__(self) -> None:
        self.listeners: list[Observer] = []

    def add(self, listener: Observer) -> None:
        """Have ``listener`` hear every event from now on."""
        self.listeners.append(listener)

    def remove(self, listener: Observer) -> None:
        """Stop telling ``listener`` (no error when it was not listening)."""
        if listener in self.listeners:
            self.listeners.remove(listener)

    def command_done(self, event: CommandDone) -> None:
        """Tell every listener."""
        self._each("command_done", event)

    def delivery_done(self, event: DeliveryDone) -> None:
        """Tell every listener."""
        self._each("delivery_done", event)

    def limiter_waited(self, platform: str, seconds: float) -> None:
        """Tell every listener."""
        self._each("limiter_waited", platform, seconds)

    def rate_limited(self, platform: str, retry_after: float) -> None:
        """Tell every listener."""
        self._each("rate_limited", platform, retry_after)

    def leases_held(self, count: int) -> None:
        """Tell every listener."""
        self._each("leases_held", count)

    def breaker_changed(self, platform: str, state: str) -> None:
        """Tell every listener."""
        self._each("breaker_changed", platform, state)

    def _each(self, method: str, *args: object) -> None:
        for listener in self.listeners:
            try:
                getattr(listener, method)(*args)
            except Exception:  # watching the bot must never break it
                log.exception("observer %s.%s failed", type(listener).__name__, method)


@dataclass
class Watch:
    """The outcome of the command being watched; ``error`` unless the caller says."""

    outcome: str = "error"


@contextmanager
def watch_command(observers: Observer, scope: CommandScope) -> Iterator[Watch]:
    """Time the command of ``scope`` and report it when the block ends; meanwhile log lines
    carry the scope (see ``CURRENT_COMMAND``). Set ``Watch.outcome`` inside the block."""
    token = CURRENT_COMMAND.set(scope)
    watch = Watch()
    started = time.perf_counter()  # latency is real elapsed time, whatever the bot's clock
    try:
        yield watch
    finally:
        CURRENT_COMMAND.reset(token)
        observers.command_done(CommandDone(scope, watch.outcome, time.perf_counter() - started))
