"""The console as its one user meets it: typed through ``ConsoleSession``, read as printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coachbot.adapters.console import ConsoleRenderer, ConsoleSession
from coachbot.app import App
from coachbot.prompts.parsing import format_days, parse_days
from tests.chat import ChatBot
from tests.test_recap import FRIDAY_0830_PARIS, body, due


@pytest.fixture
def console(app: App) -> ConsoleSession:
    renderer = ConsoleRenderer(Path(app.services.settings.console.charts_dir))
    return ConsoleSession(app, "alice", renderer)


async def say(console: ConsoleSession, *lines: str) -> str:
    """The printed answer to the last of ``lines`` (each line typed in turn)."""
    answer: str | None = None
    for line in lines:
        answer = await console.handle(line)
    assert answer is not None
    return answer


def saved_paths(text: str) -> list[Path]:
    return [Path(p) for p in re.findall(r"^\[(?:file|chart)\].*: (/\S+)$", text, re.M)]


async def test_the_console_user_sets_the_server_defaults(console: ConsoleSession) -> None:
    out = await say(
        console,
        "/coach language en",
        "/coach server timezone:America/New_York channel:#tips",
    )
    assert "== Server defaults saved ==" in out
    assert "`America/New_York`" in out and "\\" not in out
    assert "#tips" in out and "channel:here" not in out


async def test_a_subscription_shows_its_zone_and_days_as_typed(console: ConsoleSession) -> None:
    out = await say(
        console,
        "/coach language en",
        "/coach subscribe time:08:30 timezone:America/New_York days:mon,wed,fri",
    )
    assert "`America/New_York`" in out and "\\" not in out
    assert "`mon,wed,fri`" in out


def test_days_read_in_week_order_unless_a_range_runs_over_the_week_end() -> None:
    shown = {raw: format_days(parse_days(raw), "en") for raw in
             ("mon,wed,fri", "wed,fri,mon", "sun-thu", "fri-mon", "mon-fri", "sun,mon")}  # fmt: skip
    assert shown == {"mon,wed,fri": "mon,wed,fri", "wed,fri,mon": "mon,wed,fri",
                     "sun-thu": "sun-thu", "fri-mon": "fri-mon", "mon-fri": "mon-fri",
                     "sun,mon": "mon,sun"}  # fmt: skip
    assert format_days(parse_days("lun,mer,ven"), "fr") == "lun,mer,ven"


async def test_a_zero_width_space_in_a_value_is_ignored(console: ConsoleSession) -> None:
    out = await say(console, "/coach language en", "/cto salary region:pa\u200bris")
    assert "not a known region" not in out
    assert "k€" in out


async def test_only_the_exact_as_command_switches_user(console: ConsoleSession) -> None:
    await say(console, "/coach language en")
    asked = await say(console, "/ask what does a CTO do?")
    assert "Usage: /as" not in asked and "Usage : /as" not in asked
    glued = await say(console, "/asbob")
    assert console.user == "alice" and "acting as" not in glued
    assert "Unknown command" in glued or "Commande inconnue" in glued
    assert "bob" in await say(console, "/as bob") and console.user == "bob"


async def test_an_export_after_forget_keeps_the_earlier_backup(console: ConsoleSession) -> None:
    await say(console, "/coach language en", "/progress rate skill:budget level:2")
    [before] = saved_paths(await say(console, "/coach export"))
    kept = before.read_bytes()
    await say(console, "/coach forget", "/press 1")
    await say(console, "/coach language en")
    [after] = saved_paths(await say(console, "/coach export"))
    assert after != before and before.read_bytes() == kept
    assert b"budget" in kept and b"budget" not in after.read_bytes()


async def test_a_mentor_view_never_overwrites_the_learners_chart(
    console: ConsoleSession,
) -> None:
    await say(console, "/coach language en", "/progress rate skill:budget level:2")
    await say(console, "/mentor request user:@bob", "/as bob", "/coach language en")
    await say(console, "/mentor accept user:@alice")
    await say(console, "/as alice")
    own = saved_paths(await say(console, "/progress show"))
    kept = [path.read_bytes() for path in own]
    await say(console, "/as bob")
    viewed = saved_paths(await say(console, "/mentor view user:@alice"))
    assert [path.read_bytes() for path in own] == kept  # the learner's charts are theirs
    assert viewed and all(path.exists() for path in viewed)
    assert not set(viewed) & set(own)


async def test_the_weekly_recap_names_french_commands_to_french_readers(bot: ChatBot) -> None:
    await bot.say("/coach abonner heure:08:30 jours:lun-ven")  # French, the default
    sent = await due(bot, FRIDAY_0830_PARIS)
    [(_, _, recap, _)] = sent
    text = body(recap)
    assert "`/progression voir`" in text and "`/coach conseil`" in text
    assert "/progress`" not in text and "/coach tip" not in text


async def test_french_usage_and_settings_use_french_words_only(console: ConsoleSession) -> None:
    usage = await say(console, "/progression noter niveau:9")
    assert "<skill>" not in usage and "competence:<compétence>" in usage
    settings = await say(console, "/coach abonner heure:08:30")
    assert "(time)" not in settings and "(timezone)" not in settings
    assert "Heure" in settings


@pytest.mark.parametrize(
    "line",
    [
        "/progress log note:led the incident review skill:security",
        "/progress log skill:security note:led the incident review",
    ],
)
async def test_a_note_does_not_swallow_the_options_after_it(
    console: ConsoleSession, line: str
) -> None:
    out = await say(console, "/coach language en", line)
    assert "Logged" in out or "logged" in out, out
    shown = await say(console, "/progress show chart:false")
    assert "led the incident review" in shown
    assert "skill:security" not in shown
