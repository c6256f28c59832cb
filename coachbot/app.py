"""The composition root: the one place that builds settings, knowledge, database and commands."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from coachbot.clock import Clock, SystemClock
from coachbot.dispatch import Dispatcher
from coachbot.knowledge.loader import default_knowledge
from coachbot.knowledge.models import KnowledgeBase
from coachbot.registry import Registry
from coachbot.services import Services
from coachbot.settings import Settings
from coachbot.vocabularies import build_vocabularies

COMMAND_MODULES = (
    "coachbot.commands.cto",
    "coachbot.commands.coach",
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
    return App(services, registry, Dispatcher(services, registry))
