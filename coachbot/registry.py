"""Commands are declared once, here, and every adapter derives its own from this registry.

The ``@command`` decorator only attaches metadata to the handler (like errbot's
``@botcmd``); ``Registry.collect`` gathers the decorated handlers of the command
modules the composition root names. Nothing is registered at import time.

Groups, commands and options have an English name, their id everywhere in the core,
and may have a French one (``name_fr``) that French speakers see and may type. Within
one parent (the top level, a group, a command) every spelling names one item only, so
either language resolves without ambiguity.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import ModuleType
from typing import TYPE_CHECKING, Any

from coachbot.i18n import Lang, Localized

if TYPE_CHECKING:
    from coachbot.reply import Reply

Handler = Callable[..., Awaitable["Reply"]]
_ATTR = "__coachbot_command__"
_ACTION_ATTR = "__coachbot_action__"
NAME = re.compile(r"^[-_a-z0-9]{1,32}$")  # Discord's rule, narrowed to unaccented lowercase
OPTION_NAME = re.compile(r"^[a-z_]{1,32}$")  # what the typed-line parser reads as ``name:``


def name_in(name: str, name_fr: str | None, lang: Lang) -> str:
    """``name_fr`` for French when there is one, else the English ``name``."""
    return (name_fr or name) if lang == "fr" else name


class OptionType(StrEnum):
    """The value type a platform shows for an option."""

    STRING = "string"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    USER = "user"
    # A channel of the workspace: typed as text where commands are text (``#tips``,
    # ``<#C123|tips>``, ``here``), a channel picker where the platform has one (Discord).
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed value of an option, with its label in each language."""

    value: str
    label: Localized


@dataclass(frozen=True, slots=True)
class Option:
    """A typed command option.

    ``vocabulary`` names a core vocabulary (skill, topic, timezone, region...) that
    resolves typed text to a value and serves autocomplete. ``rest`` marks a text
    option that takes the rest of the line when typed as text (questions, notes).
    ``name_fr`` is the French name; ``name`` stays the key of the handler's arguments.
    ``hint`` is the expected form of a text value, shown in usage lines (``HH:MM``,
    ``mon-fri``) in place of its type.
    """

    name: str
    description: Localized
    type: OptionType = OptionType.STRING
    required: bool = False
    choices: tuple[Choice, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None
    vocabulary: str | None = None
    rest: bool = False
    name_fr: str | None = None
    hint: Localized | None = None

    def name_in(self, lang: Lang) -> str:
        """The name shown to (and typed by) speakers of ``lang``."""
        return name_in(self.name, self.name_fr, lang)

    @property
    def names(self) -> Localized:
        """The name in each language."""
        return Localized(self.name_in("fr"), self.name)

    def usage(self, lang: Lang) -> str:
        """How to type the option: ``hour:<8-17>``, ``time:<HH:MM>``, ``lang:fr|en``."""
        name = self.name_in(lang)
        if self.choices:
            return f"{name}:" + "|".join(c.value for c in self.choices)
        if self.min_value is not None and self.max_value is not None:
            return f"{name}:<{self.min_value}-{self.max_value}>"
        shown = self.hint.get(lang) if self.hint else self.vocabulary or self.type.value
        return f"{name}:<{shown}>"


@dataclass(frozen=True, slots=True)
class Group:
    """A command group such as ``/cto`` (``/progress``, in French ``/progression``)."""

    name: str
    description: Localized
    name_fr: str | None = None

    def name_in(self, lang: Lang) -> str:
        """The name shown to (and typed by) speakers of ``lang``."""
        return name_in(self.name, self.name_fr, lang)

    @property
    def names(self) -> Localized:
        """The name in each language."""
        return Localized(self.name_in("fr"), self.name)


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """Everything known about one command: the single source every adapter reads.

    ``group_fr`` (the French name of the group) is filled in by the Registry, so the
    command can spell its whole path in either language. ``saves`` marks a command that
    records what it is given (a rating, a note, a setting): a refusal there says that
    nothing was saved.
    """

    group: str | None
    name: str
    description: Localized
    handler: Handler = field(compare=False)
    options: tuple[Option, ...] = ()
    admin: bool = False
    slow: bool = False
    personal: bool = False
    name_fr: str | None = None
    group_fr: str | None = field(default=None, compare=False)
    saves: bool = False

    @property
    def path(self) -> tuple[str, ...]:
        """The words that invoke it: ``("cto", "salary")`` or ``("help",)``."""
        return (self.group, self.name) if self.group else (self.name,)

    @property
    def qualified_name(self) -> str:
        """``cto salary`` or ``help``."""
        return " ".join(self.path)

    def name_in(self, lang: Lang) -> str:
        """The command's own name for speakers of ``lang``: ``salaire`` for ``salary``."""
        return name_in(self.name, self.name_fr, lang)

    @property
    def lifted(self) -> bool:
        """An admin subcommand, which platforms that set permissions per top-level command
        (Discord) show as its own command ``/<group>-<name>``."""
        return self.admin and self.group is not None

    def path_in(self, lang: Lang, *, flat_admin: bool = False) -> tuple[str, ...]:
        """The words speakers of ``lang`` type: ``("progression", "noter")`` in French.

        With ``flat_admin`` (platforms that lift admin subcommands), an admin subcommand
        is one word: ``("coach-server",)``, in French ``("coach-serveur",)``.
        """
        own = self.name_in(lang)
        if not self.group:
            return (own,)
        group = name_in(self.group, self.group_fr, lang)
        return (f"{group}-{own}",) if flat_admin and self.admin else (group, own)

    def qualified_name_in(self, lang: Lang, *, flat_admin: bool = False) -> str:
        """``progression noter`` in French, ``progress rate`` in English; ``coach-server``
        with ``flat_admin``."""
        return " ".join(self.path_in(lang, flat_admin=flat_admin))

    def option(self, name: str) -> Option | None:
        """The option called ``name`` (its English id), if any."""
        return next((o for o in self.options if o.name == name), None)

    def option_named(self, word: str) -> Option | None:
        """The option typed as ``word``, in English or in French."""
        return next((o for o in self.options if word in (o.name, o.name_fr)), None)

    def usage(self, lang: Lang, *, flat_admin: bool = False) -> str:
        """A one-line usage string such as ``/cto salary [region:<region>] [level:<level>]``,
        with the names in ``lang`` (admin subcommands lifted with ``flat_admin``)."""
        parts = [f"/{self.qualified_name_in(lang, flat_admin=flat_admin)}"]
        for opt in self.options:
            token = opt.usage(lang)
            parts.append(token if opt.required else f"[{token}]")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """A button handler: runs for every action id ``<name>:<payload>``."""

    name: str
    handler: Handler = field(compare=False)


def action(name: str) -> Callable[[Handler], Handler]:
    """Mark ``handler(ctx, payload)`` as the handler of buttons whose id starts ``name:``."""

    def mark(handler: Handler) -> Handler:
        setattr(handler, _ACTION_ATTR, ActionSpec(name, handler))
        return handler

    return mark


def command(
    group: str | None,
    name: str,
    *,
    description: Localized,
    options: Iterable[Option] = (),
    admin: bool = False,
    slow: bool = False,
    personal: bool = False,
    name_fr: str | None = None,
    saves: bool = False,
) -> Callable[[Handler], Handler]:
    """Mark ``handler`` as a command; it is registered when its module is collected."""

    def mark(handler: Handler) -> Handler:
        spec = CommandSpec(
            group,
            name,
            description,
            handler,
            tuple(options),
            admin,
            slow,
            personal,
            name_fr,
            saves=saves,
        )
        setattr(handler, _ATTR, spec)
        return handler

    return mark


class _Spellings:
    """The names of the items of one parent (top level, group, command), both languages."""

    def __init__(self, where: str, pattern: re.Pattern[str] = NAME) -> None:
        self.where, self.pattern = where, pattern
        self.owner: dict[str, str] = {}

    def add(self, name: str, name_fr: str | None) -> None:
        """Claim ``name`` and ``name_fr`` for the item ``name``; ValueError on a clash."""
        for spelling in dict.fromkeys((name, name_fr or name)):
            if not self.pattern.match(spelling):
                raise ValueError(f"{self.where}: {spelling!r} is not a valid name")
            if self.owner.setdefault(spelling, name) != name:
                raise ValueError(
                    f"{self.where}: {spelling!r} would name both {self.owner[spelling]!r} and {name!r}"
                )

    def get(self, word: str) -> str | None:
        """The English name of the item spelt ``word``, if any."""
        return self.owner.get(word)


class Registry:
    """The commands and groups of one running bot, in declaration order."""

    def __init__(
        self,
        groups: Iterable[Group],
        commands: Iterable[CommandSpec],
        actions: Iterable[ActionSpec] = (),
    ) -> None:
        self.groups: dict[str, Group] = {g.name: g for g in groups}
        self._commands: dict[tuple[str, ...], CommandSpec] = {}
        self._top = _Spellings("top level")
        self._subs = {g: _Spellings(f"/{g}") for g in self.groups}
        self._lifted: dict[str, tuple[str, ...]] = {}  # "coach-server" -> ("coach", "server")
        self.actions: dict[str, ActionSpec] = {}
        for group in self.groups.values():
            self._top.add(group.name, group.name_fr)
        for spec in commands:
            self._add(spec)
        for act in actions:
            if act.name in self.actions or ":" in act.name:
                raise ValueError(f"action {act.name!r} is declared twice or contains ':'")
            self.actions[act.name] = act

    def _add(self, spec: CommandSpec) -> None:
        if spec.path in self._commands:
            raise ValueError(f"command /{spec.qualified_name} is declared twice")
        if spec.group and spec.group not in self.groups:
            raise ValueError(f"command /{spec.qualified_name} names an undeclared group")
        (self._subs[spec.group] if spec.group else self._top).add(spec.name, spec.name_fr)
        options = _Spellings(f"/{spec.qualified_name}", OPTION_NAME)
        for opt in spec.options:
            options.add(opt.name, opt.name_fr)
        if spec.group:
            spec = replace(spec, group_fr=self.groups[spec.group].name_fr)
        if spec.lifted:
            lifted = spec.path_in("en", flat_admin=True)[0]
            self._top.add(lifted, spec.path_in("fr", flat_admin=True)[0])
            self._lifted[lifted] = spec.path
        self._commands[spec.path] = spec

    def canonical(self, words: Sequence[str]) -> tuple[str, ...]:
        """``words`` with the group and command names, English or French, in English:
        ``("progression", "noter")`` gives ``("progress", "rate")``, the lifted
        ``("coach-serveur",)`` gives ``("coach-server",)``; unknown words stay."""
        if not words:
            return ()
        head = self._top.get(words[0]) or words[0]
        subs = self._subs.get(head)
        if subs is None or len(words) < 2:
            return (head, *words[1:])
        return (head, subs.get(words[1]) or words[1], *words[2:])

    @classmethod
    def collect(cls, modules: Iterable[ModuleType]) -> Registry:
        """Build a registry from the ``GROUP`` and decorated handlers of ``modules``."""
        groups: list[Group] = []
        specs: list[CommandSpec] = []
        actions: list[ActionSpec] = []
        for module in modules:
            group = getattr(module, "GROUP", None)
            if isinstance(group, Group):
                groups.append(group)
            specs.extend(_marked(module, _ATTR))
            actions.extend(_marked(module, _ACTION_ATTR))
        return cls(groups, specs, actions)

    def extended(self, commands: Iterable[CommandSpec]) -> Registry:
        """A registry with ``commands`` added after the declared ones."""
        return Registry(self.groups.values(), [*self, *commands], self.actions.values())

    def __iter__(self) -> Iterator[CommandSpec]:
        return iter(self._commands.values())

    def __len__(self) -> int:
        return len(self._commands)

    def get(self, path: tuple[str, ...]) -> CommandSpec | None:
        """The command at ``path``, if declared; an admin subcommand also answers to its
        lifted name (``("coach-server",)`` is ``/coach server``)."""
        if len(path) == 1 and path[0] in self._lifted:
            path = self._lifted[path[0]]
        return self._commands.get(path)

    def in_group(self, group: str) -> list[CommandSpec]:
        """The subcommands of ``group``, in declaration order."""
        return [c for c in self._commands.values() if c.group == group]

    def top_level(self) -> list[CommandSpec]:
        """Commands outside any group (``/help``)."""
        return [c for c in self._commands.values() if c.group is None]


def _marked(module: ModuleType, attr: str) -> list[Any]:
    found: list[Any] = [getattr(module, name) for name in vars(module)]
    return [getattr(obj, attr) for obj in found if hasattr(obj, attr)]
