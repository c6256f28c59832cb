"""Rendered messages as discord.py arguments: embeds, files, a button view, no mentions."""

from __future__ import annotations

import io
from typing import Any

import discord

from coachbot.adapters.discord.render import OutButton, OutMessage
from coachbot.reply import ButtonStyle

NO_MENTIONS = discord.AllowedMentions.none()
STYLES = {
    ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
    ButtonStyle.SECONDARY: discord.ButtonStyle.secondary,
    ButtonStyle.DANGER: discord.ButtonStyle.danger,
}


def build_view(rows: list[list[OutButton]]) -> discord.ui.View | None:
    """The buttons as a view; needs a running event loop (discord.py creates a future).

    The view is stopped before it is sent: discord.py then keeps nothing in memory
    for it, and presses are routed by the ``ActionButton`` pattern instead, which
    also works for messages sent before a restart.
    """
    if not rows:
        return None
    view = discord.ui.View(timeout=None)
    for index, row in enumerate(rows):
        for button in row:
            view.add_item(
                discord.ui.Button(
                    label=button.label,
                    custom_id=button.custom_id,
                    style=STYLES.get(button.style, discord.ButtonStyle.secondary),
                    row=index,
                )
            )
    view.stop()
    return view


def message_kwargs(message: OutMessage) -> dict[str, Any]:
    """Keyword arguments for ``send_message``, ``followup.send`` or ``Messageable.send``."""
    kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
    if message.content:
        kwargs["content"] = message.content
    if message.embeds:
        kwargs["embeds"] = message.discord_embeds()
    if message.files:
        kwargs["files"] = [
            discord.File(io.BytesIO(f.data), filename=f.filename, description=f.description)
            for f in message.files
        ]
    view = build_view(message.rows)
    if view is not None:
        kwargs["view"] = view
    return kwargs
