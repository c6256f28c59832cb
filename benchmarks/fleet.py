"""Two real processes running the engine on one PostgreSQL database against one fake
Discord that enforces 50 requests/s: the parent runs the fake platform (an aiohttp server
counting 429s and duplicates), each child runs the bot's scheduler (APScheduler, the
pipeline, the limiter with ``[scheduler] senders = 2``, the real tip selection) through
the public entry points ``build_app``, ``build_runner``, ``Scheduler``.

Half the people have a DM channel already open (as if stored by an earlier prompt); the
others' first prompt opens one first, a request of its own (``POST /open``), so the rate
includes new DMs.

``python -m benchmarks.fleet worker URL SERVER INSTANCE SENDERS DUE`` is one child: it
prints ``ready`` once built, waits for ``go`` on stdin, then prints the wall time at which
each tick starts; its log is ``$TMPDIR/fleet-<instance>.log`` (``FLEET_DEBUG=1`` adds
asyncio's warnings about callbacks that held the event loop over 30 ms).
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web

from coachbot.delivery import (
    DeliveryTarget,
    Pace,
    RateLimited,
    Requests,
    Sent,
    TransientFailure,
    unpaced,
)
from coachbot.reply import Reply

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 50  # requests per second, over any one-second window, both processes together


# --- the fake platform (parent) ------------------------------------------------------------


@dataclass
class FakeDiscord:
    """Accepts at most ``LIMIT`` requests in any one-second window (429 beyond), and notes
    when each request came, from whom, and every message a person got more than once."""

    accepted: list[float] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)  # who sent each accepted request
    refusals: list[dict[str, float]] = field(default_factory=list)  # the window of each 429
    window: collections.deque[float] = field(default_factory=collections.deque)
    rejected: int = 0
    opened: int = 0
    messages: dict[str, int] = field(default_factory=dict)  # user -> messages received
    first_request: dict[str, float] = field(default_factory=dict)  # instance -> wall time

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/open", self.open_dm)
        app.router.add_post("/send", self.send)
        return app

    def admit(self, request: web.Request) -> web.Response | None:
        """None when the request fits the limit, else the 429 to answer."""
        now = time.monotonic()
        while self.window and now - self.window[0] >= 1.0:
            self.window.popleft()
        instance = request.headers.get("X-Instance", "?")
        if len(self.window) >= LIMIT:
            self.rejected += 1
            self.refusals.append(self._window_of(now, instance))
            wait = 1.0 - (now - self.window[0])
            return web.json_response(
                {"retry_after": wait}, status=429, headers={"Retry-After": f"{wait:.3f}"}
            )
        self.window.append(now)
        self.accepted.append(now)
        self.senders.append(instance)
        self.first_request.setdefault(instance, time.time())
        return None

    def _window_of(self, now: float, refused: str) -> dict[str, float]:
        """Who sent the requests of the last second, when ``refused`` got a 429."""
        counts: dict[str, float] = {"at": now - self.accepted[0], "refused": float(refused[1:])}
        for t, who in zip(reversed(self.accepted), reversed(self.senders), strict=True):
            if now - t >= 1.0:
                break
            counts[who] = counts.get(who, 0) + 1
        return counts

    async def open_dm(self, request: web.Request) -> web.Response:
        body = await request.json()
        refused = self.admit(request)
        if refused is not None:
            return refused
        self.opened += 1
        return web.json_response({"id": f"D{body['user']}"})

    async def send(self, request: web.Request) -> web.Response:
        body = await request.json()
        refused = self.admit(request)
        if refused is not None:
            return refused
        user = body["user"]
        self.messages[user] = self.messages.get(user, 0) + 1
        return web.json_response({"id": f"m-{body['nonce']}"})

    @property
    def duplicates(self) -> int:
        """Messages beyond the first one a person got (one prompt a day each)."""
        return sum(n - 1 for n in self.messages.values() if n > 1)


# --- the delivery port the children use ----------------------------------------------------


class HttpDiscord:
    """A DeliveryPort to the fake: a DM channel opened before the first message to anyone
    without one (even user numbers have theirs already), each request paced."""

    platform = "discord"

    def __init__(self, session: ClientSession, server: str, instance: str) -> None:
        self.session, self.server, self.instance = session, server, instance
        self.channels: dict[str, str] = {}

    async def send(
        self, target: DeliveryTarget, reply: Reply, *, nonce: str, pace: Pace = unpaced
    ) -> Sent:
        """Open the DM channel if needed, then send; 429 and 5xx become the port's failures."""
        requests = Requests(pace)
        user = target.person.user
        channel = self.channels.get(user) or (f"D{user}" if int(user[1:]) % 2 == 0 else None)
        if channel is None:
            await requests.next()
            channel = self.channels[user] = (await self._post("/open", {"user": user}))["id"]
        await requests.next()
        sent = await self._post("/send", {"user": user, "channel": channel, "nonce": nonce})
        return Sent(sent["id"])

    async def _post(self, path: str, body: dict[str, str]) -> dict[str, Any]:
        headers = {"X-Instance": self.instance}
        async with self.session.post(self.server + path, json=body, headers=headers) as answer:
            if answer.status == 429:
                raise RateLimited(float(answer.headers.get("Retry-After", "1")))
            if answer.status >= 500:
                raise TransientFailure(f"fake discord {answer.status}")
            result: dict[str, Any] = await answer.json()
            return result


# --- a child: the engine ----------------------------------------------------------------------


class GoClock:
    """The bot's clock: a minute before ``due`` (nothing due yet) until ``go``, then real
    time from ``due``: the first tick after go finds everyone due."""

    def __init__(self, due: datetime) -> None:
        self.due = due
        self.origin: float | None = None

    def go(self) -> None:
        self.origin = time.monotonic()

    def now(self) -> datetime:
        if self.origin is None:
            return self.due - timedelta(minutes=1)
        return self.due + timedelta(seconds=time.monotonic() - self.origin)


async def worker(url: str, server: str, instance: str, senders: int, due: str) -> None:
    """Build the engine, say ready, wait for go, then run the scheduler until killed."""
    from benchmarks.scheduler import real_composer, settings_for
    from coachbot.adapters.discord.platform import LIMITS
    from coachbot.app import build_app
    from coachbot.scheduling.scheduler import Outlets, Scheduler, build_runner, periodic

    if os.environ.get("FLEET_DEBUG"):
        import logging

        logging.basicConfig(level=logging.WARNING)
        loop = asyncio.get_running_loop()
        loop.set_debug(True)
        loop.slow_callback_duration = 0.03
    settings = settings_for(url)
    settings = replace(settings, scheduler=replace(settings.scheduler, senders=senders))
    clock = GoClock(datetime.fromisoformat(due))
    app = build_app(settings, clock=clock)
    async with ClientSession() as session:
        port = HttpDiscord(session, server, instance)
        outlets = Outlets({"discord": port}, {"discord": LIMITS})
        runner = build_runner(app.services, real_composer(), outlets, instance=instance)
        async with app.services.database().session():
            pass  # the pool's first connection, before the clock starts
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        clock.go()

        async def tick(now: datetime) -> object:
            print(json.dumps({"tick": time.time()}), flush=True)
            return await runner.pipeline.tick(now)

        interval = settings.scheduler.tick_seconds
        scheduler = Scheduler(tick, clock, interval, periodic(runner, interval, 1.0))
        scheduler.start()
        await asyncio.Event().wait()  # the parent kills this process


# --- the parent: start both, measure a window, kill them ----------------------------------------


@dataclass
class FleetResult:
    """What the fake saw during the window, and when each process's first tick began."""

    first_send_after_tick: float  # seconds, the slower of the two processes
    requests_per_second: float  # accepted over the window, openings included
    messages: int
    opened: int
    rejected: int
    duplicates: int
    window: float


async def run_fleet(url: str, due: datetime, window: float, senders: int = 2) -> FleetResult:
    """Two workers on ``url`` against one fake for ``window`` seconds from the first request."""
    fake = FakeDiscord()
    runner = web.AppRunner(fake.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    children: list[asyncio.subprocess.Process] = []
    try:
        for n in range(senders):
            children.append(await _spawn(url, f"http://127.0.0.1:{port}", f"w{n}", senders, due))
        ticks = await _start(children)
        return await _measure(fake, ticks, window)
    finally:
        for child in children:
            if child.returncode is None:
                child.kill()
            await child.wait()
        await runner.cleanup()


async def _spawn(
    url: str, server: str, instance: str, senders: int, due: datetime
) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's coachbot, not the venv's
    with open(Path(tempfile.gettempdir()) / f"fleet-{instance}.log", "w") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.fleet", "worker", url, server, instance,
            str(senders), due.isoformat(), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=log, cwd=ROOT, env=env,
            preexec_fn=_lower_priority,
        )  # fmt: skip


def _lower_priority() -> None:
    """The bots yield the CPU to the fake platform (on 2 shared cores): a real platform runs
    on its own machines, and a fake starved of CPU would stamp requests late, in clumps."""
    os.nice(10)


async def _start(children: list[asyncio.subprocess.Process]) -> list[asyncio.Future[float]]:
    """Wait until every child is ready, say go to all; futures of their first tick's time."""
    for child in children:
        assert child.stdout is not None
        line = await asyncio.wait_for(child.stdout.readline(), timeout=120)
        if line.strip() != b"ready":
            raise RuntimeError(f"a worker did not start: {line!r}")
    ticks = []
    for child in children:
        assert child.stdin is not None
        child.stdin.write(b"go\n")
        await child.stdin.drain()
        ticks.append(asyncio.ensure_future(_first_tick(child)))
    return ticks


async def _first_tick(child: asyncio.subprocess.Process) -> float:
    assert child.stdout is not None
    while True:
        line = await child.stdout.readline()
        if not line:
            raise RuntimeError("a worker ended before its first tick")
        if line.startswith(b"{"):
            return float(json.loads(line)["tick"])


async def _measure(
    fake: FakeDiscord, ticks: list[asyncio.Future[float]], window: float
) -> FleetResult:
    started = await asyncio.wait_for(asyncio.gather(*ticks), timeout=60)
    deadline = time.monotonic() + 60
    while not fake.accepted and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    if not fake.accepted:
        raise RuntimeError("no request reached the fake platform within a minute")
    await asyncio.sleep(max(0.0, fake.accepted[0] + window - time.monotonic()))
    first = fake.accepted[0]
    in_window = sum(1 for t in fake.accepted if t - first <= window)
    lags = [fake.first_request.get(f"w{n}", float("inf")) - t for n, t in enumerate(started)]
    return FleetResult(
        first_send_after_tick=max(lags),
        requests_per_second=in_window / window,
        messages=sum(fake.messages.values()),
        opened=fake.opened,
        rejected=fake.rejected,
        duplicates=fake.duplicates,
        window=window,
    )


if __name__ == "__main__" and sys.argv[1:2] == ["worker"]:
    url_, server_, instance_, senders_, due_ = sys.argv[2:7]
    asyncio.run(worker(url_, server_, instance_, int(senders_), due_))
