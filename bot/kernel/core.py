"""The core: one ``handle(event)`` entry, an error boundary, the outbox and the due timers."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.engine import Engine

from bot.kernel import texts as T
from bot.kernel.config import Settings
from bot.kernel.context import Work, run_after_commit
from bot.kernel.database_health import DatabaseHealth
from bot.kernel.errors import DatabaseUnavailable, UsageError
from bot.kernel.events import (
    CommandIssued,
    HandleResult,
    Inbound,
)
from bot.kernel.inbound_journal import InboundJournal
from bot.kernel.outbox import LEASE as OUTBOX_LEASE
from bot.kernel.outbox import Outbox
from bot.kernel.ports import Clock, Intake, PlatformAdapter, Service
from bot.kernel.rich import Rich, render
from bot.kernel.routing import Routes
from bot.kernel.together import Together, context_of, refusals, run_handler, write_refusal
from storage.db import cause_of, locked, reading, transaction, unavailable
from storage.repo import work

log = logging.getLogger(__name__)
S = TypeVar("S")

TIMER_LEASE = timedelta(minutes=5)
RUNNING_WINDOW = 1.0  # seconds batched work may wait while the bot serves platforms
# Timers claimed at a time: few enough to run well within the lease, and to share a burst of due
# work (a round of digests) fairly between processes.
CLAIM_BATCH = 10
# Seconds an inbound event waits for a database held by another process before the adapter is
# told (``DatabaseUnavailable``): well inside a platform's patience (Slack's is 3 s).
INBOUND_WAIT = 2.0


class Core:
    """Holds the settings, the database and the adapters; adapters call ``handle``."""

    def __init__(
        self,
        *,
        settings: Settings,
        engine: Engine,
        clock: Clock,
        routes: Routes,
        worker_id: str | None = None,
        timer_lease: timedelta = TIMER_LEASE,
        outbox_lease: timedelta = OUTBOX_LEASE,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        # How long a claimed timer stays this process's before another may take it over.
        self.timer_lease = timer_lease
        self.routes = routes
        self.inbound_wait = INBOUND_WAIT
        self.database = DatabaseHealth()
        self.journal = InboundJournal(engine, clock, self.database, lambda: self.inbound_wait)
        self.adapters: dict[str, PlatformAdapter] = {}
        self.outbox = Outbox(engine, clock, self.adapters, lease=outbox_lease)
        self.outbox.on_retry.append(lambda at: self.announce_due([at]))
        # Batched work of the features (activity counts, poll card edits): at once in tests and
        # the console, once per window when serving.
        self.services: dict[type, Service] = {}
        for make in routes.services:
            service = make(self)
            self.services[type(service)] = service
        self.intake: Intake | None = None
        if routes.intake is not None:
            self.intake = routes.intake(self)
            self.services[type(self.intake)] = self.intake
        self.deliver_in_background = False  # see ``deliver``
        self.together: Together | None = None  # events arriving together share a transaction
        self._deliveries: set[asyncio.Task[None]] = set()
        # Called with the earliest new due time after a commit (the scheduler's wake-up).
        self.on_due: list[Callable[[datetime], None]] = []

    def serve(self) -> None:
        """Work as when serving platforms (``ncbot run``): the services' batched work written
        once per window, answers delivered in the background. Tests and the console do neither."""
        for service in self.services.values():
            service.window = RUNNING_WINDOW
        self.deliver_in_background = True
        self.together = Together(self)

    def service(self, kind: type[S]) -> S:
        """The core's one instance of a feature's service."""
        found = self.services[kind]
        assert isinstance(found, kind)
        return found

    async def flush_services(self) -> None:
        """Write what every service holds (at stop, while the platforms are still up)."""
        for service in self.services.values():
            await service.flush()

    def attach(self, adapter: PlatformAdapter) -> None:
        self.adapters[adapter.platform] = adapter

    # ---- inbound -----------------------------------------------------------------------------

    async def handle(self, event: Inbound, *, deliver: bool = True) -> HandleResult:
        """Process one inbound event: at most once per ``event_id``.

        Raises ``DatabaseUnavailable`` (and only that) when the database could not store the
        event or its effect: the adapter must not acknowledge it, so the platform sends it again.
        Every other failure is answered in chat and returns normally.

        ``deliver=False`` leaves the outbox flush to the caller: an adapter that must answer the
        platform within seconds (open a form, show field errors) flushes after answering.
        """
        if not event.well_typed():
            log.warning("a %s with fields of the wrong type was dropped", type(event).__name__)
            return HandleResult()
        event = event.cleaned()
        intake = self.intake
        if intake is not None:
            if intake.counts(event):
                return await intake.note(event)
            if not isinstance(event, CommandIssued) and intake.behind(event):
                # Commands never read activity, so they need not wait for a batch; a button
                # press may erase its presser (/forgetme), so what they said is written first.
                await intake.flush()
        if self.together is not None:
            result = await self.together.handle(event)
        else:
            result = await self.handle_alone(event)
        if deliver:
            await self.deliver()
        return result

    async def handle_alone(self, event: Inbound) -> HandleResult:
        """``handle``'s work for one event in a transaction of its own."""
        now = self.clock.now()
        deadline = time.monotonic() + self.inbound_wait
        while True:
            result = HandleResult()
            try:
                due, refusal = await self._apply(event, now, result, deadline)
                if refusal is not None:
                    await self._answer_refusal(event, refusal, result, now)
                break
            except Exception as exc:
                if not unavailable(exc):
                    raise
                if locked(exc) and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)  # a lock timed out mid-way (PostgreSQL): again
                    continue
                self.database.failed(cause_of(exc))
                raise DatabaseUnavailable(cause_of(exc)) from exc
        self.database.worked()
        self.announce_due(due)
        return result

    async def _apply(self, event: Inbound, now: datetime, result: HandleResult, deadline: float
                     ) -> tuple[list[datetime], Rich | None]:
        """The event's effect in one transaction; returns the new due times and a refusal to
        answer. Database faults propagate; everything else becomes a refusal."""
        due: list[datetime] = []
        with refusals(event) as outcome:
            async with transaction(self.engine, wait=max(0.0, deadline - time.monotonic())
                                   ) as session:
                if event.event_id and not work.record_event(
                    session, platform=event.chat.platform, event_id=event.event_id, now=now
                ):
                    result.duplicate = True
                    return due, None
                ctx = context_of(self, session, event, now, result)
                await run_handler(self, ctx, outcome)
                due = ctx.due_at
                later = ctx.after_commit
                taken = self.outbox.take_written(session, ctx.written)
            self.outbox.committed(taken)
            await run_after_commit(later)
        return due, outcome.refusal

    async def deliver(self, *, look: bool = False) -> None:
        """Send what was written: usually what the last events took at commit; a look for other
        pending messages when this process knows something waits, or the caller asks (``look``).

        With ``deliver_in_background`` (``ncbot run``) the sending runs as a task of its own, so
        an adapter goes on with the next update while an answer waits for the platform's rate
        limit; otherwise it is done when this returns (tests, the console).
        """
        if not self.deliver_in_background:
            await self.outbox.flush(look=look)
            return
        task = asyncio.get_running_loop().create_task(self._deliver_now(look=look))
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)

    async def _deliver_now(self, *, look: bool = False) -> None:
        try:
            await self.outbox.flush(look=look)
        except Exception:
            log.exception("delivering messages failed; they are tried again")

    async def delivered(self) -> None:
        """Wait for every delivery under way (at stop)."""
        while self._deliveries:
            await asyncio.gather(*list(self._deliveries), return_exceptions=True)

    def usage(self, event: Inbound, exc: UsageError) -> Rich:
        name = event.name if isinstance(event, CommandIssued) else ""
        cmd = self.routes.command(name)
        detail = exc.detail if isinstance(exc.detail, Rich) or not exc.detail else render(exc.detail)
        if cmd is None:
            return detail or render(T.INTERNAL_ERROR)
        usage = render(T.USAGE, usage=cmd.usage, example=cmd.example)
        return detail + "\n" + usage if detail else usage

    async def _answer_refusal(self, event: Inbound, message: Rich, result: HandleResult,
                              now: datetime) -> None:
        """Tell the person why nothing happened, in a transaction of its own."""
        try:
            async with transaction(self.engine, wait=self.inbound_wait) as session:
                if event.event_id:
                    work.record_event(
                        session, platform=event.chat.platform, event_id=event.event_id, now=now
                    )
                taken = self.outbox.take_written(
                    session, write_refusal(self, session, event, message, result, now))
            self.outbox.committed(taken)
        except Exception as exc:
            if unavailable(exc):
                raise  # not recorded either: the event comes again and is refused again
            log.exception("could not answer a refused %s", type(event).__name__)

    # ---- time --------------------------------------------------------------------------------

    def announce_due(self, due: list[datetime]) -> None:
        """Tell the scheduler the earliest of newly written due times."""
        if due:
            earliest = min(due)
            for callback in self.on_due:
                callback(earliest)

    async def run_due(self) -> int:
        """Run every timer that is due now; returns how many ran."""
        if self.intake is not None:
            await self.intake.flush()  # digests and reminders see every message counted so far
        ran = 0
        while True:
            now = self.clock.now()
            async with transaction(self.engine) as session:
                timers = work.claim_due_timers(
                    session,
                    worker=self.worker_id,
                    now=now,
                    lease_until=now + self.timer_lease,
                    limit=CLAIM_BATCH,
                )
            if not timers:
                break
            for timer in timers:
                assert timer.id is not None
                handler = self.routes.timers.get(timer.kind)
                due: list[datetime] = []
                try:
                    async with transaction(self.engine) as session:
                        # Finish first: a handler may re-arm its own key for the next period.
                        if not work.finish_timer(
                            session, timer_id=timer.id, worker=self.worker_id, now=now
                        ):
                            continue
                        w = Work(self, session, now)
                        if handler is None:
                            log.error("no handler for timer kind %r; dropped", timer.kind)
                        else:
                            await handler(w, timer.key, json.loads(timer.payload))
                        due = w.due_at
                    await run_after_commit(w.after_commit)
                    ran += 1
                except Exception:
                    # The lease runs out and the timer is tried again later.
                    log.exception("timer %s (%s) failed", timer.key, timer.kind)
                self.announce_due(due)
        await self.outbox.flush()
        return ran

    def next_due(self) -> datetime | None:
        with reading(self.engine) as session:  # never waits for a lock held elsewhere
            return work.next_timer_due(session)

    async def advance_clock(self, delta: timedelta) -> int:
        """Move a fake clock forward, running each timer at its own due time on the way."""
        set_time = getattr(self.clock, "set", None)
        if set_time is None:
            raise TypeError("advance_clock needs a clock that can be set")
        target = self.clock.now() + delta
        ran = 0
        while True:
            nxt = self.next_due()
            if nxt is None or nxt > target:
                break
            set_time(max(nxt, self.clock.now()))
            count = await self.run_due()
            ran += count
            if count == 0 and (self.next_due() or target) <= self.clock.now():
                break  # what is due keeps failing: do not spin
        set_time(target)
        ran += await self.run_due()
        return ran
