"""Talking to the bot on Discord: a DM is a free question, so is a mention in a server
channel; commands typed in a DM still run; other messages are not read."""

from __future__ import annotations

import json

from tests.discord.harness import BOT, DM_CHANNEL, GUILD, Discord, message_create

SENT = "/channels/{channel_id}/messages"


def sent_text(discord_bot: Discord) -> str:
    """Everything the bot posted in channels, as one JSON text."""
    return json.dumps([c.payload for c in discord_bot.recorder.to(SENT)], ensure_ascii=False)


async def test_a_dm_is_a_free_question_answered_in_its_language(discord_bot: Discord) -> None:
    await discord_bot.message(message_create("combien gagne un CTO à Lyon ?"))
    [post] = discord_bot.recorder.to(SENT)
    assert DM_CHANNEL in post.url
    assert "Grandes villes" in sent_text(discord_bot) and "60–80" in sent_text(discord_bot)


async def test_a_follow_up_in_the_dm_continues_the_answer(discord_bot: Discord) -> None:
    await discord_bot.message(message_create("what does a cto do at 9am"))
    discord_bot.recorder.clear()
    await discord_bot.message(message_create("what about 5 pm?"))
    assert "17:00" in sent_text(discord_bot)


async def test_a_command_typed_in_a_dm_still_runs(discord_bot: Discord) -> None:
    await discord_bot.message(message_create("/cto day hour:9"))
    assert "08:00" in sent_text(discord_bot) and "10:00" in sent_text(discord_bot)


async def test_a_mention_in_a_server_channel_is_answered_there(discord_bot: Discord) -> None:
    raw = message_create(
        f"<@{BOT}> what are the kinds of CTO?", guild=GUILD, channel="555", mentions_bot=True
    )
    await discord_bot.message(raw)
    [post] = discord_bot.recorder.to(SENT)
    assert "/channels/555/" in post.url and "customer liaison" in sent_text(discord_bot)


async def test_other_messages_are_not_read(discord_bot: Discord) -> None:
    await discord_bot.message(message_create("salaire ?", guild=GUILD, channel="555"))
    await discord_bot.message(message_create("salaire ?", user=BOT, bot=True))
    assert discord_bot.recorder.to(SENT) == []
