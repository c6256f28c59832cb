"""``coachbot doctor``: checks what a deployment needs, each failing check with its fix.

Nothing is sent anywhere and nothing is created: the database is opened only if it exists,
tokens are checked by their shape, never by calling Discord or Slack.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from coachbot.errors import DatabaseUnreachable, SchemaNotReady
from coachbot.settings import Secret, Settings, SettingsError, config_path, load_settings

DISCORD_TOKEN = re.compile(r"[A-Za-z0-9_-]{17,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}")
SNOWFLAKE = re.compile(r"\d{17,20}")
SLACK_SHAPES = {
    "COACHBOT_SLACK_BOT_TOKEN": (re.compile(r"xoxb-[A-Za-z0-9-]{10,}"), "a bot token: xoxb-..."),
    "COACHBOT_SLACK_APP_TOKEN": (re.compile(r"xapp-[A-Za-z0-9-]{10,}"), "an app token: xapp-..."),
    "COACHBOT_SLACK_SIGNING_SECRET": (re.compile(r"[0-9a-f]{32}"), "32 hexadecimal characters"),
}


@dataclass(frozen=True)
class Check:
    """One verdict: ``ok`` false means the bot cannot run that way until ``fix`` is done."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False  # ok, but worth a look


def run(config: str | None, out: IO[str]) -> int:
    """Print every check to ``out``; 0 when none failed, else 1."""
    checks = list(diagnose(config))
    for check in checks:
        print(render(check), file=out)
    failed = sum(not c.ok for c in checks)
    print(f"{failed} problem(s) found" if failed else "everything looks right", file=out)
    return 1 if failed else 0


def render(check: Check) -> str:
    """``ok   name: detail``, or ``FAIL name: detail`` and its fix on the next line."""
    mark = "ok  " if check.ok and not check.warning else "warn" if check.ok else "FAIL"
    line = f"{mark} {check.name}: {check.detail}"
    return f"{line}\n     fix: {check.fix}" if check.fix else line


def diagnose(config: str | None) -> Iterator[Check]:
    """The checks, in the order an operator fixes them; a broken config stops the rest."""
    try:
        path = config_path(config)
        settings = load_settings(path)
    except SettingsError as exc:
        yield Check(
            "config", False, str(exc), "edit the file; config.example.toml lists every setting"
        )
        return
    yield Check("config", True, f"{path} read")
    yield database(settings)
    for check in (discord_token, discord_application, slack_mode, ops_pages):
        yield from check(settings)


def database(settings: Settings) -> Check:
    """The database exists, opens, and is at the newest migration."""
    from coachbot.db.migrate import require_current_schema

    url = settings.database.url
    missing = _missing_sqlite_file(url)
    if missing is not None:
        return Check(
            "database", False, f"{missing.resolve()} does not exist yet", "run `coachbot migrate`"
        )
    try:
        require_current_schema(url)
    except DatabaseUnreachable as exc:
        return Check("database", False, str(exc), "fix [database] url or COACHBOT_DATABASE_URL")
    except SchemaNotReady as exc:
        return Check("database", False, str(exc), "run `coachbot migrate`")
    kind = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    return Check("database", True, f"{kind} reachable, migrations current")


def _missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file ``url`` names when it is not there (opening it would create it)."""
    if not url.startswith("sqlite"):
        return None
    name = url.partition(":///")[2].partition("?")[0]
    if not name or name == ":memory:":
        return None
    return None if Path(name).exists() else Path(name)


def discord_token(settings: Settings) -> Iterator[Check]:
    """The Discord token, when set, has a bot token's shape."""
    token = settings.secrets.discord_token
    if token is None:
        yield Check("discord", True, "COACHBOT_DISCORD_TOKEN not set: Discord is off")
        return
    problem = _shape(token, DISCORD_TOKEN, "a bot token (three parts separated by dots)")
    fix = "Developer Portal > your application > Bot > Reset Token, then export it again"
    if problem:
        yield Check("discord token", False, f"COACHBOT_DISCORD_TOKEN {problem}", fix)
    else:
        yield Check("discord token", True, "COACHBOT_DISCORD_TOKEN has a bot token's shape")


def discord_application(settings: Settings) -> Iterator[Check]:
    """With a Discord token, the application id is set, is an id, and matches the token."""
    token, app_id = settings.secrets.discord_token, settings.discord.application_id
    if token is None:
        return
    fix = "[discord] application_id = the Application ID of Developer Portal > General Information"
    if app_id == 0 or not SNOWFLAKE.fullmatch(str(app_id)):
        shown = "not set" if app_id == 0 else f"{app_id} is not a Discord id (17 to 20 digits)"
        yield Check("discord application", False, f"[discord] application_id {shown}", fix)
        return
    bot_id = _bot_id(token)
    if bot_id is not None and bot_id != str(app_id):
        detail = (
            f"the token is for bot {bot_id}, the application id is {app_id}: most "
            "applications use the same number; check both come from the same application"
        )
        yield Check("discord application", True, detail, warning=True)
        return
    yield Check("discord application", True, f"application id {app_id}")


def _bot_id(token: Secret) -> str | None:
    """The bot's user id that a token's first part encodes, if it does."""
    first = token.reveal().partition(".")[0]
    try:
        decoded = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded if decoded.isdigit() else None


def slack_mode(settings: Settings) -> Iterator[Check]:
    """With any Slack secret, the bot token and one mode's secret are there, well shaped."""
    s = settings.secrets
    if s.slack_bot_token is None and s.slack_app_token is None and s.slack_signing_secret is None:
        yield Check("slack", True, "no Slack secret set: Slack is off")
        return
    given = {
        "COACHBOT_SLACK_BOT_TOKEN": s.slack_bot_token,
        "COACHBOT_SLACK_APP_TOKEN": s.slack_app_token,
        "COACHBOT_SLACK_SIGNING_SECRET": s.slack_signing_secret,
    }
    for variable, secret in given.items():
        pattern, what = SLACK_SHAPES[variable]
        problem = _shape(secret, pattern, what) if secret is not None else ""
        if problem:
            yield Check("slack", False, f"{variable} {problem}", SLACK_FIXES[variable])
    yield _mode(settings)


SLACK_FIXES = {
    "COACHBOT_SLACK_BOT_TOKEN": "copy the Bot User OAuth Token (xoxb-...) from OAuth & Permissions",
    "COACHBOT_SLACK_APP_TOKEN": "Basic Information > App-Level Tokens, scope connections:write (xapp-...)",
    "COACHBOT_SLACK_SIGNING_SECRET": "copy Basic Information > Signing Secret (32 hexadecimal characters)",
}


def _mode(settings: Settings) -> Check:
    s, slack = settings.secrets, settings.slack
    if s.slack_bot_token is None:
        return Check(
            "slack mode",
            False,
            "COACHBOT_SLACK_BOT_TOKEN is not set",
            SLACK_FIXES["COACHBOT_SLACK_BOT_TOKEN"],
        )
    if s.slack_app_token is not None:
        http = " (`--http` for HTTP mode)" if s.slack_signing_secret is not None else ""
        return Check("slack mode", True, f"Socket Mode, no public URL needed{http}")
    if s.slack_signing_secret is not None:
        where = f"{slack.http_host}:{slack.http_port}"
        return Check(
            "slack mode", True, f"HTTP mode on {where}: put it behind HTTPS at /slack/events"
        )
    return Check(
        "slack mode",
        False,
        "neither COACHBOT_SLACK_APP_TOKEN (Socket Mode) nor COACHBOT_SLACK_SIGNING_SECRET (HTTP) is set",
        "set one: `coachbot slack manifest` prints the app manifest for either mode",
    )


LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")


def ops_pages(settings: Settings) -> Iterator[Check]:
    """Where the health and metrics pages are served, and a warning when not locally."""
    ops = settings.ops
    if not ops.enabled:
        yield Check("ops", True, "health, readiness and metrics pages off ([ops] enabled = false)")
        return
    where = f"http://{ops.host}:{ops.port}/healthz, /readyz, /metrics"
    if ops.host in LOCAL_HOSTS:
        yield Check("ops", True, where)
        return
    detail = (
        f"{where}: reachable from other machines, with no password; keep it on a private network"
    )
    yield Check("ops", True, detail, warning=True)


def _shape(secret: Secret, pattern: re.Pattern[str], what: str) -> str:
    """Why ``secret`` does not have the expected shape ("" when it does); never its value."""
    value = secret.reveal()
    if value != value.strip() or any(q in value for q in "\"'"):
        return "has spaces or quotes around it"
    if value.lower().startswith("bot "):
        return 'starts with "Bot ": set the token alone'
    return "" if pattern.fullmatch(value) else f"does not look like {what}"
