"""Long messages: who the asker is, then what they ask; the ask picks the answer."""

from __future__ import annotations

from coachbot.knowledge.asking import asked, asks
from coachbot.knowledge.folding import fold
from coachbot.knowledge.slots import question_words
from tests.chat import ChatBot


def test_the_background_is_set_apart_from_the_ask() -> None:
    message = fold(
        "Salut, j'ai 29 ans, dev fullstack a Lyon depuis 5 ans. Quelles competences "
        "faut il pour etre CTO ? merci"
    )
    assert asked(message) == "quelles competences faut il pour etre cto"


def test_a_short_question_is_all_ask() -> None:
    assert asked(fold("CTO in a start-up: what's different?")) is None


def test_two_asks_are_cut_at_and() -> None:
    message = fold(
        "I've got 9 years as a dev and 3 as team lead at an insurer. How long does it "
        "take to become a CTO, and do you need a master's?"
    )
    assert asks(message)[-1] == "do you need a master's"


def test_an_age_is_no_experience() -> None:
    slots = question_words().read(fold("j'ai 31 ans et je suis dev depuis 6 ans a Lyon"))
    assert slots.years == 6
    assert question_words().read(fold("j'ai 10 ans d'experience")).years == 10


async def test_the_second_ask_is_answered_and_offered(bot: ChatBot) -> None:
    text = await bot.say(
        "/cto ask bonjour, je suis chef de projet depuis 6 ans dans le e-commerce. deux "
        "questions : combien d'annees d'experience il faut pour etre cto, et quel diplome "
        "est attendu ?"
    )
    assert "5 à 10" in text[:600] and "Bac+5" in text[:600]
    assert "Voir aussi : En France : le Bac+5 comme seuil" in text


async def test_a_greeting_names_no_hour(bot: ChatBot) -> None:
    text = await bot.say(
        "/cto ask Good morning. I run a team of 6 devs at a retail company and I might be "
        "promoted. Who does a CTO usually report to?"
    )
    assert "CIO" in text[:600] and "08:00" not in text[:600]
