"""Slack's slash-command text, made into the plain line the core's parser reads.

Slack sends ``&``, ``<`` and ``>`` typed by the user as HTML entities, and wraps
mentions, channels and links in angle brackets (``<@U123|ada>``, ``<#C1|general>``,
``<https://x.org|x.org>``). Mentions become ``<@U123>`` and channels ``<#C1>``: the ids,
which the core's user and channel options accept (a channel's name can change and is
no address to post to). Every other wrapped token becomes the text the user saw;
entities are decoded last, so what the user typed is read as typed.
"""

from __future__ import annotations

import re

_WRAPPED = re.compile(r"<([^<>]*)>")
_USER = re.compile(r"^@([UW][A-Z0-9]{1,20})(?:\|.*)?$")
_CHANNEL = re.compile(r"^#([CGD][A-Z0-9]{1,20})(?:\|.*)?$")


def _unwrap(match: re.Match[str]) -> str:
    inner = match.group(1)
    user = _USER.match(inner)
    if user:
        return f"<@{user.group(1)}>"
    channel = _CHANNEL.match(inner)
    if channel:
        return f"<#{channel.group(1)}>"
    target, _, label = inner.partition("|")
    if target.startswith("!"):  # <!here>, <!subteam^S1|@devs>, <!date^...|fallback>
        return label or "@" + target[1:].split("^")[0]
    if target.startswith("mailto:"):
        return label or target.removeprefix("mailto:")
    return target


def from_slack(text: str) -> str:
    """The plain text a user typed, from a slash command's ``text`` field."""
    text = _WRAPPED.sub(_unwrap, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def command_line(command: str, text: str) -> str:
    """The core command line for a slash command: ``/cto`` + ``salary paris`` -> ``/cto salary paris``."""
    rest = from_slack(text)
    return f"{command} {rest}" if rest else command
