"""Telegram's flood limits and errors, turned into the core's typed delivery failures."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter

from bot.kernel.ports import ChatGone, DeliveryError, Rejected, RetryLater, Unreachable

# A flood wait up to this long is waited out in place; a longer one goes back to the outbox,
# so one slow chat does not hold every other delivery.
LONGEST_WAIT_IN_PLACE = 30.0

PACE_MARGIN = 0.95  # of the overall limit that the pacer uses

_GONE = ("chat not found", "user not found", "peer_id_invalid")


class LongFloodWait(TelegramError):
    """A 429 asking for a longer wait than is worth holding a delivery for."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"Flood control exceeded. Retry in {seconds:g} seconds")
        self.seconds = seconds


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the int form of retry_after is deprecated
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class EvenPace(AsyncLimiter):
    """One request every ``time_period`` seconds. Each request gets the slot after the previous
    one's, not one period after it actually left, so wake-ups that come late (the loop busy with
    other deliveries) do not lower the rate; catching up is limited to one slot, so no rolling
    second ever holds more than the rate plus one."""

    def __init__(self, per_second: float, *, monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        super().__init__(1, 1 / per_second)
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_slot = float("-inf")

    async def acquire(self, amount: float = 1) -> None:
        now = self._monotonic()
        slot = max(now - self.time_period, self._next_slot)
        self._next_slot = slot + self.time_period
        if slot > now:
            await self._sleep(slot - now)  # this request's place in the pace


class FloodPacer(AIORateLimiter):
    """PTB's limiter (about 30 messages/s overall, 20/minute per group), with 429s waited out.

    Short waits are retried in place by the limiter, which holds every request meanwhile; a
    long one is raised as LongFloodWait so the outbox retries it later.
    """

    def __init__(self, *, overall_per_second: float = 30, group_per_minute: float = 20,
                 retries: int = 3, longest_wait: float = LONGEST_WAIT_IN_PLACE) -> None:
        super().__init__(overall_max_rate=overall_per_second, overall_time_period=1,
                         group_max_rate=group_per_minute, group_time_period=60,
                         max_retries=retries)
        # PTB's overall limiter is a bucket of 30 refilled at 30/s, which lets up to 60 through in
        # the first second of a fan-out; Telegram answers that with 429s that stall every request.
        # Evenly spaced requests keep a long fan-out near the limit without tripping it; 5 % under
        # it, because at exactly 1/30 s the jitter of the network puts a 31st request into some
        # rolling second, and each 429 holds every request for a second.
        self._base_limiter = EvenPace(overall_per_second * PACE_MARGIN)
        self.longest_wait = longest_wait
        self.waits = 0  # 429s waited out in place (for the health check and tests)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        async def guarded(*a: Any, **kw: Any) -> Any:
            try:
                return await callback(*a, **kw)
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
                if seconds > self.longest_wait:
                    raise LongFloodWait(seconds) from exc
                self.waits += 1
                raise

        return await super().process_request(guarded, args, kwargs, endpoint, data,
                                             rate_limit_args)


def delivery_error(exc: TelegramError, *, private: bool) -> DeliveryError | None:
    """The typed failure for a Telegram error; None for a passing fault (retried with backoff)."""
    if isinstance(exc, LongFloodWait):
        return RetryLater(str(exc), exc.seconds)
    if isinstance(exc, RetryAfter):  # still limited after the limiter's own retries
        return RetryLater(str(exc), retry_after_seconds(exc))
    if isinstance(exc, Forbidden):
        # Blocked by the person, or removed from the group: either way, not worth retrying.
        return Unreachable(str(exc)) if private else ChatGone(str(exc))
    if isinstance(exc, BadRequest):
        text = exc.message.lower()
        if any(marker in text for marker in _GONE):
            return Unreachable(str(exc)) if private else ChatGone(str(exc))
        return Rejected(str(exc))
    return None  # NetworkError, TimedOut, a 5xx, an unreadable answer


def may_have_arrived(exc: TelegramError) -> bool:
    """A call sent whose answer did not come in time: Telegram may have carried it out. (A
    connection never made, or a free connection never found, sent nothing.)"""
    return isinstance(exc, TimedOut) and not isinstance(
        exc.__cause__, (httpx.ConnectTimeout, httpx.PoolTimeout))


def is_not_modified(exc: TelegramError) -> bool:
    return isinstance(exc, BadRequest) and "not modified" in exc.message.lower()
