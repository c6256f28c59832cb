"""People by name, never by id: a reply's user ids become the names Slack users know.

In mrkdwn text the core's ``<@U…>`` already shows as the person's name. Elsewhere Slack
shows text as written: a header or a button label ("Progress of @U0001", "Accept
@U0001"), and the commands the core quotes in code spans (``/mentor view user:@U0001``),
which must work when typed as shown. There a Slack user id becomes the person's
``@handle`` (one word Slack's composer turns back into a mention, with the manifest's
``should_escape``) in a command, and ``@name`` in a label. Names come from the cached
``users.info`` (``UserDirectory``); an id whose lookup failed stays as it is.
User-written text (plain spans) is never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace

from slack_sdk.web.async_client import AsyncWebClient

from coachbot.adapters.slack.users import SlackUser, UserDirectory
from coachbot.identity import PersonRef
from coachbot.reply import Actions, Block, Fields, Image, Items, Reply, Text

SLACK_ID = r"[UW][A-Z0-9]{2,20}"
_AT_ID = re.compile(rf"(?<![\w<])@({SLACK_ID})\b")
_MENTION = re.compile(rf"<@({SLACK_ID})>")
_CODE = re.compile(r"(?<!\\)`[^`\n]+`")

Names = Mapping[str, SlackUser]


async def named(
    users: UserDirectory, client: AsyncWebClient, person: PersonRef, reply: Reply
) -> Reply:
    """``reply`` with the ids it shows as text replaced by the names of ``person``'s
    workspace members (one cached ``users.info`` per person, shared with the rest)."""
    wanted = ids_to_name(reply)
    if not wanted:
        return reply
    return with_names(reply, await users.lookup_many(client, person.workspace, wanted))


def ids_to_name(reply: Reply) -> set[str]:
    """The user ids ``reply`` shows where Slack would not turn them into names."""
    found: set[str] = set()
    for text in _labels(reply):
        found.update(_AT_ID.findall(text))
        found.update(_MENTION.findall(text))
    for markup in _markups(reply):
        for code in _CODE.findall(markup):
            found.update(_AT_ID.findall(code))
    return found


def with_names(reply: Reply, names: Names) -> Reply:
    """``reply`` with those ids replaced by names (see the module docstring)."""
    if not names:
        return reply

    def label(text: str) -> str:
        return _label(text, names)

    def markup(text: str) -> str:
        return _CODE.sub(lambda m: _AT_ID.sub(lambda u: _typed(u, names), m.group()), text)

    return replace(
        reply,
        title=label(reply.title) if reply.title else reply.title,
        blocks=tuple(_block(b, label, markup) for b in reply.blocks),
        notices=tuple(markup(n) for n in reply.notices),
    )


def _label(text: str, names: Names) -> str:
    def shown(match: re.Match[str]) -> str:
        user = names.get(match.group(1))
        return "@" + user.name if user and user.name else match.group()

    return _MENTION.sub(shown, _AT_ID.sub(shown, text))


def _typed(match: re.Match[str], names: Names) -> str:
    user = names.get(match.group(1))
    return "@" + user.handle if user and user.handle else match.group()


def _block(block: Block, label: Callable[[str], str], markup: Callable[[str], str]) -> Block:
    if isinstance(block, Text):
        return Text(markup(block.markup))
    if isinstance(block, Fields):
        fields = tuple(replace(f, name=label(f.name), value=markup(f.value)) for f in block.fields)
        return Fields(fields)
    if isinstance(block, Items):
        heading = label(block.heading) if block.heading else block.heading
        return Items(tuple(markup(i) for i in block.items), heading)
    if isinstance(block, Actions):
        return Actions(tuple(replace(b, label=label(b.label)) for b in block.buttons))
    if isinstance(block, Image):
        return replace(block, alt=label(block.alt))
    return block


def _labels(reply: Reply) -> list[str]:
    out = [reply.title or ""]
    for block in reply.blocks:
        if isinstance(block, Fields):
            out += [f.name for f in block.fields]
        elif isinstance(block, Items) and block.heading:
            out.append(block.heading)
        elif isinstance(block, Actions):
            out += [b.label for b in block.buttons]
        elif isinstance(block, Image):
            out.append(block.alt)
    return out


def _markups(reply: Reply) -> list[str]:
    out = list(reply.notices)
    for block in reply.blocks:
        if isinstance(block, Text):
            out.append(block.markup)
        elif isinstance(block, Fields):
            out += [f.value for f in block.fields]
        elif isinstance(block, Items):
            out += list(block.items)
    return out
