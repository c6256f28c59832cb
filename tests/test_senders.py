"""``[scheduler] senders``: processes sending for the same bot share its limits."""

from __future__ import annotations

from dataclasses import replace

import pytest

from coachbot.adapters.discord import platform as discord_platform
from coachbot.adapters.slack import run as slack_run
from coachbot.scheduling.ratelimit import Limit, share_of
from coachbot.settings import SchedulerSettings, Settings, SettingsError


def test_each_of_two_senders_paces_at_half_the_published_limits() -> None:
    assert share_of(discord_platform.LIMITS, 2).bot == Limit(25.0)
    slack = share_of(slack_run.LIMITS, 2)
    assert (slack.workspace, slack.channel) == (Limit(2.0, burst=5), Limit(0.5))
    assert share_of(slack_run.LIMITS, 1) is slack_run.LIMITS


def test_a_senders_count_below_one_is_refused_in_one_line(settings: Settings) -> None:
    with pytest.raises(SettingsError, match="write senders = 1 for one process"):
        replace(settings, scheduler=SchedulerSettings(senders=0))


@pytest.mark.parametrize("seconds", [0, 9, 301])
def test_a_lease_that_cannot_work_is_refused_in_one_line(seconds: int) -> None:
    with pytest.raises(SettingsError, match=r"lease_seconds must be from 10 to 300.*120"):
        SchedulerSettings(lease_seconds=seconds)
