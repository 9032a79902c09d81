"""The inbound journal: raw requests kept from before their acknowledgement until handled."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, update
from sqlmodel import Session, col, select

from storage.models import InboundEntry


def keep(session: Session, *, requests: list[tuple[str, str, dict[str, Any]]],
         now: datetime) -> list[int]:
    """Store ``(platform, kind, body)`` requests in one statement; their ids, in order."""
    if not requests:
        return []
    ids = session.scalars(
        insert(InboundEntry).returning(col(InboundEntry.id), sort_by_parameter_order=True),
        [{"platform": platform, "kind": kind, "body": json.dumps(body), "received_at": now,
          "tries": 0} for platform, kind, body in requests])
    return [i for i in ids if i is not None]  # a primary key: never None


def handled(session: Session, *, entry_ids: list[int]) -> None:
    session.execute(delete(InboundEntry).where(col(InboundEntry.id).in_(entry_ids)))


def waiting(session: Session, *, platform: str, limit: int) -> list[InboundEntry]:
    """The oldest entries still to handle, each counted as tried once more."""
    rows = list(session.exec(select(InboundEntry).where(InboundEntry.platform == platform)
                             .order_by(col(InboundEntry.id)).limit(limit)))
    if rows:
        session.execute(update(InboundEntry)
                        .where(col(InboundEntry.id).in_([r.id for r in rows]))
                        .values(tries=InboundEntry.tries + 1))
    return rows
