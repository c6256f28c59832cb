"""The slash commands are the registry, and their payload is one Discord accepts.

Parametrized over the registry: a command added by anyone is covered here without
touching this file.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import discord
import pytest
from discord import app_commands

from coachbot.adapters.discord import limits
from coachbot.adapters.discord.client import make_client, translated_payload
from coachbot.adapters.discord.commands import (
    discord_names,
    discord_path,
    is_channel,
)
from coachbot.adapters.discord.payload_check import problems, valid_name
from coachbot.app import build_registry
from coachbot.knowledge.loader import default_knowledge
from coachbot.registry import CommandSpec, OptionType
from coachbot.settings import Settings

REGISTRY = build_registry(default_knowledge())
SPECS = list(REGISTRY)
TYPES = {OptionType.STRING: 3, OptionType.INTEGER: 4, OptionType.BOOLEAN: 5, OptionType.USER: 6}
TYPES[OptionType.DATE] = 3  # Discord has no date option: a date is typed as text there
CHANNEL, TEXT_CHANNELS = 7, [0, 5]  # Discord's channel option; text and announcement channels
EN = ("en-US", "en-GB")


@pytest.fixture
async def payload(settings: Settings) -> list[dict[str, Any]]:
    """What ``coachbot discord sync`` sends: the translated payload of the whole tree."""
    client = make_client(REGISTRY, settings)
    return await translated_payload(client.tree)


def find(payload: list[dict[str, Any]], path: tuple[str, ...]) -> dict[str, Any]:
    """The payload entry at ``path`` (a command or a subcommand)."""
    entry = next(c for c in payload if c["name"] == path[0])
    for name in path[1:]:
        entry = next(o for o in entry["options"] if o["name"] == name)
    return entry


def top(payload: list[dict[str, Any]], spec: CommandSpec) -> dict[str, Any]:
    return find(payload, discord_path(spec)[:1])


async def test_the_synced_payload_passes_our_checker(payload: list[dict[str, Any]]) -> None:
    assert problems(payload) == []


async def test_every_group_and_only_them_are_top_level(payload: list[dict[str, Any]]) -> None:
    expected = {g for g in REGISTRY.groups if any(not s.admin for s in REGISTRY.in_group(g))}
    expected |= {discord_path(s)[0] for s in SPECS if s.group is None or s.admin}
    assert {c["name"] for c in payload} == expected
    assert {"cto", "progress", "mentor", "coach", "help"} <= expected


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.qualified_name)
async def test_each_command_has_its_typed_options(
    payload: list[dict[str, Any]], spec: CommandSpec
) -> None:
    entry = find(payload, discord_path(spec))
    options = {o["name"]: o for o in entry["options"]}
    assert list(options) == sorted(options, key=lambda n: not options[n]["required"])
    assert set(options) == {o.name for o in spec.options}
    for opt in spec.options:
        sent = options[opt.name]
        if is_channel(opt):
            assert (sent["type"], sent["channel_types"]) == (CHANNEL, TEXT_CHANNELS)
            assert "max_length" not in sent  # a picked channel, not typed text
        else:
            assert sent["type"] == TYPES[opt.type] and "channel_types" not in sent
            assert sent.get("max_length") == opt.max_length
        assert sent["required"] == opt.required
        assert (sent.get("min_value"), sent.get("max_value")) == (opt.min_value, opt.max_value)
        assert [c["value"] for c in sent.get("choices", [])] == [c.value for c in opt.choices]
        assert sent.get("autocomplete", False) == (opt.vocabulary is not None and not opt.choices)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.qualified_name)
async def test_descriptions_are_localized_in_french_and_english(
    payload: list[dict[str, Any]], spec: CommandSpec
) -> None:
    entry = find(payload, discord_path(spec))
    assert entry["description_localizations"]["fr"] == spec.description.fr
    for locale in EN:
        assert entry["description_localizations"][locale] == spec.description.en
    for opt in spec.options:
        sent = next(o for o in entry["options"] if o["name"] == opt.name)
        assert sent["description_localizations"]["fr"] == opt.description.fr
        assert sent["description_localizations"]["en-GB"] == opt.description.en
        for choice, sent_choice in zip(opt.choices, sent.get("choices", []), strict=True):
            assert sent_choice["name_localizations"] == {
                "fr": choice.label.fr, "en-US": choice.label.en, "en-GB": choice.label.en
            }  # fmt: skip


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.qualified_name)
async def test_names_are_english_with_their_french_localization(
    payload: list[dict[str, Any]], spec: CommandSpec
) -> None:
    entry = find(payload, discord_path(spec))
    assert entry["name"] == discord_path(spec)[-1]  # Discord sends this id back, in any locale
    assert entry["name_localizations"] == {"fr": discord_names(spec).fr}
    assert valid_name(entry["name_localizations"]["fr"])
    if spec.group and not spec.admin:
        group = top(payload, spec)
        assert group["name_localizations"] == {"fr": REGISTRY.groups[spec.group].name_fr}
    for opt in spec.options:
        sent = next(o for o in entry["options"] if o["name"] == opt.name)
        assert sent["name_localizations"] == {"fr": opt.name_fr}
        assert valid_name(opt.name_fr)


def test_channel_options_are_pickers_and_only_they() -> None:
    pickers = {
        (spec.path, opt.name) for spec in REGISTRY for opt in spec.options if is_channel(opt)
    }
    assert pickers == {(("coach", "server"), "channel")}


async def test_the_tips_channel_is_a_picker_of_text_channels(
    payload: list[dict[str, Any]],
) -> None:
    """Discord sends the id of a channel picked there, never a name such as ``tips``."""
    [server] = [s for s in SPECS if s.path == ("coach", "server")]
    sent = next(o for o in find(payload, discord_path(server))["options"] if o["name"] == "channel")
    assert (sent["type"], sent["channel_types"]) == (CHANNEL, TEXT_CHANNELS)


def test_french_names_where_they_differ_from_english() -> None:
    names = {s.qualified_name: discord_names(s).fr for s in SPECS}
    assert names["cto salary"] == "salaire" and names["progress rate"] == "noter"
    assert names["coach server"] == "coach-serveur"  # lifted to the top level, both words French
    assert names["help"] == "aide"


def _sibling_lists(
    items: list[dict[str, Any]], where: str = "/"
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Every list of siblings: the top-level commands, then each one's options, nested."""
    yield where, items
    for item in items:
        if item.get("options"):
            yield from _sibling_lists(item["options"], f"{where}{item['name']} ")


@pytest.mark.parametrize("locale", [None, "fr", "en-US", "en-GB"])
async def test_sibling_names_are_unique_in_every_locale(
    payload: list[dict[str, Any]], locale: str | None
) -> None:
    for where, items in _sibling_lists(payload):
        shown = [(c.get("name_localizations") or {}).get(locale) or c["name"] for c in items]
        assert len(shown) == len(set(shown)), (where, locale, shown)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.qualified_name)
def test_no_description_of_the_registry_is_too_long_for_discord(spec: CommandSpec) -> None:
    texts = [spec.description, *(o.description for o in spec.options)]
    texts += [c.label for o in spec.options for c in o.choices]
    too_long = [t for t in texts if max(len(t.fr), len(t.en)) > limits.COMMAND_DESCRIPTION]
    assert too_long == [], "Discord shows at most 100 characters: shorten them in the registry"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.qualified_name)
async def test_admin_commands_need_manage_server_and_others_do_not(
    payload: list[dict[str, Any]], spec: CommandSpec
) -> None:
    entry = top(payload, spec)
    if spec.admin:
        assert (
            int(entry["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
        )
        assert len(discord_path(spec)) == 1  # Discord sets permissions on top-level commands only
    elif spec.group is None:
        assert entry["default_member_permissions"] is None
    assert entry["contexts"] == [0] and entry["integration_types"] == [0]  # servers only


def test_base_texts_follow_the_configured_default_language(settings: Settings) -> None:
    english = replace(settings, bot=replace(settings.bot, default_language="en"))
    tree = make_client(REGISTRY, english).tree
    assert tree.get_command("cto").description == REGISTRY.groups["cto"].description.en  # type: ignore[union-attr]


# Our checker catches what discord.py sends without a word.


def _command_with(
    option_count: int, description: str, choices: int
) -> app_commands.Command[Any, ..., Any]:
    async def callback(interaction: discord.Interaction, **values: str) -> None: ...

    params = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    params += [
        inspect.Parameter(f"o{i}", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str)
        for i in range(option_count)
    ]
    callback.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    options = [app_commands.Choice(name=f"c{i}", value=str(i)) for i in range(choices)]
    app_commands.choices(o0=options)(callback)
    return app_commands.Command(name="broken", description=description, callback=callback)


@pytest.mark.parametrize(
    ("options", "description", "choices", "expected"),
    [
        (26, "ok", 1, "26 options, Discord allows 25"),
        (1, "x" * 101, 1, "description must be 1-100 characters"),
        (1, "ok", 30, "30 choices, Discord allows 25"),
    ],
)
def test_our_checker_catches_what_discord_py_lets_through(
    options: int, description: str, choices: int, expected: str
) -> None:
    client = discord.Client(intents=discord.Intents.none())
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)
    command = _command_with(options, description, choices)
    tree.add_command(command)
    sent = [command.to_dict(tree)]  # discord.py raises nothing
    assert any(expected in p for p in problems(sent)), problems(sent)


VALID = {
    "name": "cto",
    "description": "ok",
    "type": 1,
    "description_localizations": {"fr": "d'accord"},
    "options": [
        {
            "name": "salary",
            "description": "ok",
            "type": 1,
            "options": [
                {"name": "region", "description": "r", "type": 3, "required": True},
                {"name": "level", "description": "l", "type": 3, "required": False,
                 "choices": [{"name": "Expert", "value": "expert", "name_localizations": {"fr": "Expert"}}]},
            ],
        }
    ],
}  # fmt: skip


def _broken(change: str) -> dict[str, Any]:
    import copy

    command = copy.deepcopy(VALID)
    sub = command["options"][0]
    region, level = sub["options"]
    if change == "upper name":
        command["name"] = "CTO"
    elif change == "long name":
        sub["name"] = "x" * 33
    elif change == "space in name":
        region["name"] = "my region"
    elif change == "unknown locale":
        command["description_localizations"] = {"fr-FR": "ok"}
    elif change == "long localized description":
        command["description_localizations"] = {"fr": "y" * 101}
    elif change == "bad localized name":
        command["name_localizations"] = {"en-US": "Salary Grid"}
    elif change == "same french name":
        region["name_localizations"] = {"fr": "niveau"}
        level["name_localizations"] = {"fr": "niveau"}
    elif change == "french name of a sibling":
        region["name_localizations"] = {"fr": "level"}
    elif change == "required after optional":
        sub["options"] = [level, region]
    elif change == "mixed subcommands and options":
        command["options"].append(region)
    elif change == "too deep":
        region.update(type=1, options=[{"name": "x", "description": "x", "type": 3}])
    elif change == "empty description":
        region["description"] = ""
    elif change == "choices with autocomplete":
        level["autocomplete"] = True
    elif change == "long choice name":
        level["choices"][0]["name"] = "z" * 101
    elif change == "bounds on a string":
        region["min_value"] = 1
    elif change == "8000 characters":
        level["choices"] = [{"name": "n" * 100, "value": "v" * 100} for _ in range(25)]
        region["choices"] = level["choices"]
        sub["options"] += [dict(level, name=f"l{i}", required=False) for i in range(2)]
    return command


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("upper name", "invalid name 'CTO'"),
        ("long name", "invalid name 'xxx"),
        ("space in name", "invalid name 'my region'"),
        ("unknown locale", "unknown locale 'fr-FR'"),
        ("long localized description", "fr description must be 1-100"),
        ("bad localized name", "invalid en-US name"),
        ("same french name", "/cto salary niveau: declared twice in fr"),
        ("french name of a sibling", "/cto salary level: declared twice in fr"),
        ("required after optional", "required option 'region' after an optional one"),
        ("mixed subcommands and options", "mixes subcommands with plain options"),
        ("too deep", "may not hold subcommands"),
        ("empty description", "region: description must be 1-100"),
        ("choices with autocomplete", "choices and autocomplete exclude each other"),
        ("long choice name", "choice name must be 1-100"),
        ("bounds on a string", "min_value/max_value only fit number options"),
        ("8000 characters", "Discord allows 8000"),
    ],
)
def test_our_checker_names_each_broken_rule(change: str, expected: str) -> None:
    assert problems([VALID]) == []
    found = problems([_broken(change)])
    assert any(expected in p for p in found), found


def _split_languages(options_per_sub: int) -> dict[str, Any]:
    """A command whose options have a long French description or a long English one,
    alternately: each locale alone shows half the long texts, Discord counts them all."""
    long_fr, long_en = {"fr": "f" * 100}, {"en-US": "e" * 100}
    subs = [
        {"name": f"s{s}", "description": "s", "type": 1, "options": [
            {"name": f"o{i}", "description": "d", "type": 3,
             "description_localizations": long_fr if i % 2 else long_en}
            for i in range(options_per_sub)
        ]}
        for s in range(4)
    ]  # fmt: skip
    return {"name": "split", "description": "d", "type": 1, "options": subs}


def test_the_8000_characters_count_each_text_at_its_longest_localization() -> None:
    """4 x 22 options: 88 x 100 = 8800 counted by Discord, though fr and en-US each show
    only 44 long descriptions (about 4500 characters)."""
    found = problems([_split_languages(22)])
    assert len(found) == 1 and "8" in found[0] and "Discord allows 8000" in found[0], found
    size = int(re.search(r": (\d+) characters", found[0]).group(1))  # type: ignore[union-attr]
    option_names = 4 * sum(len(f"o{i}") for i in range(22))
    assert size == len("split") + len("d") + 4 * (len("s0") + len("s")) + option_names + 88 * 100
    assert problems([_split_languages(18)]) == []  # 72 x 100 + names: fits


@pytest.mark.parametrize(
    "name", ["cto", "soft-skills", "skip_holidays", "компетенции", "技能", "é"]
)
def test_valid_names(name: str) -> None:
    assert valid_name(name)


@pytest.mark.parametrize("name", ["", "Cto", "a b", "x" * 33, "emoji😀", "dot.name"])
def test_invalid_names(name: str) -> None:
    assert not valid_name(name)
