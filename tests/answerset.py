"""The answer set measured: each question asked as a new user, its rendered answer checked.

A question passes when every labelled fact is in the first ``WINDOW`` characters of the
rendered answer (compared without accents, case or whitespace) and the answer is in the
expected language; an out-of-scope question passes when the answer says so.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from coachbot.adapters.console import ConsoleRenderer
from coachbot.app import App
from coachbot.commands.answers import OUT_OF_SCOPE
from coachbot.dispatch import Invocation
from coachbot.identity import PersonRef
from coachbot.knowledge.language import detect

WINDOW = 600
# The console's default folder for pictures (config.example.toml).
CHARTS_AS_SHOWN = "charts"


@dataclass(frozen=True)
class Score:
    """How many questions of a set were answered, and what the misses looked like."""

    passed: int
    total: int
    misses: tuple[str, ...]

    @property
    def share(self) -> float:
        return self.passed / self.total


def squash(text: str) -> str:
    """NFKD, accents removed, casefolded, all whitespace removed."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return "".join(bare.split())


def load(path: Path) -> list[dict[str, object]]:
    """The questions of an answer-set file."""
    return list(tomllib.loads(path.read_text(encoding="utf-8"))["question"])


async def rendered(app: App, question: str, user: str) -> str:
    """The console text of the answer to ``question`` asked by a new ``user``, no locale."""
    person = PersonRef("console", "answerset", user)
    reply = await app.dispatcher.dispatch(
        Invocation(person, ("cto", "ask"), {"question": question})
    )
    charts = app.services.settings.console.charts_dir
    text = ConsoleRenderer(Path(charts)).render(reply)
    # A picture's line names its file: measured as the default `charts` folder shows it, so
    # a test's long temporary folder pushes no fact out of the window.
    return text.replace(str(charts), CHARTS_AS_SHOWN)


def verdict(question: dict[str, object], text: str) -> str | None:
    """Why the answer ``text`` misses ``question``, or None when it holds."""
    lang = str(question["lang"])
    head = squash(text[:WINDOW])
    if question.get("out_of_scope"):
        said = squash(OUT_OF_SCOPE.get(lang)) in head  # type: ignore[arg-type]
        return None if said else "not answered as out of scope"
    if squash(OUT_OF_SCOPE.get(lang)) in head:  # type: ignore[arg-type]
        return "answered as out of scope"
    missing = [f for f in question["facts"] if not _holds(f, head)]  # type: ignore[attr-defined]
    if missing:
        return f"missing {missing}"
    shown = detect(text[:WINDOW])
    return None if shown in (lang, None) else f"answered in {shown}"


def _holds(fact: object, head: str) -> bool:
    options = fact if isinstance(fact, list) else [fact]
    return any(squash(str(o)) in head for o in options)


async def measure(app: App, path: Path) -> Score:
    """Ask every question of ``path`` and score the answers."""
    misses = []
    questions = load(path)
    for i, question in enumerate(questions):
        text = await rendered(app, str(question["text"]), f"asker{i}")
        why = verdict(question, text)
        if why:
            misses.append(f"{question['text']!r} ({question['lang']}): {why}\n{text[:WINDOW]}")
    return Score(len(questions) - len(misses), len(questions), tuple(misses))
