"""Reply -> Block Kit: valid for slack_sdk, within Slack's limits, long answers split, user text inert."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachbot.adapters.slack.home import HOME_CHARS, fit_home
from coachbot.adapters.slack.mrkdwn import ZWSP, escape, to_mrkdwn
from coachbot.adapters.slack.render import (
    MESSAGE_BLOCKS,
    SlackRenderer,
    block_chars,
    fallback_text,
    split_blocks,
)
from coachbot.markup import escape as core_escape
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
from tests.slack.blockkit import check_block, check_rendered, mrkdwn_texts

HOSTILE = "<!channel> <!here> <@U1> <@U2|bob> & *bold* _it_ ~st~ `code` > quote <http://x|y>"


@pytest.fixture(scope="module")
def renderer() -> SlackRenderer:
    return SlackRenderer()


def texts_of(renderer: SlackRenderer, reply: Reply) -> str:
    blocks = [b for m in renderer.render(reply).messages for b in m.blocks]
    return "\n".join(t for b in blocks for t in mrkdwn_texts(b))


def test_core_markup_becomes_mrkdwn(renderer: SlackRenderer) -> None:
    markup = "Some **bold**, _italic_ and `code`.\n\n- first\n- second **b**"
    assert to_mrkdwn(markup, 3000) == ["Some *bold*, _italic_ and `code`.\n\n• first\n• second *b*"]


def test_user_text_can_neither_ping_nor_format(renderer: SlackRenderer) -> None:
    reply = Reply(
        title=HOSTILE,
        blocks=(
            Text(f"Note: {core_escape(HOSTILE)}"),
            Fields((Field(HOSTILE, core_escape(HOSTILE), inline=True),)),
            Items((core_escape(HOSTILE),), heading=HOSTILE),
        ),
        footer=HOSTILE,
        notices=(core_escape(HOSTILE),),
    )
    rendered = renderer.render(reply)
    check_rendered(rendered)
    text = texts_of(renderer, reply)
    for token in ("<!channel>", "<!here>", "<@U1>", "<@U2", "<http"):
        assert token not in text
    assert "&lt;!channel" in text and "&amp;" in text
    assert "*bold*" not in text and "_it_" not in text and "~st~" not in text
    assert f"{ZWSP}*{ZWSP}bold{ZWSP}*{ZWSP}" in text
    assert "&lt;!channel" in rendered.messages[0].text  # the notification text too


def test_escape_keeps_the_text_readable() -> None:
    assert escape("R&D <team>").replace(ZWSP, "") == "R&amp;D &lt;team&gt;"
    assert escape("a_b*c").replace(ZWSP, "") == "a_b*c"


def test_a_long_answer_is_split_into_several_valid_messages(renderer: SlackRenderer) -> None:
    paragraphs = "\n\n".join(f"Paragraph {i}: " + "word " * 300 for i in range(60))
    rendered = renderer.render(Reply(title="Long", blocks=(Text(paragraphs),)))
    assert len(rendered.messages) > 1
    check_rendered(rendered)
    joined = "".join(t for m in rendered.messages for b in m.blocks for t in mrkdwn_texts(b))
    assert all(f"Paragraph {i}:" in joined for i in range(60))


def test_one_huge_paragraph_is_cut_within_section_limits(renderer: SlackRenderer) -> None:
    rendered = renderer.render(Reply(blocks=(Text("&" * 20_000 + " **" + "b" * 5000 + "**"),)))
    check_rendered(rendered)
    sections = [b for m in rendered.messages for b in m.blocks if b["type"] == "section"]
    assert len(sections) > 10


def test_many_fields_and_buttons_respect_per_block_limits(renderer: SlackRenderer) -> None:
    fields = tuple(Field(f"name {i}", "v" * 1900, inline=True) for i in range(23))
    buttons = tuple(Button(f"act:{i}", "label " * 30) for i in range(60))
    rendered = renderer.render(Reply(blocks=(Fields(fields), Actions(buttons))))
    check_rendered(rendered)
    blocks = [b for m in rendered.messages for b in m.blocks]
    assert sum(len(b.get("fields", [])) for b in blocks) == 23
    assert sum(len(b["elements"]) for b in blocks if b["type"] == "actions") == 60


def test_buttons_carry_the_core_action_id(renderer: SlackRenderer) -> None:
    reply = Reply(
        blocks=(
            Actions(
                (
                    Button("prompt:done:42", "Done", ButtonStyle.PRIMARY),
                    Button("prompt:done:42", "Done again"),
                    Button("forget:yes", "Erase", ButtonStyle.DANGER),
                )
            ),
        )
    )
    (block,) = renderer.blocks(reply)
    check_block(block)
    elements = block["elements"]
    assert [e["value"] for e in elements] == ["prompt:done:42", "prompt:done:42", "forget:yes"]
    assert elements[0]["action_id"] == "cb:prompt:done:42" and elements[0]["style"] == "primary"
    assert elements[1]["action_id"] != elements[0]["action_id"] and "style" not in elements[1]
    assert elements[2]["style"] == "danger"


def test_tone_title_footer_and_notices(renderer: SlackRenderer) -> None:
    reply = Reply(title="Oops", tone=Tone.ERROR, footer="Sources: a.md", notices=("**Milestone**",))
    blocks = renderer.blocks(reply)
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": ":warning: Oops", "emoji": True},
    }
    assert blocks[1]["elements"][0]["text"] == ":star: *Milestone*"
    assert blocks[2]["elements"][0]["text"] == "Sources: a.md"


def test_pictures_and_files_become_uploads_or_image_blocks(renderer: SlackRenderer) -> None:
    reply = Reply(
        blocks=(Image("radar.png", b"\x89PNG", "Radar"), Attachment("me.json", b"{}", "x/json"))
    )
    rendered = renderer.render(reply)
    assert [(u.filename, u.is_image) for u in rendered.uploads] == [
        ("radar.png", True),
        ("me.json", False),
    ]
    with_file = renderer.blocks(reply, {"radar.png": "F123"})
    assert with_file[0] == {"type": "image", "slack_file": {"id": "F123"}, "alt_text": "Radar"}
    for block in with_file:
        check_block(block)


def test_split_respects_the_block_count() -> None:
    blocks = [{"type": "divider"}] * 120
    chunks = split_blocks(blocks, MESSAGE_BLOCKS, 10**9)
    assert [len(c) for c in chunks] == [50, 50, 20]


def test_fallback_text_is_escaped_and_short() -> None:
    assert fallback_text(Reply(blocks=(Text("<!here> " + "x" * 500),))).startswith("&lt;!here")
    assert len(fallback_text(Reply(title="t" * 1000))) <= 300


def test_an_empty_reply_still_makes_one_message(renderer: SlackRenderer) -> None:
    rendered = renderer.render(Reply())
    assert len(rendered.messages) == 1 and rendered.messages[0].text


# --- property-based: any Reply renders to messages Slack accepts -------------------------

MARKUP_CHARS = string.ascii_letters + string.digits + " \n*_`\\-<>&!@|#~:.,é€\u202e\x00\t"
markup = st.text(alphabet=MARKUP_CHARS, max_size=400) | st.text(max_size=200)
long_markup = st.builds(lambda s, n: s * n, markup, st.integers(1, 40))
label = st.text(max_size=120)
buttons = st.builds(
    Button, st.text(min_size=1, max_size=300), label, st.sampled_from(list(ButtonStyle))
)
blocks = st.one_of(
    st.builds(Text, long_markup),
    st.builds(
        Fields,
        st.lists(st.builds(Field, label, long_markup, st.booleans()), max_size=15).map(tuple),
    ),
    st.builds(Items, st.lists(markup, max_size=12).map(tuple), st.none() | label),
    st.builds(Image, st.just("radar.png"), st.binary(max_size=16), label),
    st.builds(Attachment, label, st.binary(max_size=16), st.just("application/json")),
    st.builds(Actions, st.lists(buttons, min_size=1, max_size=30).map(tuple)),
)
replies = st.builds(
    Reply,
    title=st.none() | label,
    blocks=st.lists(blocks, max_size=8).map(tuple),
    ephemeral=st.booleans(),
    tone=st.sampled_from(list(Tone)),
    footer=st.none() | markup,
    notices=st.lists(markup, max_size=12).map(tuple),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(replies)
def test_any_reply_renders_within_slack_limits(reply: Reply) -> None:
    rendered = SlackRenderer().render(reply)
    check_rendered(rendered)
    assert rendered.ephemeral == reply.ephemeral


@settings(max_examples=30, deadline=None)
@given(replies)
def test_any_reply_fits_app_home(reply: Reply) -> None:
    blocks = fit_home(SlackRenderer().blocks(reply, {"radar.png": "F1"}) * 3)
    assert len(blocks) <= 100
    assert sum(block_chars(b) for b in blocks) <= HOME_CHARS + 200
    for block in blocks:
        check_block(block)
