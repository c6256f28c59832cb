"""A reply Slack refuses never vanishes: the response URL's answer is checked, and the
reply goes through the Web API (same channel, else the DM), logged once with the error."""

from __future__ import annotations

import logging

import pytest

from tests.slack.blockkit import check_message
from tests.slack.chat import SlackChat, text_of
from tests.slack.fake_slack import FakeSlack

SENDER = "coachbot.adapters.slack.send"


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == SENDER and r.levelname == "WARNING"]


async def test_an_expired_response_url_falls_back_to_an_ephemeral_post(
    slack: SlackChat, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.refuse_response(404, "expired_url")
    with caplog.at_level(logging.INFO):
        await slack.say("/coach settings")
    (posted,) = fake_slack.of("chat.postEphemeral")
    assert posted.params["channel"] == "C0001" and posted.params["user"] == "U0001"
    check_message(posted.params["blocks"])
    assert "No subscription" in text_of([posted.params])
    (logged,) = refusals(caplog)
    assert "404 expired_url" in logged and "channel" in logged


async def test_refused_blocks_go_again_as_plain_text(
    slack: SlackChat, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.refuse_response(400, "invalid_blocks")
    fake_slack.fail("chat.postMessage", "invalid_blocks")
    with caplog.at_level(logging.INFO):
        await slack.say("/cto salary paris expert")
    first, second = fake_slack.of("chat.postMessage")
    assert first.params["channel"] == "C0001" and "blocks" in first.params
    assert "blocks" not in second.params and "Paris" in second.params["text"]
    (logged,) = refusals(caplog)
    assert "400 invalid_blocks" in logged


async def test_where_the_bot_cannot_post_the_reply_goes_to_the_dm(
    slack: SlackChat, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.refuse_response(404, "expired_url")
    fake_slack.fail("chat.postEphemeral", "not_in_channel")
    with caplog.at_level(logging.INFO):
        await slack.say("/coach settings", channel="C0999")
    (dm,) = fake_slack.of("chat.postMessage")
    assert dm.params["channel"] == "DU0001" and "No subscription" in text_of([dm.params])
    (logged,) = refusals(caplog)
    assert "expired_url" in logged and "DM" in logged


async def test_an_accepted_reply_logs_nothing(
    slack: SlackChat, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        await slack.say("/coach settings")
    assert refusals(caplog) == [] and fake_slack.of("chat.postEphemeral") == []
