"""The markup escapes user text so that it always renders as itself."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coachbot.markup import Bullets, Paragraph, Span, escape, neutralize, parse, parse_inline


def test_inline_styles() -> None:
    assert parse_inline("a **b** _c_ `d`") == (
        Span("a "),
        Span("b", "bold"),
        Span(" "),
        Span("c", "italic"),
        Span(" "),
        Span("d", "code"),
    )


def test_snake_case_is_not_italic() -> None:
    assert parse_inline("use skill_id here") == (Span("use skill_id here"),)


def test_paragraphs_and_bullets() -> None:
    blocks = parse("Intro line\n\n- one\n- **two**\n\nEnd")
    assert blocks == (
        Paragraph((Span("Intro line"),)),
        Bullets(((Span("one"),), (Span("two", "bold"),))),
        Paragraph((Span("End"),)),
    )


def test_neutralize_drops_controls_and_direction_marks() -> None:
    assert neutralize("a\x00b\u202ec\u200fd\te") == "abcd e"


@given(st.text(max_size=300))
def test_escaped_user_text_renders_as_itself(text: str) -> None:
    spans = parse_inline(escape(text))
    rendered = "".join(s.text for s in spans)
    assert all(s.style == "plain" for s in spans)
    assert rendered == " ".join(neutralize(text).split("\n"))


@given(st.text(max_size=200))
def test_escaped_text_alone_is_one_plain_paragraph(text: str) -> None:
    escaped = escape(text)
    blocks = parse(escaped)
    assert all(isinstance(b, Paragraph) for b in blocks)
    assert (
        "".join(s.text for b in blocks for s in b.spans)
        == neutralize(  # type: ignore[union-attr]
            " ".join(text.split("\n"))
        ).strip()
    )


def test_leading_blanks_before_a_dash_stay_text() -> None:
    assert parse(escape("   - not a bullet")) == (Paragraph((Span("- not a bullet"),)),)


@given(st.text(max_size=200))
def test_escaped_text_cannot_open_blocks(text: str) -> None:
    blocks = parse("Before " + escape(text) + " after")
    assert all(isinstance(b, Paragraph) for b in blocks)
    assert all(span.style == "plain" for b in blocks for span in b.spans)  # type: ignore[union-attr]


def test_a_person_is_a_user_span() -> None:
    from coachbot.markup import mention, plain

    assert parse_inline(f"Mentor: {mention('U0ABC')}!") == (
        Span("Mentor: "),
        Span("U0ABC", "user"),
        Span("!"),
    )
    assert plain(mention("bob")) == "@bob"
    assert parse_inline(mention("not an id")) == (Span("@not an id"),)


def test_user_text_cannot_forge_a_person() -> None:
    assert parse_inline(escape("<@123>")) == (Span("<@123>"),)


def test_echo_cuts_long_input_and_keeps_it_inert() -> None:
    from coachbot.markup import ECHO_LIMIT, echo

    assert echo("  paris  ") == "paris"
    assert echo("x" * 5000) == "x" * ECHO_LIMIT + "…"
    assert echo("*" * 50) == "\\*" * ECHO_LIMIT + "…"
    assert echo("a" * ECHO_LIMIT) == "a" * ECHO_LIMIT
