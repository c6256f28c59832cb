"""Requests exactly as Slack sends them to an app in HTTP mode, signed with the v0 scheme.

Slash commands are form-encoded, interactions are form-encoded with one ``payload``
field holding JSON, events are JSON. Each request carries ``X-Slack-Request-Timestamp``
and ``X-Slack-Signature = v0=hex(HMAC-SHA256(secret, "v0:{ts}:{body}"))``.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

PAYLOADS = Path(__file__).parent / "payloads"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
FORM = "application/x-www-form-urlencoded"


def payload(name: str) -> dict[str, Any]:
    """A fresh copy of a recorded payload fixture."""
    return copy.deepcopy(json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8")))


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Slack's v0 request signature."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Answer:
    """The app's HTTP answer to one request."""

    status: int
    text: str


Request = tuple[bytes, str]  # a body and its content type


def command_request(
    command: str, text: str, *, user: str, channel: str, response_url: str
) -> Request:
    """A slash command, form-encoded."""
    form = payload("slash_command") | {
        "command": command,
        "text": text,
        "user_id": user,
        "channel_id": channel,
        "response_url": response_url,
    }
    return urlencode(form).encode(), FORM


def press_request(
    action_id: str, value: str, *, user: str, home: bool, response_url: str
) -> Request:
    """A button click (``block_actions``), form-encoded as ``payload=<json>``."""
    body = payload("block_actions_home" if home else "block_actions")
    body["actions"][0].update({"action_id": action_id, "value": value})
    body["user"]["id"] = user
    if not home:
        body["response_url"] = response_url
    return urlencode({"payload": json.dumps(body)}).encode(), FORM


def submission_request(view: dict[str, Any], values: dict[str, Any], *, user: str) -> Request:
    """A modal sent (``view_submission``): the opened ``view`` with ``values`` as its state."""
    body = payload("view_submission")
    body["view"].update(
        {
            "blocks": view["blocks"],
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": values},
        }
    )
    body["user"]["id"] = user
    return urlencode({"payload": json.dumps(body)}).encode(), FORM


def form_state(view: dict[str, Any], changes: Mapping[str, str | None]) -> dict[str, Any]:
    """``view.state.values`` as Slack sends them: each input's initial value, or its change."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        kind = element["type"]
        if kind == "static_select":
            chosen = element.get("initial_option")
            if block_id in changes:
                wanted = changes[block_id]
                chosen = next((o for o in element["options"] if o["value"] == wanted), None)
            state = {"type": kind, "selected_option": chosen}
        elif kind == "conversations_select":
            picked = changes.get(block_id, element.get("initial_conversation"))
            state = {"type": kind, "selected_conversation": picked}
        elif kind == "datepicker":
            state = {
                "type": kind,
                "selected_date": changes.get(block_id, element.get("initial_date")),
            }
        else:
            state = {"type": kind, "value": changes.get(block_id, element.get("initial_value"))}
        values[block_id] = {element["action_id"]: state}
    return values


def event_request(event_id: str, *, user: str, tab: str) -> Request:
    """An ``app_home_opened`` event, JSON."""
    body = payload("app_home_opened")
    body["event_id"] = event_id
    body["event"].update({"user": user, "tab": tab})
    return json.dumps(body).encode(), "application/json"


def message_request(
    event_id: str, text: str, *, user: str, channel: str, kind: str, channel_type: str | None
) -> Request:
    """A ``message`` or ``app_mention`` event carrying ``text``, JSON."""
    body = payload("app_home_opened")
    body["event_id"] = event_id
    event: dict[str, Any] = {"type": kind, "user": user, "text": text, "channel": channel}
    event.update({"ts": "1700000003.000100", "event_ts": "1700000003.000100"})
    if channel_type:
        event["channel_type"] = channel_type
    body["event"] = event
    return json.dumps(body).encode(), "application/json"


class SlackWire:
    """Sends signed requests to the app's ``/slack/events`` endpoint."""

    def __init__(self, session: aiohttp.ClientSession, url: str, response_url: str) -> None:
        self.session = session
        self.url = url
        self.response_url = response_url

    async def command(
        self, command: str, text: str, *, user: str = "U0001", channel: str = "C0001"
    ) -> Answer:
        """A slash command, form-encoded."""
        request = command_request(
            command, text, user=user, channel=channel, response_url=self.response_url
        )
        return await self.send(*request)

    async def press(
        self, action_id: str, value: str, *, home: bool = False, user: str = "U0001"
    ) -> Answer:
        """A button click (``block_actions``), form-encoded as ``payload=<json>``."""
        request = press_request(
            action_id, value, user=user, home=home, response_url=self.response_url
        )
        return await self.send(*request)

    async def submit(
        self, view: dict[str, Any], changes: Mapping[str, str | None], *, user: str = "U0001"
    ) -> Answer:
        """Send the opened modal ``view`` with ``changes`` typed or picked in it."""
        return await self.send(*submission_request(view, form_state(view, changes), user=user))

    async def event(
        self,
        event_id: str = "Ev0001",
        *,
        user: str = "U0001",
        retry: int | None = None,
        tab: str = "home",
    ) -> Answer:
        """An ``app_home_opened`` event, JSON; ``retry`` sets ``X-Slack-Retry-Num``."""
        headers = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else {}
        )
        return await self.send(*event_request(event_id, user=user, tab=tab), headers)

    async def message(
        self,
        text: str,
        *,
        event_id: str,
        user: str = "U0001",
        channel: str = "D0001",
        kind: str = "message",
        channel_type: str | None = "im",
    ) -> Answer:
        """A message sent in the bot's DM (or, with ``kind="app_mention"``, a mention)."""
        request = message_request(
            event_id, text, user=user, channel=channel, kind=kind, channel_type=channel_type
        )
        return await self.send(*request)

    async def send(
        self,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        secret: str = SECRET,
        timestamp: int | None = None,
    ) -> Answer:
        """POST ``body`` signed with ``secret`` at ``timestamp`` (now by default)."""
        ts = int(time.time()) if timestamp is None else timestamp
        signed = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature(secret, ts, body),
            **(headers or {}),
        }
        async with self.session.post(self.url, data=body, headers=signed) as response:
            return Answer(response.status, await response.text())
