"""The composition root: the one place that builds settings, knowledge, database and
commands, hands the features' prompts and periodic jobs to the scheduler, and runs the
adapters (``Runtime``)."""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import signal
from collections.abc import Awaitable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coachbot.clock import Clock, SystemClock
from coachbot.dispatch import Dispatcher
from coachbot.knowledge.loader import default_knowledge
from coachbot.knowledge.models import KnowledgeBase
from coachbot.platform import PlatformUnavailable
from coachbot.registry import Registry
from coachbot.services import Services
from coachbot.settings import Settings
from coachbot.vocabularies import CommandVocabulary, build_vocabularies

if TYPE_CHECKING:
    from coachbot.ops import Ops
    from coachbot.platform import PlatformAdapter
    from coachbot.scheduling.periodic import Periodic
    from coachbot.scheduling.scheduler import Scheduler

log = logging.getLogger("coachbot")
STOP_GRACE = 5.0  # seconds a tick in progress gets to finish at shutdown
STOP_TIMEOUT = 10.0  # seconds each adapter gets to stop (drain, close)

COMMAND_MODULES = (
    "coachbot.commands.cto",
    "coachbot.commands.answers",
    "coachbot.commands.coach",
    "coachbot.commands.progress",
    "coachbot.commands.subscribe",
    "coachbot.commands.server",
    "coachbot.prompts.actions",
    "coachbot.commands.mentor",
    "coachbot.commands.privacy",
    "coachbot.commands.help",
)


@dataclass
class App:
    """A wired bot: what adapters need to serve users."""

    services: Services
    registry: Registry
    dispatcher: Dispatcher

    async def close(self) -> None:
        """Release the database connections."""
        if self.services.db is not None:
            await self.services.db.dispose()


def build_registry(kb: KnowledgeBase) -> Registry:
    """Every command: the declared ones, then one per remaining knowledge-base topic."""
    from coachbot.commands.cto import topic_commands

    declared = Registry.collect(importlib.import_module(m) for m in COMMAND_MODULES)
    names = {c.name for c in declared.in_group("cto")}
    return declared.extended(topic_commands(kb, names))


def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    kb: KnowledgeBase | None = None,
    with_database: bool = True,
) -> App:
    """Wire a bot from ``settings``; no database when ``with_database`` is False (``ask``)."""
    kb = kb or default_knowledge()
    db = None
    if with_database:
        from coachbot.db.engine import Database

        db = Database(settings.database.url, echo=settings.database.echo)
    registry = build_registry(kb)
    vocabularies = build_vocabularies(kb)
    vocabularies["command"] = CommandVocabulary(registry)  # /help command
    services = Services(settings, kb, clock or SystemClock(), vocabularies, registry, db)
    dispatcher = Dispatcher(services, registry)
    if with_database:
        from coachbot.prompts.notices import failing_notice

        dispatcher.notice_providers.append(failing_notice)
    return App(services, registry, dispatcher)


async def warm_up() -> None:
    """Pay at start what the first learner would otherwise wait for, off the event loop:
    matplotlib imported, every picture's frame built and drawn once (fonts, glyphs).

    Then everything alive so far (modules, knowledge base, frames) is frozen out of the
    garbage collector: it lives as long as the process, and a full collection scanning it
    again after each few pictures costs 40-110 ms.
    """
    from coachbot.tracker.charts import warm

    await asyncio.to_thread(warm)
    gc.freeze()


def periodic_jobs() -> tuple[Periodic, ...]:
    """The jobs the features declare, in the order each tick runs them."""
    from coachbot.mentors.jobs import JOBS as MENTOR_JOBS
    from coachbot.prompts.jobs import JOBS as PROMPT_JOBS

    return (*PROMPT_JOBS, *MENTOR_JOBS)


def build_scheduler(
    app: App, adapters: Sequence[PlatformAdapter], *, speed: float = 1.0
) -> Scheduler | None:
    """The scheduler delivering through ``adapters``' ports under their limits; None when
    disabled or without database. ``speed`` > 1 ticks faster in real time, for a clock
    running that much faster."""
    if not app.services.settings.scheduler.enabled or app.services.db is None:
        return None
    from coachbot.prompts.compose import choose_tip_for, choose_tips_for, prompt_reply
    from coachbot.scheduling.pipeline import Composer
    from coachbot.scheduling.scheduler import Outlets
    from coachbot.scheduling.scheduler import build_scheduler as build

    composer = Composer(choose_tip_for, prompt_reply, choose_tips_for)
    outlets = Outlets(
        ports={a.platform: a.delivery for a in adapters},
        limits={a.platform: a.limits for a in adapters},
        jobs=periodic_jobs(),
    )
    return build(app.services, composer, outlets, speed=speed)


class Runtime:
    """The process's one lifecycle, whatever the platforms.

    ``run`` starts every adapter, then the scheduler over the ports of those that started
    (an ``optional`` platform that fails is logged and left out), serves until a signal
    (SIGTERM, SIGINT), ``stop()`` or the end of an adapter's input, then shuts down in
    order: the scheduler (its tick in progress may finish: it sends through the adapters'
    connections), the adapters (they stop taking work, drain and close), the database.
    An optional platform that fails later is stopped and the scheduler restarted without
    it (a fresh scheduler, never a live one rewired).
    """

    def __init__(
        self,
        app: App,
        adapters: Sequence[PlatformAdapter],
        *,
        optional: Collection[str] = (),
        speed: float = 1.0,
    ) -> None:
        self.app, self.adapters, self.optional, self.speed = app, adapters, optional, speed
        self.active: list[PlatformAdapter] = []
        self.scheduler: Scheduler | None = None
        self._stopping = asyncio.Event()
        self._stopped = asyncio.Event()
        self._serving: dict[asyncio.Task[None], PlatformAdapter] = {}
        self._ops: Ops | None = None

    def request_stop(self) -> None:
        """Ask ``run`` to shut down (signal handlers call this)."""
        self._stopping.set()

    async def stop(self) -> None:
        """Shut down and return once ``run`` has finished (bounded by the stop timeouts)."""
        self.request_stop()
        await self._stopped.wait()

    async def run(self, *, handle_signals: bool = True) -> int:
        """Start, serve until stopped, shut down; 0 on a clean stop. A required platform
        failing raises its ``PlatformUnavailable`` after the shutdown."""
        signals = self._install_signals() if handle_signals else []
        try:
            await warm_up()
            await self._start_adapters()
            await self._watch()
            await self._restart_scheduler()
            await self._serve()
        finally:
            await self._shutdown()
            for sig in signals:
                asyncio.get_running_loop().remove_signal_handler(sig)
            self._stopped.set()
        return 0

    async def _watch(self) -> None:
        """Metrics, and the health/readiness server when ``[ops] enabled``: the database's
        probe plus each started adapter's ``ready`` where it has one."""
        from coachbot import ops

        probes = {a.platform: a.ready for a in self.active if hasattr(a, "ready")}
        self._ops = await ops.start(self.app, self.app.services.settings, probes)

    def _install_signals(self) -> list[signal.Signals]:
        loop = asyncio.get_running_loop()
        installed = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self.request_stop)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
                continue
            installed.append(sig)
        return installed

    async def _start_adapters(self) -> None:
        for adapter in self.adapters:
            try:
                await adapter.start()
            except BaseException as exc:
                await _bounded(adapter.stop(), f"stopping {adapter.platform}")
                self._lost(adapter, exc)
                continue
            self.active.append(adapter)

    def _lost(self, adapter: PlatformAdapter, exc: BaseException) -> None:
        """Log an optional platform's failure; raise any other (a platform's refusal
        named after it)."""
        name = adapter.platform.capitalize()
        if not isinstance(exc, PlatformUnavailable):
            raise exc
        if adapter.platform not in self.optional:
            raise PlatformUnavailable(f"{name}: {exc}") from exc
        others = [a.platform.capitalize() for a in self.adapters if a is not adapter]
        log.error(
            "%s: %s. %s keep%s running; %s's prompts wait until coachbot runs with it working.",
            name,
            exc,
            " and ".join(others) or "nothing else",
            "s" if len(others) == 1 else "",
            name,
        )

    async def _restart_scheduler(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop(STOP_GRACE)
        self.scheduler = build_scheduler(self.app, self.active, speed=self.speed)
        if self.scheduler is not None:
            self.scheduler.start()

    async def _serve(self) -> None:
        serving = self._serving = {asyncio.create_task(a.serve()): a for a in self.active}
        stopping = asyncio.create_task(self._stopping.wait())
        try:
            while serving and not stopping.done():
                done, _ = await asyncio.wait(
                    {*serving, stopping}, return_when=asyncio.FIRST_COMPLETED
                )
                for task in [t for t in serving if t in done]:
                    if not await self._ended(serving.pop(task), task):
                        return
        finally:
            stopping.cancel()

    async def _ended(self, adapter: PlatformAdapter, task: asyncio.Task[None]) -> bool:
        """An adapter stopped serving: True to serve on without it (an optional platform
        failed), False to shut down (its input ended); a required failure raises."""
        exc = task.exception()
        if exc is None:
            return False
        self._lost(adapter, exc)
        self.active.remove(adapter)
        await _bounded(adapter.stop(), f"stopping {adapter.platform}")
        await self._restart_scheduler()
        return True

    async def _shutdown(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop(STOP_GRACE)
        for adapter in reversed(self.active):
            await _bounded(adapter.stop(), f"stopping {adapter.platform}")
        serving = list(self._serving)
        if serving:
            await asyncio.wait(serving, timeout=STOP_TIMEOUT)
            for task in serving:
                task.cancel()
            await asyncio.gather(*serving, return_exceptions=True)
        if self._ops is not None:
            await self._ops.stop()
        await self.app.close()


async def _bounded(work: Awaitable[object], what: str) -> None:
    """Await ``work`` for at most ``STOP_TIMEOUT`` seconds; a failure is logged, not raised:
    the shutdown goes on."""
    try:
        await asyncio.wait_for(work, STOP_TIMEOUT)
    except Exception:
        log.exception("%s failed", what)
