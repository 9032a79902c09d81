"""The scheduler port: wakes the core when timers fall due. Timers themselves are rows.

APScheduler (asyncio) runs two jobs: a steady tick that catches anything due (and retries the
outbox), and a one-off wake-up moved to the earliest due time whenever an earlier one is written.
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
from storage.db import session_scope, take_turn

log = logging.getLogger(__name__)

TICK = timedelta(seconds=30)


class Scheduler:
    def __init__(self, core: Core, *, tick: timedelta = TICK) -> None:
        self._core = core
        self._tick = tick
        self._aps = AsyncIOScheduler(timezone="UTC")
        self._wake: datetime | None = None
        self._busy = asyncio.Lock()
        core.on_due.append(self.wake_at)

    async def start(self) -> None:
        rebuild(self._core)
        self._aps.add_job(
            self._run,
            IntervalTrigger(seconds=self._tick.total_seconds()),
            id="tick",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
        self._aps.start()
        await self._run()  # overdue polls, reminders and digests, at once
        nxt = self._core.next_due()
        if nxt is not None:
            self.wake_at(nxt)

    async def stop(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)

    def wake_at(self, when: datetime) -> None:
        """Make sure the core runs at ``when`` (earlier wake-ups are kept)."""
        if not self._aps.running:
            return
        if self._wake is not None and self._wake <= when and self._wake > self._core.clock.now():
            return
        self._wake = when
        self._aps.add_job(
            self._run,
            DateTrigger(run_date=max(when, self._core.clock.now())),
            id="wake",
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _run(self) -> None:
        if self._busy.locked():
            return
        async with self._busy:
            self._wake = None
            try:
                await self._core.run_due()
                await self._core.outbox.flush()
            except Exception:
                log.exception("scheduled run failed")
            nxt = self._core.next_due()
            if nxt is not None:
                self.wake_at(nxt)


def rebuild(core: Core) -> int:
    """Re-derive the timers that come from other rows (digest schedules, the daily prune);
    returns how many were armed."""
    with session_scope(core.engine) as session:
        # Processes starting together would each create the same missing schedules and timers.
        take_turn(session, "rebuild")
        w = Work(core, session, core.clock.now())
        armed = sum(ensure(w) or 0 for ensure in core.routes.on_start)
    if armed:
        log.info("re-armed %d timers from their schedules", armed)
    return armed
