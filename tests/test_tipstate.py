"""The daily tip's state machine, as the core offers it to every platform's buttons."""

from __future__ import annotations

from coachbot.prompts.tipstate import TipState, tip_commands
from tests.chat import ChatBot


def test_the_commands_follow_the_state() -> None:
    assert tip_commands(TipState()) == ("subscribe",)
    active = TipState(subscribed=True)
    assert tip_commands(active) == ("settings", "pause", "unsubscribe", "tip")
    held = TipState(subscribed=True, held=True)
    assert tip_commands(held) == ("settings", "resume", "unsubscribe", "tip")


async def test_a_refused_value_names_its_option(bot: ChatBot) -> None:
    assert (await bot.reply("/coach subscribe time:25:99")).bad_option == "time"
    assert (await bot.reply("/coach subscribe recap:someday")).bad_option == "recap"
    assert (await bot.reply("/coach subscribe timezone:Mars/Olympus")).bad_option == "timezone"
    assert (await bot.reply("/coach pause until:yesterday")).bad_option is None  # not subscribed
    await bot.reply("/coach subscribe")
    assert (await bot.reply("/coach pause until:yesterday")).bad_option == "until"
    assert (await bot.reply("/coach subscribe where:channel")).bad_option == "where"
