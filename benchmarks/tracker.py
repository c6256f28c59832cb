"""Issue 3: latency of /progress rate, log and show on SQLite, for a new learner and a heavy one.

Calls go through the text parser and the dispatcher (what every adapter calls) and
stop at the Reply: writing PNG files is the console's business, not the core's.
The process starts as the bot's ``Runtime`` does: ``warm_up`` (matplotlib imported, each
picture's frame built and drawn once, then ``gc.freeze``), timed as its own row.
"First /progress show" is the learner's first in that process: both pictures drawn,
nothing of theirs cached yet. The new learner is measured first, so theirs is the first
picture after start; the other learner's comes after every row of the first.
Each picture is then timed through the command that shows it: the overview's radar and gap
chart (``/progress show``), a skill's history and the salary grid. "Fresh" drops that
picture from the chart cache before each call (the others stay cached, so the figure is
one render plus the command); "cached" keeps it. Fresh rows take 100 samples, so their
p99 is the second slowest (their max is shown too); cached rows take 1,000. The heavy
learner has 10,000 entries over 1,000 days (and a 1,000-day streak). The "floor" row is
what any command costs before the tracker runs (language, notice providers, parsing).
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import Row, percentile, time_calls
from coachbot.app import App, build_app, warm_up
from coachbot.db.migrate import upgrade
from coachbot.identity import PersonRef
from coachbot.settings import DatabaseSettings, load_settings
from coachbot.textcommand import run_line
from coachbot.tracker.charts import chart_cache

ROOT = Path(__file__).resolve().parent.parent
HEAVY_ENTRIES = 10_000
HISTORY_DAYS = 1_000
WARM_UP = 3
TARGETS = {"rate": 20.0, "log": 20.0, "show": 20.0, "fresh": 300.0, "cached": 5.0, "first": 300.0}
# picture: (its cache key's first item, the command that shows it)
PICTURES = {
    "radar": ("radar", "/progress show"),
    "gaps": ("gaps", "/progress show"),
    "history": ("history", "/progress history skill:security"),
    "salary": ("salary", "/cto salary"),
}
START_UP = "start-up"


async def _seed(app: App, person: PersonRef, entries: int) -> None:
    """Give ``person`` ``entries`` rows over ``HISTORY_DAYS``, half ratings, half logs.

    Every day has a log, so the learner also carries a ``HISTORY_DAYS``-long streak.
    """
    from sqlalchemy import insert

    from coachbot.db.models import Activity, Evidence, Rating
    from coachbot.db.people import ensure_person

    rng = random.Random(3)
    skills = list(app.services.kb.skills)
    start = datetime.now(UTC) - timedelta(days=HISTORY_DAYS)
    step = timedelta(days=HISTORY_DAYS) / entries
    async with app.services.database().session() as session:
        found = await ensure_person(session=session, ref=person, now=start)
        pid = found.id
        moments = [start + step * i for i in range(entries)]
        ratings = [
            {
                "person_id": pid,
                "skill_id": rng.choice(skills),
                "level": rng.randint(0, 5),
                "created_at": at,
            }
            for at in moments[::2]
        ]
        logs = [
            {
                "person_id": pid,
                "skill_id": rng.choice(skills),
                "note": "did something " * 8,
                "created_at": at,
            }
            for at in moments[1::2]
        ]
        days = sorted({at.date() for at in moments[1::2]})
        activity = [
            {"person_id": pid, "kind": "log", "local_date": d, "created_at": start} for d in days
        ]
        await session.exec(insert(Rating), params=ratings)
        await session.exec(insert(Evidence), params=logs)
        await session.exec(insert(Activity), params=activity)


def _caller(app: App, person: PersonRef, lines: list[str]) -> Callable[[int], Awaitable[object]]:
    async def call(i: int) -> object:
        reply = await run_line(app.dispatcher, person, lines[i % len(lines)], locale="en")
        assert reply.tone.value != "error", reply
        return reply

    return call


async def _measure(app: App, person: PersonRef, n: int, fresh_runs: int) -> dict[str, list[float]]:
    skills = list(app.services.kb.skills)
    rate = _caller(
        app, person, [f"/progress rate skill:{s} level:{i % 6}" for i, s in enumerate(skills)]
    )
    log = _caller(
        app, person, [f"/progress log skill:{s} note:shipped the {s} review" for s in skills]
    )
    show = _caller(app, person, ["/progress show chart:false"])
    floor = _caller(app, person, ["/help command:progress show"])  # reads no tracker data
    await _caller(app, person, ["/progress rate skill:security level:2"])(0)  # a history
    results = {"first": await time_calls(chart_calls(app, person)["cached radar"], 1)}
    # pictures first: the new learner has one rating then, not the thousand rate makes
    calls = [("floor", floor, n)]
    for kind, call in chart_calls(app, person).items():
        calls.append((kind, call, fresh_runs if kind.startswith("fresh") else n))
    calls += [("rate", rate, n), ("log", log, n), ("show", show, n)]
    for kind, call, runs in calls:
        await time_calls(call, WARM_UP)  # compiled statements, pooled connections, caches
        results[kind] = await time_calls(call, runs)
    return results


def chart_calls(app: App, person: PersonRef) -> dict[str, Callable[[int], Awaitable[object]]]:
    """For each picture, its command with the picture dropped from the cache, and as is."""
    cache = chart_cache(app.services)
    calls: dict[str, Callable[[int], Awaitable[object]]] = {}
    for picture, (kind, line) in PICTURES.items():
        cached = _caller(app, person, [line])

        async def fresh(i: int, kind: str = kind, cached: Any = cached) -> object:
            cache.discard(lambda key: isinstance(key, tuple) and key[0] == kind)
            return await cached(i)

        calls[f"fresh {picture}"], calls[f"cached {picture}"] = fresh, cached
    return calls


async def _run(n: int, fresh_runs: int) -> dict[str, dict[str, list[float]]]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await asyncio.to_thread(upgrade, url)
        base = load_settings(ROOT / "config.example.toml", env={})
        app = build_app(replace(base, database=DatabaseSettings(url=url)))
        try:
            new = PersonRef("console", "bench", "new")
            heavy = PersonRef("console", "bench", "heavy")
            started = time.perf_counter()
            await warm_up()  # what Runtime.run does before serving
            start_up = {START_UP: [(time.perf_counter() - started) * 1000]}
            await _seed(app, heavy, HEAVY_ENTRIES)
            return {
                "process": start_up,
                "new learner": await _measure(app, new, n, fresh_runs),
                f"{HEAVY_ENTRIES:,} entries": await _measure(app, heavy, n, fresh_runs),
            }
        finally:
            await app.close()


LABELS = {
    START_UP: "start-up warm_up: matplotlib, frames, fonts (once)",
    "first": "first /progress show of the learner, 2 drawn",
    "floor": "floor: /help (no tracker read)",  # what any command costs
    "rate": "/progress rate",
    "log": "/progress log",
    "show": "/progress show chart:false",
    **{
        f"{state} {picture}": f"{line}, {state} {picture}"
        for picture, (_, line) in PICTURES.items()
        for state in ("fresh", "cached")
    },
}


def run(n: int = 1_000, fresh_runs: int = 100) -> list[Row]:
    """Measure and return the rows for the table (p50 for information, p99 against the target;
    a row measured once is that one time)."""
    measured = asyncio.run(_run(n, fresh_runs))
    rows = []
    for who, results in measured.items():
        for kind, samples in results.items():
            rows += _rows(f"{LABELS[kind]} ({who})", kind, samples)
    return rows


def _rows(name: str, kind: str, samples: list[float]) -> list[Row]:
    target = TARGETS.get(kind.split()[0])
    if len(samples) == 1:
        value = samples[0]
        return [
            Row(name, value, "ms", f"≤ {target:g} ms" if target else "", value <= (target or value))
        ]
    p99 = percentile(samples, 99)
    rows = [Row(f"{name} p50", percentile(samples, 50), "ms", "", True)]
    if target is None:
        return [*rows, Row(f"{name} p99", p99, "ms", "", True)]
    rows.append(Row(f"{name} p99", p99, "ms", f"≤ {target:g} ms", p99 <= target))
    if kind.startswith("fresh"):
        rows.append(Row(f"{name} max", max(samples), "ms", "", True))
    return rows
