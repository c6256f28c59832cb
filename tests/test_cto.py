"""``/cto``: every topic answers in both languages, options are checked, errors are clear."""

from __future__ import annotations

import pytest

from coachbot.knowledge.models import KnowledgeBase
from coachbot.reply import Fields, Tone
from tests.chat import ChatBot
from tests.test_content import REQUIRED_TOPICS


@pytest.mark.parametrize("topic", sorted(REQUIRED_TOPICS))
async def test_every_topic_answers_in_french_and_english(
    bot: ChatBot, kb: KnowledgeBase, topic: str
) -> None:
    fr = await bot.say(f"/cto {topic}", locale="fr")
    assert kb.topics[topic].title.fr in fr and "Sources" in fr
    en = await bot.say(f"/cto {topic}", locale="en-US")
    assert kb.topics[topic].title.en in en
    assert bot.last is not None and bot.last.tone is not Tone.ERROR


async def test_salary_for_one_region_and_level(bot: ChatBot) -> None:
    reply = await bot.reply("/cto salary region:paris level:expert", locale="en")
    fields = next(b for b in reply.blocks if isinstance(b, Fields)).fields
    assert [(f.name, f.value) for f in fields] == [("Expert · Paris", "100–140 k€ gross / year")]
    assert "€93k" in (await bot.say("/cto salary region:paris level:expert", locale="en"))


async def test_salary_accepts_names_in_either_language(bot: ChatBot) -> None:
    reply = await bot.reply("/cto salary region:Grandes-Villes level:confirmé", locale="fr")
    fields = next(b for b in reply.blocks if isinstance(b, Fields)).fields
    assert [f.value for f in fields] == ["60–80 k€ brut / an"]


async def test_full_salary_grid_without_options(bot: ChatBot) -> None:
    reply = await bot.reply("/cto salary", locale="en")
    fields = next(b for b in reply.blocks if isinstance(b, Fields)).fields
    assert len(fields) == 6


async def test_day_at_an_hour(bot: ChatBot) -> None:
    text = await bot.say("/cto day hour:13", locale="en")
    assert "13:00" in text and "08:00" not in text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/cto salary region:mars", "not a known region. Closest"),
        ("/cto salary level:1", "not a known level"),
        ("/cto day hour:25", "whole number (0–23)"),
        ("/cto day hour:twelve", "whole number (0–23)"),
        ("/cto day hour:22", "pick an hour between 8 and 18"),
        ("/cto salary colour:blue", "Unknown option"),
        ("/cto nope", 'Unknown subcommand "nope"'),
        ("/nothing", "Unknown command"),
        ("/cto compare with:ceo", "Accepted: cio"),
        ("/cto skills category:cooking", "Accepted: technical"),
        ("/cto ask", 'The option "question" is required'),
    ],
)
async def test_bad_input_gets_a_clear_message(bot: ChatBot, line: str, expected: str) -> None:
    text = await bot.say(line, locale="en")
    assert expected in text
    assert bot.last is not None and bot.last.tone is Tone.ERROR
    assert "Traceback" not in text


async def test_bad_input_in_french(bot: ChatBot) -> None:
    text = await bot.say("/cto day hour:99", locale="fr")
    assert "nombre entier" in text and "Usage : " in text


async def test_hostile_input_is_echoed_inert(bot: ChatBot) -> None:
    reply = await bot.reply("/cto salary region:**@everyone**", locale="en")
    text = reply.blocks[0].markup  # type: ignore[union-attr]
    assert "\\*\\*@everyone\\*\\*" in text


async def test_skills_by_category_lists_the_catalog(bot: ChatBot, kb: KnowledgeBase) -> None:
    text = await bot.say("/cto skills category:soft", locale="en")
    for skill in kb.skills.values():
        assert (skill.name.en in text) == (skill.category == "soft")


async def test_compare_shows_both_views(bot: ChatBot) -> None:
    text = await bot.say("/cto compare with:cio", locale="en")
    assert "004_e4474fc2878da9f9.txt" in text and "001_ef6877f99a5ba11b.txt" in text


async def test_help_lists_every_group_and_explains_one_command(bot: ChatBot) -> None:
    text = await bot.say("/help", locale="en")
    assert "/cto" in text and "/coach" in text and "salary" in text
    detail = await bot.say("/help command:cto salary", locale="en")
    assert "/cto salary [region:<region>] [level:<level>]" in detail


async def test_language_choice_overrides_the_locale(bot: ChatBot) -> None:
    assert "Language saved" in await bot.say("/coach language en", locale="fr")
    assert "How much experience" in await bot.say("/cto experience", locale="fr")
    await bot.say("/coach language lang:fr")
    assert "Langue enregistrée" in (await bot.say("/coach language fr", locale="en"))


async def test_default_language_is_french(bot: ChatBot, kb: KnowledgeBase) -> None:
    assert kb.topics["overview"].title.fr in await bot.say("/cto overview")


async def test_a_group_without_subcommand_lists_them(bot: ChatBot) -> None:
    text = await bot.say("/cto", locale="en")
    assert "Choose a subcommand of /cto:" in text and "salary" in text


async def test_two_first_commands_at_once_from_a_new_user_both_work(bot: ChatBot) -> None:
    import asyncio

    from coachbot.dispatch import Invocation
    from coachbot.reply import Tone

    person = bot.as_("newcomer").person
    first, second = await asyncio.gather(
        bot.app.dispatcher.dispatch(Invocation(person, ("coach", "language"), {"lang": "en"})),
        bot.app.dispatcher.dispatch(Invocation(person, ("coach", "language"), {"lang": "fr"})),
    )
    assert first.tone is not Tone.ERROR and second.tone is not Tone.ERROR
