"""Edits of one message paced to one update per interval; edits made meanwhile share the next.

A live poll count changes with every vote; Slack allows about one update per second per
message. An edit within the interval of the message's last update waits for its turn, and every
edit made while it waits rides on that one update, the latest text winning. ``edit`` returns only
once the update carrying its text (or a newer one) has been accepted, and raises if it failed:
the outbox marks an edit sent only after that, so a card's final state (a poll closed, a
challenge answered) is never lost to a kill during the wait; its row is sent again after the
lease, and failures are retried by the outbox as any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

from bot.kernel.events import Outbound

Update = Callable[[str, Outbound], Awaitable[None]]
# Slack allows about one update per message per second; a tenth more, because two updates sent a
# second apart can arrive closer than that.
INTERVAL = 1.1
KEEP = 1000  # messages remembered before those quiet for an interval are forgotten


class EditCoalescer:
    def __init__(self, update: Update, *, interval: float = INTERVAL,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._update = update
        self._interval = interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._last: dict[str, float] = {}  # when each message was last updated
        self._waiting: dict[str, Outbound] = {}  # the latest text for the next update
        self._turns: dict[str, asyncio.Future[None]] = {}  # the next update, not yet started
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def edit(self, message_id: str, message: Outbound) -> None:
        """Update the message now, or at its next turn with the latest text; returns once Slack
        has accepted that update, and raises what it raised."""
        if len(self._last) > KEEP:
            self._forget_quiet()
        self._waiting[message_id] = message  # the next update carries the latest text
        turn = self._turns.get(message_id)
        if turn is None:
            turn = self._turns[message_id] = asyncio.get_running_loop().create_future()
            # A task of its own: an edit whose caller gives up still goes for the others.
            task = asyncio.create_task(self._take_turn(message_id, turn))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        await asyncio.shield(turn)

    def _lock(self, message_id: str) -> asyncio.Lock:
        """One update of a message in flight at a time, so they arrive in the order made."""
        return self._locks.setdefault(message_id, asyncio.Lock())

    async def _take_turn(self, message_id: str, turn: asyncio.Future[None]) -> None:
        try:
            async with self._lock(message_id):
                wait = self._last.get(message_id, float("-inf")) + self._interval \
                    - self._monotonic()
                if wait > 0:
                    await self._sleep(wait)
                # From here an edit starts the next turn: this update's text is settled.
                del self._turns[message_id]
                message = self._waiting.pop(message_id)
                try:
                    await self._update(message_id, message)
                finally:
                    # Counted from the answer: a slow update must not bring the next too close.
                    self._last[message_id] = self._monotonic()
        except Exception as exc:
            self._end_turn(message_id, turn)
            if not turn.done():
                turn.set_exception(exc)  # every edit that shared the update fails with it
                turn.exception()  # retrieved here: an edit whose caller gave up is no error
            return
        except BaseException:
            self._end_turn(message_id, turn)
            turn.cancel()
            raise
        turn.set_result(None)

    def _end_turn(self, message_id: str, turn: asyncio.Future[None]) -> None:
        if self._turns.get(message_id) is turn:
            del self._turns[message_id]
            self._waiting.pop(message_id, None)

    def _forget_quiet(self) -> None:
        """Drop what is kept of messages not edited within the interval and not waiting: it no
        longer changes anything, and a long-running bot edits ever new messages."""
        quiet_since = self._monotonic() - self._interval
        for message_id in [m for m, at in self._last.items() if at < quiet_since
                           and m not in self._turns
                           and not (m in self._locks and self._locks[m].locked())]:
            del self._last[message_id]
            self._locks.pop(message_id, None)

    @property
    def kept(self) -> int:
        """Messages whose last edit is remembered."""
        return len(self._last)

    @property
    def pending(self) -> int:
        """Updates waiting for their turn."""
        return len(self._turns)

    async def drain(self) -> None:
        """Wait for every update under way (on stop, and in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def forget(self) -> None:
        """Give up the updates still waiting (their edits stay unsent in the outbox)."""
        for task in self._tasks:
            task.cancel()
        for turn in self._turns.values():
            with contextlib.suppress(asyncio.InvalidStateError):
                turn.cancel()
        self._turns.clear()
        self._waiting.clear()
