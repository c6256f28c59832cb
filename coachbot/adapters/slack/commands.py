"""The Slack slash commands, derived from the core registry, and running one typed line.

Each command group (``/cto``, ``/progress``...) and each top-level command
(``/help``) is one Slack slash command; the subcommand and options are its text.
A group or command with a French name is registered under that name too
(``/progression``, ``/aide``): French speakers are shown the French names, and Slack
delivers only the commands an app's manifest registers, so both spellings must be
typeable.
"""

from __future__ import annotations

from dataclasses import dataclass

from coachbot.adapters.slack.mrkdwn import clip
from coachbot.dispatch import Dispatcher
from coachbot.i18n import Lang
from coachbot.identity import PersonRef
from coachbot.registry import CommandSpec, Registry
from coachbot.reply import Reply
from coachbot.services import ChannelCheck
from coachbot.textcommand import run_line, split_path

DESCRIPTION_CHARS = 100
HINT_CHARS = 100


@dataclass(frozen=True)
class SlashCommand:
    """One Slack slash command: ``/cto``, its short description and its usage hint."""

    command: str
    description: str
    usage_hint: str


LANGS: tuple[Lang, ...] = ("en", "fr")


def slash_commands(registry: Registry) -> list[SlashCommand]:
    """Every slash command the registry implies, in English then (when it differs) in
    French: groups first, in declaration order, then the top-level commands."""
    out: dict[str, SlashCommand] = {}
    for group in registry.groups.values():
        members = registry.in_group(group.name)
        for lang in LANGS if members else ():
            hint = "|".join(c.name_in(lang) for c in members)
            _add(out, group.name_in(lang), group.description.get(lang), hint)
    for spec in registry.top_level():
        for lang in LANGS:
            _add(out, spec.name_in(lang), spec.description.get(lang), _options_hint(spec, lang))
    return list(out.values())


def _add(out: dict[str, SlashCommand], name: str, description: str, hint: str) -> None:
    """Register ``/name`` once (the English spelling wins when both are the same)."""
    command = f"/{name}"
    out.setdefault(
        command,
        SlashCommand(command, clip(description, DESCRIPTION_CHARS), clip(hint, HINT_CHARS)),
    )


def registered_names(registry: Registry) -> frozenset[str]:
    """The names (without ``/``) Slack delivers to this app: what a Slack user can type."""
    return frozenset(s.command[1:] for s in slash_commands(registry))


def bare_group_help(registry: Registry, line: str) -> str:
    """``line``, or the help line of its group when it names a group and nothing else."""
    path, rest = split_path(line, registry)
    if len(path) == 1 and path[0] in registry.groups and not rest.strip():
        return f"/help command:{path[0]}"
    return line


def _options_hint(spec: CommandSpec, lang: Lang) -> str:
    return " ".join(
        f"[{o.name_in(lang)}]" if not o.required else f"<{o.name_in(lang)}>" for o in spec.options
    )


async def run_slash(
    dispatcher: Dispatcher,
    person: PersonRef,
    line: str,
    *,
    locale: str | None,
    channel: str | None,
    is_admin: bool,
    timezone: str | None = None,
    channel_check: ChannelCheck | None = None,
) -> Reply:
    """Run a typed command line through the core's parser, as Slack users type it.

    ``is_admin`` is the admin flag and ``timezone`` the zone (``tz``) Slack reported for
    the user; the zone is the default of a first subscription. User options must be
    mentions (``mentions_only``): Slack turns a picked person into ``<@U…>``, so a plain
    word is a typo or a name, never a user id, and must get the usage, not a request
    sent to nobody. A bare group (``/progress``, what Slack's command menu inserts) shows
    that group's help, as ``/help command:progress`` does.
    """
    return await run_line(
        dispatcher,
        person,
        bare_group_help(dispatcher.registry, line),
        locale,
        channel,
        is_admin=is_admin,
        mentions_only=True,
        timezone=timezone,
        channel_check=channel_check,
    )
