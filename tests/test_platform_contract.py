"""Every platform ``coachbot run`` offers follows the inbound contract
(``coachbot.platform.PlatformAdapter``), the console included; mypy checks the same
statically through each ``adapter()``'s return type."""

from __future__ import annotations

import importlib
import inspect
from dataclasses import replace

import pytest

from coachbot import cli
from coachbot.app import App, Runtime
from coachbot.delivery import DeliveryPort
from coachbot.platform import PlatformAdapter
from coachbot.scheduling.ratelimit import PlatformLimits
from coachbot.settings import Secret, Secrets


@pytest.fixture
def app_with_tokens(app: App) -> App:
    secrets = Secrets(
        discord_token=Secret("discord-token"),
        slack_bot_token=Secret("xoxb-token"),
        slack_app_token=Secret("xapp-token"),
    )
    app.services.settings = replace(app.services.settings, secrets=secrets)
    return app


@pytest.mark.parametrize("name", sorted(cli.ADAPTERS))
async def test_each_platform_hands_the_root_what_the_contract_says(
    app_with_tokens: App, name: str
) -> None:
    args = cli._parser().parse_args(["run", "--platform", name])
    adapter = importlib.import_module(cli.ADAPTERS[name]).adapter(app_with_tokens, args)
    assert adapter.platform == name
    assert isinstance(adapter.limits, PlatformLimits)
    for step in ("start", "serve", "stop"):
        assert inspect.iscoroutinefunction(getattr(adapter, step)), step
        assert not inspect.signature(getattr(adapter, step)).parameters, step
    port = inspect.getattr_static(adapter, "delivery")  # Slack's exists once started
    assert isinstance(port, property) or inspect.iscoroutinefunction(port.send)
    await adapter.stop()  # safe before start


async def test_the_console_follows_it_at_run_time(app: App) -> None:
    args = cli._parser().parse_args(["chat"])
    console = importlib.import_module(cli.ADAPTERS["console"]).adapter(app, args)
    assert isinstance(console, PlatformAdapter)
    delivery: DeliveryPort = console.delivery
    assert delivery.platform == console.platform == "console"
    runtime = Runtime(app, [console])
    await console.stop()  # as if the input had ended: run returns at once, cleanly
    assert await runtime.run(handle_signals=False) == 0
