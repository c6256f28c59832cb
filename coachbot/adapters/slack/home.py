"""The App Home tab: the user's progress, streak and radar chart, and their daily-tip settings.

Everything shown comes from the core: the tracker's overview (``progress_overview``,
the same reply as ``/progress show``) and the reply of the settings command found in
the registry. Under the settings sit buttons for that command's sibling commands
that need no argument (subscribe, resume, unsubscribe...), so the buttons follow the
registry. A button pressed here shows its reply at the top of the tab.

The radar chart is uploaded with ``files_upload_v2`` into the user's DM with the bot
(the only place both can see it; Slack shows a picture in a view only to users
who can access the file) and shown with an image block; it is uploaded again only
when it changed. If Slack refuses the picture (still processing), the tab is
published without it.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from coachbot.adapters.slack.outbox import DirectMessages, slack_error
from coachbot.adapters.slack.render import (
    HOME_BLOCKS,
    MESSAGE_CHARS,
    SlackBlock,
    SlackRenderer,
    block_chars,
    context,
    plain_text,
)
from coachbot.dispatch import Dispatcher, Invocation
from coachbot.i18n import Lang
from coachbot.identity import PersonRef
from coachbot.registry import CommandSpec, Registry
from coachbot.reply import Actions, Image, Reply

log = logging.getLogger(__name__)
HOME_CHARS = 3 * MESSAGE_CHARS
RUN_PREFIX = "cbrun:"
SETTINGS = ("coach", "settings")
DIVIDER: SlackBlock = {"type": "divider"}


class HomeTab:
    """Builds and publishes each user's App Home view."""

    def __init__(
        self, dispatcher: Dispatcher, renderer: SlackRenderer, dms: DirectMessages
    ) -> None:
        self.dispatcher = dispatcher
        self.renderer = renderer
        self.dms = dms
        self._charts: dict[tuple[str, str, str], tuple[str, str]] = {}

    async def publish(
        self,
        client: AsyncWebClient,
        person: PersonRef,
        locale: str | None,
        banner: Reply | None = None,
    ) -> None:
        """Publish ``person``'s Home tab, with ``banner`` (a button's reply) on top."""
        lang = await self.dispatcher.language(person, locale)
        replies = [r for r in (banner, await self._progress(person, lang)) if r is not None]
        settings = await self._settings(person, locale)
        files = await self._upload_charts(client, person, replies)
        blocks = self._blocks(replies, settings, lang, files)
        try:
            await client.views_publish(user_id=person.user, view=home_view(blocks))
        except SlackApiError as exc:
            if not files or slack_error(exc) != "invalid_blocks":
                raise
            log.info("Slack refused the chart in App Home; publishing without it")
            blocks = self._blocks(replies, settings, lang, {})
            await client.views_publish(user_id=person.user, view=home_view(blocks))

    def _blocks(
        self, replies: list[Reply], settings: Reply | None, lang: Lang, files: dict[str, str]
    ) -> list[SlackBlock]:
        sections = [self.renderer.blocks(r, files) for r in replies]
        if settings is not None:
            sections.append(self.renderer.blocks(settings) + self._command_buttons(settings, lang))
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

    def _command_buttons(self, settings: Reply, lang: Lang) -> list[SlackBlock]:
        if any(isinstance(b, Actions) for b in settings.blocks):
            return []
        specs = sibling_commands(self.dispatcher.registry, self.dispatcher.registry.get(SETTINGS))
        elements = [run_button(spec, lang) for spec in specs]
        return [{"type": "actions", "elements": elements[:25]}] if elements else []

    async def _upload_charts(
        self, client: AsyncWebClient, person: PersonRef, replies: list[Reply]
    ) -> dict[str, str]:
        images = [b for r in replies for b in r.blocks if isinstance(b, Image)]
        files: dict[str, str] = {}
        for image in images:
            try:
                files[image.filename] = await self._chart_file(client, person, image)
            except (SlackApiError, ClientError, TimeoutError, OSError) as exc:
                log.warning("could not upload the App Home chart: %s", type(exc).__name__)
        return files

    async def _chart_file(self, client: AsyncWebClient, person: PersonRef, image: Image) -> str:
        key = (person.workspace, person.user, image.filename)
        digest = hashlib.sha256(image.data).hexdigest()
        known = self._charts.get(key)
        if known and known[0] == digest:
            return known[1]
        dm = await self.dms.channel(client, person.workspace, person.user)
        response = await client.files_upload_v2(
            channel=dm,
            file=image.data,
            filename=image.filename,
            title=image.alt[:250],
            alt_txt=image.alt[:1000],
        )
        file_id = str(response["file"]["id"])
        self._charts[key] = (digest, file_id)
        return file_id


def command_names(dispatcher: Dispatcher) -> list[str]:
    """The slash commands of the registry: its groups, then its top-level commands."""
    registry = dispatcher.registry
    return [g for g in registry.groups if registry.in_group(g)] + [
        c.name for c in registry.top_level()
    ]


def sibling_commands(registry: Registry, settings: CommandSpec | None) -> list[CommandSpec]:
    """The commands declared next to the settings command that run without any argument."""
    if settings is None:
        return []
    module = settings.handler.__module__
    return [
        spec
        for spec in registry
        if spec.handler.__module__ == module
        and spec.group == settings.group
        and spec.path != settings.path
        and not spec.admin
        and not any(o.required for o in spec.options)
    ]


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
