"""One conversation, word for word, on the console, Slack and Discord."""

from __future__ import annotations

from tests.chat import Chat


async def test_a_salary_question_reads_the_same_everywhere(bot_on: Chat) -> None:
    assert "Language saved" in await bot_on.say("/coach language lang:en")
    answer = await bot_on.say("/cto salary region:paris level:expert")
    assert "100–140 k€ gross / year" in answer


async def test_forget_asks_first_and_cancel_erases_nothing_everywhere(bot_on: Chat) -> None:
    await bot_on.say("/coach language lang:en")
    asked = await bot_on.say("/coach forget")
    assert "Erase everything" in asked and "Cancel" in asked
    assert "Nothing was erased" in await bot_on.press("Cancel")


async def test_a_daily_prompt_subscription_reads_the_same_everywhere(bot_on: Chat) -> None:
    await bot_on.say("/coach language lang:en")
    answer = await bot_on.say("/coach subscribe time:08:30 timezone:UTC days:mon-fri")
    assert "08:30" in answer and "UTC" in answer
    settings = await bot_on.say("/coach settings")
    assert "08:30" in settings and "UTC" in settings
