"""A local Discord REST API over real HTTP, for tests that keep discord.py's whole stack.

The harness's recorder replaces discord.py's transport; here nothing is replaced:
discord.py's ``HTTPClient`` sends real requests through aiohttp to this server (its
``Route.BASE`` pointed here), reads the real status and body, and maps them to its
own exceptions. Routes answer from the recorded fixtures unless a test sets a refusal.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from discord.http import Route

from tests.discord.harness import fixture

API = "/api/v10"


def json_response(status: int, body: Any) -> web.Response:
    """Exactly Discord's content type: discord.py parses JSON only for ``application/json``."""
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )


@dataclass
class FakeDiscordAPI:
    """Recorded answers per route, and the refusals a test sets: ``(method, path)`` ->
    ``(status, body)``; ``path`` as requested, e.g. ``/channels/1/messages``."""

    refusals: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        path = request.path.removeprefix(API)
        self.requests.append((request.method, path))
        refusal = self.refusals.get((request.method, path))
        if refusal is not None:
            return json_response(*refusal)
        return json_response(200, self.answer(request.method, path))

    @staticmethod
    def answer(method: str, path: str) -> Any:
        """What Discord answers to the routes the bot uses to log in and send."""
        if path == "/users/@me":
            return fixture("rest/users_me")
        if path == "/oauth2/applications/@me":
            return fixture("rest/application")
        if path == "/users/@me/channels":
            return fixture("rest/dm_channel")
        return fixture("rest/message")


@asynccontextmanager
async def serving(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscordAPI]:
    """The fake API on a local port, with discord.py's base URL pointed at it."""
    api = FakeDiscordAPI()
    application = web.Application()
    application.router.add_route("*", "/{tail:.*}", api.handle)
    server = TestServer(application)
    await server.start_server()
    monkeypatch.setattr(Route, "BASE", str(server.make_url(API)))
    try:
        yield api
    finally:
        await server.close()
