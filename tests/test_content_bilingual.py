"""The French and English versions of every entry say the same thing: each figure and
each named entity of one version is in the other (issue #9, "one language only").

A figure is any run of digits once thousands separators are dropped (6 000, 6 000 and
6,000 are all 6000). A named entity is a word with two capitals or more (CIO, R&D,
IoT) or a capitalised word that does not open a sentence or a bullet (Aneesh Chopra,
Salary.com, Decathlon). Where the two languages name a thing differently (DSI / CIO,
PDG / CEO, Maison-Blanche / White House), EQUIVALENTS says so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pytest

from coachbot.knowledge.facts import format_fact
from coachbot.knowledge.models import KnowledgeBase

# One group per thing the two languages name differently; any member stands for all.
EQUIVALENTS: tuple[frozenset[str], ...] = tuple(
    frozenset(group)
    for group in (
        {"DSI", "CIO"},
        {"PDG", "CEO"},
        {"DAF", "CFO"},
        {"DRH", "RH", "HR"},
        {"PME", "SME"},
        {"IA", "AI"},
        {"IT", "TI", "informatique"},
        {"IoT", "Internet", "Things", "objets connectés", "Internet des objets"},
        {"PhD", "doctorat"},
        {"ERP-type", "progiciels"},
        {"INA", "Institut national de l'audiovisuel"},
        {"États-Unis", "United", "States", "US", "American", "américain", "Américains"},
        {"North", "nord-américain"},
        {"Maison-Blanche", "White", "House"},
        {"Bureau", "Office"},
        {"January", "janvier"},
        {"April", "avril"},
    )
)
# Words one version adds for its own readers: the English text says a source is French
# or that a word is the English one, which a French reader takes for granted, and
# "CTO" is what every entry is about, whether or not a sentence names it.
READER_CONTEXT = frozenset({"CTO", "French", "France", "English", "French-speaking"})

SEPARATOR = re.compile(r"(?<=\d)[\s,](?=\d{3}(?!\d))")
MARKUP = re.compile(r"\*\*|`|(?<!\w)_|_(?!\w)")
TOKEN = re.compile(r"[^\W_](?:[\w&+#.’'\-]*[^\W_]|[\w&+#.’'\-]*[+#])?")
SENTENCE_START = re.compile(r"(?:^|[.!?:;(«\"“]\s*|\n\s*(?:-\s+)?)$")
ELISION = re.compile(r"^(?:[cdjlmnst]|qu)['’]", re.IGNORECASE)


@dataclass(frozen=True)
class Gap:
    """What one version holds and the other lacks."""

    entry: str
    only_in: str
    figures: tuple[str, ...]
    entities: tuple[str, ...]


def figures(text: str) -> set[str]:
    """The numbers of ``text``, thousands separators dropped (6 000 = 6,000 = 6000)."""
    return set(re.findall(r"\d+", SEPARATOR.sub("", text)))


def entities(text: str) -> set[str]:
    """Acronyms and capitalised words that do not open a sentence or a bullet."""
    plain = MARKUP.sub("", text)
    found = set()
    for match in TOKEN.finditer(plain):
        word = ELISION.sub("", re.sub(r"[’']s$", "", match.group(0).rstrip(".")))
        if sum(c.isupper() for c in word) >= 2:
            found.add(re.sub(r"(?<=[A-Z])s$", "", word))  # KPIs is KPI
        elif word[:1].isupper() and not SENTENCE_START.search(plain[: match.start()]):
            found.add(word)
    return found - READER_CONTEXT


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", "", bare.casefold())


def _said_in(entity: str, other: str) -> bool:
    names = {entity}.union(*(g for g in EQUIVALENTS if entity in g))
    return any(_folded(name) in other for name in names)


def gaps(entry: str, fr: str, en: str) -> list[Gap]:
    """What each version of ``entry`` holds that the other does not."""
    out = []
    for lang, one, other in (("fr", fr, en), ("en", en, fr)):
        folded = _folded(other)
        lost_figures = tuple(sorted(figures(one) - figures(other)))
        lost_names = tuple(sorted(e for e in entities(one) if not _said_in(e, folded)))
        if lost_figures or lost_names:
            out.append(Gap(entry, lang, lost_figures, lost_names))
    return out


def versions(kb: KnowledgeBase) -> list[tuple[str, str, str]]:
    """Every bilingual entry as (address, French, English): sections with their facts
    filled in, facts, tips, day slots, skills, topic titles and summaries."""
    out = [
        (s.key, f"{s.fr.heading}\n{s.fr.text}", f"{s.en.heading}\n{s.en.text}")
        for s in kb.sections()
    ]
    out += [
        (f"facts/{f.id}", format_fact(f, "fr"), format_fact(f, "en")) for f in kb.facts.values()
    ]
    for tip in kb.tips:
        parts = (tip.lesson, tip.action, tip.question)
        out.append(
            (f"tips/{tip.id}", "\n".join(p.fr for p in parts), "\n".join(p.en for p in parts))
        )
    out += [
        (f"day/{d.id}", f"{d.label.fr}\n{d.text.fr}", f"{d.label.en}\n{d.text.en}") for d in kb.day
    ]
    for sk in kb.skills.values():
        out.append(
            (
                f"skills/{sk.id}",
                f"{sk.name.fr}\n{sk.description.fr}",
                f"{sk.name.en}\n{sk.description.en}",
            )
        )
    for t in kb.topics.values():
        out.append(
            (f"topics/{t.id}", f"{t.title.fr}\n{t.summary.fr}", f"{t.title.en}\n{t.summary.en}")
        )
    return out


def test_both_languages_hold_the_same_figures_and_names(kb: KnowledgeBase) -> None:
    found = [gap for entry in versions(kb) for gap in gaps(*entry)]
    assert not found, "\n".join(
        f"{g.entry}: only in {g.only_in}: {list(g.figures) + list(g.entities)}" for g in found
    )


def test_every_kind_of_entry_is_compared(kb: KnowledgeBase) -> None:
    kinds = {address.split("/")[0] for address, _, _ in versions(kb)}
    assert {"facts", "tips", "day", "skills", "topics"} <= kinds
    assert len(versions(kb)) > len(kb.sections()) + len(kb.tips) + len(kb.day)


@pytest.mark.parametrize(
    ("fr", "en"),
    [
        ("environ 6 000 € brut par mois", "roughly €6,000 gross a month"),
        ("environ 6\u202f000 € brut", "about 6000 euros gross"),
        ("de 215 194 $ à 300 131 $", "from $215,194 to $300,131"),
        ("au moins 5 à 10 ans", "at least 5 to 10 years"),
        ("le PDG ou le DSI", "the CEO or the CIO"),
        ("nommé par la Maison-Blanche : Aneesh Chopra", "named by the White House: Aneesh Chopra"),
        ("l'IA et l'IoT", "AI and IoT"),
    ],
)
def test_the_same_thing_written_two_ways_matches(fr: str, en: str) -> None:
    assert gaps("example", fr, en) == []


def test_a_figure_lost_in_one_language_is_caught(kb: KnowledgeBase) -> None:
    section = next(s for s in kb.sections() if s.key == "salary/us-figures")
    english = section.en.text.replace("$256,604", "a quarter of a million dollars")
    (gap,) = gaps(section.key, section.fr.text, english)
    assert (gap.only_in, gap.figures, gap.entities) == ("fr", ("256604",), ())


def test_a_name_lost_in_one_language_is_caught(kb: KnowledgeBase) -> None:
    section = next(s for s in kb.sections() if s.key == "history/us-federal-cto")
    french = section.fr.text.replace("Aneesh Chopra", "un ancien fonctionnaire")
    (gap,) = gaps(section.key, french, section.en.text)
    assert (gap.only_in, gap.entities) == ("en", ("Aneesh", "Chopra"))


def test_a_figure_added_on_one_side_only_is_caught() -> None:
    (gap,) = gaps("example", "au moins 6 à 10 ans", "at least 10 years")
    assert (gap.only_in, gap.figures) == ("fr", ("6",))
