"""Log lines for people (text) or for log collectors (one JSON object a line).

Both formats blank out every configured secret wherever it appears. JSON lines carry the
command, platform and workspace being served (``coachbot.observe.CURRENT_COMMAND``); for an
exception they carry its type and stack, not its message, which may quote what a user typed.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime

from coachbot.observe import CURRENT_COMMAND

MASK = "********"
TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by a mask."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


class TextFormatter(logging.Formatter):
    """The usual one-line text, secrets masked."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(TEXT_FORMAT)
        self.secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        """The record as text, without secrets."""
        return redact(super().format(record), self.secrets)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the command scope, and
    an exception's type and stack."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON line, without secrets."""
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage(), self.secrets),
        }
        scope = CURRENT_COMMAND.get()
        if scope is not None:
            line |= {"command": scope.command, "platform": scope.platform}
            line["workspace"] = scope.workspace
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, tb = record.exc_info
            line["exception"] = kind.__name__
            line["stack"] = redact("".join(traceback.format_tb(tb)), self.secrets)
        return json.dumps(line, ensure_ascii=False)


class OurHandler(logging.StreamHandler):
    """The stderr handler ``configure_logging`` installs (and replaces on a second call)."""


def configure_logging(log_format: str, secrets: Iterable[str] = ()) -> None:
    """Send log records to stderr as ``log_format`` ("text" or "json"), masking ``secrets``;
    a second call replaces the first one's handler, and other handlers are left alone."""
    handler = OurHandler()
    handler.setFormatter(JsonFormatter(secrets) if log_format == "json" else TextFormatter(secrets))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, OurHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
