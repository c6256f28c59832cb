"""Hostile text in mentor notes and evidence logs: stored as written, shown back neutralised.

Whatever a user writes renders as itself, in plain spans only (so every adapter escapes
it its own way), cannot open a bullet or a paragraph, and the words the bot adds around
it never mention anyone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from coachbot.app import App
from coachbot.db.models import Activity, Evidence, MentorNote, Milestone
from coachbot.dispatch import Invocation
from coachbot.identity import PersonRef
from coachbot.markup import Bullets, escape, neutralize, parse
from coachbot.mentors.notes import storable
from coachbot.reply import Fields, Items, Reply, Text, Tone
from coachbot.tracker.usertext import blank
from tests.chat import ChatBot

HOSTILE = (
    "@everyone look",
    "@here standup now",
    "<!channel> <!here> <!everyone>",
    "ping <@123> and <@!456> and role <@&789>",
    "*bold* **strong** _it_ ~strike~ `code` ```block```",
    "> quote | pipe | table",
    "<https://evil.example|click me> &amp; &lt;b&gt; < & >",
    "back\\slash \\* \\_ \\`",
    "nul\x00in\x00the\x00middle",
    "\u202eevil right-to-left\u202c and \u200fRLM\u200e marks \u2066isolate\u2069",
    "- a fake bullet\n\n- and a new paragraph\n# heading",
    "  - indented fake bullet",
    "tab\tand\r\nwindows line",
)
INVISIBLE = (
    "\x00\x00\x00",
    "\u202e\u202c \u200f\u200e",
    " \t \u2066\u2069 \x00 ",
    "\u200b\ufeff\u2060\u200d",
    "\x01\x1b\x7f\x85",
    "\x00\n\u200f\n ",
)
MENTION = re.compile(r"@everyone|@here|<!\w+[^>]*>|<@[!&]?\w+(\|[^>]*)?>")
PIECES = st.sampled_from(
    (
        *("@everyone", "@here", "<!channel>", "<@123>", "*", "_", "~", "`", ">", "|", "<", "&"),
        *("\x00", "\u202e", "\u200f", "\n", "\n\n", "- ", "\\", "**", "```"),
    )
)
TEXTS = st.lists(st.text(max_size=12) | PIECES, max_size=40).map("".join)


def squeezed(text: str) -> str:
    """Text without any whitespace: the console wraps lines (and breaks after hyphens)."""
    return re.sub(r"\s+", "", text)


def structure(markup: str) -> list[tuple[str, int]]:
    return [
        (type(b).__name__, len(b.items) if isinstance(b, Bullets) else 1) for b in parse(markup)
    ]


def assert_inert(bot: ChatBot, reply: Reply, written: str, earlier: Sequence[str] = ()) -> None:
    """``written`` shows as itself, in plain spans, opens no block, and nothing the bot
    wrote around it (and around the ``earlier`` user texts it may show) mentions anyone."""
    markups = [b.markup for b in reply.blocks if isinstance(b, Text)]
    markups += [i for b in reply.blocks if isinstance(b, Items) for i in b.items]
    markups += [f.value for b in reply.blocks if isinstance(b, Fields) for f in b.fields]
    escaped = escape(written)
    holders = [m for m in markups if escaped in m]
    assert holders, "the text is not shown escaped"
    for markup in holders:
        assert structure(markup) == structure(markup.replace(escaped, "X"))
        spans = [
            span
            for block in parse(markup)
            for line in (block.items if isinstance(block, Bullets) else (block.spans,))
            for span in line
        ]
        assert " ".join(neutralize(written).split("\n")).strip() in "".join(s.text for s in spans)
        for span in spans:
            if MENTION.search(span.text) or any(ch in span.text for ch in "`*_"):
                assert span.style == "plain", span
    rendered = bot.session.renderer.render(reply)
    assert rendered == neutralize(rendered)  # no control or direction character left
    assert squeezed(neutralize(written)) in squeezed(rendered)
    around = squeezed(rendered)
    for text in (written, *earlier):
        around = around.replace(squeezed(neutralize(text)), " ")
    assert not MENTION.search(around), around


@pytest.fixture
async def linked(bot: ChatBot) -> ChatBot:
    """bob mentors alice; both chose English; bob speaks."""
    for user in ("alice", "bob"):
        await bot.as_(user).say("/coach language en")
    await bot.as_("alice").say("/progress rate skill:budget level:2")
    await bot.as_("alice").say("/mentor request user:@bob")
    await bot.as_("bob").say("/mentor accept user:@alice")
    return bot


async def note_as_bob(app: App, text: str) -> Reply:
    """What a platform adapter does: the option values as they came, no text parsing."""
    inv = Invocation(
        person=PersonRef("console", app.services.settings.console.workspace, "bob"),
        path=("mentor", "note"),
        args={"user": "<@alice>", "text": text},
        locale="en",
    )
    return await app.dispatcher.dispatch(inv)


async def last_note(app: App) -> str | None:
    async with app.services.database().session() as session:
        query = select(MentorNote.text).order_by(col(MentorNote.id).desc())
        return (await session.exec(query)).first()


async def test_hostile_notes_are_stored_as_written_and_shown_inert(
    linked: ChatBot, app: App
) -> None:
    for written in HOSTILE:
        kept = storable(written.strip())
        reply = await note_as_bob(app, written)
        assert reply.tone is Tone.SUCCESS, written
        assert await last_note(app) == kept
        assert_inert(linked, reply, kept)
        assert_inert(linked, await linked.as_("alice").reply("/progress show"), kept)
        earlier = [storable(t.strip()) for t in HOSTILE[: HOSTILE.index(written)]]
        assert_inert(linked, await linked.reply("/progress notes"), kept, earlier)


async def test_hostile_logs_are_stored_as_written_and_shown_inert(
    linked: ChatBot, app: App
) -> None:
    for n, written in enumerate(HOSTILE):
        inv = Invocation(
            person=linked.as_("alice").person,
            path=("progress", "log"),
            args={"skill": "security", "note": written},
            locale="en",
        )
        logged = await app.dispatcher.dispatch(inv)
        assert logged.tone is Tone.SUCCESS, written
        async with app.services.database().session() as session:
            query = select(Evidence.note).order_by(col(Evidence.id).desc())
            stored = (await session.exec(query)).first()
        assert stored is not None
        kept = stored.replace("\x00", "")  # PostgreSQL cannot hold NUL bytes
        assert kept == written.strip().replace("\x00", "")
        earlier = [t.strip().replace("\x00", "") for t in HOSTILE[:n]]
        assert_inert(linked, logged, kept)
        assert_inert(linked, await linked.reply("/progress show"), kept, earlier)
        view = await linked.as_("bob").reply("/mentor view user:@alice")
        assert_inert(linked, view, kept, earlier)


async def test_hostile_notes_typed_in_the_console(linked: ChatBot, app: App) -> None:
    for line in HOSTILE[:8]:  # a typed line has no newline or NUL
        reply = await linked.as_("bob").reply(f"/mentor note user:@alice text:{line}")
        assert reply.tone is Tone.SUCCESS, line
        assert await last_note(app) == line.strip()
        assert_inert(linked, reply, line.strip())


async def test_ten_thousand_characters_are_refused_with_the_limit(
    linked: ChatBot, app: App
) -> None:
    huge = "@everyone " * 1000
    note = await note_as_bob(app, huge)
    assert note.tone is Tone.ERROR
    assert "longer than 1000 characters (9999)" in linked.session.renderer.render(note)
    assert await last_note(app) is None
    log = await linked.as_("alice").say("/progress log skill:security note:" + "x" * 10_000)
    assert "500" in log and "Nothing" in log
    async with app.services.database().session() as session:
        assert list(await session.exec(select(Evidence))) == []


async def test_text_that_shows_nothing_is_refused_and_nothing_is_saved(
    linked: ChatBot, app: App
) -> None:
    """NUL bytes, direction marks, zero-width and control characters, spaces: once
    neutralised nothing is left, so neither a log nor a note is saved, nor a day counted."""
    alice = linked.as_("alice").person
    for written in INVISIBLE:
        inv = Invocation(alice, ("progress", "log"), {"skill": "security", "note": written}, "en")
        logged = await app.dispatcher.dispatch(inv)
        assert logged.tone is Tone.ERROR, repr(written)
        text = linked.session.renderer.render(logged)
        assert "The note is empty once invisible and control characters" in text
        assert "Nothing was saved" in text and "Usage: `/progress log" in text
        assert logged.notices == ()
        noted = await note_as_bob(app, written)
        assert noted.tone is Tone.ERROR, repr(written)
        assert "The note is empty" in linked.session.renderer.render(noted)
    async with app.services.database().session() as session:
        for model in (Evidence, MentorNote, Activity):
            assert list(await session.exec(select(model))) == [], model
        milestones = set(await session.exec(select(Milestone.key)))
    assert milestones == {"first_rating"}  # from the fixture's rating, nothing more
    french = await linked.as_("carol").say("/progression consigner competence:securite note:\u200f")
    assert "La note est vide une fois retirés les caractères invisibles" in french


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(written=TEXTS)
async def test_any_note_is_stored_as_written_and_rendered_inert(
    linked: ChatBot, app: App, written: str
) -> None:
    kept = storable(written.strip())
    assume(not blank(kept) and len(written.strip()) <= 1000)
    reply = await note_as_bob(app, written)
    assert reply.tone is Tone.SUCCESS, linked.session.renderer.render(reply)
    assert await last_note(app) == kept
    assert_inert(linked, reply, kept)
