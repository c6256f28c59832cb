"""A core ``Reply`` as Block Kit messages that Slack always accepts.

Each reply block kind has one renderer (the adapter refuses to start without one).
Slack's limits are enforced here, by cutting, never by failing: 3000 characters per
section text, 2000 per field (at most 10 per section), 150 for a header, 25 buttons per
actions block (75 characters of label), 10 elements per context block, and per
message at most 50 blocks and ``MESSAGE_CHARS`` characters (Slack answers
``msg_blocks_too_long`` well below 50 full sections); what does not fit goes into the
next message. Every mrkdwn text is ``verbatim`` so Slack adds no links or mentions
of its own. Pictures and files cannot travel inside a message: they are listed as
``uploads`` and the sender uploads them (``files_upload_v2``); a surface that can
show an uploaded picture (App Home) passes its file id and gets an image block.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from coachbot.adapters.base import check_renderers, render_blocks
from coachbot.adapters.slack.mrkdwn import (
    clip,
    escape,
    inline_pieces,
    pack,
    plain_texts,
    to_mrkdwn,
)
from coachbot.markup import neutralize, plain
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

log = logging.getLogger(__name__)

SECTION_CHARS = 3000
FIELD_CHARS = 2000
FIELDS_PER_SECTION = 10
HEADER_CHARS = 150
BUTTONS_PER_BLOCK = 25
BUTTON_CHARS = 75
ACTION_ID_CHARS = 255
VALUE_CHARS = 2000
CONTEXT_ELEMENTS = 10
CONTEXT_CHARS = 2000
ALT_CHARS = 2000
MESSAGE_BLOCKS = 50
HOME_BLOCKS = 100
MESSAGE_CHARS = 12_000
FALLBACK_CHARS = 300
ACTION_PREFIX = "cb:"
TONE_EMOJI = {Tone.ERROR: ":warning: ", Tone.SUCCESS: ":white_check_mark: ", Tone.PROMPT: ":bulb: "}

SlackBlock = dict[str, Any]


@dataclass(frozen=True)
class Upload:
    """A picture or file of a reply, to upload next to its message."""

    filename: str
    data: bytes
    title: str
    is_image: bool


@dataclass(frozen=True)
class Message:
    """One Slack message: blocks plus the notification text Slack shows without them."""

    blocks: list[SlackBlock]
    text: str


@dataclass(frozen=True)
class Rendered:
    """A whole reply for Slack: its messages in order, then what to upload."""

    messages: list[Message]
    uploads: list[Upload] = field(default_factory=list)
    ephemeral: bool = False


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object that Slack shows as written (no auto links or mentions)."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def plain_text(text: str, limit: int) -> dict[str, Any]:
    """A plain_text object cut to ``limit`` characters, on one line."""
    flat = " ".join(neutralize(text).split()) or "…"
    return {"type": "plain_text", "text": clip(flat, limit), "emoji": True}


def section(text: str) -> SlackBlock:
    """A section block holding one mrkdwn text (at most 3000 characters)."""
    return {"type": "section", "text": mrkdwn(text)}


def context(texts: list[str]) -> list[SlackBlock]:
    """Context blocks of at most 10 mrkdwn elements each."""
    return [
        {"type": "context", "elements": [mrkdwn(t) for t in texts[i : i + CONTEXT_ELEMENTS]]}
        for i in range(0, len(texts), CONTEXT_ELEMENTS)
    ]


def block_chars(block: SlackBlock) -> int:
    """How much text a block carries (what counts against Slack's per-message size)."""
    return len(json.dumps(block, ensure_ascii=False))


class SlackRenderer:
    """Renders replies as Block Kit; ``files`` maps image file names to uploaded Slack file ids."""

    def __init__(self) -> None:
        self.renderers: dict[type, Callable[[Any], list[SlackBlock]]] = {
            Text: lambda b: [section(t) for t in to_mrkdwn(b.markup, SECTION_CHARS)],
            Fields: self._fields,
            Items: self._items,
            Image: self._image,
            Attachment: lambda b: context([":paperclip: " + escape(clip(b.filename, 200))]),
            Actions: self._actions,
        }
        self._files: Mapping[str, str] = {}
        check_renderers(self.renderers, "slack")

    def blocks(self, reply: Reply, files: Mapping[str, str] | None = None) -> list[SlackBlock]:
        """Every block of ``reply`` in order, unsplit (each block within its own limits)."""
        self._files = files or {}
        out: list[SlackBlock] = []
        if reply.title:
            title = TONE_EMOJI.get(reply.tone, "") + plain(reply.title)
            out.append({"type": "header", "text": plain_text(title, HEADER_CHARS)})
        for rendered in render_blocks(reply.blocks, self.renderers):
            out.extend(rendered)
        notices = [":star: " + t for n in reply.notices for t in _line(n, CONTEXT_CHARS - 8)]
        footer = plain_texts(reply.footer, CONTEXT_CHARS) if reply.footer else []
        return out + context(notices) + context(footer)

    def render(
        self,
        reply: Reply,
        *,
        max_blocks: int = MESSAGE_BLOCKS,
        max_chars: int = MESSAGE_CHARS,
        files: Mapping[str, str] | None = None,
    ) -> Rendered:
        """``reply`` as one or more messages, each within Slack's per-message limits; a
        picture already uploaded (its file id in ``files``) is shown, not uploaded again."""
        blocks = self.blocks(reply, files)
        text = fallback_text(reply)
        chunks = split_blocks(blocks, max_blocks, max_chars) or [[]]
        messages = [Message(chunk, text) for chunk in chunks]
        pending = [u for u in uploads(reply) if u.filename not in (files or {})]
        return Rendered(messages, pending, reply.ephemeral)

    def _fields(self, block: Fields) -> list[SlackBlock]:
        out: list[SlackBlock] = []
        inline: list[dict[str, Any]] = []
        wide: list[str] = []
        for f in block.fields:
            text = _field_text(f)
            if not text.strip():
                continue
            if f.inline and len(text) <= FIELD_CHARS:
                out.extend(_flush_wide(wide))
                inline.append(mrkdwn(text))
            else:
                out.extend(_flush_inline(inline))
                wide.extend([*(["\n\n"] if wide else []), *_field_pieces(f)])
        return out + _flush_wide(wide) + _flush_inline(inline)

    def _items(self, block: Items) -> list[SlackBlock]:
        pieces: list[str] = []
        if block.heading:
            pieces.append(f"*{escape(clip(block.heading.strip(), 500))}*\n")
        for i, item in enumerate(block.items):
            pieces.extend(["\n"] if i else [])
            pieces.append("• ")
            pieces.extend(inline_pieces(item, SECTION_CHARS))
        return [section(t) for t in pack(pieces, SECTION_CHARS)]

    def _image(self, block: Image) -> list[SlackBlock]:
        file_id = self._files.get(block.filename)
        alt = clip(" ".join(neutralize(block.alt).split()) or block.filename, ALT_CHARS)
        if file_id:
            return [{"type": "image", "slack_file": {"id": file_id}, "alt_text": alt}]
        return context([":bar_chart: " + escape(clip(alt, 500))])

    def _actions(self, block: Actions) -> list[SlackBlock]:
        elements = _buttons(block.buttons)
        return [
            {"type": "actions", "elements": elements[i : i + BUTTONS_PER_BLOCK]}
            for i in range(0, len(elements), BUTTONS_PER_BLOCK)
        ]


def _line(markup: str, limit: int) -> list[str]:
    return pack(inline_pieces(markup, limit), limit)


def _field_text(f: Field) -> str:
    return "".join(_field_pieces(f))


def _field_pieces(f: Field) -> list[str]:
    name = f"*{escape(clip(f.name.strip(), 300))}*" if f.name.strip() else ""
    value = to_mrkdwn(f.value, SECTION_CHARS)
    return [name, *(["\n"] if name and value else []), *_joined(value)]


def _joined(texts: list[str]) -> list[str]:
    return [piece for i, t in enumerate(texts) for piece in ([t] if not i else ["\n\n", t])]


def _flush_inline(inline: list[dict[str, Any]]) -> list[SlackBlock]:
    """Sections of side-by-side fields: at most 10 each, and a third of a message's size."""
    out: list[SlackBlock] = []
    group: list[dict[str, Any]] = []
    for item in inline:
        size = sum(len(f["text"]) for f in group) + len(item["text"])
        if group and (len(group) >= FIELDS_PER_SECTION or size > MESSAGE_CHARS // 3):
            out.append({"type": "section", "fields": group})
            group = []
        group.append(item)
    inline.clear()
    return out + ([{"type": "section", "fields": group}] if group else [])


def _flush_wide(pieces: list[str]) -> list[SlackBlock]:
    out = [section(t) for t in pack(pieces, SECTION_CHARS)]
    pieces.clear()
    return out


def _buttons(buttons: tuple[Button, ...]) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = []
    seen: set[str] = set()
    for button in buttons:
        if len(button.action) > VALUE_CHARS:
            log.warning("button %r dropped: its action id is too long for Slack", button.label)
            continue
        action_id = _unique(clip(ACTION_PREFIX + button.action, ACTION_ID_CHARS), seen)
        element: dict[str, Any] = {
            "type": "button",
            "text": plain_text(plain(button.label), BUTTON_CHARS),
            "action_id": action_id,
            "value": button.action,
        }
        if button.style is not ButtonStyle.SECONDARY:
            element["style"] = button.style.value
        elements.append(element)
    return elements


def _unique(action_id: str, seen: set[str]) -> str:
    """Slack refuses two equal action ids in one block; the value still says what to run."""
    candidate, n = action_id, 1
    while candidate in seen:
        n += 1
        candidate = f"{action_id[: ACTION_ID_CHARS - 6]}#{n}"
    seen.add(candidate)
    return candidate


def split_blocks(
    blocks: list[SlackBlock], max_blocks: int, max_chars: int
) -> list[list[SlackBlock]]:
    """Consecutive runs of ``blocks``, each with at most ``max_blocks`` and ``max_chars``."""
    chunks: list[list[SlackBlock]] = []
    current: list[SlackBlock] = []
    size = 0
    for block in blocks:
        chars = block_chars(block)
        if current and (len(current) >= max_blocks or size + chars > max_chars):
            chunks.append(current)
            current, size = [], 0
        current.append(block)
        size += chars
    return chunks + ([current] if current else [])


def fallback_text(reply: Reply) -> str:
    """The notification text of a reply: its title, else the start of its first text."""
    first = reply.title or next((plain(b.markup) for b in reply.blocks if isinstance(b, Text)), "")
    flat = " ".join(neutralize(first).split())
    return escape(clip(flat, FALLBACK_CHARS)) if flat else "coachbot"


def uploads(reply: Reply) -> list[Upload]:
    """The pictures and files of ``reply``, in order."""
    out: list[Upload] = []
    for block in reply.blocks:
        if isinstance(block, Image):
            out.append(Upload(block.filename, block.data, clip(block.alt, 250), True))
        elif isinstance(block, Attachment):
            out.append(Upload(block.filename, block.data, block.filename, False))
    return out
