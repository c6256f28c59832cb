"""The progress pictures, read from their figure objects rather than their pixels: which
series are drawn, unrated skills never plotted as 0, labels that do not collide, text big
enough once shrunk by the platform, and the same order in the gap chart and the agenda."""

from __future__ import annotations

import math
from datetime import datetime
from itertools import combinations
from typing import Any

import pytest

from coachbot.adapters.discord.render import render as discord_render
from coachbot.adapters.slack.render import uploads as slack_uploads
from coachbot.app import App
from coachbot.knowledge.models import KnowledgeBase
from coachbot.mentors.agenda import agenda
from coachbot.reply import Image, Reply
from coachbot.tracker import pictures
from coachbot.tracker.charts import (
    WIDTH,
    GapData,
    HistoryData,
    RadarData,
    SalaryData,
    gap_figure,
    history_figure,
    min_text_points,
    radar_figure,
    salary_figure,
)
from coachbot.tracker.labels import MONTHS
from coachbot.tracker.profile import LearnerProfile
from coachbot.tracker.readiness import weakest
from tests.chat import ChatBot


@pytest.fixture
async def en(bot: ChatBot) -> ChatBot:
    """Alice, who chose English."""
    await bot.say("/coach language en")
    return bot


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """The data of every overview picture drawn, by kind."""
    seen: dict[str, list[Any]] = {"radar": [], "gaps": []}
    for kind, name in (("radar", "radar_png"), ("gaps", "gap_png")):
        real = getattr(pictures, name)

        def spy(data: Any, real: Any = real, kind: str = kind) -> bytes:
            seen[kind].append(data)
            return bytes(real(data))

        monkeypatch.setattr(pictures, name, spy)
    return seen


def by_gid(fig: Any, gid: str) -> list[Any]:
    """The artists of ``fig`` carrying ``gid``."""
    return list(fig.findobj(lambda a: a.get_gid() == gid))


def texts(fig: Any) -> list[Any]:
    """Every visible, non-empty text of ``fig`` once drawn: titles, labels, ticks, legend."""
    fig.canvas.draw()
    found = fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_fontsize"))
    return [t for t in found if t.get_visible() and t.get_text().strip()]


def assert_readable(fig: Any) -> None:
    """No two texts overlap, all sit inside the picture, none is under 11 px once shown."""
    renderer = fig.canvas.get_renderer()
    shown = texts(fig)
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in shown]
    for (a, box_a), (b, box_b) in combinations(boxes, 2):
        assert not box_a.overlaps(box_b), f"{a!r} overlaps {b!r}"
    picture = fig.bbox
    for text, box in boxes:
        assert picture.x0 <= box.x0 and box.x1 <= picture.x1, f"{text!r} leaves the picture"
        assert picture.y0 <= box.y0 and box.y1 <= picture.y1, f"{text!r} leaves the picture"
    assert all(t.get_fontsize() >= min_text_points(WIDTH) for t in shown)


async def test_two_ratings_make_two_category_points_and_a_not_rated_list(
    en: ChatBot, drawn: dict[str, list[Any]]
) -> None:
    await en.say("/progress rate skill:security level:2")
    await en.say("/progress rate skill:leadership level:3")
    await en.reply("/progress show")
    (data,) = drawn["radar"]
    assert isinstance(data, RadarData)
    assert [v is not None for v in data.now] == [True, True, False, False, False]
    assert data.not_rated == "Not rated yet: Strategic, Soft skills, Foundations"
    fig = radar_figure(data)
    (now,) = by_gid(fig, "now")
    values = list(now.get_ydata())
    assert sum(not math.isnan(v) for v in values[:-1]) == 2
    assert 0 not in values  # not rated is not drawn at the centre
    assert by_gid(fig, "target") and not by_gid(fig, "past")  # nothing 90 days ago
    assert len(by_gid(fig, "label")) == 5
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["50%", "100%"]
    assert_readable(fig)


async def test_the_gap_chart_draws_unrated_skills_hatched_never_as_zero(
    en: ChatBot, drawn: dict[str, list[Any]]
) -> None:
    await en.say("/progress rate skill:security level:1")
    await en.say("/progress rate skill:english level:5")  # at its target: nothing to work on
    await en.reply("/progress show")
    (data,) = drawn["gaps"]
    assert isinstance(data, GapData)
    assert data.rows[0].label == "IT security"
    assert all(r.rating is None for r in data.rows[1:])
    assert "English" not in [r.label for r in data.rows]
    fig = gap_figure(data)
    rated, hatched = by_gid(fig, "gap"), by_gid(fig, "not-rated")
    assert [b.get_width() for b in rated] == [3]  # IT security: 1 -> 4
    assert len(hatched) == len(data.rows) - 1
    assert all(b.get_hatch() == "//" and b.get_width() > 0 for b in hatched)
    assert [t.get_text() for t in by_gid(fig, "note")][:2] == ["1 → 4", "not rated · target 5"]
    assert_readable(fig)


async def test_the_gap_chart_and_the_agenda_name_the_same_first_three_skills(
    en: ChatBot, drawn: dict[str, list[Any]], kb: KnowledgeBase
) -> None:
    ratings = {"it_security": 1, "team_leadership": 2, "budget_management": 1, "english": 2}
    for skill, level in ratings.items():
        await en.say(f"/progress rate skill:{skill} level:{level}")
    await en.reply("/progress show")
    chart = [r.label for r in drawn["gaps"][-1].rows[:3]]
    profile = LearnerProfile(None, None, ratings, weakest(ratings, kb.skills))
    items = agenda(kb, en.app.registry, profile, "en")[:3]
    assert [item.split("**")[1] for item in items] == chart
    fig = gap_figure(drawn["gaps"][-1])
    ticks = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    assert ticks[:3] == chart


def history(**changes: Any) -> HistoryData:
    base: dict[str, Any] = {
        "title": "IT security: history",
        "times": (datetime(2026, 9, 2, 10), datetime(2026, 10, 1, 9), datetime(2026, 11, 20)),
        "levels": (1, 2, 3),
        "until": datetime(2026, 12, 8),
        "target": 4,
        "goal": 5,
        "logs": (datetime(2026, 8, 1), datetime(2026, 9, 10), datetime(2026, 12, 1)),
        "names": ("Your rating", "CTO target 4/5", "Your goal 5/5 (set by you)", "Evidence"),
        "months": MONTHS["en"],
    }
    return HistoryData(**(base | changes))


def test_history_runs_from_the_first_rating_with_goal_and_evidence_markers() -> None:
    from matplotlib.dates import num2date

    fig = history_figure(history())
    ax = fig.axes[0]
    start, end = (num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    first = datetime(2026, 9, 2, 10)
    assert first - (end - first) / 30 < start < first and end == datetime(2026, 12, 8)
    assert [line.get_ydata()[0] for line in by_gid(fig, "target") + by_gid(fig, "goal")] == [4, 5]
    (evidence,) = by_gid(fig, "evidence")
    assert list(evidence.get_ydata()) == [1, 3]  # the log before the first rating is left out
    assert next(t.get_text() for t in ax.get_xticklabels()) == "1 Sep\n2026"
    assert "Your goal 5/5 (set by you)" in [t.get_text() for t in fig.legends[0].get_texts()]
    assert_readable(fig)


def test_history_dates_are_in_the_readers_language() -> None:
    fig = history_figure(history(months=MONTHS["fr"], until=datetime(2027, 1, 20)))
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels[0] == "30 août\n2026" and any(label.endswith("\n2027") for label in labels)
    assert_readable(fig)


def test_a_single_rating_today_still_draws_a_readable_chart() -> None:
    fig = history_figure(
        history(times=(datetime(2026, 12, 7, 9),), levels=(3,), logs=(), goal=None)
    )
    assert not by_gid(fig, "goal") and not by_gid(fig, "evidence")
    assert_readable(fig)


async def test_the_salary_grid_has_its_picture_of_ranges_on_every_platform(
    en: ChatBot, drawn: dict[str, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from coachbot.commands import cto

    seen: list[SalaryData] = []
    real = cto.salary_png
    monkeypatch.setattr(cto, "salary_png", lambda data: seen.append(data) or real(data))
    reply = await en.reply("/cto salary")
    (image,) = [b for b in reply.blocks if isinstance(b, Image)]
    assert image.alt.startswith("Bars of the yearly gross salary bands — Confirmed, Paris: 75–95")
    fig = salary_figure(seen[0])
    paris = by_gid(fig, "region-0")
    assert [(b.get_y(), b.get_y() + b.get_height()) for b in paris] == [(75, 95), (100, 140)]
    assert len(by_gid(fig, "region-1")) == len(by_gid(fig, "region-2")) == 2
    assert_readable(fig)
    files = [f for m in discord_render(reply, workspace="w") for f in m.files]
    assert [f.description for f in files] == [image.alt]
    assert [u.title for u in slack_uploads(reply) if u.is_image] == [image.alt[:250]]


async def test_one_choice_draws_only_its_bars(bot: ChatBot) -> None:
    reply = await bot.reply("/cto salaire region:paris niveau:expert")
    (image,) = [b for b in reply.blocks if isinstance(b, Image)]
    assert image.alt == (
        "Barres des fourchettes de salaire brut annuel — Expert, Paris : 100–140 k€"
    )


def alts(reply: Reply) -> list[str]:
    return [b.alt for b in reply.blocks if isinstance(b, Image)]


async def test_every_picture_speaks_the_readers_language(bot: ChatBot, app: App) -> None:
    await bot.say("/progression noter competence:security niveau:2")
    await bot.say("/progression consigner competence:security note:revue d'incident")
    french = [
        *alts(await bot.reply("/progression voir")),
        *alts(await bot.reply("/progression historique competence:security")),
        *alts(await bot.reply("/cto salaire")),
    ]
    assert len(french) == 4
    assert french[0].startswith("Vous et le profil CTO cible : préparation par catégorie")
    assert french[1].startswith("À travailler ensuite, le plus grand écart d'abord")
    assert french[2].startswith("Sécurité informatique : de 2/5 le")
    assert "1 preuve(s) consignée(s)" in french[2]
    await bot.say("/coach language en")
    english = alts(await bot.reply("/progress history skill:security"))
    assert english[0].startswith("IT security: from 2/5 on") and "1 evidence log(s)" in english[0]
