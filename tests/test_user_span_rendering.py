"""A person named by the core shows as a name on each platform and never as a ping."""

from __future__ import annotations

from coachbot.adapters.console import markup_text
from coachbot.adapters.discord.markdown import render_span as discord_span
from coachbot.adapters.slack.mrkdwn import render_span as slack_span
from coachbot.markup import Span, escape, mention, parse_inline


def test_discord_shows_a_snowflake_as_a_member_mention() -> None:
    assert discord_span(Span("80351110224678912", "user")) == "<@80351110224678912>"
    assert "<@" not in discord_span(Span("bob", "user"))


def test_slack_shows_a_user_id_as_a_mention() -> None:
    assert slack_span(Span("U0ABC12", "user")) == "<@U0ABC12>"
    assert "<@" not in slack_span(Span("123", "user"))


def test_the_console_shows_the_name() -> None:
    assert markup_text(f"Mentor {mention('bob')}") == "Mentor @bob"


def test_typed_brackets_stay_text_everywhere() -> None:
    spans = parse_inline(escape("<@80351110224678912> <!channel>"))
    assert [s.style for s in spans] == ["plain"]
    assert "<@8" not in discord_span(spans[0]) and "<@8" not in slack_span(spans[0])


async def test_a_mentor_notes_author_is_a_person(bot) -> None:  # type: ignore[no-untyped-def]
    from coachbot.reply import Items

    await bot.as_("alice").say("/progress rate skill:security level:2", locale="en")
    await bot.as_("alice").say("/mentor request user:@bob", locale="en")
    await bot.as_("bob").say("/mentor accept user:@alice", locale="en")
    await bot.as_("bob").say("/mentor note user:@alice text:great incident review", locale="en")
    reply = await bot.as_("alice").reply("/progress show chart:false", locale="en")
    markup = " ".join(i for b in reply.blocks if isinstance(b, Items) for i in b.items)
    assert "<@bob> — great incident review" in markup
