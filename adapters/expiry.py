"""Short-lived replies: a message the adapter deletes once its ``delete_after`` has passed.

Each deletion is a task of its own, so a send never waits for it. At stop, what is still waiting
is deleted at once rather than left behind for good (the delay only lives in this process).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Delete = Callable[[str, str], Awaitable[object]]  # (chat, message id)


class Expiry:
    def __init__(self, delete: Delete, *,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._delete = delete
        self._sleep = sleep
        self._waiting: dict[asyncio.Task[None], tuple[str, str]] = {}

    def later(self, chat: str, message_id: str, seconds: float) -> None:
        """Delete the message after ``seconds`` (scheduled, never awaited here)."""
        task = asyncio.get_running_loop().create_task(self._after(chat, message_id, seconds))
        self._waiting[task] = (chat, message_id)
        task.add_done_callback(lambda t: self._waiting.pop(t, None))

    @property
    def pending(self) -> int:
        return len(self._waiting)

    async def _after(self, chat: str, message_id: str, seconds: float) -> None:
        await self._sleep(max(seconds, 0.0))
        await self._remove(chat, message_id)

    async def _remove(self, chat: str, message_id: str) -> None:
        try:
            await self._delete(chat, message_id)
        except Exception as exc:
            # Already deleted by someone, or the chat is gone: the reply is not there either way.
            log.info("could not delete a short-lived reply in %s: %s", chat, type(exc).__name__)

    async def stop(self, within: float = 5.0) -> None:
        """Delete now what was still waiting for its time."""
        waiting = list(self._waiting.items())
        for task, _ in waiting:
            task.cancel()
        for task, _ in waiting:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._waiting.clear()
        if waiting:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    asyncio.gather(*(self._remove(c, m) for _, (c, m) in waiting)), within)
