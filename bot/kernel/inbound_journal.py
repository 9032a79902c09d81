"""Inbound requests stored before they are acknowledged, for platforms that never send one again.

Slack does not retry a slash command or a button press it has an acknowledgement for. So the
raw request is journalled first (one small insert), acknowledged, handled, and its entry deleted;
an entry a kill or a database fault left behind is handled again later. The ledger of event ids
keeps a request handled twice (the kill came after its effect, before the deletion) to one effect.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Engine

from bot.kernel.database_health import DatabaseHealth
from bot.kernel.errors import DatabaseUnavailable
from bot.kernel.ports import Clock
from storage.db import cause_of, unavailable, writing
from storage.repo import inbound

log = logging.getLogger(__name__)

KEEP_WAIT = 1.5  # seconds a journal entry may wait for the database: Slack acks within 3
MOST_TRIES = 5  # an entry that failed this often is dropped (with an error in the log)


@dataclass(frozen=True)
class JournalEntry:
    id: int
    kind: str
    body: dict[str, Any]
    tries: int


class InboundJournal:
    """Requests arriving together are stored in one transaction (group commit); the entries of
    handled requests are deleted with the next write rather than in one transaction each."""

    def __init__(self, engine: Engine, clock: Clock, database: DatabaseHealth,
                 wait: Callable[[], float]) -> None:
        self.engine = engine
        self.clock = clock
        self.database = database
        self.wait = wait  # seconds a handled or replayed entry may wait for the database
        self._keeping: list[tuple[tuple[str, str, dict[str, Any]], asyncio.Future[int]]] = []
        self._gone: list[int] = []  # handled entries, deleted with the next write
        self._writer: asyncio.Task[None] | None = None

    async def keep(self, *, platform: str, kind: str, body: dict[str, Any]) -> int:
        """Store a request before acknowledging it; raises ``DatabaseUnavailable``."""
        stored: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._keeping.append(((platform, kind, body), stored))
        self._write_soon()
        return await stored

    def handled(self, entry_id: int) -> None:
        """The request's effect is stored: its entry goes with the next write. (Left behind by a
        kill or a fault, it is handled again and recognised by the ledger.)"""
        self._gone.append(entry_id)
        self._write_soon()

    async def written(self) -> None:
        """Until every write asked for so far is done (at stop, in tests)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

    async def waiting(self, *, platform: str, limit: int = 50) -> list[JournalEntry]:
        """Entries left unhandled (oldest first); one tried too often is dropped."""
        gone, self._gone = self._gone, []
        async with self._writing(self.wait()) as conn:
            if gone:
                inbound.handled(conn, entry_ids=gone)
            rows = inbound.waiting(conn, platform=platform, limit=limit)
            found = []
            for row in rows:
                assert row.id is not None
                if row.tries >= MOST_TRIES:
                    log.error("a %s %s request failed %d times and is dropped (entry %d)",
                              platform, row.kind, row.tries, row.id)
                    inbound.handled(conn, entry_ids=[row.id])
                    continue
                found.append(JournalEntry(row.id, row.kind, json.loads(row.body), row.tries))
        return found

    def _write_soon(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        await asyncio.sleep(0)  # the requests that arrived together join this transaction
        while self._keeping or self._gone:
            keeping, self._keeping = self._keeping, []
            gone, self._gone = self._gone, []
            try:
                async with self._writing(KEEP_WAIT if keeping else self.wait()) as conn:
                    if gone:
                        inbound.handled(conn, entry_ids=gone)
                    ids = inbound.keep(conn, requests=[r for r, _ in keeping],
                                       now=self.clock.now())
            except Exception as exc:
                for _, stored in keeping:
                    if not stored.done():  # each waiter gets an exception of its own
                        stored.set_exception(DatabaseUnavailable(str(exc)) if isinstance(
                            exc, DatabaseUnavailable) else exc)
                continue  # deletions that failed are recognised when the entries come again
            for (_, stored), entry in zip(keeping, ids, strict=True):
                if not stored.done():
                    stored.set_result(entry)

    @asynccontextmanager
    async def _writing(self, wait: float) -> AsyncIterator[Connection]:
        try:
            async with writing(self.engine, wait=wait) as conn:
                yield conn
        except Exception as exc:
            if not unavailable(exc):
                raise
            self.database.failed(cause_of(exc))
            raise DatabaseUnavailable(cause_of(exc)) from exc
        self.database.worked()
