"""The machinery rows: timers, the inbound ledger, the outbox, conversations."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from storage.models import Conversation, OutboundMessage, ProcessedEvent, Timer
from storage.repo.activity import record_new_events
from storage.rows import as_read, inserted_ids

# ---- timers ---------------------------------------------------------------------------------


def schedule_timer(
    session: Session, *, kind: str, key: str, due_at: datetime, payload: dict[str, Any] | None = None
) -> Timer:
    """Create or move the timer ``key`` (a done timer is re-armed)."""
    timer = session.exec(select(Timer).where(Timer.key == key)).first()
    data = json.dumps(payload or {})
    if timer is None:
        timer = Timer(kind=kind, key=key, due_at=due_at, payload=data)
        session.add(timer)
    else:
        timer.kind, timer.due_at, timer.payload = kind, due_at, data
        timer.done_at = None
        timer.claimed_by = None
        timer.lease_until = None
    session.flush()
    return timer


def get_timer(session: Session, *, key: str) -> Timer | None:
    """The timer ``key``, pending or done (a done one keeps its last payload)."""
    return session.exec(select(Timer).where(Timer.key == key)).first()


def pending_timer(session: Session, *, key: str) -> Timer | None:
    """The timer ``key`` when it is armed and not yet done."""
    return session.exec(select(Timer).where(Timer.key == key, col(Timer.done_at).is_(None))).first()


def cancel_timer(session: Session, *, key: str) -> None:
    session.execute(delete(Timer).where(col(Timer.key) == key))


def next_timer_due(session: Session) -> datetime | None:
    return session.exec(
        select(Timer.due_at).where(col(Timer.done_at).is_(None)).order_by(col(Timer.due_at)).limit(1)
    ).first()


def claim_due_timers(
    session: Session, *, worker: str, now: datetime, lease_until: datetime, limit: int = 10
) -> list[Timer]:
    """Take up to ``limit`` due timers for this worker, earliest first, leased until ``lease_until``.

    A timer is due when it is not done, its time has come and nobody holds a live lease on it;
    a lease that ran out (its worker died) is taken over. On PostgreSQL rows another worker is
    claiming right now are skipped rather than waited for; SQLite lets one writer in at a time.
    """
    due = (
        select(Timer.id)
        .where(
            col(Timer.done_at).is_(None),
            col(Timer.due_at) <= now,
            or_(col(Timer.lease_until).is_(None), col(Timer.lease_until) < now),
        )
        .order_by(col(Timer.due_at), col(Timer.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.exec(due))
    if not ids:
        return []
    session.execute(
        update(Timer)
        .where(col(Timer.id).in_(ids))
        .values(claimed_by=worker, lease_until=lease_until)
        .execution_options(synchronize_session=False)
    )
    return list(
        session.exec(
            select(Timer)
            .where(col(Timer.id).in_(ids))
            .order_by(col(Timer.due_at), col(Timer.id))
            .execution_options(populate_existing=True)
        )
    )


def finish_timer(session: Session, *, timer_id: int, worker: str, now: datetime) -> bool:
    """Mark a claimed timer done; False when it is no longer this worker's to run.

    Between the claim and this, the timer may have been cancelled, re-armed for later by an
    earlier timer of the same batch, or taken over by another worker after the lease ran out.
    """
    result = session.execute(
        update(Timer)
        .where(
            col(Timer.id) == timer_id,
            col(Timer.claimed_by) == worker,
            col(Timer.done_at).is_(None),
            col(Timer.due_at) <= now,
        )
        .values(done_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# ---- the inbound ledger ---------------------------------------------------------------------


def record_event(session: Session, *, platform: str, event_id: str, now: datetime) -> bool:
    """Note an inbound event id; False when it was processed already."""
    return bool(record_new_events(session, events=[(platform, event_id)], now=now))


def prune_events(session: Session, *, before: datetime) -> int:
    result = session.execute(
        delete(ProcessedEvent).where(col(ProcessedEvent.processed_at) < before)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# ---- the outbox -----------------------------------------------------------------------------


def outbound_row(
    *,
    platform: str,
    chat_id: str | None,
    user_id: str | None,
    payload: dict[str, Any],
    ref: str | None,
    now: datetime,
) -> OutboundMessage:
    """A message for the outbox, not yet written (``write_outbound``)."""
    return as_read(
        OutboundMessage,
        platform=platform,
        chat_id=chat_id,
        user_id=user_id,
        payload=json.dumps(payload, ensure_ascii=False),
        ref=ref,
        next_attempt_at=now,
        created_at=now,
    )


def write_outbound(session: Session, rows: list[OutboundMessage]) -> None:
    """Write ``rows`` to the outbox in their order, each then holding its id.

    A plain insert, not an ORM flush (which cost more than the rest of writing a message); the
    rows are not taken into the session.
    """
    if not rows:
        return
    ids = inserted_ids(session.connection(), _OUT,
                       [row.model_dump(exclude={"id"}) for row in rows])
    for row, row_id in zip(rows, ids, strict=True):
        row.id = row_id


def pending_outbound(
    session: Session, *, now: datetime, platforms: list[str], limit: int = 500
) -> list[OutboundMessage]:
    return list(
        session.exec(
            select(OutboundMessage)
            .where(
                col(OutboundMessage.platform).in_(platforms),
                or_(
                    col(OutboundMessage.status) == "pending",
                    # a sender that died mid-send: its lease ran out, so take the row over
                    (col(OutboundMessage.status) == "sending")
                    & (col(OutboundMessage.lease_until) < now),
                ),
                col(OutboundMessage.next_attempt_at) <= now,
            )
            .order_by(col(OutboundMessage.id))
            .limit(limit)
        )
    )


def waiting_heads(
    session: Session, *, now: datetime, platforms: list[str]
) -> tuple[dict[tuple[str, str | None, str | None], int], datetime | None]:
    """Per address, the id of its earliest message still waiting for a retry; and the earliest
    time any of them is due.

    Later messages to the same chat must wait behind it, so that a chat reads in order.
    """
    rows = session.execute(
        sa_select(
            col(OutboundMessage.platform),
            col(OutboundMessage.chat_id),
            col(OutboundMessage.user_id),
            func.min(OutboundMessage.id),
            func.min(OutboundMessage.next_attempt_at),
        )
        .where(
            col(OutboundMessage.platform).in_(platforms),
            col(OutboundMessage.status) == "pending",
            col(OutboundMessage.next_attempt_at) > now,
        )
        .group_by(
            col(OutboundMessage.platform), col(OutboundMessage.chat_id), col(OutboundMessage.user_id)
        )
    ).all()
    heads = {(p, c, u): int(i or 0) for p, c, u, i, _ in rows}
    due = [d for *_, d in rows if d is not None]
    return heads, (min(due) if due else None)


_OUT: Table = OutboundMessage.__table__  # type: ignore[attr-defined]
# Built once: these run for every message written, and building and caching an ORM statement
# each time cost more than running it.
_UNSENT_BEFORE = (
    sa_select(_OUT.c.platform, _OUT.c.chat_id, _OUT.c.user_id)
    .where(_OUT.c.status.in_(("pending", "sending")), _OUT.c.id < bindparam("first"),
           or_(_OUT.c.chat_id.in_(bindparam("chats", expanding=True)),
               _OUT.c.user_id.in_(bindparam("users", expanding=True))))
    .distinct()
)
_CLAIM = (
    update(_OUT)
    .where(_OUT.c.id.in_(bindparam("ids", expanding=True)),
           or_(_OUT.c.status == "pending",
               and_(_OUT.c.status == "sending", _OUT.c.lease_until < bindparam("now"))))
    .values(status="sending", lease_until=bindparam("until", type_=_OUT.c.lease_until.type))
    .returning(_OUT.c.id)
)


def unsent_before(
    session: Session, *, rows: list[OutboundMessage]
) -> set[tuple[str, str | None, str | None]]:
    """The addresses of ``rows`` that have an earlier message still unsent (pending or sending)."""
    found = session.connection().execute(_UNSENT_BEFORE, {
        "first": min(r.id or 0 for r in rows),
        "chats": sorted({r.chat_id for r in rows if r.chat_id}),
        "users": sorted({r.user_id for r in rows if r.user_id})})
    return {(p, c, u) for p, c, u in found}


def claim_outbound_rows(
    session: Session, *, row_ids: list[int], now: datetime, lease_until: datetime
) -> set[int]:
    """Claim many rows in one statement; returns the ids this claim took (another sender may
    have taken some first). Objects of these rows held by ``session`` keep their old status."""
    if not row_ids:
        return set()
    result = session.connection().execute(_CLAIM, {"ids": row_ids, "now": now,
                                                   "until": lease_until})
    return {int(i) for (i,) in result.all()}


_SENT = (
    update(_OUT).where(_OUT.c.id == bindparam("row"))
    .values(status="sent", sent_at=bindparam("now", type_=_OUT.c.sent_at.type), lease_until=None,
            attempts=bindparam("attempts"), platform_message_id=bindparam("message_id"),
            platform_poll_id=bindparam("poll_id"))
)


def mark_sent(conn: Connection, marks: list[dict[str, Any]]) -> None:
    """Messages the platform took, each ``{row, attempts, now, message_id, poll_id}``: its id
    there (for edits) and its poll's, if any."""
    if marks:
        conn.execute(_SENT, marks[0] if len(marks) == 1 else marks)


def sent_message_id(session: Session, *, ref: str, platform: str) -> tuple[str | None, str]:
    """(platform message id, status) of the latest message sent with ``ref`` on a platform."""
    row = session.exec(
        select(OutboundMessage)
        .where(
            OutboundMessage.ref == ref,
            OutboundMessage.platform == platform,
            col(OutboundMessage.payload).not_like('%"edit_of": "%'),
        )
        .order_by(col(OutboundMessage.id).desc())
        .limit(1)
    ).first()
    if row is None:
        return None, "missing"
    return row.platform_message_id, row.status


def outbound_by_status(session: Session, *, status: str, limit: int = 100) -> list[OutboundMessage]:
    return list(
        session.exec(
            select(OutboundMessage)
            .where(OutboundMessage.status == status)
            .order_by(col(OutboundMessage.id))
            .limit(limit)
        )
    )


def count_outbound(session: Session) -> dict[str, int]:
    """How many outbox rows there are in each status."""
    rows = session.exec(
        select(OutboundMessage.status, func.count()).group_by(col(OutboundMessage.status))
    )
    return {status: int(n) for status, n in rows}


def requeue_outbound(session: Session, *, row_id: int, now: datetime) -> bool:
    """Put a parked message back in the queue with a fresh set of attempts; False if not parked."""
    result = session.execute(
        update(OutboundMessage)
        .where(col(OutboundMessage.id) == row_id, col(OutboundMessage.status) == "parked")
        .values(status="pending", attempts=0, timeouts=0, next_attempt_at=now, lease_until=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# ---- conversations --------------------------------------------------------------------------


def get_conversation(session: Session, *, platform: str, user_id: str) -> Conversation | None:
    return session.exec(
        select(Conversation).where(
            Conversation.platform == platform, Conversation.user_id == user_id
        )
    ).first()


def set_conversation(
    session: Session, *, platform: str, user_id: str, kind: str, state: dict[str, Any], now: datetime
) -> None:
    conv = get_conversation(session, platform=platform, user_id=user_id)
    if conv is None:
        conv = Conversation(platform=platform, user_id=user_id, kind=kind, updated_at=now)
        session.add(conv)
    conv.kind, conv.state, conv.updated_at = kind, json.dumps(state), now
    session.flush()


def end_conversation(session: Session, *, platform: str, user_id: str) -> bool:
    result = session.execute(
        delete(Conversation).where(
            col(Conversation.platform) == platform, col(Conversation.user_id) == user_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
