"""The composition root: the one place that builds settings, knowledge, database and commands."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coachbot.clock import Clock, SystemClock
from coachbot.dispatch import Dispatcher
from coachbot.knowledge.loader import default_knowledge
from coachbot.knowledge.models import KnowledgeBase
from coachbot.registry import Registry
from coachbot.services import Services
from coachbot.settings import Settings
from coachbot.vocabularies import CommandVocabulary, build_vocabularies

if TYPE_CHECKING:
    from coachbot.scheduling.scheduler import Scheduler

COMMAND_MODULES = (
    "coachbot.commands.cto",
    "coachbot.commands.coach",
    "coachbot.commands.progress",
    "coachbot.commands.subscribe",
    "coachbot.commands.server",
    "coachbot.prompts.actions",
    "coachbot.commands.mentor",
    "coachbot.commands.privacy",
    "coachbot.commands.help",
)


@dataclass
class App:
    """A wired bot: what adapters need to serve users."""

    services: Services
    registry: Registry
    dispatcher: Dispatcher

    async def close(self) -> None:
        """Release the database connections."""
        if self.services.db is not None:
            await self.services.db.dispose()


def build_registry(kb: KnowledgeBase) -> Registry:
    """Every command: the declared ones, then one per remaining knowledge-base topic."""
    from coachbot.commands.cto import topic_commands

    declared = Registry.collect(importlib.import_module(m) for m in COMMAND_MODULES)
    names = {c.name for c in declared.in_group("cto")}
    return declared.extended(topic_commands(kb, names))


def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    kb: KnowledgeBase | None = None,
    with_database: bool = True,
) -> App:
    """Wire a bot from ``settings``; no database when ``with_database`` is False (``ask``)."""
    kb = kb or default_knowledge()
    db = None
    if with_database:
        from coachbot.db.engine import Database

        db = Database(settings.database.url, echo=settings.database.echo)
    services = Services(settings, kb, clock or SystemClock(), build_vocabularies(kb), db)
    registry = build_registry(kb)
    services.extras["registry"] = registry
    services.vocabularies["command"] = CommandVocabulary(registry)  # /help command
    dispatcher = Dispatcher(services, registry)
    if with_database:
        from coachbot.prompts.notices import failing_notice

        dispatcher.notice_providers.append(failing_notice)
    return App(services, registry, dispatcher)


def build_scheduler(app: App, *, speed: float = 1.0) -> Scheduler | None:
    """The daily-prompt scheduler over the delivery ports registered so far (see
    ``coachbot.scheduling.scheduler.register_port``); None when disabled or without database.
    ``speed`` > 1 ticks faster in real time, for a clock running that much faster."""
    if not app.services.settings.scheduler.enabled or app.services.db is None:
        return None
    from coachbot.prompts.compose import choose_tip_for, choose_tips_for, prompt_reply
    from coachbot.scheduling.pipeline import Composer
    from coachbot.scheduling.scheduler import build_scheduler as build

    composer = Composer(choose_tip_for, prompt_reply, choose_tips_for)
    return build(app.services, composer, speed=speed)
