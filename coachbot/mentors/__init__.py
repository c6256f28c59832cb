"""Mentoring: links between learners and mentors, mentors' notes, and alerts to mentors.

This package module stays free of database imports: command declarations read it.
"""

from coachbot.markup import mention, neutralize

MAX_NOTE = 1000  # characters of a mentor's note


def shown_user(user: str) -> str:
    """The person ``user`` in prose: adapters show their name (never a ping)."""
    return mention(user)


def typed_user(user: str) -> str:
    """``@user`` inside a code span, where escapes do not apply: no backtick, no control."""
    return "@" + neutralize(user).replace("`", "")
