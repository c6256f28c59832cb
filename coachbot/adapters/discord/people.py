"""People's names where Discord shows text as typed: titles, field names, buttons, footers.

In descriptions and field values a person is ``<@id>``, which Discord shows as their
name (``allowed_mentions`` keeps it from pinging). Titles, field names, button labels
and footers show ``<@id>`` as typed, so there the core's person becomes ``@Name``:
the user's display name, from the interaction itself when Discord sent it
(``resolved``), else fetched once (``GET /users/{id}``) and kept in memory.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import discord

from coachbot.markup import escape
from coachbot.reply import Actions, Button, Field, Fields, Reply

log = logging.getLogger(__name__)
PERSON = re.compile(r"(?<!\\)<@(\d{1,20})>")  # the core's person span, with a Discord id
MEMORY = 5_000


def plain_places(reply: Reply) -> list[str]:
    """The markup of every place where Discord shows text as typed."""
    places = [reply.title or "", reply.footer or ""]
    for block in reply.blocks:
        if isinstance(block, Fields):
            places.extend(f.name for f in block.fields)
        elif isinstance(block, Actions):
            places.extend(b.label for b in block.buttons)
    return places


def people_shown_as_text(reply: Reply) -> set[str]:
    """Ids of the people named where Discord would show ``<@id>`` as typed."""
    return {m for text in plain_places(reply) for m in PERSON.findall(text)}


def named(markup: str, names: Mapping[str, str]) -> str:
    """``markup`` with each known person as ``@Name`` (escaped: a name is user text)."""
    return PERSON.sub(lambda m: escape("@" + names[m[1]]) if m[1] in names else m[0], markup)


def with_names(reply: Reply, names: Mapping[str, str]) -> Reply:
    """``reply`` with people named in its titles, field names, labels and footer."""
    if not names:
        return reply

    def block(b: Any) -> Any:
        if isinstance(b, Fields):
            return Fields(tuple(Field(named(f.name, names), f.value, f.inline) for f in b.fields))
        if isinstance(b, Actions):
            return Actions(
                tuple(Button(x.action, named(x.label, names), x.style) for x in b.buttons)
            )
        return b

    return replace(
        reply,
        title=named(reply.title, names) if reply.title else reply.title,
        footer=named(reply.footer, names) if reply.footer else reply.footer,
        blocks=tuple(block(b) for b in reply.blocks),
    )


def display_name(user: discord.abc.User | Mapping[str, Any]) -> str:
    """What Discord shows for a user: their display name, else their username."""
    if isinstance(user, Mapping):
        return str(user.get("global_name") or user.get("username") or user.get("id"))
    return user.global_name or user.name


class People:
    """Display names by user id: learned from interactions, else fetched and kept."""

    def __init__(self) -> None:
        self._names: OrderedDict[str, str] = OrderedDict()

    def learn(self, interaction: discord.Interaction[Any]) -> None:
        """Remember the names Discord sent with ``interaction`` (the user, resolved users)."""
        self._keep(str(interaction.user.id), display_name(interaction.user))
        data: Any = interaction.data or {}
        for user_id, user in (data.get("resolved") or {}).get("users", {}).items():
            self._keep(str(user_id), display_name(user))

    async def names(self, client: discord.Client, ids: Iterable[str]) -> dict[str, str]:
        """The display name of each of ``ids``; an unknown or unreachable user is left out
        (shown as ``@id``, never an error)."""
        wanted = sorted(set(ids))
        missing = [i for i in wanted if i not in self._names]
        fetched = await asyncio.gather(*(self._fetch(client, i) for i in missing))
        for user_id, name in zip(missing, fetched, strict=True):
            if name is not None:
                self._keep(user_id, name)
        return {i: self._names[i] for i in wanted if i in self._names}

    async def _fetch(self, client: discord.Client, user_id: str) -> str | None:
        try:
            return display_name(await client.fetch_user(int(user_id)))
        except (discord.HTTPException, ValueError):
            log.warning("could not fetch the name of user %s", user_id, exc_info=True)
            return None

    def _keep(self, user_id: str, name: str) -> None:
        self._names[user_id] = name
        self._names.move_to_end(user_id)
        if len(self._names) > MEMORY:
            self._names.popitem(last=False)
