"""The third untuned holdout of issue #9 (``answers_holdout_3.toml``), measured as a user
reads the answer: written apart on branch i9h3 from the content and the answer-set
schema only, never run on the bot while written, never tuned on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from coachbot.app import App, build_app
from coachbot.settings import Settings
from tests.answerset import load, measure

HOLDOUT = Path(__file__).parent / "data" / "answers_holdout_3.toml"
# The target for a holdout is 0.90. Measured 96/120 = 0.80 the first time it was
# run (7 December 2026, main at 688bc17), 110/120 = 0.917 after the generalisation rounds
# i9r, i9r2 and i9r3, which never opened it; 113/120 = 0.942 after the evening rounds
# (i9s, i9w, i9f, i9d, i9L, i9o, i9g), which never opened it either. Held at its last
# figure rounded down, so a regression fails. Never edit a question or a label so the
# bot passes.
FLOOR = 0.94


@pytest.fixture
async def bare_app(settings: Settings, clock, kb) -> AsyncIterator[App]:  # type: ignore[no-untyped-def]
    """The bot as ``coachbot ask`` runs it: no database."""
    yield build_app(settings, clock=clock, kb=kb, with_database=False)


def test_the_third_holdout_is_bilingual_labelled_and_has_out_of_scope() -> None:
    questions = load(HOLDOUT)
    assert len(questions) >= 80
    langs = [q["lang"] for q in questions]
    assert langs.count("fr") == langs.count("en")
    assert all(bool(q.get("facts")) != bool(q.get("out_of_scope")) for q in questions)
    assert sum(1 for q in questions if q.get("out_of_scope")) >= 10


async def test_the_third_holdout_gets_its_answers(bare_app: App) -> None:
    score = await measure(bare_app, HOLDOUT)
    assert score.share >= FLOOR, f"{score.passed}/{score.total}\n\n" + "\n\n".join(score.misses)
