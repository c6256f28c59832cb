"""``/mentor``: links exist only with the learner's consent; without one, every command about
someone gets the same refusal; mentors view, note, set goals and get alerts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from coachbot.app import App
from coachbot.clock import FakeClock
from coachbot.db.models import Goal, MentorAlert, MentorLink, MentorNote, Person
from coachbot.identity import PersonRef
from coachbot.markup import plain
from coachbot.mentors.alerts import due_mentor_alerts
from coachbot.reply import Attachment, Fields, Image, Items, Reply, Text, Tone
from tests.chat import ChatBot

ABOUT_SOMEONE = (
    "/mentor view user:{u}",
    "/mentor note user:{u} text:well done",
    "/mentor focus user:{u} skill:security level:4",
    "/mentor alerts user:{u} on:true",
    "/mentor alerts user:{u}",
    "/mentor end user:{u}",
    "/mentor accept user:{u}",
    "/mentor decline user:{u}",
)


async def speak_english(bot: ChatBot, *users: str) -> None:
    for user in users:
        await bot.as_(user).say("/coach language en")


@pytest.fixture
async def en(bot: ChatBot) -> ChatBot:
    """alice, bob, carol and dave, who all chose English; alice speaks."""
    await speak_english(bot, "bob", "carol", "dave", "alice")
    return bot


async def link_up(bot: ChatBot, learner: str = "alice", mentor: str = "bob") -> None:
    """The learner asks, the mentor accepts."""
    await bot.as_(learner).say(f"/mentor request user:@{mentor}")
    accepted = await bot.as_(mentor).say(f"/mentor accept user:@{learner}")
    assert "@" + learner in accepted and bot.last is not None and bot.last.tone is Tone.SUCCESS


async def rows(app: App, model: type) -> list:
    async with app.services.database().session() as session:
        return list(await session.exec(select(model)))


def texts(reply: Reply) -> str:
    return "\n".join(b.markup for b in reply.blocks if isinstance(b, Text))


# --- the link and its consent --------------------------------------------------------------


async def test_request_accept_then_view_note_focus_and_list(en: ChatBot, app: App) -> None:
    sent = await en.as_("alice").say("/mentor request user:@bob")
    assert "Request sent" in sent and "/mentor end user:@bob" in sent
    pending = await en.as_("bob").say("/mentor list")
    assert "@alice — asks you to be their mentor" in pending
    await en.press("Accept @alice")
    assert en.last is not None and en.last.tone is Tone.SUCCESS

    view = await en.reply("/mentor view user:<@alice>")
    assert plain(view.title or "") == "Progress of @alice" and view.ephemeral
    noted = await en.say("/mentor note user:@alice text:Great incident review, write it up")
    assert "Note saved" in noted and "Great incident review, write it up" in noted
    goal = await en.say("/mentor focus user:@alice skill:security level:4")
    assert "IT security" in goal and "set by you" in goal

    shown = await en.as_("alice").say("/progress show")
    assert "Great incident review, write it up" in shown and "@bob" in shown
    assert "Great incident review" not in await en.say("/progress show")  # seen once
    people = {p.user_id: p.id for p in await rows(app, Person)}
    [goal_row] = await rows(app, Goal)
    assert (goal_row.person_id, goal_row.set_by_id) == (people["alice"], people["bob"])
    assert (goal_row.skill_id, goal_row.target_level) == ("it_security", 4)

    assert "@bob — active" in await en.as_("alice").say("/mentor list")
    assert "@alice — active" in await en.as_("bob").say("/mentor list")


async def test_user_mentions_of_every_platform_name_the_same_person(en: ChatBot) -> None:
    await link_up(en)
    for mention in ("alice", "@alice", "<@alice>", "<@!alice>", '"<@alice|Alice A.>"'):
        reply = await en.as_("bob").reply(f"/mentor view user:{mention}")
        assert plain(reply.title or "") == "Progress of @alice", mention


async def test_only_the_learner_can_create_a_link(en: ChatBot, app: App) -> None:
    # bob cannot make himself alice's mentor: accepting without her request is refused
    assert "Not possible" in await en.as_("bob").say("/mentor accept user:@alice")
    # bob asking alice makes *alice* bob's mentor, never the other way round
    await en.as_("bob").say("/mentor request user:@alice")
    await en.as_("alice").say("/mentor accept user:@bob")
    viewed = await en.as_("alice").reply("/mentor view user:@bob")
    assert viewed.title == "Progress of <@bob>"  # a person: each platform shows the name
    assert "Not possible" in await en.as_("bob").say("/mentor view user:@alice")
    [link] = await rows(app, MentorLink)
    people = {p.id: p.user_id for p in await rows(app, Person)}
    assert (people[link.mentor_id], people[link.learner_id]) == ("alice", "bob")


async def test_declined_requests_share_nothing(en: ChatBot) -> None:
    await en.as_("alice").say("/mentor request user:@bob")
    declined = await en.as_("bob").say("/mentor decline user:@alice")
    assert "Request declined" in declined
    assert "Not possible" in await en.say("/mentor view user:@alice")
    assert "@bob — declined" in await en.as_("alice").say("/mentor list")


async def test_the_learner_can_end_the_link_at_any_time(en: ChatBot) -> None:
    await link_up(en)
    ended = await en.as_("alice").say("/mentor end user:@bob")
    assert "Link ended" in ended
    assert "Not possible" in await en.as_("bob").say("/mentor view user:@alice")
    # and withdraw a request before it is answered
    await en.as_("alice").say("/mentor request user:@carol")
    await en.as_("alice").say("/mentor end user:@carol")
    assert "Not possible" in await en.as_("carol").say("/mentor accept user:@alice")


async def test_the_mentor_can_end_it_too_and_the_learner_can_ask_again(en: ChatBot) -> None:
    await link_up(en)
    assert "Link ended" in await en.as_("bob").say("/mentor end user:@alice")
    assert "@bob — ended" in await en.as_("alice").say("/mentor list")
    await link_up(en)
    viewed = await en.as_("bob").reply("/mentor view user:@alice")
    assert plain(viewed.title or "") == "Progress of @alice"


async def test_commands_about_oneself_are_bad_input(en: ChatBot, app: App) -> None:
    text = await en.as_("alice").say("/mentor request user:@alice")
    assert "someone other than you" in text and "Usage:" in text
    assert await rows(app, MentorLink) == []


async def test_list_without_links_says_how_to_start(en: ChatBot) -> None:
    assert "/mentor request user:@name" in await en.as_("dave").say("/mentor list")


async def test_list_in_french(bot: ChatBot) -> None:
    await bot.as_("alice").say("/mentor request user:@bob")
    text = await bot.as_("bob").say("/mentor list")
    assert "Mes apprenants" in text and "vous demande d'être son mentor" in text
    assert [plain(b.label) for b in bot.buttons()] == ["Accepter @alice", "Refuser @alice"]


async def test_declining_with_the_list_button(en: ChatBot) -> None:
    await en.as_("alice").say("/mentor request user:@bob")
    await en.as_("bob").say("/mentor list")
    await en.press("Decline @alice")
    assert en.last is not None and en.last.title == "Request declined"
    assert en.buttons() == ()


# --- one refusal, revealing nothing ------------------------------------------------------


async def test_every_refusal_is_the_same_whoever_the_other_person_is(en: ChatBot, app: App) -> None:
    # declined: dave declined bob; pending: erin asked bob, unanswered; ended: frank ended.
    await speak_english(en, "erin", "frank")
    await en.as_("dave").say("/mentor request user:@bob")
    await en.as_("bob").say("/mentor decline user:@dave")
    await en.as_("erin").say("/mentor request user:@bob")
    await link_up(en, "frank", "bob")
    await en.as_("frank").say("/mentor end user:@bob")
    # another workspace: a "gina" there is linked to a "bob" there
    en.session.workspace = "elsewhere"
    await speak_english(en, "bob", "gina")
    await link_up(en, "gina", "bob")
    en.session.workspace = app.services.settings.console.workspace

    replies: dict[tuple[str, str], Reply] = {}
    for who in ("nobody_ever", "dave", "erin", "frank", "gina"):
        for line in ABOUT_SOMEONE:
            if who == "erin" and line.split()[1] in ("accept", "decline", "end"):
                continue  # erin's pending request is what these answer (or withdraw)
            replies[(who, line)] = await en.as_("bob").reply(line.format(u="@" + who))
    distinct = set(replies.values())
    assert len(distinct) == 1, distinct
    (refusal,) = distinct
    assert refusal.tone is Tone.ERROR and refusal.ephemeral
    for who in ("nobody_ever", "dave", "erin", "frank", "gina"):
        assert who not in texts(refusal)
    # refusing changed nothing: no note, no goal, no alerts
    assert await rows(app, MentorNote) == [] and await rows(app, Goal) == []
    assert not any(link.alerts for link in await rows(app, MentorLink))


async def test_the_refusal_does_not_depend_on_the_asker_either(en: ChatBot) -> None:
    askers = ("bob", "newcomer")
    strangers = [await en.as_(u).reply("/mentor view user:@alice", locale="en") for u in askers]
    assert strangers[0] == strangers[1]


async def test_a_request_reads_the_same_whether_or_not_the_target_uses_the_bot(
    en: ChatBot,
) -> None:
    to_user = await en.as_("alice").reply("/mentor request user:@bob")
    to_ghost = await en.as_("alice").reply("/mentor request user:@ghost")
    assert texts(to_user).replace("@bob", "@X") == texts(to_ghost).replace("@ghost", "@X")
    assert to_user.title == to_ghost.title == "Request sent"
    # asking again after a decline reads the same as a first request
    await en.as_("bob").say("/mentor decline user:@alice")
    assert await en.as_("alice").reply("/mentor request user:@bob") == to_user


# --- a focus set by a mentor ----------------------------------------------------------------


async def test_the_learner_sees_who_set_the_focus_and_is_told_once(en: ChatBot) -> None:
    await link_up(en)
    await en.as_("alice").say("/progress rate skill:security level:2")
    await en.as_("bob").say("/mentor focus user:@alice skill:security level:4")
    assert "(set by you)" in await en.say("/mentor view user:@alice")

    first = await en.as_("alice").reply("/progress show chart:false")
    assert first.notices[0] == "<@bob> set you a new focus: **IT security** → 4/5."
    assert "Focus: **IT security** → 4/5 (now 2/5) (set by <@bob>)" in texts(first)
    shown = await en.say("/progress show chart:false")
    assert "Focus: IT security → 4/5 (now 2/5) (set by @bob)" in shown
    assert "set you a new focus" not in shown  # told once
    history = " ".join((await en.say("/progress history skill:security")).split())
    assert "your goal 4/5 (set by @bob)" in history
    assert "Focus: **IT security** → 4/5 (now 2/5) (set by @bob)" in report_text(
        await en.reply("/progress report")
    )
    await en.say("/progress goal skill:budget level:3")  # her own choice now
    mine = await en.say("/progress show chart:false")
    assert "Focus: Budget management → 3/5" in mine and "set by" not in mine


async def test_each_new_focus_from_a_mentor_is_told_in_the_learners_language(
    bot: ChatBot,
) -> None:
    await link_up(bot)
    await bot.as_("bob").say("/mentor focus user:@alice skill:budget level:3")
    await bot.as_("bob").say("/mentor focus user:@alice skill:vision level:4")
    shown = await bot.as_("alice").say("/progress show chart:false")
    assert "★ @bob vous a fixé un nouvel objectif : Vision à long terme → 4/5." in shown
    assert "Budget" not in shown  # replaced before she saw it: only the current focus
    assert "(fixé par @bob)" in shown
    await bot.as_("bob").say("/mentor focus user:@alice skill:vision level:5")
    assert "vous a fixé un nouvel objectif" in await bot.as_("alice").say("/progress show")


async def test_the_mentor_view_neither_tells_nor_names_another_mentor(en: ChatBot) -> None:
    await link_up(en)
    await link_up(en, "alice", "carol")
    await en.as_("carol").say("/mentor focus user:@alice skill:security level:4")
    seen_by_bob = await en.as_("bob").reply("/mentor view user:@alice")
    text = rendered(en, seen_by_bob)
    assert "(set by another mentor)" in text and "carol" not in text
    assert seen_by_bob.notices == ()
    told = await en.as_("alice").reply("/progress show chart:false")  # still news to her
    assert any("<@carol> set you a new focus" in n for n in told.notices)


async def test_a_mentor_who_erased_their_data_is_no_longer_named(en: ChatBot, app: App) -> None:
    await link_up(en)
    await en.as_("alice").say("/progress rate skill:security level:2")
    await en.as_("bob").say("/mentor focus user:@alice skill:security level:4")
    assert "(set by @bob)" in await en.as_("alice").say("/progress show chart:false")
    await en.as_("bob").say("/coach forget")
    await en.press("Erase everything")
    shown = await en.as_("alice").say("/progress show chart:false")
    assert "Focus: IT security → 4/5" in shown and "bob" not in shown
    assert "bob" not in report_text(await en.reply("/progress report"))


def report_text(reply: Reply) -> str:
    (doc,) = [b for b in reply.blocks if isinstance(b, Attachment)]
    return doc.data.decode("utf-8")


# --- what the mentor reads ------------------------------------------------------------------


async def test_viewing_a_mentee_with_nothing_recorded_speaks_to_the_mentor(en: ChatBot) -> None:
    await link_up(en)
    view = await en.as_("bob").say("/mentor view user:@alice")
    assert "@alice has recorded nothing yet: no rating, no evidence, no goal." in view
    assert "Start by rating yourself" not in view and "/progress rate" not in view


def captions(reply: Reply) -> list[str]:
    return [b.alt for b in reply.blocks if isinstance(b, Image)]


def radar_caption(reply: Reply) -> str:
    return captions(reply)[0]


async def test_the_mentor_sees_the_same_pictures_titled_with_the_learners_name(
    en: ChatBot,
) -> None:
    await link_up(en)
    await en.as_("alice").say("/progress rate skill:security level:2")
    own = radar_caption(await en.reply("/progress show"))
    assert own.startswith("You and the target CTO profile: readiness per category")
    seen = captions(await en.as_("bob").reply("/mentor view user:@alice"))
    assert seen[0].startswith("@alice and the target CTO profile: readiness per category")
    assert seen[1].startswith("@alice: what to work on next, largest gap first: IT security")
    await en.say("/coach language fr")
    french = captions(await en.reply("/mentor voir utilisateur:@alice"))
    assert french[0].startswith("@alice et le profil CTO cible : préparation par catégorie")
    assert french[1].startswith("@alice : à travailler ensuite, le plus grand écart d'abord")
    assert radar_caption(await en.as_("alice").reply("/progress show")) == own  # hers unchanged


ENGLISH_WORDS = re.compile(
    r"^/progress\b|\b(rate|show|goal|history|report|request|accept|decline|end|list|view|"
    r"alerts|user|skill|level|on|true|false)\b"
)


def code_spans(text: str) -> list[str]:
    return re.findall(r"`(/[^`]*)`", text)


async def test_french_replies_quote_the_french_command_names(
    bot: ChatBot, app: App, clock: FakeClock
) -> None:
    """Every command quoted to a French reader is spelt in French."""
    replies = [
        await bot.as_("carol").reply("/progression voir"),
        await bot.reply("/mentor liste"),
        await bot.reply("/mentor voir utilisateur:@alice"),  # the refusal
        await bot.reply("/progression objectif competence:budget niveau:3"),
        await bot.reply("/progression noter competence:budget niveau:3"),
        await bot.reply("/progression historique competence:securite"),
        await bot.as_("dave").reply("/progression rapport"),
        await bot.reply("/progression notes"),
        await bot.as_("alice").reply("/mentor demander utilisateur:@bob"),
        await bot.as_("bob").reply("/mentor liste"),
        await bot.reply("/mentor accepter utilisateur:@alice"),
        await bot.reply("/mentor alertes utilisateur:@alice"),
        await bot.reply("/mentor note utilisateur:@alice texte:bravo"),
        await bot.reply("/mentor voir utilisateur:@alice"),
    ]
    await bot.reply("/mentor alertes utilisateur:@alice actif:oui")
    clock.advance(timedelta(days=7))
    replies += [reply for _, reply in await due(app, clock)]
    spans = [s for r in replies for s in code_spans(all_markup(r))]
    spans += [r.footer for r in replies if r.footer and "/mentor" in r.footer]
    assert len(spans) > 20
    assert [s for s in spans if ENGLISH_WORDS.search(s)] == []
    assert "`/progression voir`" in texts(replies[4])
    assert "`/mentor accepter utilisateur:@alice`" in all_markup(replies[9])
    assert "Plus d'alertes : /mentor alertes utilisateur:@alice actif:non" in spans


def all_markup(reply: Reply) -> str:
    """Every markup of a reply: texts, items, field values and notices."""
    parts = [texts(reply), *reply.notices]
    parts += [i for b in reply.blocks if isinstance(b, Items) for i in b.items]
    parts += [f.value for b in reply.blocks if isinstance(b, Fields) for f in b.fields]
    return "\n".join(parts)


# --- notes and alerts settings -------------------------------------------------------------


async def test_a_note_over_the_limit_is_refused_and_nothing_saved(en: ChatBot, app: App) -> None:
    await link_up(en)
    text = await en.as_("bob").say("/mentor note user:@alice text:" + "x" * 1001)
    assert "longer than 1000 characters (1001)" in text and "Nothing was saved" in text
    assert await rows(app, MentorNote) == []
    assert "Note saved" in await en.say("/mentor note user:@alice text:" + "x" * 1000)


async def test_a_note_of_nothing_but_nul_bytes_is_refused(en: ChatBot, app: App) -> None:
    await link_up(en)
    text = await en.as_("bob").say("/mentor note user:@alice text:\x00\x00")
    assert "The note is empty once invisible and control characters" in text
    assert "Nothing was saved" in text
    assert await rows(app, MentorNote) == []


async def test_alert_settings_are_shown_and_kept(en: ChatBot, app: App) -> None:
    await link_up(en)
    on = await en.as_("bob").say("/mentor alerts user:@alice on:true days:5")
    assert "Alerts about @alice are on" in on and "nothing logged for 5 days" in on
    assert "alerts (5 days)" in await en.say("/mentor list")
    assert "nothing logged for 5 days" in await en.say("/mentor alerts user:@alice")
    assert "No alerts about @alice" in await en.say("/mentor alerts user:@alice on:false")
    [link] = await rows(app, MentorLink)
    assert (link.alerts, link.alert_inactive_days) == (False, 5)
    bad = await en.say("/mentor alerts user:@alice days:0")
    assert "whole number (1–60)" in bad


# --- alerts to mentors ---------------------------------------------------------------------


async def due(
    app: App, clock: FakeClock, platforms: tuple[str, ...] = ("console",)
) -> list[tuple[PersonRef, Reply]]:
    """The alerts a process with ports for ``platforms`` would send now."""
    async with app.services.database().session() as session:
        return await due_mentor_alerts(
            session=session,
            kb=app.services.kb,
            registry=app.registry,
            now=clock.now(),
            default_timezone="Europe/Paris",
            platforms=platforms,
        )


def rendered(bot: ChatBot, reply: Reply) -> str:
    return bot.session.renderer.render(reply)


@pytest.fixture
async def watched(en: ChatBot) -> ChatBot:
    """bob mentors alice with alerts on (7 days without evidence)."""
    await link_up(en)
    await en.as_("bob").say("/mentor alerts user:@alice on:true days:7")
    return en.as_("alice")


async def test_no_alerts_without_opting_in(en: ChatBot, app: App, clock: FakeClock) -> None:
    await link_up(en)
    await en.as_("alice").say("/progress rate skill:security level:4")
    clock.advance(timedelta(hours=1))
    await en.say("/progress rate skill:security level:1")
    clock.advance(timedelta(days=30))
    assert await due(app, clock) == []


async def test_a_broken_streak_alerts_once(watched: ChatBot, app: App, clock: FakeClock) -> None:
    for _ in range(3):
        await watched.say("/progress log skill:security note:patched the VPN")
        clock.advance(timedelta(days=1))
    assert await due(app, clock) == []  # yesterday counted: the streak is alive
    clock.advance(timedelta(days=1))  # a whole local day without anything
    found = await due(app, clock)
    assert len(found) == 1
    mentor, reply = found[0]
    assert mentor == PersonRef("console", "local", "bob")
    text = rendered(watched, reply)
    assert "About @alice" in text and "3-day streak stopped on 2026-03-05" in text
    assert "Suggested agenda for your next one-on-one" in text
    assert reply.ephemeral and "/mentor alerts user:@alice on:false" in (reply.footer or "")
    assert await due(app, clock) == []  # once per period
    clock.advance(timedelta(hours=12))
    assert await due(app, clock) == []
    [recorded] = await rows(app, MentorAlert)
    assert (recorded.kind, recorded.period) == ("streak_broken", "2026-03-05")


async def test_a_short_streak_breaking_is_not_news(
    watched: ChatBot, app: App, clock: FakeClock
) -> None:
    await watched.say("/progress log skill:security note:patched the VPN")
    clock.advance(timedelta(days=3))
    assert await due(app, clock) == []


async def test_no_evidence_for_n_days_alerts_every_n_days(
    watched: ChatBot, app: App, clock: FakeClock
) -> None:
    await watched.say("/progress log skill:security note:patched the VPN")
    clock.advance(timedelta(days=6, hours=23))
    assert await due(app, clock) == []
    clock.advance(timedelta(hours=1))
    [(_, reply)] = await due(app, clock)
    assert "No evidence logged for 7 days (last one on 2026-03-02)" in rendered(watched, reply)
    clock.advance(timedelta(days=3))
    assert await due(app, clock) == []
    clock.advance(timedelta(days=4))
    [(_, again)] = await due(app, clock)
    assert "No evidence logged for 14 days" in rendered(watched, again)
    await watched.say("/progress log skill:security note:ran the audit")
    clock.advance(timedelta(days=1))
    assert await due(app, clock) == []


async def test_the_no_evidence_window_counts_from_the_link_when_nothing_was_logged(
    watched: ChatBot, app: App, clock: FakeClock
) -> None:
    clock.advance(timedelta(days=7))
    [(_, reply)] = await due(app, clock)
    assert "No evidence logged for 7 days (none so far)" in rendered(watched, reply)
    assert "Suggest they rate themselves" in rendered(watched, reply)


async def test_alerts_are_left_to_a_process_that_can_send_them(
    watched: ChatBot, app: App, clock: FakeClock
) -> None:
    clock.advance(timedelta(days=7))
    assert await due(app, clock, platforms=("discord", "slack")) == []
    assert await rows(app, MentorAlert) == []  # not recorded, so not lost
    [(mentor, _)] = await due(app, clock, platforms=("console", "slack"))
    assert mentor.user == "bob"


async def test_a_rating_down_alerts_with_an_agenda_from_the_largest_gaps(
    watched: ChatBot, app: App, clock: FakeClock, kb
) -> None:
    for skill, level in (("security", 4), ("budget", 1), ("leadership", 2), ("english", 5)):
        await watched.say(f"/progress rate skill:{skill} level:{level}")
    await watched.say("/progress log skill:budget note:built the budget")
    clock.advance(timedelta(days=1))
    assert await due(app, clock) == []
    await watched.say("/progress rate skill:security level:2")
    [(_, reply)] = await due(app, clock)
    text = rendered(watched, reply)
    assert "Rating down: IT security 4 → 2" in text
    agenda = next(b for b in reply.blocks if isinstance(b, Items) and b.heading)
    # gaps of 3 (the higher target first), then 2
    assert agenda.items[0].startswith("**Team leadership** — 2/5 (target 5)")
    assert agenda.items[1].startswith("**Budget management** — 1/5 (target 4)")
    assert agenda.items[2].startswith("**IT security** — 2/5")
    assert "Agree on one action" in agenda.items[-1]
    budget_tip = next(t for t in kb.tips if t.skill == "budget_management")
    assert budget_tip.question.en in plain(agenda.items[1])
    assert await due(app, clock) == []


async def test_alerts_speak_the_mentors_language(bot: ChatBot, app: App, clock: FakeClock) -> None:
    await link_up(bot)
    await bot.as_("bob").say("/mentor alerts user:@alice on:oui")
    clock.advance(timedelta(days=7))
    [(_, reply)] = await due(app, clock)
    assert reply.title == "Alerte mentorat"
    assert "Aucune preuve consignée depuis 7 jours" in rendered(bot, reply)


async def test_no_alerts_after_the_link_ends_or_alerts_are_off(
    watched: ChatBot, app: App, clock: FakeClock
) -> None:
    await watched.as_("bob").say("/mentor alerts user:@alice on:false")
    clock.advance(timedelta(days=8))
    assert await due(app, clock) == []
    await watched.say("/mentor alerts user:@alice on:true")
    await watched.as_("alice").say("/mentor end user:@bob")
    assert await due(app, clock) == []


async def test_each_mentor_gets_their_own_alert(
    watched: ChatBot, app: App, clock: FakeClock
) -> None:
    await link_up(watched, "alice", "carol")
    await watched.as_("carol").say("/mentor alerts user:@alice on:true days:3")
    clock.advance(timedelta(days=3))
    assert [m.user for m, _ in await due(app, clock)] == ["carol"]
    clock.advance(timedelta(days=2))
    assert await due(app, clock) == []
    clock.advance(timedelta(days=2))  # bob's 7 days, carol's second 3
    assert sorted(m.user for m, _ in await due(app, clock)) == ["bob", "carol"]


async def test_the_alert_names_the_learner_inertly(en: ChatBot, app: App, clock: FakeClock) -> None:
    await speak_english(en, "_al_ice_")
    await link_up(en, "_al_ice_", "bob")
    await en.as_("bob").say("/mentor alerts user:@_al_ice_ on:true")
    clock.advance(timedelta(days=7))
    [(_, reply)] = await due(app, clock)
    assert "About @_al_ice_:" in rendered(en, reply)
    block = reply.blocks[0]
    assert isinstance(block, Text) and block.markup == "About <@_al_ice_>:"  # a person, not markup
    assert "user:@_al_ice_ on:false" in (reply.footer or "")


async def test_each_learner_is_judged_on_their_own_history(
    watched: ChatBot, app: App, clock: FakeClock
) -> None:
    await link_up(watched, "carol", "bob")
    await watched.as_("bob").say("/mentor alerts user:@carol on:true days:7")
    for _ in range(7):
        await watched.as_("carol").say("/progress log skill:budget note:closed the books")
        clock.advance(timedelta(days=1))
    found = await due(app, clock)
    assert len(found) == 1
    text = rendered(watched, found[0][1])
    assert "About @alice" in text and "carol" not in text
