"""The inbound journal: raw requests kept from before their acknowledgement until handled."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, bindparam, delete, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection

from storage.models import InboundEntry
from storage.rows import inserted_ids

_ENTRY: Table = InboundEntry.__table__  # type: ignore[attr-defined]
# Built once: it runs for every request Slack sends.
_HANDLED = delete(_ENTRY).where(_ENTRY.c.id.in_(bindparam("ids", expanding=True)))


def keep(conn: Connection, *, requests: list[tuple[str, str, dict[str, Any]]],
         now: datetime) -> list[int]:
    """Store ``(platform, kind, body)`` requests in one statement; their ids, in order."""
    if not requests:
        return []
    values = [{"platform": platform, "kind": kind, "body": json.dumps(body), "received_at": now,
               "tries": 0} for platform, kind, body in requests]
    return inserted_ids(conn, _ENTRY, values)


def handled(conn: Connection, *, entry_ids: list[int]) -> None:
    conn.execute(_HANDLED, {"ids": entry_ids})


def waiting(conn: Connection, *, platform: str, limit: int) -> list[Row[Any, Any, Any, Any]]:
    """The oldest entries still to handle (id, kind, body, tries), each counted as tried once
    more."""
    rows = list(conn.execute(
        sa_select(_ENTRY.c.id, _ENTRY.c.kind, _ENTRY.c.body, _ENTRY.c.tries)
        .where(_ENTRY.c.platform == platform).order_by(_ENTRY.c.id).limit(limit)))
    if rows:
        conn.execute(update(_ENTRY).where(_ENTRY.c.id.in_([r.id for r in rows]))
                     .values(tries=_ENTRY.c.tries + 1))
    return rows
