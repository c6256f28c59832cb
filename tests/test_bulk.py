"""The claim's bulk rows: one statement per distinct day, whatever the schedules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from coachbot.scheduling.bulk import Claimed, DayRows, NewDeliveries
from coachbot.scheduling.due import Schedule, next_due

DUE = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
CLAIMED = Claimed(DUE, "test-1", DUE + timedelta(minutes=2))


def test_rows_of_the_same_day_and_instant_share_one_group() -> None:
    shared = [1, 2]
    first = DayRows(shared, [11, 12], date(2026, 3, 2), DUE, CLAIMED)
    rows = NewDeliveries()
    rows.add(first)
    rows.add(DayRows([3], [13], date(2026, 3, 2), DUE, CLAIMED))  # another schedule, same day
    rows.add(DayRows(shared, [11, 12], date(2026, 3, 1), DUE))  # missed: a group of its own
    rows.add(DayRows([4], [14], date(2026, 3, 1), DUE, CLAIMED))  # claimed, another local day
    assert [(d.subscription_ids, d.local_date, d.claimed) for d in rows.days] == [
        ([1, 2, 3], date(2026, 3, 2), CLAIMED),
        ([1, 2], date(2026, 3, 1), None),
        ([4], date(2026, 3, 1), CLAIMED),
    ]
    assert shared == [1, 2] and first.subscription_ids == [1, 2]  # callers' lists untouched
    sid, pid, nonce, number, *_ = rows.columns()
    assert (sid, pid, number) == ([1, 2, 3, 1, 2, 4], [11, 12, 13, 11, 12, 14], [1, 1, 1, 2, 2, 3])
    assert nonce[3:5] == ["", ""] and len(set(nonce[:3] + nonce[5:])) == 4  # fresh nonces


def test_next_due_answers_the_same_from_its_cache() -> None:
    schedule = Schedule(datetime(2026, 1, 1, 8, 30).time(), "Europe/Paris", frozenset(range(5)))
    first = next_due(schedule, DUE)
    assert next_due(schedule, DUE) is first  # cached: the same answer, not recomputed
    assert first == (datetime(2026, 3, 3, 7, 30, tzinfo=UTC), date(2026, 3, 3))
