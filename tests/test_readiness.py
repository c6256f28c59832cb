"""The pure parts of the tracker: readiness score, weakest skills, streak counting, rules, escaping."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from coachbot.app import build_registry
from coachbot.i18n import Localized
from coachbot.knowledge.loader import default_knowledge
from coachbot.knowledge.models import KnowledgeBase, Skill
from coachbot.markup import neutralize
from coachbot.tracker import readiness
from coachbot.tracker.activity import count_streak
from coachbot.tracker.milestones import Facts, reached
from coachbot.tracker.report import md

REGISTRY = build_registry(default_knowledge())


def skill(id_: str, category: str, target: int) -> Skill:
    name = Localized(id_, id_)
    return Skill(id_, category, target, (), name, name)  # type: ignore[arg-type]


CATALOG = {
    s.id: s
    for s in (
        skill("lead", "managerial", 5),
        skill("sec", "technical", 4),
        skill("web", "technical", 4),
        skill("law", "foundation", 3),
    )
}
levels = st.integers(min_value=0, max_value=5)
ratings = st.dictionaries(st.sampled_from(sorted(CATALOG)), levels)


def test_readiness_is_the_share_of_target_points_reached() -> None:
    # lead 5/5, sec 2/4, web unrated, law 5 capped at 3: (5 + 2 + 0 + 3) / 16
    score = readiness.readiness_score({"lead": 5, "sec": 2, "law": 5}, CATALOG.values())
    assert score == 100 * 10 / 16


def test_categories_average_their_rated_skills() -> None:
    result = readiness.compute({"sec": 2, "web": 5}, CATALOG)
    technical = next(c for c in result.categories if c.category == "technical")
    assert (technical.average, technical.rated, technical.total) == (3.5, 2, 2)
    assert technical.readiness == 100 * 6 / 8
    managerial = next(c for c in result.categories if c.category == "managerial")
    assert managerial.average is None and managerial.readiness == 0
    assert [c.category for c in result.categories] == ["technical", "managerial", "foundation"]


@given(ratings)
def test_readiness_stays_between_0_and_100(given_ratings: dict[str, int]) -> None:
    assert 0 <= readiness.readiness_score(given_ratings, CATALOG.values()) <= 100


@given(ratings, st.sampled_from(sorted(CATALOG)), levels)
def test_readiness_never_drops_when_a_rating_rises(
    given_ratings: dict[str, int], skill_id: str, level: int
) -> None:
    before = readiness.readiness_score(given_ratings, CATALOG.values())
    raised = {**given_ratings, skill_id: max(level, given_ratings.get(skill_id, 0))}
    assert readiness.readiness_score(raised, CATALOG.values()) >= before


def test_full_marks_only_at_the_target_profile(kb: KnowledgeBase) -> None:
    targets = {s.id: s.target for s in kb.skills.values()}
    assert readiness.readiness_score(targets, kb.skills.values()) == 100
    assert readiness.readiness_score({}, kb.skills.values()) == 0
    below = {**targets, "law": targets["law"] - 1}
    assert readiness.readiness_score(below, kb.skills.values()) < 100


def test_every_category_at_three_needs_every_skill_rated() -> None:
    assert readiness.compute(dict.fromkeys(CATALOG, 3), CATALOG).all_categories_at(3)
    assert not readiness.compute({"lead": 5, "sec": 5, "law": 5}, CATALOG).all_categories_at(3)
    assert not readiness.compute(
        {**dict.fromkeys(CATALOG, 3), "sec": 2}, CATALOG
    ).all_categories_at(3)


def test_weakest_puts_low_ratings_first_then_high_targets_then_ids() -> None:
    assert readiness.weakest({"sec": 1, "lead": 4}, CATALOG) == ("web", "law", "sec", "lead")
    assert readiness.weakest({}, CATALOG) == ("lead", "sec", "web", "law")


TODAY = date(2026, 3, 2)


def test_streak_ends_today_or_yesterday() -> None:
    days = [TODAY - timedelta(days=n) for n in (1, 2, 3, 5)]
    assert count_streak(days, TODAY) == 3
    assert count_streak([TODAY, *days], TODAY) == 4
    assert count_streak([TODAY - timedelta(days=2)], TODAY) == 0
    assert count_streak([], TODAY) == 0


@given(st.sets(st.integers(min_value=0, max_value=60)))
def test_streak_is_the_run_of_active_days_reaching_today_or_yesterday(offsets: set[int]) -> None:
    days = [TODAY - timedelta(days=n) for n in offsets]
    start = 0 if 0 in offsets else 1
    expected = 0
    while start + expected in offsets:
        expected += 1
    assert count_streak(days, TODAY) == expected


def facts(**changes: object) -> Facts:
    base = {
        "has_rating": False,
        "has_log": False,
        "streak": 0,
        "readiness": readiness.compute({}, CATALOG),
    }
    return Facts(**{**base, **changes})  # type: ignore[arg-type]


def test_milestone_rules() -> None:
    assert [r.key for r in reached(facts(), REGISTRY)] == []
    keys = [r.key for r in reached(facts(has_rating=True, has_log=True, streak=30), REGISTRY)]
    assert keys == ["first_rating", "first_log", "streak_7", "streak_30"]
    full = readiness.compute(dict.fromkeys(CATALOG, 5), CATALOG)
    assert {"readiness_50", "readiness_80", "readiness_100", "all_categories_3"} <= {
        r.key for r in reached(facts(readiness=full), REGISTRY)
    }
    goal = facts(goal_id=7, goal_skill=Localized("Budget", "Budget"), goal_target=4, goal_level=3)
    assert "goal_7" not in [r.key for r in reached(goal, REGISTRY)]
    done = facts(goal_id=7, goal_skill=Localized("B", "B"), goal_target=4, goal_level=4)
    assert "goal_7" in [r.key for r in reached(done, REGISTRY)]


@given(st.text(max_size=300))
def test_markdown_escaping_keeps_user_text_on_one_inert_line(text: str) -> None:
    out = md(text)
    assert "\n" not in out and "\x00" not in out
    assert not out.startswith(("#", "-", "|", ">", "=", "*", "+"))
    # every markdown-special character is escaped
    unescaped = []
    i = 0
    while i < len(out):
        if out[i] == "\\":
            i += 2
            continue
        unescaped.append(out[i])
        i += 1
    assert not set("`*_[]<>|#~") & set(unescaped)
    assert out.replace("\\", "") == " ".join(neutralize(text).split()).replace("\\", "")
