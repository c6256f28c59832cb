"""Typed settings: ``config.toml`` (or ``config.example.toml``) plus secrets from the environment.

Secrets never live in a file and never print: ``Secret`` hides its value in every
repr. A setting of the wrong type or an unknown key stops the bot with a message
that names it and says how to fix it.
"""

from __future__ import annotations

import os
import tomllib
import types
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

ROOT = Path(__file__).resolve().parent.parent
SECRET_ENV = {
    "discord_token": "COACHBOT_DISCORD_TOKEN",
    "slack_bot_token": "COACHBOT_SLACK_BOT_TOKEN",
    "slack_app_token": "COACHBOT_SLACK_APP_TOKEN",
    "slack_signing_secret": "COACHBOT_SLACK_SIGNING_SECRET",
}


class SettingsError(ValueError):
    """A setting is missing or wrong; the message says how to fix it."""


class Secret:
    """A secret string that never shows itself in logs or reprs."""

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one call that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__


@dataclass(frozen=True)
class BotSettings:
    default_language: str = "fr"
    default_timezone: str = "Europe/Paris"


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite+aiosqlite:///coachbot.db"
    echo: bool = False


@dataclass(frozen=True)
class ConsoleSettings:
    user: str = "me"
    workspace: str = "local"
    charts_dir: str = "charts"


# A lease shorter than a few heartbeats' round trips expires under load; one longer than
# Discord's nonce window (a few minutes) lets a resend after a crash show twice there.
MIN_LEASE, MAX_LEASE = 10, 300


@dataclass(frozen=True)
class SchedulerSettings:
    enabled: bool = True
    tick_seconds: int = 60
    catch_up_hours: int = 6
    batch_size: int = 5000
    senders: int = 1
    lease_seconds: int = 120

    def __post_init__(self) -> None:
        """A share of the rate limits or a lease that cannot work stops the bot at once."""
        if self.senders < 1:
            raise SettingsError(
                f"[scheduler] senders must be the number of processes sending for the same "
                f"bot at once, 1 or more (got {self.senders}); write senders = 1 for one process"
            )
        if not MIN_LEASE <= self.lease_seconds <= MAX_LEASE:
            raise SettingsError(
                f"[scheduler] lease_seconds must be from {MIN_LEASE} to {MAX_LEASE} (got "
                f"{self.lease_seconds}); 120 is the default"
            )


@dataclass(frozen=True)
class DiscordSettings:
    application_id: int = 0
    shard_count: int = 0
    shard_ids: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Shards that cannot run stop the bot at once, with what to write instead."""
        count, ids = self.shard_count, self.shard_ids
        if count < 0:
            raise SettingsError(
                f"[discord] shard_count must be 0 (no sharding) or the total number of "
                f"shards, got {count}"
            )
        if ids and count == 0:
            raise SettingsError(
                f"[discord] shard_ids = {ids} needs shard_count, the total number of shards "
                f"across every process (e.g. shard_count = {max(ids) + 1}); or remove shard_ids"
            )
        wrong = sorted({i for i in ids if not 0 <= i < count} | _repeated(ids))
        if wrong:
            raise SettingsError(
                f"[discord] shard_ids must be distinct numbers from 0 to {count - 1} "
                f"(shard_count = {count}); wrong: {wrong}. Raise shard_count or fix the ids"
            )


def _repeated(values: list[int]) -> set[int]:
    return {v for v in values if values.count(v) > 1}


@dataclass(frozen=True)
class SlackSettings:
    http_port: int = 3000
    http_host: str = "0.0.0.0"
    api_url: str = "https://slack.com/api/"


LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class OpsSettings:
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 9464
    log_format: str = "text"

    def __post_init__(self) -> None:
        """A port or log format that cannot work stops the bot at once, with the fix."""
        if not 0 <= self.port <= 65535:
            raise SettingsError(
                f"[ops] port must be from 0 to 65535 (0: any free port), got {self.port}"
            )
        if self.log_format not in LOG_FORMATS:
            raise SettingsError(
                f'[ops] log_format must be "text" or "json", got {self.log_format!r}'
            )


@dataclass(frozen=True)
class Secrets:
    discord_token: Secret | None = None
    slack_bot_token: Secret | None = None
    slack_app_token: Secret | None = None
    slack_signing_secret: Secret | None = None

    def require(self, name: str) -> Secret:
        """The secret ``name``, or a SettingsError saying which variable to set."""
        value = getattr(self, name)
        if value is None:
            raise SettingsError(
                f"{SECRET_ENV[name]} is not set: export it in the environment "
                "(secrets are never read from config files)"
            )
        return value


@dataclass(frozen=True)
class Settings:
    bot: BotSettings = field(default_factory=BotSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    ops: OpsSettings = field(default_factory=OpsSettings)
    secrets: Secrets = field(default_factory=Secrets)


def _check(value: Any, hint: Any, where: str) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        hint = next(a for a in get_args(hint) if a is not type(None))
        origin = get_origin(hint)
    if origin is list:
        (item,) = get_args(hint)
        if not isinstance(value, list):
            raise SettingsError(f"{where} must be a list")
        return [_check(v, item, f"{where}[]") for v in value]
    ok = isinstance(value, hint) and not (hint is int and isinstance(value, bool))
    if not ok:
        raise SettingsError(f"{where} must be {hint.__name__}, got {value!r}")
    return value


def _build(cls: type, data: dict[str, Any], where: str) -> Any:
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    for key in data:
        if key not in known:
            raise SettingsError(
                f"unknown setting [{where}] {key}; known: {', '.join(sorted(known))}"
            )
    values = {}
    for name, value in data.items():
        hint = hints[name]
        values[name] = (
            _build(hint, value, name)
            if isinstance(hint, type) and is_dataclass(hint)
            else _check(value, hint, f"{where}.{name}")
        )
    return cls(**values)


def config_path(explicit: str | None = None) -> Path:
    """The config file to read: --config, $COACHBOT_CONFIG, ./config.toml, else the example."""
    chosen = explicit or os.environ.get("COACHBOT_CONFIG")
    if chosen:
        path = Path(chosen)
        if not path.exists():
            raise SettingsError(f"config file {path} does not exist")
        return path
    local = Path("config.toml")
    return local if local.exists() else ROOT / "config.example.toml"


def load_settings(path: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Read settings from ``path`` (see ``config_path``) and secrets from ``env``."""
    env = dict(os.environ if env is None else env)
    source = path or config_path()
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8")) if source.exists() else {}
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{source}: not valid TOML: {exc}") from exc
    if "secrets" in data:
        raise SettingsError("secrets do not belong in a config file: use environment variables")
    settings: Settings = _build(Settings, data, "config")
    return _with_env(settings, env)


def _with_env(settings: Settings, env: dict[str, str]) -> Settings:
    secrets = Secrets(**{k: Secret(env[v]) for k, v in SECRET_ENV.items() if env.get(v)})
    url, where = settings.database.url, "[database] url"
    if env.get("COACHBOT_DATABASE_URL"):
        url, where = env["COACHBOT_DATABASE_URL"], "COACHBOT_DATABASE_URL"
    database = replace(settings.database, url=async_database_url(url, where))
    return replace(settings, database=database, secrets=secrets)


ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
DIALECTS = {"sqlite": "sqlite", "postgresql": "postgresql", "postgres": "postgresql"}


def async_database_url(url: str, where: str = "[database] url") -> str:
    """``url`` with the async driver coachbot installs (``sqlite://`` becomes
    ``sqlite+aiosqlite://``, ``postgresql://`` ``postgresql+asyncpg://``); a SettingsError
    naming ``where`` for anything else. The message never repeats the URL (passwords)."""
    scheme, separator, rest = url.partition("://")
    dialect, _, driver = scheme.lower().partition("+")
    example = "sqlite:///coachbot.db or postgresql://user@host:5432/coachbot"
    if not separator or dialect not in DIALECTS:
        shown = f"{scheme}://" if separator else "no scheme"
        raise SettingsError(
            f"{where} must be a SQLite or PostgreSQL URL such as {example} (got {shown})"
        )
    wanted = ASYNC_DRIVERS[DIALECTS[dialect]]
    if driver and driver != wanted.partition("+")[2]:
        raise SettingsError(
            f"{where} names the driver {driver!r}, which coachbot does not use: write "
            f"{wanted}:// (or {DIALECTS[dialect]}://, the driver is then chosen for you)"
        )
    return f"{wanted}://{rest}"
