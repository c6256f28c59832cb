"""Charts: valid PNGs, rendered off the event loop, cached until the learner's data changes."""

from __future__ import annotations

import struct
import threading
from datetime import datetime, timedelta

import pytest

from coachbot.app import App
from coachbot.clock import FakeClock
from coachbot.reply import Image
from coachbot.services import Services
from coachbot.tracker import history
from coachbot.tracker.cache import Memo
from coachbot.tracker.charts import (
    GapData,
    GapRow,
    HistoryData,
    RadarData,
    SalaryData,
    SalarySeries,
    SeriesNames,
    _png,
    cached_png,
    chart_cache,
    gap_figure,
    gap_png,
    history_figure,
    history_png,
    radar_figure,
    radar_png,
    salary_figure,
    salary_png,
    warm,
)
from coachbot.tracker.labels import MONTHS
from tests.chat import ChatBot

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (which must come first)."""
    assert data.startswith(PNG_MAGIC)
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    assert data.endswith(b"IEND\xaeB`\x82")
    return width, height


def test_radar_is_a_valid_png() -> None:
    data = RadarData(
        title="You",
        labels=("a", "b", "c", "d", "e"),
        now=(10.0, None, 50.0, 75.0, None),
        past=(0.0, None, None, 20.0, None),
        names=SeriesNames("now", "target", "before"),
        not_rated="Not rated yet: b, e",
    )
    assert png_size(radar_png(data)) == (640, 700)


def test_history_is_a_valid_png_even_with_one_point() -> None:
    data = HistoryData(
        title="IT security",
        times=(datetime(2026, 3, 2, 10),),
        levels=(3,),
        until=datetime(2026, 3, 3),
        target=4,
        goal=5,
        logs=(),
        names=("rating", "target", "goal", "evidence"),
        months=MONTHS["en"],
    )
    assert png_size(history_png(data)) == (640, 460)


RADARS = [
    RadarData("You", ("a", "b", "c", "d", "e"), (10.0, None, 50.0, 75.0, None),
              (0.0, None, None, 20.0, None), SeriesNames("now", "target", "before"), "b, e"),
    RadarData("Vous", ("v", "w", "x", "y", "z"), (90.0, 80.0, 70.0, 60.0, 50.0), None,
              SeriesNames("maintenant", "cible", "avant"), None),
]  # fmt: skip
GAPS = [
    GapData("Next", (GapRow("IT security", "technical", 1, 4, "1 → 4"),
                     GapRow("Vision", "strategic", None, 5, "not rated")),
            "Levels", (("technical", "Technical"), ("strategic", "Strategic")), "not rated"),
    GapData("Ensuite", (GapRow("Budget", "managerial", 3, 4, "3 → 4"),
                        GapRow("Écoute", "soft", 2, 5, "2 → 5")),
            "Niveaux", (("managerial", "Managériales"), ("soft", "Savoir-être")), "non notée"),
]  # fmt: skip
HISTORIES = [
    HistoryData("IT security", (datetime(2026, 3, 2, 10), datetime(2026, 5, 1)), (1, 3),
                datetime(2026, 6, 1), 4, 5, (datetime(2026, 4, 1),), ("r", "t", "g", "e"),
                MONTHS["en"]),
    HistoryData("Budget", (datetime(2025, 11, 2, 10),), (2,), datetime(2027, 1, 5), 3, None,
                (), ("n", "c", "o", "p"), MONTHS["fr"]),
]  # fmt: skip
SALARIES = [
    SalaryData("Grid", ("Confirmed", "Expert"), (SalarySeries("Paris", ((75, 95), (100, 140))),
               SalarySeries("Lyon", ((60, 80), (75, 95)))), "k€"),
    SalaryData("Grille", ("Expert",), (SalarySeries("Paris", ((100, 140),)),), "k€"),
]  # fmt: skip


def test_a_reused_frame_renders_what_a_fresh_figure_would_whatever_came_before() -> None:
    warm()  # the templates have drawn other data already
    pictures = [
        (radar_png, radar_figure, RADARS),
        (gap_png, gap_figure, GAPS),
        (history_png, history_figure, HISTORIES),
        (salary_png, salary_figure, SALARIES),
    ]
    for png, figure, samples in pictures:
        first, second = samples
        for data in (first, second, first, second):
            assert png(data) == _png(figure(data)), data.title


async def test_charts_render_once_per_key_in_a_worker_thread(app: App) -> None:
    threads: list[int] = []

    def draw(data: str) -> bytes:
        threads.append(threading.get_ident())
        return data.encode()

    services: Services = app.services
    assert await cached_png(services, "a", draw, "png") == b"png"
    assert await cached_png(services, "a", draw, "other") == b"png"
    assert (chart_cache(services).hits, chart_cache(services).misses) == (1, 1)
    assert threads and threading.get_ident() not in threads


async def test_the_memo_drops_the_least_recently_used() -> None:
    memo = Memo(max_entries=2)
    computed: list[str] = []

    async def compute(key: str) -> str:
        computed.append(key)
        return key

    for key in ("a", "b", "a", "c", "b", "a"):
        await memo.get(key, lambda key=key: compute(key))
    # "b" was dropped when "c" came in (a was used more recently), then "a" when "b" came back
    assert computed == ["a", "b", "c", "b", "a"]
    assert (memo.hits, memo.misses) == (1, 5)


async def test_show_caches_its_two_pictures_until_the_data_changes(
    bot: ChatBot, app: App, clock: FakeClock
) -> None:
    cache = chart_cache(app.services)
    await bot.say("/progress rate skill:security level:2")
    first = await bot.reply("/progress show")
    assert (cache.hits, cache.misses) == (0, 2)  # the radar and "what to work on next"
    second = await bot.reply("/progress show")
    assert (cache.hits, cache.misses) == (2, 2)
    images = [[b.data for b in r.blocks if isinstance(b, Image)] for r in (first, second)]
    assert len(images[0]) == 2 and images[0] == images[1]
    await bot.say("/progress log skill:security note:evidence does not change them")
    await bot.reply("/progress show")
    assert (cache.hits, cache.misses) == (4, 2)
    await bot.say("/progress rate skill:security level:3")
    await bot.reply("/progress show")
    assert cache.misses == 4
    await bot.say("/progress goal skill:security level:4")
    await bot.reply("/progress show")
    assert cache.misses == 6
    clock.advance(timedelta(days=1))  # "90 days ago" moved: only the radar is drawn again
    await bot.reply("/progress show")
    assert (cache.hits, cache.misses) == (5, 7)
    await bot.reply("/progress show chart:false")
    assert (cache.hits, cache.misses) == (5, 7)


async def test_each_person_has_their_own_chart(bot: ChatBot, app: App) -> None:
    cache = chart_cache(app.services)
    await bot.say("/progress rate skill:security level:2")
    await bot.reply("/progress show")
    bot.as_("bob")
    await bot.say("/progress rate skill:security level:2")
    await bot.reply("/progress show")
    assert cache.misses == 4


async def test_history_chart_is_cached_and_refreshed(bot: ChatBot, app: App) -> None:
    cache = chart_cache(app.services)
    await bot.say("/progress rate skill:security level:2")
    first = await bot.reply("/progress history skill:security")
    (image,) = [b for b in first.blocks if isinstance(b, Image)]
    png_size(image.data)
    await bot.reply("/progress history skill:security")
    assert (cache.hits, cache.misses) == (1, 1)
    await bot.say("/progress rate skill:security level:4")
    await bot.reply("/progress history skill:security")
    assert cache.misses == 2


async def test_chart_files_are_written_by_the_console(bot: ChatBot, app: App) -> None:
    await bot.say("/progress rate skill:security level:2")
    text = await bot.say("/progress show")
    path = text.split("[chart] ")[1].splitlines()[0].rsplit(": ", 1)[1]
    with open(path, "rb") as handle:
        png_size(handle.read())


async def test_the_history_picture_is_drawn_again_only_when_its_data_changes(
    bot: ChatBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[HistoryData] = []
    real = history.history_png
    monkeypatch.setattr(history, "history_png", lambda data: drawn.append(data) or real(data))
    show = "/progress history skill:security"
    await bot.say("/progress rate skill:security level:2")
    await bot.say(show)
    for unrelated in ("/progress show", "/help", "/coach language en", "/coach language fr"):
        await bot.say(unrelated)
        await bot.say(show)
    assert len(drawn) == 2  # one per language: nothing they show moved
    await bot.say("/progress log skill:security note:ran the incident review")
    await bot.say(show)
    assert len(drawn) == 3 and len(drawn[-1].logs) == 1
    await bot.say("/progress goal skill:security level:4")
    await bot.say(show)
    assert len(drawn) == 4 and drawn[-1].goal == 4
    await bot.say("/progress rate skill:security level:3")
    await bot.say(show)
    await bot.say(show)
    assert len(drawn) == 5 and drawn[-1].levels == (2, 3)
