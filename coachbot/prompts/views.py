"""How a subscription reads in a reply: its settings as fields, its next prompt as a phrase."""

from __future__ import annotations

from coachbot.db.models import Subscription
from coachbot.i18n import Lang, Localized
from coachbot.markup import channel_ref, code
from coachbot.prompts.parsing import SHORT, format_days
from coachbot.prompts.subscriptions import CHANNEL
from coachbot.reply import Field, Fields

NONE = Localized("aucun", "none")


def settings_fields(sub: Subscription, lang: Lang) -> Fields:
    """Every setting of ``sub`` plus its state and next prompt, one field each."""
    names = _FIELD_NAMES
    recap = SHORT[lang][sub.recap_weekday] if sub.recap_weekday >= 0 else "off"
    rows = (
        (names["time"], f"`{sub.local_time}`"),
        (names["timezone"], code(sub.timezone)),
        (names["days"], f"`{format_days(sub.days, lang)}`"),
        (names["where"], where_text(sub, lang)),
        (names["language"], f"`{sub.language}`"),
        (names["skip_holidays"], f"`{sub.skip_holidays}`" if sub.skip_holidays else NONE.get(lang)),
        (names["recap"], f"`{recap}`"),
        (names["state"], state_text(sub, lang)),
        (names["next"], next_text(sub, lang)),
    )
    return Fields(tuple(Field(name.get(lang), value, inline=True) for name, value in rows))


# French readers type the French option names (heure, fuseau...): no English name here.
_FIELD_NAMES = {
    "time": Localized("Heure", "Time"),
    "timezone": Localized("Fuseau", "Timezone"),
    "days": Localized("Jours", "Days"),
    "where": Localized("Où", "Where"),
    "language": Localized("Langue", "Language"),
    "skip_holidays": Localized("Jours fériés sautés", "Holidays skipped"),
    "recap": Localized("Bilan hebdo", "Weekly recap"),
    "state": Localized("État", "State"),
    "next": Localized("Prochain conseil", "Next tip"),
}


def where_text(sub: Subscription, lang: Lang) -> str:
    """``direct messages`` or ``channel <#C123>`` (a link to the channel where the platform
    has them)."""
    if sub.where == CHANNEL and sub.channel_id:
        return Localized("salon ", "channel ").get(lang) + channel_ref(sub.channel_id)
    return Localized("messages privés", "direct messages").get(lang)


def state_text(sub: Subscription, lang: Lang) -> str:
    """Active, paused until a date, failing, or not subscribed."""
    if not sub.active:
        return Localized("pas abonné", "not subscribed").get(lang)
    if sub.failing:
        return Localized("en échec (messages non remis)", "failing (messages not delivered)").get(
            lang
        )
    if sub.paused_until is not None:
        until = sub.paused_until.isoformat()
        return Localized(f"en pause jusqu'au {until} inclus", f"paused until {until} included").get(
            lang
        )
    return Localized("actif", "active").get(lang)


def next_text(sub: Subscription, lang: Lang) -> str:
    """When the next prompt comes, in the learner's own time: ``tue 2026-03-03 08:30``."""
    from zoneinfo import ZoneInfo

    if sub.next_due_at is None:
        return "—"
    local = sub.next_due_at.astimezone(ZoneInfo(sub.timezone))
    return f"{SHORT[lang][local.weekday()]} {local:%Y-%m-%d %H:%M}"
