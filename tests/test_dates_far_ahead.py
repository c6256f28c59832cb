"""Dates far in the future: refused with the limit said, nothing changed; the due
computation never overflows the calendar, whatever the pause or the moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coachbot.errors import BadInput
from coachbot.prompts import parsing
from coachbot.scheduling.due import Schedule, next_due
from tests.chat import ChatBot
from tests.test_subscribe import stored

# The clock fixture starts on Monday 2026-03-02 at 09:00 UTC, 10:00 in Paris.
ZONES = ("Europe/Paris", "Pacific/Kiritimati", "Etc/GMT+12", "America/Santiago", "UTC")


@pytest.mark.parametrize("until", ["9999-12-31", "2027-03-04", "3000-01-01"])
async def test_a_pause_beyond_a_year_is_refused_and_changes_nothing(
    bot: ChatBot, until: str
) -> None:
    await bot.say("/coach subscribe", locale="en")
    before = await stored(bot.app)
    text = await bot.say(f"/coach pause until:{until}", locale="en")
    assert "A pause lasts at most one year: pick a date up to 2027-03-03 included" in text
    assert "Traceback" not in text and "Internal error" not in text
    after = await stored(bot.app)
    assert before is not None and after is not None
    assert (after.paused_until, after.next_due_at) == (None, before.next_due_at)


async def test_a_pause_of_exactly_a_year_is_accepted(bot: ChatBot) -> None:
    await bot.say("/coach subscribe", locale="en")
    assert "No tip until 2027-03-03 included" in await bot.say(
        "/coach pause until:2027-03-03", locale="en"
    )
    sub = await stored(bot.app)
    assert sub is not None and sub.next_due_at is not None
    assert sub.next_due_at.date() > date(2027, 3, 3)


@given(value=st.dates(), today=st.dates())
def test_the_date_parser_returns_a_date_within_a_year_or_says_why(value: date, today: date) -> None:
    try:
        parsed = parsing.parse_future_date(value.isoformat(), today)
    except BadInput:
        assert value <= today or value > parsing.latest_date(today)
    else:
        assert today < parsed == value <= parsing.latest_date(today)
        assert (parsed - today).days <= parsing.MAX_AHEAD_DAYS


@settings(deadline=None, max_examples=300)
@given(
    after=st.datetimes(timezones=st.just(UTC)),
    paused_until=st.none() | st.dates(),
    days=st.frozensets(st.integers(0, 6)),
    zone=st.sampled_from(ZONES),
    at=st.times().map(lambda t: time(t.hour, t.minute)),
)
def test_next_due_never_overflows(
    after: datetime, paused_until: date | None, days: frozenset[int], zone: str, at: time
) -> None:
    schedule = Schedule(at, zone, days, paused_until=paused_until)
    found = next_due(schedule, after)
    if found is None:
        return
    instant, day = found
    assert instant > after and day.weekday() in days
    assert paused_until is None or day > paused_until


def test_a_pause_to_the_end_of_the_calendar_is_never_due() -> None:
    schedule = Schedule(time(8, 30), "Pacific/Kiritimati", frozenset(range(7)), None, date.max)
    assert next_due(schedule, datetime(2026, 3, 2, tzinfo=UTC)) is None
    late = datetime.max.replace(tzinfo=UTC) - timedelta(hours=1)
    assert next_due(Schedule(time(23, 59), "Etc/GMT+12", frozenset(range(7))), late) is None
