"""The Slack slash commands, derived from the core registry, and running one typed line.

Each command group (``/cto``, ``/progress``...) and each top-level command
(``/help``) is one Slack slash command; the subcommand and options are its text.
"""

from __future__ import annotations

from dataclasses import dataclass

from coachbot.adapters.slack.mrkdwn import clip
from coachbot.dispatch import Dispatcher, Invocation, bad_input
from coachbot.errors import BadInput
from coachbot.identity import PersonRef
from coachbot.registry import CommandSpec, Registry
from coachbot.reply import Reply
from coachbot.textcommand import parse_options, run_line, split_path

DESCRIPTION_CHARS = 100
HINT_CHARS = 100


@dataclass(frozen=True)
class SlashCommand:
    """One Slack slash command: ``/cto``, its short description and its usage hint."""

    command: str
    description: str
    usage_hint: str


def slash_commands(registry: Registry) -> list[SlashCommand]:
    """Every slash command the registry implies, groups first, in declaration order."""
    out = [
        SlashCommand(
            f"/{group.name}",
            clip(group.description.en, DESCRIPTION_CHARS),
            clip("|".join(c.name for c in registry.in_group(group.name)), HINT_CHARS),
        )
        for group in registry.groups.values()
        if registry.in_group(group.name)
    ]
    out += [
        SlashCommand(
            f"/{spec.name}",
            clip(spec.description.en, DESCRIPTION_CHARS),
            clip(_options_hint(spec), HINT_CHARS),
        )
        for spec in registry.top_level()
    ]
    return out


def _options_hint(spec: CommandSpec) -> str:
    return " ".join(f"[{o.name}]" if not o.required else f"<{o.name}>" for o in spec.options)


async def run_slash(
    dispatcher: Dispatcher,
    person: PersonRef,
    line: str,
    *,
    locale: str | None,
    channel: str | None,
    is_admin: bool,
) -> Reply:
    """Run a typed command line; admin commands also get the admin flag Slack reported.

    Everything goes through the core's own parser (``run_line``); only admin commands
    build their ``Invocation`` here, because the flag must travel with it.
    """
    path, rest = split_path(line, dispatcher.registry)
    spec = dispatcher.registry.get(path)
    if spec is None or not spec.admin:
        return await run_line(dispatcher, person, line, locale=locale, channel=channel)
    try:
        args = parse_options(spec, rest)
    except BadInput as exc:
        return bad_input(spec, exc.message, await dispatcher.language(person, locale))
    return await dispatcher.dispatch(Invocation(person, path, args, locale, channel, is_admin))
