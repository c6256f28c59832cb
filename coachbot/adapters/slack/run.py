"""Running the Slack adapter: Socket Mode (no public URL) or HTTP (aiohttp, Bolt's own server).

Two Web API clients share the bot token, with different retry policies:

- listeners' client: retries a connection error, one 429 after its Retry-After and one
  500/503 (``AsyncRateLimitErrorRetryHandler``, ``AsyncServerErrorRetryHandler``): a
  person is waiting, the calls are idempotent reads (``users.info``) or re-sendable
  views, and one retry usually hides a blip;
- the delivery client: no retry handler at all. The scheduler owns retrying (its token
  bucket, Retry-After and backoff with jitter); retrying inside ``send`` would stall a
  worker, hide 429s from the rate limiter and, after a reset connection, could post a
  prompt twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientError, web
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from coachbot.adapters.slack import PLATFORM
from coachbot.adapters.slack.app import SlackAdapter
from coachbot.adapters.slack.delivery import SlackDelivery
from coachbot.adapters.slack.manifest import EVENTS_PATH
from coachbot.app import App, Runtime, build_app
from coachbot.scheduling.ratelimit import Limit, PlatformLimits
from coachbot.settings import Settings, SettingsError

log = logging.getLogger(__name__)


def listener_client(token: str, api_url: str) -> AsyncWebClient:
    """The client of listeners: a few retries, since a person is waiting."""
    return AsyncWebClient(
        token=token,
        base_url=api_url,
        timeout=10,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=1),
            AsyncServerErrorRetryHandler(max_retry_count=1),
        ],
    )


def delivery_client(token: str, api_url: str) -> AsyncWebClient:
    """The client of the delivery port: no retries, the scheduler owns them."""
    return AsyncWebClient(token=token, base_url=api_url, timeout=10, retry_handlers=[])


# chat.postMessage allows about one message per second per channel, and several hundred
# per minute per workspace: 4 per second plus a burst of 10 stays under 300/min.
LIMITS = PlatformLimits(workspace=Limit(4.0, burst=10), channel=Limit(1.0))


class SlackRuntime:
    """The Slack adapter as the runtime drives it: ``start`` checks the token and opens
    Socket Mode or the HTTP server, ``serve`` waits, ``stop`` closes and drains."""

    platform = PLATFORM
    limits = LIMITS

    def __init__(
        self, core: App, *, http: bool, port: int | None = None, host: str | None = None
    ) -> None:
        self.core, self.http, self.port, self.host = core, http, port, host
        self._adapter: SlackAdapter | None = None
        self._delivery: SlackDelivery | None = None
        self._closers: list[Callable[[], Awaitable[Any]]] = []
        self._connected: Callable[[], Awaitable[bool]] | None = None
        self._stopped = asyncio.Event()

    @property
    def adapter(self) -> SlackAdapter:
        """The Bolt app's listeners (once started)."""
        if self._adapter is None:
            raise RuntimeError("the Slack adapter is not started")
        return self._adapter

    @property
    def delivery(self) -> SlackDelivery:
        """The delivery port (once started: it needs the token's workspace)."""
        if self._delivery is None:
            raise RuntimeError("the Slack adapter is not started")
        return self._delivery

    async def start(self) -> None:
        """Check the token (``auth.test``), then open Socket Mode or the HTTP server."""
        settings = self.core.services.settings
        token = settings.secrets.require("slack_bot_token").reveal()
        api_url = settings.slack.api_url
        client = listener_client(token, api_url)
        whoami = await _whoami(client)
        team = str(whoami["team_id"])
        secret = settings.secrets.require("slack_signing_secret").reveal() if self.http else ""
        adapter = self._adapter = SlackAdapter(self.core, client, signing_secret=secret)
        adapter.channels.bot = str(whoami.get("user") or adapter.channels.bot)
        self._delivery = SlackDelivery(
            delivery_client(token, api_url), team=team, dms=adapter.dms, users=adapter.users
        )
        if self.http:
            chosen = settings.slack.http_port if self.port is None else self.port
            await _serve_http(self, self.host or settings.slack.http_host, chosen)
        else:
            await _connect_socket(self, settings.secrets.require("slack_app_token").reveal())

    async def serve(self) -> None:
        """Listeners run on their own; this waits until ``stop``."""
        await self._stopped.wait()

    async def ready(self) -> str | None:
        """A readiness probe: None while Socket Mode is connected or HTTP is served."""
        if self._connected is None:
            return None if self._closers else "not serving"
        return None if await self._connected() else "Socket Mode is not connected to Slack"

    async def stop(self) -> None:
        """Stop serving, then let started listeners finish (bounded)."""
        self._stopped.set()
        closers, self._closers = self._closers, []
        for close in reversed(closers):
            await close()
        if self._adapter is not None:
            await self._adapter.drain(timeout=5)


async def start_slack(
    core: App, *, http: bool, port: int | None = None, host: str | None = None
) -> SlackRuntime:
    """A started Slack adapter (tests drive it without the runtime)."""
    runtime = SlackRuntime(core, http=http, port=port, host=host)
    await runtime.start()
    return runtime


async def _whoami(client: AsyncWebClient) -> Any:
    """``auth.test``: the bot token's workspace (``team_id``) and bot name (``user``);
    a clear error when Slack says no."""
    try:
        answer = await client.auth_test()
    except SlackApiError as exc:
        raise SettingsError(
            f"COACHBOT_SLACK_BOT_TOKEN was refused by Slack ({exc.response.get('error')}): "
            "copy the Bot User OAuth Token (xoxb-...) from OAuth & Permissions"
        ) from exc
    except (ClientError, TimeoutError, OSError) as exc:
        raise SettingsError(
            f"cannot reach the Slack Web API at {client.base_url} ({type(exc).__name__}); "
            "check the network or [slack] api_url"
        ) from exc
    return answer


async def _serve_http(runtime: SlackRuntime, host: str, port: int) -> None:
    web_app = runtime.adapter.bolt.web_app(path=EVENTS_PATH, port=port)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    runtime.port = _bound_port(runner, port)
    runtime._closers.append(runner.cleanup)
    log.info("Slack HTTP mode listening on %s:%s%s", host, runtime.port, EVENTS_PATH)


def _bound_port(runner: web.AppRunner, asked: int) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return asked


async def _connect_socket(runtime: SlackRuntime, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(runtime.adapter.bolt, app_token)
    await handler.connect_async()
    runtime._closers.append(handler.close_async)
    runtime._connected = handler.client.is_connected
    log.info("Slack Socket Mode connected")


def use_http(settings: Settings, *, forced: bool) -> bool:
    """HTTP mode when asked or when there is no app token (Socket Mode needs one)."""
    secrets = settings.secrets
    if secrets.slack_app_token is None and secrets.slack_signing_secret is None:
        raise SettingsError(
            "Slack needs COACHBOT_SLACK_APP_TOKEN (Socket Mode, no public URL) or "
            "COACHBOT_SLACK_SIGNING_SECRET (HTTP mode), besides COACHBOT_SLACK_BOT_TOKEN"
        )
    return forced or secrets.slack_app_token is None


async def serve_slack(settings: Settings, *, http: bool, port: int | None = None) -> int:
    """``coachbot run --platform slack``: the bot and its scheduler until a signal."""
    app = build_app(settings)
    return await Runtime(app, [SlackRuntime(app, http=http, port=port)]).run()
