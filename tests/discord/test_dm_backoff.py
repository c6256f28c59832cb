"""Opening DMs too fast (403/40003) is a wait, not a refusal; a restart opens no DM again."""

from __future__ import annotations

import random

import pytest

from coachbot.adapters.discord.client import make_client
from coachbot.adapters.discord.delivery import DM_OPEN_BACKOFF, delivery_for
from coachbot.app import App
from coachbot.db.people import ensure_person
from coachbot.delivery import RateLimited
from coachbot.scheduling.ratelimit import RateLimiter, VirtualTimer
from coachbot.scheduling.retry import Result, RetryPolicy, Sender
from coachbot.settings import Settings
from tests.discord.fake_api import serving
from tests.discord.harness import Discord, Recorder
from tests.discord.test_delivery import ALICE_DM, SEND, TIP

OPEN_DM = "/users/@me/channels"
TOO_FAST = (403, {"code": 40003, "message": "You are opening direct messages too fast."})


async def test_opening_dms_too_fast_is_a_rate_limit_from_discords_own_answer(
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with serving(monkeypatch) as api:
        api.refusals[("POST", OPEN_DM)] = TOO_FAST
        client = make_client(app.registry, settings)
        try:
            await client.login("token")
            with pytest.raises(RateLimited, match="40003") as raised:
                await delivery_for(app, client).send(ALICE_DM, TIP, nonce="n")
        finally:
            await client.close()
    assert raised.value.retry_after == DM_OPEN_BACKOFF


async def test_the_scheduler_keeps_a_prompt_refused_with_40003_for_later(
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the scheduler's sender: the row stays for a later tick (LATER), never a
    permanent failure that would drop the prompt and count toward ``failing``."""
    sender = Sender(RateLimiter(VirtualTimer()), RetryPolicy(), random.Random(7))
    async with serving(monkeypatch) as api:
        api.refusals[("POST", OPEN_DM)] = TOO_FAST
        client = make_client(app.registry, settings)
        try:
            await client.login("token")
            outcome = await sender.send(delivery_for(app, client), ALICE_DM, TIP, "n")
        finally:
            await client.close()
    assert outcome.result is Result.LATER
    assert "40003" in (outcome.error or "")


async def test_a_restarted_bot_reuses_the_stored_dm_channel(app: App, settings: Settings) -> None:
    async with app.services.database().session() as session:  # her subscription's person
        await ensure_person(session=session, ref=ALICE_DM.person, now=app.services.clock.now())
    first = Recorder()
    bot = await Discord(make_client(app.registry, settings), first).connect()
    try:
        await delivery_for(app, bot.client).send(ALICE_DM, TIP, nonce="a")
    finally:
        await bot.close()
    assert len(first.to(OPEN_DM)) == 1

    second = Recorder()  # a new process: nothing in memory
    bot = await Discord(make_client(app.registry, settings), second).connect()
    try:
        port = delivery_for(app, bot.client)
        await port.send(ALICE_DM, TIP, nonce="b")
        await port.send(ALICE_DM, TIP, nonce="c")
    finally:
        await bot.close()
    assert second.to(OPEN_DM) == []
    opened = first.to(SEND)[0].url
    assert [c.url for c in second.to(SEND)] == [opened, opened]
