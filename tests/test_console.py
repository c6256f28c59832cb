"""The console works for real: piped input, one reply per line, exit 0; ``coachbot ask``."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from coachbot.adapters.console.platform import ConsolePlatform, run_console
from coachbot.app import App
from coachbot.delivery import DeliveryTarget
from coachbot.reply import Actions, Button, Reply, Text
from tests.chat import ChatBot

ROOT = Path(__file__).resolve().parent.parent


def run(
    args: list[str], tmp_path: Path, stdin: str = "", **env_extra: str
) -> subprocess.CompletedProcess[str]:
    env = {"COACHBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", "PATH": ""}
    env |= {"PYTHONPATH": os.environ.get("PYTHONPATH", "")} | env_extra
    return subprocess.run(
        [sys.executable, "-m", "coachbot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )


def test_piped_chat_session(tmp_path: Path) -> None:
    assert run(["migrate"], tmp_path).returncode == 0
    script = "/coach language en\n/cto salary paris expert\n\n/as bob\n/cto day hour:10\n"
    result = run(["chat", "--user", "alice"], tmp_path, script)
    assert result.returncode == 0, result.stderr
    replies = [r for r in result.stdout.split("\n\n== ") if r.strip()]
    assert "Language saved" in result.stdout
    assert "100–140 k€ gross / year" in result.stdout
    # bob never chose a language: French, the default, from the console's own words on
    assert "(vous agissez maintenant en tant que bob)" in result.stdout
    assert "Une journée de CTO" in result.stdout or "journée" in result.stdout
    assert len(replies) >= 3


def test_ask_prints_an_answer_and_exits_zero(tmp_path: Path) -> None:
    result = run(["ask", "--lang", "en", "how much does a CTO earn in Paris?"], tmp_path)
    assert result.returncode == 0
    assert "/cto salary region:paris" in result.stdout  # the grid's answer, as typed
    assert "Sources: a French recruitment firm's CTO guide" in result.stdout


def test_broken_config_exits_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[bot]\nlangue = 'fr'\n")
    result = run(["ask", "hello"], tmp_path)
    assert result.returncode == 2 and "unknown setting [bot] langue" in result.stderr


class _PromptThenPress(io.StringIO):
    """Stdin that, when first read, has the scheduler deliver a prompt, then presses button 1."""

    def __init__(self, prompt: Reply) -> None:
        super().__init__("/press 1\n")
        self.prompt: Reply | None = prompt
        self.console: ConsolePlatform | None = None

    def readline(self, *args: Any) -> str:
        if self.prompt is not None and self.console is not None:
            # the scheduler delivering a prompt through the console's port
            target = DeliveryTarget(self.console.session.person)
            asyncio.run(self.console.delivery.send(target, self.prompt, nonce="n1"))
            self.prompt = None
        return super().readline(*args)


async def test_buttons_of_a_delivered_prompt_can_be_pressed(app: App) -> None:
    out = io.StringIO()
    prompt = Reply(title="Tip", blocks=(Text("x"), Actions((Button("gone:1", "Done"),))))
    stdin = _PromptThenPress(prompt)
    stdin.console = ConsolePlatform(app, "alice", stdin=stdin, stdout=out)
    await stdin.console.serve()
    assert "scheduled message for alice" in out.getvalue()
    assert "Ce bouton n'est plus valable" in out.getvalue()  # /press 1 reached the action


def test_an_accelerated_clock_never_touches_the_real_database(tmp_path: Path) -> None:
    assert run(["migrate"], tmp_path).returncode == 0
    before = (tmp_path / "c.db").read_bytes()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result = run(
        ["chat", "--clock-speed", "600", "--user", "ada"],
        tmp_path,
        "/coach subscribe\n",
        TMPDIR=str(scratch),
    )
    assert result.returncode == 0, result.stderr
    assert "scratch database" in result.stdout
    assert (tmp_path / "c.db").read_bytes() == before
    assert list(scratch.iterdir()) == []  # the scratch database is erased at the end


def test_the_url_most_people_write_works(tmp_path: Path) -> None:
    plain = {"COACHBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'plain.db'}"}
    assert run(["migrate"], tmp_path, **plain).returncode == 0
    result = run(
        ["chat", "--user", "ada"], tmp_path, "/help\n/progress show chart:false\n", **plain
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "/progress" in result.stdout and (tmp_path / "plain.db").exists()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://root:hunter2@db/coach", "must be a SQLite or PostgreSQL URL"),
        ("sqlite+pysqlite:///x.db", "write sqlite+aiosqlite://"),
        ("sqlite:////no/such/folder/x.db", "check that its folder exists"),
        ("postgresql://coach:hunter2@127.0.0.1:1/coach", "check that the server runs"),
    ],
)
def test_a_bad_database_url_is_one_line_never_a_traceback(
    tmp_path: Path, url: str, says: str
) -> None:
    result = run(["migrate"], tmp_path, COACHBOT_DATABASE_URL=url)
    assert result.returncode == 2 and says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "hunter2" not in result.stderr


LONG_ITEM = "**Budget** — " + " ".join(f"word{n}" for n in range(60))


def test_a_long_list_item_wraps_under_its_own_text(tmp_path: Path) -> None:
    from coachbot.adapters.console import WIDTH, ConsoleRenderer
    from coachbot.reply import Items

    text = ConsoleRenderer(tmp_path).render(Reply(blocks=(Items(("short", LONG_ITEM)),)))
    lines = text.split("\n")
    assert lines[0] == "  • short" and lines[1].startswith("  • Budget — word0")
    continuation = lines[2:]
    assert len(continuation) >= 2
    assert all(line.startswith("    ") and not line.startswith("     ") for line in continuation)
    assert all(len(line) <= WIDTH for line in lines)
    assert " ".join(line.strip() for line in lines[1:]).endswith("word59")


def test_a_long_notice_wraps_under_its_own_text(tmp_path: Path) -> None:
    from coachbot.adapters.console import ConsoleRenderer

    text = ConsoleRenderer(tmp_path).render(Reply(title="t", notices=(LONG_ITEM,)))
    notice = text.split("\n\n", 1)[1].split("\n")
    assert notice[0].startswith("★ Budget") and len(notice) >= 2
    assert all(line.startswith("  ") and line[2] != " " for line in notice[1:])


async def test_console_words_follow_the_users_language(bot: ChatBot) -> None:
    session = bot.session
    assert await session.handle("/press 1") == "Aucun bouton sur lequel appuyer."
    assert await session.handle("/as bad name!") == (
        "Usage : /as NOM (lettres, chiffres, « . », « - », « _ »)"
    )
    assert await session.handle("/as bob") == "(vous agissez maintenant en tant que bob)"
    await session.handle("/coach language en")
    assert await session.handle("/as bob") == "(now acting as bob)"
    assert await session.handle("/press 1") == "No button to press."
    await session.handle("/mentor request user:@carol")
    await session.handle("/as carol")
    await session.handle("/coach language en")
    await session.handle("/mentor list")
    assert session.last_buttons
    assert await session.handle("/press 9") == (
        f"Usage: /press N, with N from 1 to {len(session.last_buttons)}"
    )


class _Terminal(io.StringIO):
    """Stdin that looks interactive, so the console greets."""

    def isatty(self) -> bool:
        return True


async def test_the_banner_is_in_the_users_language(app: App) -> None:
    out = io.StringIO()
    assert await run_console(app, "zoe", stdin=_Terminal("/quit\n"), stdout=out) == 0
    assert "console coachbot — /aide pour les commandes" in out.getvalue()


def test_a_reader_leaving_early_gets_no_traceback(tmp_path: Path) -> None:
    """`coachbot ask ... | head -1`: the pipe closes before the answer is written."""
    env = {"PYTHONPATH": os.environ.get("PYTHONPATH", ""), "PATH": ""}
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read the answer
    process = subprocess.Popen(
        [sys.executable, "-m", "coachbot", "ask", "c'est quoi un cto ?"],
        stdout=write_end,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
        text=True,
    )
    os.close(write_end)
    try:
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert "Traceback" not in stderr and "Exception" not in stderr, stderr
    assert process.returncode == 141
