"""The small markup every reply text uses, and the escaping that keeps user text inert.

Syntax: paragraphs separated by a blank line, lines starting with ``- `` as bullets,
``**bold**``, ``_italic_``, ``code`` in backticks, ``<@user-id>`` for a person
(adapters show their name; it never pings) and ``<#channel-id>`` for a channel
(adapters show a link to it, or ``#id``); a backslash makes the next markup
character literal. Adapters parse this once and re-emit it in their
platform's syntax, escaping plain spans their own way, so user text stays text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Style = Literal["plain", "bold", "italic", "code", "user", "channel"]
_SPECIAL = frozenset("\\*_`<")
_USER = re.compile(r"<@([A-Za-z0-9_.-]{1,64})>")
_CHANNEL = re.compile(r"<#([A-Za-z0-9_.-]{1,64})>")
_NEXT_SPECIAL = re.compile(r"[\\*_`<]")  # where a span or an escape may start
ECHO_LIMIT = 40  # characters of user input quoted back in an error message
_BIDI_AND_INVISIBLE = frozenset(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text in one style."""

    text: str
    style: Style = "plain"


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Lines of inline spans; a line break inside a paragraph is kept as ``\\n`` in a span."""

    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Bullets:
    """A bullet list, one tuple of spans per item."""

    items: tuple[tuple[Span, ...], ...]


Block = Paragraph | Bullets


def neutralize(text: str) -> str:
    """Drop control, NUL and direction-override characters; tabs become spaces."""
    text = unicodedata.normalize("NFC", text).replace("\t", " ").replace("\r\n", "\n")
    return "".join(
        ch
        for ch in text
        if ch == "\n" or (ch not in _BIDI_AND_INVISIBLE and unicodedata.category(ch) != "Cc")
    )


def escape(text: str, *, inline: bool = True) -> str:
    """Make user-written ``text`` safe to embed in markup: it will render as itself.

    With ``inline`` (the default) line breaks become spaces, so user text cannot
    open a new paragraph or bullet inside the reply around it.
    """
    text = neutralize(text)
    if inline:
        text = " ".join(text.split("\n"))
    out = "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)
    # A "- " at a line start (blanks before it vanish when blocks are stripped) would be a bullet.
    return re.sub(r"(?m)^(\s*)- ", r"\1\\- ", out)


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """User input quoted back in a message: stripped, cut to ``limit`` characters (with an
    ellipsis when it was longer) and escaped, so a long or hostile value stays short and inert."""
    text = text.strip()
    return escape(text[:limit].rstrip() + "…" if len(text) > limit else text)


def mention(user_id: str) -> str:
    """Markup naming the person ``user_id``: a user span, or escaped ``@text`` if not an id."""
    return f"<@{user_id}>" if _USER.fullmatch(f"<@{user_id}>") else "@" + escape(user_id)


def channel_ref(channel_id: str) -> str:
    """Markup naming the channel ``channel_id``: a channel span, or escaped ``#text``."""
    ref = f"<#{channel_id}>"
    return ref if _CHANNEL.fullmatch(ref) else "#" + escape(channel_id)


def code(text: str) -> str:
    """``text`` as a code span, shown exactly as typed: inside backticks nothing is an
    escape, so the text only loses its backticks and invisible characters."""
    inner = neutralize(text).replace("`", "").replace("\n", " ")
    return f"`{inner}`" if inner.strip() else escape(text)


def parse_inline(text: str) -> tuple[Span, ...]:
    """Split one line (or paragraph) of markup into styled spans."""
    spans: list[Span] = []
    buf: list[str] = []
    i, n = 0, len(text)

    def flush() -> None:
        if buf:
            spans.append(Span("".join(buf)))
            buf.clear()

    while i < n:
        special = _NEXT_SPECIAL.search(text, i)  # plain text up to it needs no look
        stop = special.start() if special else n
        if stop > i:
            buf.append(text[i:stop])
            i = stop
            continue
        ch = text[i]
        if ch == "\\" and i + 1 < n and (text[i + 1] in _SPECIAL or text[i + 1] == "-"):
            buf.append(text[i + 1])
            i += 2
            continue
        styled = _styled_span(text, i)
        if styled is None:
            buf.append(ch)
            i += 1
            continue
        span, i = styled
        flush()
        spans.append(span)
    flush()
    return tuple(spans)


def _styled_span(text: str, i: int) -> tuple[Span, int] | None:
    """Read a bold, italic or code span starting at ``i``; None when there is none."""
    if text.startswith("**", i):
        end = _find_unescaped(text, "**", i + 2)
        if end > i + 2:
            return Span(_unescape(text[i + 2 : end]), "bold"), end + 2
        return None
    if text[i] == "<":
        user = _USER.match(text, i)
        if user:
            return Span(user.group(1), "user"), user.end()
        channel = _CHANNEL.match(text, i)
        return (Span(channel.group(1), "channel"), channel.end()) if channel else None
    if text[i] == "`":
        end = text.find("`", i + 1)
        return (Span(text[i + 1 : end], "code"), end + 1) if end > i + 1 else None
    if text[i] == "_" and (i == 0 or not text[i - 1].isalnum()):
        end = _find_unescaped(text, "_", i + 1)
        closes = end > i + 1 and (end + 1 >= len(text) or not text[end + 1].isalnum())
        return (Span(_unescape(text[i + 1 : end]), "italic"), end + 1) if closes else None
    return None


def _find_unescaped(text: str, token: str, start: int) -> int:
    """Index of the next ``token`` not preceded by a backslash escape, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(token, i):
            return i
        i += 1
    return -1


def _unescape(text: str) -> str:
    return re.sub(r"\\([\\*_`<-])", r"\1", text)


def parse(text: str) -> tuple[Block, ...]:
    """Parse a whole markup text into paragraphs and bullet lists."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        blocks.extend(_parse_chunk(chunk))
    return tuple(blocks)


def _parse_chunk(chunk: str) -> list[Block]:
    out: list[Block] = []
    lines: list[str] = []
    items: list[tuple[Span, ...]] = []
    for line in chunk.split("\n"):
        if line.startswith("- "):
            if lines:
                out.append(Paragraph(parse_inline("\n".join(lines))))
                lines = []
            items.append(parse_inline(line[2:].strip()))
        elif items and line.startswith("  ") and line.strip():
            items[-1] = items[-1] + (Span(" "),) + parse_inline(line.strip())
        else:
            if items:
                out.append(Bullets(tuple(items)))
                items = []
            lines.append(line.strip())
    if items:
        out.append(Bullets(tuple(items)))
    if lines and any(lines):
        out.append(Paragraph(parse_inline("\n".join(lines))))
    return out


def plain(text: str) -> str:
    """The text of some markup with every markup character removed (people as ``@id``)."""
    return "".join(span_text(span) for span in parse_inline(text))


def span_text(span: Span) -> str:
    """A span's text as plain words: a person is ``@id``, a channel ``#id``."""
    if span.style == "user":
        return "@" + span.text
    return "#" + span.text if span.style == "channel" else span.text
