"""Anonymous ballots mixed into the tallies in batches, never in a voter's transaction.

A ballot waits without a voter (storage/repo/ballots.py) until ``polls.ballot_batch`` ballots of
its poll wait, or the poll closes. The batch is then mixed into the tallies in a transaction of
its own, after the voter's has committed, and the database's traces of the waiting rows are
scrubbed (the SQLite log truncated, PostgreSQL's ballot table rewritten). The window this leaves
is stated on the card and in docs/polls.md.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from bot.kernel.context import Work
from bot.kernel.host import Host
from storage.db import transaction
from storage.repo import ballots

log = logging.getLogger(__name__)

# A scrub that found the database busy is tried again this often, this many times.
SCRUB_RETRY = 1.0
SCRUB_TRIES = 10


def ballot_waits(w: Work, poll_id: int, waiting: int) -> None:
    """A ballot of ``poll_id`` was kept waiting in ``w``; mix the batch once it is full."""
    if waiting >= w.settings.polls.ballot_batch:
        mix_after_commit(w, [poll_id])


def mix_after_commit(w: Work, poll_ids: Iterable[int]) -> None:
    ids = sorted(set(poll_ids))
    core = w.core

    async def mix_then_scrub() -> None:
        async with transaction(core.engine) as session:
            mixed = sum(ballots.mix(session, poll_id=i) for i in ids)
        if mixed:
            await scrub(core)

    w.after_commit.append(mix_then_scrub)


def scrub_after_commit(w: Work) -> None:
    """The unit of work mixes ballots itself (a close): scrub once it has committed."""
    core = w.core

    async def scrub_now() -> None:
        await scrub(core)

    w.after_commit.append(scrub_now)


async def scrub(core: Host, tries: int = SCRUB_TRIES) -> None:
    """Scrub now, or (another process is reading) again shortly, a few times. In a worker
    thread: PostgreSQL's rewrite may wait for a lock, which must not hold the event loop."""
    if await asyncio.to_thread(ballots.scrub, core.engine):
        return
    if tries <= 1:
        log.warning("the database stayed busy; mixed ballots are scrubbed at the next mix")
        return

    async def again() -> None:
        await asyncio.sleep(SCRUB_RETRY)
        await scrub(core, tries - 1)

    task = asyncio.get_running_loop().create_task(again())
    _retries.add(task)  # a task nobody holds may be collected before it runs
    task.add_done_callback(_retries.discard)


_retries: set[asyncio.Task[None]] = set()
