"""The Slack slash commands, derived from the core registry, and running one typed line.

Each command group (``/cto``, ``/progress``...) and each top-level command
(``/help``) is one Slack slash command; the subcommand and options are its text.
"""

from __future__ import annotations

from dataclasses import dataclass

from coachbot.adapters.slack.mrkdwn import clip
from coachbot.dispatch import Dispatcher
from coachbot.identity import PersonRef
from coachbot.registry import CommandSpec, Registry
from coachbot.reply import Reply
from coachbot.textcommand import run_line

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
    """Run a typed command line through the core's parser, as Slack users type it.

    ``is_admin`` is the admin flag Slack reported for the user. User options must be
    mentions (``mentions_only``): Slack turns a picked person into ``<@U…>``, so a plain
    word is a typo or a name, never a user id, and must get the usage, not a request
    sent to nobody.
    """
    return await run_line(
        dispatcher,
        person,
        line,
        locale,
        channel,
        is_admin=is_admin,
        mentions_only=True,
    )
