"""Long polling that confirms an update to Telegram only once its effect is stored.

Telegram forgets every update before the ``offset`` of a ``getUpdates`` call, so the offset moves
past an update only after the core has committed it. python-telegram-bot's ``Updater`` moves it
as soon as a batch is fetched, while the batch still waits in memory: a process killed then
loses the rest of the batch for good. Here a kill at any moment leaves the unconfirmed updates
with Telegram, which hands them out again; the ledger keeps one handled twice to one effect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Bot
from telegram.error import RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from adapters.telegram.failures import retry_after_seconds
from bot.kernel.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

FIRST_PAUSE = 1.0  # seconds before fetching again after a failed call, doubling ...
LONGEST_PAUSE = 30.0  # ... up to this
DATABASE_PAUSE = 2.0  # seconds before an update the database could not take is fetched again
READ_MARGIN = 10  # seconds a long poll's answer may take beyond its own timeout
# Updates are fetched as Telegram's JSON (the adapter reads the common ones itself), through
# the Bot API call python-telegram-bot offers for that; it would suggest ``get_updates``.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning)
RawUpdate = dict[str, Any]


class LongPolling:
    """Fetches updates in order and hands each to ``handle``; confirms what it has handled."""

    def __init__(self, bot: Bot, handle: Callable[[RawUpdate], Awaitable[None]], *,
                 timeout: int, allowed_updates: Sequence[str],
                 before_confirming: Callable[[], Awaitable[object]],
                 on_error: Callable[[TelegramError], None],
                 on_fetched: Callable[[], None]) -> None:
        self.bot = bot
        self.handle = handle
        self.timeout = timeout
        self.allowed_updates = list(allowed_updates)
        self.before_confirming = before_confirming
        self.on_error = on_error
        self.on_fetched = on_fetched
        self.offset: int | None = None  # the first update not yet handled, once one was
        self._task: asyncio.Task[None] | None = None
        self._fetching = False
        self._stopping = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        await self.bot.delete_webhook()  # getUpdates is refused while a webhook is set
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="telegram long polling")

    async def stop(self) -> None:
        """Finish the update in hand, confirm what was handled, stop."""
        if self._task is None:
            return
        self._stopping = True
        if self._fetching:
            self._task.cancel()  # a waiting long poll confirms nothing new
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        if self.offset is not None:
            try:
                await self.bot.get_updates(offset=self.offset, timeout=0, limit=1,
                                           allowed_updates=self.allowed_updates)
            except TelegramError as exc:
                log.info("telegram: confirming the last updates at stop failed (%s); they come "
                         "again at the next start and are recognised", exc)

    async def _run(self) -> None:
        pause = FIRST_PAUSE
        while not self._stopping:
            try:
                updates = await self._fetch()
            except RetryAfter as exc:
                await asyncio.sleep(retry_after_seconds(exc))
                continue
            except TelegramError as exc:
                self.on_error(exc)
                await asyncio.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
                continue
            pause = FIRST_PAUSE
            self.on_fetched()
            await self._handle_in_order(updates)

    async def _fetch(self) -> list[RawUpdate]:
        self._fetching = True
        try:
            # The offset confirms every update before it: all of them are handled and stored.
            await self.before_confirming()
            found = await self.bot.do_api_request(
                "getUpdates", api_kwargs={"offset": self.offset, "timeout": self.timeout,
                                          "allowed_updates": self.allowed_updates},
                read_timeout=self.timeout + READ_MARGIN)
        finally:
            self._fetching = False
        if not isinstance(found, list) or not all(
                isinstance(u, dict) and type(u.get("update_id")) is int for u in found):
            raise TelegramError("getUpdates answered something other than a list of updates")
        return found

    async def _handle_in_order(self, updates: Sequence[RawUpdate]) -> None:
        for update in updates:
            if self._stopping:
                return
            try:
                await self.handle(update)
            except DatabaseUnavailable:
                # Not stored: left unconfirmed, fetched again (with those after it) shortly.
                await asyncio.sleep(DATABASE_PAUSE)
                return
            except Exception:
                # A fault in one update's handling must not hold every later one.
                log.exception("telegram update %s failed", update["update_id"])
            self.offset = update["update_id"] + 1
