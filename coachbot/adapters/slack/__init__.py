"""The Slack adapter: slash commands, Block Kit replies, buttons, App Home and daily prompts.

Built on slack-bolt (async). Listeners only translate Slack payloads into core calls
(``run_action``, typed lines parsed by ``coachbot.textcommand``) and render the core's
``Reply`` as Block Kit; nothing here decides anything the core could.
"""

PLATFORM = "slack"
