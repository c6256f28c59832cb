"""The registry as Discord application commands: one definition, derived, never written twice.

Each core group becomes a slash command group (``/cto``, ``/progress``...), each
command a subcommand with typed options; ``/help`` and other ungrouped commands stay
top level. Names are the registry's English ones, with its French names as their
``fr`` localization (``/progression noter`` for a French Discord client). Discord sets
permissions only on top-level commands, so an admin subcommand is lifted to its own
top-level command ``/<group>-<name>`` (``/coach server`` is ``/coach-server`` on
Discord, ``/coach-serveur`` in French, listed right after ``/coach`` as one types)
with Manage Server as default permission; the core checks again on every call, and
names these commands the same way in its texts (``flat_admin`` on every invocation).

discord.py reads options from the callback's signature: we give each generated
callback a signature (``p0``, ``p1``... renamed to the option names) instead of
writing a function per command.

Channel options of the registry (``OptionType.CHANNEL``, typed as text on Slack and the
console) become Discord channel pickers limited to text channels: Discord then sends
the channel's id, which the core stores as typed.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

import discord
from discord import app_commands

from coachbot.adapters.discord import limits
from coachbot.adapters.discord.interactions import responder_of
from coachbot.adapters.discord.translator import localized_name, localized_str
from coachbot.i18n import Lang, Localized
from coachbot.registry import CommandSpec, Group, Option, OptionType, Registry

SPEC = "coachbot_spec"  # key of the CommandSpec in app_commands.Command.extras
ADMIN_PERMISSIONS = discord.Permissions(manage_guild=True)
Callback = Callable[..., Coroutine[Any, Any, None]]
Completer = Callable[
    [discord.Interaction[Any], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]
]


def discord_path(spec: CommandSpec) -> tuple[str, ...]:
    """The words a Discord user types for ``spec`` (admin subcommands are lifted)."""
    return spec.path_in("en", flat_admin=True)


def discord_names(spec: CommandSpec) -> Localized:
    """The last word of ``discord_path`` in each language: ``coach-serveur`` in French."""
    fr, en = (spec.path_in(lang, flat_admin=True)[-1] for lang in ("fr", "en"))
    return Localized(fr, en)


def build_commands(
    registry: Registry, lang: Lang
) -> list[app_commands.Command[Any, ..., Any] | app_commands.Group]:
    """Every top-level command and group; ``lang`` is the language of the default texts."""
    top: list[app_commands.Command[Any, ..., Any] | app_commands.Group] = []
    for group in registry.groups.values():
        members = [s for s in registry.in_group(group.name) if not s.admin]
        if members:
            top.append(build_group(group, members, lang))
    lifted = [s for s in registry if s.group is None or s.lifted]
    top.extend(build_command(spec, lang, None) for spec in lifted)
    return top


def build_group(group: Group, members: list[CommandSpec], lang: Lang) -> app_commands.Group:
    """A slash command group holding ``members`` as subcommands."""
    parent = app_commands.Group(
        name=localized_name(group.names),
        description=localized_str(group.description, lang),
        guild_only=True,
    )
    for spec in members:
        parent.add_command(build_command(spec, lang, parent))
    return parent


def build_command(
    spec: CommandSpec, lang: Lang, parent: app_commands.Group | None
) -> app_commands.Command[Any, ..., Any]:
    """One application command calling the responder with the core's option names."""
    command: app_commands.Command[Any, ..., Any] = app_commands.Command(
        name=localized_name(discord_names(spec)),
        description=localized_str(spec.description, lang),
        callback=_callback(spec, lang),
        parent=parent,
        extras={SPEC: spec},
    )
    if parent is None:
        command.guild_only = True
        command.default_permissions = ADMIN_PERMISSIONS if spec.admin else None
    return command


def _callback(spec: CommandSpec, lang: Lang) -> Callback:
    """A coroutine whose signature declares ``spec``'s options to discord.py."""
    names = {f"p{i}": opt.name for i, opt in enumerate(spec.options)}

    async def callback(interaction: discord.Interaction, **values: object) -> None:
        args = {names[key]: value for key, value in values.items()}
        await responder_of(interaction.client).command(interaction, spec, args)

    params = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    params += [_parameter(f"p{i}", spec, opt) for i, opt in enumerate(spec.options)]
    callback.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    callback.__name__ = callback.__qualname__ = spec.name.replace("-", "_")
    _decorate(callback, spec, lang)
    return callback


def _parameter(name: str, spec: CommandSpec, opt: Option) -> inspect.Parameter:
    default = inspect.Parameter.empty if opt.required else None
    annotation = TEXT_CHANNEL if is_channel(opt) else _annotation(opt)
    return inspect.Parameter(
        name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=annotation, default=default
    )


def is_channel(opt: Option) -> bool:
    """Whether Discord shows ``opt`` as a channel picker: the registry's channel options."""
    return opt.type is OptionType.CHANNEL


class TextChannelOption(app_commands.Transformer[Any]):
    """A channel option offering only the server's text channels (announcement ones too,
    as discord.py's ``TextChannel``): Discord refuses anything else and sends the id."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news]

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> Any:
        """The channel as Discord sent it (``option_value`` hands its id to the core);
        unlike discord.py's ``TextChannel``, no cached guild is needed."""
        return value


TEXT_CHANNEL = TextChannelOption()


def _annotation(opt: Option) -> Any:
    """The discord.py type of an option: int/str with their bounds, bool, or a user."""
    if opt.type is OptionType.INTEGER:
        lo, hi = opt.min_value, opt.max_value
        return int if lo is None and hi is None else app_commands.Range[int, lo, hi]
    if opt.type is OptionType.BOOLEAN:
        return bool
    if opt.type is OptionType.USER:
        return discord.User
    if opt.max_length is not None:
        return app_commands.Range[str, None, min(opt.max_length, limits.STRING_LENGTH)]
    return str


def _decorate(callback: Callback, spec: CommandSpec, lang: Lang) -> None:
    """Descriptions, Discord names, choices and autocomplete of each option."""
    indexed = list(enumerate(spec.options))
    app_commands.describe(**{f"p{i}": localized_str(o.description, lang) for i, o in indexed})(
        callback
    )
    app_commands.rename(**{f"p{i}": localized_name(o.names) for i, o in indexed})(callback)
    choices = {f"p{i}": _choices(o, lang) for i, o in indexed if _uses_choices(o)}
    if choices:
        app_commands.choices(**choices)(callback)
    completers = {f"p{i}": _completer(spec, o.name) for i, o in indexed if _uses_autocomplete(o)}
    if completers:
        app_commands.autocomplete(**completers)(callback)


def _uses_choices(opt: Option) -> bool:
    """Fixed choices when Discord can list them all (25), on a string option."""
    return opt.type is OptionType.STRING and 0 < len(opt.choices) <= limits.CHOICES


def _uses_autocomplete(opt: Option) -> bool:
    """Autocomplete for vocabularies, and for choice lists too long for Discord."""
    if opt.type is not OptionType.STRING:
        return False
    return len(opt.choices) > limits.CHOICES or (not opt.choices and opt.vocabulary is not None)


def _choices(opt: Option, lang: Lang) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=localized_str(c.label, lang, limits.CHOICE_NAME), value=c.value)
        for c in opt.choices
    ]


def _completer(spec: CommandSpec, option: str) -> Completer:
    async def complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await responder_of(interaction.client).complete(
            interaction, spec.path, option, current
        )

    return complete
