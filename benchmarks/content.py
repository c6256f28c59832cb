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


# The word votes read this one's language; the second's tie, so lingua loads and decides.
COLD_QUESTION = "what does a CTO earn?"
TIED_QUESTION = "whats a CTO"


def _cold_starts(runs: int, *lang: str, question: str = COLD_QUESTION) -> list[float]:
    """``coachbot ask`` from process start to exit; ``lang`` (``--lang en``) or none, so
    the question's language is detected."""
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "coachbot", "ask", *lang, question],
                cwd=tmp,
                capture_output=True,
                check=True,
            )
            samples.append(time.perf_counter() - start)
    return samples


def run(n: int = 10_000, cold_runs: int = 15) -> list[Row]:
    """Measure and return the rows for the table."""
    content, ask = asyncio.run(_latencies(n))
    cold = _cold_starts(cold_runs, "--lang", "en")
    detected = _cold_starts(cold_runs)
    by_model = _cold_starts(cold_runs, question=TIED_QUESTION)
    difflib_us, rapidfuzz_us = _speller_per_word()
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
        Row(
            f"`coachbot ask` cold start, language detected, median of {cold_runs}",
            median(detected),
            "s",
            "≤ 0.8 s",
            median(detected) <= 0.8,
        ),
        Row(
            f"`coachbot ask` cold start, language by lingua (votes tie), median of {cold_runs}",
            median(by_model),
            "s",
            "≤ 0.8 s",
            median(by_model) <= 0.8,
        ),
        Row("typo correction per word, difflib (before)", difflib_us, "µs", "", True),
        Row(
            "typo correction per word, rapidfuzz (now)",
            rapidfuzz_us,
            "µs",
            "≤ difflib",
            rapidfuzz_us <= difflib_us,
        ),
    ]


def _speller_per_word(rounds: int = 5) -> tuple[float, float]:
    """Microseconds per word to find the closest known word, difflib then rapidfuzz, over
    the words of the answer set (the same candidates and cut-off for both)."""
    import difflib

    from rapidfuzz import fuzz, process

    from coachbot.knowledge.loader import default_knowledge
    from coachbot.knowledge.retrieval import Retriever, fold
    from coachbot.knowledge.spelling import CUTOFF, WORD, vocabulary

    retriever = Retriever(default_knowledge())
    known = sorted(vocabulary(fold(t) for t in retriever.sections_text()))
    text = (ROOT / "tests" / "data" / "answers_dev.toml").read_text(encoding="utf-8")
    words = [w for w in WORD.findall(fold(text)) if len(w) >= 4] * rounds

    def near(word: str) -> list[str]:
        return [k for k in known if k[0] == word[0] and abs(len(k) - len(word)) <= 2]

    start = time.perf_counter()
    for w in words:
        difflib.get_close_matches(w, near(w), n=1, cutoff=CUTOFF / 100)
    middle = time.perf_counter()
    for w in words:
        process.extractOne(w, near(w), scorer=fuzz.ratio, score_cutoff=CUTOFF)
    end = time.perf_counter()
    return (middle - start) / len(words) * 1e6, (end - middle) / len(words) * 1e6
