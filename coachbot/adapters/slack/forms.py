"""Modals that run one registry command with its options, for App Home buttons.

A form is built from the command's options: a select for an option with choices, a
date picker for a date, a text input otherwise, each pre-filled with the value it has now (``initial``). The
``where`` choice ``here`` ("this channel") has no channel in App Home, so it comes with
a channel picker: the picked channel is the invocation's channel, as if the command
had been typed there. On submission only the options whose value changed are sent,
and the core checks them all (``/coach settings`` writes nothing when one is bad).
A core error goes back to the form (``response_action: errors``) under the input the
core names as refused (``Reply.bad_option``), else under the first one changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from coachbot.adapters.slack.mrkdwn import clip, escape
from coachbot.adapters.slack.render import BUTTON_CHARS, SlackBlock, mrkdwn, plain_text
from coachbot.i18n import Lang, Localized
from coachbot.markup import plain
from coachbot.prompts.tipstate import HERE
from coachbot.registry import CommandSpec, Option, OptionType
from coachbot.reply import Reply, Text, Tone

FORM_PREFIX = "cbform:"
FORM_CALLBACK = "cbform"
VALUE = "value"  # the action_id of every input of a form
CHANNEL_BLOCK = "cb_channel"
TITLE_CHARS = 24
LABEL_CHARS = 2000
OPTION_CHARS = 75
PLACEHOLDER_CHARS = 150
ERROR_CHARS = 1000
SAVE = Localized("Enregistrer", "Save")
CANCEL = Localized("Annuler", "Cancel")
PICKED_CHANNEL = Localized("Dans le salon choisi ci-dessous", "In the channel picked below")
CHANNEL_LABEL = Localized("Salon (pour « Dans le salon choisi »)", "Channel (for “picked below”)")
CHANNEL_HINT = Localized(
    "Invitez-y le bot d'abord (/invite @coachbot).",
    "Invite the bot there first (/invite @coachbot).",
)


@dataclass(frozen=True, slots=True)
class Submission:
    """A submitted form: the command, the options that changed, the picked channel."""

    command: str
    args: dict[str, str]
    channel: str | None


def form_button(spec: CommandSpec, label: str) -> dict[str, Any]:
    """A button that opens ``spec``'s form."""
    return {
        "type": "button",
        "text": plain_text(label, BUTTON_CHARS),
        "action_id": FORM_PREFIX + spec.qualified_name,
        "value": spec.qualified_name,
    }


def command_modal(
    spec: CommandSpec, lang: Lang, initial: Mapping[str, str], channel: str | None = None
) -> dict[str, Any]:
    """The ``views.open`` view of ``spec``'s form, pre-filled with ``initial`` (and ``channel``)."""
    blocks: list[SlackBlock] = [
        {"type": "section", "text": mrkdwn(escape(spec.description.get(lang)))}
    ]
    for option in spec.options:
        blocks.append(input_block(option, lang, initial.get(option.name)))
        if any(c.value == HERE for c in option.choices):
            blocks.append(channel_block(lang, channel))
    metadata = {"command": spec.qualified_name, "initial": dict(initial), "channel": channel}
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": plain_text("/" + " ".join(spec.path_in(lang)), TITLE_CHARS),
        "submit": plain_text(SAVE.get(lang), TITLE_CHARS),
        "close": plain_text(CANCEL.get(lang), TITLE_CHARS),
        "blocks": blocks,
        "private_metadata": json.dumps(metadata, ensure_ascii=False),
    }


def input_block(option: Option, lang: Lang, value: str | None) -> SlackBlock:
    """One option as an input: a select for its choices, else a text input."""
    if option.choices:
        element = select(option, lang, value)
    elif option.type is OptionType.DATE:
        element = date_picker(value)
    else:
        element = text_input(option, value)
    return {
        "type": "input",
        "block_id": option.name,
        "label": plain_text(option.description.get(lang), LABEL_CHARS),
        "element": element,
        "optional": not option.required,
    }


def select(option: Option, lang: Lang, value: str | None) -> dict[str, Any]:
    """A static select of the option's choices, the current one selected."""
    options = [
        {
            "text": plain_text(
                (PICKED_CHANNEL if c.value == HERE else c.label).get(lang), OPTION_CHARS
            ),
            "value": c.value,
        }
        for c in option.choices
    ]
    element: dict[str, Any] = {"type": "static_select", "action_id": VALUE, "options": options}
    chosen = next((o for o in options if o["value"] == value), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def date_picker(value: str | None) -> dict[str, Any]:
    """Slack's date picker (it sends ``YYYY-MM-DD``, what the core reads)."""
    element: dict[str, Any] = {"type": "datepicker", "action_id": VALUE}
    if value:
        element["initial_date"] = value
    return element


def text_input(option: Option, value: str | None) -> dict[str, Any]:
    """A one-line text input, with the option's length limit."""
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": VALUE}
    if value:
        element["initial_value"] = value
    if option.max_length is not None:
        element["max_length"] = option.max_length
    return element


def channel_block(lang: Lang, channel: str | None) -> SlackBlock:
    """The channel picker that goes with the ``here`` choice."""
    element: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": VALUE,
        "placeholder": plain_text(CHANNEL_LABEL.get(lang), PLACEHOLDER_CHARS),
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel:
        element["initial_conversation"] = channel
    return {
        "type": "input",
        "block_id": CHANNEL_BLOCK,
        "label": plain_text(CHANNEL_LABEL.get(lang), LABEL_CHARS),
        "hint": plain_text(CHANNEL_HINT.get(lang), LABEL_CHARS),
        "element": element,
        "optional": True,
    }


def read_submission(view: Mapping[str, Any]) -> Submission:
    """The command of a submitted form and the options whose value changed."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    initial: dict[str, str] = metadata.get("initial") or {}
    values = {
        block: state_value(actions.get(VALUE) or {})
        for block, actions in ((view.get("state") or {}).get("values") or {}).items()
    }
    picked = values.pop(CHANNEL_BLOCK, None) or metadata.get("channel")
    args = {name: v for name, v in values.items() if v and v != initial.get(name)}
    if picked != metadata.get("channel") and values.get("where") == HERE:
        args["where"] = HERE  # another channel, same choice: still a change
    return Submission(str(metadata.get("command") or ""), args, picked)


def state_value(state: Mapping[str, Any]) -> str | None:
    """The value of one input in ``view.state.values``, stripped; None when empty."""
    kind = state.get("type")
    if kind == "static_select":
        value = (state.get("selected_option") or {}).get("value")
    elif kind == "conversations_select":
        value = state.get("selected_conversation")
    elif kind == "datepicker":
        value = state.get("selected_date")
    else:
        value = state.get("value")
    text = str(value).strip() if value is not None else ""
    return text or None


def command_args(spec: CommandSpec, submission: Submission) -> dict[str, str]:
    """The changed values of ``spec``'s options, in the command's own order."""
    return {o.name: submission.args[o.name] for o in spec.options if o.name in submission.args}


def form_errors(reply: Reply, spec: CommandSpec, args: Mapping[str, str]) -> dict[str, str]:
    """The ``errors`` of ``response_action`` for an error reply; empty for any other reply."""
    if reply.tone is not Tone.ERROR:
        return {}
    return {culprit(reply, spec, args): clip(error_message(reply), ERROR_CHARS)}


def error_message(reply: Reply) -> str:
    """What an error reply says went wrong: its first paragraph (the usage follows it)."""
    first = next((b.markup for b in reply.blocks if isinstance(b, Text)), reply.title or "")
    return " ".join(plain(first.split("\n\n")[0]).split()) or (reply.title or "…")


def culprit(reply: Reply, spec: CommandSpec, args: Mapping[str, str]) -> str:
    """The input the error ``reply`` is about: the option the core refused when the form
    shows it, else the first one changed (else the first input)."""
    shown = {o.name for o in spec.options}
    if reply.bad_option in shown:
        return reply.bad_option
    return next(iter(args), spec.options[0].name if spec.options else CHANNEL_BLOCK)
