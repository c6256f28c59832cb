"""The Discord DeliveryPort: DM or channel, one nonce per message, Discord's errors mapped."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

import aiohttp
import discord
import pytest

from coachbot.adapters.discord import limits
from coachbot.adapters.discord.client import make_client
from coachbot.adapters.discord.delivery import DiscordDelivery, discord_nonce
from coachbot.app import App
from coachbot.delivery import (
    DeliveryTarget,
    PermanentFailure,
    RateLimited,
    TransientFailure,
)
from coachbot.identity import PersonRef
from coachbot.reply import Reply, Text
from coachbot.scheduling.ratelimit import RateLimiter, VirtualTimer
from coachbot.scheduling.retry import Result, RetryPolicy, Sender
from coachbot.settings import Settings
from tests.discord.fake_api import serving
from tests.discord.harness import ALICE, GUILD, Call, Discord, fixture

SEND = "/channels/{channel_id}/messages"
ALICE_DM = DeliveryTarget(PersonRef("discord", GUILD, ALICE))
TIP = Reply(title="Tip of the day", blocks=(Text("Write down one decision you delegated."),))


def http_error(
    status: int, code: int = 0, headers: dict[str, str] | None = None
) -> discord.HTTPException:
    """The exception discord.py raises for a Discord answer."""
    response: Any = SimpleNamespace(status=status, reason="refused", headers=headers or {})
    body = {"code": code, "message": "refused"}
    kind = {403: discord.Forbidden, 404: discord.NotFound}.get(status, discord.HTTPException)
    if status >= 500:
        kind = discord.DiscordServerError
    return kind(response, body)


def failing_on(path: str, exc: BaseException) -> Any:
    def script(call: Call) -> Any:
        return exc if call.path == path else None

    return script


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (http_error(403, 50007), PermanentFailure),  # the user closed their DMs
        (http_error(403, 50001), PermanentFailure),  # missing access to the channel
        (http_error(403, 50013), PermanentFailure),  # missing permission in the channel
        (http_error(404, 10003), PermanentFailure),  # unknown channel
        (http_error(400, 50035), PermanentFailure),  # a refused body will be refused again
        (http_error(500), TransientFailure),
        (http_error(502), TransientFailure),
        (http_error(401, 0), TransientFailure),  # our token: not the learner's fault
        (aiohttp.ClientConnectionError("reset"), TransientFailure),
        (TimeoutError(), TransientFailure),
    ],
)
async def test_discord_errors_become_the_ports_failures(
    discord_bot: Discord, exc: BaseException, expected: type[Exception]
) -> None:
    discord_bot.recorder.script = failing_on(SEND, exc)
    with pytest.raises(expected):
        await DiscordDelivery(discord_bot.client).send(ALICE_DM, TIP, nonce="n")


async def test_closed_dms_are_a_permanent_failure_naming_the_cause(discord_bot: Discord) -> None:
    discord_bot.recorder.script = failing_on(SEND, http_error(403, 50007))
    with pytest.raises(PermanentFailure, match="50007: cannot send messages to this user"):
        await DiscordDelivery(discord_bot.client).send(ALICE_DM, TIP, nonce="n")


@pytest.mark.parametrize(
    ("exc", "retry_after"),
    [
        (discord.RateLimited(12.5), 12.5),  # discord.py's own wait would be too long
        (http_error(429, 0, {"Retry-After": "3"}), 3.0),
    ],
)
async def test_rate_limits_tell_the_scheduler_how_long_to_wait(
    discord_bot: Discord, exc: BaseException, retry_after: float
) -> None:
    discord_bot.recorder.script = failing_on(SEND, exc)
    with pytest.raises(RateLimited) as raised:
        await DiscordDelivery(discord_bot.client).send(ALICE_DM, TIP, nonce="n")
    assert raised.value.retry_after == retry_after


async def test_a_channel_target_is_sent_to_without_opening_a_dm(discord_bot: Discord) -> None:
    target = DeliveryTarget(ALICE_DM.person, channel="381870553235193857")
    await DiscordDelivery(discord_bot.client).send(target, TIP, nonce="abc")
    [call] = discord_bot.recorder.to(SEND)
    assert call.url.endswith("/channels/381870553235193857/messages")
    assert not discord_bot.recorder.to("/users/@me/channels")


@pytest.mark.parametrize(
    "channel",
    ["tips", "#tips", "<#tips>", "12ab", "-381870553235193857", "0", "1" * 21, "١٢٣"],
)
async def test_a_channel_discord_cannot_address_is_a_permanent_failure(
    discord_bot: Discord, channel: str
) -> None:
    """A channel typed as a name elsewhere (``/coach server channel:tips``) is no Discord id:
    nothing is sent, and retrying could not help."""
    target = DeliveryTarget(ALICE_DM.person, channel=channel)
    with pytest.raises(PermanentFailure, match="is not a Discord id"):
        await DiscordDelivery(discord_bot.client).send(target, TIP, nonce="n")
    assert not discord_bot.recorder.to(SEND) and not discord_bot.recorder.to("/users/@me/channels")


async def test_a_dm_to_someone_who_is_no_discord_user_is_a_permanent_failure(
    discord_bot: Discord,
) -> None:
    target = DeliveryTarget(PersonRef("discord", GUILD, "U024BE7LH"))
    with pytest.raises(PermanentFailure, match="user 'U024BE7LH' is not a Discord id"):
        await DiscordDelivery(discord_bot.client).send(target, TIP, nonce="n")
    assert not discord_bot.recorder.to(SEND) and not discord_bot.recorder.to("/users/@me/channels")


async def test_the_scheduler_gives_up_at_once_on_a_tips_channel_named_tips(
    discord_bot: Discord,
) -> None:
    """Through the scheduler's sender: one attempt, a permanent result (the subscription is
    then marked failing and its owner told), never an endless retry."""
    sender = Sender(RateLimiter(VirtualTimer()), RetryPolicy(), random.Random(7))
    target = DeliveryTarget(ALICE_DM.person, channel="tips")
    outcome = await sender.send(DiscordDelivery(discord_bot.client), target, TIP, "n")
    assert (outcome.result, outcome.attempts) == (Result.PERMANENT, 1)
    assert outcome.error == "PermanentFailure: discord: channel 'tips' is not a Discord id"


async def test_the_dm_channel_is_opened_once_and_the_message_after_it_is_paced(
    discord_bot: Discord,
) -> None:
    port = DiscordDelivery(discord_bot.client)
    paced: list[tuple[int, int]] = []  # (DMs opened, messages sent) when the port asked

    async def pace() -> None:
        opened = discord_bot.recorder.to("/users/@me/channels")
        paced.append((len(opened), len(discord_bot.recorder.to(SEND))))

    await port.send(ALICE_DM, TIP, nonce="a", pace=pace)
    assert paced == [(1, 0)]  # the message waited for its own slot after the opening
    await port.send(ALICE_DM, TIP, nonce="b", pace=pace)
    await port.send(
        DeliveryTarget(ALICE_DM.person, channel="381870553235193857"), TIP, nonce="c", pace=pace
    )
    assert paced == [(1, 0)]  # an open DM or a channel: one request, paid by the caller
    assert len(discord_bot.recorder.to("/users/@me/channels")) == 1
    assert len(discord_bot.recorder.to(SEND)) == 3


async def test_each_message_of_a_long_prompt_has_its_own_nonce(discord_bot: Discord) -> None:
    long = Reply(title="Recap", blocks=tuple(Text("word " * 900) for _ in range(4)))
    await DiscordDelivery(discord_bot.client).send(ALICE_DM, long, nonce="f" * 20)
    nonces = [(c.payload or {})["nonce"] for c in discord_bot.recorder.to(SEND)]
    assert len(nonces) > 1 and len(set(nonces)) == len(nonces)
    assert nonces[0] == "f" * 20 and all(len(n) <= limits.NONCE for n in nonces)
    assert all((c.payload or {})["enforce_nonce"] is True for c in discord_bot.recorder.to(SEND))


def test_a_nonce_longer_than_discord_allows_is_hashed_stably() -> None:
    long = "x" * 32
    assert len(discord_nonce(long)) <= limits.NONCE
    assert discord_nonce(long) == discord_nonce(long) != discord_nonce(long, 1)


async def test_closed_dms_from_a_real_403_body_are_a_permanent_failure(
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Discord's own answer over HTTP, mapped by discord.py itself (no exception built here)."""
    async with serving(monkeypatch) as api:
        dm = fixture("rest/dm_channel")["id"]
        api.refusals[("POST", f"/channels/{dm}/messages")] = (
            403,
            {"code": 50007, "message": "Cannot send messages to this user"},
        )
        client = make_client(app.registry, settings)
        try:
            await client.login("token")
            with pytest.raises(PermanentFailure, match="403/50007") as raised:
                await DiscordDelivery(client).send(ALICE_DM, TIP, nonce="n")
        finally:
            await client.close()
    cause = raised.value.__cause__
    assert isinstance(cause, discord.Forbidden)
    assert (cause.status, cause.code, cause.text) == (
        403,
        50007,
        "Cannot send messages to this user",
    )
    assert api.requests[-2:] == [
        ("POST", "/users/@me/channels"),
        ("POST", f"/channels/{dm}/messages"),
    ]
