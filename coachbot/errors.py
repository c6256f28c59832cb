"""The one exception handlers raise for bad input (it becomes a clear error reply), and the
ones the command line stops on when the database needs migrating or cannot be opened."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from coachbot.i18n import Localized


class BadInput(Exception):
    """The user's input cannot be accepted; ``message`` says what is accepted instead.

    ``option`` is the option (its English id) whose value was refused, when one was:
    a form shows the message under that input."""

    def __init__(self, message: Localized, option: str | None = None) -> None:
        super().__init__(message.en)
        self.message = message
        self.option = option

    def about(self, option: str) -> BadInput:
        """This refusal, naming ``option`` unless it already names one."""
        if self.option is None:
            self.option = option
        return self


@contextmanager
def blame(option: str) -> Iterator[None]:
    """Any BadInput raised inside is about ``option`` (unless it already names one)."""
    try:
        yield
    except BadInput as exc:
        exc.about(option)
        raise


class SchemaNotReady(Exception):
    """The database is not at the schema this code expects: it needs ``coachbot migrate``."""


class DatabaseUnreachable(Exception):
    """The configured database cannot be opened; the message says what to check."""
