"""Progress pictures as PNG bytes (matplotlib, Agg), rendered off the event loop and cached.

Four pictures: the five categories on a radar, "what to work on next" (the largest gaps to
the CTO target), one skill over time, and the salary grid. Each has a ``*_figure`` function
(a bare ``Figure``, never pyplot, so renders in worker threads share no global state; tests
read its artists) and a ``*_png`` one. They take plain data and import matplotlib only
when called. ``cached_png`` runs them with ``asyncio.to_thread`` and keeps the bytes under
a key that includes the data version, so a picture lives until the person's data changes.

Building a figure (axes, ticks, grid, a polar frame) costs about as much as drawing the
data on it, so each picture is split in two: a ``*_frame`` (the fixed parts) and a
``*_draw`` (the data). The ``*_png`` functions draw on a ``Template``, one frame per picture
kind and shape kept for the process, and take their artists off again after the render;
``warm`` builds the templates and renders each kind once at start-up (imports, fonts).

Every picture is a light card with a border, in the Okabe–Ito palette (told apart by
people with any common colour-vision deficiency), so it reads on Discord's dark theme and
Slack's light one; text is sized to stay at least ``MIN_TEXT_PX`` tall once the platform
shrinks the picture to ``DISPLAY_WIDTH_PX``.
"""

from __future__ import annotations

import asyncio
import io
import math
import textwrap
import threading
from bisect import bisect_right
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from coachbot.tracker.cache import Memo, memo

if TYPE_CHECKING:
    from coachbot.services import Services

D = TypeVar("D")

MAX_LEVEL = 5
DPI = 100
WIDTH = 6.4  # inches: 640 px wide at DPI
# Discord shows an embed's picture about 400 px wide, Slack an image block no wider: text
# must stay legible there, so sizes are set for that width, not for the PNG's own.
DISPLAY_WIDTH_PX = 400
MIN_TEXT_PX = 11
TEXT = math.ceil(MIN_TEXT_PX * 72 * WIDTH / DISPLAY_WIDTH_PX)  # points: 13
TITLE = TEXT + 2
CARD, INK, MUTED, GRID, EDGE = "#ffffff", "#1b1b1b", "#555555", "#cfcfcf", "#8c8c8c"
# Okabe & Ito (2008), "Color Universal Design"
OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
CATEGORY_COLORS = {
    "technical": OKABE_ITO["blue"],
    "managerial": OKABE_ITO["vermillion"],
    "strategic": OKABE_ITO["green"],
    "soft": OKABE_ITO["purple"],
    "foundation": OKABE_ITO["orange"],
}
SERIES = {"now": OKABE_ITO["blue"], "target": OKABE_ITO["black"], "past": OKABE_ITO["orange"]}
GOAL = OKABE_ITO["vermillion"]
REGION_COLORS = (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["green"])
NOT_RATED = "#9a9a9a"


def min_text_points(width_inches: float) -> float:
    """The smallest font size (points) still ``MIN_TEXT_PX`` tall once a picture
    ``width_inches`` wide is shown ``DISPLAY_WIDTH_PX`` wide."""
    return MIN_TEXT_PX * 72 * width_inches / DISPLAY_WIDTH_PX


@dataclass(frozen=True, slots=True)
class SeriesNames:
    """The legend's words for the three series of the radar."""

    now: str
    target: str
    past: str


@dataclass(frozen=True, slots=True)
class RadarData:
    """The five categories: readiness (0-100) now and 90 days ago, None where nothing was
    rated; the target profile is 100 in every category."""

    title: str
    labels: tuple[str, ...]  # one per category, the coverage on a second line
    now: tuple[float | None, ...]
    past: tuple[float | None, ...] | None
    names: SeriesNames
    not_rated: str | None  # "Not rated yet: ..." under the wheel, None when all are rated
    rings: tuple[str, str] = ("50%", "100%")  # the rings' labels, as the reader writes them


@dataclass(frozen=True, slots=True)
class GapRow:
    """One bar of "what to work on next": a skill, its rating (None: not rated), its target."""

    label: str
    category: str  # category id, for the colour
    rating: int | None
    target: int
    note: str  # written at the bar: "2 → 4" or "not rated"


@dataclass(frozen=True, slots=True)
class GapData:
    """The skills furthest from their target, in the order to work on them."""

    title: str
    rows: tuple[GapRow, ...]
    axis: str
    categories: tuple[tuple[str, str], ...]  # (id, name) for the legend, in catalog order
    not_rated: str  # the legend's word for the hatched bars


@dataclass(frozen=True, slots=True)
class HistoryData:
    """One skill over time: its ratings as steps, the profile target, the learner's goal
    and the days evidence was logged (naive local times, so the axis shows local dates)."""

    title: str
    times: tuple[datetime, ...]
    levels: tuple[int, ...]
    until: datetime  # where the last step ends (the end of today)
    target: int
    goal: int | None
    logs: tuple[datetime, ...]
    names: tuple[str, str, str, str]  # rating, target, goal (with who set it), evidence
    months: tuple[str, ...]  # twelve month abbreviations in the reader's language


@dataclass(frozen=True, slots=True)
class SalarySeries:
    """One region's bands, one (low, high) per level."""

    label: str
    bands: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class SalaryData:
    """The salary grid: levels along the axis, one floating bar per region and level."""

    title: str
    levels: tuple[str, ...]
    regions: tuple[SalarySeries, ...]
    axis: str


GAP_ROWS = 8  # bars of "what to work on next" at most: the agenda names the first three

# What ``warm`` draws: every kind of text (bold title, labels, accents, arrows, €) and mark.
_SAMPLE_RADAR = RadarData(
    title="Vous et le profil CTO cible",
    labels=("Techniques\n21 %\n2/7 notées", "Managériales\naucune note", "Stratégiques\n7 %",
            "Savoir-être\n50 %", "Socle\n29 %"),
    now=(21.0, None, 7.0, 50.0, 29.0),
    past=(3.0, None, None, 20.0, 21.0),
    names=SeriesNames("Aujourd'hui", "Cible CTO", "Il y a 90 jours"),
    not_rated="Pas encore notées : Managériales",
    rings=("50 %", "100 %"),
)  # fmt: skip
_SAMPLE_GAPS = GapData(
    title="À travailler ensuite",
    rows=(
        GapRow("Vision à long terme", "strategic", 1, 5, "1 → 5"),
        GapRow("Gestion budgétaire", "managerial", 2, 4, "2 → 4"),
        GapRow("Sécurité informatique", "technical", 3, 4, "3 → 4"),
        GapRow("Écoute active", "soft", 3, 4, "3 → 4"),
        GapRow("Anglais", "foundation", 4, 5, "4 → 5"),
        GapRow("Stratégie d’innovation", "strategic", None, 5, "non notée · cible 5"),
        GapRow("Leadership d’équipe", "managerial", None, 5, "non notée · cible 5"),
        GapRow("Méthodes agiles", "technical", None, 4, "non notée · cible 4"),
    ),
    axis="Niveaux à gagner pour la cible CTO",
    categories=tuple((c, c.title()) for c in CATEGORY_COLORS),
    not_rated="non notée",
)
_SAMPLE_HISTORY = HistoryData(
    title="Sécurité informatique : historique",
    times=(datetime(2026, 1, 5, 9), datetime(2026, 3, 2, 18)),
    levels=(1, 3),
    until=datetime(2026, 4, 1),
    target=4,
    goal=5,
    logs=(datetime(2026, 2, 1, 12),),
    names=("Votre note", "Cible CTO 4/5", "Votre objectif 5/5", "Preuve consignée"),
    months=("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
            "nov.", "déc."),
)  # fmt: skip
_SAMPLE_SALARY = SalaryData(
    title="Salaires de CTO en France, par niveau et région",
    levels=("Confirmé (4-8 ans)", "Expert (8 ans et plus)"),
    regions=(
        SalarySeries("Paris", ((75, 95), (100, 140))),
        SalarySeries("Grandes villes", ((60, 80), (75, 95))),
    ),
    axis="k€ brut / an",
)


def _figure(height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, height), dpi=DPI, facecolor=CARD, edgecolor=EDGE, linewidth=3)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Any) -> bytes:
    """The figure drawn and saved without its alpha channel: the card is opaque, and three
    channels encode a quarter faster than four (zlib level 1: speed over a few kB)."""
    from PIL import Image

    fig.canvas.draw()
    rgba = Image.frombuffer("RGBA", fig.canvas.get_width_height(), fig.canvas.buffer_rgba())
    buffer = io.BytesIO()
    rgba.convert("RGB").save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def _title(fig: Any, text: str) -> None:
    wrapped = textwrap.fill(text, 44)
    fig.text(
        0.5, 0.975, wrapped, ha="center", va="top", fontsize=TITLE, weight="bold", color=INK,
        gid="title",
    )  # fmt: skip


def _style(ax: Any) -> None:
    ax.set_facecolor(CARD)
    ax.tick_params(labelsize=TEXT, colors=INK)
    for spine in ax.spines.values():
        spine.set_color(GRID)


def _legend(fig: Any, handles: list[Any], ncol: int) -> None:
    fig.legend(
        handles=_row_major(handles, ncol), loc="lower center", ncol=ncol, frameon=False, fontsize=TEXT,
        labelcolor=INK, bbox_to_anchor=(0.5, 0.01), handlelength=1.6, columnspacing=1.2,
    )  # fmt: skip


def radar_figure(data: RadarData) -> Any:
    """The five categories on a wheel: readiness now (a point per rated category, lines only
    between neighbours both rated), 90 days ago, and the target ring at 100 %."""
    fig = _radar_frame(len(data.labels))
    _radar_draw(fig, data)
    return fig


def _angles(count: int) -> list[float]:
    return [2 * math.pi * i / count for i in range(count)]


def _radar_frame(count: int) -> Any:
    """The wheel of ``count`` spokes with its rings and the target ring at 100 %."""
    fig = _figure(7.0)
    ax = fig.add_axes((0.26, 0.27, 0.48, 0.48), projection="polar")
    _style(ax)
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    angles = _angles(count)
    ax.set_xticks(angles, labels=[""] * len(angles))
    ax.set_ylim(0, 100)
    ax.set_yticks((50, 100), labels=("50 %", "100 %"), color=MUTED)
    ax.set_rlabel_position(180 / len(angles))
    ax.grid(color=GRID)
    closed = [*angles, angles[0]]
    ax.plot(closed, [100] * len(closed), "--", color=SERIES["target"], lw=1.6, gid="target")
    return fig


def _radar_draw(fig: Any, data: RadarData) -> None:
    """The series, the category labels, the title, the "not rated" line and the legend."""
    from matplotlib.lines import Line2D

    ax = fig.axes[0]
    ax.set_yticks((50, 100), labels=data.rings, color=MUTED)
    angles = _angles(len(data.labels))
    closed = [*angles, angles[0]]
    if data.past is not None:
        _wheel(ax, closed, data.past, "past", ":", "s")
    _wheel(ax, closed, data.now, "now", "-", "o")
    if all(v is not None for v in data.now):
        ax.fill(closed, [*_values(data.now), _values(data.now)[0]], color=SERIES["now"], alpha=0.15)
    for angle, label in zip(angles, data.labels, strict=True):
        ax.text(angle, 116, label, fontsize=TEXT, color=INK, gid="label", **_anchor(angle))
    _title(fig, data.title)
    if data.not_rated:
        fig.text(
            0.5, 0.155, textwrap.fill(data.not_rated, 56), ha="center", va="top",
            fontsize=TEXT, color=MUTED, gid="not-rated",
        )  # fmt: skip
    handles = [
        Line2D([], [], color=SERIES["now"], marker="o", label=data.names.now),
        Line2D([], [], color=SERIES["target"], ls="--", label=data.names.target),
    ]
    if data.past is not None:
        handles.append(
            Line2D([], [], color=SERIES["past"], ls=":", marker="s", label=data.names.past)
        )
    _legend(fig, handles, len(handles))


def _values(values: Sequence[float | None]) -> list[float]:
    """None (not rated) becomes NaN: matplotlib draws no point there and breaks the line."""
    return [math.nan if v is None else v for v in values]


def _wheel(
    ax: Any, closed: list[float], values: Sequence[float | None], kind: str, *style: str
) -> None:
    shown = _values(values)
    ax.plot(
        closed, [*shown, shown[0]], style[0], marker=style[1], markersize=8, lw=2.2,
        color=SERIES[kind], gid=kind,
    )  # fmt: skip


def _anchor(angle: float) -> dict[str, str]:
    """Alignment keeping a label outside the wheel at ``angle`` (clockwise from the top)."""
    x, y = math.sin(angle), math.cos(angle)
    ha = "left" if x > 0.2 else "right" if x < -0.2 else "center"
    va = "bottom" if y > 0.5 else "top" if y < -0.5 else "center"
    return {"ha": ha, "va": va}


def radar_png(data: RadarData) -> bytes:
    """``radar_figure`` as PNG bytes (blocking: call it off the event loop)."""
    count = len(data.labels)
    return template(("radar", count), lambda: _radar_frame(count)).render(_radar_draw, data)


def gap_figure(data: GapData) -> Any:
    """Horizontal bars of the gaps to target, first to work on at the top, coloured by
    category; skills not rated yet follow below a dashed line as grey hatched bands across
    the scale, "not rated" written in them (never a bar of 0)."""
    fig = _gap_frame(len(data.rows))
    _gap_draw(fig, data)
    return fig


def _gap_frame(count: int) -> Any:
    """The axes for ``count`` bars: the levels' scale and its grid."""
    fig = _figure(2.3 + 0.55 * count)
    ax = fig.add_subplot()
    height = fig.get_figheight()
    fig.subplots_adjust(left=0.4, right=0.97, top=1 - 0.8 / height, bottom=1.5 / height)
    _style(ax)
    ax.set_ylim(count - 0.5, -0.5)
    ax.set_xlim(0, MAX_LEVEL + 2.2)
    ax.set_xticks(range(MAX_LEVEL + 1))
    ax.grid(axis="x", color=GRID)
    ax.set_axisbelow(True)
    return fig


def _gap_draw(fig: Any, data: GapData) -> None:
    """The bars and their notes, the skills' names, the axis title, the title and legend."""
    ax = fig.axes[0]
    _gap_bars(ax, data.rows)
    ax.set_yticks(range(len(data.rows)), labels=[textwrap.fill(r.label, 22) for r in data.rows])
    ax.set_xlabel(data.axis, fontsize=TEXT, color=INK, loc="left")
    _title(fig, data.title)
    _legend(fig, _gap_legend(data), 3)


def _gap_bars(ax: Any, rows: tuple[GapRow, ...]) -> None:
    """The bars (rated) or placeholder bands (not rated) and the note at each."""
    rated = [(i, r) for i, r in enumerate(rows) if r.rating is not None]
    unrated = [(i, r) for i, r in enumerate(rows) if r.rating is None]
    ax.barh(
        [i for i, _ in rated], [r.target - (r.rating or 0) for _, r in rated], height=0.6,
        color=[CATEGORY_COLORS.get(r.category, MUTED) for _, r in rated], gid="gap",
    )  # fmt: skip
    ax.barh(
        [i for i, _ in unrated], [MAX_LEVEL] * len(unrated), height=0.6, color="none",
        edgecolor=NOT_RATED, hatch="//", lw=0.8, gid="not-rated",
    )  # fmt: skip
    if rated and unrated:  # known gaps above, unknown ones below
        ax.axhline(len(rated) - 0.5, color=MUTED, lw=1, ls="--")
    for i, row in enumerate(rows):
        if row.rating is None:  # written inside the placeholder band, on the card colour
            ax.text(0.15, i, row.note, va="center", fontsize=TEXT, color=INK, gid="note",
                    bbox={"facecolor": CARD, "edgecolor": "none", "pad": 1})  # fmt: skip
        else:
            ax.text(row.target - row.rating + 0.12, i, row.note, va="center", fontsize=TEXT,
                    color=INK, gid="note")  # fmt: skip


def _gap_legend(data: GapData) -> list[Any]:
    """One patch per category drawn, then the hatched "not rated" one if any is shown."""
    from matplotlib.patches import Patch

    shown = {r.category for r in data.rows if r.rating is not None}
    handles = [Patch(color=CATEGORY_COLORS[c], label=n) for c, n in data.categories if c in shown]
    if any(r.rating is None for r in data.rows):
        handles.append(
            Patch(facecolor="none", edgecolor=NOT_RATED, hatch="//", label=data.not_rated)
        )
    return handles


def _row_major(handles: list[Any], ncol: int) -> list[Any]:
    """``handles`` ordered so that matplotlib, which fills a legend column by column,
    shows them row by row, in reading order."""
    rows = math.ceil(len(handles) / ncol)
    return [
        handles[r * ncol + c]
        for c in range(ncol)
        for r in range(rows)
        if r * ncol + c < len(handles)
    ]


def gap_png(data: GapData) -> bytes:
    """``gap_figure`` as PNG bytes (blocking)."""
    count = len(data.rows)
    return template(("gaps", count), lambda: _gap_frame(count)).render(_gap_draw, data)


def history_figure(data: HistoryData) -> Any:
    """One skill's ratings as a step line from the first rating to today, the CTO target and
    the goal as lines, evidence as markers on the line, dates written out."""
    fig = _history_frame()
    _history_draw(fig, data)
    return fig


def _history_frame() -> Any:
    """The axes with the levels' scale and its grid."""
    fig = _figure(4.6)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.09, right=0.97, top=0.83, bottom=0.34)
    _style(ax)
    ax.set_ylim(-0.3, MAX_LEVEL + 0.4)
    ax.set_yticks(range(MAX_LEVEL + 1))
    ax.grid(axis="y", color=GRID)
    return fig


def _history_draw(fig: Any, data: HistoryData) -> None:
    """The steps, the target and goal lines, the evidence, the dates, title and legend."""
    from matplotlib.dates import date2num

    ax = fig.axes[0]
    end = max(data.until, data.times[-1])
    ax.step([*data.times, end], [*data.levels, data.levels[-1]], where="post", lw=2.4,
            color=SERIES["now"], label=data.names[0], gid="rating")  # fmt: skip
    ax.plot(data.times, data.levels, "o", color=SERIES["now"], markersize=7)
    if data.goal is not None:  # a wide band: the target's dashes stay visible on it
        ax.axhline(data.goal, lw=7, alpha=0.45, color=GOAL, label=data.names[2], gid="goal")
    ax.axhline(
        data.target, ls="--", lw=1.6, color=SERIES["target"], label=data.names[1], gid="target"
    )
    logs = [t for t in data.logs if data.times[0] <= t <= end]
    if logs:
        at = [data.levels[bisect_right(data.times, t) - 1] for t in logs]
        ax.plot(logs, at, "D", markersize=8, mfc=CARD, mec=OKABE_ITO["purple"], mew=1.8,
                label=data.names[3], gid="evidence")  # fmt: skip
    pad = max((end - data.times[0]) / 40, timedelta(hours=2))
    ax.set_xlim(date2num(data.times[0] - pad), date2num(end))
    ticks = _day_ticks(data.times[0] - pad, end)
    ax.set_xticks([date2num(t) for t in ticks], labels=_day_labels(ticks, data.months))
    _title(fig, data.title)
    _legend(fig, ax.get_legend_handles_labels()[0], 2)


def _day_ticks(start: datetime, end: datetime, most: int = 5) -> list[datetime]:
    """At most ``most`` midnights evenly spaced between ``start`` and ``end``, none so close to
    the right edge that its label would leave the picture; the start itself when the span
    holds no midnight far enough from the edge (a first rating today)."""
    first = datetime.combine(start.date() + timedelta(days=1), datetime.min.time())
    last = end - (end - start) * 0.1
    days = (last - first).days
    if days < 0:
        return [start + (end - start) * 0.15]
    step = max(1, math.ceil(days / (most - 1)))
    return [first + timedelta(days=step * k) for k in range(days // step + 1)]


def _day_labels(ticks: list[datetime], months: tuple[str, ...]) -> list[str]:
    """``2 Mar``, with the year under the first day and under each day of a new year."""
    days = [t.date() for t in ticks]
    labels = []
    for i, d in enumerate(days):
        label = f"{d.day} {months[d.month - 1]}"
        new_year = i == 0 or d.year != days[i - 1].year
        labels.append(f"{label}\n{d.year}" if new_year else label)
    return labels


def history_png(data: HistoryData) -> bytes:
    """``history_figure`` as PNG bytes (blocking)."""
    return template(("history",), _history_frame).render(_history_draw, data)


def salary_figure(data: SalaryData) -> Any:
    """The salary grid as floating bars: for each level, one bar per region from the low to
    the high end of its band, the band written above."""
    fig = _salary_frame()
    _salary_draw(fig, data)
    return fig


def _salary_frame() -> Any:
    """The axes with the grid of the salary scale."""
    fig = _figure(5.0)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.13, right=0.97, top=0.84, bottom=0.27)
    _style(ax)
    ax.grid(axis="y", color=GRID)
    ax.set_axisbelow(True)
    return fig


def _salary_draw(fig: Any, data: SalaryData) -> None:
    """One floating bar per region and level with its band, the axes' words, title, legend."""
    ax = fig.axes[0]
    width = 0.8 / len(data.regions)
    for k, region in enumerate(data.regions):
        xs = [i + (k - (len(data.regions) - 1) / 2) * width for i in range(len(data.levels))]
        lows = [low for low, _ in region.bands]
        spans = [high - low for low, high in region.bands]
        ax.bar(xs, spans, bottom=lows, width=width * 0.9, color=REGION_COLORS[k % 3],
               label=region.label, gid=f"region-{k}")  # fmt: skip
        for x, (low, high) in zip(xs, region.bands, strict=True):
            ax.text(x, high + 1.5, f"{low}–{high}", ha="center", va="bottom", fontsize=TEXT,
                    color=INK, gid="band")  # fmt: skip
    every = [v for r in data.regions for band in r.bands for v in band]
    ax.set_ylim(10 * math.floor((min(every) - 10) / 10), max(every) + 14)
    ax.set_xticks(range(len(data.levels)), labels=list(data.levels))
    ax.set_ylabel(data.axis, fontsize=TEXT, color=INK)
    _title(fig, data.title)
    _legend(fig, ax.get_legend_handles_labels()[0], len(data.regions))


def salary_png(data: SalaryData) -> bytes:
    """``salary_figure`` as PNG bytes (blocking)."""
    return template(("salary",), _salary_frame).render(_salary_draw, data)


class Template:
    """A picture's frame built once and drawn on again and again: ``render`` draws the data,
    saves the PNG, then takes off every artist the drawing added and resets the data
    limits, so each render starts from the same frame and gives the bytes a fresh figure
    would. One render at a time (a lock: renders run in worker threads)."""

    def __init__(self, frame: Any) -> None:
        self.frame = frame
        self.lock = threading.Lock()
        self._fixed = {id(a) for a in _removable(frame)}
        self._autoscale = [(ax.get_autoscalex_on(), ax.get_autoscaley_on()) for ax in frame.axes]

    def render(self, draw: Callable[[Any, D], None], data: D) -> bytes:
        """``draw(frame, data)`` as PNG bytes, the frame left as it was built."""
        with self.lock:
            try:
                draw(self.frame, data)
                return _png(self.frame)
            finally:
                self._reset()

    def _reset(self) -> None:
        for artist in _removable(self.frame):
            if id(artist) not in self._fixed:
                artist.remove()
        for ax, (x, y) in zip(self.frame.axes, self._autoscale, strict=True):
            ax.containers.clear()
            ax.relim()  # the removed bars would otherwise still widen the autoscaled axis
            ax.set_autoscalex_on(x)
            ax.set_autoscaley_on(y)


def _removable(fig: Any) -> list[Any]:
    """What drawing data adds: the figure's texts and legends, the axes' plotted artists."""
    found = [*fig.texts, *fig.legends]
    for ax in fig.axes:
        found += [*ax.lines, *ax.patches, *ax.texts, *ax.collections]
    return found


_TEMPLATES: dict[Hashable, Template] = {}
_TEMPLATES_LOCK = threading.Lock()


def template(shape: Hashable, frame: Callable[[], Any]) -> Template:
    """The process's template for a picture of ``shape`` (its kind and what sizes its frame),
    built by ``frame()`` on first use."""
    with _TEMPLATES_LOCK:
        found = _TEMPLATES.get(shape)
        if found is None:
            found = _TEMPLATES[shape] = Template(frame())
        return found


def warm() -> None:
    """Import matplotlib, build the usual templates and render each picture once, so the
    first learner to ask pays none of it (blocking: call it off the event loop at start)."""
    radar_png(_SAMPLE_RADAR)
    for count in range(1, GAP_ROWS + 1):
        gap_png(replace(_SAMPLE_GAPS, rows=_SAMPLE_GAPS.rows[:count]))
    history_png(_SAMPLE_HISTORY)
    salary_png(_SAMPLE_SALARY)


def chart_cache(services: Services) -> Memo:
    """The process's rendered charts (PNG bytes, 30-100 kB each, so 256 at most)."""
    return memo(services, "charts", max_entries=256)


async def cached_png(
    services: Services, key: Hashable, draw: Callable[[D], bytes], data: D
) -> bytes:
    """``draw(data)`` rendered in a worker thread, or the PNG already rendered under ``key``.

    ``key`` must change whenever ``data`` would: it holds the data version.
    """
    return await chart_cache(services).get(key, lambda: asyncio.to_thread(draw, data))


async def cached_drawing(services: Services, key: Hashable, draw: Callable[[], bytes]) -> bytes:
    """Like ``cached_png`` for a picture whose data costs something to put together:
    ``draw()`` (data and render) runs in a worker thread only when ``key`` is missing."""
    return await chart_cache(services).get(key, lambda: asyncio.to_thread(draw))
