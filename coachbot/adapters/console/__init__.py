"""The local console: the same commands in a terminal, no token needed.

Lines are read from stdin (interactive or piped) and each gets one rendered reply.
``/as NAME`` switches the acting user, ``/press N`` presses button N of the last
reply, a line without a leading slash is a free question, ``/quit`` leaves. What the
console itself says (the banner, ``/as`` and ``/press``) is in the acting user's language.
Modules: this one renders and keeps the session, ``delivery`` is the DeliveryPort and
``platform`` the adapter the runtime drives (``coachbot.platform.PlatformAdapter``).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coachbot.adapters.base import check_renderers, render_blocks
from coachbot.app import App
from coachbot.dispatch import run_action
from coachbot.i18n import Lang, Localized
from coachbot.identity import PersonRef
from coachbot.markup import Bullets, Paragraph, Span, parse, parse_inline, span_text
from coachbot.reply import Actions, Attachment, Button, Fields, Image, Items, Reply, Text
from coachbot.textcommand import message_line, run_line

PLATFORM = "console"
CONSOLE_CHANNEL = "console"  # the one "channel" of the terminal, for where:here
WIDTH = 88
ITEM, ITEM_INDENT = "  • ", "    "
BANNER = Localized(
    "console coachbot — /aide pour les commandes, /as NOM pour changer d'utilisateur, "
    "/quit pour sortir.",
    "coachbot console — /help for the commands, /as NAME to switch user, /quit to leave.",
)
AS_USAGE = Localized(
    "Usage : /as NOM (lettres, chiffres, « . », « - », « _ »)",
    "Usage: /as NAME (letters, digits, '.', '-', '_')",
)
ACTING_AS = Localized("(vous agissez maintenant en tant que {name})", "(now acting as {name})")
PRESS_USAGE = Localized(
    "Usage : /press N, avec N de 1 à {count}", "Usage: /press N, with N from 1 to {count}"
)
NO_BUTTON = Localized("Aucun bouton sur lequel appuyer.", "No button to press.")


def spans_text(spans: tuple[Span, ...]) -> str:
    """Spans as plain text (code keeps its backticks, the rest loses its markers)."""
    return "".join(f"`{s.text}`" if s.style == "code" else span_text(s) for s in spans)


def markup_text(markup: str, width: int = WIDTH) -> str:
    """A markup text as plain text wrapped at ``width``, with bullets."""
    lines: list[str] = []
    for block in parse(markup):
        if isinstance(block, Paragraph):
            for raw in spans_text(block.spans).split("\n"):
                lines.extend(textwrap.wrap(raw, width) or [""])
        elif isinstance(block, Bullets):
            for item in block.items:
                lines.extend(
                    textwrap.wrap(
                        spans_text(item), width, initial_indent=ITEM, subsequent_indent=ITEM_INDENT
                    )
                )
        lines.append("")
    return "\n".join(lines).rstrip()


def hanging(marker: str, markup: str) -> str:
    """``markup`` wrapped after ``marker`` (``  • ``, ``★ ``), every later line indented
    under the text of the first, so a long item still reads as one item."""
    indent = " " * len(marker)
    first, *rest = markup_text(markup, WIDTH - len(marker)).split("\n")
    return "\n".join([marker + first, *(indent + line if line else "" for line in rest)])


@dataclass
class ConsoleRenderer:
    """Renders a Reply as plain text; files go to ``out_dir`` and their paths are printed."""

    out_dir: Path
    renderers: dict[type, Callable[[Any], str]] = field(init=False)

    def __post_init__(self) -> None:
        self.renderers = {
            Text: lambda b: markup_text(b.markup),
            Fields: self._fields,
            Items: self._items,
            Image: lambda b: self._save(b.filename, b.data, f"[chart] {b.alt}"),
            Attachment: lambda b: self._save(b.filename, b.data, "[file]"),
            Actions: self._actions,
        }
        check_renderers(self.renderers, "console")

    def render(self, reply: Reply) -> str:
        """The whole reply as text."""
        parts = []
        if reply.title:
            parts.append(f"== {spans_text(parse_inline(reply.title))} ==")
        parts.extend(p for p in render_blocks(reply.blocks, self.renderers) if p)
        parts.extend(hanging("★ ", n) for n in reply.notices)
        if reply.footer:
            parts.append(f"({reply.footer})")
        return "\n\n".join(parts)

    def _fields(self, block: Fields) -> str:
        return "\n".join(
            f"{f.name}\n{textwrap.indent(markup_text(f.value, WIDTH - 4), '    ')}"
            for f in block.fields
        )

    def _items(self, block: Items) -> str:
        head = [block.heading] if block.heading else []
        return "\n".join(head + [hanging(ITEM, i) for i in block.items])

    def _actions(self, block: Actions) -> str:
        labels = (spans_text(parse_inline(b.label)) for b in block.buttons)
        return "   ".join(f"[{i}] {label}" for i, label in enumerate(labels, 1)) + ("   (/press N)")

    def _save(self, filename: str, data: bytes, label: str) -> str:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = free_path(self.out_dir / filename, data)
        path.write_bytes(data)
        return f"{label}: {path}"


def free_path(path: Path, data: bytes) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext``... when a file with other bytes is there:
    a file written earlier (a backup before ``/coach forget``, a learner's own chart) is
    never overwritten; the same bytes again reuse their file."""
    candidate, n = path, 2
    while candidate.exists() and candidate.read_bytes() != data:
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


class ConsoleSession:
    """One terminal conversation: the acting user, the last buttons, the renderer."""

    def __init__(self, app: App, user: str, renderer: ConsoleRenderer) -> None:
        self.app = app
        self.workspace = app.services.settings.console.workspace
        self.user = user
        self.renderer = renderer
        self.last_buttons: tuple[Button, ...] = ()

    @property
    def person(self) -> PersonRef:
        """Who is typing now."""
        return PersonRef(PLATFORM, self.workspace, self.user)

    async def handle(self, line: str) -> str | None:
        """The rendered answer to one input line (None for a blank line or a comment)."""
        line = line.strip()
        if not line or line.startswith("#"):
            return None
        word, *more = line.split(None, 1)
        rest = more[0] if more else ""
        if word == "/as":
            return await self._switch(rest.strip())
        if word == "/press":
            return await self._press(rest.strip())
        line = message_line(line) or line
        # The console user owns the local workspace: its admin commands are theirs.
        reply = await run_line(
            self.app.dispatcher, self.person, line, channel=CONSOLE_CHANNEL, is_admin=True
        )
        return self.show(reply)

    def show(self, reply: Reply) -> str:
        """Render ``reply`` and remember its buttons for ``/press``."""
        buttons = tuple(
            b for block in reply.blocks if isinstance(block, Actions) for b in block.buttons
        )
        if buttons:
            self.last_buttons = buttons
        return self.renderer.render(reply)

    async def language(self) -> Lang:
        """The acting user's language, as the dispatcher would answer them."""
        return await self.app.dispatcher.language(self.person, None)

    async def _switch(self, name: str) -> str:
        """Act as ``name`` from now on; told in the new user's language."""
        if not name or not name.replace("_", "").replace("-", "").replace(".", "").isalnum():
            return AS_USAGE.get(await self.language())
        self.user = name
        return ACTING_AS.format(name=name).get(await self.language())

    async def _press(self, which: str) -> str:
        """Press button ``which`` (1-based) of the last reply that had buttons."""
        if not which.isdigit() or not 1 <= int(which) <= len(self.last_buttons):
            lang = await self.language()
            if not self.last_buttons:
                return NO_BUTTON.get(lang)
            return PRESS_USAGE.format(count=len(self.last_buttons)).get(lang)
        button = self.last_buttons[int(which) - 1]
        return self.show(await run_action(self.app.dispatcher, self.person, button.action, None))
