"""Slash-command text as Slack sends it -> the plain line the core parses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coachbot.adapters.slack.incoming import command_line, from_slack


@pytest.mark.parametrize(
    ("sent", "typed"),
    [
        ("request <@U0AB12CD|ada.lovelace>", "request <@U0AB12CD>"),
        ("request <@W0AB12CD>", "request <@W0AB12CD>"),
        ("server channel:<#C0123|general>", "server channel:<#C0123>"),
        ("server channel:<#G0123>", "server channel:<#G0123>"),
        ("log security R&amp;D &lt;b&gt;", "log security R&D <b>"),
        ("note <https://example.org/a?b=1|example.org/a>", "note https://example.org/a?b=1"),
        ("mail <mailto:ada@example.org|ada@example.org>", "mail ada@example.org"),
        ("<!here> <!subteam^S1|@devs>", "@here @devs"),
        ("  salary paris expert  ", "salary paris expert"),
    ],
)
def test_slack_text_becomes_what_the_user_typed(sent: str, typed: str) -> None:
    assert from_slack(sent) == typed


def test_command_line_joins_command_and_text() -> None:
    assert command_line("/progress", "rate security 3") == "/progress rate security 3"
    assert command_line("/help", "") == "/help"


def slack_encode(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@given(st.text())
def test_typed_text_round_trips_through_slack_escaping(text: str) -> None:
    assert from_slack(slack_encode(text)) == text.strip()
