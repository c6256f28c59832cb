"""``/coach server``: workspace defaults, for admins only, used by everyone else."""

from __future__ import annotations

from coachbot.app import App
from coachbot.dispatch import Invocation
from coachbot.identity import PersonRef
from coachbot.reply import Reply, Tone
from tests.chat import ChatBot

ADMIN = PersonRef("console", "local", "root")


async def server(
    app: App, person: PersonRef = ADMIN, *, admin: bool = True, in_: str | None = None, **args: str
) -> Reply:
    """Run ``/coach server`` with ``args``, typed in the channel ``in_``."""
    inv = Invocation(person, ("coach", "server"), args, "en", in_, is_admin=admin)
    return await app.dispatcher.dispatch(inv)


def text(reply: Reply) -> str:
    return " ".join(getattr(b, "markup", "") or str(b) for b in reply.blocks)


async def test_non_admins_are_refused_and_nothing_changes(bot: ChatBot) -> None:
    reply = await server(bot.app, bot.person, admin=False, language="en")
    assert reply.tone is Tone.ERROR and reply.title == "Admins only"
    assert "Admins only" in await bot.say("/coach server language:en", locale="en")
    assert "Commande inconnue" in await bot.say("/nothing")  # still French by default
    assert "Europe/Paris" in text(await server(bot.app))
    assert "`fr`" in text(await server(bot.app))


async def test_without_options_it_shows_the_defaults(app: App) -> None:
    reply = await server(app)
    assert reply.title == "Server defaults" and reply.ephemeral
    shown = text(reply)
    assert "`fr`" in shown and "`Europe/Paris`" in shown and "not set" in shown


async def test_workspace_language_comes_after_the_users_and_the_locale(bot: ChatBot) -> None:
    assert (await server(bot.app, language="en")).title == "Server defaults saved"
    assert "Unknown command" in await bot.say("/nothing")  # no locale, no choice: English
    assert "Commande inconnue" in await bot.say("/nothing", locale="fr-FR")  # locale first
    await bot.say("/coach language lang:fr")
    assert "Commande inconnue" in await bot.say("/nothing")  # the user's choice first
    other = ChatBot(bot.app, "zed")
    other.session.workspace = "elsewhere"
    assert "Commande inconnue" in await other.say("/nothing")  # another workspace: untouched


async def test_timezone_is_checked_with_suggestions(app: App) -> None:
    reply = await server(app, timezone="Asia/Tokio")
    assert reply.tone is Tone.ERROR and "Asia/Tokyo" in text(reply)
    await server(app, timezone="asia/tokyo")
    assert "`Asia/Tokyo`" in text(await server(app))


async def test_tips_channel_feeds_where_channel(bot: ChatBot) -> None:
    await server(bot.app, in_="C7", channel="here")
    assert "<#C7>" in text(await server(bot.app))
    await bot.say("/coach subscribe where:channel", locale="en")
    assert "channel #C7" in await bot.say("/coach settings", locale="en")
    await server(bot.app, channel="<#C9|tips>")
    assert "<#C9>" in text(await server(bot.app))
    await server(bot.app, channel="none")
    assert "not set" in text(await server(bot.app))


async def test_bad_channels_are_refused(app: App) -> None:
    reply = await server(app, channel="#!!")
    assert reply.tone is Tone.ERROR and "takes a channel" in text(reply)
    reply = await server(app, channel="here")
    assert reply.tone is Tone.ERROR and "cannot tell which channel" in text(reply)


async def test_no_channel_removes_the_tips_channel_on_every_platform(app: App) -> None:
    await server(app, channel="<#C9|tips>")
    assert "<#C9>" in text(await server(app))
    reply = await app.dispatcher.dispatch(
        Invocation(ADMIN, ("coach", "server"), {"no_channel": True}, "en", None, is_admin=True)
    )
    assert reply.title == "Server defaults saved" and "not set" in text(reply)
    both = await app.dispatcher.dispatch(
        Invocation(
            ADMIN,
            ("coach", "server"),
            {"no_channel": True, "channel": "C5"},
            "en",
            None,
            is_admin=True,
        )
    )
    assert both.tone is Tone.ERROR and "not both" in text(both)
    assert "not set" in text(await server(app))  # the refused call changed nothing
