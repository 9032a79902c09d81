"""Telegram's flood limits and errors, turned into the core's typed delivery failures."""

from __future__ import annotations

import datetime as dt
import warnings

import httpx
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut

from bot.kernel.ports import ChatGone, DeliveryError, Rejected, RetryLater, Unreachable

# A flood wait up to this long is waited out in place; a longer one goes back to the outbox,
# so one slow chat does not hold every other delivery.
LONGEST_WAIT_IN_PLACE = 30.0

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
