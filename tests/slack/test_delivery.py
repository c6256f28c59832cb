"""The Slack delivery port: DMs and channels, and Slack errors mapped for the scheduler."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from coachbot.adapters.slack.delivery import SlackDelivery
from coachbot.adapters.slack.run import SlackRuntime, delivery_client
from coachbot.app import App
from coachbot.clock import FakeClock
from coachbot.delivery import (
    DeliveryTarget,
    PermanentFailure,
    RateLimited,
    Sent,
    TransientFailure,
)
from coachbot.identity import PersonRef
from coachbot.reply import Actions, Button, Reply, Text
from tests.slack.blockkit import check_message
from tests.slack.chat import SlackChat, buttons_of, text_of
from tests.slack.fake_slack import FakeSlack

TEAM = "T0001"
ADA = PersonRef("slack", TEAM, "U0001")
PROMPT = Reply(
    title="Tip of the day",
    blocks=(Text("Do **one** thing <!channel>"), Actions((Button("prompt:done:1", "Done"),))),
)


@pytest.fixture
async def port(fake_slack: FakeSlack) -> AsyncIterator[SlackDelivery]:
    yield SlackDelivery(delivery_client("xoxb-test", fake_slack.api_url), team=TEAM)


async def test_a_prompt_goes_by_dm(port: SlackDelivery, fake_slack: FakeSlack) -> None:
    paced: list[tuple[int, int]] = []  # (DMs opened, messages posted) when the port asked

    async def pace() -> None:
        paced.append(
            (len(fake_slack.of("conversations.open")), len(fake_slack.of("chat.postMessage")))
        )

    sent = await port.send(DeliveryTarget(ADA), PROMPT, nonce="n-1", pace=pace)
    assert paced == [(1, 0)]  # the post waited for its own slot after conversations.open
    (opened,) = fake_slack.of("conversations.open")
    assert opened.params["users"] == "U0001"
    (posted,) = fake_slack.of("chat.postMessage")
    assert posted.params["channel"] == "DU0001"
    assert sent == Sent("1700000000.000001")
    check_message(posted.params["blocks"])
    assert buttons_of(posted.params["blocks"])[0]["action_id"] == "cb:prompt:done:1"
    assert posted.params["metadata"]["event_payload"] == {"nonce": "n-1"}
    assert "<!channel>" not in str(posted.params)
    await port.send(DeliveryTarget(ADA), PROMPT, nonce="n-2", pace=pace)
    assert len(fake_slack.of("conversations.open")) == 1  # the DM channel is remembered
    assert paced == [(1, 0)]  # one request now, paid by the caller


async def test_a_prompt_goes_to_a_channel(port: SlackDelivery, fake_slack: FakeSlack) -> None:
    await port.send(DeliveryTarget(ADA, channel="C0042"), PROMPT, nonce="n")
    assert [c.params["channel"] for c in fake_slack.of("chat.postMessage")] == ["C0042"]
    assert not fake_slack.of("conversations.open")


@pytest.mark.parametrize(
    ("method", "error"),
    [
        ("chat.postMessage", "not_in_channel"),
        ("chat.postMessage", "channel_not_found"),
        ("chat.postMessage", "is_archived"),
        ("conversations.open", "account_inactive"),
        ("conversations.open", "cannot_dm_bot"),
        ("conversations.open", "user_not_found"),
    ],
)
async def test_permanent_errors_are_permanent_and_not_retried(
    port: SlackDelivery, fake_slack: FakeSlack, method: str, error: str
) -> None:
    fake_slack.fail(method, error)
    with pytest.raises(PermanentFailure, match=error):
        await port.send(DeliveryTarget(ADA), PROMPT, nonce="n")
    assert len(fake_slack.of(method)) == 1


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked", "missing_scope"])
async def test_a_refused_bot_token_never_counts_against_the_learner(
    port: SlackDelivery, fake_slack: FakeSlack, error: str
) -> None:
    """The bot's own credentials are at fault: the prompt waits, the subscription stays well."""
    fake_slack.fail("chat.postMessage", error)
    with pytest.raises(TransientFailure, match=error):
        await port.send(DeliveryTarget(ADA, channel="C1"), PROMPT, nonce="n")


async def test_ratelimited_honours_retry_after_and_is_not_retried_by_the_client(
    port: SlackDelivery, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "7"})
    with pytest.raises(RateLimited) as raised:
        await port.send(DeliveryTarget(ADA, channel="C1"), PROMPT, nonce="n")
    assert raised.value.retry_after == 7.0
    assert len(fake_slack.of("chat.postMessage")) == 1  # the scheduler decides when to retry


@pytest.mark.parametrize(
    ("status", "error"),
    [(500, "internal_error"), (503, "service_unavailable"), (200, "fatal_error")],
)
async def test_server_errors_are_transient(
    port: SlackDelivery, fake_slack: FakeSlack, status: int, error: str
) -> None:
    fake_slack.fail("chat.postMessage", error, status=status)
    with pytest.raises(TransientFailure):
        await port.send(DeliveryTarget(ADA, channel="C1"), PROMPT, nonce="n")
    assert len(fake_slack.of("chat.postMessage")) == 1


async def test_an_unreachable_slack_is_transient(fake_slack: FakeSlack) -> None:
    port = SlackDelivery(delivery_client("xoxb-test", "http://127.0.0.1:9/api/"), team=TEAM)
    with pytest.raises(TransientFailure):
        await port.send(DeliveryTarget(ADA, channel="C1"), PROMPT, nonce="n")


async def test_another_workspace_is_refused_without_a_call(
    port: SlackDelivery, fake_slack: FakeSlack
) -> None:
    with pytest.raises(PermanentFailure):
        await port.send(DeliveryTarget(PersonRef("slack", "T9", "U1")), PROMPT, nonce="n")
    assert fake_slack.calls == []


async def test_the_scheduler_delivers_a_daily_prompt_through_slack_and_done_works(
    slack: SlackChat, runtime: SlackRuntime, app: App, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    from coachbot.app import periodic_jobs
    from coachbot.prompts.compose import choose_tip_for, prompt_reply
    from coachbot.scheduling.pipeline import Composer
    from coachbot.scheduling.ratelimit import VirtualTimer
    from coachbot.scheduling.scheduler import Outlets, build_runner

    subscribed = await slack.say("/coach subscribe time:08:30 timezone:UTC days:mon-sun")
    assert "08:30" in text_of(subscribed)
    outlets = Outlets({runtime.platform: runtime.delivery}, jobs=periodic_jobs())
    runner = build_runner(
        app.services, Composer(choose_tip_for, prompt_reply), outlets, timer=VirtualTimer()
    )
    clock.advance(timedelta(days=1))
    await runner.tick(clock.now())
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert posted.params["channel"] == "DU0001"
    check_message(posted.params["blocks"])
    done = buttons_of(posted.params["blocks"])[0]
    assert done["action_id"] == "cb:" + done["value"] and done["value"].startswith("prompt:")
    answer = await slack.press(done)
    assert answer and answer[0]["response_type"] == "ephemeral"


async def test_the_tips_channel_is_stored_by_id_and_prompts_are_posted_there(
    slack: SlackChat, runtime: SlackRuntime, app: App, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    from sqlmodel import select

    from coachbot.app import periodic_jobs
    from coachbot.db.models import Workspace
    from coachbot.prompts.compose import choose_tip_for, prompt_reply
    from coachbot.scheduling.pipeline import Composer
    from coachbot.scheduling.ratelimit import VirtualTimer
    from coachbot.scheduling.scheduler import Outlets, build_runner

    fake_slack.users["U0009"] = {"locale": "en-US", "is_admin": True}
    saved = await slack.say("/coach server channel:<#C0TIPS|tips>", user="U0009")
    assert "*Tips channel*\n<#C0TIPS>" in text_of(saved)  # a link to the channel, by id
    async with app.services.database().session() as session:
        [workspace] = list(await session.exec(select(Workspace)))
    assert (workspace.workspace, workspace.tip_channel) == (TEAM, "C0TIPS")
    await slack.say("/coach subscribe time:08:30 timezone:UTC days:mon-sun where:channel")
    outlets = Outlets({runtime.platform: runtime.delivery}, jobs=periodic_jobs())
    runner = build_runner(
        app.services, Composer(choose_tip_for, prompt_reply), outlets, timer=VirtualTimer()
    )
    clock.advance(timedelta(days=1))
    await runner.tick(clock.now())
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert posted.params["channel"] == "C0TIPS"
    assert not fake_slack.of("conversations.open")
