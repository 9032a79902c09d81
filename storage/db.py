"""Engine and session set-up. The only place that knows which database it is talking to."""

from __future__ import annotations

import sqlite3
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, create_engine


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, decide when transactions begin.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout=30000")
            if parsed.database and parsed.database != ":memory:":
                _use_wal(cur)
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # IMMEDIATE takes the write lock up front, so two writers never deadlock on upgrade.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # PostgreSQL: the default READ COMMITTED; claims are conditional UPDATEs and row locks, so
    # several processes can share the database. Pre-ping survives a restarted server.
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _use_wal(cur: Any) -> None:
    """Put the file in WAL mode (it stays so); wait out another process doing the same.

    The switch needs the file to itself and SQLite's busy handler does not wait for it, so
    processes starting on a new file together retry briefly instead of failing.
    """
    if cur.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    for attempt in range(100):
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 99:
                raise
            time.sleep(0.05)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def take_turn(conn: Connection | Session, name: str) -> None:
    """Hold the lock ``name`` until the transaction of ``conn`` ends: processes doing the same
    start-up work (migrations, re-arming timers) do it one after another, not at once.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: nothing to do, BEGIN IMMEDIATE
    already lets one writer in at a time.
    """
    bind = conn.connection() if isinstance(conn, Session) else conn
    if bind.dialect.name == "postgresql":
        key = zlib.crc32(f"ncbot:{name}".encode())
        bind.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
