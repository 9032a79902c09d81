"""The inbound journal: raw requests kept from before their acknowledgement until handled."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.models import InboundEntry


def keep(session: Session, *, platform: str, kind: str, body: dict[str, Any],
         now: datetime) -> int:
    entry = InboundEntry(platform=platform, kind=kind, body=json.dumps(body), received_at=now)
    session.add(entry)
    session.flush()
    assert entry.id is not None
    return entry.id


def handled(session: Session, *, entry_id: int) -> None:
    session.execute(delete(InboundEntry).where(col(InboundEntry.id) == entry_id))


def waiting(session: Session, *, platform: str, limit: int) -> list[InboundEntry]:
    """The oldest entries still to handle, each counted as tried once more."""
    rows = list(session.exec(select(InboundEntry).where(InboundEntry.platform == platform)
                             .order_by(col(InboundEntry.id)).limit(limit)))
    if rows:
        session.execute(update(InboundEntry)
                        .where(col(InboundEntry.id).in_([r.id for r in rows]))
                        .values(tries=InboundEntry.tries + 1))
    return rows
