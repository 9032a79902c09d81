"""Digest schedules and the claimed (recipient, period) rows that make each digest go out once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    DigestPeriod,
    DigestSchedule,
    Project,
    RoleGrant,
    Timer,
)

# ---- schedules --------------------------------------------------------------------------------


def get_schedule(
    session: Session, *, recipient_kind: str, recipient_id: int
) -> DigestSchedule | None:
    return session.exec(
        select(DigestSchedule).where(
            DigestSchedule.recipient_kind == recipient_kind,
            DigestSchedule.recipient_id == recipient_id,
        )
    ).first()


def set_schedule(
    session: Session,
    *,
    recipient_kind: str,
    recipient_id: int,
    cadence: str,
    weekday: int | None,
    at_time: str,
) -> DigestSchedule:
    """Create or change a recipient's schedule; when the last digest went out is kept."""
    row = get_schedule(session, recipient_kind=recipient_kind, recipient_id=recipient_id)
    if row is None:
        row = DigestSchedule(
            recipient_kind=recipient_kind, recipient_id=recipient_id, cadence="off"
        )
        session.add(row)
    row.cadence, row.weekday, row.at_time = cadence, weekday, at_time
    session.flush()
    return row


def councillors_without_schedule(session: Session) -> list[int]:
    have = select(DigestSchedule.recipient_id).where(DigestSchedule.recipient_kind == "person")
    return list(
        session.exec(
            select(RoleGrant.person_id)
            .where(RoleGrant.role == "councillor", col(RoleGrant.person_id).not_in(have))
            .order_by(col(RoleGrant.person_id))
        )
    )


def projects_without_schedule(session: Session) -> list[int]:
    have = select(DigestSchedule.recipient_id).where(DigestSchedule.recipient_kind == "project")
    rows = session.execute(
        sa_select(col(Project.id)).where(col(Project.id).not_in(have)).order_by(col(Project.id))
    )
    return [int(pid) for (pid,) in rows]


def schedules_on(session: Session) -> list[DigestSchedule]:
    return list(session.exec(select(DigestSchedule).where(col(DigestSchedule.cadence) != "off")))


def pending_timer_keys(session: Session, *, kind: str) -> set[str]:
    return set(
        session.exec(select(Timer.key).where(Timer.kind == kind, col(Timer.done_at).is_(None)))
    )


# ---- periods: the claim that makes a digest go out once --------------------------------------


def claim_period(
    session: Session,
    *,
    recipient_kind: str,
    recipient_id: int,
    period_key: str,
    worker: str,
    now: datetime,
    lease_until: datetime,
) -> bool:
    """Take (recipient, period) for this worker; False if it is sent, skipped or leased elsewhere.

    A claim left by a worker that died (unsent, lease over) is taken over.
    """
    try:
        with session.begin_nested():
            session.add(
                DigestPeriod(
                    recipient_kind=recipient_kind,
                    recipient_id=recipient_id,
                    period_key=period_key,
                    claimed_at=now,
                    claimed_by=worker,
                    lease_until=lease_until,
                )
            )
            session.flush()
        return True
    except IntegrityError:
        pass
    result = session.execute(
        update(DigestPeriod)
        .where(
            col(DigestPeriod.recipient_kind) == recipient_kind,
            col(DigestPeriod.recipient_id) == recipient_id,
            col(DigestPeriod.period_key) == period_key,
            col(DigestPeriod.sent_at).is_(None),
            col(DigestPeriod.skipped).is_(None),
            col(DigestPeriod.lease_until) <= now,
        )
        .values(claimed_by=worker, claimed_at=now, lease_until=lease_until)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def get_period(
    session: Session, *, recipient_kind: str, recipient_id: int, period_key: str
) -> DigestPeriod | None:
    return session.exec(
        select(DigestPeriod).where(
            DigestPeriod.recipient_kind == recipient_kind,
            DigestPeriod.recipient_id == recipient_id,
            DigestPeriod.period_key == period_key,
        )
    ).first()


def finish_period(
    session: Session,
    *,
    recipient_kind: str,
    recipient_id: int,
    period_key: str,
    worker: str,
    now: datetime,
    skipped: str | None = None,
) -> bool:
    """Mark a period this worker still holds as sent (or skipped, with why); False if lost."""
    result = session.execute(
        update(DigestPeriod)
        .where(
            col(DigestPeriod.recipient_kind) == recipient_kind,
            col(DigestPeriod.recipient_id) == recipient_id,
            col(DigestPeriod.period_key) == period_key,
            col(DigestPeriod.claimed_by) == worker,
            col(DigestPeriod.sent_at).is_(None),
            col(DigestPeriod.skipped).is_(None),
        )
        .values(
            sent_at=None if skipped else now,
            skipped=skipped,
            lease_until=None,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
