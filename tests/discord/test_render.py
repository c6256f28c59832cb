"""Every Reply the core can produce renders within Discord's limits, in order, nothing lost."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from discord.http import handle_message_parameters
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachbot.adapters.discord import limits
from coachbot.adapters.discord.ids import parse_custom_id
from coachbot.adapters.discord.markdown import INERT, escape_plain, to_markdown
from coachbot.adapters.discord.render import OutMessage, render
from coachbot.adapters.discord.send import message_kwargs
from coachbot.markup import escape, mention
from coachbot.reply import (
    Actions,
    Attachment,
    Button,
    ButtonStyle,
    Field,
    Fields,
    Image,
    Items,
    Reply,
    Text,
    Tone,
)
from tests.discord.harness import GUILD
from tests.discord.limits_check import message_problems, texts

WORKSPACE = GUILD


def body(message: OutMessage) -> dict[str, Any]:
    """The JSON discord.py would send for ``message`` (needs a running loop for the view)."""
    params = handle_message_parameters(**message_kwargs(message))
    if params.multipart:
        part = next(p for p in params.multipart if p["name"] == "payload_json")
        return json.loads(part["value"])
    return params.payload or {}


# Strategies: any text (markup characters, mentions, astral emoji, long runs), any block.
ANY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from(list("*_`\\-#>|~[]()@<&:\n ")),
    ),
    max_size=120,
)
LONG_TEXT = st.builds(lambda s, n: s * n, ANY_TEXT.filter(bool), st.integers(1, 120))
TEXT = st.one_of(ANY_TEXT, ANY_TEXT, LONG_TEXT)
FIELD = st.builds(Field, TEXT, TEXT, st.booleans())
BUTTON = st.builds(
    Button,
    st.one_of(st.from_regex(r"[a-z]{1,8}:[a-z0-9:]{0,20}", fullmatch=True), ANY_TEXT.filter(bool)),
    TEXT,
    st.sampled_from(list(ButtonStyle)),
)
BLOCK = st.one_of(
    st.builds(Text, TEXT),
    st.builds(Fields, st.lists(FIELD, max_size=30).map(tuple)),
    st.builds(Items, st.lists(TEXT, max_size=40).map(tuple), st.none() | TEXT),
    st.builds(Image, ANY_TEXT, st.binary(max_size=16), TEXT),
    st.builds(Attachment, ANY_TEXT, st.binary(max_size=16), st.just("text/csv")),
    st.builds(Actions, st.lists(BUTTON, max_size=12).map(tuple)),
)
REPLY = st.builds(
    Reply,
    st.none() | TEXT,
    st.lists(BLOCK, max_size=12).map(tuple),
    st.booleans(),
    st.sampled_from(list(Tone)),
    st.none() | TEXT,
    st.lists(TEXT, max_size=3).map(tuple),
)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(REPLY)
async def test_every_reply_renders_within_every_limit(reply: Reply) -> None:
    messages = render(reply, workspace=WORKSPACE)
    assert messages
    for message in messages:
        assert message_problems(body(message)) == []


@PROPERTY
@given(REPLY)
async def test_every_fitting_button_is_kept_once(reply: Reply) -> None:
    wanted = {
        b.action
        for block in reply.blocks
        if isinstance(block, Actions)
        for b in block.buttons
        if len(f"cb:{WORKSPACE}:{b.action}") <= limits.CUSTOM_ID and "\n" not in b.action
    }
    shown = [b.custom_id for m in render(reply, workspace=WORKSPACE) for row in m.rows for b in row]
    assert len(shown) == len(set(shown))
    assert {parse_custom_id(c) for c in shown} == {(WORKSPACE, a) for a in wanted}


WORDS = st.lists(st.from_regex(r"[a-z]{1,12}", fullmatch=True), min_size=1, max_size=3000)


@settings(max_examples=40, deadline=None)
@given(WORDS, st.integers(1, 9))
def test_long_text_is_split_between_words_and_nothing_is_lost(words: list[str], per: int) -> None:
    lines = [" ".join(words[i : i + per]) for i in range(0, len(words), per)]
    markup = "\n\n".join(lines)
    messages = render(Reply(title="t", blocks=(Text(markup),)), workspace=WORKSPACE)
    shown = " ".join(e.description for m in messages for e in m.embeds)
    assert shown.split() == words


def test_a_long_answer_becomes_several_embeds_and_messages() -> None:
    paragraph = "Le CTO pilote la stratégie technique et l'équipe. " * 40
    reply = Reply(title="Long", blocks=tuple(Text(paragraph) for _ in range(12)), footer="Sources")
    messages = render(reply, workspace=WORKSPACE)
    assert len(messages) > 1
    embeds = [e for m in messages for e in m.embeds]
    assert embeds[0].title == "Long" and all(e.title is None for e in embeds[1:])
    assert embeds[-1].footer == "Sources"
    assert all(e.description.endswith(".") for e in embeds)  # split between paragraphs


def test_a_long_field_value_continues_in_unnamed_fields() -> None:
    value = "- " + "\n- ".join(f"item {i} " + "x" * 60 for i in range(40))
    [message] = render(Reply(blocks=(Fields((Field("Skills", value),)),)), workspace=WORKSPACE)
    fields = message.embeds[0].fields
    assert fields[0].name == "Skills" and len(fields) > 1
    assert {f.name for f in fields[1:]} == {"\u200b"}
    assert all(len(f.value) <= limits.FIELD_VALUE for f in fields)
    assert all(f.value.startswith("- item") for f in fields)


async def test_a_chart_is_an_attached_png_shown_in_its_embed() -> None:
    reply = Reply(
        title="Progress",
        blocks=(Text("before"), Image("my chart.png", b"\x89PNG", "Security: 3/5"), Text("after")),
    )
    [message] = render(reply, workspace=WORKSPACE)
    sent = body(message)
    assert sent["attachments"] == [
        {"id": 0, "filename": "my_chart.png", "description": "Security: 3/5"}
    ]
    assert sent["embeds"][0]["image"] == {"url": "attachment://my_chart.png"}
    assert sent["embeds"][0]["description"] == "before"
    assert sent["embeds"][1]["description"] == "after"  # text after the chart stays after it


def test_two_charts_with_one_name_get_distinct_files() -> None:
    charts = tuple(Image("chart.png", bytes([i]), "alt") for i in range(2))
    [message] = render(Reply(blocks=charts), workspace=WORKSPACE)
    assert [f.filename for f in message.files] == ["chart.png", "chart-2.png"]
    assert [e.image for e in message.embeds] == [
        "attachment://chart.png",
        "attachment://chart-2.png",
    ]


def test_eleven_files_need_two_messages() -> None:
    files = tuple(Attachment(f"f{i}.csv", b"x", "text/csv") for i in range(11))
    messages = render(Reply(title="Export", blocks=files), workspace=WORKSPACE)
    assert [len(m.files) for m in messages] == [10, 1]


async def test_buttons_wrap_at_five_per_row_and_five_rows_per_message() -> None:
    buttons = tuple(Button(f"prompt:done:{i}", f"B{i}") for i in range(32))
    messages = render(Reply(title="t", blocks=(Actions(buttons),)), workspace=WORKSPACE)
    rows = [[len(r) for r in m.rows] for m in messages]
    assert rows == [[5, 5, 5, 5, 5], [5, 2]]
    first = body(messages[0])["components"][0]["components"][0]
    assert first["custom_id"] == f"cb:{WORKSPACE}:prompt:done:0" and first["type"] == 2


def test_an_action_id_too_long_for_discord_is_dropped_not_sent() -> None:
    buttons = (Button("x:" + "y" * 120, "Too long"), Button("prompt:done:1", "Done"))
    [message] = render(Reply(blocks=(Actions(buttons),)), workspace=WORKSPACE)
    assert [b.label for row in message.rows for b in row] == ["Done"]


@pytest.mark.parametrize(
    ("tone", "colour"),
    [
        (Tone.INFO, 0x5865F2),
        (Tone.SUCCESS, 0x57F287),
        (Tone.ERROR, 0xED4245),
        (Tone.PROMPT, 0xFEE75C),
    ],
)
def test_tone_is_the_embed_colour(tone: Tone, colour: int) -> None:
    [message] = render(Reply(title="t", tone=tone), workspace=WORKSPACE)
    assert message.embeds[0].colour == colour


def test_an_empty_reply_still_sends_something() -> None:
    [message] = render(Reply(), workspace=WORKSPACE)
    assert message.embeds[0].description == "…"


@pytest.mark.parametrize(
    "hostile",
    [
        "@everyone",
        "@here",
        "<@&123456789012345678>",
        "<@80351110224678913>",
        "**bold** _it_ `code` ~~strike~~ ||spoiler|| > quote",
        "# heading",
        "[click](https://evil.example)",
        "1. list",
        "\u202eevil\u202c",
    ],
)
def test_user_text_shows_as_itself_and_never_mentions(hostile: str) -> None:
    reply = Reply(title=escape(hostile), blocks=(Text("Note: " + escape(hostile)),))
    [message] = render(reply, workspace=WORKSPACE)
    shown = texts({"embeds": [e.to_embed().to_dict() for e in message.embeds]})
    for text in shown:
        assert not re.search(r"@(everyone|here)|<@[&!]?\d", text)
        assert "**bold**" not in text and "\u202e" not in text
        assert not text.lstrip().startswith(("#", ">", "1."))


# Discord's <…> constructs: mentions, channels, slash commands, timestamps, emoji, guide links.
LIVE = re.compile(r"<(?:[@#/:]|a:|t:|id:)")
CONSTRUCTS = ["<#381870553235193857>", "</help:1263335148640301138>", "<t:0:R>", "<t:0>",
              "<:emoji:123456789012345678>", "<a:dance:123456789012345678>", "<id:customize>",
              "<@80351110224678913>", "<@!80351110224678913>", "<@&123456789012345678>"]  # fmt: skip
SPECIAL = re.compile(r"\\([^\w\s])")


def as_discord_shows(markdown: str) -> str:
    """What Discord shows for escaped plain text: escapes resolved, zero-width spaces unseen."""
    return SPECIAL.sub(r"\1", markdown).replace(INERT, "")


@pytest.mark.parametrize("typed", CONSTRUCTS)
def test_a_construct_typed_by_a_user_shows_as_typed_and_stays_inert(typed: str) -> None:
    user = escape(typed)
    reply = Reply(title=user, blocks=(Text(f"Note: {user} **kept**"), Fields((Field(user, user),))))
    [message] = render(reply, workspace=WORKSPACE)
    [embed] = body(message)["embeds"]
    [field] = embed["fields"]
    for shown in (embed["title"], field["name"], field["value"]):
        assert not LIVE.search(shown) and as_discord_shows(shown) == typed, shown
    assert not LIVE.search(embed["description"])
    assert as_discord_shows(embed["description"]) == f"Note: {typed} **kept**"


USER_TEXT = st.lists(st.one_of(ANY_TEXT, st.sampled_from(CONSTRUCTS)), max_size=6).map("".join)


@PROPERTY
@given(USER_TEXT)
def test_escaped_user_text_never_holds_a_live_construct(typed: str) -> None:
    """Wherever Discord renders markdown (title, description, field name and value),
    even when long text is cut between words and messages."""
    user = escape(typed)
    reply = Reply(title=user, blocks=(Text(user), Fields((Field(user, user),)), Items((user,))))
    for message in render(reply, workspace=WORKSPACE):
        for embed in body(message)["embeds"]:
            shown = [embed.get("title") or "", embed.get("description") or ""]
            shown += [t for f in embed.get("fields", []) for t in (f["name"], f["value"])]
            for text in shown:
                assert not LIVE.search(text), text
    assert not LIVE.search(escape_plain(typed))  # the adapter alone, without the core's escape


def test_core_markup_becomes_discord_markdown() -> None:
    markup = "**Bold** and _italic_ with `code`\n\n- one\n- two *literal*"
    assert to_markdown(markup) == "**Bold** and *italic* with `code`\n\n- one\n- two \\*literal\\*"


def test_a_bold_phrase_cut_in_two_keeps_its_markers_on_both_sides() -> None:
    markup = "**" + " ".join(["important"] * 600) + "**"
    messages = render(Reply(blocks=(Text(markup),)), workspace=WORKSPACE)
    pieces = [e.description for m in messages for e in m.embeds]
    assert len(pieces) > 1
    assert all(p.startswith("**") and p.endswith("**") for p in pieces)


async def test_a_person_shows_as_a_mention_only_where_discord_renders_one() -> None:
    """Descriptions and field values show ``<@id>`` as a name (never a ping: allowed_mentions
    is empty); titles, field names, footers and button labels show text as typed, so
    they get the plain ``@id``."""
    bob = "80351110224678913"
    who = mention(bob)
    reply = Reply(
        title=f"Notes about {who}",
        blocks=(
            Text(f"You now mentor {who}."),
            Fields((Field(f"Mentee {who}", f"- {who} — active"),)),
            Items((f"{who} rated security",), heading=f"About {who}"),
            Actions((Button(f"mentor:accept:{bob}", f"Accept {who}"),)),
        ),
        footer=f"Asked by {who}",
        notices=(f"{who} is waiting",),
    )
    [message] = render(reply, workspace=WORKSPACE)
    sent = body(message)
    [first, items] = sent["embeds"]
    pinging = f"<@{bob}>"
    assert pinging in first["description"] and pinging in first["fields"][0]["value"]
    assert pinging in items["description"]  # the items, their heading and the notice
    assert items["description"].count(pinging) == 3
    for raw_text in (
        first["title"],
        first["fields"][0]["name"],
        items["footer"]["text"],
        sent["components"][0]["components"][0]["label"],
    ):
        assert "<@" not in raw_text and re.search(rf"@\u200b?{bob}", raw_text), raw_text
    assert sent["allowed_mentions"] == {"parse": []}
