"""The core's markup as Discord markdown, cut into pieces that each fit a limit.

Plain text is escaped (markdown characters, list and heading starts, masked links,
mentions, and every ``<`` so that no ``<#channel>``, ``</command:id>``, ``<t:time>``,
``<:emoji:id>`` or ``<@user>`` comes alive), so user text always shows as itself and
never pings. A person (the core's ``<@id>``) becomes Discord's ``<@id>`` where Discord
shows names (descriptions, field values, content; ``allowed_mentions`` keeps it from
pinging) and ``@id`` where it shows raw text (titles, field names: ``people=False``).
Every rendered line closes its own styles, which lets long texts be split between
paragraphs, then lines, then words, without ever leaving a ``**`` open.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from discord.utils import escape_markdown, escape_mentions

from coachbot.markup import Bullets, Paragraph, Span, Style, parse, parse_inline, span_text

ELLIPSIS = "…"
_MARKERS: dict[Style, str] = {"plain": "", "bold": "**", "italic": "*", "code": "`"}
_ORDERED = re.compile(r"^(\s*\d+)\.(?=\s)")
_TOKEN = re.compile(r"\s+|\S+\s*")
_MAY_NEED_ESCAPE = re.compile(r"[\\_~|*`<>#\-\[@]|^\s*\d")
# Follows every ``<`` of plain text: each of Discord's ``<…>`` constructs needs its marker
# (``@ # / : a: t:``...) right after the ``<``, and a zero-width space shows as nothing.
INERT = "\u200b"


@dataclass(frozen=True, slots=True)
class Line:
    """One rendered line: styled spans without line breaks, maybe a bullet."""

    spans: tuple[Span, ...]
    bullet: bool = False


def escape_plain(text: str) -> str:
    """Plain text that Discord shows literally: no markdown, no mention, no ``<…>`` construct."""
    if not _MAY_NEED_ESCAPE.search(text):
        return text  # plain prose: the escaping regexes would change nothing
    escaped = _ORDERED.sub(r"\1\\.", escape_mentions(escape_markdown(text)))
    return escaped.replace("<", "<" + INERT)


def render_span(span: Span) -> str:
    """One span in Discord markdown; surrounding spaces stay outside the markers."""
    if span.style == "user":
        return f"<@{span.text}>" if span.text.isdigit() else escape_plain("@" + span.text)
    if span.style == "channel":
        return f"<#{span.text}>" if span.text.isdigit() else escape_plain("#" + span.text)
    if span.style == "code":
        body = span.text.replace("`", "ʼ")
        return f"`{body}`" if body.strip() else body
    core = span.text.strip()
    if span.style == "plain" or not core:
        return escape_plain(span.text)
    lead = span.text[: len(span.text) - len(span.text.lstrip())]
    trail = span.text[len(span.text.rstrip()) :]
    mark = _MARKERS[span.style]
    return f"{lead}{mark}{escape_plain(core)}{mark}{trail}"


def render_line(line: Line) -> str:
    """A line as markdown, with its bullet."""
    body = "".join(render_span(s) for s in line.spans)
    return f"- {body}" if line.bullet else body


def _split_lines(spans: tuple[Span, ...]) -> list[tuple[Span, ...]]:
    """Cut spans at their line breaks; each piece keeps its style."""
    lines: list[list[Span]] = [[]]
    for span in spans:
        pieces = span.text.split("\n")
        for i, piece in enumerate(pieces):
            if i:
                lines.append([])
            if piece:
                lines[-1].append(Span(piece, span.style))
    return [tuple(line) for line in lines]


def paragraphs(markup: str) -> list[list[Line]]:
    """The markup's paragraphs and bullet lists, as lines."""
    out: list[list[Line]] = []
    for block in parse(markup):
        if isinstance(block, Paragraph):
            out.append([Line(spans) for spans in _split_lines(block.spans)])
        elif isinstance(block, Bullets):
            out.append([Line(_one_line(item), bullet=True) for item in block.items])
    return out


def _one_line(spans: tuple[Span, ...]) -> tuple[Span, ...]:
    return tuple(Span(s.text.replace("\n", " "), s.style) for s in spans)


def inline_line(markup: str, *, bullet: bool = False, people: bool = True) -> Line:
    """A markup text as one line (line breaks become spaces); without ``people``, a person
    is the plain ``@id`` (a channel ``#id``), for places where Discord shows ``<@id>`` as
    typed."""
    spans = _one_line(parse_inline(markup.replace("\n", " ")))
    if not people:
        spans = tuple(Span(span_text(s)) if s.style in ("user", "channel") else s for s in spans)
    return Line(spans, bullet)


def to_markdown(markup: str) -> str:
    """The whole markup as Discord markdown, paragraphs separated by a blank line."""
    return "\n\n".join("\n".join(render_line(ln) for ln in para) for para in paragraphs(markup))


def chunks(paras: list[list[Line]], limit: int) -> list[str]:
    """Rendered pieces of at most ``limit`` characters, cut at the cleanest boundary."""
    out: list[str] = []
    current = ""
    for para in paras:
        text = "\n".join(render_line(ln) for ln in para)
        joined = f"{current}\n\n{text}" if current else text
        if len(joined) <= limit:
            current = joined
            continue
        if current:
            out.append(current)
        current = ""
        for piece in _para_pieces(para, limit):
            joined = f"{current}\n{piece}" if current else piece
            if len(joined) <= limit:
                current = joined
            else:
                out.append(current)
                current = piece
    if current:
        out.append(current)
    return [c for c in out if c.strip()]


def _para_pieces(para: list[Line], limit: int) -> Iterator[str]:
    """A paragraph's lines, the over-long ones cut between words."""
    for line in para:
        rendered = render_line(line)
        if len(rendered) <= limit:
            yield rendered
        else:
            yield from split_line(line, limit)


def split_line(line: Line, limit: int) -> list[str]:
    """An over-long line cut between words (inside a word only when it alone is too long).

    Linear: each token's rendered size is added up, an upper bound of the piece's
    size since merging neighbouring spans of one style only saves markers.
    """
    tokens = [Span(tok, span.style) for span in line.spans for tok in _TOKEN.findall(span.text)]
    pieces: list[str] = []
    current: list[Span] = []
    size = 2 if line.bullet else 0
    for token, cost in _fitting_tokens(tokens, limit):
        if current and size + cost > limit:
            pieces.append(_render(current, line.bullet and not pieces))
            current, size = [], 0
            token = Span(token.text.lstrip(), token.style)
        current.append(token)
        size += cost
    if current:
        pieces.append(_render(current, line.bullet and not pieces))
    return [p.rstrip() for p in pieces if p.strip()]


def _fitting_tokens(tokens: list[Span], limit: int) -> Iterator[tuple[Span, int]]:
    """Tokens with their rendered size, each cut to render within ``limit`` even escaped."""
    size = max(1, (limit - 8) // 3)
    for token in tokens:
        cost = len(render_span(token))
        if cost + 2 <= limit:
            yield token, cost
            continue
        for start in range(0, len(token.text), size):
            piece = Span(token.text[start : start + size], token.style)
            yield piece, len(render_span(piece))


def _render(spans: list[Span], bullet: bool) -> str:
    return render_line(Line(_merge(spans), bullet))


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    """Join neighbouring spans of one style, so a bold phrase keeps one pair of markers."""
    merged: list[Span] = []
    for span in spans:
        if merged and merged[-1].style == span.style:
            merged[-1] = Span(merged[-1].text + span.text, span.style)
        else:
            merged.append(span)
    return tuple(merged)


def clipped(markup: str, limit: int, *, people: bool = True) -> str:
    """The markup as one markdown line of at most ``limit`` characters (``…`` when cut);
    ``people`` as in ``inline_line``."""
    line = inline_line(markup, people=people)
    rendered = render_line(line)
    if len(rendered) <= limit:
        return rendered
    pieces = split_line(line, limit - 1)
    return pieces[0].rstrip() + ELLIPSIS if pieces else ""
