"""A core ``Reply`` as Discord messages: embeds, files and button rows, always within limits.

Each block kind renders to layout pieces (description texts, fields, images, files,
buttons); the layout packs them into embeds and messages in reply order, opening a
new embed or message whenever a limit would be crossed, so long answers are split
and never rejected. Pure: no network, no discord.py state.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import discord

from coachbot.adapters.base import check_renderers, render_blocks
from coachbot.adapters.discord import limits
from coachbot.adapters.discord.ids import action_custom_id
from coachbot.adapters.discord.markdown import (
    ELLIPSIS,
    Line,
    chunks,
    clipped,
    paragraphs,
)
from coachbot.markup import Span, parse_inline, plain
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
BLANK = "\u200b"  # Discord refuses empty field names and values; this shows as nothing
COLOURS = {
    Tone.INFO: 0x5865F2,
    Tone.SUCCESS: 0x57F287,
    Tone.ERROR: 0xED4245,
    Tone.PROMPT: 0xFEE75C,
}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True, slots=True)
class OutFile:
    """A file to upload with a message (``description`` is its alt text)."""

    filename: str
    data: bytes
    description: str | None = None


@dataclass(frozen=True, slots=True)
class OutButton:
    """A button as Discord shows it."""

    custom_id: str
    label: str
    style: ButtonStyle


@dataclass
class EmbedDraft:
    """One embed being filled; ``size`` counts what Discord counts toward 6000."""

    colour: int
    title: str | None = None
    description: str = ""
    fields: list[Field] = field(default_factory=list)
    image: str | None = None
    footer: str | None = None

    def size(self) -> int:
        """Characters of title, description, field names and values, and footer."""
        parts = [self.title or "", self.description, self.footer or ""]
        parts += [f.name + f.value for f in self.fields]
        return sum(len(p) for p in parts)

    def to_embed(self) -> discord.Embed:
        """The discord.py embed."""
        embed = discord.Embed(
            title=self.title, description=self.description or None, colour=self.colour
        )
        for f in self.fields:
            embed.add_field(name=f.name, value=f.value, inline=f.inline)
        if self.image:
            embed.set_image(url=self.image)
        if self.footer:
            embed.set_footer(text=self.footer)
        return embed


@dataclass
class OutMessage:
    """One Discord message of a rendered reply."""

    embeds: list[EmbedDraft] = field(default_factory=list)
    files: list[OutFile] = field(default_factory=list)
    rows: list[list[OutButton]] = field(default_factory=list)
    content: str | None = None

    def size(self) -> int:
        """The embed characters of the whole message (Discord allows 6000)."""
        return sum(e.size() for e in self.embeds)

    def discord_embeds(self) -> list[discord.Embed]:
        """The embeds as discord.py objects."""
        return [e.to_embed() for e in self.embeds]


@dataclass(frozen=True, slots=True)
class Desc:
    """A description text that fits one embed."""

    text: str


@dataclass(frozen=True, slots=True)
class Embedded:
    """A picture shown inside an embed."""

    file: OutFile


@dataclass(frozen=True, slots=True)
class Attached:
    """A file sent along with the message."""

    file: OutFile


@dataclass(frozen=True, slots=True)
class Row:
    """The buttons of one Actions block."""

    buttons: tuple[Button, ...]


Piece = Desc | Field | Embedded | Attached | Row


def text_pieces(markup: str) -> list[Piece]:
    """A markup text as description pieces of at most 4096 characters."""
    return [Desc(c) for c in chunks(paragraphs(markup), limits.DESCRIPTION)]


def field_pieces(block: Fields) -> list[Piece]:
    """Each field within Discord's limits; a long value continues in unnamed fields."""
    out: list[Piece] = []
    for f in block.fields:
        name = clipped(f.name, limits.FIELD_NAME, people=False).strip() or BLANK
        values = chunks(paragraphs(f.value), limits.FIELD_VALUE) or [BLANK]
        out.append(Field(name, values[0], f.inline and len(values) == 1))
        out.extend(Field(BLANK, v) for v in values[1:])
    return out


def item_pieces(block: Items) -> list[Piece]:
    """A bullet list under its optional bold heading."""
    paras: list[list[Line]] = []
    if block.heading:
        spans = parse_inline(block.heading.replace("\n", " "))
        paras.append([Line(tuple(_bold(s) for s in spans))])
    bullets = "\n".join("- " + item.replace("\n", " ") for item in block.items)
    paras.extend(paragraphs(bullets))
    return [Desc(c) for c in chunks(paras, limits.DESCRIPTION)]


def _bold(span: Span) -> Span:
    return Span(span.text, "bold") if span.style == "plain" else span


def safe_filename(name: str, suffix: str = "") -> str:
    """A filename Discord accepts in ``attachment://`` URLs (ASCII, no spaces)."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip("._") or "file"
    if suffix and not cleaned.lower().endswith(suffix):
        cleaned += suffix
    return cleaned[-80:]


def image_pieces(block: Image) -> list[Piece]:
    """A chart as a PNG shown in its embed; the alt text describes the file."""
    alt = plain(block.alt)[:1024] or None
    return [Embedded(OutFile(safe_filename(block.filename, ".png"), block.data, alt))]


def attachment_pieces(block: Attachment) -> list[Piece]:
    """A file handed to the user."""
    return [Attached(OutFile(safe_filename(block.filename), block.data))]


def action_pieces(block: Actions) -> list[Piece]:
    """A row of buttons (wrapped at 5 per row when laid out)."""
    return [Row(block.buttons)] if block.buttons else []


RENDERERS: dict[type, Callable[[Any], list[Piece]]] = {
    Text: lambda b: text_pieces(b.markup),
    Fields: field_pieces,
    Items: item_pieces,
    Image: image_pieces,
    Attachment: attachment_pieces,
    Actions: action_pieces,
}
check_renderers(RENDERERS, "discord")


def render(reply: Reply, *, workspace: str) -> list[OutMessage]:
    """``reply`` as messages within every Discord limit; buttons carry ``workspace``."""
    layout = Layout(COLOURS.get(reply.tone, COLOURS[Tone.INFO]))
    title = clipped(reply.title, limits.TITLE, people=False) if reply.title else ""
    if title.strip():
        layout.open_embed(len(title)).title = title
    for pieces in render_blocks(reply.blocks, RENDERERS):
        layout.add_all(pieces)
    for notice in reply.notices:
        layout.add_all(text_pieces(f"★ {notice}"))
    if reply.footer:
        layout.add_footer(_clip_plain(plain(reply.footer), limits.FOOTER))
    return layout.finish(workspace)


def _clip_plain(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


class Layout:
    """Packs pieces into embeds and messages, in order, never crossing a limit."""

    def __init__(self, colour: int) -> None:
        self.colour = colour
        self.messages: list[OutMessage] = []
        self.rows: list[tuple[Button, ...]] = []

    def _new_message(self) -> OutMessage:
        self.messages.append(OutMessage())
        return self.messages[-1]

    def _last_embed(self) -> EmbedDraft | None:
        if not self.messages or not self.messages[-1].embeds:
            return None
        return self.messages[-1].embeds[-1]

    def _fits(self, extra: int) -> bool:
        return self.messages[-1].size() + extra <= limits.EMBED_TOTAL

    def open_embed(self, extra: int, files: int = 0, *, new_message: bool = False) -> EmbedDraft:
        """A fresh embed, in a new message when this one is full (or when asked)."""
        msg = self.messages[-1] if self.messages else self._new_message()
        full = len(msg.embeds) >= limits.EMBEDS_PER_MESSAGE
        no_room = not self._fits(extra) or len(msg.files) + files > limits.FILES_PER_MESSAGE
        if new_message or full or no_room:
            msg = self._new_message()
        msg.embeds.append(EmbedDraft(self.colour))
        return msg.embeds[-1]

    def add_all(self, pieces: list[Piece]) -> None:
        """Lay out ``pieces`` in order."""
        for piece in pieces:
            if isinstance(piece, Desc):
                self.add_text(piece.text)
            elif isinstance(piece, Field):
                self.add_field(piece)
            elif isinstance(piece, Embedded):
                self.add_image(piece.file)
            elif isinstance(piece, Attached):
                self.add_file(piece.file)
            else:
                self.rows.append(piece.buttons)

    def add_text(self, text: str) -> None:
        """Text joins the current description when it still reads in order and fits."""
        embed = self._last_embed()
        if embed is not None and not embed.fields and not embed.image:
            joined = f"{embed.description}\n\n{text}" if embed.description else text
            grow = len(joined) - len(embed.description)
            if len(joined) <= limits.DESCRIPTION and self._fits(grow):
                embed.description = joined
                return
        self.open_embed(len(text)).description = text

    def add_field(self, f: Field) -> None:
        """A field joins the current embed unless it shows a picture or is full."""
        embed = self._last_embed()
        extra = len(f.name) + len(f.value)
        full = embed is None or embed.image or len(embed.fields) >= limits.FIELDS
        if embed is None or full or not self._fits(extra):
            embed = self.open_embed(extra)
        embed.fields.append(f)

    def add_image(self, file: OutFile) -> None:
        """The picture goes below what precedes it, in the same message as its file."""
        embed = self._last_embed()
        msg = self.messages[-1] if self.messages else None
        if (
            embed is None
            or embed.image
            or msg is None
            or len(msg.files) >= limits.FILES_PER_MESSAGE
        ):
            embed = self.open_embed(0, files=1)
        named = self._unique(self.messages[-1], file)
        self.messages[-1].files.append(named)
        embed.image = f"attachment://{named.filename}"

    def add_file(self, file: OutFile) -> None:
        """A file rides on the current message, or a new one when it has ten."""
        msg = self.messages[-1] if self.messages else self._new_message()
        if len(msg.files) >= limits.FILES_PER_MESSAGE:
            msg = self._new_message()
        msg.files.append(self._unique(msg, file))

    @staticmethod
    def _unique(msg: OutMessage, file: OutFile) -> OutFile:
        taken = {f.filename for f in msg.files}
        name, n = file.filename, 2
        stem, dot, ext = file.filename.rpartition(".")
        while name in taken:
            name = f"{stem}-{n}.{ext}" if dot else f"{file.filename}-{n}"
            n += 1
        return OutFile(name, file.data, file.description)

    def add_footer(self, footer: str) -> None:
        """The footer closes the last embed (or a last small embed when that one is full)."""
        if not footer:
            return
        embed = self._last_embed()
        if embed is None or not self._fits(len(footer)):
            embed = self.open_embed(len(footer))
        embed.footer = footer

    def finish(self, workspace: str) -> list[OutMessage]:
        """The messages, never empty, with the buttons on the last one(s)."""
        if not any(m.embeds or m.files for m in self.messages):
            self.open_embed(1).description = ELLIPSIS
        rows = button_rows(self.rows, workspace)
        self.messages[-1].rows = rows[: limits.ROWS]
        for start in range(limits.ROWS, len(rows), limits.ROWS):
            self.open_embed(1, new_message=True).description = ELLIPSIS
            self.messages[-1].rows = rows[start : start + limits.ROWS]
        return self.messages


def button_rows(blocks: list[tuple[Button, ...]], workspace: str) -> list[list[OutButton]]:
    """Each Actions block on its own rows of at most five; duplicates and misfits dropped."""
    seen: set[str] = set()
    rows: list[list[OutButton]] = []
    for block in blocks:
        row: list[OutButton] = []
        for button in block:
            out = _button(button, workspace)
            if out is None or out.custom_id in seen:
                continue
            seen.add(out.custom_id)
            if len(row) == limits.BUTTONS_PER_ROW:
                rows.append(row)
                row = []
            row.append(out)
        if row:
            rows.append(row)
    return rows


def _button(button: Button, workspace: str) -> OutButton | None:
    custom_id = action_custom_id(workspace, button.action)
    if custom_id is None:
        log.error("button %r dropped: its action id does not fit a custom_id", button.label)
        return None
    label = _clip_plain(plain(button.label), limits.BUTTON_LABEL) or ELLIPSIS
    return OutButton(custom_id, label, button.style)
