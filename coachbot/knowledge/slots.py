"""What a free question names: a place, an experience level, an hour or part of the day, a
year; and whether it is a greeting or about something other than the CTO job.

The words themselves are data (``content/questions.toml``); this module only reads them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import time
from functools import cache
from pathlib import Path
from typing import Any, Literal

from coachbot.i18n import Lang
from coachbot.knowledge.folding import fold

QUESTIONS_FILE = Path(__file__).resolve().parent.parent / "content" / "questions.toml"
PlaceKind = Literal["paris", "big_cities", "regions", "abroad", "us"]
PLACE_KINDS: tuple[PlaceKind, ...] = ("paris", "big_cities", "regions", "abroad", "us")
# "3 pm", "3:30pm", "3.30 pm" first, then "15h", "15h30", "15:30".
HOUR_12 = re.compile(r"(?<![0-9.:])(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(am|pm)\b")
# "entre 13h et 15h", "between 3 and 5 pm", "de 10h à 12h": a span of the day.
_AT = r"(\d{1,2})(?:\s*(?:h|:|\.)\s*(\d{2})?)?\s*(am|pm)?"
SPAN = re.compile(rf"\b(?:between|from|entre|de)\s+{_AT}\s*(?:and|to|et|a|-|–)\s+{_AT}(?![0-9])")
# "10 o'clock": the typical day runs from 8 to 17, so 1 to 7 o'clock are afternoon hours.
OCLOCK = re.compile(r"(?<![0-9])(\d{1,2})\s*o\s*'?\s*clock\b")
AFTERNOON_OCLOCK = 7
NOON = 12
DAY_START = 8  # the typical day's first hour: an earlier one said with "l'aprem" is pm
LAST_HOUR = 23
HOUR_24 = re.compile(r"(?<![0-9])(\d{1,2})\s*(?:h(?:eures?|rs?)?|:)\s*(\d{2})?(?![0-9a-z])")
YEAR = re.compile(r"(?<![0-9])(20[0-3]\d)(?![0-9])")
WORDS = re.compile(r"[a-z0-9']+")
# Under this many years the grid has no level: it starts at the confirmed band.
GRID_START_YEARS = 4
BELOW_GRID = "below_grid"  # the [levels] entry naming profiles under the grid
EXPERT_YEARS = 8
# Minutes said after the hour in English ("nine thirty am").
MINUTES = {"fifteen": 15, "thirty": 30, "forty five": 45}
MINUTE_WORDS = "fifteen|thirty|forty[ -]five"
# A job named in the feminine or the plural is the same job ("boulangère", "plumbers").
INFLECTED = r"(?:e|s|es)?"
DECADE = 10  # years
# "un cto de 30 ans": from this many, years with no word of experience after them are an age.
AGE_FROM = 18


@dataclass(frozen=True, slots=True)
class Place:
    """A place a question names: which kind, which grid region (None abroad), as written."""

    kind: PlaceKind
    region: str | None
    name: str


@dataclass(frozen=True, slots=True)
class DayPart:
    """A phrase for a part of the day and the span of the typical day it means."""

    terms: tuple[str, ...]
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class Slots:
    """The values a question names (None: not named)."""

    place: Place | None = None
    compared: bool = False  # two or more tiers of the grid named ("paris vs province")
    level: str | None = None
    years: int | None = None
    beginner: bool = False  # "débutant", "junior": under the grid's first level
    grid: bool = False  # the salary grid itself is named ("la grille des salaires")
    net_or_monthly: bool = False  # pay asked net or by the month; the grid is gross a year
    day_rate: bool = False  # a freelancer's day rate asked; the grid is employees' pay
    level_named: bool = False  # the level is named by a word ("confirmé"), not by years
    hour: int | None = None
    minute: int = 0  # of ``hour``: "15h30", "3:30 pm"
    part: DayPart | None = None
    year: int | None = None

    @property
    def salary_values(self) -> bool:
        """Whether the question names a value of the salary grid."""
        named = (self.place, self.level, self.years)
        flags = self.compared or self.beginner or self.grid or self.day_rate or self.net_or_monthly
        return flags or any(value is not None for value in named)

    @property
    def grid_cell(self) -> bool:
        """Whether the question names both a place and a level ("cto marseille confirmé"):
        a cell of the salary grid, even without a word about pay."""
        return self.place is not None and self.level_named

    @property
    def day_values(self) -> bool:
        """Whether the question names a moment of the day."""
        return self.hour is not None or self.part is not None


@dataclass(frozen=True, slots=True)
class _Terms:
    """A kind of thing and the phrases that name it, as one pattern."""

    key: str
    region: str | None
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class QuestionWords:
    """The vocabulary of ``questions.toml``, typed and compiled."""

    places: tuple[_Terms, ...]
    levels: tuple[_Terms, ...]
    below_grid: re.Pattern[str]
    grid: re.Pattern[str]
    net_or_monthly: re.Pattern[str]
    day_rate: re.Pattern[str]
    parts: tuple[tuple[DayPart, re.Pattern[str]], ...]
    greetings: dict[Lang, frozenset[str]]
    off_topic: re.Pattern[str]
    other_jobs: re.Pattern[str]
    other_subjects: re.Pattern[str]
    own_subjects: re.Pattern[str]
    salary: re.Pattern[str]
    salary_weak: re.Pattern[str]
    counts: re.Pattern[str]
    more: re.Pattern[str]
    lists: re.Pattern[str]
    precise: re.Pattern[str]
    reductive: re.Pattern[str]
    compare: re.Pattern[str]
    compare_sides: re.Pattern[str]
    date: re.Pattern[str]
    person: re.Pattern[str]
    duration: re.Pattern[str]
    figure: re.Pattern[str]
    offers: re.Pattern[str]
    reason: re.Pattern[str]
    cause_markers: dict[Lang, re.Pattern[str]]
    more_fillers: frozenset[str]
    neutral: frozenset[str]  # words used alike in both languages: no language vote
    examples: dict[Lang, tuple[str, ...]]
    abbreviations: dict[str, str]
    shorthand: re.Pattern[str]
    clock: ClockWords
    experience: ExperienceWords
    bare_hour: re.Pattern[str]  # "vers 2", "around 11 in the morning"
    asking: AskingWords
    vocabulary: frozenset[str]  # every word of the file's phrases, for typo correction

    def spelled_out(self, folded: str) -> str:
        """``folded`` with the shorthand people type spelled out ("1er" → "premier")."""
        spelled = self.shorthand.sub(lambda m: self.abbreviations[m.group(0)], folded)
        return self.clock.as_figures(spelled)

    def read(self, folded: str) -> Slots:
        """The values ``folded`` (lowercase, no accents) names."""
        years = self.experience.years(folded)
        span = _span(folded)
        moment = None if span else _moment(folded) or self._bare_hour(folded)
        moment = self._in_part(moment, folded)
        tiers = self._tiers(folded)
        return Slots(
            place=None if len(tiers) > 1 else self._place(folded),
            compared=len(tiers) > 1,
            level=self._level(folded) or _level_of(years),
            level_named=self._level(folded) is not None,
            years=years,
            beginner=years is None and bool(self.below_grid.search(folded)),
            grid=bool(self.grid.search(folded)),
            net_or_monthly=bool(self.net_or_monthly.search(folded)),
            day_rate=bool(self.day_rate.search(folded)),
            hour=moment.hour if moment else None,
            minute=moment.minute if moment else 0,
            part=span or self._part(folded),
            year=int(m.group(1)) if (m := YEAR.search(folded)) else None,
        )

    def greeting(self, folded: str) -> Lang | None:
        """The language of a question made only of greeting words, else None."""
        words = WORDS.findall(folded.replace("thank you", "thanks"))
        for lang, known in self.greetings.items():
            if words and all(w in known for w in words):
                return lang
        return None

    def out_of_scope(self, folded: str, names_the_job: bool) -> bool:
        """Whether the question is about something else than the CTO job: off-topic words
        whatever else it says, another job or subject when it names neither the CTO nor a
        subject of the base's own ("c'est quoi un scrum master et un product owner ?")."""
        if self.off_topic.search(folded):
            return True
        elsewhere = self.other_jobs.search(folded) or self.other_subjects.search(folded)
        return not (names_the_job or self.own_subjects.search(folded)) and bool(elsewhere)

    def neutral_words(self, folded: str) -> set[str]:
        """The words of ``folded`` that cast no language vote: neutral words, and the words
        of neutral phrases it holds ("full remote" is said in French too; "remote" alone
        is English)."""
        found = {n for n in self.neutral if " " not in n or any_of([n]).search(folded)}
        return {w for n in found for w in n.split()}

    def asks_salary(self, folded: str, elsewhere: bool = False) -> bool:
        """Whether the question asks about pay: a pay word, or "combien" / "how much"
        when the question names no other subject (``elsewhere``) and counts nothing else
        ("combien d'années" is experience)."""
        weak = not elsewhere and self.salary_weak.search(self.counts.sub(" ", folded))
        return bool(self.salary.search(folded) or weak)

    def asks_list(self, folded: str) -> bool:
        """Whether the question asks for a whole list or an overview."""
        return bool(self.lists.search(folded))

    def asks_precise(self, folded: str) -> bool:
        """Whether the question asks for one precise thing (a name, a date, a figure)."""
        return bool(self.precise.search(folded))

    def reduces_the_job(self, folded: str) -> bool:
        """Whether the question sets the job against a lesser one ("juste un dev senior ?",
        "cto = developpeur en chef ?": an equals sign with another job named)."""
        equated = "=" in folded and bool(self.other_jobs.search(folded))
        return equated or bool(self.reductive.search(folded))

    def sides(self, folded: str) -> list[str]:
        """The two things a comparison sets side by side ("cto de startup vs cto de grand
        groupe"), or no side when it compares nothing."""
        if not self.compare.search(folded):
            return []
        sides = [s.strip() for s in self.compare_sides.split(folded, maxsplit=1)]
        return sides if len(sides) == 2 and all(sides) else []

    def asks_date(self, folded: str) -> bool:
        """Whether the question asks when something happened."""
        return bool(self.date.search(folded))

    def asks_person(self, folded: str) -> bool:
        """Whether the question asks who someone is or was."""
        return bool(self.person.search(folded))

    def place_words(self, folded: str) -> set[str]:
        """The words of the places ``folded`` names ("new york"): a name is no language."""
        found = (m.group(0) for t in self.places for m in t.pattern.finditer(folded))
        return {w for phrase in found for w in WORDS.findall(phrase)}

    def asks_duration(self, folded: str) -> bool:
        """Whether the question asks how long (a number of years)."""
        return bool(self.duration.search(folded))

    def asks_figure(self, folded: str) -> bool:
        """Whether the question asks for a figure (how much, how many, a percentage)."""
        return bool(self.figure.search(folded))

    def asks_offers(self, folded: str) -> bool:
        """Whether the question asks about job offers ("les offres de cto a grenoble")."""
        return bool(self.offers.search(folded))

    def asks_reason(self, folded: str) -> bool:
        """Whether the question asks why."""
        return bool(self.reason.search(folded))

    def gives_cause(self, text: str, lang: Lang) -> bool:
        """Whether ``text`` (a section's heading and text in ``lang``) gives a cause."""
        return bool(self.cause_markers[lang].search(fold(text)))

    def asks_more(self, folded: str) -> bool:
        """Whether the question only asks to go on ("pourquoi ?", "tell me more")."""
        rest = self.more.sub(" ", folded)
        return rest != folded and all(w in self.more_fillers for w in WORDS.findall(rest))

    def _part(self, folded: str) -> DayPart | None:
        """The part of the day the question names; a phrase inside a longer one does not
        count ("late afternoon" is the end of the day, not the afternoon); several parts
        ("le matin et l'après-midi") make one span from the first to the last."""
        spans = [(m.start(), m.end(), part) for part, p in self.parts for m in p.finditer(folded)]
        named = [
            part
            for start, end, part in spans
            if not any(s <= start and end <= e and e - s > end - start for s, e, _ in spans)
        ]
        if not named:
            return None
        terms = tuple(t for part in named for t in part.terms)
        return DayPart(terms, min(p.start for p in named), max(p.end for p in named))

    def _in_part(self, moment: time | None, folded: str) -> time | None:
        """``moment`` read in the part of the day named with it: an hour before the day
        starts, said with the afternoon or the evening, is a pm hour ("5h de l'aprem")."""
        part = self._part(folded) if moment is not None else None
        if moment is None or part is None or moment.hour >= DAY_START or part.start.hour < NOON:
            return moment
        return moment.replace(hour=moment.hour + NOON)

    def _tiers(self, folded: str) -> set[str]:
        """The grid tiers the question names; a phrase overlapping a longer one does not
        count ("en region parisienne" is Paris, not also "en region")."""
        found = [
            (m.start(), m.end(), t.region)
            for t in self.places
            if t.region
            for m in t.pattern.finditer(folded)
        ]
        return {
            region
            for start, end, region in found
            if not any(s < end and start < e and e - s > end - start for s, e, _ in found)
        }

    def value_words(self, folded: str) -> set[str]:
        """The words of the grid's values ``folded`` names: places, levels, years."""
        patterns = [t.pattern for t in (*self.places, *self.levels)]
        experience = self.experience
        patterns += [self.below_grid, experience.counted, experience.decades, experience.about]
        found = (m.group(0) for p in patterns for m in p.finditer(folded))
        words = {w for phrase in found for w in WORDS.findall(phrase)}
        if self.experience.years(folded) is not None:  # "plus de 10 ans d'experience"
            words |= self.experience.around
        return words

    def _bare_hour(self, folded: str) -> time | None:
        """The hour a bare figure or number names ("vers 2", "vers 14", "at three", "around
        11 in the morning"): without a part of the day, 1 to 7 are afternoon hours."""
        match = self.bare_hour.search(folded)
        said = next((g for g in match.groups() if g), "") if match else ""
        hour = int(said) if said.isdigit() else self.clock.numbers.get(said, 0)
        if not 1 <= hour <= LAST_HOUR:
            return None
        part = self._part(folded)
        if hour > NOON or part is not None:  # "vers 14"; in a part: read by ``_in_part``
            return time(hour)
        return time(_spoken(hour))

    def _place(self, folded: str) -> Place | None:
        """The place the longest matching phrase names ("region parisienne" is Paris, not
        the regions)."""
        found = [(m.group(0), t) for t in self.places if (m := t.pattern.search(folded))]
        if not found:
            return None
        name, terms = max(found, key=lambda f: len(f[0]))
        return Place(terms.key, terms.region, name)  # type: ignore[arg-type]

    def _level(self, folded: str) -> str | None:
        return next((t.key for t in self.levels if t.pattern.search(folded)), None)


def _span(folded: str) -> DayPart | None:
    """The span "entre 13h et 15h" or "between 3 and 5 pm" names, if any."""
    match = SPAN.search(folded)
    if match is None:
        return None
    h1, m1, s1, h2, m2, s2 = match.groups()
    first, last = int(h1), int(h2)
    if s2 == "pm" and last < 12:
        last += 12
        first += 12 if s1 in (None, "pm") and first < 12 and first + 12 <= last else 0
    elif s1 is None and s2 is None and last <= AFTERNOON_OCLOCK:
        first, last = first + 12, last + 12
    if not first < last < 24:
        return None
    return DayPart((match.group(0),), time(first, int(m1 or 0)), time(last, int(m2 or 0)))


def _moment(folded: str) -> time | None:
    """The time of day ``folded`` names, if any (None past 23:59)."""
    if match := HOUR_12.search(folded):
        hour = int(match.group(1)) % 12 + (12 if match.group(3) == "pm" else 0)
        minute = int(match.group(2) or 0)
    elif match := OCLOCK.search(folded):
        hour, minute = int(match.group(1)), 0
        hour += 12 if hour <= AFTERNOON_OCLOCK else 0
    elif match := HOUR_24.search(folded):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
    else:
        return None
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _level_of(years: int | None) -> str | None:
    """The grid level a number of years falls in (None under the grid's start)."""
    if years is None or years < GRID_START_YEARS:
        return None
    return "expert" if years >= EXPERT_YEARS else "confirmed"


def any_of(terms: list[str] | tuple[str, ...], ending: str = "") -> re.Pattern[str]:
    """A pattern matching any of ``terms`` as whole words (longest first), each
    optionally followed by ``ending`` (a pattern); a space or a hyphen in a term matches
    either ("hauts de seine", "saint-denis")."""
    return re.compile(rf"(?<![a-z0-9])(?:{_alternatives(list(terms))}){ending}(?![a-z0-9])")


def _loose(term: str) -> str:
    """``term`` escaped, its spaces and hyphens matching one another."""
    return r"[\s-]+".join(re.escape(part) for part in re.split(r"[\s-]+", term))


def _strings(table: dict[str, Any], key: str, where: str) -> list[str]:
    values = table.get(key)
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values) or not values:
        raise ValueError(f"questions.toml: {where}.{key}: a non-empty list of strings")
    return values


def _part(table: dict[str, Any], i: int) -> tuple[DayPart, re.Pattern[str]]:
    terms = _strings(table, "terms", f"parts[{i}]")
    part = DayPart(
        tuple(terms), time.fromisoformat(table["start"]), time.fromisoformat(table["end"])
    )
    return part, any_of(terms)


def load_question_words(path: Path = QUESTIONS_FILE) -> QuestionWords:
    """Read ``questions.toml``; a broken entry raises ValueError naming it."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    places = data["places"]
    unknown = set(places) - set(PLACE_KINDS)
    if unknown:
        raise ValueError(f"questions.toml: places: unknown kind(s) {sorted(unknown)}")
    scope = data["scope"]
    return QuestionWords(
        places=tuple(
            _Terms(kind, places[kind].get("region"), any_of(_strings(places[kind], "terms", kind)))
            for kind in PLACE_KINDS
            if kind in places
        ),
        levels=tuple(
            _Terms(level, level, any_of(_strings(data["levels"], level, "levels")))
            for level in data["levels"]
            if level != BELOW_GRID
        ),
        below_grid=any_of(_strings(data["levels"], BELOW_GRID, "levels")),
        grid=any_of(_strings(data["intents"], "grid", "intents")),
        net_or_monthly=any_of(_strings(data["intents"], "net_or_monthly", "intents")),
        day_rate=any_of(_strings(data["intents"], "day_rate", "intents")),
        parts=tuple(_part(t, i) for i, t in enumerate(data["parts"])),
        greetings={
            "fr": frozenset(_strings(scope, "greetings_fr", "scope")),
            "en": frozenset(_strings(scope, "greetings_en", "scope")),
        },
        off_topic=any_of(_strings(scope, "off_topic", "scope")),
        other_jobs=any_of(_strings(scope, "other_jobs", "scope"), INFLECTED),
        other_subjects=any_of(_strings(scope, "other_subjects", "scope")),
        own_subjects=any_of(_strings(scope, "own_subjects", "scope")),
        salary=any_of(_strings(data["intents"], "salary", "intents")),
        salary_weak=any_of(_strings(data["intents"], "salary_weak", "intents")),
        counts=any_of(_strings(data["intents"], "counts", "intents")),
        more=any_of(_strings(data["intents"], "more", "intents")),
        lists=any_of(_strings(data["intents"], "list", "intents")),
        precise=any_of(_strings(data["intents"], "precise", "intents")),
        reductive=any_of(_strings(data["intents"], "reductive", "intents")),
        compare=any_of(_strings(data["intents"], "compare", "intents")),
        compare_sides=any_of(_strings(data["intents"], "compare_sides", "intents")),
        date=any_of(_strings(data["intents"], "date", "intents")),
        person=any_of(_strings(data["intents"], "person", "intents")),
        duration=any_of(_strings(data["intents"], "duration", "intents")),
        figure=any_of(_strings(data["intents"], "figure", "intents")),
        offers=any_of(_strings(data["intents"], "offers", "intents")),
        reason=any_of(_strings(data["intents"], "reason", "intents")),
        cause_markers={
            "fr": any_of(_strings(data["intents"], "cause_markers_fr", "intents")),
            "en": any_of(_strings(data["intents"], "cause_markers_en", "intents")),
        },
        more_fillers=frozenset(_strings(data["intents"], "more_fillers", "intents")),
        neutral=frozenset(_strings(data["intents"], "neutral", "intents")),
        examples={
            "fr": tuple(_strings(data["examples"], "fr", "examples")),
            "en": tuple(_strings(data["examples"], "en", "examples")),
        },
        abbreviations=_abbreviations(data),
        vocabulary=frozenset(WORDS.findall(" ".join(_phrases(data)))),
        shorthand=_shorthand(_abbreviations(data)),
        clock=_clock_words(data),
        experience=_experience_words(data),
        bare_hour=_bare_hour(data),
        asking=_asking_words(data),
    )


@dataclass(frozen=True)
class ExperienceWords:
    """Years of experience as people write them: "10 ans", "15 piges", "10+ yrs", "une
    decennie" (ten), "two decades" (twenty)."""

    counted: re.Pattern[str]  # a figure, then a unit
    decades: re.Pattern[str]  # a count (figure, number word or article), then a decade
    about: re.Pattern[str]  # "une quinzaine d'annees"
    said: re.Pattern[str]  # experience named just after a figure: "30 ans d'experience"
    numbers: dict[str, int]
    approximately: dict[str, int]
    around: frozenset[str]  # words said with a number of years: "plus de", "experience"

    def years(self, folded: str) -> int | None:
        """The years of experience ``folded`` names, if any; a figure of years from
        ``AGE_FROM`` up with no word of experience just after it is an age."""
        for counted in self.counted.finditer(folded):
            figure = int(counted.group(1))
            if figure < AGE_FROM or self.said.match(folded, counted.end()):
                return figure
        if about := self.about.search(folded):
            return self.approximately[about.group(1)]
        if match := self.decades.search(folded):
            said = match.group(1)
            return DECADE * (int(said) if said.isdigit() else self.numbers.get(said, 1))
        return None


def _experience_words(data: dict[str, Any]) -> ExperienceWords:
    table = data["experience"]
    units = _alternatives(_strings(table, "units", "experience"))
    decades = _alternatives(_strings(table, "decades", "experience"))
    numbers = {w: n for w, n in data.get("numbers", {}).items() if n >= 1}
    counts = _alternatives([*numbers, *_strings(table, "articles", "experience")])
    approximately = table.get("about", {})
    if not all(isinstance(v, int) for v in approximately.values()):
        raise ValueError("questions.toml: experience.about: each word maps to a whole number")
    said = _alternatives(_strings(table, "said", "experience"))
    # "25 years old" gives an age, "a decade ago" a date: not experience.
    return ExperienceWords(
        counted=re.compile(
            rf"(?<![0-9])(\d{{1,2}})\s*\+?\s*(?:{units})(?![a-z0-9])(?![\s-]*old\b)"
        ),
        decades=re.compile(
            rf"(?<![a-z0-9'])(\d{{1,2}}|{counts})\s+(?:{decades})(?![a-z])(?!\s+(?:ago|old)\b)"
        ),
        about=re.compile(
            rf"(?<![a-z])({_alternatives(list(approximately))})\s+(?:d'|de\s+)?(?:{units})(?![a-z])"
        ),
        said=re.compile(rf"[\s,]*(?:[a-z']+\s+){{0,2}}?(?:d')?(?:{said})(?![a-z])"),
        numbers=numbers,
        approximately=dict(approximately),
        around=frozenset(
            WORDS.findall(
                " ".join(
                    _strings(table, "said", "experience") + _strings(table, "bounds", "experience")
                )
            )
        ),
    )


@dataclass(frozen=True)
class AskingWords:
    """What makes a clause of a long message an ask ([asking] in questions.toml)."""

    markers: re.Pattern[str]  # "combien", "j'aimerais savoir", "how"
    excluding: re.Pattern[str]  # "a part les startups": the phrase and what it sets aside
    fillers: frozenset[str]  # how the asker asks ("simplement", "please"), not what


def _asking_words(data: dict[str, Any]) -> AskingWords:
    table = data["asking"]
    markers = _folded_alternatives(_strings(table, "markers", "asking"))
    excluding = _folded_alternatives(_strings(table, "excluding", "asking"))
    return AskingWords(
        markers=re.compile(rf"(?<![a-z0-9'])(?:{markers})(?![a-z0-9])"),
        excluding=re.compile(rf"(?<![a-z0-9'])(?:{excluding})(?:\s+[a-z0-9'-]+){{1,3}}"),
        fillers=frozenset(fold(t) for t in _strings(table, "fillers", "asking")),
    )


def _folded_alternatives(terms: list[str]) -> str:
    """``terms`` folded, as one regex alternation, longest first."""
    return "|".join(map(re.escape, sorted({fold(t) for t in terms}, key=len, reverse=True)))


def _bare_hour(data: dict[str, Any]) -> re.Pattern[str]:
    """A figure after "vers" / "around" (a number word after some of them: "at three"),
    ending the question or before a part of the day."""
    table = data["hours"]
    before = _alternatives(_strings(table, "before", "hours"))
    joiners = _alternatives(_strings(table, "joiners", "hours"))
    parts = _alternatives([t for part in data["parts"] for t in part["terms"]])
    follows = rf"\s*(?:$|[?!.,;:]|(?:(?:{joiners})\s*)?(?:{parts})(?![a-z]))"
    before_said = _alternatives(_strings(table, "before_said", "hours"))
    said = _alternatives([w for w, n in data.get("numbers", {}).items() if 1 <= n <= 12])
    twelve = _alternatives(_strings(table, "before_twelve", "hours"))
    figure = rf"(?:{before})\s+(\d{{1,2}})"
    figure_to_twelve = rf"(?:{twelve})\s+(1[0-2]|0?[1-9])"
    number = rf"(?:{before_said})\s+({said})"
    return re.compile(rf"(?<![a-z0-9'])(?:{figure}|{figure_to_twelve}|{number})(?={follows})")


def _alternatives(terms: list[str]) -> str:
    """``terms`` as one regex alternation, longest first, spaces and hyphens loose."""
    return "|".join(_loose(t) for t in sorted(terms, key=len, reverse=True))


@dataclass(frozen=True)
class ClockWords:
    """Times of day written in words, read as figures: "dix heures et demie" → 10h30,
    "half past three" → 15:30, "five o'clock" → 17h."""

    numbers: dict[str, int]
    word_hour: re.Pattern[str]  # a number word before an hour unit: "dix heures"
    past: re.Pattern[str]  # "half past three", "quarter to 5"
    french: re.Pattern[str]  # "10 heures et demie", "3h moins le quart"
    minutes: re.Pattern[str]  # "nine thirty am", "ten fifteen"

    def as_figures(self, folded: str) -> str:
        """``folded`` with its times in words written as figures, the rest unchanged."""
        folded = self.past.sub(self._past, folded)
        folded = self.minutes.sub(self._minutes, folded)
        folded = self.word_hour.sub(self._word_hour, folded)
        return self.french.sub(_french_minutes, folded)

    def _hour(self, said: str, meridiem: str | None) -> int:
        hour = int(said) if said.isdigit() else self.numbers[said]
        return _spoken(hour) if said.isalpha() and meridiem is None else hour

    def _word_hour(self, match: re.Match[str]) -> str:
        hour = self._hour(match.group(1), match.group(3))
        return f"{hour} {match.group(3)}" if match.group(3) else f"{hour}h"

    def _minutes(self, match: re.Match[str]) -> str:
        hour = self._hour(match.group(1), match.group(3))
        minute = MINUTES[match.group(2).replace("-", " ")]
        return f"{hour}:{minute:02d}" + (f" {match.group(3)}" if match.group(3) else "")

    def _past(self, match: re.Match[str]) -> str:
        kind, said, meridiem = match.group(1), match.group(2), match.group(3)
        hour = int(said) if said.isdigit() else self.numbers[said]
        hour = hour if meridiem else _spoken(hour)
        hour, minute = _with_minutes(hour, kind)
        return f"{hour % 12 or 12}:{minute:02d} {meridiem}" if meridiem else f"{hour}:{minute:02d}"


def _spoken(hour: int) -> int:
    """An hour said with no am/pm: 1 to 7 are afternoon hours in a working day."""
    return hour + 12 if 1 <= hour <= AFTERNOON_OCLOCK else hour


def _with_minutes(hour: int, said: str) -> tuple[int, int]:
    """The hour and minute "half past", "quarter past" or "quarter to" ``hour`` gives."""
    if said.startswith("half"):
        return hour, 30
    if said.endswith("past"):
        return hour, 15
    return hour - 1, 45


def _french_minutes(match: re.Match[str]) -> str:
    hour, said = int(match.group(1)), match.group(2)
    if "demi" in said:
        return f"{hour}h30"
    if "moins" in said:
        return f"{hour - 1}h45"
    return f"{hour}h15"


def _clock_words(data: dict[str, Any]) -> ClockWords:
    numbers = data.get("numbers", {})
    if not all(isinstance(k, str) and isinstance(v, int) for k, v in numbers.items()):
        raise ValueError("questions.toml: numbers: each word maps to a whole number")
    said = "|".join(re.escape(w) for w in sorted(numbers, key=len, reverse=True)) or "$^"
    meridiem = r"(?:\s*(am|pm)\b)?"
    return ClockWords(
        numbers=dict(numbers),
        word_hour=re.compile(
            rf"(?<![a-z0-9'-])({said})\s*(heures?\b|h\b|o\s*'?\s*clock\b|(?=\s*(?:am|pm)\b)){meridiem}"
        ),
        past=re.compile(
            rf"\b(half past|quarter past|quarter to)\s+({said}|\d{{1,2}})(?![a-z0-9]){meridiem}"
        ),
        minutes=re.compile(rf"(?<![a-z0-9'-])({said})\s+({MINUTE_WORDS})\b{meridiem}"),
        french=re.compile(
            r"(?<![0-9])(\d{1,2})\s*h(?:eures?)?\s+(et demie?|et quart|moins (?:le )?quart)\b"
        ),
    )


def _phrases(data: Any) -> list[str]:
    """Every string of the file's tables and lists (the shorthand's own keys aside)."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, list):
        return [p for item in data for p in _phrases(item)]
    if isinstance(data, dict):
        return [p for key, value in data.items() if key != "abbreviations" for p in _phrases(value)]
    return []


def _shorthand(table: dict[str, str]) -> re.Pattern[str]:
    """Any shorthand of ``table`` as a whole word, not the start of an elision ("c'est"),
    also after an elided article ("l'infra", "d'archi")."""
    alternatives = "|".join(re.escape(t) for t in sorted(table, key=len, reverse=True))
    start = r"(?:(?<![a-z0-9'])|(?<=(?<![a-z])[ld]'))"
    return re.compile(rf"{start}(?:{alternatives or '$^'})(?![a-z0-9'])")


def _abbreviations(data: dict[str, Any]) -> dict[str, str]:
    table = data.get("abbreviations", {})
    if not all(isinstance(k, str) and isinstance(v, str) and v for k, v in table.items()):
        raise ValueError("questions.toml: abbreviations: each shorthand maps to a non-empty string")
    return dict(table)


@cache
def question_words() -> QuestionWords:
    """The packaged vocabulary, read once."""
    return load_question_words()
