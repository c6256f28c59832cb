"""The bot's own suggestions paste back: no invisible character inside an id or a zone.

mrkdwn needs ``&``, ``<`` and ``>`` escaped; a ``_`` inside a word formats nothing on
Slack, so it must stay exactly as the value is typed.
"""

from __future__ import annotations

import json

from tests.slack.chat import Post, SlackChat, text_of


def raw(posts: list[Post]) -> str:
    """What Slack receives, zero-width spaces included (``text_of`` drops them)."""
    return json.dumps([p.get("blocks", []) for p in posts], ensure_ascii=False)


async def test_a_timezone_suggestion_pastes_back(slack: SlackChat) -> None:
    refused = await slack.say("/coach subscribe timezone:America/New_Yrok")
    assert "America/New_York" in raw(refused) and "\u200b" not in raw(refused)
    accepted = await slack.say("/coach subscribe timezone:America/New_York")
    assert "Subscribed" in text_of(accepted)


async def test_a_skill_suggestion_pastes_back(slack: SlackChat) -> None:
    refused = await slack.say("/progress rate software_developmnt 3")
    assert "software_development" in raw(refused) and "\u200b" not in raw(refused)
    accepted = await slack.say("/progress rate software_development 3")
    assert "3/5" in text_of(accepted)


async def test_user_text_still_cannot_format(slack: SlackChat) -> None:
    posts = await slack.say("/progress log security *loud* _shout_ ~gone~ snake_case")
    shown = raw(posts)
    for word in ("*loud*", "_shout_", "~gone~"):
        assert word not in shown, word  # each marker is kept inert
    assert "snake_case" in shown
