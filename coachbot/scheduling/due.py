"""When a subscription's next prompt is due: a pure function of its schedule and a moment.

Rules, all in the subscriber's own timezone:

- A local time that does not exist (the spring-forward gap) moves forward by the length of
  the gap, as PEP 495 reads it: 02:30 on the day Paris jumps from 02:00 to 03:00 fires at
  03:30 CEST, which is 01:30 UTC, one hour after 00:30 UTC on the day before. Prompts
  keep their order and their distance from each other.
- A local time that happens twice (the fall-back overlap) fires once, at its first
  occurrence (``fold=0``).
- A calendar day a timezone skipped entirely (Samoa, 30 December 2011) has no prompt.
- ``days`` are weekdays of the local date (0 = Monday); holidays of ``skip_holidays``
  (any country code known to the ``holidays`` package) are skipped; ``paused_until``
  skips every day up to and including it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from coachbot.db.models import Subscription

# With at least one weekday chosen, a due day appears within a year unless every one of
# them is a holiday; two years of search ends any schedule that can never fire.
HORIZON_DAYS = 2 * 366 + 7


@dataclass(frozen=True)
class Schedule:
    """When a learner wants their prompt (hashable, so results can be cached per schedule)."""

    local_time: time
    timezone: str
    days: frozenset[int]  # 0 = Monday ... 6 = Sunday
    skip_holidays: str | None = None
    paused_until: date | None = None


def days_from_mask(mask: int) -> frozenset[int]:
    """The weekdays of a bitmask (bit 0 = Monday)."""
    return frozenset(d for d in range(7) if mask >> d & 1)


def mask_from_days(days: frozenset[int] | set[int]) -> int:
    """The bitmask of a set of weekdays (0 = Monday)."""
    return sum(1 << d for d in days)


def parse_local_time(value: str) -> time:
    """``"HH:MM"`` as a time (the stored form; validated when the user subscribes)."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def schedule_of(sub: Subscription) -> Schedule:
    """The schedule a subscription row describes."""
    return Schedule(
        local_time=parse_local_time(sub.local_time),
        timezone=sub.timezone,
        days=days_from_mask(sub.days),
        skip_holidays=sub.skip_holidays,
        paused_until=sub.paused_until,
    )


# Cached: a claim asks the same (schedule, instant) for every subscriber who shares a
# schedule, batch after batch; the answer is pure, so asking again costs a lookup.
@lru_cache(maxsize=8192)
def next_due(schedule: Schedule, after: datetime) -> tuple[datetime, date] | None:
    """The first due instant strictly after ``after`` (aware), in UTC, with its local date.

    None when the schedule can never fire: no weekday, every chosen day a holiday, or the
    next due day beyond the calendar a ``datetime`` can hold (a pause to the year 9999).
    """
    if after.tzinfo is None:
        raise ValueError("next_due needs an aware datetime")
    if not schedule.days:
        return None
    try:
        return _first_due(schedule, after)
    except OverflowError:  # the search ran off the calendar's end (or start)
        return None


def _first_due(schedule: Schedule, after: datetime) -> tuple[datetime, date] | None:
    zone = _zone(schedule.timezone)
    day = after.astimezone(zone).date() - timedelta(days=1)
    if schedule.paused_until is not None and schedule.paused_until >= day:
        day = schedule.paused_until + timedelta(days=1)
    for _ in range(HORIZON_DAYS):
        if _is_due_day(schedule, day):
            instant = due_instant(schedule.local_time, zone, day)
            if instant is not None and instant > after:
                return instant, day
        day += timedelta(days=1)
    return None


def due_instant(local_time: time, zone: ZoneInfo, day: date) -> datetime | None:
    """The UTC instant of ``local_time`` on ``day`` in ``zone`` (None if the day never existed)."""
    local = datetime.combine(day, local_time, tzinfo=zone)  # fold=0: first occurrence
    instant = local.astimezone(UTC)
    landed = instant.astimezone(zone)
    if landed.date() != day and landed.time() == local_time:
        return None  # the whole day was skipped: this instant is the next day's own
    return instant


def _is_due_day(schedule: Schedule, day: date) -> bool:
    if day.weekday() not in schedule.days:
        return False
    return schedule.skip_holidays is None or day not in _holidays(schedule.skip_holidays, day.year)


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1024)
def _holidays(country: str, year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays(country, years=year).keys())
