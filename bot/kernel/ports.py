"""The ports the core is driven through: the platform adapter, the clock, the wake-up timer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.kernel.events import HandleResult, Inbound, Outbound


@dataclass(frozen=True, slots=True)
class Delivered:
    """A message the platform accepted; ``message_id`` is what later edits refer to."""

    message_id: str
    platform_poll_id: str | None = None


class DeliveryError(Exception):
    """Base of the typed failures an adapter raises from ``send``."""


class RetryLater(DeliveryError):
    """Rate limited or a passing fault: try again after ``after`` seconds."""

    def __init__(self, reason: str, after: float = 5.0) -> None:
        super().__init__(reason)
        self.after = after


class MayHaveArrived(DeliveryError):
    """The platform did not answer in time: the message may have been delivered all the same."""


class Unreachable(DeliveryError):
    """The person blocked the bot or left the platform: do not retry."""


class ChatGone(DeliveryError):
    """The chat no longer exists or the bot was removed from it: do not retry."""


class Rejected(DeliveryError):
    """The platform refused this message itself (too long, bad markup): do not retry."""


class Unsupported(DeliveryError):
    """The adapter cannot render this kind of outbound message."""


class AdapterStartError(Exception):
    """A platform (or the database) cannot start as configured; the message says why in one
    line, without secrets."""


class PlatformAdapter(Protocol):
    """One per platform. The adapter holds the core and calls ``await core.handle(event)``."""

    platform: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, message: Outbound, *, edit_message_id: str | None = None) -> Delivered:
        """Send (or, with ``edit_message_id``, edit) one message; raise a DeliveryError on failure."""
        ...


class Service(Protocol):
    """Work a feature batches in memory and writes once per ``window`` seconds (0: at once)."""

    window: float

    async def flush(self) -> object:
        """Write what is pending now."""
        ...


class Intake(Service, Protocol):
    """Takes the events that only count (ordinary group messages) before any transaction."""

    def counts(self, event: Inbound) -> bool: ...

    async def note(self, event: Inbound) -> HandleResult: ...

    def behind(self, event: Inbound) -> bool:
        """Whether ``event`` must wait for what is noted to be written first."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that moves only when told to (tests, console scripts)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        if when > self._now:
            self._now = when

    def advance(self, delta: timedelta) -> datetime:
        self._now = self._now + delta
        return self._now


class OffsetClock:
    """Real time plus an offset that ``:clock`` moves forward (interactive console)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def set(self, when: datetime) -> None:
        """Move forward to ``when`` (never back); real time keeps running from there."""
        ahead = when - self.now()
        if ahead > timedelta(0):
            self.offset += ahead
