"""SIGTERM, then SIGKILL, to a real ``coachbot run`` in the middle of a batch of prompts.

SIGTERM is what systemd or a container runtime does on every deploy: the process must
exit 0 soon, without a traceback, and what it held must be either sent or handed back, so
that the next process sends each learner's prompt of the day exactly once. SIGKILL is a
crash: nothing may be lost, and a prompt may reach a learner twice only inside the crash
window of docs/delivery.md, with the same nonce. The bot is a real subprocess talking to
the fake Slack of ``tests/slack/fake_slack.py`` over HTTP; the learners' DMs are counted
on the fake's side, where a user would see them.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coachbot.app import build_app
from coachbot.clock import FakeClock
from coachbot.db.migrate import upgrade
from coachbot.identity import PersonRef
from coachbot.knowledge.models import KnowledgeBase
from coachbot.reply import Tone
from coachbot.settings import DatabaseSettings, Settings
from coachbot.textcommand import run_line
from tests.slack.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
TEAM = "T0001"
LEARNERS = [f"U{n:04d}" for n in range(1, 41)]  # 80 requests at Slack's 4/s: about 18 s
pytestmark = pytest.mark.timeout(240)


def _nonces(fake: FakeSlack) -> dict[str, set[str]]:
    """The nonces each learner's prompts carried (Slack message metadata)."""
    found: dict[str, set[str]] = {}
    for call in fake.of("chat.postMessage"):
        user = str(call.params["channel"])[1:]
        found.setdefault(user, set()).add(call.params["metadata"]["event_payload"]["nonce"])
    return found


def _dms(fake: FakeSlack) -> Counter[str]:
    """Prompts received, by learner (their DM channel is ``D`` + user id on the fake)."""
    return Counter(
        str(c.params["channel"])[1:]
        for c in fake.of("chat.postMessage")
        if str(c.params.get("channel", "")).startswith("D")
    )


async def _subscribe_all(settings: Settings, kb: KnowledgeBase) -> None:
    """Every learner subscribed two hours ago for a time one hour ago: due at once."""
    now = datetime.now(UTC)
    at = (now - timedelta(hours=1)).strftime("%H:%M")
    await asyncio.to_thread(upgrade, settings.database.url)
    app = build_app(settings, clock=FakeClock(now - timedelta(hours=2)), kb=kb)
    try:
        for user in LEARNERS:
            line = f"/coach subscribe time:{at} timezone:UTC days:mon-sun skip_holidays:off"
            reply = await run_line(app.dispatcher, PersonRef("slack", TEAM, user), line, "en")
            assert reply.tone is not Tone.ERROR, reply
    finally:
        await app.close()


def _config(tmp_path: Path, fake: FakeSlack) -> Path:
    """Ticks every second; leases of 10 s, so a crashed process's prompts are taken over
    within the test (the default is 2 minutes)."""
    path = tmp_path / "config.toml"
    path.write_text(
        f'[slack]\napi_url = "{fake.api_url}"\nhttp_host = "127.0.0.1"\n'
        "[scheduler]\ntick_seconds = 1\nlease_seconds = 10\n"
    )
    return path


async def _start_bot(tmp_path: Path, fake: FakeSlack, url: str) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "COACHBOT_CONFIG": str(_config(tmp_path, fake)),
        "COACHBOT_DATABASE_URL": url,
        "COACHBOT_SLACK_BOT_TOKEN": "xoxb-test-token",
        "COACHBOT_SLACK_SIGNING_SECRET": "s3cret",
    }
    env.pop("COACHBOT_SLACK_APP_TOKEN", None)
    env.pop("COACHBOT_DISCORD_TOKEN", None)
    return await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "coachbot", "run", "--platform", "slack", "--http", "--port", "0"),
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def _stop(bot: asyncio.subprocess.Process) -> tuple[int, str]:
    """SIGTERM, then the exit code and what the bot wrote on stderr."""
    bot.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(bot.communicate(), timeout=30)
    assert bot.returncode is not None
    return bot.returncode, stderr.decode()


async def _until(
    bot: asyncio.subprocess.Process, fake: FakeSlack, enough: int, timeout: float
) -> None:
    """Wait (bounded) until ``enough`` prompts have reached learners; a bot that dies
    first fails the test with its stderr."""
    arrived = asyncio.ensure_future(fake.wait_for("chat.postMessage", enough, timeout))
    died = asyncio.ensure_future(bot.wait())
    await asyncio.wait({arrived, died}, return_when=asyncio.FIRST_COMPLETED)
    died.cancel()
    if not arrived.done():
        arrived.cancel()
        assert bot.stderr is not None
        pytest.fail(f"the bot exited {bot.returncode}: {(await bot.stderr.read()).decode()}")
    arrived.result()


def _kill(bot: asyncio.subprocess.Process | None) -> None:
    if bot is not None and bot.returncode is None:
        bot.kill()


async def test_sigterm_mid_delivery_exits_0_and_every_learner_gets_one_prompt(
    tmp_path: Path, fake_slack: FakeSlack, settings: Settings, kb: KnowledgeBase
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await _subscribe_all(replace(settings, database=DatabaseSettings(url=url)), kb)
    first = second = None
    try:
        first = await _start_bot(tmp_path, fake_slack, url)
        await _until(first, fake_slack, 5, timeout=90)  # in the middle of the batch
        code, stderr = await _stop(first)
        assert code == 0 and "Traceback" not in stderr, stderr
        stopped_at = _dms(fake_slack)
        assert 5 <= sum(stopped_at.values()) < len(LEARNERS)  # really mid-delivery
        assert max(stopped_at.values()) == 1
        second = await _start_bot(tmp_path, fake_slack, url)
        await _until(second, fake_slack, len(LEARNERS), timeout=120)
        code, stderr = await _stop(second)
        assert code == 0 and "Traceback" not in stderr, stderr
    finally:
        _kill(first)
        _kill(second)
    assert _dms(fake_slack) == Counter(dict.fromkeys(LEARNERS, 1))


@pytest.mark.parametrize("seed", [1, 2])
async def test_sigkill_at_random_points_loses_nothing_and_repeats_only_with_the_same_nonce(
    tmp_path: Path, fake_slack: FakeSlack, settings: Settings, kb: KnowledgeBase, seed: int
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await _subscribe_all(replace(settings, database=DatabaseSettings(url=url)), kb)
    rng = random.Random(seed)
    bots: list[asyncio.subprocess.Process] = []
    try:
        for _ in range(2):  # two crashes, each after a random number of prompts
            bots.append(await _start_bot(tmp_path, fake_slack, url))
            done = len(set(_dms(fake_slack)))
            await _until(bots[-1], fake_slack, done + rng.randint(1, 12), timeout=90)
            bots[-1].kill()
            await asyncio.wait_for(bots[-1].wait(), timeout=30)
        bots.append(await _start_bot(tmp_path, fake_slack, url))
        await _until_everyone(bots[-1], fake_slack, timeout=120)
        code, stderr = await _stop(bots[-1])
        assert code == 0 and "Traceback" not in stderr, stderr
    finally:
        for bot in bots:
            _kill(bot)
    assert set(_dms(fake_slack)) == set(LEARNERS)  # nothing lost
    assert all(len(nonces) == 1 for nonces in _nonces(fake_slack).values())  # one prompt each


async def _until_everyone(bot: asyncio.subprocess.Process, fake: FakeSlack, timeout: float) -> None:
    """Wait (bounded) until every learner has had a prompt."""
    async with asyncio.timeout(timeout):
        while set(_dms(fake)) != set(LEARNERS):
            await _until(bot, fake, len(fake.of("chat.postMessage")) + 1, timeout)
