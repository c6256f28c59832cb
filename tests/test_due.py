"""When a prompt is due: DST, far-off timezones, leap days, holidays, pauses (pure, no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coachbot.scheduling.claim import occurrences
from coachbot.scheduling.due import (
    Schedule,
    days_from_mask,
    due_instant,
    mask_from_days,
    next_due,
)

EVERY_DAY = frozenset(range(7))
WEEKDAYS = frozenset(range(5))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def chain(schedule: Schedule, after: datetime, n: int) -> list[tuple[datetime, date]]:
    """The next ``n`` occurrences after ``after``."""
    out = []
    for _ in range(n):
        found = next_due(schedule, after)
        assert found is not None
        out.append(found)
        after = found[0]
    return out


def local(instant: datetime, zone: str) -> str:
    return instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


def test_paris_spring_forward_moves_a_missing_time_forward_by_the_gap() -> None:
    # 29 March 2026: Paris jumps from 02:00 to 03:00; 02:30 does not exist that day
    schedule = Schedule(time(2, 30), "Europe/Paris", EVERY_DAY)
    days = chain(schedule, utc(2026, 3, 27, 12), 3)
    assert [local(d, "Europe/Paris") for d, _ in days] == [
        "2026-03-28 02:30 CET",
        "2026-03-29 03:30 CEST",
        "2026-03-30 02:30 CEST",
    ]
    assert [d for _, d in days] == [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]


def test_paris_fall_back_fires_an_ambiguous_time_once_at_its_first_occurrence() -> None:
    # 25 October 2026: 02:00-03:00 happens twice in Paris
    schedule = Schedule(time(2, 30), "Europe/Paris", EVERY_DAY)
    first, second = chain(schedule, utc(2026, 10, 24, 12), 2)
    assert first == (utc(2026, 10, 25, 0, 30), date(2026, 10, 25))  # 02:30 CEST
    assert second == (utc(2026, 10, 26, 1, 30), date(2026, 10, 26))  # next day, 02:30 CET
    # asking from between the two 02:30s does not fire the second one
    assert next_due(schedule, utc(2026, 10, 25, 0, 45)) == second


def test_new_york_dst_keeps_the_local_time() -> None:
    schedule = Schedule(time(8, 30), "America/New_York", WEEKDAYS)
    spring = chain(schedule, utc(2026, 3, 6, 18), 2)  # Fri 6 March, then Mon 9 March (EDT)
    assert [local(d, "America/New_York") for d, _ in spring] == [
        "2026-03-09 08:30 EDT",
        "2026-03-10 08:30 EDT",
    ]
    assert spring[0][0] == utc(2026, 3, 9, 12, 30)
    fall = chain(schedule, utc(2026, 10, 30, 18), 1)  # Mon 2 November, after 1 November
    assert fall[0] == (utc(2026, 11, 2, 13, 30), date(2026, 11, 2))


def test_new_york_spring_forward_gap_at_two_thirty() -> None:
    schedule = Schedule(time(2, 30), "America/New_York", EVERY_DAY)
    ((instant, day),) = chain(schedule, utc(2026, 3, 8, 5), 1)
    assert day == date(2026, 3, 8) and local(instant, "America/New_York") == "2026-03-08 03:30 EDT"


def test_utc_plus_14_and_utc_minus_12_fire_on_their_own_local_day() -> None:
    kiritimati = Schedule(time(8, 30), "Pacific/Kiritimati", frozenset({0}))  # Mondays
    baker = Schedule(time(8, 30), "Etc/GMT+12", frozenset({0}))  # UTC-12, Mondays
    after = utc(2026, 3, 1, 0)  # Sunday 00:00 UTC
    k = next_due(kiritimati, after)
    b = next_due(baker, after)
    # Monday 08:30 at UTC+14 is Sunday 18:30 UTC; at UTC-12 it is Monday 20:30 UTC
    assert k == (utc(2026, 3, 1, 18, 30), date(2026, 3, 2))
    assert b == (utc(2026, 3, 2, 20, 30), date(2026, 3, 2))
    assert b[0] - k[0] == timedelta(hours=26)


def test_leap_day_is_a_day_like_any_other() -> None:
    schedule = Schedule(time(9, 0), "Europe/Paris", frozenset({6}))  # Sundays
    assert next_due(schedule, utc(2032, 2, 27)) == (utc(2032, 2, 29, 8), date(2032, 2, 29))
    every = Schedule(time(23, 59), "Asia/Tokyo", EVERY_DAY)
    dates = [d for _, d in chain(every, utc(2028, 2, 27, 15), 3)]  # 28 Feb, 00:00 in Tokyo
    assert dates == [date(2028, 2, 28), date(2028, 2, 29), date(2028, 3, 1)]


def test_public_holidays_are_skipped_for_the_chosen_country() -> None:
    # 1 May 2026 is a Friday and a public holiday in France, not in the United States
    french = Schedule(time(8, 30), "Europe/Paris", WEEKDAYS, skip_holidays="FR")
    american = Schedule(time(8, 30), "Europe/Paris", WEEKDAYS, skip_holidays="US")
    after = utc(2026, 4, 30, 12)
    assert next_due(french, after) == (utc(2026, 5, 4, 6, 30), date(2026, 5, 4))
    assert next_due(american, after) == (utc(2026, 5, 1, 6, 30), date(2026, 5, 1))


def test_a_pause_skips_every_day_up_to_and_including_its_end() -> None:
    schedule = Schedule(time(8, 30), "Europe/Paris", WEEKDAYS, paused_until=date(2026, 3, 4))
    assert next_due(schedule, utc(2026, 3, 2)) == (utc(2026, 3, 5, 7, 30), date(2026, 3, 5))


def test_friday_saturday_weekends_are_as_valid_as_any() -> None:
    schedule = Schedule(time(7, 0), "Asia/Riyadh", frozenset({6, 0, 1, 2, 3}))  # Sun-Thu
    dates = [d.weekday() for _, d in chain(schedule, utc(2026, 3, 5, 12), 5)]
    assert dates == [6, 0, 1, 2, 3]


def test_a_day_the_timezone_skipped_has_no_prompt() -> None:
    # Samoa jumped from 29 to 31 December 2011
    schedule = Schedule(time(8, 30), "Pacific/Apia", EVERY_DAY)
    dates = [d for _, d in chain(schedule, utc(2011, 12, 29, 12), 3)]
    assert dates == [date(2011, 12, 29), date(2011, 12, 31), date(2012, 1, 1)]


def test_a_schedule_that_can_never_fire() -> None:
    assert next_due(Schedule(time(8), "UTC", frozenset()), utc(2026, 1, 1)) is None


def test_naive_moments_are_refused() -> None:
    with pytest.raises(ValueError):
        next_due(Schedule(time(8), "UTC", EVERY_DAY), datetime(2026, 1, 1))


def test_catch_up_sends_the_latest_and_records_older_as_missed() -> None:
    schedule = Schedule(time(8, 0), "UTC", EVERY_DAY)
    now = utc(2026, 3, 5, 10)
    occ = occurrences(schedule, utc(2026, 3, 2, 7), now, timedelta(hours=6))
    assert [d for _, d in occ.missed] == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    assert occ.due == (utc(2026, 3, 5, 8), date(2026, 3, 5))
    assert occ.following == utc(2026, 3, 6, 8)
    late = occurrences(schedule, utc(2026, 3, 5, 7), utc(2026, 3, 5, 15), timedelta(hours=6))
    assert late.due is None and [d for _, d in late.missed] == [date(2026, 3, 5)]


ZONES = [
    "Europe/Paris",
    "America/New_York",
    "Pacific/Kiritimati",
    "Etc/GMT+12",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "Asia/Kathmandu",  # +05:45
    "America/Santiago",  # DST transitions at midnight
    "Pacific/Apia",
    "UTC",
]


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    mask=st.integers(1, 127),
    after=st.datetimes(datetime(2000, 1, 1), datetime(2090, 1, 1), timezones=st.just(UTC)),
)
def test_next_due_invariants(zone: str, hour: int, minute: int, mask: int, after: datetime) -> None:
    schedule = Schedule(time(hour, minute), zone, days_from_mask(mask))
    found = next_due(schedule, after)
    assert found is not None
    instant, day = found
    tz = ZoneInfo(zone)
    assert instant > after
    assert day.weekday() in schedule.days
    wall = datetime.combine(day, schedule.local_time, tzinfo=tz)
    exists = wall.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall.replace(tzinfo=None)
    if exists:
        assert instant.astimezone(tz).replace(tzinfo=None) == wall.replace(tzinfo=None)
        assert instant == wall.astimezone(UTC)  # fold=0: the first of two
    else:  # inside a gap: shifted forward by the gap, never earlier than asked
        assert instant.astimezone(tz).replace(tzinfo=None) > wall.replace(tzinfo=None)
    # nothing was skipped: every chosen day before ``day`` fired at or before ``after``
    earlier = after.astimezone(tz).date() - timedelta(days=1)
    while earlier < day:
        if earlier.weekday() in schedule.days:
            fired = due_instant(schedule.local_time, tz, earlier)
            assert fired is None or fired <= after, (earlier, fired)
        earlier += timedelta(days=1)
    assert mask_from_days(schedule.days) == mask


@settings(max_examples=100, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    hour=st.integers(0, 23),
    start=st.datetimes(datetime(2020, 1, 1), datetime(2040, 1, 1), timezones=st.just(UTC)),
)
def test_each_local_day_fires_exactly_once(zone: str, hour: int, start: datetime) -> None:
    schedule = Schedule(time(hour, 30), zone, EVERY_DAY)
    found = chain(schedule, start, 40)
    instants = [i for i, _ in found]
    dates = [d for _, d in found]
    assert instants == sorted(set(instants))
    assert len(set(dates)) == len(dates)
