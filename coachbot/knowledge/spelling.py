"""Typo tolerance for free questions: a word the knowledge base does not know is replaced
by the closest word it does know ("salery" → "salary", "usefull" → "useful"), unless it
is a real English or French word ("handle", "deviens": the base merely lacks it).

Which words are real comes from pyspellchecker's word-frequency lists (counts of words in
film subtitles, shipped inside the package). They are read on the first word the base does
not know, in about 0.1 s: a question the base knows every word of never pays it.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import cache, lru_cache
from importlib.resources import files

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

# How alike a word and its correction must be (rapidfuzz's ratio, 0-100): one slip in a
# word of six letters passes, two in a short word do not.
CUTOFF = 82
# Shorter words are left alone: "cto" and "rh" have too many close neighbours.
MIN_LENGTH = 4
WORD = re.compile(r"[a-z0-9]+")
# A word counted this often in either language's list is a real word, not a typo (rarer
# entries of the lists are themselves often typos or names).
REAL_WORD_COUNT = 100
# A real word is still a slip when a word of the base one swap away is this many times
# more common ("dose" for "does"; "handle" is no slip for "handed").
SLIP_RATIO = 50
WORD_LISTS = ("en", "fr")
PLURALS = ("s",)  # not "x": "peux" is no plural of "peu"
COUNT = re.compile(rb'": (\d+)')
LOOKUPS_KEPT = 8192
# French articles and pronouns that lose their vowel before one ("d'etre", "l'equipe").
ELISION = re.compile(r"(qu|[cdjlmnst])([aeiouyh][a-z]{2,})")


class Speller:
    """Corrects folded text (lowercase, no accents) against a known vocabulary."""

    def __init__(self, vocabulary: Iterable[str], counts: Mapping[str, int] | None = None) -> None:
        """``counts``: how often the base uses each word, to choose between corrections
        alike ("tipe" is one letter from "type" and from "time")."""
        self._known = frozenset(vocabulary)
        self._counts = counts or {}
        self._by_start: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self._known):
            if len(word) >= MIN_LENGTH:
                self._by_start[word[0]].append(word)

    def correct(self, folded: str, keep: Callable[[str], bool] = lambda _: False) -> str:
        """``folded`` with each unknown word of ``MIN_LENGTH`` letters or more replaced by
        its closest known word, when one is close enough (else by an elision split, a
        known word one slip away, or the known word it starts); words ``keep`` accepts
        stay (an inflection whose stem the base knows is no typo), and so do real words
        but for the slips that made them (see ``_slip``)."""
        return WORD.sub(lambda m: self._word(m.group(0), keep), folded)

    def _word(self, word: str, keep: Callable[[str], bool]) -> str:
        if len(word) < MIN_LENGTH or word in self._known or word.isdigit() or keep(word):
            return word
        count = real_word_count(word)
        if count >= REAL_WORD_COUNT:
            return self._slip(word, count)
        same_start = [w for w in self._by_start.get(word[0], ()) if abs(len(w) - len(word)) <= 2]
        close = process.extractOne(word, same_start, scorer=fuzz.ratio, score_cutoff=CUTOFF)
        if close is not None:
            return close[0]
        elided = _elided(word)
        if elided is not None and (
            elided[1] in self._known or real_word_count(elided[1]) >= REAL_WORD_COUNT
        ):
            return "'".join(elided)
        # no real word: one slip is a typo however short the word ("tipe", "reprot"), and a
        # word cut short is slang ("cybersecu")
        one_slip = [w for w in same_start if DamerauLevenshtein.distance(word, w) == 1]
        completed = [w for w in self._by_start.get(word[0], ()) if w.startswith(word)]
        return max(one_slip or completed, key=self._commonness, default=word)

    def _commonness(self, word: str) -> tuple[int, int]:
        """How common a candidate correction is in the base; the shorter wins a tie."""
        return self._counts.get(word, 0), -len(word)

    def _slip(self, word: str, count: int) -> str:
        """The real ``word`` (seen ``count`` times); its singular when the base knows that
        ("schools": a synonym group says "school"); or the known word it is with two
        letters swapped when that one is far more common: a slip that made another word."""
        singular = next((word[: -len(e)] for e in PLURALS if word.endswith(e)), None)
        if singular in self._known:
            return singular
        # a swap only: one letter more, less or changed turns too many real words into
        # others ("coding" into "coming", "tall" into "tell")
        swapped = (w for w in _swaps(word) if w in self._known)
        return next((w for w in swapped if real_word_count(w) >= SLIP_RATIO * count), word)


def _elided(word: str) -> tuple[str, str] | None:
    """``word`` read as a French elision typed without its apostrophe ("detre" is "d'etre",
    "lequipe" "l'equipe"): the article and the word, or None."""
    match = ELISION.match(word)
    return (match.group(1), match.group(2)) if match else None


def _swaps(word: str) -> list[str]:
    """``word`` with each pair of neighbouring letters swapped."""
    return [word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)]


def real_word_count(folded: str) -> int:
    """How often ``folded`` (lowercase, no accents) occurs in the larger of the English
    and French word lists (0: not a word of either)."""
    return max(counts_by_list(folded).values())


@lru_cache(maxsize=LOOKUPS_KEPT)
def counts_by_list(folded: str) -> Mapping[str, int]:
    """How often ``folded`` occurs in the English ("en") and the French ("fr") list (a
    search through the lists' text, ≈ 5 ms: the last answers are kept)."""
    entry = re.compile(rb'"' + re.escape(folded.encode("ascii", "ignore")) + rb'": (\d+)')
    return {
        lang: max((int(n) for n in entry.findall(text)), default=0)
        for lang, text in zip(WORD_LISTS, _word_lists(), strict=True)
    }


def general_share(folded: str) -> float:
    """The share of all the words counted in the lists that are ``folded`` (a word they
    lack counts once: rare, not impossible)."""
    return max(real_word_count(folded), 1) / _words_counted()


@cache
def _words_counted() -> int:
    """How many words the two lists count in all."""
    return sum(int(n) for text in _word_lists() for n in COUNT.findall(text))


@cache
def _word_lists() -> tuple[bytes, ...]:
    """pyspellchecker's English and French word counts, as their JSON text without accents:
    a question looks up a few words, and searching the text for them is quicker than
    reading 280,000 entries into a dict."""
    return tuple(_word_list(lang) for lang in WORD_LISTS)


def _word_list(lang: str) -> bytes:
    raw = (files("spellchecker") / "resources" / f"{lang}.json.gz").read_bytes()
    text = gzip.decompress(raw).decode("utf-8")
    # accents dropped from the whole file at once ("développeur" is looked up as typed)
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore")


def vocabulary(texts: Iterable[str]) -> Counter[str]:
    """Every word of the (folded) ``texts``, with how often it occurs."""
    return Counter(word for text in texts for word in WORD.findall(text))
