"""The ``custom_id`` of a button: the core's action id plus the workspace it belongs to.

``cb:<workspace>:<action id>``, e.g. ``cb:81384788765712384:prompt:done:42``. The
workspace (the guild) matters for buttons sent by DM, where the interaction says
nothing about the server the prompt comes from. The id is all a press needs, so
buttons keep working after a restart: nothing is kept in memory.
"""

from __future__ import annotations

import re

from coachbot.adapters.discord import limits

PREFIX = "cb"
TEMPLATE = re.compile(rf"{PREFIX}:(?P<workspace>[0-9A-Za-z_-]{{1,32}}):(?P<action>.+)")


def action_custom_id(workspace: str, action: str) -> str | None:
    """The custom_id for ``action``, or None when it would not fit Discord's 100 characters."""
    custom_id = f"{PREFIX}:{workspace}:{action}"
    if len(custom_id) > limits.CUSTOM_ID or TEMPLATE.fullmatch(custom_id) is None:
        return None
    return custom_id


def parse_custom_id(custom_id: str) -> tuple[str, str] | None:
    """``(workspace, action id)`` of one of our custom_ids, else None."""
    match = TEMPLATE.fullmatch(custom_id)
    return (match["workspace"], match["action"]) if match else None
