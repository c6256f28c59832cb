"""The knowledge base is data checked like code: parity, provenance, figures, coverage."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from datetime import time
from pathlib import Path

import pytest

from coachbot.i18n import LANGS
from coachbot.knowledge.loader import CONTENT_DIR, SEED_FILES, ContentError, load_knowledge
from coachbot.knowledge.models import CATEGORIES, DAY_SLOTS, KnowledgeBase

REQUIRED_TOPICS = {
    "overview", "missions", "titles", "skills", "softskills", "methods", "education",
    "experience", "day", "salary", "types", "compare", "reporting", "startup", "network",
    "sectors", "remote", "career", "paths", "outlook", "history",
}  # fmt: skip
SEEDS = Path(__file__).resolve().parents[2] / "shared"


def test_every_required_topic_exists(kb: KnowledgeBase) -> None:
    assert set(kb.topics) >= REQUIRED_TOPICS


@pytest.mark.parametrize("path", sorted((CONTENT_DIR / "topics").glob("*.toml")), ids=str)
def test_every_section_has_both_languages(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for lang in LANGS:
        assert data["title"][lang].strip() and data["summary"][lang].strip()
    for section in data["sections"]:
        present = {lang for lang in LANGS if section.get(lang, {}).get("text", "").strip()}
        assert present == set(LANGS), f"{path.name}: {section['id']} lacks {set(LANGS) - present}"


def test_every_entry_names_real_seed_files(kb: KnowledgeBase) -> None:
    sources = [src for s in kb.sections() for src in s.sources]
    sources += [src for sk in kb.skills.values() for src in sk.sources]
    sources += [src for tip in kb.tips for src in tip.sources]
    sources += [f.source for f in kb.facts.values()]
    assert sources and set(sources) <= SEED_FILES


def test_every_seed_is_used(kb: KnowledgeBase) -> None:
    assert {src for s in kb.sections() for src in s.sources} == SEED_FILES


def test_figures_live_in_facts_not_in_prose(kb: KnowledgeBase) -> None:
    """A fact's digits appear in prose only through its placeholder, in both languages."""
    raw = "".join(p.read_text(encoding="utf-8") for p in (CONTENT_DIR / "topics").glob("*.toml"))
    prose = re.sub(r"\{[a-z0-9_]+\}", "{}", raw)  # a placeholder's name may hold a year
    for fact in kb.facts.values():
        values = fact.value if isinstance(fact.value, list) else [fact.value]
        for value in values:
            if isinstance(value, int) and value >= 1000:
                assert str(value) not in prose, f"{fact.id} typed as digits in a topic"
    used = set(re.findall(r"\{([a-z0-9_]+)\}", raw))
    assert used <= set(kb.facts)


def test_facts_are_rendered_per_language(kb: KnowledgeBase) -> None:
    salary = kb.topics["salary"]
    fr = " ".join(s.fr.text for s in salary.sections)
    en = " ".join(s.en.text for s in salary.sections)
    assert "93 k€" in fr and "€93k" in en
    assert "256\u202f604 $" in fr and "$256,604" in en
    assert "{" not in fr + en


def test_the_seeds_disagreements_are_stated(kb: KnowledgeBase) -> None:
    experience = " ".join(s.en.text for s in kb.topics["experience"].sections)
    for figure in ("5 to 10 years", "6 to 10 years", "15+ years"):
        assert figure in experience
    compare = " ".join(s.en.text.lower() for s in kb.topics["compare"].sections)
    assert "outward" in compare and ("inward" in compare or "internal" in compare)


def test_salary_grid_is_complete(kb: KnowledgeBase) -> None:
    grid = kb.salary
    assert len(grid.bands) == len(grid.regions) * len(grid.levels) == 6
    assert grid.bands[("expert", "paris")] == (100, 140)


def test_typical_day_covers_every_slot_in_order(kb: KnowledgeBase) -> None:
    assert [s.id for s in kb.day] == list(DAY_SLOTS)
    assert all(s.start < s.end for s in kb.day)


def test_the_hours_cto_day_accepts_are_the_hours_the_day_covers(kb: KnowledgeBase) -> None:
    """``/cto day hour:`` declares FIRST_HOUR-LAST_HOUR (usage, help, Discord bounds): every
    hour in that range falls in a slot, the hours just outside it do not."""
    from coachbot.commands.cto import FIRST_HOUR, LAST_HOUR

    def covered(hour: int) -> bool:
        return any(s.start <= time(hour) < s.end for s in kb.day)

    assert all(covered(h) for h in range(FIRST_HOUR, LAST_HOUR + 1))
    assert not covered(FIRST_HOUR - 1) and not covered(LAST_HOUR + 1)


def test_salary_prose_does_not_say_where_the_grid_is_and_dates_the_us_figures(
    kb: KnowledgeBase,
) -> None:
    """The grid comes before the prose in ``/cto salary`` and not at all in ``/cto ask``."""
    salary = kb.topics["salary"]
    fr = " ".join(s.fr.text for s in salary.sections).lower()
    en = " ".join(s.en.text for s in salary.sections).lower()
    for where in ("ci-dessous", "plus bas", "ci-dessus"):
        assert where not in fr
    for where in ("below", "above"):
        assert where not in en
    assert "au début de 2021" in fr and "163\u202f255 $" in fr
    assert "in early 2021" in en and "$163,255" in en


def test_skill_catalog_covers_every_category(kb: KnowledgeBase) -> None:
    assert {s.category for s in kb.skills.values()} == set(CATEGORIES)
    for required in ("networks_systems", "it_security", "team_leadership", "english", "law"):
        assert required in kb.skills
    names = [n.lower() for s in kb.skills.values() for n in {s.name.fr, s.name.en}]
    assert len(names) == len(set(names))


def test_tips_are_enough_and_complete(kb: KnowledgeBase) -> None:
    assert len(kb.tips) >= 60
    for tip in kb.tips:
        for part in (tip.lesson, tip.action, tip.question):
            assert part.fr and part.en
        assert tip.question.fr.rstrip().endswith("?") and tip.question.en.rstrip().endswith("?")
    assert {t.slot for t in kb.tips} == set(DAY_SLOTS) - {"lunch"}


def test_a_tip_without_a_moment_of_the_day_is_refused(tmp_path: Path) -> None:
    """content/README.md: every tip is tied to a skill and a moment of the day."""
    broken = tmp_path / "content"
    subprocess.run(["cp", "-r", str(CONTENT_DIR), str(broken)], check=True)
    tips = broken / "tips" / "foundation.toml"
    tips.write_text(tips.read_text(encoding="utf-8").replace('slot = "meetings"\n', "", 1))
    with pytest.raises(ContentError, match=r"foundation\.toml: tips\[0\]\.slot: missing"):
        load_knowledge(broken)


def test_the_day_stops_where_the_source_stops(kb: KnowledgeBase) -> None:
    """The source's day starts at 8h or 8h30 and its last slot starts at 17h, with no end."""
    first, last = kb.day[0], kb.day[-1]
    assert (first.start, first.alt_start) == (time(8), time(8, 30))
    assert last.start == time(17) and not last.end_given
    assert [s.alt_start for s in kb.day if s.alt_start] == [time(8, 30), time(13, 30), time(15, 30)]


def test_only_the_last_slot_of_the_day_may_leave_out_its_end(tmp_path: Path) -> None:
    broken = tmp_path / "content"
    subprocess.run(["cp", "-r", str(CONTENT_DIR), str(broken)], check=True)
    day = broken / "day.toml"
    day.write_text(day.read_text(encoding="utf-8").replace('end = "10:00"\n', "", 1))
    with pytest.raises(ContentError, match=r"day\.toml: slots: only the last slot"):
        load_knowledge(broken)


def test_a_broken_file_is_named_with_its_key(tmp_path: Path) -> None:
    broken = tmp_path / "content"
    subprocess.run(["cp", "-r", str(CONTENT_DIR), str(broken)], check=True)
    topic = broken / "topics" / "remote.toml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("[sections.en]", "[sections.de]", 1))
    with pytest.raises(ContentError, match=r"remote\.toml: sections\[0\]\.en: missing"):
        load_knowledge(broken)


def test_an_unknown_placeholder_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "content"
    subprocess.run(["cp", "-r", str(CONTENT_DIR), str(broken)], check=True)
    topic = broken / "topics" / "history.toml"
    text = topic.read_text(encoding="utf-8")
    topic.write_text(text.replace('text = """', 'text = """{no_such_fact} ', 1))
    with pytest.raises(ContentError, match=r"history\.toml: .*unknown fact \{no_such_fact\}"):
        load_knowledge(broken)


def test_an_unknown_source_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "content"
    subprocess.run(["cp", "-r", str(CONTENT_DIR), str(broken)], check=True)
    facts = broken / "facts.toml"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace("000_b7234089b4c7b6ba.txt", "wiki.txt")
    )
    with pytest.raises(ContentError, match=r"facts\.toml: monthly_gross_france\.source"):
        load_knowledge(broken)


@pytest.mark.skipif(not (SEEDS / "tools" / "seed_overlap.py").exists(), reason="no ../shared")
def test_content_is_in_our_own_words() -> None:
    tool = SEEDS / "tools" / "seed_overlap.py"
    result = subprocess.run(
        [sys.executable, str(tool), str(CONTENT_DIR)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout
