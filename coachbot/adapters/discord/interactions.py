"""Answering interactions: who is asking, run the core, reply within Discord's 3 seconds.

A command or button runs as a task. Commands marked ``slow`` defer at once; any other
that has not answered after ``defer_after`` seconds (a database under load) defers
then, so the interaction is always acknowledged in time. After a deferral the first
message replaces the "thinking…" placeholder through Edit Original Interaction
Response (a follow-up sent there instead is a deprecated behaviour of Discord's), the
others are follow-ups; if any of them is refused, the placeholder still becomes a
short error, so it never hangs. The deferral's visibility is guessed from the command
(personal or admin commands are private); when a public deferral meets a private
answer, the placeholder gets a neutral line, the answer follows privately and the
placeholder is then deleted, so private data never shows.
Admin commands (server defaults) always answer privately, deferred or not.

Personal notices (``Reply.notices``: milestones, "your tips are on hold") never go
into a public message: a public answer is sent without them, and they follow as a
private message. People are named (``people``) where Discord shows text as typed.
A channel picked in a command is checked first: the bot must be able to post there
(``permissions``). A button press the core confirms (a success reply) updates the
message it is on: every button disabled, the pressed one marked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import discord
from discord import app_commands

from coachbot.adapters.discord import PLATFORM, limits
from coachbot.adapters.discord.people import People, people_shown_as_text, with_names
from coachbot.adapters.discord.permissions import missing_in, refusal_text
from coachbot.adapters.discord.render import OutMessage, render
from coachbot.adapters.discord.send import message_kwargs
from coachbot.app import App
from coachbot.dispatch import Invocation, run_action
from coachbot.i18n import Localized, parse_lang
from coachbot.identity import PersonRef
from coachbot.registry import CommandSpec, OptionType
from coachbot.reply import Reply, Tone, error

log = logging.getLogger(__name__)
DEFER_AFTER = 1.5  # seconds: leaves time for the defer call itself within Discord's 3 s
DM_WORKSPACE = "dm"
INTERNAL = Localized(
    "Quelque chose s'est mal passé de notre côté ; réessayez dans un instant.",
    "Something went wrong on our side; please try again in a moment.",
)
NOT_SHOWN = Localized(
    "La réponse n'a pas pu être affichée ; réessayez dans un instant.",
    "The answer could not be shown; please try again in a moment.",
)
PRIVATE_ELSEWHERE = Localized("Réponse envoyée en privé.", "Answer sent privately.")
PRESSED = discord.ButtonStyle.success


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


@dataclass(frozen=True)
class Answer:
    """How to answer: deferred or not, the deferral's visibility, the button pressed."""

    workspace: str
    slow: bool
    private: bool
    pressed: str | None = None  # custom_id of the button pressed, for a component


class Responder:
    """Runs commands, buttons and autocomplete for one wired App."""

    def __init__(self, app: App, *, defer_after: float = DEFER_AFTER) -> None:
        self.app = app
        self.defer_after = defer_after
        self.people = People()

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
        work = self._checked(interaction, spec, invocation)
        if spec.admin:
            work = _privately(work)
        private = spec.personal or spec.admin
        await self._answer(interaction, work, Answer(person.workspace, spec.slow, private))

    async def button(self, interaction: discord.Interaction, workspace: str, action: str) -> None:
        """Run the core action ``action`` for the person pressing, and answer privately."""
        person = person_of(interaction, workspace)
        channel = str(interaction.channel_id) if interaction.channel_id else None
        locale = str(interaction.locale)
        work = run_action(self.app.dispatcher, person, action, locale, channel, flat_admin=True)
        data: Any = interaction.data or {}
        pressed = str(data.get("custom_id") or "") or None
        await self._answer(interaction, work, Answer(person.workspace, False, True, pressed))

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

    async def _checked(
        self, interaction: discord.Interaction, spec: CommandSpec, invocation: Invocation
    ) -> Reply:
        """The core's reply, unless a picked channel is one the bot cannot post in (asked
        only of those allowed to run the command: the core refuses the others)."""
        allowed = invocation.is_admin or not spec.admin
        for opt in spec.options if allowed else ():
            value = invocation.args.get(opt.name)
            if opt.type is not OptionType.CHANNEL or not str(value or "").isdigit():
                continue
            missing = await missing_in(
                interaction.client, interaction.guild_id or 0, int(str(value))
            )
            if missing:
                lang = await self.app.dispatcher.language(invocation.person, invocation.locale)
                title = Localized("Salon inutilisable", "Channel not usable").get(lang)
                return error(title, refusal_text(missing, int(str(value)), lang))
        return await self.app.dispatcher.dispatch(invocation)

    async def _answer(
        self, interaction: discord.Interaction, work: Awaitable[Reply], how: Answer
    ) -> None:
        self.people.learn(interaction)
        task = asyncio.ensure_future(self._safely(interaction, work))
        deferred = how.slow or not await _finishes_within(task, self.defer_after)
        try:
            if deferred and how.pressed:
                await interaction.response.defer()  # updates the message, no placeholder
            elif deferred:
                await interaction.response.defer(ephemeral=how.private, thinking=True)
            reply = await task
        except discord.HTTPException:
            log.exception("could not acknowledge the interaction %s", interaction.id)
            return
        await self._deliver(interaction, reply, how, deferred)

    async def _deliver(
        self, interaction: discord.Interaction, reply: Reply, how: Answer, deferred: bool
    ) -> None:
        """Send ``reply`` (then its notices, privately, when it is public); a refusal
        still completes a deferred response."""
        public = not (reply.ephemeral or how.private or (deferred and how.pressed))
        shown, notices = (replace(reply, notices=()), reply.notices) if public else (reply, ())
        sender = _Sender(interaction, deferred, how)
        try:
            if how.pressed and reply.tone is Tone.SUCCESS:
                await sender.mark_pressed(how.pressed)
            await sender.send(render(shown, workspace=how.workspace), private=not public)
            if notices:
                await sender.send(render(Reply(notices=notices), workspace=how.workspace), True)
            await sender.finish()
        except discord.HTTPException:
            log.exception("could not answer the interaction %s", interaction.id)
            await _complete_anyway(interaction, sender.placeholder)

    async def _safely(self, interaction: discord.Interaction, work: Awaitable[Reply]) -> Reply:
        """The reply with people named, or a short internal-error reply (the core logs
        nothing for actions)."""
        try:
            reply = await work
        except Exception:
            log.exception("interaction %s failed", interaction.id)
            lang = parse_lang(str(interaction.locale)) or "en"
            return error(
                Localized("Erreur interne", "Internal error").get(lang), INTERNAL.get(lang)
            )
        names = await self.people.names(interaction.client, people_shown_as_text(reply))
        return with_names(reply, names)


class _Sender:
    """The messages of one answer, each through the right endpoint."""

    def __init__(self, interaction: discord.Interaction, deferred: bool, how: Answer) -> None:
        self.interaction = interaction
        self.deferred = deferred
        self.how = how
        self.placeholder = deferred and not how.pressed  # a "thinking…" message to replace
        self.to_delete = False

    async def mark_pressed(self, custom_id: str) -> None:
        """Disable the buttons of the pressed message and mark the chosen one."""
        message = self.interaction.message
        if message is None:
            return
        view = marked_view(message, custom_id)
        if self.deferred:
            await self.interaction.edit_original_response(view=view)
        else:
            await self.interaction.response.edit_message(view=view)

    async def send(self, messages: list[OutMessage], private: bool) -> None:
        """Each message: the response, the placeholder's replacement, or a follow-up."""
        if self.placeholder and private and not self.how.private:
            await self._step_aside()  # a public placeholder must not show a private answer
        for message in messages:
            kwargs = message_kwargs(message)
            if self.placeholder:
                kwargs["attachments"] = kwargs.pop("files", [])
                await self.interaction.edit_original_response(**kwargs)
                self.placeholder = False
            elif not self.interaction.response.is_done():
                await self.interaction.response.send_message(**kwargs, ephemeral=private)
            else:
                await self.interaction.followup.send(**kwargs, ephemeral=private)

    async def _step_aside(self) -> None:
        lang = parse_lang(str(self.interaction.locale)) or "en"
        await self.interaction.edit_original_response(content=PRIVATE_ELSEWHERE.get(lang))
        self.placeholder = False
        self.to_delete = True

    async def finish(self) -> None:
        """Delete a public placeholder that stood aside for a private answer."""
        if self.to_delete:
            await self.interaction.delete_original_response()


def marked_view(message: discord.Message, custom_id: str) -> discord.ui.View:
    """The message's buttons, all disabled, the pressed one in green."""
    view = discord.ui.View.from_message(message, timeout=None)
    for item in view.children:
        if isinstance(item, discord.ui.Button):
            item.disabled = True
            if item.custom_id == custom_id:
                item.style = PRESSED
    view.stop()
    return view


async def _complete_anyway(interaction: discord.Interaction, placeholder: bool) -> None:
    """After a refused answer: the "thinking…" placeholder, or the unanswered
    interaction, gets a short private error instead of hanging."""
    lang = parse_lang(str(interaction.locale)) or "en"
    text = NOT_SHOWN.get(lang)
    try:
        if placeholder:
            await interaction.edit_original_response(
                content=text, embeds=[], attachments=[], view=None
            )
        elif not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True)
        else:
            await interaction.followup.send(text, ephemeral=True)
    except discord.HTTPException:
        log.exception("could not even tell interaction %s that it failed", interaction.id)


async def _privately(work: Awaitable[Reply]) -> Reply:
    """The reply of ``work``, shown only to the person who asked."""
    return replace(await work, ephemeral=True)


def _choice_name(label: str) -> str:
    label = " ".join(label.split()) or "…"
    return label if len(label) <= limits.CHOICE_NAME else label[: limits.CHOICE_NAME - 1] + "…"


async def _finishes_within(task: asyncio.Future[Any], seconds: float) -> bool:
    done, _ = await asyncio.wait({task}, timeout=seconds)
    return bool(done)


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
    how = Answer(person_of(interaction).workspace, slow=False, private=True)
    try:
        await _Sender(interaction, False, how).send(render(reply, workspace=how.workspace), True)
    except discord.HTTPException:
        log.exception("could not answer the interaction %s", interaction.id)
