"""The Slack app manifest (``coachbot slack manifest``), generated from the registry.

Paste it at https://api.slack.com/apps > Create New App > From a manifest. Socket Mode
needs no public URL; HTTP mode points slash commands, interactivity and events at
``<url>/slack/events``. The scopes are the minimum the adapter calls need.
"""

from __future__ import annotations

from typing import Any

from coachbot.adapters.slack.commands import slash_commands
from coachbot.registry import Registry

EVENTS_PATH = "/slack/events"
# Every scope, and the call that needs it (the README explains each one).
SCOPES: dict[str, str] = {
    "commands": "slash commands (/cto, /progress, /mentor, /coach, /help)",
    "chat:write": "daily prompts and alerts (chat.postMessage) in DMs and channels the bot is in",
    "im:write": "opening the DM that carries prompts, charts and files (conversations.open)",
    "users:read": "each user's locale, time zone, name and admin flag (users.info)",
    "channels:read": "checking the bot is in a public channel picked for tips (conversations.info)",
    "groups:read": "checking the bot is in a private channel picked for tips (conversations.info)",
    "files:write": "uploading radar charts and exports (files_upload_v2)",
    "im:history": "reading the messages people send the bot in its DM (message.im events)",
    "app_mentions:read": "reading the messages that mention the bot in a channel (app_mention)",
}
# message.im: a plain message in the bot's DM is a free question; app_mention: so is a
# message mentioning the bot in a channel it was invited to.
BOT_EVENTS = ["app_home_opened", "message.im", "app_mention"]
LONG_DESCRIPTION = (
    "coachbot is an open-source career coach about the CTO role (directeur technique). "
    "Ask it anything about the job with /cto, track your skills on the road to CTO with "
    "/progress, invite a mentor with /mentor, and get one short learning prompt a day at your "
    "own local time with /coach subscribe. Your App Home shows your progress and radar chart."
)


def build_manifest(
    registry: Registry, *, url: str | None = None, name: str = "coachbot"
) -> dict[str, Any]:
    """The manifest: Socket Mode when ``url`` is None, else HTTP request URLs under ``url``."""
    endpoint = url.rstrip("/") + EVENTS_PATH if url else None
    commands = []
    for slash in slash_commands(registry):
        entry: dict[str, Any] = {
            "command": slash.command,
            "description": slash.description,
            "usage_hint": slash.usage_hint,
            "should_escape": True,
        }
        if endpoint:
            entry["url"] = endpoint
        commands.append(entry)
    settings: dict[str, Any] = {
        "event_subscriptions": {"bot_events": BOT_EVENTS},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": endpoint is None,
        "token_rotation_enabled": False,
    }
    if endpoint:
        settings["event_subscriptions"]["request_url"] = endpoint
        settings["interactivity"]["request_url"] = endpoint
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": "A career coach about the CTO role, in French and English.",
            "long_description": LONG_DESCRIPTION,
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                # Writable, so people can ask the bot questions in its DM (message.im) and
                # type commands there; it reads no other conversation.
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": sorted(SCOPES)}},
        "settings": settings,
    }
