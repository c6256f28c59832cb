"""The one exception handlers raise for bad input: it becomes a clear error reply."""

from __future__ import annotations

from coachbot.i18n import Localized


class BadInput(Exception):
    """The user's input cannot be accepted; ``message`` says what is accepted instead."""

    def __init__(self, message: Localized) -> None:
        super().__init__(message.en)
        self.message = message
