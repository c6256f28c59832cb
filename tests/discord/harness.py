"""An offline Discord: discord.py's own client and objects, with HTTP replaced by a recorder.

Both transports discord.py uses are swapped: REST calls (``HTTPClient.request``:
login, DMs, channel messages, command sync) and interaction webhooks (the
``async_context`` adapter: callbacks, follow-ups). Each call is recorded with its
JSON payload and files; answers come from the recorded REST fixtures in
``payloads/rest`` or from a script a test sets. Raw interaction payloads as Discord
sends them (``payloads/interactions``) become ``discord.Interaction`` objects that
go through the real ``CommandTree`` and view store.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
from discord.http import Route
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

from coachbot.adapters.discord.client import CoachClient
from coachbot.adapters.discord.commands import discord_path
from coachbot.registry import CommandSpec, OptionType, Registry
from coachbot.textcommand import parse_options, split_path

PAYLOADS = Path(__file__).parent / "payloads"
GUILD = "81384788765712384"
ALICE = "80351110224678912"
BOB = "80351110224678913"
NAMES = {ALICE: "Alice Martin", BOB: "Bob Durand"}  # display names GET /users/{id} answers
MANAGE_GUILD = 1 << 5
CALLBACK = "/interactions/{webhook_id}/{webhook_token}/callback"
FOLLOWUP = "/webhooks/{webhook_id}/{webhook_token}"
ORIGINAL = "/webhooks/{webhook_id}/{webhook_token}/messages/@original"


def fixture(name: str) -> dict[str, Any]:
    """A recorded payload (a fresh copy each time)."""
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


def rest_answer(method: str, path: str, url: str) -> Any:
    """The recorded answer to a read the bot makes (users, guild, member, channel), with
    the ids of ``url``; None for other routes."""
    tail = url.rstrip("/").split("/")[-1]
    if method != "GET":
        return None
    if path == "/users/{user_id}":
        user = fixture("rest/user")
        user.update(id=tail, username=f"user{tail[-3:]}", global_name=NAMES.get(tail))
        return user
    if path == "/guilds/{guild_id}":
        return fixture("rest/guild")
    if path == "/guilds/{guild_id}/members/{member_id}":
        return fixture("rest/member_bot")
    if path == "/channels/{channel_id}":
        return dict(fixture("rest/channel"), id=tail)
    return None


@dataclass
class Call:
    """One HTTP request discord.py made."""

    method: str
    path: str
    url: str
    payload: dict[str, Any] | None
    files: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        """The message part of an interaction callback (or the payload itself)."""
        payload = self.payload or {}
        return payload.get("data", payload) if self.path == CALLBACK else payload


Script = Callable[[Call], Any]


class Recorder(AsyncWebhookAdapter):
    """Records every request; answers from fixtures unless ``script`` returns or raises."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.script: Script | None = None
        self.commands: dict[str, list[dict[str, Any]]] = {}  # what each command URL holds
        self._ids = itertools.count(1264000000000001000)

    async def request(self, route: Route, session: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        """The webhook transport (interaction callbacks and follow-ups)."""
        return self._answer(self._record(route, kwargs.get("payload"), kwargs))

    async def rest(self, route: Route, **kwargs: Any) -> Any:
        """The REST transport (``HTTPClient.request``)."""
        return self._answer(self._record(route, kwargs.get("json"), kwargs))

    def _record(self, route: Route, payload: Any, kwargs: dict[str, Any]) -> Call:
        for part in kwargs.get("multipart") or kwargs.get("form") or []:
            if part.get("name") == "payload_json":
                payload = json.loads(part["value"])
        files = [(f.filename, _read(f)) for f in kwargs.get("files") or []]
        call = Call(route.method, route.path, route.url, payload, files)
        self.calls.append(call)
        return call

    def _answer(self, call: Call) -> Any:
        if self.script is not None:
            answer = self.script(call)
            if isinstance(answer, BaseException):
                raise answer
            if answer is not None:
                return answer
        return self.default(call)

    def default(self, call: Call) -> Any:
        """What Discord answers to each route we use."""
        if call.path == "/users/@me":
            return fixture("rest/users_me")
        if call.path == "/oauth2/applications/@me":
            return fixture("rest/application")
        if call.path == "/users/@me/channels":
            return fixture("rest/dm_channel")
        read = rest_answer(call.method, call.path, call.url)
        if read is not None:
            return read
        if call.path in ("/channels/{channel_id}/messages", FOLLOWUP, ORIGINAL):
            return self.message(call)
        if call.path == CALLBACK:
            return {"interaction": {"id": call.url.split("/")[-3], "type": 2}}
        if call.method == "PUT" and call.path.startswith("/applications/"):
            self.commands[call.url] = [
                dict(c, id=str(next(self._ids)), application_id="1", version="1")
                for c in call.payload or []
            ]
            return self.commands[call.url]
        if call.method == "GET" and call.path.startswith("/applications/"):
            return self.commands.get(call.url.split("?")[0], [])
        return None

    def message(self, call: Call) -> dict[str, Any]:
        """A created message echoing what was sent."""
        message = fixture("rest/message")
        message["id"] = str(next(self._ids))
        message["embeds"] = (call.payload or {}).get("embeds", [])
        return message

    # What the tests read

    def to(self, path: str) -> list[Call]:
        """The calls to one route template."""
        return [c for c in self.calls if c.path == path]

    def responses(self) -> list[Call]:
        """Interaction callbacks, follow-ups, edits and deletions, in order."""
        return [c for c in self.calls if c.path in (CALLBACK, FOLLOWUP, ORIGINAL)]

    def sent_payloads(self) -> list[dict[str, Any]]:
        """Every message body the bot sent (response data, follow-ups, channel messages)."""
        messages = (FOLLOWUP, "/channels/{channel_id}/messages")
        return [
            c.data
            for c in self.calls
            if c.payload is not None
            and (
                (c.method == "POST" and c.path in messages)
                or (c.method == "POST" and c.path == CALLBACK and c.payload.get("type") in (4, 7))
                or (c.method == "PATCH" and c.path == ORIGINAL)
            )
        ]

    def private(self, body: dict[str, Any]) -> bool:
        """Whether ``body`` shows only to the person asking: its own ephemeral flag, or,
        for the edit replacing a deferral's placeholder, the deferral's."""
        if body.get("flags"):
            return bool(int(body["flags"]) & 64)
        edits = [c for c in self.calls if c.method == "PATCH" and c.path == ORIGINAL]
        if not any(c.payload is body for c in edits):
            return False
        acks = [c.payload or {} for c in self.to(CALLBACK)]
        return any(a.get("type") == 5 and int(a.get("data", {}).get("flags", 0)) & 64 for a in acks)

    def clear(self) -> None:
        """Forget the calls so far."""
        self.calls.clear()


def _read(file: discord.File) -> bytes:
    file.fp.seek(0)
    return file.fp.read()


class Discord:
    """A logged-in client whose HTTP goes to ``recorder``; ``dispatch`` feeds it interactions."""

    def __init__(self, client: CoachClient, recorder: Recorder) -> None:
        self.client = client
        self.recorder = recorder

    async def connect(self) -> Discord:
        """Log in through the recorder (REST only, as ``coachbot discord sync`` does)."""
        self.client.http.request = self.recorder.rest  # type: ignore[method-assign]
        async_context.set(self.recorder)
        await self.client.login("recorded-token")
        return self

    async def dispatch(self, raw: dict[str, Any]) -> discord.Interaction[Any]:
        """Build the Interaction from ``raw``, route it as discord.py's gateway handler does,
        and wait for everything it started."""
        async_context.set(self.recorder)
        before = asyncio.all_tasks()
        state = self.client._connection
        interaction: discord.Interaction[Any] = discord.Interaction(data=raw, state=state)
        if raw["type"] in (2, 4):
            self.client.tree._from_interaction(interaction)
        else:
            data = raw["data"]
            state._view_store.dispatch_view(data["component_type"], data["custom_id"], interaction)
        await settle(before)
        return interaction

    async def message(self, raw: dict[str, Any]) -> None:
        """Feed a MESSAGE_CREATE gateway event, as discord.py's gateway handler does, and
        wait for everything it started."""
        async_context.set(self.recorder)
        before = asyncio.all_tasks()
        self.client._connection.parse_message_create(raw)  # type: ignore[arg-type]
        await settle(before)

    async def close(self) -> None:
        """Close the client (and its HTTP session)."""
        await self.client.close()


async def settle(before: set[asyncio.Task[Any]]) -> None:
    """Wait until every task started since ``before`` (and the tasks they start) is done."""
    for _ in range(50):
        pending = [t for t in asyncio.all_tasks() - before if not t.done()]
        pending = [t for t in pending if t is not asyncio.current_task()]
        if not pending:
            return
        await asyncio.gather(*pending, return_exceptions=True)
    raise AssertionError("interaction tasks did not settle")


_interaction_ids = itertools.count(1263338237372430000)


def command(
    path: tuple[str, ...],
    options: list[dict[str, Any]] | None = None,
    *,
    user: str = ALICE,
    locale: str = "en-US",
    admin: bool = False,
    resolved: dict[str, Any] | None = None,
    kind: int = 2,
) -> dict[str, Any]:
    """A raw slash-command (or autocomplete, ``kind=4``) interaction for ``path``."""
    raw = fixture("interactions/command_cto_salary")
    raw["id"] = str(next(_interaction_ids))
    raw["type"] = kind
    raw["locale"] = locale
    member = raw["member"]
    member["user"]["id"] = user
    member["user"]["username"] = f"user{user[-3:]}"
    if admin:
        member["permissions"] = str(int(member["permissions"]) | MANAGE_GUILD)
    opts = list(options or [])
    for name in reversed(path[1:]):
        opts = [{"name": name, "type": 1, "options": opts}]
    raw["data"] = {"id": "1263335148640301138", "name": path[0], "type": 1, "options": opts}
    if resolved:
        raw["data"]["resolved"] = resolved
    return raw


def user_option(name: str, user_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A USER option and the ``resolved`` block Discord sends with it."""
    user = {"id": user_id, "username": f"user{user_id[-3:]}", "discriminator": "0",
            "global_name": NAMES.get(user_id), "avatar": None, "public_flags": 0}  # fmt: skip
    member = {"roles": [], "joined_at": "2024-05-04T12:00:00.000000+00:00", "deaf": False,
              "mute": False, "flags": 0, "pending": False, "nick": None, "avatar": None,
              "premium_since": None, "permissions": "1071698660929"}  # fmt: skip
    return (
        {"name": name, "type": 6, "value": user_id},
        {"users": {user_id: user}, "members": {user_id: member}},
    )


def channel_option(name: str, channel_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A CHANNEL option (a text channel) and the ``resolved`` block Discord sends with it."""
    channel = {"id": channel_id, "name": "tips", "type": 0, "permissions": "1071698660929",
               "parent_id": None, "topic": None, "nsfw": False, "rate_limit_per_user": 0,
               "last_message_id": None, "flags": 0}  # fmt: skip
    return {"name": name, "type": 7, "value": channel_id}, {"channels": {channel_id: channel}}


BOT = "1263331577734844457"  # the bot user of payloads/rest/users_me.json
DM_CHANNEL = "1264000000000000001"
_message_ids = itertools.count(1264000000000009000)


def message_create(
    content: str,
    *,
    user: str = ALICE,
    guild: str | None = None,
    channel: str = DM_CHANNEL,
    mentions_bot: bool = False,
    bot: bool = False,
) -> dict[str, Any]:
    """A raw MESSAGE_CREATE event: ``content`` sent by ``user`` in a DM, or in a server
    channel with ``guild``, mentioning the bot with ``mentions_bot``."""
    author = {"id": user, "username": f"user{user[-3:]}", "discriminator": "0",
              "global_name": None, "avatar": None, "public_flags": 0, "bot": bot}  # fmt: skip
    raw = fixture("rest/message")
    raw.update(id=str(next(_message_ids)), content=content, channel_id=channel, author=author)
    if mentions_bot:
        raw["mentions"] = [fixture("rest/users_me")]
    if guild:
        raw["guild_id"] = guild
    return raw


def press(
    custom_id: str, *, user: str = ALICE, locale: str = "en-GB", in_guild: bool = False
) -> dict[str, Any]:
    """A raw button press on a message carrying ``custom_id``: in a DM, or in the guild
    channel on an ephemeral answer (``in_guild``)."""
    raw = fixture("interactions/component_dm")
    raw["id"] = str(next(_interaction_ids))
    raw["locale"] = locale
    raw["user"]["id"] = user
    raw["data"]["custom_id"] = custom_id
    row = raw["message"]["components"][0]["components"]
    row[0]["custom_id"] = custom_id
    if in_guild:
        guild = fixture("interactions/command_cto_salary")
        for key in ("guild", "guild_id", "guild_locale", "channel", "channel_id", "member"):
            raw[key] = guild[key]
        raw["member"]["user"] = raw.pop("user")
        raw["context"] = 0
        raw["message"].update(channel_id=guild["channel_id"], flags=64)
    return raw


class DiscordBot:
    """The ``tests.chat.Chat`` of one Discord user: slash commands typed as text become the
    interactions Discord would send (options typed from the registry), answers are read
    from what the bot sent back."""

    def __init__(
        self, discord: Discord, registry: Registry, user: str = ALICE, locale: str = "en-US"
    ) -> None:
        self.discord, self.registry, self.user, self.locale = discord, registry, user, locale
        self.last: list[dict[str, Any]] = []

    async def say(self, line: str) -> str:
        """Type a slash command; the text of the messages the bot answered with."""
        path, rest = split_path(line, self.registry)
        spec = self.registry.get(path)
        assert spec is not None, f"no command {line!r}"
        options, resolved = discord_options(spec, parse_options(spec, rest))
        raw = command(discord_path(spec), options, user=self.user, locale=self.locale,
                      admin=spec.admin, resolved=resolved or None)  # fmt: skip
        return await self._answer(raw)

    async def press(self, label_or_action: str) -> str:
        """Click a button of the last answer by label or action id; the text sent back."""
        buttons = [
            c for m in self.last for row in m.get("components", []) for c in row["components"]
        ]
        custom_id = next(
            b["custom_id"]
            for b in buttons
            if b.get("label") == label_or_action or b["custom_id"].endswith(":" + label_or_action)
        )
        return await self._answer(
            press(custom_id, user=self.user, locale=self.locale, in_guild=True)
        )

    async def _answer(self, raw: dict[str, Any]) -> str:
        before = len(self.discord.recorder.sent_payloads())
        await self.discord.dispatch(raw)
        self.last = self.discord.recorder.sent_payloads()[before:]
        return "\n".join(text for message in self.last for text in message_texts(message))


def discord_options(
    spec: CommandSpec, args: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Typed option values as Discord sends them, and the ``resolved`` block of users."""
    options: list[dict[str, Any]] = []
    resolved: dict[str, Any] = {}
    for name, value in args.items():
        opt = spec.option(name)
        assert opt is not None, f"/{spec.qualified_name} has no option {name!r}"
        if opt.type is OptionType.USER:
            sent, found = user_option(name, value.lstrip("<@").rstrip(">"))
            options.append(sent)
            resolved |= found
        elif opt.type is OptionType.INTEGER:
            options.append({"name": name, "type": 4, "value": int(value)})
        elif opt.type is OptionType.BOOLEAN:
            options.append({"name": name, "type": 5, "value": value.lower() in ("true", "yes")})
        else:
            options.append({"name": name, "type": 3, "value": value})
    return options, resolved


def message_texts(message: dict[str, Any]) -> list[str]:
    """What a user reads in a message: its content, embeds and button labels."""
    texts = [message.get("content") or ""]
    for embed in message.get("embeds", []):
        texts += [embed.get("title", ""), embed.get("description", "")]
        texts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
        texts.append(embed.get("footer", {}).get("text", ""))
    texts += [
        c.get("label", "") for row in message.get("components", []) for c in row["components"]
    ]
    return [text for text in texts if text]
