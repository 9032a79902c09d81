"""`ncbot admin outbox`: what is parked or still waiting to be delivered, and retrying a parked one."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col

from bot.admin.operations import AdminError
from bot.kernel.plurals import Plural
from bot.kernel.rich import render
from storage.models import Chat, Identity, OutboundMessage
from storage.repo import work

PREVIEW = 80
ATTEMPTS = Plural("{count} attempt", "{count} attempts")


def attempts(n: int) -> str:
    return render(ATTEMPTS, count=n).text


def _preview(payload: str) -> str:
    data = json.loads(payload)
    text = " ".join("".join(span[0] for span in data.get("text", [])).split())
    if data.get("edit_of"):
        text = f"(edit of {data['edit_of']}) {text}"
    return text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…"


def _row(m: OutboundMessage) -> dict[str, Any]:
    return {
        "id": m.id,
        "platform": m.platform,
        "chat_id": m.chat_id,
        "user_id": m.user_id,
        "status": m.status,
        "attempts": m.attempts,
        "reason": m.last_error,
        "created_at": m.created_at.isoformat(timespec="seconds"),
        "next_attempt_at": None
        if m.status == "parked"
        else m.next_attempt_at.isoformat(timespec="seconds"),
        "text": _preview(m.payload),
    }


def outbox_report(session: Session, *, limit: int = 100) -> dict[str, Any]:
    """Parked messages with their reasons, messages still to be delivered, counts per status."""
    waiting = work.outbound_by_status(session, status="pending", limit=limit)
    waiting += work.outbound_by_status(session, status="sending", limit=limit)
    return {
        "counts": work.count_outbound(session),
        "parked": [_row(m) for m in work.outbound_by_status(session, status="parked", limit=limit)],
        "pending": [_row(m) for m in sorted(waiting, key=lambda m: m.id or 0)],
    }


def retry_parked(session: Session, *, row_id: int, now: datetime) -> dict[str, Any]:
    """Queue a parked message again; the admin has fixed its cause, so the address is live again."""
    row = session.get(OutboundMessage, row_id)
    if row is None:
        raise AdminError(f"no outbox message {row_id} (see ncbot admin outbox)")
    if row.status != "parked":
        raise AdminError(f"message {row_id} is {row.status}, not parked: nothing to retry")
    reason = row.last_error
    work.requeue_outbound(session, row_id=row_id, now=now)
    match = [col(Identity.user_id) == row.user_id] if row.user_id else []
    if row.chat_id:
        match.append(col(Identity.private_chat_id) == row.chat_id)
        session.execute(
            update(Chat)
            .where(col(Chat.platform) == row.platform, col(Chat.platform_chat_id) == row.chat_id)
            .values(gone_at=None)
        )
    session.execute(
        update(Identity)
        .where(col(Identity.platform) == row.platform, or_(*match))
        .values(unreachable_at=None)
    )
    return {"id": row_id, "was": reason, "status": "pending"}


def describe(result: dict[str, Any]) -> str:
    """The report as lines for a terminal."""
    if "was" in result:
        return f"Message {result['id']} is queued again (it was parked: {result['was']})."
    counts = ", ".join(f"{n} {status}" for status, n in sorted(result["counts"].items()))
    lines = [f"Outbox: {counts or 'empty'}."]
    for title, rows in (("Parked", result["parked"]), ("Waiting", result["pending"])):
        if not rows:
            continue
        lines.append(f"{title} ({len(rows)}):")
        for r in rows:
            to = f"chat {r['chat_id']}" if r["chat_id"] else f"user {r['user_id']}"
            when = f", next try {r['next_attempt_at']}" if r["next_attempt_at"] else ""
            lines.append(f"  {r['id']:>5}  {r['platform']} {to}  {attempts(r['attempts'])}{when}")
            if r["reason"]:
                lines.append(f"         why: {r['reason']}")
            lines.append(f"         {r['text']}")
    if result["parked"]:
        lines.append("Retry one with: ncbot admin outbox --retry ID")
    return "\n".join(lines)
