"""Persistent buttons: one ``DynamicItem`` matches every custom_id ``cb:<workspace>:<action>``.

Registered once on the client, it routes any press, including on messages sent
before the last restart, to ``coachbot.dispatch.run_action`` through the responder.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from coachbot.adapters.discord.ids import PREFIX, TEMPLATE
from coachbot.adapters.discord.interactions import responder_of


class ActionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    """A pressed button of ours: what to run, and for which workspace."""

    def __init__(self, workspace: str, action: str, item: discord.ui.Button[Any] | None = None):
        button = item or discord.ui.Button(custom_id=f"{PREFIX}:{workspace}:{action}", label="…")
        super().__init__(button)
        self.workspace = workspace
        self.action = action

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ActionButton:
        """Rebuild the button from its custom_id alone: no state survives a restart."""
        button = item if isinstance(item, discord.ui.Button) else None
        return cls(match["workspace"], match["action"], button)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Run the core action for the person who pressed."""
        await responder_of(interaction.client).button(interaction, self.workspace, self.action)
