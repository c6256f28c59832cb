"""The core's markup re-emitted as Slack mrkdwn, cut into pieces that fit Slack's limits.

Every span is escaped on the way out: ``&``, ``<`` and ``>`` become entities, so no
text can form a mention (``<@U1>``, ``<!channel>``) or a link. mrkdwn has no escape
character, so a formatting character (``* _ ~``) gets a zero-width space on each side
only where it could open or close a style: at a word's edge. Inside a word
(``software_development``, ``America/New_York``) Slack formats nothing, so it is left
as is and a suggestion pasted back is the value itself. A backtick always gets them,
and a ``>`` starting a line gets one before it so the line cannot become a quote.
Only the core's own styles produce formatting. A code span holding nothing but a
channel id (the core quotes a tips channel that way) becomes ``<#C…>``, which Slack
shows as the channel's name, linked. Escaping never looks further than one
character each side, so long texts can be cut anywhere between characters and every
piece stays valid (a cut only ever adds a zero-width space).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from coachbot.markup import Bullets, Paragraph, Span, neutralize, parse, parse_inline

ZWSP = "\u200b"
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "`": f"{ZWSP}`{ZWSP}"})
# A style marker that is not between two word characters, where Slack could format.
_MARKER = re.compile(r"(?<!\w)[*_~]|[*_~](?!\w)")
_QUOTE = re.compile(r"(?m)^(\s*)&gt;")
_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,20}")
_SLACK_CHANNEL = re.compile(r"[CG][A-Z0-9]{2,20}")
_CODE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "`": "ˋ"})
_MARKERS = {"bold": "*", "italic": "_", "code": "`"}
BULLET = "• "


def escape(text: str) -> str:
    """``text`` as inert mrkdwn: it shows as itself and can ping or format nothing."""
    marked = _MARKER.sub(lambda m: f"{ZWSP}{m.group()}{ZWSP}", neutralize(text))
    return _QUOTE.sub(lambda m: f"{m.group(1)}{ZWSP}&gt;", marked.translate(_ENTITIES))


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when something was dropped."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def render_span(span: Span) -> str:
    """One styled span as mrkdwn; markers go around each line's non-blank text only."""
    if span.style == "user":
        return f"<@{span.text}>" if _SLACK_USER.fullmatch(span.text) else escape("@" + span.text)
    if span.style == "channel":
        return f"<#{span.text}>" if _SLACK_CHANNEL.fullmatch(span.text) else escape("#" + span.text)
    if span.style == "plain":
        return escape(span.text)
    if span.style == "code" and _SLACK_CHANNEL.fullmatch(span.text):
        return f"<#{span.text}>"  # the core quotes a channel by id: Slack shows its name
    return "\n".join(_styled_line(line, span.style) for line in span.text.split("\n"))


def _styled_line(line: str, style: str) -> str:
    core = line.strip()
    if not core:
        return escape(line)
    lead, trail = line[: len(line) - len(line.lstrip())], line[len(line.rstrip()) :]
    inner = neutralize(core).translate(_CODE) if style == "code" else escape(core)
    marker = _MARKERS[style]
    return f"{escape(lead)}{marker}{inner}{marker}{escape(trail)}"


def fit_span(span: Span, limit: int) -> list[str]:
    """``span`` rendered as pieces of at most ``limit`` characters, cut at spaces when possible."""
    rendered = render_span(span)
    if len(rendered) <= limit or len(span.text) <= 1:
        return [rendered] if len(rendered) <= limit else []
    cut = _cut_point(span.text)
    return fit_span(Span(span.text[:cut], span.style), limit) + fit_span(
        Span(span.text[cut:], span.style), limit
    )


def _cut_point(text: str) -> int:
    middle = len(text) // 2
    window = text[middle // 2 : middle + middle // 2]
    space = window.rfind(" ")
    return middle // 2 + space + 1 if space > 0 else middle


def spans_pieces(spans: Iterable[Span], limit: int) -> list[str]:
    """The mrkdwn pieces of a run of spans, each within ``limit``."""
    return [piece for span in spans for piece in fit_span(span, limit)]


def markup_pieces(markup: str, limit: int) -> list[str]:
    """A whole markup text as mrkdwn pieces: paragraphs apart, bullets as ``•`` lines."""
    pieces: list[str] = []
    for block in parse(markup):
        if pieces:
            pieces.append("\n\n")
        if isinstance(block, Paragraph):
            pieces.extend(spans_pieces(block.spans, limit))
        elif isinstance(block, Bullets):
            for i, item in enumerate(block.items):
                pieces.extend(["\n"] if i else [])
                pieces.append(BULLET)
                pieces.extend(spans_pieces(item, limit))
    return pieces


def inline_pieces(markup: str, limit: int) -> list[str]:
    """One line of markup (an item, a notice) as mrkdwn pieces."""
    return spans_pieces(parse_inline(" ".join(markup.split("\n"))), limit)


def plain_texts(text: str, limit: int) -> list[str]:
    """Plain text (no markup: footers, names) as escaped mrkdwn texts within ``limit``."""
    return pack(fit_span(Span(text), limit), limit)


def pack(pieces: Iterable[str], limit: int) -> list[str]:
    """Join pieces into texts of at most ``limit`` characters; no text starts or ends blank."""
    texts: list[str] = []
    current = ""
    for piece in pieces:
        if current.strip() and len(current) + len(piece) > limit:
            texts.append(current.rstrip())
            current = ""
        current = current + piece if current.strip() else piece.lstrip()
    if current.strip():
        texts.append(current.rstrip())
    return texts


def to_mrkdwn(markup: str, limit: int) -> list[str]:
    """A markup text as mrkdwn texts of at most ``limit`` characters each."""
    return pack(markup_pieces(markup, limit), limit)
