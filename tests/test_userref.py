"""User options: mentions everywhere, plain names only where the platform has no mentions."""

from __future__ import annotations

import pytest

from coachbot.errors import BadInput
from coachbot.userref import parse_user_ref


@pytest.mark.parametrize(
    ("text", "user"),
    [
        ("<@U0123>", "U0123"),
        ("<@!42>", "42"),
        ("<@U9|bob>", "U9"),
        ("@alice", "alice"),
        ("bob", "bob"),
    ],
)
def test_mentions_and_console_names(text: str, user: str) -> None:
    assert parse_user_ref(text) == user


@pytest.mark.parametrize("text", ["bob", "@nobody.here", "<#C01>", "two words", ""])
def test_mentions_only_refuses_anything_but_a_mention(text: str) -> None:
    with pytest.raises(BadInput, match="user mention"):
        parse_user_ref(text, mentions_only=True)
    assert parse_user_ref("<@U7>", mentions_only=True) == "U7"
