"""Commands, groups and options have French names: declared, valid, unambiguous, and typed.

English names stay the core's ids: whatever language a line is typed in, the
Invocation carries the English path and option names.
"""

from __future__ import annotations

import io
import re
import shutil
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coachbot.adapters.console.platform import run_console
from coachbot.adapters.slack.commands import run_slash, slash_commands
from coachbot.app import App, build_registry
from coachbot.dispatch import Invocation
from coachbot.errors import BadInput
from coachbot.i18n import Lang, Localized
from coachbot.identity import PersonRef
from coachbot.knowledge.loader import CONTENT_DIR, ContentError, default_knowledge, load_knowledge
from coachbot.knowledge.models import KnowledgeBase
from coachbot.registry import CommandSpec, Group, Option, Registry
from coachbot.reply import Reply, Text, Tone
from coachbot.textcommand import parse_options, split_path
from tests.chat import ChatBot

NAME = re.compile(r"^[-_a-z0-9]{1,32}$")
LANGS: tuple[Lang, ...] = ("fr", "en")


@cache
def _registry() -> Registry:
    return build_registry(default_knowledge())


REGISTRY = _registry()
SPECS = list(REGISTRY)


def siblings() -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every parent (top level, group, command) with its items' (English, French) names."""
    top = [(g.name, g.name_fr) for g in REGISTRY.groups.values()]
    top += [(c.name, c.name_fr) for c in REGISTRY.top_level()]
    found = [("top level", top)]
    found += [
        (f"/{g}", [(c.name, c.name_fr) for c in REGISTRY.in_group(g)]) for g in REGISTRY.groups
    ]
    found += [(f"/{c.qualified_name}", [(o.name, o.name_fr) for o in c.options]) for c in SPECS]
    return found


# Declared, valid and unambiguous.


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.qualified_name)
def test_every_command_and_option_has_a_valid_french_name(spec: CommandSpec) -> None:
    assert spec.name_fr is not None and NAME.match(spec.name_fr), spec.qualified_name
    for opt in spec.options:
        assert opt.name_fr is not None and re.match(r"^[a-z_]{1,32}$", opt.name_fr), opt.name


def test_every_group_has_a_valid_french_name() -> None:
    for group in REGISTRY.groups.values():
        assert group.name_fr is not None and NAME.match(group.name_fr), group.name


@pytest.mark.parametrize(("parent", "items"), siblings(), ids=[p for p, _ in siblings()])
def test_names_are_unique_per_parent_in_each_language_and_across_them(
    parent: str, items: list[tuple[str, str | None]]
) -> None:
    for lang in LANGS:
        names = [(fr or en) if lang == "fr" else en for en, fr in items]
        assert [n for n, k in Counter(names).items() if k > 1] == [], (parent, lang)
    # A typed word must call one item whatever its language: no French name is a sibling's
    # English name.
    owners = {spelling: en for en, fr in items for spelling in {en, fr or en}}
    assert len(owners) == len({s for en, fr in items for s in {en, fr or en}})
    for en, fr in items:
        assert owners[fr or en] == en and owners[en] == en, (parent, en, fr)


def test_french_names_are_really_french_where_the_words_differ() -> None:
    french = {s.qualified_name: s.qualified_name_in("fr") for s in SPECS}
    assert french["cto salary"] == "cto salaire"
    assert french["cto day"] == "cto journee"
    assert french["cto skills"] == "cto competences"
    assert french["progress rate"] == "progression noter"
    assert french["help"] == "aide"
    assert REGISTRY.get(("progress", "rate")).option("skill").name_fr == "competence"  # type: ignore[union-attr]
    assert REGISTRY.get(("mentor", "view")).option("user").name_fr == "utilisateur"  # type: ignore[union-attr]


async def _noop(ctx: object) -> Reply:
    return Reply("x")


GROUP = Group("things", Localized("Des choses", "Things"), name_fr="choses")


@pytest.mark.parametrize(
    ("groups", "commands", "expected"),
    [
        ([GROUP, Group("choses", Localized("x", "x"))], [], "'choses' would name both"),
        (
            [GROUP],
            [
                CommandSpec("things", "show", Localized("x", "x"), _noop, name_fr="voir"),
                CommandSpec("things", "voir", Localized("x", "x"), _noop),
            ],
            "'voir' would name both",
        ),
        (
            [GROUP],
            [
                CommandSpec(
                    "things",
                    "show",
                    Localized("x", "x"),
                    _noop,
                    options=(
                        Option("level", Localized("x", "x"), name_fr="niveau"),
                        Option("depth", Localized("x", "x"), name_fr="niveau"),
                    ),
                )
            ],
            "'niveau' would name both",
        ),
        (
            [Group("things", Localized("x", "x"), name_fr="Choses")],
            [],
            "'Choses' is not a valid name",
        ),
        (
            [GROUP],
            [CommandSpec("things", "day", Localized("x", "x"), _noop, name_fr="journée")],
            "'journée' is not a valid name",
        ),
        (
            [GROUP],
            [
                CommandSpec(
                    "things",
                    "show",
                    Localized("x", "x"),
                    _noop,
                    options=(Option("level", Localized("x", "x"), name_fr="niveau-max"),),
                )
            ],
            "'niveau-max' is not a valid name",  # the typed-line parser reads option names as [a-z_]
        ),
        ([GROUP], [CommandSpec(None, "choses", Localized("x", "x"), _noop)], "would name both"),
    ],
)
def test_the_registry_refuses_ambiguous_or_invalid_names(
    groups: list[Group], commands: list[CommandSpec], expected: str
) -> None:
    with pytest.raises(ValueError, match=expected):
        Registry(groups, commands)


def test_the_registry_spells_paths_in_each_language() -> None:
    spec = REGISTRY.get(("progress", "rate"))
    assert spec is not None
    assert spec.path_in("fr") == ("progression", "noter")
    assert spec.path_in("en") == ("progress", "rate")
    assert spec.usage("fr") == "/progression noter competence:<compétence> niveau:<0-5>"
    assert spec.usage("en") == "/progress rate skill:<skill> level:<0-5>"
    assert REGISTRY.canonical(["progression", "noter", "x"]) == ("progress", "rate", "x")
    assert REGISTRY.canonical(["aide"]) == ("help",)
    assert REGISTRY.canonical(["progression", "nope"]) == ("progress", "nope")


# Typed lines: French names in, English ids out.


def parsed(line: str) -> tuple[tuple[str, ...], dict[str, str]]:
    path, rest = split_path(line, REGISTRY)
    spec = REGISTRY.get(path)
    assert spec is not None, path
    return path, parse_options(spec, rest)


@pytest.mark.parametrize(
    ("french", "english"),
    [
        ("/cto salaire region:paris niveau:expert", "/cto salary region:paris level:expert"),
        (
            "/progression noter competence:securite niveau:3",
            "/progress rate skill:securite level:3",
        ),
        (
            "/Progression Noter Compétence:securite NIVEAU:3",
            "/progress rate skill:securite level:3",
        ),
        ("/progress noter competence:securite 3", "/progress rate skill:securite 3"),
        ("/progression rate securite niveau:3", "/progress rate securite level:3"),
        ("/cto journée heure:13", "/cto day hour:13"),
        ("/aide commande:cto salaire", "/help command:cto salaire"),
        ("/mentor voir utilisateur:@bob", "/mentor view user:@bob"),
        (
            "/coach abonner heure:08:30 où:dm sauf_feries:FR",
            "/coach subscribe time:08:30 where:dm skip_holidays:FR",
        ),
        (
            "/progression consigner securite note:revue d'incident",
            "/progress log securite note:revue d'incident",
        ),
        ("/cto apercu", "/cto overview"),
    ],
)
def test_french_lines_parse_to_the_english_ids(french: str, english: str) -> None:
    assert parsed(french) == parsed(english)


def test_an_unknown_option_lists_the_accepted_names_in_each_language() -> None:
    spec = REGISTRY.get(("cto", "salary"))
    assert spec is not None
    with pytest.raises(BadInput) as caught:
        parse_options(spec, "couleur:bleu")
    assert caught.value.message.fr.endswith("Options possibles : region, niveau.")
    assert caught.value.message.en.endswith("Accepted options: region, level.")


def _line(spec: CommandSpec, lang: Lang, values: list[str]) -> str:
    words = [f"/{spec.qualified_name_in(lang)}"]
    words += [
        f"{opt.name_in(lang)}:{value}" for opt, value in zip(spec.options, values, strict=False)
    ]
    return " ".join(words)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(SPECS),
    st.lists(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-.", min_size=1, max_size=12),
        max_size=8,
    ),
)
def test_any_command_typed_in_french_parses_like_english(
    spec: CommandSpec, values: list[str]
) -> None:
    values = values[: len([o for o in spec.options if not o.rest])]
    assert parsed(_line(spec, "fr", values)) == parsed(_line(spec, "en", values))
    assert parsed(_line(spec, "fr", values))[0] == spec.path


# The core answers French lines; help speaks the reader's language.


async def test_french_salary_line_gives_the_english_lines_answer(bot: ChatBot) -> None:
    french = await bot.reply("/cto salaire region:paris niveau:expert", locale="fr")
    english = await bot.reply("/cto salary region:paris level:expert", locale="fr")
    assert french == english
    text = "\n".join(b.markup for b in french.blocks if isinstance(b, Text))
    assert "Tout le contexte : `/cto salaire`." in text


async def test_progress_rated_in_french_is_recorded(bot: ChatBot) -> None:
    rated = await bot.reply("/progression noter competence:sécurité niveau:3", locale="fr")
    assert rated.tone is not Tone.ERROR
    again = await bot.say("/progression noter competence:securite niveau:4", locale="fr")
    assert "avant : 3/5" in again


async def test_generated_topic_commands_answer_under_their_french_name(
    bot: ChatBot, kb: KnowledgeBase
) -> None:
    for topic in kb.topics.values():
        reply = await bot.reply(f"/cto {topic.name_fr}", locale="fr")
        assert reply.title.startswith(topic.title.fr), topic.id


async def test_help_shows_the_names_in_the_readers_language(bot: ChatBot) -> None:
    french = await bot.say("/aide", locale="fr")
    assert "/progression — " in french and "`noter`" in french and "/aide" in french
    assert "`/aide commande:cto salaire`" in french and "`rate`" not in french
    english = await bot.say("/help", locale="en")
    assert "/progress — " in english and "`rate`" in english and "`noter`" not in english


@pytest.mark.parametrize(
    ("line", "locale", "usage"),
    [
        (
            "/aide commande:progression noter",
            "fr",
            "`/progression noter competence:<compétence> niveau:<0-5>`",
        ),
        ("/help command:progression noter", "en", "`/progress rate skill:<skill> level:<0-5>`"),
        (
            "/help command:progress rate",
            "fr",
            "`/progression noter competence:<compétence> niveau:<0-5>`",
        ),
        ("/progression noter competence:securite niveau:9", "fr", "Usage : `/progression noter"),
        ("/cto salaire couleur:bleu", "fr", "`/cto salaire [region:<région>] [niveau:<niveau>]`"),
        ("/cto salaire couleur:bleu", "en", "`/cto salary [region:<region>] [level:<level>]`"),
    ],
)
async def test_usage_and_help_use_the_readers_language(
    bot: ChatBot, line: str, locale: str, usage: str
) -> None:
    assert usage in await bot.say(line, locale=locale)


async def test_help_for_a_group_typed_in_french(bot: ChatBot) -> None:
    reply = await bot.reply("/aide commande:progression", locale="fr")
    assert reply.title == "/progression"
    assert reply.title == (await bot.reply("/help command:progress", locale="fr")).title
    assert (await bot.reply("/help command:progression", locale="en")).title == "/progress"


async def test_an_answer_points_to_the_topic_in_the_readers_language(bot: ChatBot) -> None:
    assert "`/cto salaire`" in await bot.say("/cto demander combien gagne un CTO ?", locale="fr")
    assert "`/cto salary`" in await bot.say("/cto ask how much does a CTO earn?", locale="en")


# Every text platform goes through the same parser: the console and Slack.


async def test_the_console_accepts_french_names(app: App) -> None:
    out = io.StringIO()
    lines = (
        "/cto salaire paris expert\n/progression noter securite 2\n/aide commande:coach abonner\n"
    )
    assert await run_console(app, "alice", stdin=io.StringIO(lines), stdout=out) == 0
    text = out.getvalue()
    assert "100–140 k€" in text and "2/5" in text and "/coach abonner" in text
    assert "Saisie invalide" not in text and "Commande inconnue" not in text


async def test_slack_registers_both_spellings_and_reads_french_text(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert [c.command for c in slash_commands(REGISTRY)] == [
        "/cto", "/coach", "/progress", "/progression", "/mentor", "/help", "/aide"
    ]  # fmt: skip
    seen: list[Invocation] = []
    original = app.dispatcher.dispatch

    async def spy(inv: Invocation) -> Reply:
        seen.append(inv)
        return await original(inv)

    monkeypatch.setattr(app.dispatcher, "dispatch", spy)
    admin = PersonRef("slack", "T1", "U1")
    reply = await run_slash(
        app.dispatcher, admin, "/coach serveur langue:en fuseau:Europe/Paris",
        locale="fr-FR", channel="C1", is_admin=True,
    )  # fmt: skip
    assert reply.tone is not Tone.ERROR
    assert seen[-1].path == ("coach", "server") and seen[-1].is_admin
    assert dict(seen[-1].args) == {"language": "en", "timezone": "Europe/Paris"}
    await run_slash(
        app.dispatcher, admin, "/progress noter securite niveau:1",
        locale="fr-FR", channel="C1", is_admin=False,
    )  # fmt: skip
    assert seen[-1].path == ("progress", "rate")
    assert dict(seen[-1].args) == {"skill": "securite", "level": "1"}


# Topic files carry their French name; the loader checks it.


def test_every_topic_has_a_french_name(kb: KnowledgeBase) -> None:
    for topic in kb.topics.values():
        assert topic.name_fr is not None and NAME.match(topic.name_fr), topic.id


def test_hand_written_topic_commands_share_the_topics_french_name(kb: KnowledgeBase) -> None:
    for spec in REGISTRY.in_group("cto"):
        topic = kb.topics.get(spec.name)
        if topic is not None:
            assert spec.name_fr == topic.name_fr, spec.name


def _content_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    return copy


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ('name_fr = "apercu"', "remote.toml: name_fr: 'apercu' already calls the topic 'overview'"),
        ('name_fr = "aperçu"', "remote.toml: name_fr: the French /cto subcommand"),
        ('name_fr = "Teletravail"', "remote.toml: name_fr: the French /cto subcommand"),
        ("", "remote.toml: name_fr: missing"),
        ('name_fr = "salary"', "salary.toml: id: 'salary' already calls the topic 'remote'"),
    ],
)
def test_the_loader_checks_the_french_topic_names(
    tmp_path: Path, change: str, expected: str
) -> None:
    content = _content_copy(tmp_path)
    topic = content / "topics" / "remote.toml"
    text = topic.read_text(encoding="utf-8")
    topic.write_text(text.replace('name_fr = "teletravail"', change, 1), encoding="utf-8")
    assert (
        load_knowledge(_content_copy(tmp_path / "intact")).topics["remote"].name_fr == "teletravail"
    )
    with pytest.raises(ContentError, match=re.escape(expected)):
        load_knowledge(content)
