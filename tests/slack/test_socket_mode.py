"""Socket Mode against the fake: the same listeners, envelopes acknowledged, retries dropped."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from coachbot.adapters.slack.run import SlackRuntime, serve_slack, start_slack
from coachbot.app import App
from coachbot.settings import Settings, SettingsError
from tests.slack.blockkit import check_message
from tests.slack.fake_slack import FakeSlack
from tests.slack.wire import payload


@pytest.fixture
async def socket_runtime(app: App, fake_slack: FakeSlack) -> AsyncIterator[SlackRuntime]:
    started = await start_slack(app, http=False)
    try:
        await fake_slack.wait_for("socket.connect")
        yield started
    finally:
        await started.stop()


async def test_a_slash_command_over_socket_mode(
    socket_runtime: SlackRuntime, fake_slack: FakeSlack
) -> None:
    body = payload("slash_command") | {
        "text": "salary paris expert",
        "response_url": fake_slack.response_url(),
    }
    await fake_slack.push(
        {
            "envelope_id": "env-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": body,
        }
    )
    (ack,) = await fake_slack.wait_for("socket.ack")
    assert ack.params["envelope_id"] == "env-1"
    (response,) = await fake_slack.wait_for("response")
    check_message(response.params["blocks"])
    assert "Expert · Paris" in str(response.params["blocks"])


async def test_a_retried_event_over_socket_mode_is_processed_once(
    socket_runtime: SlackRuntime, fake_slack: FakeSlack
) -> None:
    event = payload("app_home_opened") | {"event_id": "Ev9"}
    envelope = {"type": "events_api", "accepts_response_payload": False, "payload": event}
    await fake_slack.push(envelope | {"envelope_id": "e1"})
    await fake_slack.wait_for("views.publish")
    await fake_slack.push(
        envelope | {"envelope_id": "e2", "retry_attempt": 1, "retry_reason": "timeout"}
    )
    acks = await fake_slack.wait_for("socket.ack", 2)
    assert [a.params["envelope_id"] for a in acks] == ["e1", "e2"]
    await socket_runtime.adapter.drain()
    assert len(fake_slack.of("views.publish")) == 1
    assert socket_runtime.adapter.skipped_events == 1


async def test_serve_slack_runs_until_cancelled(
    app: App, settings: Settings, fake_slack: FakeSlack
) -> None:
    serving = asyncio.create_task(serve_slack(settings, http=False))
    await fake_slack.wait_for("socket.connect")
    assert not serving.done()
    serving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(serving, 10)


async def test_a_refused_token_stops_the_start_with_a_clear_message(
    app: App, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("auth.test", "invalid_auth")
    with pytest.raises(SettingsError, match="COACHBOT_SLACK_BOT_TOKEN was refused"):
        await start_slack(app, http=True, port=0)
    assert not fake_slack.of("apps.connections.open")
