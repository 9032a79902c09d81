"""Telegram's flood limits kept on our side: 30 messages in any second overall, 20 in any minute
per group, counted over rolling windows the way the Bot API counts them."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from adapters.telegram.failures import LONGEST_WAIT_IN_PLACE, LongFloodWait, retry_after_seconds

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
KEEP_GROUP_WINDOWS = 512  # idle group windows beyond this many are forgotten


class RollingWindow:
    """At most ``limit`` requests in any ``period`` seconds, whatever the network's delays.

    A request counts from the moment it leaves until ``period`` after its answer came: it reached
    the server somewhere in between, so any ``period`` the server looks at holds no more than
    ``limit`` of them. Requests go in the order they asked. ``spacing`` spreads them out evenly
    (each gets the slot after the previous one's, so a late wake-up does not lower the rate).
    """

    def __init__(self, limit: int, period: float, *, spacing: float = 0.0,
                 monotonic: Monotonic = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        self.limit = limit
        self.period = period
        self.spacing = spacing
        self._monotonic = monotonic
        self._sleep = sleep
        self._answered: deque[float] = deque()  # when the answers within the last period came
        self._in_flight = 0
        self._turn = asyncio.Lock()  # first come, first served: a chat's messages stay in order
        self._answer = asyncio.Event()
        self._next_slot = float("-inf")
        self._held_until = float("-inf")  # a 429's retry_after for everything in this window
        self.waiting = 0

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        self.waiting += 1
        try:
            async with self._turn:
                await self._wait_for_room()
                self._in_flight += 1
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            self._in_flight -= 1
            self._answered.append(self._monotonic())
            self._answer.set()

    def hold(self, seconds: float) -> None:
        """The server asked for a pause: nothing more goes through this window until it ends."""
        self._held_until = max(self._held_until, self._monotonic() + seconds)

    def idle(self) -> bool:
        now = self._monotonic()
        return (not self.waiting and not self._in_flight and self._held_until <= now
                and (not self._answered or self._answered[-1] <= now - self.period))

    async def _wait_for_room(self) -> None:
        while True:
            now = self._monotonic()
            while self._answered and self._answered[0] <= now - self.period:
                self._answered.popleft()
            if self._held_until > now:
                await self._sleep(self._held_until - now)
                continue
            if self._in_flight + len(self._answered) >= self.limit:
                if self._answered:  # room when the oldest answer leaves the window
                    await self._sleep(self._answered[0] + self.period - now)
                else:  # all in flight: the window is counted from their answers
                    self._answer.clear()
                    await self._answer.wait()
                continue
            if self.spacing:
                slot = max(now - self.spacing, self._next_slot)
                if slot > now:
                    await self._sleep(slot - now)
                    continue
                self._next_slot = slot + self.spacing
            return


class FloodPacer(BaseRateLimiter[int]):
    """Paces PTB's requests to Telegram's limits: 30 messages in any second to all chats, 20 in
    any minute to one group (requests without a chat, such as getUpdates, are not paced).

    A 429 still answered is waited out by that request alone (and, for a group, by the
    requests to that group); every other chat goes on. A wait longer than ``longest_wait``
    is raised as LongFloodWait so the outbox retries the message later.
    """

    def __init__(self, *, overall_per_second: int = 30, group_per_minute: int = 20,
                 retries: int = 3, longest_wait: float = LONGEST_WAIT_IN_PLACE,
                 monotonic: Monotonic = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        self.overall_per_second = overall_per_second
        self.group_per_minute = group_per_minute
        self.retries = retries
        self.longest_wait = longest_wait
        self._monotonic = monotonic
        self._sleep = sleep
        self.overall = RollingWindow(overall_per_second, 1.0, spacing=1.0 / overall_per_second,
                                     monotonic=monotonic, sleep=sleep)
        self._groups: dict[str, RollingWindow] = {}
        self.waits = 0  # 429s waited out in place (for the health check and tests)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def group(self, chat_id: str) -> RollingWindow:
        window = self._groups.get(chat_id)
        if window is None:
            if len(self._groups) >= KEEP_GROUP_WINDOWS:
                for key in [k for k, w in self._groups.items() if w.idle()]:
                    del self._groups[key]
            window = self._groups[chat_id] = RollingWindow(
                self.group_per_minute, 60.0, monotonic=self._monotonic, sleep=self._sleep)
        return window

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        chat_id = data.get("chat_id")
        if chat_id is None:
            return await callback(*args, **kwargs)
        group = self.group(str(chat_id)) if _is_group(chat_id) else None
        retries = self.retries if rate_limit_args is None else rate_limit_args
        attempt = 0
        while True:
            try:
                async with group.slot() if group is not None else contextlib.nullcontext():
                    async with self.overall.slot():
                        return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
                if group is not None:
                    group.hold(seconds)  # the group's next requests would be refused as well
                if seconds > self.longest_wait:
                    raise LongFloodWait(seconds) from exc
                if attempt >= retries:
                    raise
                attempt += 1
                self.waits += 1
                if group is None:
                    await self._sleep(seconds)
                # (a group's request waits out the hold in the group's window, in its turn)


def _is_group(chat_id: object) -> bool:
    """Groups and channels: negative ids, or an ``@username``."""
    try:
        return int(str(chat_id)) < 0
    except ValueError:
        return True
