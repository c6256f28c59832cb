"""The operator's HTTP pages: ``/healthz`` (alive), ``/readyz`` (every readiness probe
passes) and ``/metrics`` (Prometheus text format), served by aiohttp."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

log = logging.getLogger(__name__)
# A probe returns None when its component is ready, else why it is not (one short line).
Probe = Callable[[], Awaitable[str | None]]
PROBE_TIMEOUT = 2.0  # seconds: a probe that hangs (a database that does not answer) fails


async def run_probe(probe: Probe, timeout: float = PROBE_TIMEOUT) -> str | None:
    """``probe``'s verdict; a timeout or an exception counts as not ready (its type only:
    error texts may hold URLs)."""
    try:
        return await asyncio.wait_for(probe(), timeout)
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except Exception as exc:
        log.debug("readiness probe failed", exc_info=True)
        return f"failed ({type(exc).__name__})"


class OpsServer:
    """Serves the three pages on ``host:port`` until ``stop``."""

    def __init__(self, registry: CollectorRegistry, probes: Mapping[str, Probe]) -> None:
        self.registry, self.probes = registry, dict(probes)
        self.port: int | None = None
        self._runner: web.AppRunner | None = None

    def web_app(self) -> web.Application:
        """The aiohttp application with the three routes."""
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics)
        return app

    async def start(self, host: str, port: int) -> int:
        """Listen on ``host:port`` (0: any free port); returns the port bound."""
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.port = next((int(a[1]) for a in self._runner.addresses if isinstance(a, tuple)), port)
        return self.port

    async def stop(self) -> None:
        """Stop listening (idempotent)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def healthz(self, _request: web.Request) -> web.Response:
        """200 as long as the process answers."""
        return web.json_response({"alive": True})

    async def readyz(self, _request: web.Request) -> web.Response:
        """200 when every probe passes, else 503; the body names each probe's verdict."""
        names = list(self.probes)
        verdicts = await asyncio.gather(*(run_probe(self.probes[n]) for n in names))
        checks = {n: v or "ok" for n, v in zip(names, verdicts, strict=True)}
        ready = not any(verdicts)
        return web.json_response({"ready": ready, "checks": checks}, status=200 if ready else 503)

    async def metrics(self, _request: web.Request) -> web.Response:
        """Every metric, in the Prometheus text format."""
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
