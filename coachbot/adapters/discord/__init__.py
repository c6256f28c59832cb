"""The Discord adapter: slash commands from the registry, embeds, persistent buttons, DMs.

Everything Discord-specific lives in this package; the core never imports it.
Modules: ``limits`` (Discord's documented limits), ``markdown`` (core markup to
Discord markdown), ``render`` (Reply to messages), ``send`` (messages to discord.py
arguments), ``ids`` and ``views`` (persistent buttons), ``translator`` and ``commands``
(registry to application commands), ``interactions`` (answering within the 3-second
deadline), ``delivery`` (the DeliveryPort), ``payload_check`` (our validator of the
synced payload), ``client`` (intents, sharding) and ``cli``.
"""

import warnings

with warnings.catch_warnings():
    # discord.py imports audioop for voice, which coachbot never uses (Python 3.13 drops it).
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord  # noqa: F401

PLATFORM = "discord"
