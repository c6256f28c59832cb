"""What a command answers: plain, frozen data that every adapter renders its own way.

A ``Reply`` is a title plus an ordered tuple of blocks. Each block kind has one
renderer per adapter; an adapter meeting a kind it has no renderer for fails
loudly (see ``coachbot.adapters.base.render_blocks``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class Tone(StrEnum):
    """How a reply should look: adapters map it to a colour or an icon."""

    INFO = "info"
    SUCCESS = "success"
    ERROR = "error"
    PROMPT = "prompt"


class ButtonStyle(StrEnum):
    """The visual weight of a button."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Text:
    """A markup text (see ``coachbot.markup``): paragraphs and bullets."""

    markup: str


@dataclass(frozen=True, slots=True)
class Field:
    """A named value; ``inline`` fields may sit side by side."""

    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True, slots=True)
class Fields:
    """A group of fields (name in plain text, value in markup)."""

    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class Items:
    """A list of markup items, rendered as bullets."""

    items: tuple[str, ...]
    heading: str | None = None


@dataclass(frozen=True, slots=True)
class Image:
    """A PNG picture to show with the reply."""

    filename: str
    data: bytes
    alt: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to hand to the user (an export, a report)."""

    filename: str
    data: bytes
    mime: str


@dataclass(frozen=True, slots=True)
class Button:
    """An action the user can take; ``action`` is an opaque id the core knows how to run."""

    action: str
    label: str
    style: ButtonStyle = ButtonStyle.SECONDARY


@dataclass(frozen=True, slots=True)
class Actions:
    """A row of buttons."""

    buttons: tuple[Button, ...]


Block = Text | Fields | Items | Image | Attachment | Actions
BLOCK_KINDS: tuple[type, ...] = (Text, Fields, Items, Image, Attachment, Actions)


@dataclass(frozen=True, slots=True)
class Reply:
    """A platform-neutral answer: what to show, to whom, and how it should feel."""

    title: str | None = None
    blocks: tuple[Block, ...] = ()
    ephemeral: bool = False
    tone: Tone = Tone.INFO
    footer: str | None = None
    notices: tuple[str, ...] = field(default=())
    bad_option: str | None = None  # an error about one option's value: its English id

    def with_notices(self, *notices: str) -> Reply:
        """Return a copy carrying extra one-line notices (milestones, warnings)."""
        return replace(self, notices=self.notices + tuple(notices))


def error(title: str, markup: str, *, ephemeral: bool = True) -> Reply:
    """An error reply: it says what went wrong and what is accepted."""
    return Reply(title=title, blocks=(Text(markup),), tone=Tone.ERROR, ephemeral=ephemeral)
