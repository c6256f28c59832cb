"""The runtime: one order for every platform, a clean stop, SIGTERM honoured."""

from __future__ import annotations

import io
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from coachbot.adapters.console.platform import ConsolePlatform
from coachbot.app import App, Runtime
from coachbot.delivery import DeliveryTarget, Pace, Sent, unpaced
from coachbot.platform import PlatformUnavailable
from coachbot.reply import Reply
from coachbot.scheduling.ratelimit import PlatformLimits

ROOT = Path(__file__).resolve().parent.parent


class Port:
    platform = "fake"

    async def send(
        self, target: DeliveryTarget, reply: Reply, *, nonce: str, pace: Pace = unpaced
    ) -> Sent:
        return Sent(nonce)


class Recording:
    """An adapter that notes each lifecycle call, and what the runtime had done by then."""

    limits = PlatformLimits()

    def __init__(self, runtime_of: list[Runtime], *, fail: str | None = None) -> None:
        self.platform = "fake"
        self.delivery = Port()
        self.calls: list[str] = []
        self.runtime_of, self.fail = runtime_of, fail

    def _scheduler(self) -> str:
        scheduler = self.runtime_of[0].scheduler
        return "none" if scheduler is None else "stopped" if scheduler._stopped else "running"

    async def start(self) -> None:
        self.calls.append(f"start (scheduler {self._scheduler()})")
        if self.fail == "start":
            raise PlatformUnavailable("refused: set the token")

    async def serve(self) -> None:
        self.calls.append(f"serve (scheduler {self._scheduler()})")
        if self.fail == "serve":
            raise PlatformUnavailable("the socket closed")
        self.runtime_of[0].request_stop()  # as SIGTERM would

    async def stop(self) -> None:
        self.calls.append(f"stop (scheduler {self._scheduler()})")


async def test_adapters_start_before_the_scheduler_and_stop_after_it(app: App) -> None:
    runtimes: list[Runtime] = []
    adapter = Recording(runtimes)
    runtimes.append(Runtime(app, [adapter]))
    assert await runtimes[0].run(handle_signals=False) == 0
    assert adapter.calls == [
        "start (scheduler none)",
        "serve (scheduler running)",
        "stop (scheduler stopped)",
    ]


@pytest.mark.parametrize("step", ["start", "serve"])
async def test_a_required_platform_failing_stops_everything_and_says_why(
    app: App, step: str
) -> None:
    runtimes: list[Runtime] = []
    adapter = Recording(runtimes, fail=step)
    runtimes.append(Runtime(app, [adapter]))
    with pytest.raises(PlatformUnavailable, match=r"^Fake: "):
        await runtimes[0].run(handle_signals=False)
    assert adapter.calls[-1].startswith("stop")


async def test_the_console_runtime_ends_with_its_input(app: App) -> None:
    out = io.StringIO()
    console = ConsolePlatform(app, "alice", stdin=io.StringIO("/help\n"), stdout=out)
    runtime = Runtime(app, [console])
    assert await runtime.run(handle_signals=False) == 0
    assert "/cto" in out.getvalue()
    assert runtime.scheduler is not None and runtime.scheduler._stopped


def _lines(stream: io.TextIOBase) -> queue.Queue[str]:
    found: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stream:
            found.put(line)

    threading.Thread(target=read, daemon=True).start()
    return found


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_a_running_bot_cleanly_with_exit_0(
    tmp_path: Path, sig: signal.Signals
) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "COACHBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'c.db'}",
    }
    command = [sys.executable, "-m", "coachbot"]
    subprocess.run([*command, "migrate"], env=env, cwd=tmp_path, check=True, timeout=120)
    bot = subprocess.Popen(
        [*command, "run", "--platform", "console"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert bot.stdin is not None and bot.stdout is not None
        bot.stdin.write("/coach language en\n")
        bot.stdin.flush()
        lines = _lines(bot.stdout)
        while "Language saved" not in lines.get(timeout=60):
            pass  # serving: the signal handlers are in place
        bot.send_signal(sig)  # stdin stays open: only the signal can end it
        assert bot.wait(timeout=30) == 0
        assert bot.stderr is not None and "Traceback" not in bot.stderr.read()
    finally:
        bot.kill()
        bot.wait()
