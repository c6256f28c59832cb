"""Helpers shared by the benchmarks: timing, percentiles, result files, a table."""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Row:
    """One measured figure against its target."""

    name: str
    value: float
    unit: str
    target: str
    ok: bool


def percentile(samples: list[float], p: float) -> float:
    """The ``p``-th percentile (0-100) of ``samples``, nearest rank."""
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


async def time_calls(call: Callable[[int], Awaitable[object]], n: int) -> list[float]:
    """Milliseconds taken by each of ``n`` awaited calls."""
    samples = []
    for i in range(n):
        start = time.perf_counter()
        await call(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def median(samples: list[float]) -> float:
    """The median."""
    return statistics.median(samples)


def write(name: str, rows: list[Row], extra: dict[str, object] | None = None) -> Path:
    """Save ``rows`` as ``benchmarks/results/<name>.json``."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
        "rows": [asdict(r) for r in rows],
        **(extra or {}),
    }
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path


def table(title: str, rows: list[Row]) -> str:
    """A plain-text table of ``rows``."""
    lines = [f"\n{title}", f"{'measure':52} {'value':>12}  {'target':>14}  ok"]
    for r in rows:
        lines.append(
            f"{r.name:52} {r.value:>9.3f} {r.unit:<3} {r.target:>14}  {'✓' if r.ok else '✗'}"
        )
    return "\n".join(lines)
