"""Slack as ``coachbot run`` builds it (the adapter itself is ``run.SlackRuntime``)."""

from __future__ import annotations

import argparse

from coachbot.adapters.slack.run import SlackRuntime, use_http
from coachbot.app import App
from coachbot.platform import PlatformAdapter


def adapter(app: App, args: argparse.Namespace) -> PlatformAdapter:
    """Slack for ``coachbot run --platform slack``: Socket Mode, or HTTP when asked
    (``--http``, ``--port``) or when there is no app token."""
    port = getattr(args, "port", None)
    http = use_http(app.services.settings, forced=getattr(args, "http", False) or port is not None)
    return SlackRuntime(app, http=http, port=port)
