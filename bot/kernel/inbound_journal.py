"""Inbound requests stored before they are acknowledged, for platforms that never send one again.

Slack does not retry a slash command or a button press it has an acknowledgement for. So the
raw request is journalled first (one small insert), acknowledged, handled, and its entry deleted;
an entry a kill or a database fault left behind is handled again later. The ledger of event ids
keeps a request handled twice (the kill came after its effect, before the deletion) to one effect.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.kernel.database_health import DatabaseHealth
from bot.kernel.errors import DatabaseUnavailable
from bot.kernel.ports import Clock
from storage.db import cause_of, transaction, unavailable
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
    def __init__(self, engine: Engine, clock: Clock, database: DatabaseHealth,
                 wait: Callable[[], float]) -> None:
        self.engine = engine
        self.clock = clock
        self.database = database
        self.wait = wait  # seconds a handled or replayed entry may wait for the database

    async def keep(self, *, platform: str, kind: str, body: dict[str, Any]) -> int:
        """Store a request before acknowledging it; raises ``DatabaseUnavailable``."""
        async with self._writing(KEEP_WAIT) as session:
            return inbound.keep(session, platform=platform, kind=kind, body=body,
                                now=self.clock.now())

    async def handled(self, entry_id: int) -> None:
        """The request's effect is stored: its entry goes. (Left behind, it is handled again
        and recognised by the ledger.)"""
        try:
            async with self._writing(self.wait()) as session:
                inbound.handled(session, entry_id=entry_id)
        except DatabaseUnavailable:
            pass  # already logged; the entry is tried again and recognised

    async def waiting(self, *, platform: str, limit: int = 50) -> list[JournalEntry]:
        """Entries left unhandled (oldest first); one tried too often is dropped."""
        async with self._writing(self.wait()) as session:
            rows = inbound.waiting(session, platform=platform, limit=limit)
            found = []
            for row in rows:
                assert row.id is not None
                if row.tries >= MOST_TRIES:
                    log.error("a %s %s request failed %d times and is dropped (entry %d)",
                              platform, row.kind, row.tries, row.id)
                    inbound.handled(session, entry_id=row.id)
                    continue
                found.append(JournalEntry(row.id, row.kind, json.loads(row.body), row.tries))
        return found

    @asynccontextmanager
    async def _writing(self, wait: float) -> AsyncIterator[Session]:
        try:
            async with transaction(self.engine, wait=wait) as session:
                yield session
        except Exception as exc:
            if not unavailable(exc):
                raise
            self.database.failed(cause_of(exc))
            raise DatabaseUnavailable(cause_of(exc)) from exc
        self.database.worked()
