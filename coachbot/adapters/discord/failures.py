"""What Discord refused, or why it cannot be reached, in one line with the fix."""

from __future__ import annotations

import aiohttp
import discord

TOKEN_FIX = (
    "Discord token rejected: reset it on the Bot page of the Developer Portal "
    "(Reset Token) and export COACHBOT_DISCORD_TOKEN"
)
SCOPE_FIX = (
    "re-invite the bot with the applications.commands scope (coachbot discord invite-url), "
    "and check that [discord] application_id is this token's application"
)
FAILURES = (discord.DiscordException, aiohttp.ClientError, TimeoutError)


def explain(exc: BaseException) -> str:
    """One line saying what Discord refused, or why it cannot be reached, and how to fix it."""
    if isinstance(exc, discord.LoginFailure):
        return TOKEN_FIX
    if isinstance(exc, aiohttp.ClientConnectorError):  # refused, unreachable, DNS
        return (
            f"cannot reach Discord ({exc.host}: {exc.strerror or exc.os_error}): check the "
            "network connection, DNS or proxy, then try again"
        )
    if isinstance(exc, aiohttp.ClientError | TimeoutError):
        return f"the connection to Discord failed ({type(exc).__name__}): try again"
    if isinstance(exc, discord.HTTPException):
        return _http_refusal(exc)
    return f"Discord failed: {exc}"


def _http_refusal(exc: discord.HTTPException) -> str:
    said = f"{exc.status}/{exc.code}: {exc.text[:100] or 'no reason given'}"
    if exc.status == 401:
        return TOKEN_FIX
    if exc.status == 403:
        return f"Discord refused ({said}): {SCOPE_FIX}"
    if exc.status >= 500 or exc.status == 429:
        return f"Discord is busy or down ({said}): try again in a few minutes"
    return f"Discord refused the request ({said})"
