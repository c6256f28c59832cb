"""``/cto ask``: free questions find the right topic, in either language."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from coachbot.knowledge.models import KnowledgeBase
from coachbot.knowledge.retrieval import Retriever
from tests.chat import ChatBot

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    from coachbot.knowledge.loader import default_knowledge

    return Retriever(default_knowledge())


def accuracy(retriever: Retriever, name: str) -> tuple[float, list[str]]:
    questions = tomllib.loads((DATA / name).read_text(encoding="utf-8"))["questions"]
    misses = []
    for q in questions:
        hit = retriever.best(q["text"])
        if hit is None or hit.section.topic_id != q["topic"]:
            misses.append(f"{q['text']!r}: want {q['topic']}, got {hit and hit.section.topic_id}")
    return 1 - len(misses) / len(questions), misses


def test_devset_is_large_and_bilingual(kb: KnowledgeBase) -> None:
    questions = tomllib.loads((DATA / "ask_devset.toml").read_text(encoding="utf-8"))["questions"]
    assert len(questions) >= 60
    assert {q["lang"] for q in questions} == {"fr", "en"}
    assert {q["topic"] for q in questions} == set(kb.topics)


def test_top1_accuracy_on_the_devset(retriever: Retriever) -> None:
    score, misses = accuracy(retriever, "ask_devset.toml")
    assert score >= 0.90, "\n".join(misses)


def test_top1_accuracy_on_the_untuned_holdout(retriever: Retriever) -> None:
    """Questions written apart from the content and never used for tuning."""
    score, misses = accuracy(retriever, "ask_holdout.toml")
    assert score >= 0.85, "\n".join(misses)


@pytest.mark.parametrize(
    "question",
    [
        "recette de la tarte aux pommes",
        "asdfgh qwerty",
        "python or rust?",
        "hello",
        "how are you",
        "quelle est la météo demain",
        "@everyone",
        "<!channel> <@U123>",
        # every word but one is the base's; the one it lacks says what the question is about
        "best programming books",
        "comment faire une bonne ratatouille",
        # every word is the base's, but none more often than in everyday speech
        "t'aimes les chats ?",
        "quel est le meilleur jeu video",
    ],
)
def test_off_topic_questions_get_no_answer(retriever: Retriever, question: str) -> None:
    assert retriever.best(question) is None


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("qu'est-ce qu'un CTO ?", "overview"),  # only the job's name and question words
        ("Qu'est ce qu'un directeur technique ?", "overview"),
        ("que fait un CTO ?", "missions"),  # the example /help gives
        ("how much does a CTO make in Lyon?", "salary"),  # English question words are not content
        ("le CTO, what does he earn?", "salary"),  # a question mixing both languages
        ("what's the average CTO salery in the US?", "salary"),  # a typo
        ("are there any certifications usefull for a cto?", "education"),
        ("un CTO peut-il bosser en télétravail ?", "remote"),  # one unknown word, one synonym
    ],
)
def test_everyday_questions_find_their_topic(
    retriever: Retriever, question: str, topic: str
) -> None:
    hit = retriever.best(question)
    assert hit is not None and hit.section.topic_id == topic


@pytest.mark.parametrize(
    "question",
    [
        "le cto et le marketing ils se parlent ?",
        "cto et intelligence artificielle",
        "cto blockchain",
    ],
)
def test_a_question_naming_the_job_is_answered_in_words_the_base_lacks(
    retriever: Retriever, question: str
) -> None:
    assert retriever.best(question) is not None


def test_real_words_are_not_corrected_into_words_of_the_base(retriever: Retriever) -> None:
    assert retriever.normalise("does the cto handle security") == "does the cto handle security"
    assert retriever.normalise("je deviens cto") == "je deviens cto"


def test_typos_are_corrected_against_the_base_only_when_close(retriever: Retriever) -> None:
    assert retriever.normalise("CTO salery, usefull?") == "cto salary, useful?"
    assert retriever.normalise("quelle météo demain") == "quelle meteo demain"  # none close
    assert retriever.normalise("un cto qui rit") == "un cto qui rit"  # short words stay
    # shorthand and slang are spelled out first (questions.toml, [abbreviations])
    assert retriever.normalise("un cto qui bosse") == "un cto qui travaille"
    assert retriever.normalise("1er cto c qui") == "premier cto c'est qui"


def test_synonyms_bridge_the_vocabularies(retriever: Retriever) -> None:
    for question in ("rémunération d'un DT ?", "what's the pay?", "WFH as a CTO?"):
        hit = retriever.best(question)
        assert hit is not None
    assert retriever.best("en quoi le DSI diffère ?").section.topic_id == "compare"  # type: ignore[union-attr]


async def test_answer_says_where_it_comes_from(bot: ChatBot) -> None:
    text = await bot.say("/cto ask c'est quoi le salaire d'un CTO ?", locale="fr")
    assert "Sources : une fiche métier française" in text and ".txt" not in text
    assert "/cto salaire" in text


async def test_answers_in_the_questions_language_when_the_user_chose_none(bot: ChatBot) -> None:
    text = await bot.say("/cto ask combien gagne un CTO ?", locale="en")
    assert "Tout le sujet" in text


async def test_no_match_says_what_the_bot_knows(bot: ChatBot) -> None:
    text = await bot.say("/cto ask recette de la tarte aux pommes", locale="fr")
    assert "ne connais que le métier de CTO" in text


def test_a_word_the_base_lacks_votes_for_its_everyday_language(retriever: Retriever) -> None:
    assert retriever.language_votes("fractional cto") == {"fr": 0, "en": 1}
    assert retriever.language_votes("cto en alternance") == {"fr": 1, "en": 0}


def test_a_sector_named_with_the_cto_is_no_other_subject() -> None:
    from coachbot.knowledge.slots import question_words

    words = question_words()
    assert not words.out_of_scope("cto of a football club", names_the_job=True)
    assert words.out_of_scope("who is the best football player", names_the_job=False)
    assert words.out_of_scope("cto, quel temps fait il", names_the_job=True)  # small talk


def test_the_job_named_in_words_the_base_only_uses_in_passing_gets_the_definition(
    retriever: Retriever,
) -> None:
    hit = retriever.best("le cto doit connaitre kubernetes ?")
    assert hit is not None and hit.section.topic_id == "overview"
