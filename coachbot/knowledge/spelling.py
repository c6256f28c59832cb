"""Typo tolerance for free questions: a word the knowledge base does not know is replaced
by the closest word it does know ("salery" → "salary", "usefull" → "useful")."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable

from rapidfuzz import fuzz, process

# How alike a word and its correction must be (rapidfuzz's ratio, 0-100): one slip in a
# word of six letters passes, two in a short word do not.
CUTOFF = 82
# Shorter words are left alone: "cto" and "rh" have too many close neighbours.
MIN_LENGTH = 4
WORD = re.compile(r"[a-z0-9]+")


class Speller:
    """Corrects folded text (lowercase, no accents) against a known vocabulary."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._known = frozenset(vocabulary)
        self._by_start: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self._known):
            if len(word) >= MIN_LENGTH:
                self._by_start[word[0]].append(word)

    def correct(self, folded: str, keep: Callable[[str], bool] = lambda _: False) -> str:
        """``folded`` with each unknown word of ``MIN_LENGTH`` letters or more replaced by
        its closest known word, when one is close enough (else by the known word it is
        with two neighbouring letters swapped); words ``keep`` accepts stay (an
        inflection whose stem the base knows is no typo)."""
        return WORD.sub(lambda m: self._word(m.group(0), keep), folded)

    def _word(self, word: str, keep: Callable[[str], bool]) -> str:
        if len(word) < MIN_LENGTH or word in self._known or word.isdigit() or keep(word):
            return word
        same_start = [w for w in self._by_start.get(word[0], ()) if abs(len(w) - len(word)) <= 2]
        close = process.extractOne(word, same_start, scorer=fuzz.ratio, score_cutoff=CUTOFF)
        if close is None:  # two letters swapped ("dose", "reprot"): one slip, not two
            return next((w for w in _swaps(word) if w in self._known), word)
        return close[0]


def _swaps(word: str) -> list[str]:
    """``word`` with each pair of neighbouring letters swapped."""
    return [word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)]


def vocabulary(texts: Iterable[str]) -> set[str]:
    """Every word of the (folded) ``texts``."""
    return {word for text in texts for word in WORD.findall(text)}
