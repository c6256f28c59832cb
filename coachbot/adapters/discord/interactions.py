"""Answering interactions: who is asking, run the core, reply within Discord's 3 seconds.

A command or button runs as a task. Commands marked ``slow`` defer at once; any other
that has not answered after ``defer_after`` seconds (a database under load) defers
then, so the interaction is always acknowledged in time. The answer then goes out
as follow-ups. The deferral's visibility is guessed from the command (personal or
admin commands are private); when a public deferral meets a private answer, the
placeholder is deleted and the answer follows privately, so private data never shows.
Admin commands (server defaults) always answer privately, deferred or not.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping
from dataclasses import replace
from typing import Any

import discord
from discord import app_commands

from coachbot.adapters.discord import PLATFORM, limits
from coachbot.adapters.discord.render import OutMessage, render
from coachbot.adapters.discord.send import message_kwargs
from coachbot.app import App
from coachbot.dispatch import Invocation, run_action
from coachbot.i18n import Localized, parse_lang
from coachbot.identity import PersonRef
from coachbot.registry import CommandSpec
from coachbot.reply import Reply, error

log = logging.getLogger(__name__)
DEFER_AFTER = 1.5  # seconds: leaves time for the defer call itself within Discord's 3 s
DM_WORKSPACE = "dm"
INTERNAL = Localized(
    "Quelque chose s'est mal passé de notre côté ; réessayez dans un instant.",
    "Something went wrong on our side; please try again in a moment.",
)


def person_of(interaction: discord.Interaction, workspace: str | None = None) -> PersonRef:
    """The person acting: their guild is the workspace (or ``workspace`` from a DM button)."""
    guild = str(interaction.guild_id) if interaction.guild_id else None
    return PersonRef(PLATFORM, guild or workspace or DM_WORKSPACE, str(interaction.user.id))


def option_value(value: object) -> object:
    """A raw value for the core: users become their id, everything else stays."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(getattr(value, "id", value))


def responder_of(client: discord.Client) -> Responder:
    """The responder wired into ``client`` by ``coachbot.adapters.discord.client``."""
    responder = getattr(client, "coach_responder", None)
    if not isinstance(responder, Responder):
        raise RuntimeError("this client has no coachbot responder; build it with make_client")
    return responder


class Responder:
    """Runs commands, buttons and autocomplete for one wired App."""

    def __init__(self, app: App, *, defer_after: float = DEFER_AFTER) -> None:
        self.app = app
        self.defer_after = defer_after

    async def command(
        self, interaction: discord.Interaction, spec: CommandSpec, args: Mapping[str, object]
    ) -> None:
        """Run ``spec`` with ``args`` (core option names) and answer the interaction."""
        person = person_of(interaction)
        invocation = Invocation(
            person,
            spec.path,
            {k: option_value(v) for k, v in args.items() if v is not None},
            locale=str(interaction.locale),
            channel=str(interaction.channel_id) if interaction.channel_id else None,
            is_admin=interaction.permissions.manage_guild,
            flat_admin=True,  # admin subcommands are top-level commands here
        )
        work = self.app.dispatcher.dispatch(invocation)
        if spec.admin:
            work = _privately(work)
        await self._answer(
            interaction, work, person.workspace, slow=spec.slow, private=spec.personal or spec.admin
        )

    async def button(self, interaction: discord.Interaction, workspace: str, action: str) -> None:
        """Run the core action ``action`` for the person pressing, and answer privately."""
        person = person_of(interaction, workspace)
        channel = str(interaction.channel_id) if interaction.channel_id else None
        locale = str(interaction.locale)
        work = run_action(self.app.dispatcher, person, action, locale, channel, flat_admin=True)
        await self._answer(interaction, work, person.workspace, slow=False, private=True)

    async def complete(
        self, interaction: discord.Interaction, path: tuple[str, ...], option: str, current: str
    ) -> list[app_commands.Choice[str]]:
        """At most 25 suggestions from the core's vocabulary for ``option``."""
        lang = await self.app.dispatcher.language(person_of(interaction), str(interaction.locale))
        found = self.app.dispatcher.complete(
            path, option, str(current or ""), lang, flat_admin=True
        )
        return [
            app_commands.Choice(name=_choice_name(s.label or s.value), value=s.value)
            for s in found
            if 0 < len(s.value) <= limits.CHOICE_VALUE
        ][: limits.AUTOCOMPLETE_CHOICES]

    async def _answer(
        self,
        interaction: discord.Interaction,
        work: Awaitable[Reply],
        workspace: str,
        *,
        slow: bool,
        private: bool,
    ) -> None:
        task = asyncio.ensure_future(self._safely(interaction, work))
        deferred = slow or not await _finishes_within(task, self.defer_after)
        try:
            if deferred:
                await interaction.response.defer(ephemeral=private, thinking=True)
            reply = await task
            messages = render(reply, workspace=workspace)
            await _send(interaction, messages, reply.ephemeral, deferred, private)
        except discord.HTTPException:
            log.exception("could not answer the interaction %s", interaction.id)

    async def _safely(self, interaction: discord.Interaction, work: Awaitable[Reply]) -> Reply:
        """The reply, or a short internal-error reply (the core logs nothing for actions)."""
        try:
            return await work
        except Exception:
            log.exception("interaction %s failed", interaction.id)
            lang = parse_lang(str(interaction.locale)) or "en"
            return error(
                Localized("Erreur interne", "Internal error").get(lang), INTERNAL.get(lang)
            )


async def _privately(work: Awaitable[Reply]) -> Reply:
    """The reply of ``work``, shown only to the person who asked."""
    return replace(await work, ephemeral=True)


def _choice_name(label: str) -> str:
    label = " ".join(label.split()) or "…"
    return label if len(label) <= limits.CHOICE_NAME else label[: limits.CHOICE_NAME - 1] + "…"


async def _finishes_within(task: asyncio.Future[Any], seconds: float) -> bool:
    done, _ = await asyncio.wait({task}, timeout=seconds)
    return bool(done)


async def _send(
    interaction: discord.Interaction,
    messages: list[OutMessage],
    ephemeral: bool,
    deferred: bool,
    private: bool,
) -> None:
    """Send the rendered messages as the response, or as follow-ups after a deferral.

    After a deferral the first follow-up takes the deferral's visibility (Discord's
    rule), so every follow-up uses it; a public placeholder is deleted first when the
    answer is private.
    """
    if deferred and ephemeral and not private:
        await interaction.delete_original_response()
        private = True
    hidden = private if deferred else ephemeral
    for index, message in enumerate(messages):
        kwargs = message_kwargs(message)
        if index == 0 and not deferred:
            await interaction.response.send_message(**kwargs, ephemeral=hidden)
        else:
            await interaction.followup.send(**kwargs, ephemeral=hidden)


STALE = Localized(
    "Cette commande a changé depuis la dernière synchronisation : un admin doit lancer "
    "`coachbot discord sync`.",
    "This command changed since the last sync: an admin should run `coachbot discord sync`.",
)
STALE_ERRORS = (app_commands.CommandNotFound, app_commands.CommandSignatureMismatch)


async def on_tree_error(
    interaction: discord.Interaction, exc: app_commands.AppCommandError
) -> None:
    """What discord.py could not run still gets a clear private answer (never a silence)."""
    log.warning("interaction %s refused by discord.py: %r", interaction.id, exc)
    if interaction.type is discord.InteractionType.autocomplete or interaction.response.is_done():
        return
    lang = parse_lang(str(interaction.locale)) or "en"
    text = STALE if isinstance(exc, STALE_ERRORS) else INTERNAL
    reply = error(
        Localized("Commande indisponible", "Command unavailable").get(lang), text.get(lang)
    )
    workspace = person_of(interaction).workspace
    try:
        await _send(interaction, render(reply, workspace=workspace), True, False, True)
    except discord.HTTPException:
        log.exception("could not answer the interaction %s", interaction.id)
