"""The App Home tab: the user's progress, streak and radar chart, and their daily-tip settings.

Everything shown comes from the core: the tracker's overview (``progress_overview``,
the same reply as ``/progress show``) and the reply of the settings command found in
the registry. Under the settings sit one button per command the core says fits the
subscription's state (``coachbot.prompts.tipstate.tip_commands``). A command that
needs options (settings, pause) opens its form (``forms``); an argument-free one runs
at once. A button pressed here, or a form sent, shows its reply at the top of the tab.

The radar chart is uploaded with ``files_upload_v2`` into the user's DM with the bot
(the only place both can see it; Slack shows a picture in a view only to users
who can access the file) and shown with an image block; it is uploaded once per
change, shared with ``/progress show`` and across restarts (``ChartFiles``). If Slack
refuses the picture (still processing), the tab is published without it, and App Home
leaves that file out for a while instead of paying two publishes every time.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from coachbot.adapters.slack.files import ChartFiles
from coachbot.adapters.slack.forms import command_modal, form_button
from coachbot.adapters.slack.outbox import slack_error
from coachbot.adapters.slack.people import named
from coachbot.adapters.slack.render import (
    HOME_BLOCKS,
    MESSAGE_CHARS,
    SlackBlock,
    SlackRenderer,
    block_chars,
    context,
    plain_text,
    uploads,
)
from coachbot.adapters.slack.users import UserDirectory
from coachbot.dispatch import Dispatcher, Invocation
from coachbot.i18n import Lang, Localized
from coachbot.identity import PersonRef
from coachbot.prompts.tipstate import tip_commands, tip_state
from coachbot.registry import CommandSpec
from coachbot.reply import Reply

log = logging.getLogger(__name__)
HOME_CHARS = 3 * MESSAGE_CHARS
RUN_PREFIX = "cbrun:"
SETTINGS = ("coach", "settings")
CHANGE_SETTINGS = Localized("Changer les réglages", "Change settings")
DIVIDER: SlackBlock = {"type": "divider"}


class HomeTab:
    """Builds and publishes each user's App Home view."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        renderer: SlackRenderer,
        charts: ChartFiles,
        users: UserDirectory,
    ) -> None:
        self.dispatcher = dispatcher
        self.renderer = renderer
        self.charts = charts
        self.users = users

    async def publish(
        self,
        client: AsyncWebClient,
        person: PersonRef,
        locale: str | None,
        banner: Reply | None = None,
    ) -> None:
        """Publish ``person``'s Home tab, with ``banner`` (a button's reply) on top."""
        lang = await self.dispatcher.language(person, locale)
        shown = [r for r in (banner, await self._progress(person, lang)) if r is not None]
        replies = [await named(self.users, client, person, r) for r in shown]
        settings = await self._settings(person, locale)
        if settings is not None:
            settings = await named(self.users, client, person, settings)
        buttons = await self._tip_buttons(person, lang) if settings is not None else []
        files = await self._upload_charts(client, person, replies)
        blocks = self._blocks(replies, settings, buttons, files)
        try:
            await client.views_publish(user_id=person.user, view=home_view(blocks))
        except SlackApiError as exc:
            if not files or slack_error(exc) != "invalid_blocks":
                raise
            log.info("Slack refused the chart in App Home; publishing without it")
            for file_id in files.values():
                self.charts.refused(file_id)
            blocks = self._blocks(replies, settings, buttons, {})
            await client.views_publish(user_id=person.user, view=home_view(blocks))

    async def form(self, person: PersonRef, locale: str | None, command: str) -> dict[str, Any]:
        """The form of ``command`` (a qualified name), pre-filled with the current settings."""
        spec = self.dispatcher.registry.get(tuple(command.split()))
        if spec is None:
            raise LookupError(f"no command /{command}")
        lang = await self.dispatcher.language(person, locale)
        if spec.path != SETTINGS:
            return command_modal(spec, lang, {})
        state = await tip_state(self.dispatcher.services, person, lang)
        return command_modal(spec, lang, state.values, state.channel)

    def _blocks(
        self,
        replies: list[Reply],
        settings: Reply | None,
        buttons: list[dict[str, Any]],
        files: dict[str, str],
    ) -> list[SlackBlock]:
        sections = [self.renderer.blocks(r, files) for r in replies]
        if settings is not None:
            actions = [{"type": "actions", "elements": buttons}] if buttons else []
            sections.append(self.renderer.blocks(settings) + actions)
        if not sections:
            sections.append(
                context([" · ".join(f"`/{n}`" for n in command_names(self.dispatcher))])
            )
        blocks = [b for i, part in enumerate(sections) for b in ([DIVIDER] if i else []) + part]
        return fit_home(blocks)

    async def _progress(self, person: PersonRef, lang: Lang) -> Reply | None:
        """The tracker's overview (as ``/progress show``); None when it fails, so Home still shows."""
        from coachbot.tracker.show import progress_overview

        try:
            return await progress_overview(self.dispatcher.services, person, lang)
        except Exception:
            log.exception("the progress overview failed for App Home")
            return None

    async def _settings(self, person: PersonRef, locale: str | None) -> Reply | None:
        if self.dispatcher.registry.get(SETTINGS) is None:
            return None
        return await self.dispatcher.dispatch(Invocation(person, SETTINGS, {}, locale))

    async def _tip_buttons(self, person: PersonRef, lang: Lang) -> list[dict[str, Any]]:
        """The buttons that fit ``person``'s subscription; none when it cannot be read."""
        try:
            state = await tip_state(self.dispatcher.services, person, lang)
        except Exception:
            log.exception("the daily-tip state could not be read for App Home")
            return []
        group = SETTINGS[0]
        specs = [self.dispatcher.registry.get((group, name)) for name in tip_commands(state)]
        return [tip_button(spec, lang) for spec in specs if spec is not None]

    async def _upload_charts(
        self, client: AsyncWebClient, person: PersonRef, replies: list[Reply]
    ) -> dict[str, str]:
        """The file ids of the replies' pictures App Home can show now."""
        items = [u for r in replies for u in uploads(r) if u.is_image]
        files: dict[str, str] = {}
        for item in items:
            try:
                file_id = await self.charts.file_id(client, person, item)
            except (SlackApiError, ClientError, TimeoutError, OSError) as exc:
                log.warning("could not upload the App Home chart: %s", type(exc).__name__)
                continue
            if self.charts.showable(file_id):
                files[item.filename] = file_id
        return files


def command_names(dispatcher: Dispatcher) -> list[str]:
    """The slash commands of the registry: its groups, then its top-level commands."""
    registry = dispatcher.registry
    return [g for g in registry.groups if registry.in_group(g)] + [
        c.name for c in registry.top_level()
    ]


def tip_button(spec: CommandSpec, lang: Lang) -> dict[str, Any]:
    """The settings form, a form for a command that needs options, else a run button."""
    if spec.path == SETTINGS:
        return form_button(spec, CHANGE_SETTINGS.get(lang))
    if any(o.required for o in spec.options):
        return form_button(spec, spec.description.get(lang))
    return run_button(spec, lang)


def run_button(spec: CommandSpec, lang: Lang) -> dict[str, Any]:
    """A button that runs ``spec`` with no argument (its label is the command's description)."""
    return {
        "type": "button",
        "text": plain_text(spec.description.get(lang), 75),
        "action_id": RUN_PREFIX + spec.qualified_name,
        "value": "/" + spec.qualified_name,
    }


def home_view(blocks: list[SlackBlock]) -> dict[str, Any]:
    """The ``views.publish`` payload of an App Home tab."""
    return {"type": "home", "blocks": blocks}


def fit_home(blocks: list[SlackBlock]) -> list[SlackBlock]:
    """At most 100 blocks and ``HOME_CHARS`` characters; a cut is marked, never refused."""
    kept: list[SlackBlock] = []
    size = 0
    for block in blocks:
        size += block_chars(block)
        if len(kept) >= HOME_BLOCKS - 1 or size > HOME_CHARS:
            return kept + context([":scissors: …"])
        kept.append(block)
    return kept
