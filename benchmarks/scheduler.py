"""Issue 4: the delivery engine at scale.

- 100,000 subscriptions due in the same minute: time to claim and plan them all, on
  SQLite and on PostgreSQL (COACHBOT_TEST_POSTGRES_URL, in a throw-away database);
- a tick with nothing due over 1,000,000 subscriptions;
- CPU per delivery through the whole pipeline against an instant fake platform;
- sustained rate against a fake platform enforcing 50 requests/s, and its 429s;
- memory and start-up of this design next to the naive one (one APScheduler job per
  subscriber, memory job store) at 100,000 subscribers, each in its own process.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
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
from coachbot.delivery import DeliveryTarget, RateLimited, Sent
from coachbot.reply import Reply
from coachbot.scheduling.claim import ClaimConfig, claim_batch
from coachbot.scheduling.pipeline import Composer, DeliveryPipeline
from coachbot.scheduling.ratelimit import DEFAULT_LIMITS, RateLimiter, RealTimer
from coachbot.scheduling.retry import RetryPolicy, Sender
from coachbot.settings import DatabaseSettings, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
DUE = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
ZONES = (
    "Europe/Paris", "Europe/London", "America/New_York", "America/Los_Angeles",
    "Asia/Tokyo", "Asia/Kolkata", "Australia/Sydney", "Africa/Casablanca",
    "America/Sao_Paulo", "Pacific/Kiritimati",
)  # fmt: skip


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
            f"next_due_at, created_at) SELECT i, i, z.lt, z.tz, 127, 'dm', 'en', 4, 1, 0, 0, 0, {due}, {now} "
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
        "recap_weekday, active, failing, failing_notified, consecutive_failures, next_due_at, created_at) "
        f"SELECT i, i, ({times})[1 + i % {len(zones)}], ({tzs})[1 + i % {len(zones)}], 127, 'dm', 'en', 4, "
        f"true, false, false, 0, {due}, {now} FROM generate_series(1, {count}) AS i"
    )
    sequences = [
        f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), {count})"
        for t in ("person", "subscription")
    ]
    return [people, subs, *sequences]


# --- 1. claiming 100,000 due in one minute -------------------------------------------------


async def claim_all(url: str, batch_size: int) -> tuple[float, int]:
    """Seconds to claim and plan everything due at DUE, and how many were claimed."""
    engine = create_async_engine(url)
    config = ClaimConfig(instance="bench", platforms=("console",), batch_size=batch_size)
    claimed = 0
    start = time.perf_counter()
    while True:
        async with engine.begin() as conn:
            claim = await claim_batch(conn, now=DUE + timedelta(seconds=30), config=config)
        claimed += len(claim.planned)
        if claim.seen < batch_size:
            break
    elapsed = time.perf_counter() - start
    await engine.dispose()
    return elapsed, claimed


def bench_claim(url: str | None, label: str, count: int, batch_size: int) -> list[Row]:
    name = f"claim+plan {count:,} due at once, {label}, batches of {batch_size}"
    if url is None:
        return [Row(name, float("nan"), "s", "≤ 2 s", False)]
    asyncio.run(populate(url, count))
    elapsed, claimed = asyncio.run(claim_all(url, batch_size))
    assert claimed == count, (claimed, count)
    asyncio.run(_reset(url))
    floor = asyncio.run(_floor_postgres(url)) if "postgresql" in url else _floor_sqlite(url)
    return [
        Row(name, elapsed, "s", "≤ 2 s", elapsed <= 2),
        Row(f"  the same statements on the bare driver, {label}", floor, "s", "(floor)", True),
    ]


async def _reset(url: str) -> None:
    """Everything due again, no delivery rows: the floor measure starts from the same state."""
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM delivery"))
        await conn.execute(text("UPDATE subscription SET next_due_at = :due"), {"due": DUE})
    await engine.dispose()


FLOOR_SELECT = (
    "SELECT s.id, s.person_id, s.local_time, s.timezone, s.days, s.skip_holidays, "
    's.paused_until, s.active, s.failing, s.next_due_at, s."where", s.channel_id, s.language, '
    "p.platform, p.workspace, p.user_id FROM subscription s JOIN person p ON p.id = s.person_id "
)
FLOOR_COLUMNS = "subscription_id, person_id, local_date, status, nonce, due_at, claimed_at, claimed_by, tip_id, attempts"


def _floor_sqlite(url: str) -> float:
    """Seconds for the claim's statements through the sqlite3 module, no Python planning."""
    import sqlite3

    conn = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    now, due, marker = (
        "2026-03-02 07:30:30.000000",
        "2026-03-02 07:30:00.000000",
        "2026-03-02 07:35:30.000000",
    )
    start = time.perf_counter()
    while True:
        conn.execute("BEGIN")
        rows = conn.execute(
            FLOOR_SELECT + "WHERE s.next_due_at <= ? ORDER BY s.next_due_at LIMIT 500", (now,)
        ).fetchall()
        if not rows:
            conn.execute("COMMIT")
            break
        values = ",".join(["(?, ?, '2026-03-02', 'claimed', ?, ?, ?, 'x', '', 0)"] * len(rows))
        params = [v for r in rows for v in (r[0], r[1], os.urandom(10).hex(), due, now)]
        conn.execute(
            f"INSERT INTO delivery ({FLOOR_COLUMNS}) VALUES {values} ON CONFLICT DO NOTHING RETURNING id",
            params,
        ).fetchall()
        ids = [r[0] for r in rows]
        conn.execute(
            f"UPDATE subscription SET next_due_at = ? WHERE id IN ({','.join('?' * len(ids))})",
            (marker, *ids),
        )
        conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - start


async def _floor_postgres(url: str) -> float:
    """Seconds for the claim's statements through asyncpg, no Python planning."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    now, marker = DUE + timedelta(seconds=30), DUE + timedelta(minutes=5, seconds=30)
    start = time.perf_counter()
    while True:
        async with conn.transaction():
            rows = await conn.fetch(
                FLOOR_SELECT
                + "WHERE s.next_due_at <= $1 ORDER BY s.next_due_at LIMIT 500 FOR UPDATE OF s SKIP LOCKED",
                now,
            )
            if not rows:
                break
            ids, people = [r[0] for r in rows], [r[1] for r in rows]
            nonces = [os.urandom(10).hex() for _ in rows]
            await conn.fetch(
                f"INSERT INTO delivery ({FLOOR_COLUMNS}) SELECT s, p, $3, 'claimed', n, $4, $5, 'x', '', 0 "
                "FROM unnest($1::int[], $2::int[], $6::text[]) AS t(s, p, n) ON CONFLICT DO NOTHING RETURNING id",
                ids,
                people,
                DUE.date(),
                DUE,
                now,
                nonces,
            )
            await conn.execute(
                "UPDATE subscription SET next_due_at = $1 WHERE id = ANY($2::int[])", marker, ids
            )
    await conn.close()
    return time.perf_counter() - start


# --- 2. a tick with nothing due --------------------------------------------------------


class InstantPlatform:
    """Accepts everything at once."""

    def __init__(self, platform: str = "console") -> None:
        self.platform = platform
        self.count = 0

    async def send(self, target: DeliveryTarget, reply: Reply, *, nonce: str) -> Sent:
        self.count += 1
        return Sent(nonce)


async def _trivial_tip(*, session: Any, services: Any, subscription: Any) -> str:
    return "t"


def _trivial_reply(kb: Any, tip_id: str, lang: str, delivery_id: int) -> Reply:
    return Reply(title="tip")


def real_composer() -> Composer:
    from coachbot.prompts.compose import choose_tip_for, prompt_reply

    return Composer(choose_tip_for, prompt_reply)


def make_pipeline(
    app: App, port: Any, composer: Composer, *, timer: Any = None, limits: Any = None
) -> DeliveryPipeline:
    limiter = RateLimiter(timer or RealTimer(), limits if limits is not None else {})
    settings = app.services.settings.scheduler
    return DeliveryPipeline(
        db=app.services.database(),
        services=app.services,
        ports={port.platform: port},
        composer=composer,
        sender=Sender(limiter, RetryPolicy(), random.Random(1)),
        clock=app.services.clock,
        config=ClaimConfig("bench", (port.platform,), batch_size=settings.batch_size),
    )


@asynccontextmanager
async def bench_app(url: str, now: datetime) -> AsyncIterator[App]:
    app = build_app(settings_for(url), clock=FakeClock(now))
    try:
        yield app
    finally:
        await app.close()


async def idle_ticks(url: str, runs: int) -> list[float]:
    async with bench_app(url, DUE - timedelta(minutes=1)) as app:
        pipe = make_pipeline(app, InstantPlatform(), Composer(_trivial_tip, _trivial_reply))
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            report = await pipe.tick(app.services.clock.now())
            samples.append((time.perf_counter() - start) * 1000)
            assert report.claimed == 0
        return samples


def bench_idle(url: str | None, label: str, count: int) -> Row:
    name = f"tick with nothing due over {count:,} subscriptions, {label} (median)"
    if url is None:
        return Row(name, float("nan"), "ms", "≤ 10 ms", False)
    asyncio.run(populate(url, count, spread_minutes=1440))
    median = statistics.median(asyncio.run(idle_ticks(url, 200)))
    return Row(name, median, "ms", "≤ 10 ms", median <= 10)


# --- 3. CPU per delivery -----------------------------------------------------------------


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


def bench_overhead(count: int) -> list[Row]:
    rows = []
    for label, composer in (
        ("engine only (trivial tip & reply)", Composer(_trivial_tip, _trivial_reply)),
        ("with real tip selection & prompt reply", real_composer()),
    ):
        with sqlite_database() as url:
            asyncio.run(populate(url, count))
            cpu, sent = asyncio.run(deliver_all(url, composer))
        per = cpu / sent * 1000
        target = "≤ 0.5 ms" if "engine" in label else "(info)"
        ok = per <= 0.5 if "engine" in label else True
        rows.append(Row(f"CPU per delivery, {label}, SQLite", per, "ms", target, ok))
    return rows


# --- 4. sustained rate against a 50 req/s platform -------------------------------------------


class LimitedPlatform:
    """Answers 429 to any request that would make more than ``rate`` in one second."""

    platform = "discord"

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.accepted: list[float] = []
        self.rejected = 0

    async def send(self, target: DeliveryTarget, reply: Reply, *, nonce: str) -> Sent:
        now = time.monotonic()
        recent = [t for t in self.accepted[-self.rate :] if now - t < 1.0]
        if len(recent) >= self.rate:
            self.rejected += 1
            raise RateLimited(1.0 - (now - recent[0]))
        self.accepted.append(now)
        return Sent(nonce)


async def _populate_discord(url: str, count: int) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE person SET platform = 'discord'"))
    await engine.dispose()


def bench_rate(count: int) -> list[Row]:
    with sqlite_database() as url:
        asyncio.run(populate(url, count))
        asyncio.run(_populate_discord(url, count))

        async def go() -> LimitedPlatform:
            async with bench_app(url, DUE) as app:
                port = LimitedPlatform(50)
                pipe = make_pipeline(app, port, real_composer(), limits=dict(DEFAULT_LIMITS))
                await pipe.tick(DUE)
                return port

        port = asyncio.run(go())
    times = port.accepted
    rate = (len(times) - 1) / (times[-1] - times[0])
    return [
        Row(
            f"sustained rate vs 50 req/s platform ({len(times)} msgs)",
            rate / 50 * 100,
            "%",
            "≥ 95 %",
            rate >= 47.5,
        ),
        Row("429 answers from that platform", port.rejected, "", "0", port.rejected == 0),
    ]


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
    """This design: the app, the one-job scheduler and a first tick (nothing due yet)."""
    from coachbot.app import build_scheduler
    from coachbot.scheduling.console_delivery import ConsoleDelivery
    from coachbot.scheduling.scheduler import register_port

    before = _rss_kib()
    start = time.perf_counter()
    app = build_app(settings_for(url), clock=FakeClock(DUE - timedelta(hours=1)))
    register_port(app.services, ConsoleDelivery(app.services))
    scheduler = build_scheduler(app)
    assert scheduler is not None
    scheduler.start()
    await scheduler.run_once()
    elapsed = time.perf_counter() - start
    await scheduler.stop()
    await app.close()
    return {"seconds": elapsed, "mib": (_rss_kib() - before) / 1024, "jobs": 1}


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
        Row("start-up, one tick job (this design)", ours["seconds"], "s", "", True),
        Row("  start-up ratio naive / this", ratio_time, "x", "", True),
        Row(f"memory, one job per subscriber ({count:,})", naive["mib"], "MiB", "", True),
        Row("memory, one tick job (this design)", ours["mib"], "MiB", "", True),
        Row("  memory ratio naive / this", ratio_mem, "x", "", True),
    ]


# --- all -------------------------------------------------------------------------------


def run(
    due: int = 100_000,
    idle: int = 1_000_000,
    deliveries: int = 5_000,
    rated: int = 500,
) -> list[Row]:
    """Measure and return the rows for the table."""
    rows = []
    batch = load_settings(ROOT / "config.example.toml", env={}).scheduler.batch_size
    with sqlite_database() as url:
        rows.extend(bench_claim(url, "SQLite", due, batch))
    with postgres_database() as pg:
        rows.extend(bench_claim(pg, "PostgreSQL", due, batch))
    with sqlite_database() as url:
        rows.append(bench_idle(url, "SQLite", idle))
    with postgres_database() as pg:
        rows.append(bench_idle(pg, "PostgreSQL", idle))
    rows.extend(bench_overhead(deliveries))
    rows.extend(bench_rate(rated))
    rows.extend(bench_startup(due))
    return rows


if __name__ == "__main__":
    from benchmarks.common import table

    print(table("scheduler", run()))
