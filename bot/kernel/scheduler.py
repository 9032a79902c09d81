"""The scheduler port: wakes the core when timers fall due. Timers themselves are rows.

APScheduler (asyncio) runs two jobs: a steady tick that catches anything due (and retries the
outbox), and a one-off wake-up at the earliest of the pending wake-ups (timers falling due,
outbox retries). Each wake-up asked for is kept until a run has served it, so a tick running in
between, or a later due time written meanwhile, never puts one off.
Nothing lives only in APScheduler's memory, so a restart loses nothing: at start the schedules
are rebuilt from their rows (``rebuild``) and whatever is overdue runs at once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.kernel.context import Work
from bot.kernel.core import Core
from storage.db import take_turn, transaction

log = logging.getLogger(__name__)

TICK = timedelta(seconds=30)


class Scheduler:
    def __init__(self, core: Core, *, tick: timedelta = TICK) -> None:
        self._core = core
        self._tick = tick
        self._aps = AsyncIOScheduler(timezone="UTC")
        # Every wake-up asked for and not yet served (a timer's due time, an outbox retry's);
        # the one APScheduler job is set to the earliest, so none is replaced by another.
        self._wakes: set[datetime] = set()
        self._busy = asyncio.Lock()
        self._again = False  # asked to run while a run was under way: run once more after it
        self.runs = {"tick": 0, "wake": 0}  # for the health of the scheduler, and tests
        core.on_due.append(self.wake_at)

    async def start(self) -> None:
        await rebuild(self._core)
        self._aps.add_job(
            self._ticked,
            IntervalTrigger(seconds=self._tick.total_seconds()),
            id="tick",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
        self._aps.start()
        await self._run()  # overdue polls, reminders and digests, at once

    async def stop(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)

    def wake_at(self, when: datetime) -> None:
        """Make sure the core runs at ``when``; every wake-up asked for is kept until served."""
        if not self._aps.running:
            return
        self._wakes.add(when)
        self._arm()

    @property
    def next_wake(self) -> datetime | None:
        return min(self._wakes, default=None)

    def _arm(self) -> None:
        """The wake-up job at the earliest pending wake-up (the later ones follow it)."""
        earliest = self.next_wake
        if earliest is None or not self._aps.running:
            return
        job = self._aps.get_job("wake")
        if job is not None and job.next_run_time is not None and job.next_run_time <= earliest:
            return
        self._aps.add_job(
            self._woken,
            DateTrigger(run_date=max(earliest, self._core.clock.now())),
            id="wake",
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _ticked(self) -> None:
        self.runs["tick"] += 1
        await self._run()

    async def _woken(self) -> None:
        self.runs["wake"] += 1
        await self._run()

    async def _run(self) -> None:
        if self._busy.locked():
            self._again = True  # what woke us may have come after the running one looked
            return
        async with self._busy:
            while True:
                self._again = False
                started = self._core.clock.now()
                # This run serves every wake-up due by now; later ones stay armed.
                self._wakes = {w for w in self._wakes if w > started}
                try:
                    await self._core.run_due()
                    await self._core.outbox.flush()
                except Exception:
                    log.exception("scheduled run failed")
                nxt = self._core.next_due()
                if nxt is not None:
                    self._wakes.add(nxt)
                if not self._again:
                    break
            self._arm()


async def rebuild(core: Core) -> int:
    """Re-derive the timers that come from other rows (digest schedules, the daily prune);
    returns how many were armed."""
    async with transaction(core.engine) as session:
        # Processes starting together would each create the same missing schedules and timers.
        take_turn(session, "rebuild")
        w = Work(core, session, core.clock.now())
        armed = sum(ensure(w) or 0 for ensure in core.routes.on_start)
    if armed:
        log.info("re-armed %d timers from their schedules", armed)
    return armed
