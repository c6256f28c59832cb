"""What a long message asks: the clauses that ask, apart from the background around them.

People write a paragraph ("j'ai 28 ans, chef de projet dans une ESN... combien d'années
faut-il ?"): the words of who they are would otherwise pick the section as much as the
words of what they ask. The asking words are data (``content/questions.toml``, [asking]).
"""

from __future__ import annotations

import re

from coachbot.knowledge.slots import question_words

# A sentence ends at . ! ? or a line break; the mark that ends it is kept with it.
SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]*")
CLAUSE_BREAK = re.compile(r"[,;:()]")
JOINT = re.compile(r"(?:^|\s)(?:et|and|mais|but|donc|so|alors)\s+")
AND = re.compile(r"\s(?:et|and|ou|or|puis|then)\s+")
WORDS = re.compile(r"[a-z0-9']+")
# Below this many words a message has no room for background.
LONG_MESSAGE_WORDS = 14


def fillers() -> frozenset[str]:
    """Words saying how the asker asks ("simplement", "please"), not what."""
    return question_words().asking.fillers


def without_set_aside(text: str) -> str:
    """``text`` without what it sets aside ("à part les startups", "besides tech")."""
    return question_words().asking.excluding.sub(" ", text)


def _markers() -> re.Pattern[str]:
    """The words and phrases that make a clause an ask, as one whole-word pattern."""
    return question_words().asking.markers


def _from_the_ask(clause: str) -> str:
    """A clause from where its ask starts, when a joint sets background before it ("je
    suis dev à Nantes et je me demande combien..."); as it is otherwise ("le cto il fait
    quoi" keeps its subject)."""
    marker = _markers().search(clause)
    if marker is None:
        return clause
    joints = [j for j in JOINT.finditer(clause) if j.end() <= marker.start()]
    return clause[joints[-1].end() :].strip() if joints else clause


def _asking_clauses(sentence: str) -> list[str]:
    """The clauses of one sentence that ask: those holding an asking word; in a sentence
    ending with "?", also every clause after the first such one ("..., la médiane ?"),
    or the whole sentence when none holds one ("salaire à Lyon ?")."""
    clauses = [
        _from_the_ask(c.strip()) for c in CLAUSE_BREAK.split(sentence.rstrip(".!?\n ")) if c.strip()
    ]
    asks = [bool(_markers().search(c)) for c in clauses]
    if not sentence.rstrip().endswith("?"):
        return [c for c, ask in zip(clauses, asks, strict=True) if ask]
    if not any(asks):
        return [" ".join(clauses)]
    # each clause with an asking word starts an ask; the clauses after it complete it
    pieces: list[str] = []
    for clause, ask in zip(clauses[asks.index(True) :], asks[asks.index(True) :], strict=True):
        if ask or not pieces:
            pieces.append(clause)
        else:
            pieces[-1] += " " + clause
    return pieces


def _split_on_and(ask: str) -> list[str]:
    """One ask cut where "and" brings a second one ("combien d'années il faut et quel
    diplôme est attendu", "how long does it take and do you need a master's")."""
    pieces, start = [], 0
    for joint in AND.finditer(ask):
        if _markers().match(ask, joint.end()):
            pieces.append(ask[start : joint.start()].strip())
            start = joint.end()
    pieces.append(ask[start:].strip())
    return [p for p in pieces if p]


def asks(folded: str) -> list[str]:
    """What a long folded message asks, one entry per sentence that asks, in order; empty
    for a short message, or when the whole message asks (no background)."""
    if len(WORDS.findall(folded)) < LONG_MESSAGE_WORDS:
        return []  # a short question is all ask ("cto en start-up : quoi de différent ?")
    sentences = [s for s in SENTENCE.findall(folded) if s.strip()]
    found = [piece for s in sentences for ask in _asking_clauses(s) for piece in _split_on_and(ask)]
    whole = " ".join(WORDS.findall(folded))
    return [] if " ".join(WORDS.findall(" ".join(found))) == whole else found


def asked(folded: str) -> str | None:
    """The part of a folded message that asks, when the message also holds background
    (who the asker is, greetings, thanks); None when all of it asks or nothing does."""
    found = asks(folded)
    return " ".join(found) if found else None
