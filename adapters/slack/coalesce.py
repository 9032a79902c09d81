"""Edits of one message coalesced: at most one update per message per interval, the latest wins.

A live poll count changes with every vote; Slack allows about one update per second per
message, so a burst of edits becomes one update now and one with the latest text a moment later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from bot.kernel.events import Outbound
from bot.kernel.ports import DeliveryError, RetryLater

log = logging.getLogger(__name__)

Update = Callable[[str, Outbound], Awaitable[None]]
# Slack allows about one update per message per second; a tenth more, because two updates sent a
# second apart can arrive closer than that.
INTERVAL = 1.1
KEEP = 1000  # messages remembered before those quiet for an interval are forgotten
MAX_FAILURES = 10  # network faults in a row before a delayed edit is given up (about 17 minutes)


class EditCoalescer:
    def __init__(self, update: Update, *, interval: float = INTERVAL,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._update = update
        self._interval = interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._waiting: dict[str, Outbound] = {}
        self._version: dict[str, int] = {}  # edits handed over per message, newest last
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def edit(self, message_id: str, message: Outbound) -> None:
        """Update now if the message was not updated within the interval, else later (latest text)."""
        if len(self._last) > KEEP:
            self._forget_quiet()
        self._version[message_id] = self._version.get(message_id, 0) + 1
        if message_id in self._waiting:
            self._waiting[message_id] = message  # the pending update will carry this text
            return
        wait = self._last.get(message_id, float("-inf")) + self._interval - self._monotonic()
        if wait <= 0:
            self._last[message_id] = self._monotonic()
            async with self._lock(message_id):
                await self._update(message_id, message)
            return
        self._waiting[message_id] = message
        task = asyncio.create_task(self._later(message_id, wait))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _lock(self, message_id: str) -> asyncio.Lock:
        """One update of a message in flight at a time, so they arrive in the order made."""
        return self._locks.setdefault(message_id, asyncio.Lock())

    async def _later(self, message_id: str, wait: float) -> None:
        failures = 0
        while True:
            await self._sleep(wait)
            async with self._lock(message_id):
                message = self._waiting.pop(message_id)
                version = self._version.get(message_id, 0)
                self._last[message_id] = self._monotonic()
                try:
                    await self._update(message_id, message)
                    return
                except RetryLater as exc:
                    # Rate limited: wait as told, keeping whatever newer text arrives meanwhile.
                    if self._version.get(message_id, 0) != version:
                        return  # a newer text is on its way already: this one must not follow
                    self._waiting.setdefault(message_id, message)
                    wait = exc.after
                except DeliveryError:
                    log.exception("a delayed edit of %s was refused", message_id)
                    return  # retrying cannot help
                except Exception:
                    # A passing network fault: the outbox counts this edit as done, so it is
                    # retried here, with backoff, until it goes through; unless a newer text has
                    # taken over, which must not be overwritten by this older one.
                    if self._version.get(message_id, 0) != version:
                        return
                    failures += 1
                    if failures >= MAX_FAILURES:
                        log.exception("a delayed edit of %s failed %d times; given up",
                                      message_id, failures)
                        return
                    log.warning("a delayed edit of %s failed; retrying", message_id)
                    self._waiting.setdefault(message_id, message)
                    wait = min(2.0**failures, 60.0)

    def _forget_quiet(self) -> None:
        """Drop what is kept of messages not edited within the interval and not waiting: it no
        longer changes anything, and a long-running bot edits ever new messages."""
        quiet_since = self._monotonic() - self._interval
        for message_id in [m for m, at in self._last.items() if at < quiet_since
                           and m not in self._waiting
                           and not (m in self._locks and self._locks[m].locked())]:
            del self._last[message_id]
            self._version.pop(message_id, None)
            self._locks.pop(message_id, None)

    @property
    def kept(self) -> int:
        """Messages whose last edit is remembered."""
        return len(self._last)

    @property
    def pending(self) -> int:
        return len(self._waiting)

    async def drain(self) -> None:
        """Wait for every delayed update (on stop, and in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def forget(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._waiting.clear()
