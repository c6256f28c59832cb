"""Time as an injected dependency: production reads the system clock, tests move a fake one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """Return the fake current time."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` and return the new time."""
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment``."""
        self._now = moment.astimezone(UTC)


class ScaledClock:
    """A clock running ``speed`` times faster than real time from a start point (console demo)."""

    def __init__(self, speed: float, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self._origin = self._base.now()
        self._speed = speed

    def now(self) -> datetime:
        """Return the accelerated time."""
        elapsed = self._base.now() - self._origin
        return self._origin + elapsed * self._speed
