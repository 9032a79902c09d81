"""Messages the platform took, marked sent together: one write for the answers that come at once.

The outbox records a message as sent after the platform's answer. When twenty answers go out at
once (twenty people's slash commands), the platform's answers come back together: a mark made
while other sends are under way waits one turn of the event loop, and one transaction records
all that came meanwhile. A mark with no other send under way is written at once. A kill loses no
more marks than before: only those of messages whose send had started, at most one per chat
(each chat's next message waits for its mark), each sent again once after the lease
(docs/security.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from storage.db import writing
from storage.repo import work

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


class SentMarks:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._waiting: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._writes = 0  # writes under way
        self._idle = asyncio.Event()
        self._idle.set()
        self._sends = 0  # sends under way, whose answers may come with this one's

    @contextmanager
    def sending(self) -> Iterator[None]:
        """Around a platform call."""
        self._sends += 1
        try:
            yield
        finally:
            self._sends -= 1

    async def mark(self, *, row_id: int, attempts: int, now: datetime, message_id: str | None,
                   poll_id: str | None) -> None:
        """Until the message is recorded as sent; raises what the write raised."""
        loop = asyncio.get_running_loop()
        written: asyncio.Future[None] = loop.create_future()
        self._waiting.append(({"row": row_id, "attempts": attempts, "now": now,
                               "message_id": message_id, "poll_id": poll_id}, written))
        if not self._sends:
            await self.written()  # no other answer to wait for: one mark, written now
        elif self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write_soon())
        await written

    async def written(self) -> None:
        """Until every mark asked for is written (those waiting are written here)."""
        while self._waiting or self._writes:
            if self._waiting:
                await self._write()
            else:
                await self._idle.wait()

    async def _write_soon(self) -> None:
        await asyncio.sleep(0)  # the platform's other answers read in this turn come along
        while self._waiting:
            await self._write()

    async def _write(self) -> None:
        marks, self._waiting = self._waiting, []
        self._writes += 1
        self._idle.clear()
        try:
            async with writing(self._engine) as conn:
                work.mark_sent(conn, [values for values, _ in marks])
        except Exception as exc:
            for _, written in marks:
                if not written.done():
                    written.set_exception(exc)
        else:
            for _, written in marks:
                if not written.done():
                    written.set_result(None)
        finally:
            for _, written in marks:  # the write itself cancelled (a stop): so are its waiters
                if not written.done():
                    written.cancel()
            self._writes -= 1
            if not self._writes:
                self._idle.set()
