"""The one exception handlers raise for bad input (it becomes a clear error reply), and the
ones the command line stops on when the database needs migrating or cannot be opened."""

from __future__ import annotations

from coachbot.i18n import Localized


class BadInput(Exception):
    """The user's input cannot be accepted; ``message`` says what is accepted instead."""

    def __init__(self, message: Localized) -> None:
        super().__init__(message.en)
        self.message = message


class SchemaNotReady(Exception):
    """The database is not at the schema this code expects: it needs ``coachbot migrate``."""


class DatabaseUnreachable(Exception):
    """The configured database cannot be opened; the message says what to check."""
