"""What handlers may use, and the per-call context they receive."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from coachbot.clock import Clock
from coachbot.i18n import Lang, Localized
from coachbot.identity import PersonRef
from coachbot.knowledge.models import KnowledgeBase
from coachbot.languages import LanguagePreferences
from coachbot.memo import Memo
from coachbot.observe import Observers
from coachbot.registry import Registry
from coachbot.settings import Settings
from coachbot.vocabularies import Vocabulary

if TYPE_CHECKING:
    from coachbot.db.engine import Database
    from coachbot.knowledge.followups import Conversations
    from coachbot.knowledge.retrieval import Retriever
    from coachbot.prompts.pending import PendingNotices


# Whether the bot can post in a channel: None when it can, else why not and what to do,
# in both languages (the platform knows its own words: "/invite @coachbot").
ChannelCheck = Callable[[str], Awaitable[Localized | None]]


@dataclass
class Services:
    """The long-lived collaborators, built once by the composition root."""

    settings: Settings
    kb: KnowledgeBase
    clock: Clock
    vocabularies: dict[str, Vocabulary]
    registry: Registry
    db: Database | None = None
    memos: dict[str, Memo] = field(default_factory=dict)  # by name (see tracker.cache.memo)
    observers: Observers = field(default_factory=Observers)  # metrics and logs listen here

    @cached_property
    def languages(self) -> LanguagePreferences:
        """Users' language choices (cached reads)."""
        return LanguagePreferences(self.db, self.clock)

    @cached_property
    def retriever(self) -> Retriever:
        """The free-question index, built on first use (it costs ~50 ms)."""
        from coachbot.knowledge.retrieval import Retriever

        return Retriever(self.kb)

    @cached_property
    def conversations(self) -> Conversations:
        """What each user was just answered, for follow-up questions."""
        from coachbot.knowledge.followups import Conversations

        return Conversations(self.clock)

    @cached_property
    def pending_notices(self) -> PendingNotices:
        """Who has a failing-delivery notice waiting (kept in memory)."""
        from coachbot.prompts.pending import PendingNotices

        return PendingNotices(self.database(), self.clock)

    def database(self) -> Database:
        """The database; a clear error where a command needs one and none is configured."""
        if self.db is None:
            raise RuntimeError("this command needs the database; run it through `coachbot chat`")
        return self.db


@dataclass(frozen=True)
class Context:
    """Who is asking, in which language, with which services."""

    person: PersonRef
    lang: Lang
    services: Services
    locale: str | None = None
    channel: str | None = None
    is_admin: bool = False
    flat_admin: bool = False  # the platform shows admin subcommands as /group-name (Discord)
    timezone: str | None = None  # the zone the platform knows for the user (Slack's ``tz``)
    channel_check: ChannelCheck | None = None  # the platform can tell where the bot may post
    lang_chosen: bool = False  # the user (or the caller) chose ``lang``: never guess another

    def t(self, text: Localized) -> str:
        """``text`` in the caller's language."""
        return text.get(self.lang)

    def command_shown(self, *path: str) -> str:
        """The command at ``path`` (English ids) as the caller types it on their platform:
        ``/coach serveur`` in French, ``/coach-server`` where admin commands are lifted."""
        spec = self.services.registry.get(path)
        if spec is None:
            return "/" + " ".join(path)
        return "/" + spec.qualified_name_in(self.lang, flat_admin=self.flat_admin)
