"""Our own check of the application-command payload, against Discord's documented rules.

discord.py sends what it is given: over-long descriptions, 26 options or 30 choices
go out, and Discord then refuses the whole sync. ``problems`` finds them first.
Rules (developer docs, "Application Commands"): names match ``^[-_\\p{L}\\p{N}]{1,32}$``
(plus Devanagari and Thai marks) and are lowercase; descriptions are 1-100
characters; at most 25 options, 25 choices, 25 subcommands; required options before
optional ones; a command holds either subcommands/groups or plain options, a group
only subcommands, nesting two levels at most; localization keys are Discord
locales and their values obey the same rules; sibling names differ in every locale
(a localized name counts where it is shown, the base name elsewhere); the texts of one
command stay within 8000 characters, each name, description and value counted at its
longest version among the default and its localizations; at most 100 global slash
commands.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from coachbot.adapters.discord import limits

SUBCOMMAND, GROUP = 1, 2
STRING, INTEGER, NUMBER = 3, 4, 10
OPTION_TYPES = frozenset(range(1, 12))
CHAT_INPUT = 1
Payload = Mapping[str, Any]


def problems(commands: Iterable[Payload]) -> list[str]:
    """Every rule the payload breaks, as ``"/path: what is wrong"``; empty when valid."""
    found: list[str] = []
    commands = list(commands)
    chat = [c for c in commands if c.get("type", CHAT_INPUT) == CHAT_INPUT]
    if len(chat) > limits.GLOBAL_CHAT_COMMANDS:
        found.append(f"{len(chat)} slash commands: Discord allows {limits.GLOBAL_CHAT_COMMANDS}")
    found += _duplicates(commands, "/")
    for command in commands:
        found += _command(command)
    return found


def valid_name(name: object) -> bool:
    """Discord's name rule: 1-32 letters, digits, ``-`` or ``_``, lowercase."""
    if not isinstance(name, str) or not 1 <= len(name) <= limits.COMMAND_NAME:
        return False
    return all(_name_char(ch) for ch in name) and name == name.lower()


def _name_char(ch: str) -> bool:
    if ch in "-_":
        return True
    category = unicodedata.category(ch)
    if category[0] in "LN":
        return True
    indic = "\u0900" <= ch <= "\u097f" or "\u0e00" <= ch <= "\u0e7f"
    return indic and category[0] == "M"


def _text_ok(text: object, limit: int) -> bool:
    return isinstance(text, str) and 1 <= len(text) <= limit


def _command(command: Payload) -> list[str]:
    where = "/" + str(command.get("name", "?"))
    found = _named(command, where, limits.COMMAND_DESCRIPTION)
    found += _options(command.get("options") or [], where, depth=0)
    found += _total_size(command, where)
    return found


def _named(item: Payload, where: str, description_limit: int) -> list[str]:
    """Name, description and their localizations."""
    found: list[str] = []
    if not valid_name(item.get("name")):
        found.append(f"{where}: invalid name {item.get('name')!r}")
    if not _text_ok(item.get("description"), description_limit):
        found.append(f"{where}: description must be 1-{description_limit} characters")
    for locale, value in _localizations(item, "name_localizations", where, found):
        if not valid_name(value):
            found.append(f"{where}: invalid {locale} name {value!r}")
    for locale, value in _localizations(item, "description_localizations", where, found):
        if not _text_ok(value, description_limit):
            found.append(f"{where}: {locale} description must be 1-{description_limit} characters")
    return found


def _localizations(
    item: Payload, key: str, where: str, found: list[str]
) -> list[tuple[str, object]]:
    table = item.get(key) or {}
    if not isinstance(table, Mapping):
        found.append(f"{where}: {key} must be an object")
        return []
    for locale in table:
        if locale not in limits.LOCALES:
            found.append(f"{where}: {key} has an unknown locale {locale!r}")
    return [(locale, value) for locale, value in table.items() if locale in limits.LOCALES]


def _options(options: list[Payload], where: str, depth: int) -> list[str]:
    """Options of a command (depth 0), a group (1) or a subcommand (2)."""
    found: list[str] = []
    if len(options) > limits.OPTIONS:
        found.append(f"{where}: {len(options)} options, Discord allows {limits.OPTIONS}")
    found += _duplicates(options, where + " ")
    kinds = {o.get("type") in (SUBCOMMAND, GROUP) for o in options}
    if len(kinds) > 1:
        found.append(f"{where}: mixes subcommands with plain options")
    found += _order(options, where)
    for option in options:
        found += _option(option, f"{where} {option.get('name', '?')}", depth)
    return found


def _option(option: Payload, where: str, depth: int) -> list[str]:
    kind = option.get("type")
    found = _named(option, where, limits.COMMAND_DESCRIPTION)
    if kind not in OPTION_TYPES:
        return [*found, f"{where}: unknown option type {kind!r}"]
    if kind in (SUBCOMMAND, GROUP):
        return found + _nested(option, where, depth)
    return found + _choices(option, where) + _bounds(option, where)


def _nested(option: Payload, where: str, depth: int) -> list[str]:
    kind, children = option.get("type"), option.get("options") or []
    if kind == GROUP and depth > 0:
        return [f"{where}: a subcommand group can only sit at the top level"]
    if kind == SUBCOMMAND and depth > 1:
        return [f"{where}: nested too deep"]
    if kind == GROUP and any(c.get("type") != SUBCOMMAND for c in children):
        return [f"{where}: a group may only hold subcommands"]
    if kind == SUBCOMMAND and any(c.get("type") in (SUBCOMMAND, GROUP) for c in children):
        return [f"{where}: a subcommand may not hold subcommands"]
    return _options(children, where, depth + 1)


def _order(options: list[Payload], where: str) -> list[str]:
    plain = [o for o in options if o.get("type") not in (SUBCOMMAND, GROUP)]
    seen_optional = False
    for option in plain:
        if option.get("required") and seen_optional:
            return [f"{where}: required option {option.get('name')!r} after an optional one"]
        seen_optional = seen_optional or not option.get("required")
    return []


def _choices(option: Payload, where: str) -> list[str]:
    choices = option.get("choices") or []
    if not choices:
        return []
    found: list[str] = []
    kind = option.get("type")
    if kind not in (STRING, INTEGER, NUMBER):
        found.append(f"{where}: choices only fit string, integer or number options")
    if len(choices) > limits.CHOICES:
        found.append(f"{where}: {len(choices)} choices, Discord allows {limits.CHOICES}")
    if option.get("autocomplete"):
        found.append(f"{where}: choices and autocomplete exclude each other")
    for choice in choices:
        found += _choice(choice, kind, where)
    return found


def _choice(choice: Payload, kind: object, where: str) -> list[str]:
    found: list[str] = []
    name, value = choice.get("name"), choice.get("value")
    if not _text_ok(name, limits.CHOICE_NAME):
        found.append(f"{where}: choice name must be 1-{limits.CHOICE_NAME} characters")
    for locale, text in _localizations(choice, "name_localizations", where, found):
        if not _text_ok(text, limits.CHOICE_NAME):
            found.append(f"{where}: {locale} choice name must be 1-{limits.CHOICE_NAME} characters")
    if kind == STRING and not _text_ok(value, limits.CHOICE_VALUE):
        found.append(f"{where}: string choice value must be 1-{limits.CHOICE_VALUE} characters")
    if kind == INTEGER and (not isinstance(value, int) or isinstance(value, bool)):
        found.append(f"{where}: integer option with a non-integer choice {value!r}")
    return found


def _bounds(option: Payload, where: str) -> list[str]:
    found: list[str] = []
    kind = option.get("type")
    has_value = "min_value" in option or "max_value" in option
    has_length = "min_length" in option or "max_length" in option
    if has_value and kind not in (INTEGER, NUMBER):
        found.append(f"{where}: min_value/max_value only fit number options")
    if has_length and kind != STRING:
        found.append(f"{where}: min_length/max_length only fit string options")
    lo, hi = option.get("min_length", 0), option.get("max_length", 1)
    if has_length and not (0 <= lo <= limits.STRING_LENGTH and 1 <= hi <= limits.STRING_LENGTH):
        found.append(f"{where}: string lengths must be within 0-{limits.STRING_LENGTH}")
    low, high = option.get("min_value"), option.get("max_value")
    if low is not None and high is not None and low > high:
        found.append(f"{where}: min_value above max_value")
    return found


def _duplicates(siblings: list[Payload], where: str) -> list[str]:
    """Names two siblings share, by default and in each locale a sibling is renamed in."""
    found = _repeated([str(s.get("name", "")) for s in siblings], where, "")
    tables = [
        t if isinstance(t, Mapping) else {} for t in (s.get("name_localizations") for s in siblings)
    ]
    for locale in sorted({str(key) for table in tables for key in table}):
        names = [
            str(t.get(locale) or s.get("name", "")) for s, t in zip(siblings, tables, strict=True)
        ]
        found += _repeated(names, where, f" in {locale}")
    return found


def _repeated(names: list[str], where: str, suffix: str) -> list[str]:
    counts = Counter(names)
    return [f"{where}{name}: declared twice{suffix}" for name, n in sorted(counts.items()) if n > 1]


def _total_size(command: Payload, where: str) -> list[str]:
    """Names, descriptions and choice values of one command: at most 8000 characters.

    Discord counts each field once, at the length of its longest version (the default
    or any localization), and sums the fields: a long French description and a long
    English one of two different options both count, even though no locale shows both.
    """
    size = _size(command)
    if size > limits.COMMAND_CHARACTERS:
        return [f"{where}: {size} characters, Discord allows {limits.COMMAND_CHARACTERS}"]
    return []


def _size(item: Payload) -> int:
    """The characters Discord counts for ``item`` and everything nested in it."""
    size = len(str(item["value"])) if "value" in item else 0
    for key in ("name", "description"):
        if key in item:
            table = item.get(f"{key}_localizations") or {}
            versions = [item[key], *(table.values() if isinstance(table, Mapping) else ())]
            size += max(len(str(text)) for text in versions)
    children = [*(item.get("options") or []), *(item.get("choices") or [])]
    return size + sum(_size(child) for child in children)
