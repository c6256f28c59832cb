"""Tips chosen for a whole batch of prompts at once make the same choices as one by one, and
a learner whose choice fails never holds back the others."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from coachbot.app import App
from coachbot.clock import FakeClock
from coachbot.db.models import Delivery, Goal, Rating, Subscription
from coachbot.knowledge.models import KnowledgeBase, Skill, Tip
from coachbot.prompts.compose import choose_tip_for, choose_tips_for, prompt_reply
from coachbot.prompts.selection import (
    EASY_WINDOW,
    FOCUS,
    HARD_REST,
    HARDER,
    REVISIT,
    SKIP,
    SKIP_WINDOW,
    SLOT,
    TOO_EASY,
    TOO_HARD,
    WEAKEST,
    Catalog,
    LearnerState,
    Served,
)
from coachbot.scheduling.pipeline import Composer
from tests.delivery_fakes import FakePlatform, deliveries, pipeline, subscribe_many

MONDAY_0730_UTC = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
FEEDBACK = (None, None, "done", "skip", "too_easy", "too_hard")


async def test_a_batch_gets_the_tips_each_learner_would_get_alone(
    app: App, clock: FakeClock, kb: KnowledgeBase
) -> None:
    sids = await subscribe_many(app, [f"u{i}" for i in range(40)], now=clock.now())
    await give_pasts(app, sids, kb, random.Random(4))
    async with app.services.database().session() as session:
        subs = [await session.get(Subscription, sid) for sid in sids]
        alone = {
            s.id: await choose_tip_for(session=session, services=app.services, subscription=s)
            for s in subs
            if s is not None
        }
        learners = [Learner(s.id, s.person_id, s.local_time) for s in subs if s and s.id]
        together = await choose_tips_for(session=session, services=app.services, learners=learners)
    assert together == alone
    assert len(set(alone.values())) > 10  # the pasts differ, and so do the choices


async def test_the_pipeline_chooses_a_batch_together_and_sends_each_its_tip(
    app: App, clock: FakeClock, kb: KnowledgeBase
) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    sids = await subscribe_many(app, [f"u{i}" for i in range(12)], now=clock.now())
    await give_pasts(app, sids, kb, random.Random(9))
    expected = await tips_alone(app, sids)
    calls: list[int] = []

    async def together(*, session, services, learners):  # type: ignore[no-untyped-def]
        calls.append(len(learners))
        return await choose_tips_for(session=session, services=services, learners=learners)

    pipe = pipeline(app, clock, FakePlatform())
    pipe.composer = Composer(refuse, prompt_reply, together)
    clock.set(MONDAY_0730_UTC)
    assert (await pipe.tick(clock.now())).sent == 12
    assert calls == [12]  # one call for the batch, never the one-by-one chooser
    today = {r.subscription_id: r.tip_id for r in await deliveries(app) if r.status == "sent"}
    assert today == expected


async def test_when_the_batch_fails_each_learner_is_chosen_alone(
    app: App, clock: FakeClock
) -> None:
    clock.set(MONDAY_0730_UTC - timedelta(hours=1))
    sids = await subscribe_many(app, ["alice", "bob", "carol"], now=clock.now())
    poisoned = sids[1]

    async def broken_batch(*, session, services, learners):  # type: ignore[no-untyped-def]
        raise RuntimeError("bob's data breaks the batch")

    async def one(*, session, services, subscription):  # type: ignore[no-untyped-def]
        if subscription.id == poisoned:
            raise RuntimeError("bob's data")
        return kb_tip(services)

    platform = FakePlatform()
    pipe = pipeline(app, clock, platform)
    pipe.composer = Composer(one, prompt_reply, broken_batch)
    clock.set(MONDAY_0730_UTC)
    report = await pipe.tick(clock.now())
    assert (report.sent, report.later) == (2, 1)
    assert sorted(m.target.person.user for m in platform.messages) == ["alice", "carol"]
    [bobs] = [r for r in await deliveries(app) if r.subscription_id == poisoned]
    assert (bobs.status, bobs.tip_id) == ("retry", "")  # kept for a later tick


@settings(max_examples=150, deadline=None)
@given(
    history=st.lists(
        st.tuples(st.integers(0, 12), st.sampled_from(FEEDBACK)), min_size=0, max_size=40
    ),
    focus=st.sampled_from([None, "security", "cloud", "vision", "gone"]),
    weakest=st.lists(st.sampled_from(["security", "cloud", "hiring", "budget", "vision"])),
    slot=st.sampled_from([None, "team_sync", "morning"]),
    seed=st.integers(0, 10_000),
)
def test_the_catalog_chooses_as_the_rules_say(
    history: list[tuple[int, str | None]],
    focus: str | None,
    weakest: list[str],
    slot: str | None,
    seed: int,
) -> None:
    served = tuple(Served(TIPS[i].id if i < len(TIPS) else f"old-{i}", f) for i, f in history)
    state = LearnerState(served, focus, tuple(weakest), slot, seed)
    assert Catalog.of(TIPS, SKILLS).choose(state) == reference_choice(TIPS, SKILLS, state)


# --- helpers -------------------------------------------------------------------------


class Learner:
    def __init__(self, subscription_id: int, person_id: int, local_time: str) -> None:
        self.subscription_id, self.person_id, self.local_time = (
            subscription_id,
            person_id,
            local_time,
        )


async def refuse(*, session, services, subscription) -> str:  # type: ignore[no-untyped-def]
    raise AssertionError("the batch chooser should have been used")


def kb_tip(services) -> str:  # type: ignore[no-untyped-def]
    return str(services.kb.tips[0].id)


async def give_pasts(app: App, sids: list[int], kb: KnowledgeBase, rng: random.Random) -> None:
    """Each subscriber gets a past of prompts (some with feedback, some missed or failed),
    ratings (some rated twice) and maybe goals (some inactive)."""
    tips, skills = [t.id for t in kb.tips], list(kb.skills)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    async with app.services.database().session() as session:
        for sid in sids:
            sub = await session.get(Subscription, sid)
            assert sub is not None
            person = sub.person_id
            for day in range(rng.randrange(0, 90)):
                status = rng.choice(("sent", "sent", "sent", "claimed", "missed", "failed"))
                session.add(
                    Delivery(
                        subscription_id=sid,
                        person_id=person,
                        local_date=date(2025, 11, 1) + timedelta(days=day),
                        tip_id=rng.choice(tips) if status != "missed" else "",
                        status=status,
                        nonce="n",
                        due_at=at,
                        feedback=rng.choice(FEEDBACK),
                    )
                )
            for skill in rng.sample(skills, rng.randrange(0, 8)):
                for level in rng.sample(range(6), rng.randrange(1, 3)):
                    session.add(
                        Rating(person_id=person, skill_id=skill, level=level, created_at=at)
                    )
            for active in rng.sample((True, False, True), rng.randrange(0, 3)):
                skill = rng.choice(skills)
                session.add(
                    Goal(
                        person_id=person,
                        skill_id=skill,
                        target_level=4,
                        created_at=at,
                        active=active,
                    )
                )


async def tips_alone(app: App, sids: list[int]) -> dict[int, str]:
    async with app.services.database().session() as session:
        out = {}
        for sid in sids:
            sub = await session.get(Subscription, sid)
            assert sub is not None
            out[sid] = await choose_tip_for(
                session=session, services=app.services, subscription=sub
            )
        return out


def tip(tip_id: str, skill: str, category: str = "technical", slot: str | None = None) -> Tip:
    return Tip(tip_id, skill, category, slot, (), None, None, None)  # type: ignore[arg-type]


def skill(skill_id: str, target: int) -> Skill:
    return Skill(skill_id, "technical", target, (), None, None)  # type: ignore[arg-type]


SKILLS = {
    s.id: s
    for s in (
        skill("security", 4),
        skill("cloud", 3),
        skill("hiring", 3),
        skill("budget", 2),
        skill("vision", 5),
    )
}
TIPS = (
    tip("sec-1", "security"),
    tip("sec-2", "security", slot="morning"),
    tip("cloud-1", "cloud"),
    tip("cloud-2", "cloud", slot="team_sync"),
    tip("hire-1", "hiring", "managerial"),
    tip("hire-2", "hiring", "managerial", "team_sync"),
    tip("budget-1", "budget", "managerial"),
    tip("vision-1", "vision", "strategic"),
    tip("vision-2", "vision", "strategic", "morning"),
    tip("listen-1", "listening", "soft"),
    tip("listen-2", "listening", "soft"),
)


def reference_choice(tips: tuple[Tip, ...], skills: dict[str, Skill], state: LearnerState) -> Tip:
    """The selection rules written out plainly, one tip at a time (the module docstring)."""
    by_id = {t.id: t for t in tips}
    served = [by_id[s.tip_id] for s in state.history if s.tip_id in by_id]
    seen: set[str] = set()
    for t in served:
        seen.add(t.id)
        if seen >= set(by_id):
            seen = set()
    candidates = [t for t in tips if t.id not in seen]
    if served:
        candidates = [t for t in candidates if t.category != served[-1].category] or candidates
    latest: dict[str, tuple[str | None, int]] = {}
    for age, item in enumerate(reversed(state.history)):
        if item.tip_id in by_id and by_id[item.tip_id].skill not in latest:
            latest[by_id[item.tip_id].skill] = (item.feedback, age)

    def score(t: Tip) -> int:
        value = FOCUS if t.skill == state.focus_skill else 0
        value += dict(zip(state.weakest, WEAKEST, strict=False)).get(t.skill, 0)
        value += SLOT if state.slot is not None and t.slot == state.slot else 0
        feedback, age = latest.get(t.skill, (None, 0))
        if feedback == "skip" and age < SKIP_WINDOW:
            value += SKIP
        elif feedback == "too_easy" and age < EASY_WINDOW:
            value += TOO_EASY
        elif feedback == "too_hard":
            value += TOO_HARD if age < HARD_REST else REVISIT
        easy = [
            skills[s].target
            for s, (f, a) in latest.items()
            if f == "too_easy" and a < EASY_WINDOW and s in skills
        ]
        if t.skill in skills and any(skills[t.skill].target > e for e in easy):
            value += HARDER
        return value

    def tie(t: Tip) -> int:
        digest = hashlib.blake2b(f"{state.seed}:{t.id}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big")

    return max(candidates, key=lambda t: (score(t), -tie(t), t.id))
