"""Typed command lines (console, Slack): ``/cto salary paris expert`` or ``region:paris``.

Options may be given as ``name:value`` in any order or by position in declaration
order, each once; quotes group words (``note:"led the review"``); an option marked
``rest`` (questions, notes) takes the words as written up to the next ``name:`` of
another option not given yet (``note:led the review skill:security``), else to the end.

Group, command and option names may be typed in English or in French, case and
accents ignored (``/progression noter compétence:sécurité niveau:3``); what comes out
always carries the English names, the core's ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coachbot.dispatch import Dispatcher, Invocation, bad_input
from coachbot.errors import BadInput
from coachbot.i18n import Localized
from coachbot.identity import PersonRef
from coachbot.knowledge.retrieval import fold
from coachbot.markup import echo
from coachbot.observe import CommandScope, watch_command
from coachbot.registry import CommandSpec, Option, Registry
from coachbot.reply import Reply
from coachbot.services import ChannelCheck

_TOKEN = re.compile(r"""(?:([^\W\d]+):)?("[^"]*"|'[^']*'|\S+)?""")  # [name:]value


@dataclass(frozen=True)
class ParsedLine:
    """A command path and its raw option values."""

    path: tuple[str, ...]
    args: dict[str, str] = field(default_factory=dict)


def split_path(line: str, registry: Registry) -> tuple[tuple[str, ...], str]:
    """The command words at the start of ``line``, in English, and the text after them."""
    words = line.strip().lstrip("/").split(None, 2)
    if not words:
        return (), ""
    path = registry.canonical([fold(w) for w in words[:2]])
    if path[0] in registry.groups:
        return path, words[2] if len(words) > 2 else ""
    return path[:1], " ".join(words[1:])


def parse_options(spec: CommandSpec, text: str) -> dict[str, str]:
    """Bind the option text of one command; BadInput for an argument that fits nowhere
    or an option given twice (``hour:13 hour:14``, ``paris region:lyon``)."""
    args: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        match = _TOKEN.match(text, pos)
        if pos >= len(text) or match is None or match.end() == pos:
            break
        key, value = match.group(1), match.group(2) or ""
        option = spec.option_named(fold(key)) if key else None
        if option is None and key:
            if not _next_free_is_rest(spec, args):
                raise BadInput(_unknown_option(key, spec))
            value = text[pos : match.end()]  # "what: is..." inside free text
        if option is None:
            option = next((o for o in spec.options if o.name not in args), None)
            if option is None:
                raise BadInput(_unexpected(text[pos : match.end()]))
            value_start = pos
        else:
            if option.name in args:
                raise BadInput(_given_twice(option))
            value_start = match.start(2) if match.group(2) else match.end()
        if option.rest:
            end = _rest_end(spec, {*args, option.name}, text, value_start)
            args[option.name] = _unquote(text[value_start:end].strip())
            pos = end
            continue
        args[option.name] = _unquote(value)
        pos = match.end()
    return args


_KEYED = re.compile(r"(?<=\s)([^\W\d]+):")


def _rest_end(spec: CommandSpec, bound: set[str], text: str, start: int) -> int:
    """Where a free-text value starting at ``start`` ends: at the next ``name:`` (outside
    the quotes that may open the value) of an option still unbound, else at the end."""
    search = start
    if text[start : start + 1] in ("'", '"'):
        search = max(start, text.find(text[start], start + 1))
    for found in _KEYED.finditer(text, search):
        option = spec.option_named(fold(found.group(1)))
        if option is not None and option.name not in bound:
            return found.start()
    return len(text)


def _next_free_is_rest(spec: CommandSpec, bound: dict[str, str]) -> bool:
    free = next((o for o in spec.options if o.name not in bound), None)
    return free is not None and free.rest


def _unknown_option(key: str, spec: CommandSpec) -> Localized:
    fr, en = (", ".join(o.name_in(lang) for o in spec.options) or "—" for lang in ("fr", "en"))
    shown = echo(key)
    return Localized(
        f"Option inconnue « {shown} ». Options possibles : {fr}.",
        f'Unknown option "{shown}". Accepted options: {en}.',
    )


def _given_twice(option: Option) -> Localized:
    """The refusal of an option bound twice: which one, and that nothing was run."""
    fr, en = option.name_in("fr"), option.name
    return Localized(
        f"L'option « {fr} » est donnée deux fois : gardez une seule valeur. "
        "La commande n'a pas été exécutée.",
        f'The option "{en}" is given twice: keep a single value. The command was not run.',
    )


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _unexpected(token: str) -> Localized:
    shown = echo(token)
    return Localized(f"Argument en trop : « {shown} ».", f'Unexpected argument: "{shown}".')


async def run_line(
    dispatcher: Dispatcher,
    person: PersonRef,
    line: str,
    locale: str | None = None,
    channel: str | None = None,
    *,
    is_admin: bool = False,
    mentions_only: bool = False,
    timezone: str | None = None,
    channel_check: ChannelCheck | None = None,
) -> Reply:
    """Parse a typed command line and run it; bad input becomes an error reply (observers
    hear every line as a command, unknown ones included)."""
    path, rest = split_path(line, dispatcher.registry)
    spec = dispatcher.registry.get(path)
    args: dict[str, str] = {}
    if spec is not None:
        try:
            args = parse_options(spec, rest)
        except BadInput as exc:
            scope = CommandScope(spec.qualified_name, person.platform, person.workspace)
            with watch_command(dispatcher.services.observers, scope) as watch:
                watch.outcome = "bad_input"
                return bad_input(spec, exc.message, await dispatcher.language(person, locale))
    invocation = Invocation(
        person,
        path,
        args,
        locale,
        channel,
        is_admin,
        mentions_only,
        timezone=timezone,
        channel_check=channel_check,
    )
    return await dispatcher.dispatch(invocation)


def message_line(text: str) -> str | None:
    """The command line for a plain message to the bot (a DM, a mention, the console): a
    line starting with ``/`` is a command as typed, anything else a free question; None
    for an empty message."""
    text = text.strip()
    if not text:
        return None
    return text if text.startswith("/") else f"/cto ask {text}"
