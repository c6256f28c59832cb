"""The fourth untuned holdout of issue #9 (``answers_holdout_4.toml``), measured as a user
reads the answer: written apart on branch i9h4 from the content, the issue and the
answer-set schema only, never run on the bot while written, never tuned on."""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from coachbot.app import App, build_app
from coachbot.commands.answers import WELCOME
from coachbot.knowledge.facts import fill
from coachbot.knowledge.models import Fact
from coachbot.settings import Settings
from tests.answerset import load, measure, squash

HOLDOUT = Path(__file__).parent / "data" / "answers_holdout_4.toml"
CONTENT = Path(__file__).parent.parent / "coachbot" / "content"
# The files the bot answers from (topics, typical day, salary grid, skills, figures).
ANSWERED_FROM = ("topics/*.toml", "day.toml", "salary.toml", "skills.toml")
LANGS = ("fr", "en")
# The target for a holdout is 0.90. Measured once, by the lead, after the evening
# rounds (7 December 2026, main at 1b88638): 113/120 = 0.942,
# the first and only time it was run. Held at that figure rounded down, so a regression
# fails. Never edit a question or a label so the bot passes.
HOLDOUT_4_FLOOR = 0.94


@pytest.fixture
async def bare_app(settings: Settings, clock, kb) -> AsyncIterator[App]:  # type: ignore[no-untyped-def]
    """The bot as ``coachbot ask`` runs it: no database."""
    yield build_app(settings, clock=clock, kb=kb, with_database=False)


def _strings(node: object, lang: str) -> Iterator[str]:
    """Every string and number under ``node``, leaving out the other language's entries."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in LANGS and key != lang:
                continue
            yield from _strings(value, lang)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, lang)
    elif isinstance(node, str | int | float) and not isinstance(node, bool):
        yield str(node)


def content_text(lang: str) -> str:
    """The content in ``lang``, figures filled in as the bot writes them, squashed."""
    raw = tomllib.loads((CONTENT / "facts.toml").read_text(encoding="utf-8"))
    facts = {k: Fact(k, v["kind"], v["value"], v["source"]) for k, v in raw.items()}
    parts = [WELCOME.get(lang)]  # type: ignore[arg-type]
    for pattern in ANSWERED_FROM:
        for path in sorted(CONTENT.glob(pattern)):
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            parts.extend(fill(s, facts, lang) for s in _strings(data, lang))  # type: ignore[arg-type]
    return squash("\n".join(parts))


def test_the_fourth_holdout_is_bilingual_labelled_and_has_out_of_scope() -> None:
    questions = load(HOLDOUT)
    assert len(questions) >= 80
    langs = [q["lang"] for q in questions]
    assert set(langs) == set(LANGS)
    assert langs.count("fr") == langs.count("en")
    assert all(bool(q.get("facts")) != bool(q.get("out_of_scope")) for q in questions)
    assert sum(1 for q in questions if q.get("out_of_scope")) >= 10
    texts = [squash(str(q["text"])) for q in questions]
    assert len(set(texts)) == len(texts), "a question is asked twice"


def test_every_labelled_fact_of_the_fourth_holdout_is_in_the_content_of_its_language() -> None:
    content = {lang: content_text(lang) for lang in LANGS}
    unfound = []
    for q in load(HOLDOUT):
        for fact in q.get("facts", []):  # type: ignore[attr-defined]
            options = fact if isinstance(fact, list) else [fact]
            unfound += [
                (q["text"], o) for o in options if squash(str(o)) not in content[str(q["lang"])]
            ]
    assert not unfound, unfound


async def test_the_fourth_holdout_gets_its_answers(bare_app: App) -> None:
    score = await measure(bare_app, HOLDOUT)
    assert score.share >= HOLDOUT_4_FLOOR, f"{score.passed}/{score.total}\n\n" + "\n\n".join(
        score.misses
    )
