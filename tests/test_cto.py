"""``/cto``: every topic answers in both languages, options are checked, errors are clear."""

from __future__ import annotations

import pytest

from coachbot.app import App
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
        ("/cto salary region:mars", "not a known region. Accepted: "),
        ("/cto salary level:1", "not a known level"),
        ("/cto day hour:25", "whole number (8–17)"),
        ("/cto day hour:twelve", "whole number (8–17)"),
        ("/cto day hour:22", "whole number (8–17)"),
        ("/cto day hour:7", 'whole number (8–17), not "7"'),
        ("/cto day hour:23", 'whole number (8–17), not "23"'),
        ("/cto day hour:0", "whole number (8–17)"),
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


async def test_day_accepts_the_first_and_last_hours_it_declares(bot: ChatBot) -> None:
    assert "08:00" in await bot.say("/cto day hour:8", locale="en")
    assert "from 17:00 · Wrapping up" in await bot.say("/cto day hour:17", locale="en")
    assert "whole number (8–17)" in await bot.say("/cto day hour:18", locale="en")
    usage = await bot.say("/help command:cto day", locale="fr")
    assert "heure:<8-17>" in usage and "0-23" not in usage


async def test_day_gives_the_other_start_times_of_the_source(bot: ChatBot) -> None:
    """The source's day reads « 8h / 8h30 », « 13h / 13h30 », « 15h / 15h30 » and stops at 17h."""
    text = await bot.say("/cto journee", locale="fr")
    for times in ("08:00 (ou 08:30)–10:00", "13:00 (ou 13:30)–15:00", "15:00 (ou 15:30)–17:00"):
        assert times in text
    assert "dès 17:00" in text and "18:" not in text
    assert "15:00 (or 15:30)–17:00" in await bot.say("/cto day hour:15", locale="en")


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
    assert "US finance encyclopedia" in text and "French recruitment firm" in text
    assert ".txt" not in text


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


# --- what a refusal says ---------------------------------------------------------------------


async def test_an_unknown_level_lists_every_level_by_name(bot: ChatBot) -> None:
    text = await bot.say("/cto salary level:junior", locale="en")
    assert "Accepted: " in text and "confirmed" in text and "expert" in text
    french = await bot.say("/cto salary level:junior", locale="fr")
    assert "Valeurs acceptées : " in french and "confirmé" in french and "expert" in french


async def test_an_unknown_region_lists_names_a_user_types_not_ids(bot: ChatBot) -> None:
    text = await bot.say("/cto salary region:mars", locale="en")
    first = text.split("Accepted: ")[1].split("\n")[0]
    assert sorted(first.rstrip(".").split(", ")) == ["large-cities", "other-regions", "paris"]
    assert "big_cities" not in text
    french = await bot.say("/cto salary region:mars", locale="fr")
    assert "grandes-villes" in french and "régions" in french and "big_cities" not in french


async def test_the_closest_accepted_value_comes_first(bot: ChatBot) -> None:
    text = await bot.say("/cto salary region:pariss", locale="en")
    assert "Accepted: paris, " in text


async def test_every_listed_name_selects_its_value(app: App) -> None:
    from coachbot.vocabularies import SMALL_SET, EntryVocabulary, typed_name

    small = [
        v
        for v in app.services.vocabularies.values()
        if isinstance(v, EntryVocabulary) and len(v.entries) <= SMALL_SET
    ]
    assert {v.kind.en for v in small} >= {"region", "level", "category"}
    for vocab in small:
        for entry in vocab.entries:
            for lang in ("fr", "en"):
                assert vocab.resolve(typed_name(entry.label.get(lang))) == entry.id


@pytest.mark.parametrize(
    ("line", "option"),
    [
        ("/cto day hour:13 hour:14", "hour"),
        ("/cto salary region:paris region:lyon", "region"),
        ("/cto salary paris region:lyon", "region"),
        ("/cto salary level:expert niveau:confirmed", "level"),
    ],
)
async def test_an_option_given_twice_is_refused(bot: ChatBot, line: str, option: str) -> None:
    text = await bot.say(line, locale="en")
    assert f'The option "{option}" is given twice' in text
    assert bot.last is not None and bot.last.tone is Tone.ERROR
    assert not any(isinstance(b, Fields) for b in bot.last.blocks)


async def test_an_option_given_twice_changes_nothing(bot: ChatBot) -> None:
    await bot.say("/coach language en", locale="fr")
    text = await bot.say("/coach language fr lang:fr", locale="fr")
    assert 'The option "lang" is given twice' in text  # still English: nothing changed
    typed_in_french = await bot.say("/cto journee heure:9 heure:10", locale="en")
    assert 'The option "hour" is given twice' in typed_in_french


async def test_an_option_given_twice_is_named_in_french(bot: ChatBot) -> None:
    text = await bot.say("/cto salaire niveau:expert level:confirmed", locale="fr")
    assert "L'option « niveau » est donnée deux fois" in text


@pytest.mark.parametrize("line", ["/cto salary region:", '/cto salary region:""', "/cto day hour:"])
async def test_an_empty_value_is_refused(bot: ChatBot, line: str) -> None:
    text = await bot.say(line, locale="en")
    assert "is empty: write its value right after" in text
    assert bot.last is not None and bot.last.tone is Tone.ERROR
    french = await bot.say(line, locale="fr")
    assert "est vide" in french


async def test_an_empty_value_from_a_platform_is_refused_too(bot: ChatBot) -> None:
    from coachbot.dispatch import Invocation

    inv = Invocation(bot.person, ("cto", "salary"), {"region": " "}, locale="en")
    reply = await bot.app.dispatcher.dispatch(inv)
    assert reply.tone is Tone.ERROR
    assert 'The option "region" is empty' in bot.session.renderer.render(reply)


async def test_an_empty_free_text_means_nothing(bot: ChatBot) -> None:
    help_text = await bot.say("/help command:", locale="en")
    assert bot.last is not None and bot.last.tone is not Tone.ERROR and "/cto" in help_text
    assert 'The option "question" is required' in await bot.say("/cto ask question:", locale="en")


async def test_long_input_is_echoed_cut_short(bot: ChatBot) -> None:
    for line in ("/cto " + "x" * 5000, "/cto salary region:" + "y" * 5000):
        text = await bot.say(line, locale="en")
        assert bot.last is not None and bot.last.tone is Tone.ERROR
        assert len(text) < 600 and "…" in text
        assert "x" * 41 not in text and "y" * 41 not in text


async def test_a_question_too_long_says_nothing_about_saving(bot: ChatBot) -> None:
    text = await bot.say("/cto ask " + "why " * 100, locale="en")
    assert "longer than 300 characters" in text and "shorter" in text
    assert "saved" not in text
    french = await bot.say("/cto demander " + "pourquoi " * 50, locale="fr")
    assert "dépasse 300 caractères" in french and "enregistré" not in french
