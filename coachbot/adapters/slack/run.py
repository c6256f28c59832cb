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
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientError, web
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from coachbot.adapters.slack.app import SlackAdapter
from coachbot.adapters.slack.delivery import SlackDelivery
from coachbot.adapters.slack.manifest import EVENTS_PATH
from coachbot.app import App, build_app, build_scheduler
from coachbot.scheduling.scheduler import register_port
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


@dataclass
class SlackRuntime:
    """A started Slack adapter: its Bolt app, delivery port and what to close at the end."""

    adapter: SlackAdapter
    delivery: SlackDelivery
    port: int | None = None
    _closers: list[Any] = field(default_factory=list)

    async def stop(self) -> None:
        """Stop serving, then let started listeners finish (bounded)."""
        for close in reversed(self._closers):
            await close()
        await self.adapter.drain(timeout=5)


async def start_slack(
    core: App, *, http: bool, port: int | None = None, host: str | None = None
) -> SlackRuntime:
    """Check the token, start Socket Mode or the HTTP server, and register the delivery port."""
    settings = core.services.settings
    token = settings.secrets.require("slack_bot_token").reveal()
    api_url = settings.slack.api_url
    client = listener_client(token, api_url)
    whoami = await _whoami(client)
    team = str(whoami["team_id"])
    secret = settings.secrets.require("slack_signing_secret").reveal() if http else ""
    adapter = SlackAdapter(core, client, signing_secret=secret)
    adapter.channels.bot = str(whoami.get("user") or adapter.channels.bot)
    delivery = SlackDelivery(
        delivery_client(token, api_url), team=team, dms=adapter.dms, users=adapter.users
    )
    register_port(core.services, delivery)
    runtime = SlackRuntime(adapter, delivery)
    if http:
        chosen = settings.slack.http_port if port is None else port
        await _serve_http(runtime, host or settings.slack.http_host, chosen)
    else:
        await _connect_socket(runtime, settings.secrets.require("slack_app_token").reveal())
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
    """``coachbot run --platform slack``: the bot and its scheduler until interrupted."""
    app = build_app(settings)
    try:
        runtime = await start_slack(app, http=http, port=port)
        scheduler = build_scheduler(app)  # after the port is registered: it reads the ports
        if scheduler is not None:
            scheduler.start()
        try:
            await asyncio.Event().wait()
        finally:
            if scheduler is not None:
                await scheduler.stop()
            await runtime.stop()
    finally:
        await app.close()
    return 0
