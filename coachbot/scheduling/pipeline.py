"""One scheduler tick: claim what is due, choose tips, send under the limits, record outcomes.

The steps, each durable before the next starts:

1. claim (one transaction per batch, see ``claim.py``): delivery rows ``claimed``;
2. tips: each claimed row gets its tip id, chosen once and stored;
3. send through the platform's ``DeliveryPort`` with the row's nonce;
4. record: the row becomes ``sent`` (or ``failed``) and ``next_due_at`` moves on.

A crash between any two steps leaves ``claimed`` rows that come due again when their lease
ends; they are then sent with the same tip and nonce. Only a crash between 3 and 4 can
show a prompt twice, and platforms that honour the nonce (Discord's ``enforce_nonce``)
drop the second copy. What is due depends only on the ``now`` given to ``tick``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import bindparam, case, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from coachbot.clock import Clock
from coachbot.db.models import Subscription
from coachbot.db.types import UTCDateTime
from coachbot.delivery import DeliveryPort, DeliveryTarget
from coachbot.knowledge.models import KnowledgeBase
from coachbot.observe import DeliveryDone
from coachbot.reply import Reply
from coachbot.scheduling.bulk import renew_lease, store_tips
from coachbot.scheduling.claim import DELIVERY, SUB, Claim, ClaimConfig, Lease, Planned, claim_batch
from coachbot.scheduling.retry import Result, Sender, SendOutcome

if TYPE_CHECKING:
    from coachbot.db.engine import Database
    from coachbot.services import Services

log = logging.getLogger(__name__)
T = TypeVar("T")
FAILURES_BEFORE_FAILING = 3


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
    already_handled: int = 0
    sent: int = 0
    failed: int = 0
    later: int = 0

    def add_claim(self, claim: Claim) -> None:
        """Count one claim transaction."""
        self.claimed += len(claim.planned) - claim.retried
        self.retried += claim.retried
        self.missed += claim.missed
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
    in_flight: set[int] = field(default_factory=set)

    async def tick(self, now: datetime) -> TickReport:
        """Deliver everything due at ``now``; returns when each claimed prompt was handled."""
        report = TickReport()
        if not self.ports:
            return report
        skipped: set[int] = set()  # due here but served by another process
        claim = await self._claim(now, report, skipped)
        if not claim.planned and not claim.more:
            return report  # the usual tick: one indexed query, nothing due
        queue: asyncio.Queue[Planned | None] = asyncio.Queue(maxsize=self.config.batch_size)
        workers = self.concurrency if claim.more else min(self.concurrency, len(claim.planned))
        async with asyncio.TaskGroup() as group:
            recorder = OutcomeRecorder(self.db, self.clock, group)
            for _ in range(workers):
                group.create_task(self._worker(queue, recorder, report))
            await self._produce(queue, claim, now, report, skipped)
            for _ in range(workers):  # one stop sign each
                await queue.put(None)
        return report

    async def _claim(self, now: datetime, report: TickReport, skipped: set[int]) -> Claim:
        """One claim transaction, committed before anything is sent."""
        claim = await finish(self._claim_transaction(now, skipped))
        self.in_flight.update(p.delivery_id for p in claim.planned)
        self.services.observers.leases_held(len(self.in_flight))
        report.add_claim(claim)
        self._step("claimed")
        return claim

    async def _claim_transaction(self, now: datetime, skipped: set[int]) -> Claim:
        async with self.db.engine.begin() as conn:
            claim = await claim_batch(
                conn, now=now, config=self.config, in_flight=self.in_flight, skipped=skipped
            )
            self._step("claim-written")  # not committed yet: a crash here undoes the claim
        return claim

    async def _produce(
        self,
        queue: asyncio.Queue[Planned | None],
        claim: Claim,
        now: datetime,
        report: TickReport,
        skipped: set[int],
    ) -> None:
        """Feed the workers batch after batch until a claim comes back short."""
        while True:
            for planned in await self._with_tips(claim.planned):
                await queue.put(planned)
            if not claim.more:
                return
            now = max(now, self.clock.now())  # a long tick claims later batches at their time
            claim = await self._claim(now, report, skipped)

    async def _worker(
        self, queue: asyncio.Queue[Planned | None], recorder: OutcomeRecorder, report: TickReport
    ) -> None:
        while (planned := await queue.get()) is not None:
            try:
                outcome = await self._deliver(planned)
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

    async def _deliver(self, planned: Planned) -> SendOutcome:
        if not planned.tip_id:
            return SendOutcome(Result.LATER, 0, error="no tip could be chosen")
        try:
            reply = self.composer.render(
                self.services.kb, planned.tip_id, planned.language, planned.delivery_id
            )
        except Exception as exc:
            log.exception("delivery %s: cannot render tip %s", planned.delivery_id, planned.tip_id)
            return SendOutcome(Result.LATER, 0, error=f"render: {exc}"[:200])
        self._step("sending", planned)
        target = DeliveryTarget(planned.person, planned.channel)
        port = self.ports[planned.platform]
        outcome = await self.sender.send(
            port, target, reply, planned.nonce, lambda: self._renew(planned.lease)
        )
        self._step("sent", planned)  # a crash from here to "recorded" is the duplicate window
        return outcome

    async def _with_tips(self, planned: list[Planned]) -> list[Planned]:
        """Choose and store the tip of every claimed row that has none yet."""
        need = [p for p in planned if not p.tip_id]
        if not need:
            return planned
        try:
            tips = await finish(self._choose_tips(need))
        except Exception:  # they go on without a tip: the workers leave them for a later tick
            log.exception("choosing tips failed; these prompts will be retried")
            return planned
        self._step("tips")
        return [p._replace(tip_id=tips.get(p.delivery_id, p.tip_id)) for p in planned]

    async def _choose_tips(self, need: list[Planned]) -> dict[int, str]:
        """Tips by delivery id, stored on their rows in the same transaction."""
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
        query = select(Subscription).where(col(Subscription.id).in_(ids))
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

    async def _renew(self, lease: Lease) -> None:
        """Push the lease marker forward while this process still holds the batch's prompts
        (before each request, once the lease is half gone)."""
        async with lease.lock:  # one renewal per batch at a time
            now = self.clock.now()
            if lease.marker - now > self.config.lease / 2:
                return
            marker = now + self.config.lease
            await finish(self._move_lease(lease, marker))
            lease.marker = marker

    async def _move_lease(self, lease: Lease, marker: datetime) -> None:
        async with self.db.engine.begin() as conn:
            await renew_lease(conn, lease.subscription_ids, lease.marker, marker)

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


class OutcomeRecorder:
    """Writes outcomes with group commit: while one transaction is being written, every
    outcome that arrives waits for the next one, so a slow platform costs one commit per
    message and a fast one far fewer."""

    def __init__(self, db: Database, clock: Clock, group: asyncio.TaskGroup) -> None:
        self.db, self.clock, self.group = db, clock, group
        self._pending: list[tuple[Planned, SendOutcome, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, planned: Planned, outcome: SendOutcome) -> None:
        """Return once ``outcome`` is committed; raise if its transaction failed."""
        done = asyncio.get_running_loop().create_future()
        self._pending.append((planned, outcome, done))
        if self._writer is None or self._writer.done():
            self._writer = self.group.create_task(self._write_all())
        await done

    async def _write_all(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await finish(self._write([(p, o) for p, o, _ in batch]))
            except Exception as exc:
                for _, _, done in batch:
                    done.set_exception(exc)
            else:
                for _, _, done in batch:
                    done.set_result(None)

    async def _write(self, batch: list[tuple[Planned, SendOutcome]]) -> None:
        async with self.db.engine.begin() as conn:
            await write_outcomes(conn, batch, self.clock.now())


async def write_outcomes(
    conn: AsyncConnection, batch: list[tuple[Planned, SendOutcome]], now: datetime
) -> None:
    """Apply a batch of outcomes to their delivery rows and subscriptions."""
    deliveries: list[dict[str, Any]] = []
    successes: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for planned, outcome in batch:
        deliveries.append(_delivery_params(planned, outcome, now))
        if outcome.result is not Result.LATER:
            sub = {
                "s_id": planned.subscription_id,
                "s_marker": planned.lease.marker,
                "s_following": planned.following,
            }
            (successes if outcome.result is Result.SENT else failures).append(sub)
    delivery_update, success_update, failure_update = _statements()
    await conn.execute(delivery_update, deliveries)
    if successes:
        await conn.execute(success_update, successes)
    if failures:
        await conn.execute(failure_update, failures)


def _delivery_params(planned: Planned, outcome: SendOutcome, now: datetime) -> dict[str, Any]:
    sent = outcome.result is Result.SENT
    status = {Result.SENT: "sent", Result.PERMANENT: "failed", Result.LATER: "claimed"}
    return {
        "d_id": planned.delivery_id,
        "d_status": status[outcome.result],
        "d_attempts": planned.attempts + outcome.attempts,
        "d_sent_at": now if sent else None,
        "d_message_id": outcome.message_id,
        "d_error": outcome.error,
    }


@cache
def _statements() -> tuple[Any, Any, Any]:
    """The three executemany UPDATEs that record outcomes (built once, on first use)."""
    d, s = DELIVERY.c, SUB.c
    marker = bindparam("s_marker", type_=UTCDateTime())
    following = bindparam("s_following", type_=UTCDateTime())
    delivery = (
        update(DELIVERY)
        .where(d.id == bindparam("d_id"), d.status == "claimed")
        .values(
            status=bindparam("d_status"),
            attempts=bindparam("d_attempts"),
            sent_at=bindparam("d_sent_at", type_=UTCDateTime()),
            message_id=bindparam("d_message_id"),
            error=bindparam("d_error"),
        )
    )
    success = (
        update(SUB)
        .where(s.id == bindparam("s_id"))
        .values(
            consecutive_failures=0,
            next_due_at=case((s.next_due_at == marker, following), else_=s.next_due_at),
        )
    )
    failing = s.consecutive_failures + 1 >= FAILURES_BEFORE_FAILING
    failure = (
        update(SUB)
        .where(s.id == bindparam("s_id"))
        .values(
            consecutive_failures=s.consecutive_failures + 1,
            failing=case((failing, True), else_=s.failing),
            failing_notified=case((failing & ~s.failing, False), else_=s.failing_notified),
            next_due_at=case(
                (failing, None), (s.next_due_at == marker, following), else_=s.next_due_at
            ),
        )
    )
    return delivery, success, failure
