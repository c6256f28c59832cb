"""``/coach subscribe|settings|pause|resume|unsubscribe|tip``: options, defaults, errors."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coachbot.app import App
from coachbot.clock import FakeClock
from coachbot.db.models import Subscription
from coachbot.db.people import find_person
from coachbot.errors import BadInput
from coachbot.prompts import parsing
from coachbot.prompts.subscriptions import find_subscription
from coachbot.reply import Tone
from coachbot.textcommand import run_line
from tests.chat import ChatBot

# The clock fixture starts on Monday 2026-03-02 at 09:00 UTC, 10:00 in Paris.


async def stored(app: App, user: str = "alice") -> Subscription | None:
    async with app.services.database().session() as session:
        person = await find_person(session=session, ref=ChatBot(app, user).person)
        if person is None:
            return None
        return await find_subscription(session=session, person_id=person.id or 0)


async def test_subscribe_with_defaults_then_settings_shows_them(bot: ChatBot) -> None:
    text = await bot.say("/coach subscribe", locale="en")
    assert "Your next tip arrives tue 2026-03-03 08:30 (Europe/Paris)" in text
    shown = await bot.say("/coach settings", locale="en")
    for expected in ("`08:30`", "`Europe/Paris`", "`mon-fri`", "direct messages", "`en`", "`fri`"):
        assert expected in shown
    assert bot.last is not None and bot.last.ephemeral
    sub = await stored(bot.app)
    assert sub is not None and sub.active and sub.days == 0b0011111 and sub.where == "dm"
    assert sub.next_due_at == datetime(2026, 3, 3, 7, 30, tzinfo=UTC)


async def test_every_option_is_stored(bot: ChatBot) -> None:
    await bot.say(
        "/coach subscribe time:7h05 timezone:america/new_york days:sun-thu language:fr "
        "skip_holidays:us recap:mon",
        locale="en",
    )
    sub = await stored(bot.app)
    assert sub is not None
    assert (sub.local_time, sub.timezone, sub.language, sub.skip_holidays, sub.recap_weekday) == (
        "07:05",
        "America/New_York",
        "fr",
        "US",
        0,
    )
    assert parsing.format_days(sub.days, "en") == "sun-thu"
    # Monday 04:00 in New York: the next prompt is Monday 07:05 EST = 12:05 UTC.
    assert sub.next_due_at == datetime(2026, 3, 2, 12, 5, tzinfo=UTC)


async def test_settings_changes_only_what_is_given(bot: ChatBot) -> None:
    await bot.say("/coach subscribe time:07:00 days:fri,sat", locale="en")
    text = await bot.say("/coach settings time:18:30", locale="en")
    assert "Settings changed" in text and "`18:30`" in text and "`fri,sat`" in text
    sub = await stored(bot.app)
    assert sub is not None and sub.next_due_at == datetime(2026, 3, 6, 17, 30, tzinfo=UTC)


async def test_french_day_names(bot: ChatBot) -> None:
    await bot.say("/coach subscribe days:dim-jeu", locale="fr")
    text = await bot.say("/coach settings", locale="fr")
    assert "`dim-jeu`" in text and "messages privés" in text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/coach subscribe time:25:00", '"25:00" is not a valid time: HH:MM'),
        ("/coach subscribe time:8pm", '"8pm" is not a valid time'),
        ("/coach subscribe timezone:Europe/Pari", "Did you mean: Europe/Paris"),
        ("/coach subscribe days:funday", '"funday" is not a set of days'),
        ("/coach subscribe skip_holidays:XY", "not a country code known for public"),
        ("/coach subscribe where:moon", "Accepted: dm, here, channel"),
        ("/coach subscribe where:here", "cannot tell which channel"),
        ("/coach subscribe where:channel", "No tips channel is set here"),
        ("/coach subscribe recap:someday", "not a day of the week"),
        ("/coach pause until:2026-03-01", "must be in the future"),
        ("/coach pause until:tomorrow", "is not a date YYYY-MM-DD"),
    ],
)
async def test_bad_input_is_refused_and_changes_nothing(
    bot: ChatBot, line: str, expected: str
) -> None:
    await bot.say("/coach subscribe time:07:00", locale="en")
    before = await stored(bot.app)
    text = await bot.say(line, locale="en")
    assert expected in text, text
    assert bot.last is not None and bot.last.tone is Tone.ERROR
    assert await stored(bot.app) == before


@pytest.mark.parametrize(
    ("offset", "zones", "wrong"),
    [
        ("UTC+14", ("Etc/GMT-14", "Pacific/Kiritimati"), ("Etc/GMT+4", "Etc/GMT+1")),
        ("utc-5", ("Etc/GMT+5", "America/New_York"), ("Etc/GMT-5",)),
        ("GMT+1", ("Etc/GMT-1", "Europe/Paris"), ("Etc/GMT+1", "Europe/London")),
        ("UTC+5:30", ("Asia/Kolkata",), ("Etc/",)),
    ],
)
async def test_a_utc_offset_is_answered_with_the_zones_that_match(
    bot: ChatBot, offset: str, zones: tuple[str, ...], wrong: tuple[str, ...]
) -> None:
    await bot.say("/coach subscribe time:07:00", locale="en")
    before = await stored(bot.app)
    text = await bot.say(f"/coach settings timezone:{offset}", locale="en")
    assert bot.last is not None and bot.last.tone is Tone.ERROR
    assert "is an offset, not an IANA timezone name" in text
    assert all(zone in text for zone in zones), text
    assert not any(zone in text for zone in wrong), text
    assert await stored(bot.app) == before


async def test_an_offset_out_of_use_says_the_range(bot: ChatBot) -> None:
    text = await bot.say("/coach settings timezone:UTC+15", locale="fr")
    assert "de UTC-12 à UTC+14" in text
    french = " ".join((await bot.say("/coach settings timezone:UTC+14", locale="fr")).split())
    assert "inversent le signe (Etc/GMT-14 = UTC+14)" in french


async def test_a_region_code_for_holidays_names_its_country(bot: ChatBot) -> None:
    text = await bot.say("/coach settings skip_holidays:US-CA", locale="en")
    assert '"US-CA" names a region' in text and "here US" in text
    unknown = " ".join((await bot.say("/coach settings skip_holidays:XY", locale="en")).split())
    examples = unknown.split("for example: ")[1].split(" (or off)")[0].split(", ")
    assert examples and all(len(code) == 2 for code in examples), examples
    assert "Two-letter ISO codes (or three: FRA, USA)" in unknown
    await bot.say("/coach subscribe skip_holidays:usa", locale="en")  # three letters work
    sub = await stored(bot.app)
    assert sub is not None and sub.skip_holidays == "USA"


async def test_usage_shows_the_form_of_each_text_option(bot: ChatBot) -> None:
    text = await bot.say("/help command:coach settings", locale="en")
    for token in ("time:<HH:MM>", "days:<mon-fri>", "skip_holidays:<country code|off>"):
        assert token in text
    assert "<string>" not in text
    french = await bot.say("/aide commande:coach reglages", locale="fr")
    assert "heure:<HH:MM>" in french and "jours:<lun-ven>" in french and "bilan:<ven|off>" in french
    assert "fin:<AAAA-MM-JJ>" in await bot.say("/coach pause fin:demain", locale="fr")


async def test_unknown_holiday_country_lists_some(bot: ChatBot) -> None:
    text = await bot.say("/coach subscribe skip_holidays:XY", locale="fr")
    assert "FR" in text and "US" in text and "code pays" in text


async def test_where_here_uses_the_channel(app: App) -> None:
    bot = ChatBot(app)
    reply = await run_line(
        app.dispatcher, bot.person, "/coach subscribe where:here", "en", channel="C42"
    )
    assert reply.tone is Tone.SUCCESS
    sub = await stored(app)
    assert sub is not None and (sub.where, sub.channel_id) == ("channel", "C42")
    assert "channel #C42" in await bot.say("/coach settings", locale="en")
    await bot.say("/coach settings where:dm", locale="en")
    sub = await stored(app)
    assert sub is not None and (sub.where, sub.channel_id) == ("dm", None)


async def test_skip_holidays_moves_the_next_prompt(bot: ChatBot, clock: FakeClock) -> None:
    clock.set(datetime(2026, 5, 22, 12, 0, tzinfo=UTC))  # Friday; Monday 25 May is Whit Monday
    await bot.say("/coach subscribe skip_holidays:FR", locale="en")
    sub = await stored(bot.app)
    assert sub is not None and sub.next_due_at == datetime(2026, 5, 26, 6, 30, tzinfo=UTC)
    await bot.say("/coach settings skip_holidays:off", locale="en")
    sub = await stored(bot.app)
    assert sub is not None and sub.skip_holidays is None
    assert sub.next_due_at == datetime(2026, 5, 25, 6, 30, tzinfo=UTC)


async def test_pause_and_resume(bot: ChatBot) -> None:
    await bot.say("/coach subscribe", locale="en")
    text = await bot.say("/coach pause until:2026-03-10", locale="en")
    assert "No tip until 2026-03-10 included" in text and "wed 2026-03-11 08:30" in text
    assert "paused until 2026-03-10" in await bot.say("/coach settings", locale="en")
    text = await bot.say("/coach resume", locale="en")
    assert "Back on" in text and "tue 2026-03-03 08:30" in text
    assert "No pause was running" in await bot.say("/coach resume", locale="en")
    sub = await stored(bot.app)
    assert sub is not None and sub.paused_until is None


async def test_commands_that_need_a_subscription(bot: ChatBot) -> None:
    assert "not subscribed" in await bot.say("/coach settings", locale="en")
    assert "not subscribed" in await bot.say("/coach pause until:2026-12-31", locale="en")
    assert "not subscribed" in await bot.say("/coach settings time:09:00", locale="en")
    assert await stored(bot.app) is None


async def test_unsubscribe_keeps_the_row_but_nothing_is_due(bot: ChatBot) -> None:
    await bot.say("/coach subscribe time:06:00", locale="en")
    assert "no more daily tips" in await bot.say("/coach unsubscribe", locale="en")
    sub = await stored(bot.app)
    assert sub is not None and not sub.active and sub.next_due_at is None
    assert "No subscription" in await bot.say("/coach settings", locale="en")
    # Subscribing again keeps the former settings.
    await bot.say("/coach subscribe", locale="en")
    sub = await stored(bot.app)
    assert sub is not None and sub.active and sub.local_time == "06:00"


async def test_default_language_of_the_subscription_is_the_users(bot: ChatBot) -> None:
    await bot.say("/coach language lang:en")
    await bot.say("/coach subscribe")
    sub = await stored(bot.app)
    assert sub is not None and sub.language == "en"


async def test_workspace_timezone_is_the_default(bot: ChatBot) -> None:
    await bot.app.dispatcher.dispatch(_admin(bot, {"timezone": "Asia/Tokyo"}))
    await bot.say("/coach subscribe", locale="en")
    sub = await stored(bot.app)
    assert sub is not None and sub.timezone == "Asia/Tokyo"
    # Monday 18:00 in Tokyo: next is Tuesday 08:30 JST = Monday 23:30 UTC.
    assert sub.next_due_at == datetime(2026, 3, 2, 23, 30, tzinfo=UTC)


async def test_failing_subscription_is_told_once(bot: ChatBot) -> None:
    await bot.say("/coach subscribe", locale="en")
    async with bot.app.services.database().session() as session:
        sub = await stored(bot.app)
        assert sub is not None
        sub.failing, sub.consecutive_failures, sub.next_due_at = True, 3, None
        session.add(sub)
    bot.app.services.pending_notices.changed()  # as the engine does when it marks it failing
    first = await bot.reply("/cto overview", locale="en")
    assert len(first.notices) == 1
    assert "could not be delivered" in first.notices[0] and "where:here" in first.notices[0]
    assert (await bot.reply("/cto overview", locale="en")).notices == ()
    assert "failing" in await bot.say("/coach settings", locale="en")
    assert "could not be delivered" not in await bot.as_("bob").say("/cto overview")
    # Re-subscribing clears it.
    await bot.as_("alice").say("/coach subscribe where:dm", locale="en")
    sub = await stored(bot.app)
    assert sub is not None and not sub.failing and sub.next_due_at is not None


def _admin(bot: ChatBot, args: dict[str, str]):  # type: ignore[no-untyped-def]
    from coachbot.dispatch import Invocation

    return Invocation(bot.person, ("coach", "server"), args, "en", None, is_admin=True)


# --- parsers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "mask"),
    [
        ("mon-fri", 0b0011111),
        ("sun-thu", 0b1001111),
        ("fri,sat", 0b0110000),
        ("lun-ven", 0b0011111),
        ("Vendredi, Samedi", 0b0110000),
        ("daily", 0b1111111),
        ("sat-sun", 0b1100000),
        ("fri-mon", 0b1110001),
    ],
)
def test_parse_days(raw: str, mask: int) -> None:
    assert parsing.parse_days(raw) == mask


@given(st.integers(min_value=1, max_value=127), st.sampled_from(["fr", "en"]))
def test_days_round_trip(mask: int, lang: str) -> None:
    assert parsing.parse_days(parsing.format_days(mask, lang)) == mask  # type: ignore[arg-type]


@given(st.text(max_size=30))
def test_parse_days_accepts_or_explains(raw: str) -> None:
    try:
        mask = parsing.parse_days(raw)
    except BadInput as exc:
        assert "mon-fri" in exc.message.en
    else:
        assert 0 < mask <= 127


@given(st.times())
def test_time_round_trip(value: time) -> None:
    minute = value.replace(second=0, microsecond=0)
    assert parsing.parse_time(parsing.format_time(minute)) == minute


@pytest.mark.parametrize("raw", ["24:00", "12:60", "noon", "", "1230", "-1:00"])
def test_bad_times(raw: str) -> None:
    with pytest.raises(BadInput):
        parsing.parse_time(raw)
