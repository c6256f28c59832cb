"""Commands are declared once, here, and every adapter derives its own from this registry.

The ``@command`` decorator only attaches metadata to the handler (like errbot's
``@botcmd``); ``Registry.collect`` gathers the decorated handlers of the command
modules the composition root names. Nothing is registered at import time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from types import ModuleType
from typing import TYPE_CHECKING, Any

from coachbot.i18n import Lang, Localized

if TYPE_CHECKING:
    from coachbot.reply import Reply

Handler = Callable[..., Awaitable["Reply"]]
_ATTR = "__coachbot_command__"
_ACTION_ATTR = "__coachbot_action__"


class OptionType(StrEnum):
    """The value type a platform shows for an option."""

    STRING = "string"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    USER = "user"


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


@dataclass(frozen=True, slots=True)
class Group:
    """A command group such as ``/cto``."""

    name: str
    description: Localized


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """Everything known about one command: the single source every adapter reads."""

    group: str | None
    name: str
    description: Localized
    handler: Handler = field(compare=False)
    options: tuple[Option, ...] = ()
    admin: bool = False
    slow: bool = False
    personal: bool = False

    @property
    def path(self) -> tuple[str, ...]:
        """The words that invoke it: ``("cto", "salary")`` or ``("help",)``."""
        return (self.group, self.name) if self.group else (self.name,)

    @property
    def qualified_name(self) -> str:
        """``cto salary`` or ``help``."""
        return " ".join(self.path)

    def option(self, name: str) -> Option | None:
        """The option called ``name``, if any."""
        return next((o for o in self.options if o.name == name), None)

    def usage(self, lang: Lang) -> str:
        """A one-line usage string such as ``/cto salary [region:<region>] [level:<level>]``."""
        parts = [f"/{self.qualified_name}"]
        for opt in self.options:
            token = f"{opt.name}:<{opt.vocabulary or opt.type.value}>"
            if opt.choices:
                token = f"{opt.name}:" + "|".join(c.value for c in opt.choices)
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
) -> Callable[[Handler], Handler]:
    """Mark ``handler`` as a command; it is registered when its module is collected."""

    def mark(handler: Handler) -> Handler:
        spec = CommandSpec(group, name, description, handler, tuple(options), admin, slow, personal)
        setattr(handler, _ATTR, spec)
        return handler

    return mark


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
        self.actions: dict[str, ActionSpec] = {}
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
        self._commands[spec.path] = spec

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
        """The command at ``path``, if declared."""
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
