"""Activity written for many messages at once: ledger rows, identities, chats and counts."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Table, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import (
    ActivityDay,
    ActivityParticipant,
    Chat,
    Identity,
    Person,
    ProcessedEvent,
    Project,
)
from storage.rows import inserted_ids
from storage.types import UTCDateTime

CHUNK = 300  # ids per IN (...): well inside SQLite's limit on bound parameters


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _insert(session: Session, model: Any) -> Any:
    """An INSERT that can say ON CONFLICT, in the dialect of the session's database."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(_table(model))


def record_new_events(
    session: Session, *, events: Collection[tuple[str, str]], now: datetime
) -> set[tuple[str, str]]:
    """Note (platform, event id) pairs in the ledger; returns the pairs that were not there yet."""
    rows = [{"platform": p, "event_id": e, "processed_at": now} for p, e in events]
    if not rows:
        return set()
    table = _table(ProcessedEvent)
    # One statement for all rows (executemany), so its compiled form is cached between batches.
    stmt = (
        _insert(session, ProcessedEvent).on_conflict_do_nothing()
        .returning(table.c.platform, table.c.event_id)
    )
    return {(str(p), str(e)) for p, e in session.connection().execute(stmt, rows).all()}


class KnownIdentity(NamedTuple):
    id: int
    person_id: int
    display_name: str
    username: str | None


def identities_by_user(
    session: Session, *, platform: str, user_ids: Collection[str]
) -> dict[str, KnownIdentity]:
    """What a batch needs of each sender's identity, read as plain rows (no ORM objects)."""
    table = _table(Identity)
    found: dict[str, KnownIdentity] = {}
    ids = list(user_ids)
    conn = session.connection()
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        rows = conn.execute(
            sa_select(table.c.user_id, table.c.id, table.c.person_id, table.c.display_name,
                      table.c.username)
            .where(table.c.platform == platform, table.c.user_id.in_(part))
        )
        for user_id, *rest in rows:
            found[str(user_id)] = KnownIdentity(*rest)
    return found


class Newcomer(NamedTuple):
    user_id: str
    display_name: str
    username: str | None
    at: datetime


class Added(NamedTuple):
    person_id: int
    identity_id: int


def add_newcomers(
    session: Session, *, platform: str, newcomers: Sequence[Newcomer]
) -> dict[str, Added]:
    """A person and an identity for each sender seen for the first time, in three statements
    for all of them; their ids by user id. One that another process created meanwhile is left
    out (and the person made for it removed): the caller takes it one by one."""
    if not newcomers:
        return {}
    people, identities = _table(Person), _table(Identity)
    conn = session.connection()
    person_ids = inserted_ids(conn, people, [{"name": n.display_name or None,
                                               "created_at": n.at} for n in newcomers])
    person_of = {n.user_id: pid for pid, n in zip(person_ids, newcomers, strict=True)}
    stmt = (_insert(session, Identity).on_conflict_do_nothing()
            .returning(identities.c.user_id, identities.c.id))
    added = {str(u): int(i) for u, i in conn.execute(stmt, [
        {"person_id": person_of[n.user_id], "platform": platform, "user_id": n.user_id,
         "display_name": n.display_name, "username": n.username, "last_seen_at": n.at}
        for n in newcomers])}
    taken = [pid for user_id, pid in person_of.items() if user_id not in added]
    if taken:
        conn.execute(people.delete().where(people.c.id.in_(taken)))
    return {user_id: Added(pid, added[user_id]) for user_id, pid in person_of.items()
            if user_id in added}


def chats_by_platform_id(
    session: Session, *, platform: str, chat_ids: Collection[str]
) -> dict[str, Chat]:
    return {chat.platform_chat_id: chat for chat in session.exec(
        _CHATS, params={"platform": platform, "chats": list(chat_ids)})}


# Built once: each batch of events runs it (building an ORM statement cost as much).
_CHATS = select(Chat).where(col(Chat.platform) == bindparam("platform"),
                            col(Chat.platform_chat_id).in_(bindparam("chats", expanding=True)))


def mark_seen(session: Session, *, seen: Mapping[int, datetime]) -> None:
    """``last_seen_at`` for many identities in one statement (an executemany by key)."""
    table = _table(Identity)
    if seen:
        session.connection().execute(
            table.update().where(table.c.id == bindparam("identity_id")).values(
                last_seen_at=bindparam("seen", type_=UTCDateTime())),
            [{"identity_id": i, "seen": at} for i, at in seen.items()],
        )


def add_counts(
    session: Session,
    *,
    messages: Mapping[tuple[int, date], int],
    participants: Collection[tuple[int, date, int]],
) -> None:
    """Add message counts per (project, day) and mark participants, without reading first."""
    conn = session.connection()
    day_rows = [{"project_id": p, "day": d, "messages": n} for (p, d), n in messages.items()]
    if day_rows:
        stmt = _insert(session, ActivityDay)
        stmt = stmt.on_conflict_do_update(
            index_elements=["project_id", "day"],
            set_={"messages": _table(ActivityDay).c.messages + stmt.excluded.messages},
        )
        conn.execute(stmt, day_rows)
    marks = [{"project_id": p, "day": d, "person_id": who} for p, d, who in participants]
    if marks:
        conn.execute(_insert(session, ActivityParticipant).on_conflict_do_nothing(), marks)


def inactive_projects(session: Session, *, project_ids: Collection[int]) -> list[Project]:
    """Of these projects, those that have not reached the activity threshold yet."""
    if not project_ids:
        return []
    return list(
        session.exec(
            select(Project).where(
                col(Project.id).in_(list(project_ids)), col(Project.became_active_at).is_(None)
            )
        )
    )
