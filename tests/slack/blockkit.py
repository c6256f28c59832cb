"""Checking Block Kit the way Slack would: slack_sdk's models, plus the limits the SDK does not check.

``Block.parse(b).validate_json()`` checks each block against the SDK's models; the
round trip ``to_dict() == b`` proves no key was unknown to them (unknown keys are
only logged). The SDK does not count blocks per message, field lengths, button
labels or context elements, so those are checked here too, along with what keeps
user text inert: no raw ``<``/``>`` and no bare ``&`` in any mrkdwn text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from coachbot.adapters.slack.render import MESSAGE_CHARS, Rendered, block_chars

LIMITS = {
    "section": 3000,
    "field": 2000,
    "fields": 10,
    "header": 150,
    "actions": 25,
    "button": 75,
    "action_id": 255,
    "value": 2000,
    "context": 10,
    "context_text": 2000,
}
BARE_AMPERSAND = re.compile(r"&(?!amp;|lt;|gt;)")
USER_REFERENCE = re.compile(r"<@[UW][A-Z0-9]{2,20}>|<#[CG][A-Z0-9]{2,20}>")  # a person, a channel


def check_block(block: dict[str, Any]) -> None:
    """One block is valid for slack_sdk and within Slack's documented limits."""
    parsed = Block.parse(block)
    assert parsed is not None, block
    parsed.validate_json()
    assert parsed.to_dict() == block, f"a key unknown to slack_sdk in {block}"
    kind = block["type"]
    if kind == "section":
        _check_section(block)
    elif kind == "header":
        assert len(block["text"]["text"]) <= LIMITS["header"]
    elif kind == "actions":
        _check_actions(block)
    elif kind == "context":
        assert 1 <= len(block["elements"]) <= LIMITS["context"]
        for element in block["elements"]:
            assert len(element["text"]) <= LIMITS["context_text"]
    for text in mrkdwn_texts(block):
        # the only angle brackets allowed: a person the core named (<@U…>), shown as their
        # name, and a channel it named (<#C…>), shown as a link
        bare = USER_REFERENCE.sub("", text)
        assert "<" not in bare and ">" not in bare, text
        assert "<!" not in text, text
        assert not BARE_AMPERSAND.search(text), text


def _check_section(block: dict[str, Any]) -> None:
    if "text" in block:
        assert 0 < len(block["text"]["text"]) <= LIMITS["section"]
    fields = block.get("fields", [])
    assert len(fields) <= LIMITS["fields"]
    for f in fields:
        assert 0 < len(f["text"]) <= LIMITS["field"]


def _check_actions(block: dict[str, Any]) -> None:
    elements = block["elements"]
    assert 1 <= len(elements) <= LIMITS["actions"]
    ids = [e["action_id"] for e in elements]
    assert len(ids) == len(set(ids)), "two buttons share an action_id"
    for e in elements:
        assert len(e["text"]["text"]) <= LIMITS["button"]
        assert len(e["action_id"]) <= LIMITS["action_id"]
        assert len(e["value"]) <= LIMITS["value"]


def mrkdwn_texts(node: Any) -> Iterator[str]:
    """Every mrkdwn text inside a block, however deep; each must be ``verbatim``."""
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            assert node.get("verbatim") is True, node
            yield node["text"]
        for value in node.values():
            yield from mrkdwn_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from mrkdwn_texts(item)


def check_message(blocks: list[dict[str, Any]], *, max_blocks: int = 50) -> None:
    """A whole message: at most ``max_blocks`` valid blocks within the size budget."""
    assert len(blocks) <= max_blocks
    assert sum(block_chars(b) for b in blocks) <= MESSAGE_CHARS or len(blocks) == 1
    for block in blocks:
        check_block(block)


def check_rendered(rendered: Rendered) -> None:
    """Every message of a rendered reply."""
    assert rendered.messages
    for message in rendered.messages:
        check_message(message.blocks)
        assert message.text and "<" not in message.text and ">" not in message.text


def check_view(view: dict[str, Any]) -> None:
    """A whole view (App Home or modal): valid for slack_sdk's ``View``, every block too."""
    parsed = View(**view)
    parsed.validate_json()
    assert parsed.to_dict() == view, f"a key unknown to slack_sdk in {view}"
    check_message(view["blocks"], max_blocks=100)
