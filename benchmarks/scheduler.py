"""The delivery engine at scale (issues 4 and 11), through its public entry points only
(``build_app``, ``build_runner``, ``Scheduler``), so it measures whatever engine is inside:

- 100,000 subscriptions due in the same minute, two real processes on one PostgreSQL
  database (COACHBOT_TEST_POSTGRES_URL's server, a throw-away database) against one fake
  platform enforcing 50 requests/s (``benchmarks/fleet.py``): how soon after the tick that
  finds them due the first request goes out, the rate sustained over a window (60 s: the
  100,000 would take 2,000 s), new DMs included, 429s and duplicates;
- a tick with nothing due over 1,000,000 subscriptions;
- CPU per delivery through the whole pipeline against an instant fake platform;
- memory and start-up of this design next to the naive one (one APScheduler job per
  subscriber, memory job store) at 100,000 subscribers, each in its own process.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks.common import Row
from coachbot.app import App, build_app
from coachbot.clock import FakeClock
from coachbot.db.migrate import upgrade
from coachbot.delivery import DeliveryTarget, Pace, Sent, unpaced
from coachbot.reply import Reply
from coachbot.scheduling.pipeline import Composer
from coachbot.settings import DatabaseSettings, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
DUE = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
ZONES = (
    "Europe/Paris", "Europe/London", "America/New_York", "America/Los_Angeles",
    "Asia/Tokyo", "Asia/Kolkata", "Australia/Sydney", "Africa/Casablanca",
    "America/Sao_Paulo", "Pacific/Kiritimati",
)  # fmt: skip
# Schedules vary as a community's would: besides the zone, five sets of days (every day,
# or all but Tuesday, Wednesday, Thursday or Saturday: each holds every zone's local day at
# DUE) and five holiday calendars, so 250 distinct schedules are planned.
DAYS_SQL = (
    "127 - (CASE (i / 10) % 5 WHEN 0 THEN 0 WHEN 1 THEN 2 WHEN 2 THEN 4 WHEN 3 THEN 8 ELSE 32 END)"
)
HOLIDAYS_SQL = (
    "(CASE (i / 50) % 5 WHEN 0 THEN NULL WHEN 1 THEN 'FR' WHEN 2 THEN 'US' WHEN 3 THEN 'GB' "
    "ELSE 'DE' END)"
)


# --- databases ----------------------------------------------------------------------


@contextmanager
def sqlite_database() -> Iterator[str]:
    """A migrated SQLite file in a temporary directory."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        upgrade(url)
        yield url


def postgres_base() -> str:
    return os.environ.get("COACHBOT_TEST_POSTGRES_URL") or PG_DEFAULT


async def _admin(statement: str) -> None:
    engine = create_async_engine(postgres_base(), isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(statement))
    await engine.dispose()


@contextmanager
def postgres_database() -> Iterator[str | None]:
    """A migrated throw-away PostgreSQL database (never the base one), or None if unreachable."""
    name = f"coachbot_bench_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server: the PostgreSQL rows say so
        print(f"  (PostgreSQL unavailable: {exc.__class__.__name__})", flush=True)
        yield None
        return
    try:
        url = postgres_base().rsplit("/", 1)[0] + f"/{name}"
        upgrade(url)
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def settings_for(url: str) -> Settings:
    base = load_settings(ROOT / "config.example.toml", env={})
    return replace(base, database=DatabaseSettings(url=url))


# --- data ---------------------------------------------------------------------------


def _zone_rows(due: datetime) -> list[tuple[int, str, str]]:
    """(index, zone, local HH:MM) such that every zone's local time falls on ``due``."""
    return [(k, z, due.astimezone(ZoneInfo(z)).strftime("%H:%M")) for k, z in enumerate(ZONES)]


async def populate(url: str, count: int, *, spread_minutes: int = 0) -> None:
    """``count`` people with a daily subscription due at DUE (+ i % spread minutes)."""
    engine = create_async_engine(url)
    sqlite = url.startswith("sqlite")
    zones = _zone_rows(DUE)
    async with engine.begin() as conn:
        for statement in _populate_sql(sqlite, count, spread_minutes, zones):
            await conn.execute(text(statement))
        if not sqlite:
            await conn.execute(text("ANALYZE"))
    await engine.dispose()


def _populate_sql(
    sqlite: bool, count: int, spread: int, zones: list[tuple[int, str, str]]
) -> list[str]:
    """Bulk INSERT ... SELECT statements (a million rows in seconds, no Python loop)."""
    if sqlite:
        series = (
            f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})"
        )
        values = ", ".join(f"({k}, '{z}', '{t}')" for k, z, t in zones)
        zone_table = f", z(k, tz, lt) AS (VALUES {values})"
        now = "'2026-03-01 00:00:00.000000'"
        due = "strftime('%Y-%m-%d %H:%M:%S', '2026-03-02 07:30:00', '+' || (i % {s}) || ' minutes') || '.000000'"
        due = due.format(s=max(spread, 1)) if spread else "'2026-03-02 07:30:00.000000'"
        people = f"{series} INSERT INTO person (id, platform, workspace, user_id, created_at) SELECT i, 'console', 'bench', 'u' || i, {now} FROM n"
        subs = (
            f"{series}{zone_table} INSERT INTO subscription (id, person_id, local_time, timezone, days, "
            '"where", language, recap_weekday, active, failing, failing_notified, consecutive_failures, '
            f"next_due_at, created_at, skip_holidays) SELECT i, i, z.lt, z.tz, {DAYS_SQL}, 'dm', 'en', 4, "
            f"1, 0, 0, 0, {due}, {now}, {HOLIDAYS_SQL} "
            f"FROM n JOIN z ON z.k = i % {len(zones)}"
        )
        return [people, subs]
    tzs = "ARRAY[" + ", ".join(f"'{z}'" for _, z, _ in zones) + "]"
    times = "ARRAY[" + ", ".join(f"'{t}'" for _, _, t in zones) + "]"
    due = "TIMESTAMPTZ '2026-03-02 07:30:00+00'"
    if spread:
        due += f" + (i % {spread}) * INTERVAL '1 minute'"
    now = "TIMESTAMPTZ '2026-03-01 00:00:00+00'"
    people = f"INSERT INTO person (id, platform, workspace, user_id, created_at) SELECT i, 'console', 'bench', 'u' || i, {now} FROM generate_series(1, {count}) AS i"
    subs = (
        'INSERT INTO subscription (id, person_id, local_time, timezone, days, "where", language, '
        "recap_weekday, active, failing, failing_notified, consecutive_failures, next_due_at, created_at, "
        f"skip_holidays) SELECT i, i, ({times})[1 + i % {len(zones)}], ({tzs})[1 + i % {len(zones)}], "
        f"{DAYS_SQL}, 'dm', 'en', 4, true, false, false, 0, {due}, {now}, {HOLIDAYS_SQL} "
        f"FROM generate_series(1, {count}) AS i"
    )
    sequences = [
        f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), {count})"
        for t in ("person", "subscription")
    ]
    return [people, subs, *sequences]


# --- 2. a tick with nothing due --------------------------------------------------------


class InstantPlatform:
    """Accepts everything at once."""

    def __init__(self, platform: str = "console") -> None:
        self.platform = platform
        self.count = 0

    async def send(
        self, target: DeliveryTarget, reply: Reply, *, nonce: str, pace: Pace = unpaced
    ) -> Sent:
        self.count += 1
        return Sent(nonce)


async def _trivial_tip(*, session: Any, services: Any, subscription: Any) -> str:
    return "t"


def _trivial_reply(kb: Any, tip_id: str, lang: str, delivery_id: int) -> Reply:
    return Reply(title="tip")


def real_composer() -> Composer:
    """The composer the bot runs: tips chosen for a whole batch at once."""
    from coachbot.prompts.compose import choose_tip_for, choose_tips_for, prompt_reply

    return Composer(choose_tip_for, prompt_reply, choose_tips_for)


def make_pipeline(app: App, port: Any, composer: Composer) -> Any:
    """The bot's pipeline delivering through ``port`` (the public entry point, whatever
    the engine's insides)."""
    from coachbot.scheduling.scheduler import Outlets, build_runner

    outlets = Outlets({port.platform: port})
    return build_runner(app.services, composer, outlets, instance="bench").pipeline


@asynccontextmanager
async def bench_app(url: str, now: datetime) -> AsyncIterator[App]:
    app = build_app(settings_for(url), clock=FakeClock(now))
    try:
        yield app
    finally:
        await app.close()


async def idle_ticks(url: str, runs: int) -> tuple[list[float], float]:
    """Milliseconds of each of ``runs`` whole ticks as the scheduler runs them (the daily
    prompts, then the snoozes; nothing due), and of the weekly-messages check that one tick
    in fifteen minutes adds."""
    from coachbot.app import periodic_jobs
    from coachbot.scheduling.scheduler import Outlets, build_runner

    async with bench_app(url, DUE - timedelta(minutes=1)) as app:
        port = InstantPlatform()
        outlets = Outlets({port.platform: port}, jobs=periodic_jobs())
        runner = build_runner(app.services, Composer(_trivial_tip, _trivial_reply), outlets)
        await runner.tick(app.services.clock.now())  # the periodic jobs' first runs
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            report = await runner.tick(app.services.clock.now())
            samples.append((time.perf_counter() - start) * 1000)
            assert report.claimed == 0
        [weekly] = [job for job in runner.jobs if job.name == "weekly"]
        start = time.perf_counter()
        await weekly.run(app.services.clock.now())
        return samples, (time.perf_counter() - start) * 1000


def bench_idle(url: str | None, label: str, count: int) -> list[Row]:
    name = f"tick with nothing due over {count:,} subscriptions, {label} (median)"
    weekly = f"  + the weekly-messages check (one tick in 15 min), {label}"
    if url is None:
        return [Row(name, float("nan"), "ms", "≤ 10 ms", False)]
    asyncio.run(populate(url, count, spread_minutes=1440))
    samples, check = asyncio.run(idle_ticks(url, 200))
    median = statistics.median(samples)
    return [
        Row(name, median, "ms", "≤ 10 ms", median <= 10),
        Row(weekly, check, "ms", "(info)", True),
    ]


# --- 3. CPU per delivery -----------------------------------------------------------------


async def populate_learning(url: str, count: int, days: int) -> None:
    """Give each of ``count`` learners ``days`` prompts received before DUE (a third of
    them with feedback), five ratings and a focus goal: what selection reads for a
    learner who has used the bot for a while."""
    from coachbot.knowledge.loader import default_knowledge

    kb = default_knowledge()
    tips, skills = [t.id for t in kb.tips], list(kb.skills)
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        for statement, params in _learning_sql(count, days, tips, skills):
            await conn.execute(text(statement), params)
    await engine.dispose()


def _learning_sql(
    count: int, days: int, tips: list[str], skills: list[str]
) -> list[tuple[str, dict[str, Any]]]:
    """SQLite INSERT ... SELECT statements over a series of people and days."""
    people = f"p(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM p WHERE i < {count})"
    day = f"d(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM d WHERE k < {days})"
    tip_values = ", ".join(f"({n}, '{t}')" for n, t in enumerate(tips))
    skill_values = ", ".join(f"({n}, '{s}')" for n, s in enumerate(skills))
    feedback = (
        "CASE (p.i + d.k) % 9 WHEN 0 THEN 'done' WHEN 3 THEN 'too_easy' WHEN 6 THEN 'skip' END"
    )
    deliveries = (
        f"WITH RECURSIVE {people}, {day}, t(n, id) AS (VALUES {tip_values}) "
        "INSERT INTO delivery (subscription_id, person_id, local_date, tip_id, status, nonce, "
        "attempts, due_at, feedback) "
        "SELECT p.i, p.i, date('2026-02-28', '-' || d.k || ' days'), t.id, 'sent', '', 1, "
        f"date('2026-02-28', '-' || d.k || ' days') || ' 07:30:00.000000', {feedback} "
        f"FROM p CROSS JOIN d JOIN t ON t.n = (p.i * 7 + d.k) % {len(tips)}"
    )
    ratings = (
        f"WITH RECURSIVE {people}, r(k) AS (VALUES (0), (1), (2), (3), (4)), "
        f"s(n, id) AS (VALUES {skill_values}) "
        "INSERT INTO rating (person_id, skill_id, level, created_at) "
        "SELECT p.i, s.id, (p.i + r.k) % 5, '2026-02-01 00:00:00.000000' "
        f"FROM p CROSS JOIN r JOIN s ON s.n = (p.i + r.k * 5) % {len(skills)}"
    )
    goals = (
        f"WITH RECURSIVE {people}, s(n, id) AS (VALUES {skill_values}) "
        "INSERT INTO goal (person_id, skill_id, target_level, created_at, active) "
        f"SELECT p.i, s.id, 4, '2026-02-01 00:00:00.000000', 1 FROM p JOIN s ON s.n = p.i % {len(skills)}"
    )
    return [(deliveries, {}), (ratings, {}), (goals, {})]


async def deliver_all(url: str, composer: Composer) -> tuple[float, int]:
    """CPU seconds spent by the whole process to deliver everything due at DUE."""
    async with bench_app(url, DUE) as app:
        port = InstantPlatform()
        pipe = make_pipeline(app, port, composer)
        start = time.process_time()
        report = await pipe.tick(DUE)
        cpu = time.process_time() - start
        assert report.sent == port.count
        return cpu, port.count


def bench_overhead(count: int, history_days: int) -> list[Row]:
    """CPU per delivery with the bot's real tip selection and prompt (the target), for new
    learners and for learners with history; then the engine alone."""
    cases = (
        ("with real tip selection & prompt, new learners", real_composer(), 0),
        (f"the same, learners with {history_days} days of history", real_composer(), history_days),
        ("  engine only (trivial tip & reply)", Composer(_trivial_tip, _trivial_reply), 0),
    )
    rows = []
    for label, composer, days in cases:
        with sqlite_database() as url:
            asyncio.run(populate(url, count))
            if days:
                asyncio.run(populate_learning(url, count, days))
            cpu, sent = asyncio.run(deliver_all(url, composer))
        per = cpu / sent * 1000
        rows.append(Row(f"CPU per delivery, {label}, SQLite", per, "ms", "≤ 0.5 ms", per <= 0.5))
    return rows


# --- 1. two processes, 100,000 due, against a 50 req/s platform -------------------------------------------


async def _populate_discord(url: str, count: int) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE person SET platform = 'discord'"))
    await engine.dispose()


def bench_fleet(count: int, window: float) -> list[Row]:
    """``count`` due in one minute, two processes on PostgreSQL, one fake platform enforcing
    50 requests/s (see ``benchmarks/fleet.py``), measured over ``window`` seconds."""
    from benchmarks.fleet import LIMIT, run_fleet

    head = f"{count:,} due, 2 processes, PostgreSQL, {LIMIT} req/s fake"
    with postgres_database() as url:
        if url is None:
            return [Row(f"{head}: first request after the tick", float("nan"), "s", "≤ 1 s", False)]
        asyncio.run(populate(url, count))
        asyncio.run(_populate_discord(url, count))
        result = asyncio.run(run_fleet(url, DUE, window))
    share = result.requests_per_second / LIMIT * 100
    span = f"over the first {window:.0f} s"
    return [
        Row(f"{head}: first request after the tick",
            result.first_send_after_tick, "s", "≤ 1 s", result.first_send_after_tick <= 1),
        Row(f"  sustained rate {span}, new DMs included",
            share, "%", "≥ 95 %", share >= 95),
        Row(f"  prompts delivered {span}", result.messages, "", "(info)", True),
        Row(f"  DM channels opened {span}", result.opened, "", "(info)", True),
        Row("  429 answers from that platform", result.rejected, "", "0", result.rejected == 0),
        Row("  duplicate prompts (a person messaged twice)", result.duplicates, "", "0",
            result.duplicates == 0),
    ]  # fmt: skip


# --- 5. memory and start-up: this design vs one job per subscriber ---------------------------


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def _send_one(subscription_id: int) -> None:
    """The naive design's job body (never runs during the measure)."""


async def naive_startup(url: str) -> dict[str, float]:
    """One CronTrigger job per subscriber in a memory job store, loaded from the database."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.cron import CronTrigger

    before = _rss_kib()
    start = time.perf_counter()
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT id, local_time, timezone FROM subscription"))).all()
    await engine.dispose()
    scheduler = AsyncIOScheduler()
    for sid, local_time, zone in rows:
        hour, minute = local_time.split(":")
        trigger = CronTrigger(day_of_week="mon-sun", hour=hour, minute=minute, timezone=zone)
        scheduler.add_job(_send_one, trigger, args=(sid,), id=str(sid))
    scheduler.start(paused=True)  # computes every job's next run time
    elapsed = time.perf_counter() - start
    jobs = len(scheduler.get_jobs())
    scheduler.shutdown(wait=False)
    return {"seconds": elapsed, "mib": (_rss_kib() - before) / 1024, "jobs": jobs}


async def engine_startup(url: str) -> dict[str, float]:
    """This design: the app, the scheduler (a job per periodic task, none per subscriber)
    and a first run of each (nothing due yet)."""
    from coachbot.adapters.console.platform import ConsolePlatform
    from coachbot.app import build_scheduler

    before = _rss_kib()
    start = time.perf_counter()
    app = build_app(settings_for(url), clock=FakeClock(DUE - timedelta(hours=1)))
    scheduler = build_scheduler(app, [ConsolePlatform(app, "bench")])
    assert scheduler is not None
    scheduler.start()
    await scheduler.run_once()
    elapsed = time.perf_counter() - start
    await scheduler.stop()
    await app.close()
    return {"seconds": elapsed, "mib": (_rss_kib() - before) / 1024, "jobs": len(scheduler.jobs)}


def _in_process(kind: str, url: str) -> dict[str, float]:
    """Measure one design in a fresh interpreter (imports done before the clock starts)."""
    code = (
        "import asyncio, json, sys; import benchmarks.scheduler as b;"
        "import apscheduler.schedulers.asyncio, apscheduler.triggers.cron, coachbot.app;"
        f"import coachbot.prompts.compose, coachbot.scheduling.scheduler;"
        f"print(json.dumps(asyncio.run(b.{kind}_startup({url!r}))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench_startup(count: int) -> list[Row]:
    with sqlite_database() as url:
        asyncio.run(populate(url, count, spread_minutes=1440))
        naive = _in_process("naive", url)
        ours = _in_process("engine", url)
    assert naive["jobs"] == count
    ratio_mem = naive["mib"] / max(ours["mib"], 0.1)
    ratio_time = naive["seconds"] / ours["seconds"]
    return [
        Row(f"start-up, one job per subscriber ({count:,})", naive["seconds"], "s", "", True),
        Row(
            f"start-up, {ours['jobs']:.0f} engine jobs (this design)",
            ours["seconds"],
            "s",
            "",
            True,
        ),
        Row("  start-up ratio naive / this", ratio_time, "x", "", True),
        Row(f"memory, one job per subscriber ({count:,})", naive["mib"], "MiB", "", True),
        Row(f"memory, {ours['jobs']:.0f} engine jobs (this design)", ours["mib"], "MiB", "", True),
        Row("  memory ratio naive / this", ratio_mem, "x", "", True),
    ]


# --- all -------------------------------------------------------------------------------


def run(
    due: int = 100_000,
    idle: int = 1_000_000,
    deliveries: int = 5_000,
    history_days: int = 60,
    window: float = 60.0,
) -> list[Row]:
    """Measure and return the rows for the table."""
    rows = bench_fleet(due, window)
    with sqlite_database() as url:
        rows.extend(bench_idle(url, "SQLite", idle))
    with postgres_database() as pg:
        rows.extend(bench_idle(pg, "PostgreSQL", idle))
    rows.extend(bench_overhead(deliveries, history_days))
    rows.extend(bench_startup(due))
    return rows


if __name__ == "__main__":
    from benchmarks.common import table

    print(table("scheduler", run()))
