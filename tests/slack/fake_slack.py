"""A fake Slack on 127.0.0.1: the Web API, file upload URLs and response URLs, recording every call.

Like bolt-python's own scenario tests, the app under test gets a real
``AsyncWebClient`` whose ``base_url`` points here. Each call is recorded with its
parameters (JSON fields such as ``blocks`` decoded); a test can script failures
(``fail``) and wait, with a bound, for calls to arrive (``wait_for``).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

JSON_FIELDS = ("blocks", "view", "files", "metadata", "attachments")
HOST = "127.0.0.1"


@dataclass
class Call:
    """One request the app made: the API method (or ``response`` / ``upload``) and its parameters."""

    method: str
    params: dict[str, Any]
    path: str = ""


@dataclass
class Scripted:
    """A canned failure for the next call(s) of one method."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack:
    """The Slack side of the wire, for tests: start, point the client at ``api_url``, assert."""

    def __init__(self, team: str = "T0001") -> None:
        self.team = team
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.outside: set[str] = set()  # channels the bot is not a member of
        self._scripts: dict[str, list[Scripted]] = {}
        self._refusals: list[tuple[int, str]] = []  # response_url answers, in order
        self.gates: dict[str, asyncio.Event] = {}
        self._ts = itertools.count(1)
        self._files = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._socket_ws: web.WebSocketResponse | None = None
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A ``response_url`` for a payload: posts to it are recorded as method ``response``."""
        return f"{self.base}/response/{name}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file}", self._upload)
        app.router.add_post("/response/{name}", self._response)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def push(self, envelope: dict[str, Any]) -> None:
        """Send a Socket Mode envelope to the connected app (see ``apps.connections.open``)."""
        assert self._socket_ws is not None, "no Socket Mode connection"
        await self._socket_ws.send_json(envelope)

    def fail(
        self,
        method: str,
        error: str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail like Slack does."""
        scripted = Scripted(status, {"ok": False, "error": error}, headers or {})
        self._scripts.setdefault(method, []).extend([scripted] * times)

    def refuse_response(self, status: int, body: str, *, times: int = 1) -> None:
        """Make the next ``times`` posts to a response URL fail like Slack does
        (``404 expired_url``, ``400 invalid_blocks``): recorded, then refused."""
        self._refusals.extend([(status, body)] * times)

    def of(self, method: str) -> list[Call]:
        """The recorded calls of one method, in order."""
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait (bounded) until ``method`` was called ``count`` times; returns those calls."""

        async def arrived() -> list[Call]:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.of(method)) >= count)
            return self.of(method)

        return await asyncio.wait_for(arrived(), timeout)

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        await self._record(Call(method, params, request.path))
        gate = self.gates.get(method)
        if gate is not None:  # hold the answer until the test opens the gate
            await asyncio.wait_for(gate.wait(), 10)
        scripts = self._scripts.get(method)
        if scripts:
            failure = scripts.pop(0)
            return web.json_response(failure.body, status=failure.status, headers=failure.headers)
        return web.json_response(self._answer(method, params))

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        answers: dict[str, Callable[[], dict[str, Any]]] = {
            "auth.test": lambda: {"team_id": self.team, "user_id": "UBOT", "bot_id": "BBOT"},
            "users.info": lambda: {"user": self._user(str(params.get("user")))},
            "conversations.open": lambda: {"channel": {"id": "D" + str(params.get("users"))}},
            "chat.postMessage": lambda: {"channel": params.get("channel"), "ts": self._next_ts()},
            "chat.postEphemeral": lambda: {"message_ts": self._next_ts()},
            "conversations.info": lambda: {"channel": self._channel(str(params.get("channel")))},
            "views.publish": lambda: {"view": {"id": "V1"}},
            "views.open": lambda: {"view": {"id": "V2", "hash": "h1"}},
            "views.update": lambda: {"view": {"id": params.get("view_id"), "hash": "h2"}},
            "apps.connections.open": lambda: {"url": f"ws://{HOST}:{self.port}/link"},
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": lambda: {"files": _completed(params)},
        }
        return {"ok": True, **answers.get(method, dict)()}

    def _user(self, user: str) -> dict[str, Any]:
        return {"id": user, "team_id": self.team, **self.users.get(user, {"locale": "en-US"})}

    def _channel(self, channel: str) -> dict[str, Any]:
        im = channel.startswith("D")
        return {"id": channel, "is_im": im, "is_member": not im and channel not in self.outside}

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _upload_url(self) -> dict[str, Any]:
        file_id = f"F{next(self._files):04d}"
        return {"upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        await self._record(Call("upload", {"file": request.match_info["file"], "size": len(data)}))
        return web.Response(text=f"OK - {len(data)}")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then record every acknowledgement the app sends."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._socket_ws = ws
        await ws.send_json({"type": "hello", "num_connections": 1})
        await self._record(Call("socket.connect", {}))
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                await self._record(Call("socket.ack", json.loads(message.data)))
        return ws

    async def _response(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self._record(Call("response", body, request.path))
        if self._refusals:
            status, text = self._refusals.pop(0)
            return web.Response(status=status, text=text)
        return web.Response(text="ok")


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    raw = await request.read()
    if raw:
        if request.content_type == "application/json":
            params.update(json.loads(raw))
        else:
            params.update(parse_qsl(raw.decode(), keep_blank_values=True))
    for name in JSON_FIELDS:
        if isinstance(params.get(name), str):
            params[name] = json.loads(params[name])
    return params


def _completed(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": f["id"], "title": f.get("title", "")} for f in params.get("files", [])]
