"""A circuit breaker per platform, so a storm of 5xx answers or timeouts costs a few
requests instead of a few retries per prompt per tick for hours.

States, all in ``Breaker`` (one per platform, in this process):

- **closed**: requests go out; ``failures_to_open`` transient failures in a row (5xx,
  timeouts, network errors: the platform did not answer) open it.
- **open**: nothing is sent until ``retry_at``; sends asked for meanwhile are left for a
  later tick without a request (the prompt stays due: not lost, and not counted as an
  attempt).
- **half-open** (``retry_at`` has passed): ONE send goes out as a probe, the others wait as
  if it were open. Any answer from the platform (sent, a permanent refusal, even a 429)
  closes it; another transient failure opens it again for twice the cool-down, up to
  ``max_cool_down``.

Time is injected: the bot's clock in the engine (``ClockSeconds``: a sped-up clock speeds
the cool-downs up with the ticks, a fake one lets tests run hours of storm at once), or
any ``Timer``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from coachbot.clock import Clock
from coachbot.observe import Observer


class Seconds(Protocol):
    """A source of seconds that only moves forward (a ``Timer`` is one)."""

    def monotonic(self) -> float: ...


@dataclass(frozen=True)
class ClockSeconds:
    """The bot's clock read as seconds."""

    clock: Clock

    def monotonic(self) -> float:
        """Seconds since the epoch, by the bot's clock."""
        return self.clock.now().timestamp()


class BreakerState(StrEnum):
    """Where a platform's breaker stands."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class BreakerPolicy:
    """When to stop and how long to wait before probing again (seconds)."""

    failures_to_open: int = 5
    cool_down: float = 30.0
    max_cool_down: float = 600.0


@dataclass
class Breaker:
    """The breaker of one platform; every change of state goes through ``_move``."""

    platform: str
    timer: Seconds
    policy: BreakerPolicy
    observer: Observer
    state: BreakerState = BreakerState.CLOSED
    failures: int = 0  # transient failures in a row while closed
    cool_down: float = 0.0  # the current wait between an opening and its probe
    retry_at: float = float("-inf")  # when an open breaker lets a probe through
    probing: bool = False  # a half-open breaker's probe is out

    def admit(self) -> bool:
        """Whether a request may go out now; in half-open, True once (the probe)."""
        if self.state is BreakerState.CLOSED:
            return True
        if self.state is BreakerState.OPEN and self.timer.monotonic() >= self.retry_at:
            self._move(BreakerState.HALF_OPEN)
        if self.state is BreakerState.HALF_OPEN and not self.probing:
            self.probing = True
            return True
        return False

    @property
    def stopped(self) -> bool:
        """True while sends are held back (open, or half-open with its probe out)."""
        return self.state is not BreakerState.CLOSED

    def answered(self) -> None:
        """The platform answered (whatever it said): it is up, close."""
        self.failures, self.cool_down, self.probing = 0, 0.0, False
        if self.state is not BreakerState.CLOSED:
            self._move(BreakerState.CLOSED)

    def failed(self) -> None:
        """A transient failure: count it, open after too many in a row or a failed probe."""
        if self.state is BreakerState.CLOSED:
            self.failures += 1
            if self.failures >= self.policy.failures_to_open:
                self._open(self.policy.cool_down)
        elif self.probing:
            self._open(min(self.cool_down * 2, self.policy.max_cool_down))

    def abandoned(self) -> None:
        """The request ended without a verdict (cancelled, a bug in the adapter): a probe
        slot it held is given back, so the next send probes."""
        if self.state is BreakerState.HALF_OPEN:
            self.probing = False

    def _open(self, cool_down: float) -> None:
        self.cool_down, self.probing, self.failures = cool_down, False, 0
        self.retry_at = self.timer.monotonic() + cool_down
        self._move(BreakerState.OPEN)

    def _move(self, state: BreakerState) -> None:
        self.state = state
        self.observer.breaker_changed(self.platform, state.value)


@dataclass
class Breakers:
    """One breaker per platform, created closed on first use."""

    timer: Seconds
    observer: Observer = field(default_factory=Observer)
    policy: BreakerPolicy = field(default_factory=BreakerPolicy)
    by_platform: dict[str, Breaker] = field(default_factory=dict)

    def of(self, platform: str) -> Breaker:
        """The breaker of ``platform``."""
        breaker = self.by_platform.get(platform)
        if breaker is None:
            breaker = Breaker(platform, self.timer, self.policy, self.observer)
            self.by_platform[platform] = breaker
        return breaker
