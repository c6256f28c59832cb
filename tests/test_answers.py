"""Free questions get their answer: the answer set (dev, and the untuned holdouts when
present) measured as a user reads it, and the failures issue #9 listed, as a chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from coachbot.app import App, build_app
from coachbot.knowledge.language import detect, detect_by_model
from coachbot.knowledge.retrieval import Retriever
from coachbot.reply import Image, Text
from coachbot.settings import Settings
from tests.answerset import WINDOW, load, measure, squash
from tests.chat import ChatBot

DATA = Path(__file__).parent / "data"
DEV = DATA / "answers_dev.toml"
# Written on branch i9r as users type, after the first dev set: measured apart.
DEV_2 = DATA / "answers_dev_2.toml"
# Written after the fixes made on DEV_2, to check them on questions they were not made for.
DEV_3 = DATA / "answers_dev_3.toml"
# Each written after the fixes the previous sets led to, and measured before fixing.
DEV_4 = DATA / "answers_dev_4.toml"
DEV_5 = DATA / "answers_dev_5.toml"
DEV_6 = DATA / "answers_dev_6.toml"
DEV_7 = DATA / "answers_dev_7.toml"
DEV_8 = DATA / "answers_dev_8.toml"
DEV_9 = DATA / "answers_dev_9.toml"
DEV_10 = DATA / "answers_dev_10.toml"
DEV_11 = DATA / "answers_dev_11.toml"
DEV_12 = DATA / "answers_dev_12.toml"
DEV_13 = DATA / "answers_dev_13.toml"
DEV_14 = DATA / "answers_dev_14.toml"
DEV_15 = DATA / "answers_dev_15.toml"
DEV_16 = DATA / "answers_dev_16.toml"
DEV_17 = DATA / "answers_dev_17.toml"
DEV_18 = DATA / "answers_dev_18.toml"
DEV_19 = DATA / "answers_dev_19.toml"
DEV_20 = DATA / "answers_dev_20.toml"
DEV_21 = DATA / "answers_dev_21.toml"
# Written on branch i9r3 after branch i9r2's fixes, measured before fixing.
DEV_22 = DATA / "answers_dev_22.toml"
DEV_23 = DATA / "answers_dev_23.toml"
DEV_24 = DATA / "answers_dev_24.toml"
DEV_25 = DATA / "answers_dev_25.toml"
# Written on branch i9s after branch i9r3's fixes, measured before fixing: choosing the
# section and the line within the topic found (yes/no, who does what, comparisons).
DEV_26 = DATA / "answers_dev_26.toml"
DEV_27 = DATA / "answers_dev_27.toml"
# Written on branch i9w (words and scope: more out of scope, slang, words the base lacks),
# measured before fixing.
DEV_28 = DATA / "answers_dev_28.toml"
DEV_29 = DATA / "answers_dev_29.toml"
# Written on branch i9f (the facts asked for: dates, people, figures, whole lists), measured
# before fixing.
DEV_30 = DATA / "answers_dev_30.toml"
DEV_31 = DATA / "answers_dev_31.toml"
# Written on branch i9L (long messages: who the asker is, then the ask; some ask two
# things), measured before fixing.
DEV_32 = DATA / "answers_dev_32.toml"
DEV_33 = DATA / "answers_dev_33.toml"
# Written on branch i9d (questions naming values as users type them: towns, départements,
# abroad, years in words, pay words, hours, US pay by year, the outlook), measured before
# fixing.
DEV_34 = DATA / "answers_dev_34.toml"
DEV_35 = DATA / "answers_dev_35.toml"
# Written on branch i9o (judgement and advice: worth it, stressful, hard, pros and cons, too
# young or old, should I; questions with negation: ne … plus, doesn't, not), measured before
# fixing.
DEV_38 = DATA / "answers_dev_38.toml"
DEV_39 = DATA / "answers_dev_39.toml"
# Written on branch i9g (every topic once more in words the content does not use:
# synonyms, everyday phrasing, job jargon), measured before fixing.
DEV_36 = DATA / "answers_dev_36.toml"
DEV_37 = DATA / "answers_dev_37.toml"
DEVS = [DEV, DEV_2, DEV_3, DEV_4, DEV_5, DEV_6, DEV_7, DEV_8, DEV_9, DEV_10, DEV_11, DEV_12]
DEVS += [DEV_13, DEV_14, DEV_15, DEV_16, DEV_17, DEV_18, DEV_19, DEV_20, DEV_21, DEV_22]
DEVS += [DEV_23, DEV_24, DEV_25, DEV_26, DEV_27, DEV_28, DEV_29, DEV_30, DEV_31]
DEVS += [DEV_32, DEV_33, DEV_34, DEV_35, DEV_36, DEV_37, DEV_38, DEV_39]
LATER = {path.stem.removeprefix("answers_"): path for path in DEVS[1:]}
HOLDOUTS = [DATA / "answers_holdout.toml", DATA / "answers_holdout_2.toml"]
# Floor of each holdout (written apart on branch i9h, never opened by anyone tuning). The
# issue's target is 0.90. Measured by the lead on 7 December 2026: 100/120 and 80/110 when
# first run; 116/120 and 95/110 after the rounds i9r, i9r2 and i9r3 (which saw only dev
# sets; i9r2 did read these totals twice, see docs/free-questions.md); 116/120 = 0.967
# and 99/110 = 0.900 after the evening rounds (i9s, i9w, i9f, i9d, i9L, i9o, i9g), which
# never opened nor scored them.
# Each is held at its last measured figure, rounded down, so a regression fails; both are
# at or above the target.
HOLDOUT_FLOOR = {"answers_holdout.toml": 0.96, "answers_holdout_2.toml": 0.90}


@pytest.fixture
async def bare_app(settings: Settings, clock, kb) -> AsyncIterator[App]:  # type: ignore[no-untyped-def]
    """The bot as ``coachbot ask`` runs it: no database."""
    yield build_app(settings, clock=clock, kb=kb, with_database=False)


def test_the_dev_set_is_large_bilingual_and_labelled() -> None:
    questions = load(DEV)
    assert len(questions) >= 200
    langs = [q["lang"] for q in questions]
    assert abs(langs.count("fr") - langs.count("en")) <= len(questions) // 10
    assert all(q.get("facts") or q.get("out_of_scope") for q in questions)
    assert sum(1 for q in questions if q.get("out_of_scope")) >= 15


@pytest.mark.parametrize("path", LATER.values(), ids=LATER.keys())
def test_the_later_dev_sets_are_bilingual_and_labelled(path: Path) -> None:
    questions = load(path)
    assert len(questions) >= 40
    langs = [q["lang"] for q in questions]
    assert abs(langs.count("fr") - langs.count("en")) <= len(questions) // 10
    assert all(q.get("facts") or q.get("out_of_scope") for q in questions)
    assert sum(1 for q in questions if q.get("out_of_scope")) >= 4


@pytest.mark.parametrize(
    ("path", "floor"),
    [
        (DEV, 0.99),
        (DEV_2, 1.00),
        (DEV_3, 1.00),
        (DEV_4, 1.00),
        (DEV_5, 1.00),
        (DEV_6, 0.97),
        (DEV_7, 1.00),
        (DEV_8, 1.00),
        (DEV_9, 1.00),
        (DEV_10, 1.00),
        (DEV_11, 0.95),
        (DEV_12, 1.00),
        (DEV_13, 0.97),
        (DEV_14, 1.00),
        (DEV_15, 1.00),
        (DEV_16, 0.95),
        (DEV_17, 0.97),
        (DEV_18, 0.97),
        (DEV_19, 1.00),
        (DEV_20, 1.00),
        (DEV_21, 0.97),
        (DEV_22, 1.00),
        (DEV_23, 0.97),
        (DEV_24, 0.97),
        (DEV_25, 1.00),
        (DEV_26, 1.00),
        (DEV_27, 1.00),
        (DEV_28, 1.00),
        (DEV_29, 1.00),
        (DEV_30, 0.93),
        (DEV_31, 0.95),
        (DEV_32, 0.90),
        (DEV_33, 0.88),
        (DEV_34, 1.00),
        (DEV_35, 1.00),
        (DEV_36, 0.97),
        (DEV_37, 0.97),
        (DEV_38, 0.93),
        (DEV_39, 0.97),
    ],
    ids=[p.stem.removeprefix("answers_") for p in DEVS],
)
async def test_the_dev_sets_get_their_answers(bare_app: App, path: Path, floor: float) -> None:
    """Measured on 7 December 2026 after the merges of branches i9s, i9w, i9f, i9d, i9L,
    i9o and i9g (in brackets: when the set was written, before the fixes it led to;
    dev 1 before branch i9r): dev 237/238 (227), dev 2 91/91 (72), dev 3 41/41 (32),
    dev 4 41/41 (31), dev 5 41/41 (35), dev 6 39/40 (24), dev 7 40/40 (30), dev 8
    40/40 (33), dev 9 44/44 (35), dev 10 40/40 (27), dev 11 38/40 (34), dev 12 44/44
    (33), dev 13 43/44 (37), dev 14 44/44 (35), dev 15 44/44 (39), dev 16 41/43 (34),
    dev 17 43/44 (33), dev 18 47/48 (30/44, and 3 of the 4 added later), dev 19 44/44
    (38), dev 20 44/44 (28), dev 21 43/44 (32), dev 22 46/46 (35/44, and the 2 added
    later 2/2), dev 23 44/45 (41), dev 24 43/44 (37), dev 25 44/44 (41), dev 26 44/44
    (34), dev 27 44/44 (27), dev 28 44/44 (34), dev 29 44/44 (38), dev 30 41/44 (29),
    dev 31 42/44 (35), dev 32 40/44 (30, 32 once two labels the content cannot hold
    were fixed), dev 33 39/44 (31), dev 34 46/46 (36), dev 35 47/47 (36), dev 36
    46/47 (31), dev 37 47/48 (35), dev 38 40/43 (25), dev 39 44/45 (29/44, and the 1
    added later 0/1)."""
    score = await measure(bare_app, path)
    assert score.share >= floor, f"{score.passed}/{score.total}\n\n" + "\n\n".join(score.misses)


@pytest.mark.parametrize("path", HOLDOUTS, ids=[p.name for p in HOLDOUTS])
async def test_the_untuned_holdouts_get_their_answers(bare_app: App, path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path.name} is written apart (branch i9h)")
    assert len(load(path)) >= 80
    score = await measure(bare_app, path)
    floor = HOLDOUT_FLOOR[path.name]
    assert score.share >= floor, f"{score.passed}/{score.total}\n\n" + "\n\n".join(score.misses)


def test_language_votes_beat_the_model_alone_on_short_questions(kb) -> None:  # type: ignore[no-untyped-def]
    """The two language indexes' word counts decide first, lingua breaks ties of longer
    questions: on the dev answer sets this reads more questions right than lingua alone,
    and on short ones (four words or fewer) the votes alone do at least as well as lingua."""
    retriever = Retriever(kb)
    questions = [q for path in DEVS for q in load(path) if not q.get("out_of_scope")]
    alone = sum(detect_by_model(str(q["text"])) == q["lang"] for q in questions)
    both = sum(
        detect(str(q["text"]), retriever.language_votes(str(q["text"]))) == q["lang"]
        for q in questions
    )
    assert both >= alone
    assert both >= 0.95 * len(questions)
    short = [str(q["text"]) for q in questions if len(str(q["text"]).split()) <= 4]
    langs = {str(q["text"]): q["lang"] for q in questions}
    by_votes = sum(_by_votes(retriever, t) == langs[t] for t in short)
    by_model = sum(detect_by_model(t) == langs[t] for t in short)
    by_both = sum(detect(t, retriever.language_votes(t)) == langs[t] for t in short)
    assert len(short) >= 40 and by_both >= by_votes >= by_model


def _by_votes(retriever: Retriever, text: str) -> str | None:
    votes = retriever.language_votes(text)
    return None if votes["fr"] == votes["en"] else max(votes, key=lambda k: votes[k])


@pytest.mark.parametrize(
    ("question", "lang"),
    [("cto vs dsi", "fr"), ("CTO VS CIO", "en"), ("cto a 22h", None), ("et à Lyon ?", "fr")],
)
def test_short_questions_read_by_their_common_words(kb, question: str, lang: str | None) -> None:  # type: ignore[no-untyped-def]
    """On two or three words whose strict votes tie, a common word merely more frequent in
    one language decides ("dsi" French, "cio" English); "vs", function words and names
    seen a few times do not, nor do places ("et à Lyon ?" is French by its "et")."""
    votes = Retriever(kb).language_votes(question)
    assert (None if votes["fr"] == votes["en"] else max(votes, key=lambda k: votes[k])) == lang


def test_a_word_used_in_both_languages_casts_no_vote(kb) -> None:  # type: ignore[no-untyped-def]
    """ "me" is French ("je me") and English ("tell me") alike."""
    votes = Retriever(kb).language_votes("recommend me a good netflix series")
    assert votes["en"] >= votes["fr"]


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("les hard skills et les soft skills du cto", "fr"),
        ("cto a new york salaire", "fr"),
        ("cto wages paris vs rest of france", "en"),
    ],
)
def test_borrowed_nouns_and_place_names_do_not_make_the_language(
    kb, question: str, lang: str
) -> None:  # type: ignore[no-untyped-def]
    votes = Retriever(kb).language_votes(question)
    assert max(votes, key=lambda k: votes[k]) == lang and votes["fr"] != votes["en"]


def test_too_short_to_tell_is_none() -> None:
    assert detect("cto") is None
    assert detect("14h") is None


def has(text: str, *facts: str) -> bool:
    return all(squash(f) in squash(text[:600]) for f in facts)


async def test_a_city_gets_its_salary_tier(bot: ChatBot) -> None:
    text = await bot.say("/cto ask combien gagne un CTO à Lyon ?")
    assert has(text, "grandes villes", "60–80", "75–95", "/cto salaire region:big_cities")
    assert "liste établie par le bot" in text
    text = await bot.say("/cto ask how much does a CTO make in Paris?")
    assert has(text, "Confirmed · Paris", "75–95", "100–140")


@pytest.mark.parametrize(
    ("question", "typed", "locale"),
    [
        ("combien gagne un CTO a Lyon ?", "/cto salaire region:big_cities", "fr"),
        (
            "how much does an expert CTO make in Paris?",
            "/cto salary region:paris level:expert",
            "en",
        ),
        ("salaire cto 5 ans d'xp", "/cto salaire niveau:confirmed", "fr"),
        ("que fait un cto a 15h", "/cto journee heure:15", "fr"),
        ("donne moi la grille des salaires cto", "/cto salaire", "fr"),
    ],
)
async def test_a_question_naming_values_gets_the_typed_commands_reply(
    bot: ChatBot, question: str, typed: str, locale: str
) -> None:
    """Block by block (the salary picture included), after one line of context."""
    free = await bot.reply(f"/cto ask {question}")
    command = await bot.reply(typed, locale=locale)
    assert isinstance(free.blocks[0], Text)
    assert free.blocks[1:] == command.blocks
    assert any(isinstance(b, Image) for b in command.blocks) == typed.startswith("/cto sal")
    assert (free.title, free.footer) == (command.title, command.footer)


async def test_years_map_to_levels_and_the_grid_starts_at_four(bot: ChatBot) -> None:
    assert has(
        await bot.say("/cto ask salaire cto 10 ans d'xp a paris"), "Expert · Paris", "100–140"
    )
    assert has(await bot.say("/cto ask cto salary with 3 years of experience"), "starts at 4 years")


@pytest.mark.parametrize(
    ("question", "typed"),
    [
        ("combien gagne un cto dans les hauts de seine", "salaire region:paris`"),
        ("salaire cto en region parisienne", "salaire region:paris`"),
        ("salaire cto en dordogne", "region:regions`"),
        ("cto with two decades of experience in lyon, pay?", "region:big_cities level:expert"),
        ("15 piges de cto a nantes combien", "region:big_cities niveau:expert"),
        ("cto senior lyon", "region:big_cities niveau:confirmed"),
    ],
)
async def test_places_and_years_written_many_ways_find_their_cell(
    bot: ChatBot, question: str, typed: str
) -> None:
    text = await bot.say(f"/cto ask {question}")
    assert has(text, typed)


async def test_an_age_is_no_experience_and_job_offers_in_a_city_are_no_salary(
    bot: ChatBot,
) -> None:
    text = await bot.say("/cto ask salaire d'un cto de 30 ans")
    assert not has(text, "Même réponse : `/cto salaire niveau:expert")
    assert has(await bot.say("/cto ask cto jobs in grenoble"), "C++")


async def test_pay_asked_net_or_monthly_says_the_grid_is_gross_a_year(bot: ChatBot) -> None:
    text = await bot.say("/cto ask salaire net par mois d'un cto a lyon")
    assert has(text, "brut annuel", "6 000 €", "region:big_cities")


async def test_a_day_rate_says_the_sources_give_none(bot: ChatBot) -> None:
    text = await bot.say("/cto ask quel tjm pour un cto freelance a lyon")
    assert has(text, "taux journalier", "region:big_cities")


async def test_a_bare_hour_is_an_hour(bot: ChatBot) -> None:
    assert has(await bot.say("/cto ask le cto il fait quoi vers 2"), "Temps stratégique")
    assert has(await bot.say("/cto ask cto at three"), "Meetings")
    assert not has(await bot.say("/cto ask travailler a deux quand on est cto"), "14h")
    assert has(await bot.say("/cto ask le cto vers 14"), "Temps stratégique")
    assert has(await bot.say("/cto ask que fait le cto a 5h de l'aprem"), "17h", "Régler")
    # English clocks count to twelve: "at 22" after the job is an age, not 22:00
    assert has(await bot.say("/cto ask is it possible to be cto at 22"), "start-up")


async def test_a_place_abroad_says_which_tiers_exist(bot: ChatBot) -> None:
    text = await bot.say("/cto ask cto salary london")
    assert has(text, "France only", "Paris, Large cities, Other regions")


async def test_us_figures_by_year(bot: ChatBot) -> None:
    assert has(await bot.say("/cto ask cto salary usa 2021"), "163,255")
    assert has(await bot.say("/cto ask combien gagne un cto aux etats-unis"), "256 604")


@pytest.mark.parametrize(
    ("question", "facts"),
    [
        ("que fait un CTO à 15h ?", ["15:00", "Réunions", "/cto journee heure:15"]),
        ("le cto il fait quoi l'aprem ?", ["13:00", "Temps stratégique", "15:00"]),
        ("what does a cto do at 9am", ["08:00", "Planning the day", "/cto day hour:9"]),
        ("what does a CTO do at 3 pm?", ["15:00", "Meetings"]),
        ("que fait le cto a midi", ["12:30", "déjeuner"]),
        ("et le matin ?", ["08:00", "10:00–11:00"]),
        ("cto en fin de journée", ["17:00"]),
        ("what does a cto do at 3:30pm", ["15:00", "Meetings"]),
        ("whats the cto up to around 12:30", ["At 12:30", "Lunch break"]),
        ("what does a cto do late afternoon", ["17:00", "Wrapping up"]),
        ("what does a cto do before lunch", ["08:00", "11:00"]),
        ("le cto a 9 heures", ["08:00", "Organiser"]),
        ("cto at 10 o'clock", ["10:00", "Catching up"]),
        ("journee du cto le matin et l'apres midi", ["De 08:00 à 17:00", "08:00", "13:00"]),
        ("what time does a cto start work", ["08:00", "Planning the day"]),
        ("what does a cto do between 3 and 5 pm", ["From 15:00 to 17:00", "Meetings"]),
        ("que fait le cto juste apres le dejeuner", ["13:00", "Temps stratégique"]),
        ("le cto il fait quoi vers dix heures et demie", ["10:00", "Échanger"]),
        ("what does the cto do at half past three", ["15:00", "Meetings"]),
        ("cto a cinq heures", ["17:00"]),
        ("le cto a midi et demi", ["12:30", "Pause déjeuner"]),
        ("what does a cto do at quarter to nine am", ["08:00", "Planning the day"]),
        ("cto at ten thirty am", ["10:00", "Catching up"]),  # minutes said after the hour
    ],
)
async def test_an_hour_or_part_of_day_gets_that_slot(
    bot: ChatBot, question: str, facts: list[str]
) -> None:
    assert has(await bot.say(f"/cto ask {question}"), *facts)


async def test_an_hour_outside_the_day_says_which_hours_exist(bot: ChatBot) -> None:
    text = await bot.say("/cto ask what does a cto do at 11 pm")
    assert "runs from 08:00" in text and "Planning the day" in text


@pytest.mark.parametrize(
    ("question", "facts"),
    [
        (
            "What are the kinds of CTO?",
            ["infrastructure overseer", "strategic planner", "customer liaison", "thinker"],
        ),
        ("Other job titles?", ["directeur technique", "directeur des nouvelles technologies"]),
        ("who was the first US government CTO", ["Aneesh Chopra", "2009"]),
        ("faut il un doctorat pour etre cto ?", ["Bac+8"]),
        ("Reporting line of a CTO?", ["CIO", "CEO"]),
        ("job outlook for ctos", ["11%", "4%"]),
        ("1er cto des etats unis c qui", ["Aneesh Chopra"]),
        ("premier cto de l'histoire des us", ["Aneesh Chopra"]),
        ("a qui le cto rapporte", ["CIO", "PDG"]),
        ("combien de % de croissance pour l'emploi des cto aux us", ["11 %", "4 %"]),
        ("how much does a cto make in new york", ["256,604"]),
        ("quelles maths pour un cto", ["mathématiques"]),
        ("le titre cto existe depuis combien de temps", ["1990"]),
        ("what counts as an expert cto in the salary grid", ["8+ years", "100–140"]),
        ("everything a cto is responsible for", ["technology audit"]),
        ("cto 2009", ["Aneesh Chopra"]),
        ("cto jobs forecast", ["11%"]),
        ("chief technical officer or chief technology officer", ["chief technical officer"]),
        ("cto paris", ["Paris", "75–95", "100–140"]),
        ("is adaptability important for a cto", ["adaptability"]),
        ("can you be a cto at 25", ["start-up"]),
        ("what time does the cto leave", ["17:00"]),
        ("slt, le cto c ki son chef ?", ["CIO", "PDG"]),
        ("salaire cto avec cinq ans d'experience", ["Confirmé · Paris", "60–80"]),
        ("does the cto sit on the board", ["executive committee"]),
        ("hw much do ctos mak in lyon", ["Large cities", "60–80"]),
        (
            "is directeur technique the same as cto",
            ["directeur technique", "directeur technologique"],
        ),
        ("salaire cto en region parisienne", ["Paris", "75–95", "100–140"]),
        ("un cto ds le sud ouest ca gagne cmb", ["Régions", "60–65"]),
        ("cto remu marseille confirmé", ["Confirmé · Grandes villes", "60–80"]),
        ("quel salaire pour un cto debutant", ["la grille commence à 4 ans"]),
        ("cto wages paris vs rest of france", ["Paris", "Large cities", "Other regions"]),
        ("how much experience do you need to be a CTO", ["5 to 10", "15+"]),
        ("salaire d'un cto a lyonn", ["Grandes villes", "60–80"]),
        ("what are the typs of ctos", ["infrastructure overseer", "thinker"]),
        ("jsuis dev senior, combien d'annees avant de devenir cto ?", ["5 à 10", "6 à 10"]),
        ("cto vs directeur technique", ["directeur technique", "directeur technologique"]),
        ("secteurs qui embauchent des cto ?", ["éditeurs de logiciels"]),
        ("how long before a senior dev can become cto", ["5 to 10 years"]),
        ("il y a combien de sortes de cto", ["quatre", "penseur"]),
        ("le cto peut bosser de chez lui ?", ["télétravail"]),
        ("is the cto under the ceo or the cio", ["CIO", "CEO"]),
        ("what people skills should a cto have", ["adaptability"]),
        ("le cto il a quel genre de profil, y a plusieurs categories ?", ["penseur"]),
        ("le cto recrute son equipe ?", ["recruter"]),
        ("est-ce que le metier de cto recrute ?", ["11 %"]),
        ("how much is a cto paid in a small french town", ["Other regions"]),
        ("est ce que cto c un metier qui recrute", ["11 %"]),
        ("le cto il choisit l'archi technique ?", ["architecture"]),
    ],
)
async def test_the_passage_that_answers_is_printed(
    bot: ChatBot, question: str, facts: list[str]
) -> None:
    assert has(await bot.say(f"/cto ask {question}"), *facts)


@pytest.mark.parametrize(
    ("question", "item"),
    [
        ("le cto suit les kpi ?", "→ analyse le processus et ses indicateurs (KPI"),
        ("how does a cto prioritize work", "→ **prioritising**"),
    ],
)
async def test_a_yes_no_question_gets_the_item_it_names_first(
    bot: ChatBot, question: str, item: str
) -> None:
    """The item of the section's list naming what is asked, quoted before the section."""
    text = await bot.say(f"/cto ask {question}")
    assert squash(item.replace("**", "")) in squash(text[:300])


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("isn't a cto just a senior developer", "technical strategy"),
        ("le cto c'est juste un chef de projet ?", "stratégie technique"),
        ("cto = developpeur en chef ?", "stratégie technique"),
    ],
)
async def test_the_job_set_against_a_lesser_one_gets_the_definition(
    bot: ChatBot, question: str, fact: str
) -> None:
    text = await bot.say(f"/cto ask {question}")
    assert has(text, fact)


@pytest.mark.parametrize(
    ("question", "facts"),
    [
        ("startup cto vs big company cto", ["writes code", "coordinating"]),
        ("cto startup ou grosse boite quelle difference", ["écrit du code", "coordonner"]),
        ("cto vs cio what's the difference", ["outward", "inward"]),
        ("cto vs dsi c quoi la difference", ["l'extérieur", "l'intérieur"]),
    ],
)
async def test_a_comparison_shows_both_sides(bot: ChatBot, question: str, facts: list[str]) -> None:
    assert has(await bot.say(f"/cto ask {question}"), *facts)


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("who hires engineers, the cto?", "hire"),
        ("qui embauche les developpeurs dans une boite tech", "recruter"),
        ("c le cto qui fait les entretiens d'embauche ?", "recruter"),
    ],
)
async def test_the_cto_hiring_is_the_team_not_the_job_market(
    bot: ChatBot, question: str, fact: str
) -> None:
    text = await bot.say(f"/cto ask {question}")
    assert has(text, fact)
    assert "11" not in text[:600]


@pytest.mark.parametrize(
    ("question", "facts"),
    [
        ("why are ctos in demand", ["cloud"]),  # a cause, not the growth forecast
        ("which sectors hire ctos", ["healthcare", "video games", "ESN"]),  # every sector
        ("how long is a sprint", ["few weeks"]),  # a sprint's length, not experience
        ("name of the first white house cto", ["Aneesh Chopra"]),  # the name leads
        ("how do i become a cto", ["technical consultant", "5 to 10 years"]),
        ("why was the cto role created", ["CIO"]),  # the split from the CIO
        ("the cto in the 90s", ["1990s"]),  # a decade is the dot-com era
    ],
)
async def test_the_fact_asked_is_in_the_first_lines(
    bot: ChatBot, question: str, facts: list[str]
) -> None:
    head = squash((await bot.say(f"/cto ask {question}"))[:WINDOW])
    assert all(squash(fact) in head for fact in facts), head


@pytest.mark.parametrize(
    ("question", "lang"),
    [("list of cto responsibilities pls", "en"), ("c koi les responsabilites d un cto", "fr")],
)
async def test_a_question_on_a_whole_topic_gets_its_first_part_and_every_part_named(
    bot: ChatBot, kb, question: str, lang: str
) -> None:  # type: ignore[no-untyped-def]
    text = await bot.say(f"/cto ask {question}")
    opening, *rest = kb.topics["missions"].sections
    assert has(text, opening.text(lang).heading)
    assert all(s.text(lang).heading in text for s in rest)


@pytest.mark.parametrize(
    "question",
    ["what's the weather in Paris?", "how are you", "combien gagne un boulanger", "t'as l'heure ?"],
)
async def test_out_of_scope_is_said_with_three_suggestions(bot: ChatBot, question: str) -> None:
    reply = await bot.reply(f"/cto ask {question}")
    text = bot.session.renderer.render(reply)
    assert "only know the CTO role" in text or "ne connais que le métier de CTO" in text
    assert text.count("•") == 3


async def test_a_greeting_gets_a_one_line_welcome(bot: ChatBot) -> None:
    reply = await bot.reply("/cto ask bonjour")
    assert [type(b).__name__ for b in reply.blocks] == ["Text"]
    assert reply.blocks[0].markup.startswith("Bonjour !") and "\n" not in reply.blocks[0].markup  # type: ignore[union-attr]


async def test_english_questions_get_english_answers_without_a_choice(bot: ChatBot) -> None:
    assert "Planning the day" in await bot.say("/cto ask what does a cto do at 9am", locale="fr")
    assert "Organiser" in await bot.say("/cto ask que fait un cto a 9h", locale="en")


async def test_the_users_choice_wins_over_the_questions_language(bot: ChatBot) -> None:
    await bot.say("/coach language fr")
    assert "Organiser" in await bot.say("/cto ask what does a cto do at 9am")


async def test_too_short_to_tell_falls_back_to_the_locale(bot: ChatBot) -> None:
    assert "Planning the day" in await bot.say("/cto ask cto 9h", locale="en")


async def test_follow_ups_continue_the_last_answer(bot: ChatBot) -> None:
    await bot.say("/cto ask combien gagne un CTO expert à Paris ?")
    text = await bot.say("/cto ask et à Lyon ?")
    assert has(text, "Expert · Grandes villes", "75–95")
    await bot.say("/cto ask how much does a CTO make in Bordeaux?")
    assert has(await bot.say("/cto ask and for an expert?"), "Expert · Large cities")
    await bot.say("/cto ask what does a cto do at 9am")
    assert has(await bot.say("/cto ask what about 5 pm?"), "17:00")


async def test_why_shows_the_section_offered_next(bot: ChatBot) -> None:
    reply = await bot.reply("/cto ask who was the first US government CTO")
    offered = bot.buttons()[0]
    text = bot.session.renderer.render(reply)
    assert offered.label in text
    pressed = await bot.press_reply(offered.label)
    assert pressed.title == offered.label
    await bot.say("/cto ask who was the first US government CTO")
    assert offered.label in (await bot.say("/cto ask why?")).splitlines()[0]


async def test_follow_ups_belong_to_one_user_and_expire(bot: ChatBot, clock) -> None:  # type: ignore[no-untyped-def]
    """Without the level of someone else's or an expired answer, "et à Lyon ?" gets the
    place alone: the grid's row for the large cities, every level."""
    await bot.say("/cto ask combien gagne un CTO expert à Paris ?")
    bob = await bot.as_("bob").say("/cto ask et à Lyon ?")
    assert "niveau:expert" not in bob and has(bob, "Confirmé · Grandes villes")
    await bot.as_("alice").say("/cto ask combien gagne un CTO expert à Paris ?")
    clock.advance(timedelta(minutes=6))
    expired = await bot.say("/cto ask et à Lyon ?")
    assert "niveau:expert" not in expired and has(expired, "Confirmé · Grandes villes")


async def test_every_answer_names_its_source_as_a_person_would(bot: ChatBot) -> None:
    for line in ("/cto ask combien gagne un CTO ?", "/cto salary", "/cto types", "/cto day hour:9"):
        text = await bot.say(line, locale="en")
        assert ".txt" not in text
    assert "US finance encyclopedia, April 2022" in await bot.say("/cto types", locale="en")
