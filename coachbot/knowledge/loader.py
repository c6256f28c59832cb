"""Load and validate ``coachbot/content``; any broken rule names its file and key."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from datetime import time
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast

from coachbot.i18n import LANGS, Localized
from coachbot.knowledge.facts import KINDS, PLACEHOLDER, fill
from coachbot.knowledge.models import (
    CATEGORIES,
    DAY_SLOTS,
    Category,
    DaySlot,
    Fact,
    KnowledgeBase,
    NamedBand,
    SalaryGrid,
    Section,
    SectionText,
    Skill,
    Tip,
    Topic,
)

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
SEED_FILES = frozenset(
    {
        "000_b7234089b4c7b6ba.txt",
        "001_ef6877f99a5ba11b.txt",
        "002_54631813c260c474.txt",
        "003_67a25dc69f2b7157.txt",
        "004_e4474fc2878da9f9.txt",
    }
)
ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
TOPIC_ID = re.compile(r"^[a-z]{1,32}$")
TOPIC_NAME_FR = re.compile(r"^[a-z][-_a-z0-9]{0,31}$")  # a Discord command name, unaccented
MAX_SECTION_CHARS = 1500
T = TypeVar("T")


class ContentError(ValueError):
    """The content breaks a rule; the message names the file and the key."""


class _Where:
    """A position in a content file, for error messages."""

    def __init__(self, file: Path, key: str = "") -> None:
        self.file, self.key = file, key

    def at(self, key: str | int) -> _Where:
        sep = "" if isinstance(key, int) else "."
        part = f"[{key}]" if isinstance(key, int) else str(key)
        return _Where(self.file, f"{self.key}{sep}{part}" if self.key else part)

    def fail(self, message: str) -> ContentError:
        return ContentError(f"{self.file.name}: {self.key or '(top level)'}: {message}")


def _get(table: dict[str, Any], key: str, kind: type[T], where: _Where) -> T:
    """``table[key]``, checked to be a non-empty ``kind``."""
    if key not in table:
        raise where.at(key).fail("missing")
    value = table[key]
    if not isinstance(value, kind) or (isinstance(value, str | list | dict) and not value):
        raise where.at(key).fail(f"must be a non-empty {kind.__name__}")
    return cast(T, value)


def _sources(table: dict[str, Any], where: _Where) -> tuple[str, ...]:
    sources = _get(table, "sources", list, where)
    for i, name in enumerate(sources):
        if name not in SEED_FILES:
            raise where.at("sources").at(i).fail(f"{name!r} is not a seed file")
    return tuple(sources)


def _localized(table: dict[str, Any], key: str, where: _Where, limit: int = 0) -> Localized:
    pair = _get(table, key, dict, where)
    texts = [_get(pair, lang, str, where.at(key)).strip() for lang in LANGS]
    for lang, text in zip(LANGS, texts, strict=True):
        if limit and len(text) > limit:
            raise where.at(key).at(lang).fail(f"longer than {limit} characters")
    return Localized(*texts)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{path.name}: not valid TOML: {exc}") from exc


def load_facts(path: Path) -> dict[str, Fact]:
    """Read facts.toml."""
    facts: dict[str, Fact] = {}
    for fact_id, table in _read(path).items():
        where = _Where(path, fact_id)
        kind = _get(table, "kind", str, where)
        if kind not in KINDS:
            raise where.at("kind").fail(f"unknown kind {kind!r}; one of {sorted(KINDS)}")
        if "value" not in table:
            raise where.at("value").fail("missing")
        source = _get(table, "source", str, where)
        if source not in SEED_FILES:
            raise where.at("source").fail(f"{source!r} is not a seed file")
        facts[fact_id] = Fact(fact_id, kind, table["value"], source)
    return facts


def _section_text(
    table: dict[str, Any], lang: str, facts: dict[str, Fact], where: _Where
) -> SectionText:
    body = _get(table, lang, dict, where)
    w = where.at(lang)
    text = _get(body, "text", str, w).strip()
    if len(text) > MAX_SECTION_CHARS:
        raise w.at("text").fail(f"longer than {MAX_SECTION_CHARS} characters")
    for name in PLACEHOLDER.findall(text):
        if name not in facts:
            raise w.at("text").fail(f"unknown fact {{{name}}}; add it to facts.toml")
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        raise w.at("text").fail("stray brace: only {fact_id} placeholders are allowed")
    heading = _get(body, "heading", str, w).strip()
    if len(heading) > 120:
        raise w.at("heading").fail("longer than 120 characters")
    keywords = tuple(str(k) for k in body.get("keywords", []))
    return SectionText(heading, fill(text, facts, lang), keywords)  # type: ignore[arg-type]


def _section(table: dict[str, Any], topic_id: str, facts: dict[str, Fact], w: _Where) -> Section:
    section_id = _get(table, "id", str, w)
    if not ID.match(section_id):
        raise w.at("id").fail("use lowercase letters, digits, '-' or '_' (max 32)")
    fr = _section_text(table, "fr", facts, w)
    en = _section_text(table, "en", facts, w)
    return Section(section_id, topic_id, _sources(table, w), fr, en)


def load_topic(path: Path, facts: dict[str, Fact]) -> Topic:
    """Read one ``topics/<id>.toml`` file."""
    data = _read(path)
    where = _Where(path)
    topic_id = _get(data, "id", str, where)
    if not TOPIC_ID.match(topic_id) or topic_id != path.stem:
        raise where.at("id").fail("must be lowercase letters and equal the file name")
    tables = _get(data, "sections", list, where)
    sections = tuple(
        _section(t, topic_id, facts, where.at("sections").at(i)) for i, t in enumerate(tables)
    )
    ids = [s.id for s in sections]
    if len(set(ids)) != len(ids):
        raise where.at("sections").fail("two sections share an id")
    return Topic(
        topic_id,
        _localized(data, "title", where, 120),
        _localized(data, "summary", where, 90),
        _sources(data, where),
        sections,
        _topic_keywords(data, where),
        _topic_name_fr(data, where),
    )


def _topic_name_fr(data: dict[str, Any], where: _Where) -> str:
    name = _get(data, "name_fr", str, where)
    if not TOPIC_NAME_FR.match(name):
        raise where.at("name_fr").fail(
            "the French /cto subcommand: lowercase a-z without accents, digits, '-' or '_' (max 32)"
        )
    return name


def _check_topic_names(topics: dict[str, Topic], topics_dir: Path) -> None:
    """Each French name calls one topic only: not another topic's id or French name."""
    owner: dict[str, str] = {}
    for topic in topics.values():
        for spelling in dict.fromkeys((topic.id, topic.name_in("fr"))):
            if owner.setdefault(spelling, topic.id) != topic.id:
                key = "id" if spelling == topic.id else "name_fr"
                where = _Where(topics_dir / f"{topic.id}.toml", key)
                raise where.fail(f"{spelling!r} already calls the topic {owner[spelling]!r}")


def _topic_keywords(data: dict[str, Any], where: _Where) -> dict[str, tuple[str, ...]]:
    table = data.get("keywords", {})
    if not isinstance(table, dict) or set(table) - set(LANGS):
        raise where.at("keywords").fail("a table with fr and en lists of search terms")
    return {lang: tuple(str(k) for k in table.get(lang, ())) for lang in LANGS}


def _skill(table: dict[str, Any], where: _Where) -> Skill:
    category = _get(table, "category", str, where)
    if category not in CATEGORIES:
        raise where.at("category").fail(f"one of {', '.join(CATEGORIES)}")
    target = table.get("target")
    if not isinstance(target, int) or not 0 <= target <= 5:
        raise where.at("target").fail("an integer from 0 to 5")
    aliases = [a for lang in LANGS for a in table.get(lang, {}).get("aliases", [])]
    return Skill(
        _get(table, "id", str, where),
        cast(Category, category),
        target,
        _sources(table, where),
        Localized(*(_get(table, lg, dict, where).get("name", "") for lg in LANGS)),
        Localized(*(_get(table, lg, dict, where).get("description", "") for lg in LANGS)),
        tuple(str(a).lower() for a in aliases),
    )


def load_skills(path: Path) -> dict[str, Skill]:
    """Read skills.toml."""
    where = _Where(path, "skills")
    skills: dict[str, Skill] = {}
    for i, table in enumerate(_get(_read(path), "skills", list, where)):
        skill = _skill(table, where.at(i))
        if not skill.name.fr or not skill.name.en:
            raise where.at(i).fail("a name is needed in fr and en")
        if skill.id in skills:
            raise where.at(i).at("id").fail(f"duplicate skill id {skill.id!r}")
        skills[skill.id] = skill
    return skills


def _clock(value: str, where: _Where) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError as exc:
        raise where.fail("a time as HH:MM") from exc


def load_day(path: Path) -> tuple[DaySlot, ...]:
    """Read day.toml: the typical day in order."""
    where = _Where(path, "slots")
    slots = []
    for i, t in enumerate(_get(_read(path), "slots", list, where)):
        w = where.at(i)
        slot_id = _get(t, "id", str, w)
        if slot_id not in DAY_SLOTS:
            raise w.at("id").fail(f"one of {', '.join(DAY_SLOTS)}")
        start = _clock(_get(t, "start", str, w), w.at("start"))
        alt = _clock(t["alt_start"], w.at("alt_start")) if "alt_start" in t else None
        label = Localized(*(_get(_get(t, lg, dict, w), "label", str, w.at(lg)) for lg in LANGS))
        text = Localized(*(_get(_get(t, lg, dict, w), "text", str, w.at(lg)) for lg in LANGS))
        slots.append(DaySlot(slot_id, start, _slot_end(t, start, w), label, text, alt, "end" in t))
    if [s.start for s in slots] != sorted(s.start for s in slots):
        raise where.fail("slots must be in chronological order")
    if any(not s.end_given for s in slots[:-1]):
        raise where.fail("only the last slot may leave out its end")
    return tuple(slots)


def _slot_end(t: dict[str, Any], start: time, w: _Where) -> time:
    """The slot's ``end``, or for an open-ended slot the end of the hour it starts in."""
    if "end" in t:
        return _clock(_get(t, "end", str, w), w.at("end"))
    return time(start.hour, 59, 59, 999999)


def _bands(data: dict[str, Any], key: str, where: _Where) -> tuple[NamedBand, ...]:
    out = []
    for band_id, t in _get(data, key, dict, where).items():
        w = where.at(key).at(band_id)
        years: tuple[int, int | None] | None = None
        if "years" in t:
            years = (int(t["years"][0]), int(t["years"][1]))
        elif "years_min" in t:
            years = (int(t["years_min"]), None)
        label = Localized(_get(t, "fr", str, w), _get(t, "en", str, w))
        aliases = tuple(str(a).lower() for a in t.get("aliases", ()))
        out.append(NamedBand(band_id, label, aliases, years))
    return tuple(out)


def load_salary(path: Path) -> SalaryGrid:
    """Read salary.toml and check the grid is complete."""
    data = _read(path)
    where = _Where(path)
    regions, levels = _bands(data, "regions", where), _bands(data, "levels", where)
    bands: dict[tuple[str, str], tuple[int, int]] = {}
    for i, t in enumerate(_get(data, "bands", list, where)):
        lo, hi = t["range"]
        if not lo <= hi:
            raise where.at("bands").at(i).fail("range must be [low, high]")
        bands[(t["level"], t["region"])] = (int(lo), int(hi))
    missing = {(lv.id, r.id) for lv in levels for r in regions} - bands.keys()
    if missing:
        raise where.at("bands").fail(f"no band for {sorted(missing)}")
    return SalaryGrid(_get(data, "source", str, where), regions, levels, bands)


def _tip(t: dict[str, Any], category: str, skills: dict[str, Skill], w: _Where) -> Tip:
    skill = _get(t, "skill", str, w)
    if skill not in skills or skills[skill].category != category:
        raise w.at("skill").fail(f"{skill!r} is not a {category} skill of skills.toml")
    slot = _get(t, "slot", str, w)  # every tip belongs to a moment of the day
    if slot not in DAY_SLOTS:
        raise w.at("slot").fail(f"one of {', '.join(DAY_SLOTS)}")
    parts = {
        k: Localized(*(_get(_get(t, lg, dict, w), k, str, w.at(lg)).strip() for lg in LANGS))
        for k in ("lesson", "action", "question")
    }
    return Tip(
        _get(t, "id", str, w), skill, cast(Category, category), slot, _sources(t, w), **parts
    )


def load_tips(folder: Path, skills: dict[str, Skill]) -> tuple[Tip, ...]:
    """Read every ``tips/<category>.toml``."""
    tips: list[Tip] = []
    for path in sorted(folder.glob("*.toml")):
        if path.stem not in CATEGORIES:
            raise ContentError(f"{path.name}: the file name must be a skill category")
        where = _Where(path, "tips")
        for i, t in enumerate(_get(_read(path), "tips", list, where)):
            tips.append(_tip(t, path.stem, skills, where.at(i)))
    ids = [t.id for t in tips]
    if len(set(ids)) != len(ids):
        raise ContentError("tips: two tips share an id")
    return tuple(tips)


def load_synonyms(path: Path) -> tuple[tuple[str, ...], ...]:
    """Read synonyms.toml: groups of interchangeable search terms."""
    groups = _get(_read(path), "groups", list, _Where(path, "groups"))
    return tuple(tuple(str(term).lower() for term in group) for group in groups)


def load_sources(path: Path) -> dict[str, Localized]:
    """Read sources.toml: how each seed file is named to readers, in both languages."""
    data = _read(path)
    missing = SEED_FILES - data.keys()
    if missing:
        raise _Where(path).fail(f"no description for {sorted(missing)}")
    return {name: _localized(data, name, _Where(path), 160) for name in sorted(SEED_FILES)}


def _optional(loader: Callable[[], T], default: T, path: Path) -> T:
    return loader() if path.exists() else default


def load_knowledge(content_dir: Path = CONTENT_DIR) -> KnowledgeBase:
    """Load the whole knowledge base; raises ContentError naming the file and key."""
    facts = load_facts(content_dir / "facts.toml")
    topics = {}
    for path in sorted((content_dir / "topics").glob("*.toml")):
        topic = load_topic(path, facts)
        topics[topic.id] = topic
    _check_topic_names(topics, content_dir / "topics")
    skills = load_skills(content_dir / "skills.toml")
    tips_dir = content_dir / "tips"
    return KnowledgeBase(
        topics=topics,
        facts=facts,
        skills=skills,
        day=load_day(content_dir / "day.toml"),
        salary=load_salary(content_dir / "salary.toml"),
        tips=_optional(lambda: load_tips(tips_dir, skills), (), tips_dir),
        synonyms=load_synonyms(content_dir / "synonyms.toml"),
        sources=_optional(
            lambda: load_sources(content_dir / "sources.toml"), {}, content_dir / "sources.toml"
        ),
    )


@cache
def default_knowledge() -> KnowledgeBase:
    """The packaged knowledge base, loaded once per process on first use."""
    return load_knowledge()
