"""Progress charts as PNG bytes (matplotlib, Agg), rendered off the event loop and cached.

The render functions are pure and blocking: they take plain data and import
matplotlib only when called, so nothing else pays for it. They use a bare
``Figure`` (never pyplot), so renders in worker threads share no global state.
``cached_png`` runs them with ``asyncio.to_thread`` and keeps the bytes under a key
that includes the data version, so a chart lives until the person's data changes.
"""

from __future__ import annotations

import asyncio
import io
import math
import textwrap
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from coachbot.tracker.cache import Memo, memo

if TYPE_CHECKING:
    from coachbot.services import Services

D = TypeVar("D")

MAX_LEVEL = 5
DPI = 100
MIN_SPAN = timedelta(days=14)
GRID = "#b0b0b0"
COLORS = {"current": "#1f77b4", "target": "#2ca02c", "past": "#ff7f0e", "goal": "#d62728"}


@dataclass(frozen=True, slots=True)
class RadarData:
    """One radar: a value per skill for the current ratings, the target and (maybe) the past."""

    title: str
    labels: tuple[str, ...]
    current: tuple[int, ...]
    target: tuple[int, ...]
    past: tuple[int, ...] | None
    legend: tuple[str, str, str]  # current, target, past


@dataclass(frozen=True, slots=True)
class HistoryData:
    """One skill over time: its ratings as steps, the profile target and the learner's goal."""

    title: str
    times: tuple[datetime, ...]  # naive local times, so the axis shows the learner's dates
    levels: tuple[int, ...]
    until: datetime  # where the last step ends
    target: int
    goal: int | None
    legend: tuple[str, str, str]  # rating, target, goal


def _figure(size: tuple[float, float]) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=size, dpi=DPI)


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None}, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def radar_png(data: RadarData) -> bytes:
    """A radar chart of ``data`` as PNG bytes (blocking: call it off the event loop).

    Skill names are plain texts and spokes one line, rather than 30 ticks with their
    labels, and the title is the figure's: matplotlib then skips building and measuring
    every tick to lay out the axes, which halves the render time.
    """
    fig = _figure((8, 8))
    ax = fig.add_subplot(projection="polar")
    fig.subplots_adjust(left=0.17, right=0.83, bottom=0.12, top=0.85)
    angles = [2 * math.pi * i / len(data.labels) for i in range(len(data.labels))]
    for kind, values, style in _series(data):
        closed = [*values, values[0]]
        ax.plot([*angles, angles[0]], closed, style, color=COLORS[kind], label=_legend(data, kind))
        if kind == "current":
            ax.fill([*angles, angles[0]], closed, color=COLORS[kind], alpha=0.2)
    ax.set_xticks([])  # 30 tick objects cost more than the whole chart: draw spokes instead
    spokes = [v for angle in angles for v in (angle, angle, math.nan)]
    ax.plot(spokes, [v for _ in angles for v in (0, MAX_LEVEL, math.nan)], color=GRID, lw=0.6)
    ax.set_ylim(0, MAX_LEVEL)
    ax.set_yticks(range(1, MAX_LEVEL + 1))
    ax.tick_params(axis="y", labelsize=7)
    for i, (angle, label) in enumerate(zip(angles, data.labels, strict=True)):
        # near the top and bottom, neighbours' names sit side by side: stagger them
        radius = 1.1 + (0.13 if i % 2 and abs(math.sin(angle)) > 0.7 else 0)
        text = textwrap.fill(label, 16)
        ax.text(angle, MAX_LEVEL * radius, text, fontsize=6.5, **_anchor(angle))
    fig.suptitle(data.title, fontsize=11)
    fig.legend(loc="upper right", fontsize=8)
    return _png(fig)


def _series(data: RadarData) -> list[tuple[str, tuple[int, ...], str]]:
    """(kind, values, line style), drawn in this order: target, then past, then current."""
    series = [("target", data.target, "--")]
    if data.past is not None:
        series.append(("past", data.past, ":"))
    return [*series, ("current", data.current, "-")]


def _legend(data: RadarData, kind: str) -> str:
    return dict(zip(("current", "target", "past"), data.legend, strict=True))[kind]


def _anchor(angle: float) -> dict[str, str]:
    """Text alignment that keeps a label outside the circle at ``angle``."""
    x, y = math.cos(angle), math.sin(angle)
    ha = "left" if x > 0.05 else "right" if x < -0.05 else "center"
    va = "bottom" if y > 0.2 else "top" if y < -0.2 else "center"
    return {"ha": ha, "va": va}


def history_png(data: HistoryData) -> bytes:
    """A step chart of one skill's ratings over time as PNG bytes (blocking).

    Times are plotted as given: pass naive local times to get the learner's dates.
    """
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    fig = _figure((7, 3.6))
    ax = fig.add_subplot()
    end = max(data.until, data.times[-1])
    times = [*data.times, end]
    levels = [*data.levels, data.levels[-1]]
    ax.step(times, levels, where="post", color=COLORS["current"], label=data.legend[0])
    ax.plot(data.times, data.levels, "o", color=COLORS["current"])
    ax.axhline(data.target, linestyle="--", color=COLORS["target"], label=data.legend[1])
    if data.goal is not None:
        ax.axhline(data.goal, linestyle=":", color=COLORS["goal"], label=data.legend[2])
    ax.set_xlim(min(data.times[0], end - MIN_SPAN) - timedelta(days=1), end)
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_ylim(-0.2, MAX_LEVEL + 0.3)
    ax.set_yticks(range(MAX_LEVEL + 1))
    ax.set_title(data.title, fontsize=11)
    ax.legend(loc="lower right", fontsize=8)
    return _png(fig)


def chart_cache(services: Services) -> Memo:
    """The process's rendered charts (PNG bytes, 50-250 kB each, so 256 at most)."""
    return memo(services, "charts", max_entries=256)


async def cached_png(
    services: Services, key: Hashable, draw: Callable[[D], bytes], data: D
) -> bytes:
    """``draw(data)`` rendered in a worker thread, or the PNG already rendered under ``key``.

    ``key`` must change whenever ``data`` would: it holds the data version.
    """
    return await chart_cache(services).get(key, lambda: asyncio.to_thread(draw, data))
