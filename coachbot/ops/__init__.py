"""What an operator runs, watches and checks: the health, readiness and metrics server,
JSON logs, and ``coachbot doctor``.

Every entry point calls ``start`` once the app is built and ``stop`` on the handle it gets
back when it shuts down. Nothing heavy is imported here: ``coachbot ask`` stays light.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from coachbot.db.engine import Database
    from coachbot.ops.metrics import Metrics
    from coachbot.ops.server import OpsServer, Probe
    from coachbot.services import Services
    from coachbot.settings import Settings

log = logging.getLogger(__name__)
log.setLevel(logging.INFO)  # where the pages are is worth a line at start, like "connected"


class Watched(Protocol):
    """What ``start`` watches: a built bot (``coachbot.app.App``)."""

    @property
    def services(self) -> Services: ...


@dataclass
class Ops:
    """A started ops layer: the metrics listening to the app, and the server if enabled."""

    app: Watched
    metrics: Metrics
    server: OpsServer | None = None

    @property
    def port(self) -> int | None:
        """The port the server listens on (None: not serving)."""
        return self.server.port if self.server is not None else None

    async def stop(self) -> None:
        """Stop serving and stop listening to the app (idempotent)."""
        self.app.services.observers.remove(self.metrics)
        if self.server is not None:
            await self.server.stop()


async def start(
    app: Watched, settings: Settings, readiness: Mapping[str, Probe] | None = None
) -> Ops:
    """Start watching ``app``: metrics on its observers and, when ``[ops] enabled``, the
    HTTP server with ``/healthz``, ``/readyz`` and ``/metrics``. ``readiness`` adds a probe per
    component (e.g. ``{"discord": ...}``: connected?) to the database's own (reachable, and
    migrations current)."""
    from coachbot.ops.metrics import Metrics

    ops = Ops(app, Metrics())
    app.services.observers.add(ops.metrics)
    if settings.ops.enabled:
        from coachbot.ops.server import OpsServer

        probes = dict(readiness or {})
        if app.services.db is not None:
            probes = {"database": await database_probe(app.services.db)} | probes
        ops.server = OpsServer(ops.metrics.registry, probes)
        port = await ops.server.start(settings.ops.host, settings.ops.port)
        log.info("ops: http://%s:%s/healthz, /readyz, /metrics", settings.ops.host, port)
    return ops


async def database_probe(db: Database) -> Probe:
    """A probe that passes when ``db`` answers and is at the newest migration."""
    from coachbot.db.migrate import current_revision, head_revision

    head = await asyncio.to_thread(head_revision)

    async def probe() -> str | None:
        revision = await current_revision(db.engine)
        if revision != head:
            return f"migrations: the database is at {revision}, this code needs {head}: run `coachbot migrate`"
        return None

    return probe
