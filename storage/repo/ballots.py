"""Anonymous ballots: kept waiting without a voter, then mixed into the tallies in batches.

A ballot is written in the voter's own transaction (so a crash can neither lose it nor count it
without its voter) as a ``pendingballot`` row with a random id and no voter or time. While it
waits, that transaction's traces (the SQLite write-ahead log, PostgreSQL's ``xmin``) still tie it
to the voter row. Mixing moves a poll's waiting ballots into ``polloption.tally`` in one
transaction with no voter in it, one summed UPDATE per option, and deletes them; ``scrub`` then
removes the traces: the SQLite log is checkpointed and truncated (deleted rows are zeroed:
``secure_delete`` in storage/db.py), PostgreSQL's ballot table is rewritten into a new file
(dead rows and their ``xmin`` go; see ``_rewrite_waiting``) and the option table vacuumed.
See docs/polls.md.
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import delete, func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.models import PendingBallot, Poll, PollOption

log = logging.getLogger(__name__)


def add_pending(session: Session, *, poll_id: int, option_ids: Iterable[int]) -> int:
    """Keep one ballot waiting; returns how many ballots of the poll wait now."""
    choices = ",".join(str(i) for i in sorted(set(option_ids)))
    # A random key: the row's place says nothing about when it came.
    session.add(PendingBallot(id=secrets.randbits(62) + 1, poll_id=poll_id, choices=choices))
    session.flush()
    return waiting(session, poll_id=poll_id)


def waiting(session: Session, *, poll_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(PendingBallot)
                             .where(PendingBallot.poll_id == poll_id)).one())


def closed_polls_waiting(session: Session) -> list[int]:
    """Closed polls with ballots waiting (an erased person's named votes)."""
    return list(session.exec(
        select(PendingBallot.poll_id).join(Poll, col(Poll.id) == col(PendingBallot.poll_id))
        .where(col(Poll.closed_at).is_not(None)).distinct()))


def pending_counts(session: Session, *, poll_id: int) -> Counter[int]:
    """Per option id: the waiting ballots that chose it."""
    rows = session.exec(select(PendingBallot.choices).where(PendingBallot.poll_id == poll_id))
    return _count(rows)


def _count(rows: Iterable[str]) -> Counter[int]:
    return Counter(int(i) for choices in rows for i in choices.split(",") if i)


def mix(session: Session, *, poll_id: int) -> int:
    """Move the poll's waiting ballots into the tallies; how many were mixed.

    The delete claims each row once, so two processes mixing at once never count one twice.
    """
    taken = session.execute(
        delete(PendingBallot).where(col(PendingBallot.poll_id) == poll_id)
        .returning(col(PendingBallot.choices))
    ).scalars().all()
    counts = _count(taken)
    for option_id in sorted(counts):
        session.execute(update(PollOption).where(col(PollOption.id) == option_id)
                        .values(tally=col(PollOption.tally) + counts[option_id]))
    return len(taken)


def scrub(engine: Engine) -> bool:
    """Remove what the database keeps of rows already deleted; False when it must be tried again
    (another connection is reading, or holds the ballot table)."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            # Do not wait for readers: try again later instead of stalling this process.
            cur.execute("PRAGMA busy_timeout=0")
            busy, _, _ = cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
        finally:
            raw.close()
        return not busy
    try:
        _rewrite_waiting(engine)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("SET lock_timeout = '2s'")
            conn.exec_driver_sql("VACUUM polloption")  # old tallies: a mix's, never a voter's
    except Exception as exc:  # a lock not granted in time: the next scrub does it
        log.warning("clearing mixed ballots from the database waits: %s", type(exc).__name__)
        return False
    return True


def _rewrite_waiting(engine: Engine) -> None:
    """PostgreSQL: the ballot table's file is replaced by one holding only the ballots still
    waiting, written afresh. Deleted rows (their ``xmin`` is their voter's transaction) go with
    the old file at commit, whatever snapshot another session holds, which ``VACUUM`` would have
    to respect; and the waiting ones get this transaction's ``xmin``, no longer their voter's."""
    table = PendingBallot.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
        conn.exec_driver_sql("LOCK TABLE pendingballot IN ACCESS EXCLUSIVE MODE")
        rows = [dict(r._mapping) for r in conn.execute(table.select())]
        conn.exec_driver_sql("TRUNCATE pendingballot")
        if rows:
            conn.execute(table.insert(), sorted(rows, key=lambda r: r["id"]))
