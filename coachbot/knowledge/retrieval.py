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
from collections import Counter
from dataclasses import dataclass
from itertools import chain

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_FRENCH

from coachbot.i18n import LANGS, Lang
from coachbot.knowledge.asking import asked, fillers, without_set_aside
from coachbot.knowledge.folding import fold
from coachbot.knowledge.models import KnowledgeBase, Section
from coachbot.knowledge.slots import question_words
from coachbot.knowledge.spelling import (
    REAL_WORD_COUNT,
    Speller,
    counts_by_list,
    general_share,
    vocabulary,
)

# bm25s sets its own logger to DEBUG on import; index building is not news.
logging.getLogger("bm25s").setLevel(logging.WARNING)
WORD = re.compile(r"[a-z0-9]+(?:\+[0-9]+)?")
DIGITS = re.compile(r"(?<![a-z0-9])[0-9]+(?![a-z0-9])")
STEMMERS = {"fr": "french", "en": "english"}
# Below this summed BM25 score the best match is judged too weak to answer
# (tuned on tests/data/ask_devset.toml: every dev question scores above it).
MIN_SCORE = 0.5
# A word votes for a language when it occurs this many times more often in its texts.
VOTE_RATIO = 3
# On a question of this many words or fewer whose votes tie, a word this many times more
# frequent in one language votes: lingua reads two or three words poorly.
SHORT_QUESTION_WORDS = 3
# Function words of one language, and none of the other, that make a tie that language's.
GRAMMAR_VOTES = 3
WEAK_VOTE_RATIO = 1.2
# ... provided it is a common word of the base, not a name seen twice ("lyon").
WEAK_VOTE_LEAST = 10
READ_CACHE = 256
STOPWORD_WEIGHT = 20
# A word held by at least this share of the sections picks none ("entreprise": 0.6).
COMMON_WORD_SHARE = 0.35
# A question naming the job whose other words are all held by this share of the sections
# ("entreprise": 0.6) asks what the job is ("team" at 0.4 still picks the team's sections).
GENERIC_WORD_SHARE = 0.55
# Share of a question's content words that must be known to the base: three in four when
# the question neither names the job nor uses a term a synonym group or a word shape
# recognises ("best programming books" is about something else); half with such a term;
# under a third when it names the job ("le cto et le marketing ils se parlent ?": the
# base lacks "parlent", not the subject).
MIN_COVERAGE = 0.75
MIN_COVERAGE_RECOGNISED = 0.5
MIN_COVERAGE_NAMED = 0.3
# ... and one that neither names the job nor uses a recognised term needs a word this many
# times more frequent in the base than in everyday language (chatting about cats uses
# words the base holds too, but no more often than anyone).
SPECIFIC_RATIO = 12
# ... and one naming the job in words partly unknown to the base, a word this many times
# more frequent in it ("type" is; "connaitre" is not).
SPECIFIC_RATIO_NAMED = 8
# Mentions (@everyone, <@123>, <!channel>) name people, never a topic.
MENTION = re.compile(r"<[@#!][^>]*>|@\S+")
# The job's own names: a question using one is about the job, whatever else it says.
JOB_NAME = re.compile(
    r"\b(?:ctos?|directeurs? techniques?|directrices? techniques?|"
    r"chief (?:technology|technical) officers?)\b"
)
# Where a question that only names the job ("c'est quoi un CTO ?") is answered.
DEFINITION_TOPIC = "overview"
# How many times the question's own words count against each expansion's once: a synonym
# group's other terms help find the subject, the words typed say which part of it.
QUESTION_REPEAT = 2
# In a long message, the part that asks counts this many times more than the background.
ASKED_REPEAT = 2
# The topic whose answers show the typical day's time slots.
DAY_TOPIC = "day"
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
        # words for a job in general: "le rôle du CTO" asks what the job is
        "role",
        "roles",
        "metier",
        "poste",
        "job",
        "jobs",
        "fonction",
        "position",
        "positions",
    ]
)


# Words of questions themselves (interrogatives, auxiliaries, pronouns), in both languages:
# bm25s's English list is short, and "how", "what" or "vous" say nothing of the topic.
QUESTION_WORDS = frozenset(
    """what whats how does do did done doing which who whom whose why when where should would
    could can cannot may might must shall you your yours i im me my mine we our us he she his
    her him its them also just really exactly usually typically generally actually very so
    some any about get gets got tell explain much many please hi hello thanks main
    handle handles part useful utile utiles
    principal principale principales principaux
    quoi comment quel quelle quels quelles lequel laquelle lesquels lesquelles
    est-ce estce ca cela ceci
    peut peuvent faut doit doivent etre avoir ai vraiment exactement souvent generalement
    bonjour salut merci svp stp question questions koi cest c kesako ckoi
    important importante importants essential essentiel essentielle crucial pareil pareils same
    suffisant suffisante suffisants enough normal normale""".split()  # noqa: SIM905 (a word list reads better as text)
)


# Words of negation: "le cto ne code plus ?", "a cto doesn't need a degree" ask about the
# word negated, and a section saying "not" or "plus" somewhere is no better answer for it.
NEGATION_WORDS = frozenset(
    """ne n pas plus jamais aucun aucune rien non guere
    not no never none nor anymore longer nope
    doesn doesnt don dont isn isnt aren arent wasn wasnt won wont didn didnt cant cannot
    shouldn shouldnt wouldn wouldnt haven havent hasn hasnt t""".split()  # noqa: SIM905 (a word list reads better as text)
)


# Shapes of words that say what a question is about, whatever the words around them.
PATTERNS = (
    (
        re.compile(r"\b\d{1,2}\s*(?:h\d{0,2}|am|pm|:\d{2})(?![a-z])"),
        "heure hour journee day schedule",
    ),
    # "chief technical or chief technology officer?": the two ways to spell out CTO.
    (
        re.compile(
            r"\btechnical\b.*\b(?:or|ou|vs|versus)\b.*\btechnology\b|"
            r"\btechnology\b.*\b(?:or|ou|vs|versus)\b.*\btechnical\b"
        ),
        "acronyme acronym stand for veut dire technology technical",
    ),
    # "cto vs directeur technique": the French title asked about, not the job.
    (
        re.compile(
            r"\bcto\b.*\b(?:vs|versus|pareil|same|meme|equivalent|ou|or)\b.*\bdirecteur technique\b|"
            r"\bdirecteur technique\b.*\b(?:vs|versus|pareil|same|meme|equivalent|ou|or)\b.*\bcto\b"
        ),
        "intitule intitules french titles titres francais directeur technique",
    ),
    (
        re.compile(r"\b\d{1,2}\s*(?:ans|annees|years?|yrs)\b(?![\s-]*old\b)"),
        "experience annees years seniority",
    ),
    # an age ("a cto at 25", "25 years old") asks whether the job comes early in a career
    (
        re.compile(
            r"\b(?:at|aged?)\s+(?:1[6-9]|[2-3]\d)\b(?!\s*(?:h|:|am|pm|o\s*'?\s*clock))|"
            r"\b(?:1[6-9]|[2-3]\d)\s*(?:years?[\s-]*old|ans seulement)\b"
        ),
        "junior jeune young early career debut de carriere",
    ),
)


LANG_STOPWORDS: dict[Lang, frozenset[str]] = {
    "fr": frozenset(fold(w) for w in STOPWORDS_FRENCH),
    "en": frozenset(fold(w) for w in STOPWORDS_EN),
}
STOPWORDS = frozenset(
    {fold(w) for w in (*STOPWORDS_FRENCH, *STOPWORDS_EN)}
    | DOMAIN_STOPWORDS
    | QUESTION_WORDS
    | NEGATION_WORDS
)


def _content_words(folded: str) -> set[str]:
    """The folded text's content words: no stop word of either language, no bare number
    ("at 25"). Both indexes drop the same stop words, so one reading serves both."""
    return {w for w in WORD.findall(folded) if w not in STOPWORDS and not w.isdigit()}


@dataclass(frozen=True, slots=True)
class Line:
    """A line of a section that matches a question: its text, offset and shared words."""

    text: str
    offset: int
    shared: int


@dataclass(frozen=True, slots=True)
class Hit:
    """A section found for a question, with its score and the share of it that comes from
    the section's own words (the rest comes from its topic's)."""

    section: Section
    score: float
    own: float = 0.0


class _LangIndex:
    """A BM25 index of every section in one language."""

    def __init__(self, lang: Lang, docs: list[str]) -> None:
        self._stemmer = Stemmer.Stemmer(STEMMERS[lang])
        # A question mixes languages ("le CTO, what does he do?"): an index that kept the
        # other language's function words would match them as content.
        self._stop = STOPWORDS
        del lang
        self._bm25 = bm25s.BM25()
        self._docs = [self.tokens(d) for d in docs]
        self._bm25.index(self._docs, show_progress=False)
        self._size = len(docs)
        self._shares: dict[str, float] | None = None

    def tokens(self, text: str) -> list[str]:
        words = [w for w in WORD.findall(fold(text)) if w not in self._stop]
        return list(self._stemmer.stemWords(words))

    def document_share(self, word: str) -> float:
        """The share of the indexed sections holding ``word``'s stem."""
        if self._shares is None:
            counts: Counter[str] = Counter(t for d in self._docs for t in set(d))
            self._shares = {t: n / self._size for t, n in counts.items()}
        return self._shares.get(self._stem(word), 0.0)

    def knows(self, word: str) -> bool:
        """Whether the index holds ``word``'s stem."""
        return self._stem(word) in self._bm25.vocab_dict

    def _stem(self, word: str) -> str:
        return str(self._stemmer.stemWord(word))

    def scores(self, query: str) -> np.ndarray:
        tokens = self.tokens(query)
        if not tokens:
            return np.zeros(self._size)
        return self._bm25.get_scores(tokens)


@dataclass(frozen=True, slots=True)
class Query:
    """A question as the retriever reads it: folded, without mentions, typos corrected,
    and what its synonyms and word shapes add."""

    folded: str
    expansions: tuple[str, ...]
    asked: str | None = None
    asked_expansions: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The text searched: the question and its expansions; in a long message with
        background, the part that asks weighs more and only its synonyms are added
        (the background's would pick their own sections: "chef de projet" the paths)."""
        folded = without_set_aside(self.folded)
        if self.asked is None:
            return " ".join([*[folded] * QUESTION_REPEAT, *self.expansions])
        asked = without_set_aside(self.asked)
        return " ".join([folded, *[asked] * ASKED_REPEAT, *self.asked_expansions])

    def recognised(self) -> set[str]:
        """Words of the question a synonym group or a word shape recognised."""
        words = {t for extra in self.expansions for t in WORD.findall(extra)}
        return words | {t for p, _ in PATTERNS for t in WORD.findall(_joined(p, self.folded))}


class Retriever:
    """Finds the section that best answers a free question, in either language."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._sections = kb.sections()
        self._synonyms = [
            (" ".join(group), _any_of(group))
            for group in (tuple(fold(t) for t in terms) for terms in kb.synonyms)
        ]
        docs = {lang: [_document(kb, s, lang) for s in self._sections] for lang in LANGS}
        self._indexes = {lang: _LangIndex(lang, docs[lang]) for lang in LANGS}
        counts = vocabulary(fold(text) for text in [*docs["fr"], *docs["en"], *chain(*kb.synonyms)])
        self._speller = Speller(set(counts) | question_words().vocabulary, counts)
        self._counts, self._counted = counts, counts.total()
        self._docs = docs
        self._read_cache: dict[str, Query] = {}
        self._lines: dict[tuple[str, Lang], list[tuple[str, int, frozenset[str]]]] = {}
        self._word_counts = {lang: _word_counts(docs[lang], lang) for lang in LANGS}
        topic_ids = list(kb.topics)
        self._topic_of = np.array([topic_ids.index(s.topic_id) for s in self._sections])
        self._topic_indexes = {
            lang: _LangIndex(lang, [_topic_document(kb, t, lang) for t in topic_ids])
            for lang in LANGS
        }

    def sections_text(self) -> list[str]:
        """Every indexed document, in both languages (for benchmarks and vocabularies)."""
        return [*self._docs["fr"], *self._docs["en"]]

    def read(self, question: str) -> Query:
        """``question`` analysed once for searching, coverage and thresholds (the last
        questions read are remembered: answering one reads it several times)."""
        known = self._read_cache.get(question)
        if known is not None:
            return known
        folded = self.normalise(question)
        ask = asked(folded)
        query = Query(
            folded,
            self._expansions(without_set_aside(folded)),
            ask,
            self._expansions(without_set_aside(ask or "")),
        )
        if len(self._read_cache) >= READ_CACHE:
            self._read_cache.clear()
        self._read_cache[question] = query
        return query

    def _expansions(self, folded: str) -> tuple[str, ...]:
        """What the synonym groups and word shapes ``folded`` names add to it."""
        extra = self._groups_named(folded)
        extra += [words for pattern, words in PATTERNS if pattern.search(folded)]
        return tuple(extra)

    def _groups_named(self, folded: str) -> list[str]:
        """The synonym groups ``folded`` names, each as its words; a phrase overlapping a
        longer phrase of another group does not count ("how much experience" names
        experience, not pay; "who hires engineers" the CTO hiring, not the employers)."""
        spans = [
            (m.start(1), m.end(1), i)
            for i, (_, pattern) in enumerate(self._synonyms)
            for m in pattern.finditer(folded)
        ]
        kept = {
            i
            for start, end, i in spans
            if not any(s < end and start < e and e - s > end - start for s, e, _ in spans)
        }
        return [self._synonyms[i][0] for i in sorted(kept)]

    def normalise(self, question: str) -> str:
        """The question folded, without mentions, shorthand spelled out, and every word
        that is no stop word and not known as written replaced by the closest known one,
        from the base or questions.toml ("lyonn" → lyon, "typs" → types, "salery" →
        salary): slots and intents match phrases as written, and a stem alone would leave
        "lyonn" unmatched."""
        spelled = question_words().spelled_out(fold(MENTION.sub(" ", question)))
        return self._speller.correct(spelled, STOPWORDS.__contains__)

    def language_votes(self, question: str) -> dict[Lang, int]:
        """For each language, how many words of ``question`` are clearly that language's:
        far more frequent in its texts and stop words than in the other's ("salary" votes
        English even though a French text quotes Salary.com; "entre" votes French). The
        words are read as corrected ("skils" votes as "skills"). When those votes tie on
        a short question, a word merely more frequent in one language votes ("cto vs
        cio": the French texts say DSI more often, the English ones CIO); when they tie on
        a longer one, its function words decide if they clearly agree ("les hard skills
        et les soft skills" is French)."""
        # The job's own names ("chief technology officer") are used in both languages,
        # and so are a few words such as "vs", and places ("new york").
        folded = self.read(question).folded
        # a place's own words are no language, its function words are ("rest of france")
        words = set(WORD.findall(folded)) - (question_words().place_words(folded) - STOPWORDS)
        words -= DOMAIN_STOPWORDS | question_words().neutral_words(folded)
        votes = self._votes(words, VOTE_RATIO)
        for lang, n in _everyday_votes(words - set(self._counts) - STOPWORDS).items():
            votes[lang] += n
        if votes["fr"] == votes["en"] and len(words) <= SHORT_QUESTION_WORDS:
            # function words ("a") are in both languages' lists: content words only
            return self._votes(words - STOPWORDS, WEAK_VOTE_RATIO, WEAK_VOTE_LEAST)
        if votes["fr"] == votes["en"]:
            # a sentence borrowing the other language's nouns ("les hard skills et les soft
            # skills") is written in the language of its grammar, when that is clear
            return self._grammar(words) or votes
        return votes

    def _grammar(self, words: set[str]) -> dict[Lang, int] | None:
        """The function words' votes when they all go one way, at least GRAMMAR_VOTES of
        them ("remote work cto possible ou pas" is too little to tell)."""
        votes = self._votes(words & STOPWORDS, VOTE_RATIO)
        if min(votes.values()) == 0 and max(votes.values()) >= GRAMMAR_VOTES:
            return votes
        return None

    def _votes(self, words: set[str], ratio: float, least: int = 1) -> dict[Lang, int]:
        counts = self._word_counts
        pairs: tuple[tuple[Lang, Lang], ...] = (("fr", "en"), ("en", "fr"))
        return {
            lang: sum(
                1
                for w in words
                if counts[lang][w] > ratio * counts[other][w] and counts[lang][w] >= least
            )
            for lang, other in pairs
        }

    def expand(self, question: str) -> str:
        """The question plus every synonym of the terms it contains."""
        return self.read(question).text

    def search(self, question: str | Query, k: int = 3) -> list[Hit]:
        """The ``k`` best sections for ``question``, best first (may be empty)."""
        query = self.read(question) if isinstance(question, str) else question
        sections, total = self._scores(query.text)
        order = np.argsort(-total)[:k]
        return [
            Hit(self._sections[i], float(total[i]), float(sections[i]))
            for i in order
            if total[i] > 0
        ]

    def _scores(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Each section's score for ``text``, alone and with its topic's added."""
        sections = np.sum([ix.scores(text) for ix in self._indexes.values()], axis=0)
        topics = np.sum([ix.scores(text) for ix in self._topic_indexes.values()], axis=0)
        return sections, sections + TOPIC_WEIGHT * topics[self._topic_of]

    def best_line(
        self, question: str, text: str, lang: Lang, head: int, *, items_only: bool = False
    ) -> Line | None:
        """The line of ``text`` (a section in ``lang``) past its first ``head`` characters
        sharing the most content words with ``question`` itself (then with the synonyms of
        its words) that those first characters lack, with where it starts; None if no line
        adds any. With
        ``items_only``, None unless that line is an item of a list (starts with "- ")."""
        index = self._indexes[lang]
        lines = self._tokenised_lines(text, lang)
        early = set().union(*(stems for _, offset, stems in lines if offset < head))
        query = self.read(question)
        # in a long message, the words of who the asker is pick no line
        wanted = set(index.tokens(query.asked or query.folded)) - early
        # for an item, the other words of the synonym groups named break ties ("prioritize"
        # finds the item saying "prioritising")
        named = " ".join(query.asked_expansions if query.asked else query.expansions)
        named = named if items_only else ""
        also = set(index.tokens(named)) - early - wanted
        best: Line | None = None
        rank = (0, 0)
        for line, offset, stems in lines:
            if offset < head:
                continue
            shares = (len(wanted & stems), len(also & stems))
            if any(shares) and shares > rank:
                best, rank = Line(line.strip(), offset, shares[0]), shares
        if items_only and best is not None and not best.text.startswith("- "):
            return None  # the words asked lie in running text: the section reads as it is
        return best

    def line_naming(self, phrase: str, text: str, lang: Lang, head: int) -> Line | None:
        """The first line of ``text`` (a section in ``lang``) past its first ``head``
        characters naming ``phrase``'s content words or their synonyms, or None."""
        index = self._indexes[lang]
        query = self.read(phrase)
        stems = set(index.tokens(" ".join([query.folded, *query.expansions])))
        for line, offset, held in self._tokenised_lines(text, lang):
            if offset >= head and stems & held:
                return Line(line.strip(), offset, len(stems & held))
        return None

    def _tokenised_lines(self, text: str, lang: Lang) -> list[tuple[str, int, frozenset[str]]]:
        """The lines of a section's ``text`` with their offsets and stems (kept: a
        section's text never changes)."""
        key = (text, lang)
        if key not in self._lines:
            index, offset, lines = self._indexes[lang], 0, []
            for line in text.splitlines(keepends=True):
                lines.append((line, offset, frozenset(index.tokens(line))))
                offset += len(line)
            self._lines[key] = lines
        return self._lines[key]

    def content_words(self, question: str) -> set[str]:
        """The content words of ``question`` as read (no stop word, no bare number)."""
        folded = self.read(question).folded
        return _content_words(folded)

    def names_other_subject(self, question: str, pay: re.Pattern[str]) -> bool:
        """Whether ``question`` names a synonym group about something else than pay
        (words ``pay`` matches) or experience (which places a salary in the grid)."""
        groups = self._groups_named(self.read(question).folded)
        return any(not pay.search(g) and "experience" not in g.split() for g in groups)

    def names_only_topics(self, question: str) -> bool:
        """Whether every content word of ``question`` belongs to one synonym group: it asks
        about one subject as a whole ("missions du CTO ?"), nothing more precise."""
        query = self.read(question)
        words = {w for w in WORD.findall(query.folded) if w not in STOPWORDS}
        words = {w for w in words if not self._common(w)}  # "en entreprise" picks no part
        return len(query.expansions) == 1 and words <= query.recognised()

    def _common(self, word: str) -> bool:
        """Whether ``word`` occurs in so many sections of either language that it picks
        none of them ("entreprise", "company", "work")."""
        return any(ix.document_share(word) >= COMMON_WORD_SHARE for ix in self._indexes.values())

    def coverage(self, question: str | Query) -> float | None:
        """Share of the question's content words found in the base (None: it has none).
        Words a synonym group or a word shape recognises count as found ("9am", "wfh")."""
        query = self.read(question) if isinstance(question, str) else question
        recognised = query.recognised()
        indexes = self._indexes.values()
        words = _content_words(query.folded)
        if not words:
            return None
        # a word counts as found in either language ("maths" reads "mathématiques
        # mathematics": one of each)
        known = [w for w in words if w in recognised or any(ix.knows(w) for ix in indexes)]
        return len(known) / len(words)

    def best(self, question: str) -> Hit | None:
        """The best section when the question is about the base, else None (see
        ``answer``)."""
        found, _ = self.answer(question, k=1)
        return found

    def answer(self, question: str, k: int) -> tuple[Hit | None, list[Hit]]:
        """The best section when the question is about the base (else None), and the
        ``k`` best sections.

        A question must share most of its content words with the base (so "recette de
        tarte" does not land on acceptance testing), and one of them must be the base's
        own, not a word it uses in passing ("t'aimes les chats ?"). A question with a
        recognised term (a synonym, a word shape) may hold more words the base does not
        know ("un CTO peut-il bosser en télétravail ?"), and one naming the job more
        still ("le cto et le marketing ils se parlent ?"); one that only names the job
        ("what is a CTO?"), or names it in words the base lacks ("cto et blockchain"),
        gets the definition (see the MIN_COVERAGE and SPECIFIC_RATIO constants).
        """
        query = self.read(question)
        if query.asked is not None and self._asks_only_the_job(query.asked):
            return self._no_content_word(Query(query.asked, query.asked_expansions), k)
        coverage = self.coverage(query)
        if coverage is None:
            return self._no_content_word(query, k)
        hits = self.search(query, k=k)
        if not hits or hits[0].score < MIN_SCORE or coverage < _coverage_floor(query):
            # a question naming the job is about it even in words the base lacks
            return (self.definition() if _names_job(query) else None), hits
        if not (_names_job(query) or query.expansions or self._has_own_word(query)):
            return None, hits  # "t'aimes les chats ?": words the base only uses in passing
        if self._names_job_in_common_words(query):
            # "le cto dans une entreprise, c'est quoi ?": no word picks a part of the base
            return self.definition(), hits
        if self._named_in_passing(query, coverage):
            # "le cto doit connaitre kubernetes ?": about the job, in words the base lacks
            # or only uses in passing ("connaitre"): nothing it says answers
            return self.definition(), hits
        return hits[0], hits

    def _named_in_passing(self, query: Query, coverage: float) -> bool:
        """Whether ``query`` names the job, holds words the base lacks, and none of the
        others is one of the base's own."""
        if not _names_job(query) or coverage == 1 or query.expansions:
            return False
        return not self._has_own_word(query, SPECIFIC_RATIO_NAMED)

    def _names_job_in_common_words(self, query: Query) -> bool:
        """Whether ``query`` names the job, no synonym group, and only words so common in
        the base that they pick no section ("entreprise", "company": GENERIC_WORD_SHARE)."""
        if not _names_job(query) or query.expansions:
            return False
        words = _content_words(query.folded)
        shares = [max(ix.document_share(w) for ix in self._indexes.values()) for w in words]
        return bool(shares) and min(shares) >= GENERIC_WORD_SHARE

    def _has_own_word(self, query: Query, ratio: float = SPECIFIC_RATIO) -> bool:
        """Whether a content word of ``query`` is one of the base's own: SPECIFIC_RATIO
        times more frequent in it than in everyday English or French ("sprint", "esn",
        "titre" are; "chat", "good", "jeu" are not)."""
        words = _content_words(query.folded)
        return any(self._counts[w] / self._counted >= ratio * general_share(w) for w in words)

    def _asks_only_the_job(self, asked: str) -> bool:
        """Whether the part of a long message that asks holds no content word but the
        words of asking ("vous pouvez m'expliquer simplement c'est quoi un cto ?")."""
        words = _content_words(asked)
        return not words - fillers()

    def _no_content_word(self, query: Query, k: int) -> tuple[Hit | None, list[Hit]]:
        """A question without content words: a figure the base gives ("cto 2009", "cto
        11%") or a word shape ("chief technical or technology officer?") finds its
        section; one that only names the job gets the definition; else nothing."""
        figures = DIGITS.findall(query.folded)
        if figures or query.expansions:
            hits = self.search(query, k=k)
            if hits and hits[0].score >= MIN_SCORE:
                return hits[0], hits
        names_job = DOMAIN_STOPWORDS & set(WORD.findall(query.folded))
        return (self.definition() if names_job else None), []

    def definition(self) -> Hit | None:
        """The section saying what the job is (the definition topic's first)."""
        first = next((s for s in self._sections if s.topic_id == DEFINITION_TOPIC), None)
        return Hit(first, MIN_SCORE) if first else None


def _everyday_votes(unknown: set[str]) -> dict[Lang, int]:
    """For each language, how many of the words the base lacks are clearly that language's
    in everyday use ("fractional" is English): a real word of one list VOTE_RATIO times
    more frequent there than in the other's."""
    votes: dict[Lang, int] = {"fr": 0, "en": 0}
    pairs: tuple[tuple[Lang, Lang], ...] = (("fr", "en"), ("en", "fr"))
    for word in unknown:
        counts = counts_by_list(word)
        for lang, other in pairs:
            if counts[lang] >= REAL_WORD_COUNT and counts[lang] > VOTE_RATIO * counts[other]:
                votes[lang] += 1
    return votes


def _names_job(query: Query) -> bool:
    """Whether the question names the job itself ("cto", "directeur technique"), not just
    a job ("how do i get a job at google" is no question on the CTO)."""
    return bool(JOB_NAME.search(query.folded))


def _coverage_floor(query: Query) -> float:
    """The share of its content words the base must know for ``query`` to be about it."""
    if _names_job(query):
        return MIN_COVERAGE_NAMED
    return MIN_COVERAGE_RECOGNISED if query.expansions else MIN_COVERAGE


def _word_counts(docs: list[str], lang: Lang) -> Counter[str]:
    """How often each folded word occurs in ``docs``; stop words count as frequent."""
    counts = Counter(w for d in docs for w in WORD.findall(fold(d)))
    counts.update({w: STOPWORD_WEIGHT for w in LANG_STOPWORDS[lang]})
    return counts


def _any_of(terms: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern finding any of ``terms`` (words or phrases) as whole words, as group 1,
    overlapping matches included ("existe depuis" does not hide "depuis combien de
    temps")."""
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?=((?:{alternatives})(?![a-z0-9])))")


def _joined(pattern: re.Pattern[str], text: str) -> str:
    """Every match of ``pattern`` in ``text``, joined by spaces."""
    return " ".join(match.group(0) for match in pattern.finditer(text))


def _topic_document(kb: KnowledgeBase, topic_id: str, lang: Lang) -> str:
    """A whole topic as one document: its vocabulary as a block. The typical day's topic
    also holds its time slots, which its answers show ("when does a CTO have meetings?")."""
    sections = " ".join(_document(kb, s, lang) for s in kb.topics[topic_id].sections)
    if topic_id != DAY_TOPIC:
        return sections
    return " ".join([sections, *(f"{s.label.get(lang)} {s.text.get(lang)}" for s in kb.day)])


def _document(kb: KnowledgeBase, section: Section, lang: Lang) -> str:
    """What is indexed for a section: topic title and summary, heading, text, keywords."""
    topic = kb.topics[section.topic_id]
    body = section.text(lang)
    head = [topic.title.get(lang), topic.summary.get(lang), body.heading]
    terms = [*body.keywords, *topic.keywords.get(lang, ())]
    return " ".join([*head, *head, body.text, *terms, *terms])
