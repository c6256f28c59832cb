"""The operator's view over real HTTP on 127.0.0.1: alive, ready (database, migrations,
platforms) and Prometheus metrics fed by real commands and real ticks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from coachbot import ops
from coachbot.app import App, build_app
from coachbot.clock import FakeClock
from coachbot.delivery import PermanentFailure, RateLimited
from coachbot.ops.server import Probe
from coachbot.scheduling.ratelimit import VirtualTimer
from coachbot.settings import DatabaseSettings, OpsSettings, Settings
from tests.chat import ChatBot
from tests.delivery_fakes import FakePlatform, pipeline, subscribe

MONDAY_0730_UTC = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)  # 08:30 in Paris
LOCAL = OpsSettings(enabled=True, host="127.0.0.1", port=0)


async def get(running: ops.Ops, path: str) -> tuple[int, str]:
    """GET ``path`` from the ops server; the status and the body."""
    url = f"http://127.0.0.1:{running.port}{path}"
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as response:
        return response.status, await response.text()


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a /metrics page, keyed by name and labels."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(page: str, name: str, **labels: str) -> float:
    return samples(page).get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
async def watched(app: App, settings: Settings) -> AsyncIterator[ops.Ops]:
    running = await ops.start(app, replace(settings, ops=LOCAL))
    try:
        yield running
    finally:
        await running.stop()


async def test_alive_and_ready_when_the_database_is_migrated(watched: ops.Ops) -> None:
    assert watched.port
    assert await get(watched, "/healthz") == (200, '{"alive": true}')
    status, body = await get(watched, "/readyz")
    assert status == 200 and '"database": "ok"' in body


async def test_a_platform_that_is_not_connected_makes_the_process_not_ready(
    app: App, settings: Settings
) -> None:
    connected = False

    async def discord() -> str | None:
        return None if connected else "not connected to the Discord gateway"

    running = await ops.start(app, replace(settings, ops=LOCAL), {"discord": discord})
    try:
        status, body = await get(running, "/readyz")
        assert status == 503 and "not connected to the Discord gateway" in body
        connected = True
        assert (await get(running, "/readyz"))[0] == 200
    finally:
        await running.stop()


async def test_an_unmigrated_database_is_not_ready(settings: Settings, tmp_path: Any) -> None:
    fresh = replace(
        settings, database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    )
    app = build_app(fresh)
    running = await ops.start(app, replace(fresh, ops=LOCAL))
    try:
        status, body = await get(running, "/readyz")
        assert status == 503 and "run `coachbot migrate`" in body
    finally:
        await running.stop()
        await app.close()


async def test_a_probe_that_hangs_or_raises_fails_readiness_without_hanging(
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("coachbot.ops.server.PROBE_TIMEOUT", 0.05)
    never: asyncio.Event = asyncio.Event()

    async def hangs() -> str | None:
        await never.wait()
        return None

    async def raises() -> str | None:
        raise ConnectionError("postgresql://user:hunter2@db/x")

    probes: dict[str, Probe] = {"slack": hangs, "discord": raises}
    running = await ops.start(app, replace(settings, ops=LOCAL), probes)
    try:
        status, body = await get(running, "/readyz")
        assert status == 503 and "no answer within" in body and "ConnectionError" in body
        assert "hunter2" not in body
    finally:
        await running.stop()


async def test_commands_are_counted_by_name_and_outcome_with_their_latency(
    app: App, watched: ops.Ops
) -> None:
    bot = ChatBot(app)
    await bot.say("/help")
    await bot.say("/cto salary paris expert")
    await bot.say("/progress rate skill:nothing-like-this level:3")
    await bot.say("/nonsense typed by someone")
    status, page = await get(watched, "/metrics")
    assert status == 200
    ok = {"platform": "console", "outcome": "ok"}
    assert value(page, "coachbot_commands_total", command="help", **ok) == 1
    assert value(page, "coachbot_commands_total", command="cto salary", **ok) == 1
    bad = {"platform": "console", "outcome": "bad_input"}
    assert value(page, "coachbot_commands_total", command="progress rate", **bad) == 1
    unknown = {"platform": "console", "outcome": "unknown"}
    assert value(page, "coachbot_commands_total", command="unknown", **unknown) == 1
    assert value(page, "coachbot_command_duration_seconds_count", command="help") == 1
    assert "nonsense" not in page and "nothing-like-this" not in page  # no user text


async def test_deliveries_lag_429s_limiter_waits_and_leases(
    app: App, clock: FakeClock, watched: ops.Ops
) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    for user in ("alice", "bob", "carol"):
        await subscribe(app, user, now=clock.now())
    timer = VirtualTimer()

    def script(i: int, target: Any) -> BaseException | None:
        if target.person.user == "carol":
            return PermanentFailure("DMs closed")
        return RateLimited(retry_after=2.0) if i == 0 else None

    platform = FakePlatform(timer=timer, script=script)
    clock.set(MONDAY_0730_UTC + timedelta(minutes=3))  # three minutes late
    report = await pipeline(app, clock, platform, concurrency=1).tick(clock.now())
    assert (report.sent, report.failed) == (2, 1)
    page = (await get(watched, "/metrics"))[1]
    console = {"platform": "console"}
    assert value(page, "coachbot_deliveries_total", outcome="sent", **console) == 2
    assert value(page, "coachbot_deliveries_total", outcome="failed", **console) == 1
    assert value(page, "coachbot_delivery_retries_total", **console) == 1
    assert value(page, "coachbot_rate_limited_total", **console) == 1
    assert value(page, "coachbot_limiter_wait_seconds_count", **console) >= 1
    assert value(page, "coachbot_delivery_lag_seconds_count", **console) == 2
    assert value(page, "coachbot_delivery_lag_seconds_bucket", le="120.0", **console) == 0
    assert value(page, "coachbot_delivery_lag_seconds_bucket", le="300.0", **console) == 2
    assert value(page, "coachbot_open_leases") == 0  # all recorded


async def test_disabled_by_default_it_serves_nothing_but_still_counts(
    app: App, settings: Settings
) -> None:
    running = await ops.start(app, settings)
    try:
        assert running.port is None and not settings.ops.enabled
        await ChatBot(app).say("/help")
        registry = running.metrics.registry
        labels = {"command": "help", "platform": "console", "outcome": "ok"}
        assert registry.get_sample_value("coachbot_commands_total", labels) == 1
    finally:
        await running.stop()
    await ChatBot(app).say("/help")  # stopped: no longer listening
    assert running.metrics.registry.get_sample_value("coachbot_commands_total", labels) == 1
