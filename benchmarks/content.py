"""Issue 2: latency of content commands and /cto ask in process, cold start of `coachbot ask`."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Row, median, percentile, time_calls
from coachbot.adapters.console import ConsoleRenderer
from coachbot.app import build_app
from coachbot.db.migrate import upgrade
from coachbot.identity import PersonRef
from coachbot.settings import DatabaseSettings, load_settings
from coachbot.textcommand import run_line

ROOT = Path(__file__).resolve().parent.parent
CONTENT_LINES = [
    "/cto salary region:paris level:expert",
    "/cto day hour:13",
    "/cto types",
    "/cto compare with:cio",
    "/cto skills category:soft",
    "/cto overview",
    "/cto remote",
    "/cto history",
]
QUESTIONS = [
    "combien gagne un directeur technique à Paris ?",
    "what does a CTO do all day?",
    "quelle différence entre un CTO et un DSI ?",
    "can a junior become CTO in a startup?",
    "quels diplômes pour devenir CTO ?",
    "is remote work possible for a CTO?",
]


async def _latencies(n: int) -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await asyncio.to_thread(upgrade, url)
        base = load_settings(ROOT / "config.example.toml", env={})
        app = build_app(base.__class__(**{**base.__dict__, "database": DatabaseSettings(url=url)}))
        renderer = ConsoleRenderer(Path(tmp))
        person = PersonRef("console", "bench", "u1")

        async def content(i: int) -> str:
            line = CONTENT_LINES[i % len(CONTENT_LINES)]
            return renderer.render(await run_line(app.dispatcher, person, line))

        async def ask(i: int) -> str:
            line = "/cto ask " + QUESTIONS[i % len(QUESTIONS)]
            return renderer.render(await run_line(app.dispatcher, person, line))

        await ask(0)  # build the index once, as the first question of a session does
        try:
            return await time_calls(content, n), await time_calls(ask, n)
        finally:
            await app.close()


def _cold_starts(runs: int) -> list[float]:
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "coachbot", "ask", "--lang", "en", "what does a CTO earn?"],
                cwd=tmp,
                capture_output=True,
                check=True,
            )
            samples.append(time.perf_counter() - start)
    return samples


def run(n: int = 10_000, cold_runs: int = 15) -> list[Row]:
    """Measure and return the rows for the table."""
    content, ask = asyncio.run(_latencies(n))
    cold = _cold_starts(cold_runs)
    return [
        Row("content commands p50 (console render)", percentile(content, 50), "ms", "", True),
        Row(
            "content commands p99",
            percentile(content, 99),
            "ms",
            "≤ 5 ms",
            percentile(content, 99) <= 5,
        ),
        Row("/cto ask p50", percentile(ask, 50), "ms", "", True),
        Row("/cto ask p95", percentile(ask, 95), "ms", "≤ 10 ms", percentile(ask, 95) <= 10),
        Row("/cto ask p99", percentile(ask, 99), "ms", "", True),
        Row(
            f"`coachbot ask` cold start, median of {cold_runs}",
            median(cold),
            "s",
            "≤ 0.8 s",
            median(cold) <= 0.8,
        ),
    ]
