"""One scheduler tick: claim what is due, choose tips, send under the limits, record outcomes.

Each platform served here runs on its own (its own claims, queue and workers), so a
backlog on one never holds back another. The steps, each durable before the next starts:

1. claim (``claim.py``): up to what the platform can send within one lease, rows
   ``claimed`` by this process until ``claimed_until`` (the database's clock);
2. tips: each held row without a tip gets one, chosen once and stored;
3. compare-and-set right before the request: ``claimed`` -> ``sending`` only if this
   process still holds the row, its lease has not passed, and the subscription is still
   active, not failing and not paused that day (else the row is ``cancelled``);
4. send through the platform's ``DeliveryPort`` with the row's nonce;
5. record: ``sent``, ``failed`` (refused for good) or ``retry`` (later).

While it holds rows, the process renews all their leases with one UPDATE (the
heartbeat, at most every quarter of the lease; none when nothing is held). A crash leaves held
rows that any process takes over when their lease passes, with the same tip and nonce;
only the rows in ``sending`` at the crash can reach the learner twice, and platforms
that honour the nonce (Discord's ``enforce_nonce``) drop the copy. What is due depends
only on the ``now`` given to ``tick``.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from sqlalchemy import bindparam, case, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col
from sqlmodel import select as select_model

from coachbot.clock import Clock
from coachbot.db.models import Subscription
from coachbot.db.types import UTCDateTime
from coachbot.delivery import DeliveryPort, DeliveryTarget
from coachbot.knowledge.models import KnowledgeBase
from coachbot.observe import DeliveryDone
from coachbot.reply import Reply
from coachbot.scheduling.claim import SUB, ZERO, Claim, ClaimConfig, Planned, claim_batch
from coachbot.scheduling.ratelimit import HEADROOM
from coachbot.scheduling.retry import Result, Sender, SendOutcome
from coachbot.scheduling.states import (
    DELIVERY,
    HEARTBEAT_SHARE,
    LIVE,
    State,
    in_states,
    move,
    release,
    renew,
)

if TYPE_CHECKING:
    from coachbot.db.engine import Database
    from coachbot.services import Services

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
FAILURES_BEFORE_FAILING = 3
# A claim's size assumes every message opens a DM first (two requests): the worst case.
REQUESTS_PER_MESSAGE = 2
# At most this much of a platform's requests is started at once (see ``workers``).
QUEUED = timedelta(seconds=2)


class ChooseTip(Protocol):
    """``coachbot.prompts.compose.choose_tip_for``: the tip for a subscriber's next prompt."""

    def __call__(
        self, *, session: Any, services: Services, subscription: Subscription
    ) -> Awaitable[str]: ...


class ChooseTips(Protocol):
    """``coachbot.prompts.compose.choose_tips_for``: the tips for a batch of prompts, by
    subscription id, chosen together (the same choices ``ChooseTip`` makes one by one)."""

    def __call__(
        self, *, session: Any, services: Services, learners: Sequence[Planned]
    ) -> Awaitable[Mapping[int, str]]: ...


RenderPrompt = Callable[[KnowledgeBase, str, str, int], Reply]
StepHook = Callable[[str, Planned | None], None]


@dataclass(frozen=True)
class Composer:
    """How a prompt is made: which tip, and the Reply (with its buttons) that carries it.

    With ``choose_tips`` the pipeline chooses a whole batch's tips at once; ``choose_tip``
    is the fallback that keeps one learner's failure from holding back the others."""

    choose_tip: ChooseTip
    render: RenderPrompt
    choose_tips: ChooseTips | None = None


@dataclass
class TickReport:
    """What one tick did (for logs, tests and benchmarks)."""

    claimed: int = 0
    retried: int = 0
    missed: int = 0
    expired: int = 0
    already_handled: int = 0
    sent: int = 0
    failed: int = 0
    later: int = 0
    lost: int = 0  # held rows this process may no longer send (lease lost, or cancelled)
    released: int = 0  # held rows left unsent because the process is stopping

    def add_claim(self, claim: Claim) -> None:
        """Count one claim transaction."""
        self.claimed += len(claim.planned) - claim.retried
        self.retried += claim.retried
        self.missed += claim.missed
        self.expired += claim.expired
        self.already_handled += claim.already_handled

    def add_outcome(self, outcome: SendOutcome) -> None:
        """Count one send."""
        if outcome.result is Result.SENT:
            self.sent += 1
        elif outcome.result is Result.PERMANENT:
            self.failed += 1
        else:
            self.later += 1


@dataclass
class DeliveryPipeline:
    """Runs ticks for the platforms that have a port in this process."""

    db: Database
    services: Services
    ports: Mapping[str, DeliveryPort]
    composer: Composer
    sender: Sender
    clock: Clock
    config: ClaimConfig
    concurrency: int = 64
    on_step: StepHook | None = None
    in_flight: set[int] = field(default_factory=set)  # ids of the rows this process holds
    draining: bool = False  # stopping: no new claim, no new send
    unsent: set[int] = field(default_factory=set)  # ``sending`` rows stopped before a request
    _last_beat: datetime | None = None

    def _taking_work(self) -> bool:
        return not self.draining

    def drain(self) -> None:
        """Stop taking work: no further claim and no further send; a request already
        started finishes and is recorded. ``release`` then hands back the rest."""
        self.draining = True

    async def release(self) -> int:
        """Hand back every row this process holds and has not started sending, so the
        next process sends it at its first tick; returns how many."""
        async with self.db.engine.begin() as conn:
            now = self.config.lease_clock.at(ZERO, conn.dialect.name)
            unsent = sorted(self.unsent)
            statements = release(self.config.instance, now, unsent)
            handed = sum([(await conn.execute(s)).rowcount for s in statements])
        self.in_flight.clear()
        self.unsent.clear()
        self.services.observers.leases_held(0)
        if handed:
            log.info("stopping: %d held prompt(s) handed back to the next tick", handed)
        return int(handed or 0)

    async def tick(self, now: datetime) -> TickReport:
        """Deliver everything due at ``now``; returns when each claimed prompt was handled."""
        report = TickReport()
        if self.draining or not self.ports or not await self._anything_to_do(now):
            return report  # the usual tick: one query on two indexes, nothing due
        await self.heartbeat(force=True)
        async with asyncio.TaskGroup() as group:
            recorder = OutcomeRecorder(self.db, self.clock, self.config, group)
            gate = SendGate(self.db, self.config, group)
            for platform in sorted(self.ports):
                group.create_task(self._platform(platform, now, report, recorder, gate))
        return report

    async def _anything_to_do(self, now: datetime) -> bool:
        """Whether a subscription is due or a held row's lease has passed: one query, two
        index reads (``min`` of each index, with no parameter, so no generic plan can
        trade them for a scan)."""
        s, d = SUB.c, DELIVERY.c
        async with self.db.engine.connect() as conn:
            lease_ended = self.config.lease_clock.at(ZERO, conn.dialect.name)
            first_lease = select(func.min(d.claimed_until)).where(in_states(LIVE))
            query = select(
                select(func.min(s.next_due_at)).scalar_subquery(),
                first_lease.scalar_subquery() <= lease_ended,
            )
            first_due, expired = (await conn.execute(query)).one()
        return bool(expired) or (first_due is not None and first_due <= now)

    def budget(self, platform: str) -> int:
        """How many prompts of ``platform`` one claim takes: what its limiter lets this
        process send within one lease (every message counted as a new DM), at most
        ``batch_size``."""
        rate = self._rate(platform)
        if rate == float("inf"):
            return self.config.batch_size
        per_lease = rate * HEADROOM * self.config.lease.total_seconds() / REQUESTS_PER_MESSAGE
        return max(1, min(self.config.batch_size, int(per_lease)))

    def workers(self, platform: str, held: int) -> int:
        """How many sends of ``platform`` run at once: enough to keep its limiter busy, but
        no more than a few seconds of its requests (``QUEUED``), so each send's requests
        follow each other and a stopping process has little left started."""
        bound = self.concurrency if held <= 0 else min(self.concurrency, held)
        rate = self._rate(platform)
        if rate != float("inf"):
            bound = min(bound, math.ceil(rate * QUEUED.total_seconds() / REQUESTS_PER_MESSAGE))
        return max(1, bound)

    def _rate(self, platform: str) -> float:
        """The bot-wide rate of ``platform``, else its per-workspace one (Slack's: the pace
        of one workspace, the worst case); infinite when it declares none."""
        limits = self.sender.limiter.limits.get(platform)
        declared = (limits.bot, limits.workspace) if limits is not None else ()
        rates = [limit.rate for limit in declared if limit is not None]
        return rates[0] if rates else float("inf")

    async def _platform(
        self,
        platform: str,
        now: datetime,
        report: TickReport,
        recorder: OutcomeRecorder,
        gate: SendGate,
    ) -> None:
        """Claim and send what is due on ``platform``, a lease's worth at a time."""
        limit = self.budget(platform)
        claim = await self._claim(platform, now, limit, report)
        if not claim.planned and not claim.more:
            return
        workers = self.workers(platform, 0 if claim.more else len(claim.planned))
        queue: asyncio.Queue[Planned | None] = asyncio.Queue(maxsize=workers)
        async with asyncio.TaskGroup() as group:
            for _ in range(workers):
                group.create_task(self._worker(queue, recorder, gate, report))
            await self._produce(queue, claim, platform, now, limit, report)
            for _ in range(workers):  # one stop sign each
                await queue.put(None)

    async def _claim(self, platform: str, now: datetime, limit: int, report: TickReport) -> Claim:
        """One claim transaction, committed before anything is sent."""
        claim = await finish(self._claim_transaction(platform, now, limit))
        if claim.planned:  # fresh leases, as good as a heartbeat: none due for a while
            self._last_beat = self.clock.now()
        self.in_flight.update(p.delivery_id for p in claim.planned)
        self.services.observers.leases_held(len(self.in_flight))
        report.add_claim(claim)
        self._step("claimed")
        return claim

    async def _claim_transaction(self, platform: str, now: datetime, limit: int) -> Claim:
        async with self.db.engine.begin() as conn:
            claim = await claim_batch(
                conn, now=now, config=self.config, platform=platform, limit=limit
            )
            self._step("claim-written")  # not committed yet: a crash here undoes the claim
        return claim

    async def _produce(
        self,
        queue: asyncio.Queue[Planned | None],
        claim: Claim,
        platform: str,
        now: datetime,
        limit: int,
        report: TickReport,
    ) -> None:
        """Feed the workers claim after claim until one comes back short; the queue is
        short, so the next claim waits until the workers took nearly all of this one."""
        while True:
            for planned in await self._with_tips(claim.planned):
                await queue.put(planned)
            if not claim.more or self.draining:
                return
            now = max(now, self.clock.now())  # a long tick claims later batches at their time
            claim = await self._claim(platform, now, limit, report)

    async def _worker(
        self,
        queue: asyncio.Queue[Planned | None],
        recorder: OutcomeRecorder,
        gate: SendGate,
        report: TickReport,
    ) -> None:
        while (planned := await queue.get()) is not None:
            if self.draining:  # left claimed: ``release`` hands it back
                report.released += 1
                continue
            try:
                outcome = await self._deliver(planned, gate)
                if outcome is None:  # not ours to send any more
                    report.lost += 1
                    continue
                if outcome.held and self.draining:  # no request made: ``release`` hands it back
                    self.unsent.add(planned.delivery_id)
                    report.released += 1
                    continue
                await recorder.record(planned, outcome)
                if outcome.result is Result.PERMANENT:  # may have marked a subscription failing
                    self.services.pending_notices.changed()
                report.add_outcome(outcome)
                self._observe(planned, outcome)
                self._step("recorded", planned)
            except Exception:
                log.exception(
                    "delivery %s: could not record; it will be retried", planned.delivery_id
                )
            finally:
                self.in_flight.discard(planned.delivery_id)
                self.services.observers.leases_held(len(self.in_flight))

    async def _deliver(self, planned: Planned, gate: SendGate) -> SendOutcome | None:
        """Send one held prompt; None when the compare-and-set says it is not ours to send."""
        if not planned.tip_id:
            return SendOutcome(Result.LATER, 0, error="no tip could be chosen")
        try:
            reply = self.composer.render(
                self.services.kb, planned.tip_id, planned.language, planned.delivery_id
            )
        except Exception as exc:
            log.exception("delivery %s: cannot render tip %s", planned.delivery_id, planned.tip_id)
            return SendOutcome(Result.LATER, 0, error=f"render: {exc}"[:200])
        await self.heartbeat()
        # The compare-and-set comes before the limiter's wait, not between it and the
        # request: a database round trip there would bunch requests the limiter spaced.
        # From here the row is ``sending`` and renewed by the heartbeat like the others.
        if not await gate.start(planned.delivery_id):
            return None
        self._step("sending", planned)
        target = DeliveryTarget(planned.person, planned.channel)
        port = self.ports[planned.platform]
        # The heartbeat again before each request: a long run of 429s or 5xx keeps the lease.
        outcome = await self.sender.send(
            port, target, reply, planned.nonce, self.heartbeat, proceed=self._taking_work
        )
        self._step("sent", planned)  # a crash from here to "recorded" is the duplicate window
        return outcome

    async def _with_tips(self, planned: list[Planned]) -> list[Planned]:
        """Choose and store the tip of every held row that has none yet."""
        need = [p for p in planned if not p.tip_id]
        if not need:
            return planned
        try:
            tips = await finish(self._choose_tips(need))
        except Exception:  # they go on without a tip: the workers leave them for a later tick
            log.exception("choosing tips failed; these prompts will be retried")
            return planned
        self._step("tips")
        return [replace(p, tip_id=tips.get(p.delivery_id, p.tip_id)) for p in planned]

    async def _choose_tips(self, need: list[Planned]) -> dict[int, str]:
        """Tips by delivery id, stored on their rows in the same transaction (only on rows
        still ``claimed`` without a tip: a row ``/coach tip`` took over keeps its own)."""
        async with self.db.session() as session:
            tips = await self._choose_together(session, need)
            if tips is None:
                tips = await self._choose_one_by_one(session, need)
            await store_tips(await session.connection(), tips)
        return tips

    async def _choose_together(self, session: Any, need: list[Planned]) -> dict[int, str] | None:
        """The batch's tips in one go; None when it cannot (no batch chooser, or it failed)."""
        if self.composer.choose_tips is None:
            return None
        try:
            by_sub = await self.composer.choose_tips(
                session=session, services=self.services, learners=need
            )
        except Exception:
            log.exception("choosing %s tips together failed; choosing one by one", len(need))
            return None
        return {
            p.delivery_id: by_sub[p.subscription_id] for p in need if p.subscription_id in by_sub
        }

    async def _choose_one_by_one(self, session: Any, need: list[Planned]) -> dict[int, str]:
        """Each prompt's tip on its own: one that fails waits for a later tick."""
        ids = [p.subscription_id for p in need]
        query = select_model(Subscription).where(col(Subscription.id).in_(ids))
        subs = {s.id: s for s in (await session.exec(query)).all()}
        tips = {}
        for p in need:
            try:
                tips[p.delivery_id] = await self.composer.choose_tip(
                    session=session, services=self.services, subscription=subs[p.subscription_id]
                )
            except Exception:
                log.exception("no tip for subscription %s; retried later", p.subscription_id)
        return tips

    async def heartbeat(self, *, force: bool = False) -> None:
        """Renew the lease of every row this process holds, in one UPDATE, at most every
        quarter of the lease (unless ``force``); nothing at all when it holds nothing."""
        if not self.in_flight:
            return
        now = self.clock.now()
        beat = self.config.lease * HEARTBEAT_SHARE
        if not force and self._last_beat is not None and now - self._last_beat < beat:
            return
        self._last_beat = now
        await finish(self._renew())

    async def _renew(self) -> None:
        async with self.db.engine.begin() as conn:
            until = self.config.lease_clock.at(self.config.lease, conn.dialect.name)
            await conn.execute(renew(self.config.instance, until))

    def _observe(self, planned: Planned, outcome: SendOutcome) -> None:
        """Tell the observers (metrics) how a recorded send ended, and how late it was."""
        sent = outcome.result is Result.SENT
        lag = (self.clock.now() - planned.due_at).total_seconds() if sent else None
        event = DeliveryDone(planned.platform, outcome.result.value, outcome.attempts, lag)
        self.services.observers.delivery_done(event)

    def _step(self, name: str, planned: Planned | None = None) -> None:
        if self.on_step is not None:
            self.on_step(name, planned)


async def finish(work: Awaitable[T]) -> T:
    """Await ``work`` to its end even if we are cancelled meanwhile, however many times (at
    shutdown the scheduler and asyncio both cancel), then let the cancellation through: a
    transaction is committed or rolled back, never cut off half-way (which would leave
    its connection to be torn down) nor left open holding locks."""
    task = asyncio.ensure_future(work)
    cancelled: asyncio.CancelledError | None = None
    while not task.done():
        try:
            await asyncio.wait({task})  # unlike gather, never cancels the task
        except asyncio.CancelledError as exc:
            cancelled = exc
    if cancelled is not None:
        if not task.cancelled():
            task.exception()  # retrieved: the cancellation wins
        raise cancelled
    return task.result()


class GroupCommit(Generic[T, R]):
    """Group commit: while one transaction is being written, every item that arrives waits
    for the next one, so a slow platform costs one transaction per message and a fast one
    far fewer. ``write`` returns one result per item, in order."""

    def __init__(self, db: Database, group: asyncio.TaskGroup) -> None:
        self.db, self.group = db, group
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """Return ``item``'s result once its transaction is committed; raise if it failed."""
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, done))
        if self._writer is None or self._writer.done():
            self._writer = self.group.create_task(self._write_all())
        return await done

    async def _write_all(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                results = await finish(self._transaction([item for item, _ in batch]))
            except Exception as exc:
                for _, done in batch:
                    done.set_exception(exc)
            else:
                for (_, done), result in zip(batch, results, strict=True):
                    done.set_result(result)

    async def _transaction(self, items: list[T]) -> list[R]:
        async with self.db.engine.begin() as conn:
            return await self.write(conn, items)

    async def write(self, conn: AsyncConnection, items: list[T]) -> list[R]:
        """Apply ``items`` in the open transaction ``conn``."""
        raise NotImplementedError


class SendGate(GroupCommit[int, bool]):
    """The compare-and-set right before a send (see ``start_sending``)."""

    def __init__(self, db: Database, config: ClaimConfig, group: asyncio.TaskGroup) -> None:
        super().__init__(db, group)
        self.config = config

    async def start(self, delivery_id: int) -> bool:
        """Whether this process may send the row now (it is then ``sending``)."""
        return await self.submit(delivery_id)

    async def write(self, conn: AsyncConnection, items: list[int]) -> list[bool]:
        """One UPDATE for the rows asked for together; those refused because the learner
        stopped or paused are cancelled (one more UPDATE, only then)."""
        dialect = conn.dialect.name
        now = self.config.lease_clock.at(ZERO, dialect)
        until = self.config.lease_clock.at(self.config.lease, dialect)
        moved = start_sending(items, self.config.instance, now, until)
        started = set((await conn.execute(moved)).scalars())
        refused = [i for i in items if i not in started]
        if refused:
            await conn.execute(cancel_unwanted(refused, self.config.instance))
        return [i in started for i in items]


class OutcomeRecorder(GroupCommit[tuple[Planned, SendOutcome], None]):
    """Writes outcomes with group commit."""

    def __init__(
        self, db: Database, clock: Clock, config: ClaimConfig, group: asyncio.TaskGroup
    ) -> None:
        super().__init__(db, group)
        self.clock, self.config = clock, config

    async def record(self, planned: Planned, outcome: SendOutcome) -> None:
        """Return once ``outcome`` is committed; raise if its transaction failed."""
        await self.submit((planned, outcome))

    async def write(
        self, conn: AsyncConnection, items: list[tuple[Planned, SendOutcome]]
    ) -> list[None]:
        """Apply the outcomes to their rows and subscriptions."""
        await write_outcomes(conn, items, self.clock.now(), self.config)
        return [None] * len(items)


def wanted() -> Any:
    """SQL: the delivery row's subscription still wants it sent (active, not failing, not
    paused on the row's local day)."""
    s, d = SUB.c, DELIVERY.c
    return (
        exists()
        .where(
            s.id == d.subscription_id,
            s.active.is_(True),
            s.failing.is_(False),
            or_(s.paused_until.is_(None), s.paused_until < d.local_date),
        )
        .correlate(DELIVERY)
    )


def start_sending(ids: list[int], instance: str, now: Any, until: Any) -> Any:
    """``claimed`` -> ``sending`` for the rows of ``ids`` this process still holds, whose
    lease has not passed and that are still wanted, each then held ``until`` (a whole lease
    for the request and its outcome, however little was left); returns the ids it moved."""
    d = DELIVERY.c
    held = (d.id.in_(ids), d.claimed_by == instance, d.claimed_until > now, wanted())
    return move((State.CLAIMED,), State.SENDING, *held, claimed_until=until).returning(d.id)


def cancel_unwanted(ids: list[int], instance: str) -> Any:
    """Held rows of ``ids`` whose learner stopped or paused their tips: ``cancelled``."""
    d = DELIVERY.c
    return move(
        (State.CLAIMED,), State.CANCELLED, d.id.in_(ids), d.claimed_by == instance, ~wanted()
    )


async def store_tips(conn: AsyncConnection, tips: dict[int, str]) -> None:
    """``tip_id`` of each delivery id of ``tips``, on rows still ``claimed`` without one."""
    if not tips:
        return
    d = DELIVERY.c
    stmt = (
        update(DELIVERY)
        .where(d.id == bindparam("t_id"), d.status == State.CLAIMED.value, d.tip_id == "")
        .values(tip_id=bindparam("t_tip"))
    )
    await conn.execute(stmt, [{"t_id": i, "t_tip": tip} for i, tip in tips.items()])


async def write_outcomes(
    conn: AsyncConnection,
    batch: list[tuple[Planned, SendOutcome]],
    now: datetime,
    config: ClaimConfig,
) -> None:
    """Apply a batch of outcomes to their delivery rows and subscriptions."""
    by_result: dict[Result, list[dict[str, Any]]] = {}
    subs: dict[Result, list[dict[str, Any]]] = {}
    for planned, outcome in batch:
        by_result.setdefault(outcome.result, []).append(_delivery_params(planned, outcome, now))
        if outcome.result is not Result.LATER:
            subs.setdefault(outcome.result, []).append({"s_id": planned.subscription_id})
    statements = _statements()
    retry_until = config.lease_clock.at(config.lease, conn.dialect.name)
    for result, params in by_result.items():
        statement = statements.delivery[result]
        if result is Result.LATER:
            statement = statement.values(claimed_until=retry_until)
        await conn.execute(statement, params)
    if Result.SENT in subs:
        await conn.execute(statements.success, subs[Result.SENT])
    if Result.PERMANENT in subs:
        await conn.execute(statements.failure, subs[Result.PERMANENT])


def _delivery_params(planned: Planned, outcome: SendOutcome, now: datetime) -> dict[str, Any]:
    sent = outcome.result is Result.SENT
    return {
        "d_id": planned.delivery_id,
        "d_attempts": planned.attempts + outcome.attempts,
        "d_sent_at": now if sent else None,
        "d_message_id": outcome.message_id,
        "d_error": outcome.error,
    }


@dataclass(frozen=True)
class _Statements:
    delivery: dict[Result, Any]
    success: Any
    failure: Any


@cache
def _statements() -> _Statements:
    """The executemany UPDATEs that record outcomes (built once, on first use). A ``sent``
    is recorded whoever holds the row now: the learner has the message, and a process
    that took the row over must not send it again."""
    d, s = DELIVERY.c, SUB.c
    values = {
        "attempts": bindparam("d_attempts"),
        "sent_at": bindparam("d_sent_at", type_=UTCDateTime()),
        "message_id": bindparam("d_message_id"),
        "error": bindparam("d_error"),
    }
    row = d.id == bindparam("d_id")
    sent_from = (State.SENDING, State.CLAIMED, State.RETRY)
    delivery = {
        Result.SENT: move(sent_from, State.SENT, row, **values),
        Result.PERMANENT: move((State.SENDING,), State.FAILED, row, **values),
        Result.LATER: move((State.CLAIMED, State.SENDING), State.RETRY, row, **values),
    }
    success = update(SUB).where(s.id == bindparam("s_id")).values(consecutive_failures=0)
    failing = s.consecutive_failures + 1 >= FAILURES_BEFORE_FAILING
    failure = (
        update(SUB)
        .where(s.id == bindparam("s_id"))
        .values(
            consecutive_failures=s.consecutive_failures + 1,
            failing=case((failing, True), else_=s.failing),
            failing_notified=case((failing & ~s.failing, False), else_=s.failing_notified),
            next_due_at=case((failing, None), else_=s.next_due_at),
        )
    )
    return _Statements(delivery, success, failure)
