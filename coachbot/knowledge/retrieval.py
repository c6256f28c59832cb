"""Free-question search over the knowledge base: BM25 (bm25s) with Snowball stemming.

Each section is indexed twice, once per language, each with its own stemmer and
stop words. A question is folded (lowercase, no accents), expanded with the
synonym groups, then scored against both indexes; a section's score is the sum of
its two scores, so a French question finds French wording and an English one
English wording, while shared terms (CTO, Scrum) count in both.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_FRENCH

from coachbot.i18n import LANGS, Lang
from coachbot.knowledge.models import KnowledgeBase, Section

# bm25s sets its own logger to DEBUG on import; index building is not news.
logging.getLogger("bm25s").setLevel(logging.WARNING)
WORD = re.compile(r"[a-z0-9]+(?:\+[0-9]+)?")
STEMMERS = {"fr": "french", "en": "english"}
# Below this summed BM25 score the best match is judged too weak to answer
# (tuned on tests/data/ask_devset.toml: every dev question scores above it).
MIN_SCORE = 0.5
# Share of a question's content words that must be known to the base.
MIN_COVERAGE = 0.6
# Where a question that only names the job ("c'est quoi un CTO ?") is answered.
DEFINITION_TOPIC = "overview"
# How much the whole topic's match adds to a section's own match.
TOPIC_WEIGHT = 1.0
# Words naming the job itself occur everywhere in the base and carry no topic signal.
DOMAIN_STOPWORDS = frozenset(
    [
        "cto",
        "ctos",
        "directeur",
        "directrice",
        "directeurs",
        "technique",
        "techniques",
        "chief",
        "officer",
        "officers",
        "technology",
        "technical",
        "tech",
        "dt",
    ]
)


# Shapes of words that say what a question is about, whatever the words around them.
PATTERNS = (
    (
        re.compile(r"\b\d{1,2}\s*(?:h\d{0,2}|am|pm|:\d{2})(?![a-z])"),
        "heure hour journee day schedule",
    ),
    (re.compile(r"\b\d{1,2}\s*(?:ans|annees|years?|yrs)\b"), "experience annees years seniority"),
)


def fold(text: str) -> str:
    """Lowercase and strip accents, so ``Rémunération`` and ``remuneration`` match."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True, slots=True)
class Hit:
    """A section found for a question, with its score."""

    section: Section
    score: float


class _LangIndex:
    """A BM25 index of every section in one language."""

    def __init__(self, lang: Lang, docs: list[str]) -> None:
        self._stemmer = Stemmer.Stemmer(STEMMERS[lang])
        base = STOPWORDS_FRENCH if lang == "fr" else STOPWORDS_EN
        self._stop = {fold(w) for w in base} | DOMAIN_STOPWORDS
        self._bm25 = bm25s.BM25()
        self._bm25.index([self.tokens(d) for d in docs], show_progress=False)
        self._size = len(docs)

    def tokens(self, text: str) -> list[str]:
        words = [w for w in WORD.findall(fold(text)) if w not in self._stop]
        return list(self._stemmer.stemWords(words))

    def coverage(self, text: str) -> tuple[int, int]:
        """How many of the text's content words the index knows, out of how many."""
        tokens = set(self.tokens(text))
        vocab = self._bm25.vocab_dict
        return sum(1 for t in tokens if t in vocab), len(tokens)

    def scores(self, query: str) -> np.ndarray:
        tokens = self.tokens(query)
        if not tokens:
            return np.zeros(self._size)
        return self._bm25.get_scores(tokens)


class Retriever:
    """Finds the section that best answers a free question, in either language."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._sections = kb.sections()
        self._synonyms = [tuple(fold(t) for t in group) for group in kb.synonyms]
        self._indexes = {
            lang: _LangIndex(lang, [_document(kb, s, lang) for s in self._sections])
            for lang in LANGS
        }
        topic_ids = list(kb.topics)
        self._topic_of = np.array([topic_ids.index(s.topic_id) for s in self._sections])
        self._topic_indexes = {
            lang: _LangIndex(lang, [_topic_document(kb, t, lang) for t in topic_ids])
            for lang in LANGS
        }

    def expand(self, question: str) -> str:
        """The question plus every synonym of the terms it contains."""
        folded = fold(question)
        extra = [
            " ".join(group)
            for group in self._synonyms
            if any(re.search(rf"(?<![a-z0-9]){re.escape(t)}(?![a-z0-9])", folded) for t in group)
        ]
        extra += [words for pattern, words in PATTERNS if pattern.search(folded)]
        return " ".join([folded, *extra])

    def search(self, question: str, k: int = 3) -> list[Hit]:
        """The ``k`` best sections for ``question``, best first (may be empty)."""
        query = self.expand(question)
        sections = np.sum([ix.scores(query) for ix in self._indexes.values()], axis=0)
        topics = np.sum([ix.scores(query) for ix in self._topic_indexes.values()], axis=0)
        total = sections + TOPIC_WEIGHT * topics[self._topic_of]
        order = np.argsort(-total)[:k]
        return [Hit(self._sections[i], float(total[i])) for i in order if total[i] > 0]

    def coverage(self, question: str) -> float | None:
        """Share of the question's content words found in the base (None: it has none)."""
        counts = [index.coverage(question) for index in self._indexes.values()]
        if all(total == 0 for _, total in counts):
            return None
        return max(known / total for known, total in counts if total)

    def best(self, question: str) -> Hit | None:
        """The best section when the question is about the base, else None.

        A question must share at least half its content words with the base (so
        "recette de tarte" does not land on acceptance testing); one that only
        names the job ("what is a CTO?") gets the definition.
        """
        coverage = self.coverage(question)
        if coverage is None:
            return (
                self._definition() if DOMAIN_STOPWORDS & set(WORD.findall(fold(question))) else None
            )
        hits = self.search(question, k=1)
        if not hits or hits[0].score < MIN_SCORE or coverage < MIN_COVERAGE:
            return None
        return hits[0]

    def _definition(self) -> Hit | None:
        first = next((s for s in self._sections if s.topic_id == DEFINITION_TOPIC), None)
        return Hit(first, MIN_SCORE) if first else None


def _topic_document(kb: KnowledgeBase, topic_id: str, lang: Lang) -> str:
    """A whole topic as one document: its vocabulary as a block."""
    return " ".join(_document(kb, s, lang) for s in kb.topics[topic_id].sections)


def _document(kb: KnowledgeBase, section: Section, lang: Lang) -> str:
    """What is indexed for a section: topic title and summary, heading, text, keywords."""
    topic = kb.topics[section.topic_id]
    body = section.text(lang)
    head = [topic.title.get(lang), topic.summary.get(lang), body.heading]
    terms = [*body.keywords, *topic.keywords.get(lang, ())]
    return " ".join([*head, *head, body.text, *terms, *terms])
