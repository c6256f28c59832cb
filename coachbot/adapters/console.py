"""The local console: the same commands in a terminal, no token needed.

Lines are read from stdin (interactive or piped) and each gets one rendered reply.
``/as NAME`` switches the acting user, ``/press N`` presses button N of the last
reply, a line without a leading slash is a free question, ``/quit`` leaves. What the
console itself says (the banner, ``/as`` and ``/press``) is in the acting user's language.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from coachbot.adapters.base import check_renderers, render_blocks
from coachbot.app import App
from coachbot.dispatch import run_action
from coachbot.i18n import Lang, Localized
from coachbot.identity import PersonRef
from coachbot.markup import Bullets, Paragraph, Span, parse, span_text
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
            parts.append(f"== {reply.title} ==")
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
        return "   ".join(f"[{i}] {b.label}" for i, b in enumerate(block.buttons, 1)) + (
            "   (/press N)"
        )

    def _save(self, filename: str, data: bytes, label: str) -> str:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / filename
        path.write_bytes(data)
        return f"{label}: {path}"


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
        if line.startswith("/as"):
            return await self._switch(line[3:].strip())
        if line.startswith("/press"):
            return await self._press(line[6:].strip())
        line = message_line(line) or line
        reply = await run_line(self.app.dispatcher, self.person, line, channel=CONSOLE_CHANNEL)
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


async def run_console(
    app: App, user: str, stdin: IO[str] = sys.stdin, stdout: IO[str] = sys.stdout
) -> int:
    """Serve ``stdin`` until end of input or ``/quit``; returns the exit code."""
    out_dir = Path(app.services.settings.console.charts_dir)
    session = ConsoleSession(app, user, ConsoleRenderer(out_dir))
    app.services.extras["console_output"] = stdout
    app.services.extras["console_show"] = session.show  # delivered prompts' buttons: /press N
    interactive = stdin.isatty()
    if interactive:
        print(BANNER.get(await session.language()), file=stdout)
    while True:
        if interactive:
            print(f"{session.user}> ", end="", file=stdout, flush=True)
        line = await asyncio.to_thread(stdin.readline)
        if not line or line.strip() in ("/quit", "/exit"):
            return 0
        answer = await session.handle(line)
        if answer is not None:
            print(answer + "\n", file=stdout, flush=True)
