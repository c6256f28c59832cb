"""The Bolt app: one listener per slash command of the registry, one for buttons, App Home
and its forms.

Listeners only translate: a Slack payload becomes a person, a locale and a core call
(``run_slash``, ``run_action``, ``Dispatcher.dispatch``), and the core's Reply goes back
through the renderer. Every listener acknowledges first and works after (Slack's
3-second deadline), in its own task, which ``drain`` can wait for; a form is the one
exception: its answer *is* the ack (``response_action: errors`` keeps it open on a bad
value), so its command runs before the ack, within ``FORM_BUDGET``, and past that the
form closes and the outcome shows at the top of App Home.

Events are deduplicated by ``event_id`` (the last ``SEEN_EVENTS`` ids of this
process): an event already seen is acknowledged and dropped, retried or not, while a
retry (``X-Slack-Retry-Num``, also set by Bolt in Socket Mode) of an event whose first
attempt never arrived is handled like a first attempt.
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
from coachbot.adapters.slack.channels import ChannelAccess
from coachbot.adapters.slack.commands import run_slash, slash_commands
from coachbot.adapters.slack.files import ChartFiles
from coachbot.adapters.slack.forms import (
    FORM_CALLBACK,
    FORM_PREFIX,
    Submission,
    command_args,
    form_errors,
    read_submission,
)
from coachbot.adapters.slack.home import RUN_PREFIX, HomeTab
from coachbot.adapters.slack.incoming import command_line, from_slack
from coachbot.adapters.slack.outbox import DirectMessages
from coachbot.adapters.slack.people import named
from coachbot.adapters.slack.render import ACTION_PREFIX, SlackRenderer
from coachbot.adapters.slack.send import ReplySender, Respond
from coachbot.adapters.slack.users import SlackUser, UserDirectory
from coachbot.app import App
from coachbot.dispatch import Invocation, run_action
from coachbot.identity import PersonRef
from coachbot.reply import Reply
from coachbot.textcommand import message_line

log = logging.getLogger(__name__)
SEEN_EVENTS = 10_000
LOADING_VIEW = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "coachbot"},
    "blocks": [{"type": "section", "text": {"type": "plain_text", "text": "… "}}],
}
# "@coachbot combien gagne un CTO ?": the mentions that address the bot are not the question.
LEADING_MENTIONS = re.compile(r"^(?:\s*<@[A-Z0-9]+>)+")
FORM_BUDGET = 2.0  # seconds a form's command may take before its ack (Slack waits 3)
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
        self.channels = ChannelAccess()
        self.charts = ChartFiles(core.services, self.dms)
        self.sender = ReplySender(self.renderer, self.dms, self.charts)
        self.home = HomeTab(self.dispatcher, self.renderer, self.charts, self.users)
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
        self.bolt.action(re.compile("^" + re.escape(FORM_PREFIX)))(self.on_form_button)
        self.bolt.view_submission(FORM_CALLBACK)(self.on_form_submit)
        self.bolt.event("app_home_opened")(self.on_home_opened)
        self.bolt.event("message")(self.on_message)
        self.bolt.event("app_mention")(self.on_mention)

    async def skip_repeats(
        self, req: AsyncBoltRequest, body: dict[str, Any], next: Callable[[], Awaitable[Any]]
    ) -> Any:
        """Acknowledge and drop an event already seen, retried or not (see the module docstring)."""
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if not event_id:
            return await next()
        if event_id in self._seen:
            self._seen.move_to_end(event_id)
            self.skipped_events += 1
            retry = req.headers.get("x-slack-retry-num")
            log.info("dropped a repeated Slack event %s (retry %s)", event_id, retry or "none")
            return BoltResponse(status=200, body="")
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
            reply = await self._typed(client, person, user, line, channel)
            reply = await named(self.users, client, person, reply)
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
            line = str(action.get("value") or "")
            reply = await self._typed(client, person, user, line, context.channel_id)
            await self._show(body, respond, client, person, user, reply)
        except Exception:
            await self._fail(respond)

    async def _typed(
        self,
        client: AsyncWebClient,
        person: PersonRef,
        user: SlackUser,
        line: str,
        channel: str | None,
    ) -> Reply:
        """The core's reply to ``line`` as if ``user`` had typed it in ``channel``."""
        return await run_slash(
            self.dispatcher,
            person,
            line,
            locale=user.locale,
            channel=channel,
            is_admin=user.is_admin,
            timezone=user.timezone,
            channel_check=self.channels.checker(client),
        )

    async def on_form_button(
        self,
        ack: Callable[..., Awaitable[Any]],
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """An App Home button of a command with options: open a modal at once (``views.open``;
        the ``trigger_id`` expires 3 s after the press), then fill in the form
        (``views.update``) once the user's language and settings are read."""
        self._track()
        await ack()
        try:
            opened = await client.views_open(trigger_id=body["trigger_id"], view=LOADING_VIEW)
            person, user = await self._who(client, context)
            view = await self.home.form(person, user.locale, str(action.get("value") or ""))
            shown = opened.get("view") or {}
            await client.views_update(view_id=shown["id"], hash=shown.get("hash"), view=view)
        except Exception:
            log.exception("opening a form failed")

    async def on_form_submit(
        self,
        ack: Callable[..., Awaitable[Any]],
        view: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """A form sent: run its command with the changed options; a bad value keeps it open
        with the core's message under that input, else App Home shows the reply on top."""
        self._track()
        submission = read_submission(view)
        work = asyncio.ensure_future(self._run_form(client, context, submission))
        done, _ = await asyncio.wait({work}, timeout=FORM_BUDGET)
        errors = work.result()[2] if done and work.exception() is None else {}
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()  # the form closes: saved, failed, or too slow to keep it open
        try:
            person, user, _, reply = await work
            await self.home.publish(client, person, user.locale, banner=reply)
        except Exception:
            log.exception("a form's command or the App Home after it failed")

    async def _run_form(
        self, client: AsyncWebClient, context: AsyncBoltContext, submission: Submission
    ) -> tuple[PersonRef, SlackUser, dict[str, str], Reply]:
        """Dispatch the form's command; the errors to show in the form when its reply is one."""
        person, user = await self._who(client, context)
        spec = self.dispatcher.registry.get(tuple(submission.command.split()))
        if spec is None:
            raise LookupError(f"a form of an unknown command /{submission.command}")
        args = command_args(spec, submission)
        invocation = Invocation(
            person,
            spec.path,
            args,
            user.locale,
            submission.channel,
            user.is_admin,
            timezone=user.timezone,
            channel_check=self.channels.checker(client),
        )
        reply = await self.dispatcher.dispatch(invocation)
        return person, user, form_errors(reply, spec, args), reply

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

    async def on_message(
        self, event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """A message in the bot's DM: a free question, or a command typed with its slash.
        Edits, bot messages and other channels' messages are not questions."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        await self._converse(event, client, context)

    async def on_mention(
        self, event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """A message mentioning the bot in a channel: the rest of it is a free question."""
        if event.get("bot_id"):
            return
        await self._converse(event, client, context)

    async def _converse(
        self, event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """Answer a message in its conversation, as the line it holds would be answered."""
        self._track()
        line = message_line(LEADING_MENTIONS.sub("", from_slack(str(event.get("text") or ""))))
        channel = str(event.get("channel") or "")
        if line is None or not channel:
            return
        person, user = await self._who(client, context)
        try:
            reply = await self._typed(client, person, user, line, channel)
            await self.sender.post(client, reply, person=person, channel=channel)
        except Exception:
            log.exception("answering a Slack message failed")

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
        reply = await named(self.users, client, person, reply)
        await self.sender.answer(respond, client, reply, person=person, channel=channel)

    async def _fail(self, respond: Respond) -> None:
        log.exception("a Slack interaction failed after its ack")
        try:
            answer = await respond(
                text=INTERNAL_ERROR, response_type="ephemeral", replace_original=False
            )
        except Exception:
            log.exception("could not tell the user about the failure")
            return
        status = getattr(answer, "status_code", 200)
        if status != 200:
            log.warning("could not tell the user about the failure: Slack answered %s", status)

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
