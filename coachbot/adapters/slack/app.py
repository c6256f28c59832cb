"""The Bolt app: one listener per slash command of the registry, one for buttons, one for App Home.

Listeners only translate: a Slack payload becomes a person, a locale and a core call
(``run_slash``, ``run_action``), and the core's Reply goes back through the renderer.
Every listener acknowledges first and works after (Slack's 3-second deadline), in
its own task, which ``drain`` can wait for. Events that Slack retries
(``X-Slack-Retry-Num``, also set by Bolt in Socket Mode) or sends twice (same
``event_id``) are acknowledged and dropped: every event this app handles is
re-sent by the next user action anyway (opening App Home), so dropping one never
loses anything, while handling one twice could act twice.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from coachbot.adapters.slack import PLATFORM
from coachbot.adapters.slack.commands import run_slash, slash_commands
from coachbot.adapters.slack.home import RUN_PREFIX, HomeTab
from coachbot.adapters.slack.incoming import command_line
from coachbot.adapters.slack.outbox import DirectMessages
from coachbot.adapters.slack.render import ACTION_PREFIX, SlackRenderer
from coachbot.adapters.slack.send import ReplySender, Respond
from coachbot.adapters.slack.users import SlackUser, UserDirectory
from coachbot.app import App
from coachbot.dispatch import run_action
from coachbot.identity import PersonRef
from coachbot.reply import Reply

log = logging.getLogger(__name__)
SEEN_EVENTS = 10_000
INTERNAL_ERROR = (
    ":warning: Erreur interne, rien n'a été modifié. / Internal error, nothing was changed."
)


class SlackAdapter:
    """The core wired into a Bolt ``AsyncApp``."""

    def __init__(
        self,
        core: App,
        client: AsyncWebClient,
        *,
        signing_secret: str = "",
    ) -> None:
        self.core = core
        self.dispatcher = core.dispatcher
        self.renderer = SlackRenderer()
        self.dms = DirectMessages()
        self.users = UserDirectory(core.services.clock)
        self.sender = ReplySender(self.renderer, self.dms)
        self.home = HomeTab(self.dispatcher, self.renderer, self.dms)
        self.skipped_events = 0
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.bolt = AsyncApp(
            name="coachbot",
            client=client,
            signing_secret=signing_secret,
            logger=logging.getLogger("coachbot.slack.bolt"),
        )
        self._register()

    def _register(self) -> None:
        self.bolt.middleware(self.skip_repeats)
        for slash in slash_commands(self.core.registry):
            self.bolt.command(slash.command)(self.on_command)
        self.bolt.action(re.compile("^" + re.escape(ACTION_PREFIX)))(self.on_button)
        self.bolt.action(re.compile("^" + re.escape(RUN_PREFIX)))(self.on_run_button)
        self.bolt.event("app_home_opened")(self.on_home_opened)

    async def skip_repeats(
        self, req: AsyncBoltRequest, body: dict[str, Any], next: Callable[[], Awaitable[Any]]
    ) -> Any:
        """Acknowledge and drop retried or already-seen events (see the module docstring)."""
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if req.headers.get("x-slack-retry-num") or (event_id and event_id in self._seen):
            self.skipped_events += 1
            log.info("dropped a repeated Slack event (%s)", event_id or "retry")
            return BoltResponse(status=200, body="")
        if event_id:
            self._seen[event_id] = None
            while len(self._seen) > SEEN_EVENTS:
                self._seen.popitem(last=False)
        return await next()

    async def on_command(
        self,
        ack: Callable[..., Awaitable[Any]],
        body: dict[str, Any],
        respond: Respond,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """A slash command: ack, parse the text against the registry, answer."""
        self._track()
        await ack()
        person, user = await self._who(client, context)
        channel = body.get("channel_id")
        try:
            line = command_line(str(body["command"]), str(body.get("text") or ""))
            reply = await run_slash(
                self.dispatcher,
                person,
                line,
                locale=user.locale,
                channel=channel,
                is_admin=user.is_admin,
            )
            await self.sender.answer(respond, client, reply, person=person, channel=channel)
        except Exception:
            await self._fail(respond)

    async def on_button(
        self,
        ack: Callable[..., Awaitable[Any]],
        body: dict[str, Any],
        action: dict[str, Any],
        respond: Respond,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """A button of a core reply: run its action id, show the reply where it was pressed."""
        self._track()
        await ack()
        person, user = await self._who(client, context)
        action_id = str(action.get("value") or action["action_id"][len(ACTION_PREFIX) :])
        try:
            reply = await run_action(
                self.dispatcher, person, action_id, user.locale, context.channel_id
            )
            await self._show(body, respond, client, person, user, reply)
        except Exception:
            await self._fail(respond)

    async def on_run_button(
        self,
        ack: Callable[..., Awaitable[Any]],
        body: dict[str, Any],
        action: dict[str, Any],
        respond: Respond,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """An App Home button that runs an argument-free command, like typing it."""
        self._track()
        await ack()
        person, user = await self._who(client, context)
        try:
            reply = await run_slash(
                self.dispatcher,
                person,
                str(action.get("value") or ""),
                locale=user.locale,
                channel=context.channel_id,
                is_admin=user.is_admin,
            )
            await self._show(body, respond, client, person, user, reply)
        except Exception:
            await self._fail(respond)

    async def on_home_opened(
        self, event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """The user opened the Home tab: publish their view."""
        if event.get("tab") != "home":
            return
        self._track()
        person, user = await self._who(client, context)
        try:
            await self.home.publish(client, person, user.locale)
        except Exception:
            log.exception("publishing App Home failed")

    async def _who(
        self, client: AsyncWebClient, context: AsyncBoltContext
    ) -> tuple[PersonRef, SlackUser]:
        person = PersonRef(PLATFORM, str(context.team_id), str(context.user_id))
        return person, await self.users.lookup(client, person.workspace, person.user)

    async def _show(
        self,
        body: dict[str, Any],
        respond: Respond,
        client: AsyncWebClient,
        person: PersonRef,
        user: SlackUser,
        reply: Reply,
    ) -> None:
        container = body.get("container") or {}
        if container.get("type") == "view" and (body.get("view") or {}).get("type") == "home":
            await self.home.publish(client, person, user.locale, banner=reply)
            return
        channel = (body.get("channel") or {}).get("id")
        await self.sender.answer(respond, client, reply, person=person, channel=channel)

    async def _fail(self, respond: Respond) -> None:
        log.exception("a Slack interaction failed after its ack")
        try:
            await respond(text=INTERNAL_ERROR, response_type="ephemeral", replace_original=False)
        except Exception:
            log.exception("could not tell the user about the failure")

    def _track(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait (at most ``timeout`` seconds) for the work started by listeners to finish."""
        pending = {t for t in self._tasks if t is not asyncio.current_task()}
        if pending:
            await asyncio.wait(pending, timeout=timeout)
