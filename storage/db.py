"""Engine and session set-up. The only place that knows which database it is talking to."""

from __future__ import annotations

import asyncio
import sqlite3
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, create_engine

# How long a synchronous transaction waits for SQLite's write lock, in seconds. ``transaction``
# (async code) does not wait at all at BEGIN: it yields to the event loop and tries again.
LOCK_WAIT = 30.0
_lock_wait: ContextVar[float | None] = ContextVar("lock_wait", default=None)
_read_only: ContextVar[bool] = ContextVar("read_only", default=False)


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
            cur.execute(f"PRAGMA busy_timeout={int(LOCK_WAIT * 1000)}")
            _record.info["busy_ms"] = int(LOCK_WAIT * 1000)
            if parsed.database and parsed.database != ":memory:":
                _use_wal(cur)
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            # Deleted rows are overwritten with zeros, not left in free space (mixed ballots).
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # IMMEDIATE takes the write lock up front, so two writers never deadlock on upgrade;
            # it is also the one place a transaction waits for another process.
            if _read_only.get():
                conn.exec_driver_sql("BEGIN")  # a reader: WAL never makes it wait
                return
            wait = _lock_wait.get()
            busy_ms = int((LOCK_WAIT if wait is None else wait) * 1000)
            if conn.info.get("busy_ms") != busy_ms:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
                conn.info["busy_ms"] = busy_ms
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # PostgreSQL: the default READ COMMITTED; claims are conditional UPDATEs and row locks, so
    # several processes can share the database. Pre-ping survives a restarted server; a server
    # that does not answer is given up on after a few seconds, not the system's minutes.
    return create_engine(url, echo=echo, pool_pre_ping=True,
                         connect_args={"connect_timeout": CONNECT_TIMEOUT})


CONNECT_TIMEOUT = 5  # seconds (PostgreSQL)


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
    with _committed(Session(engine, expire_on_commit=False)) as session:
        yield session


U = TypeVar("U", Session, Connection)


@contextmanager
def _committed(unit: U) -> Iterator[U]:
    """``unit`` (a session or a connection) committed on success, rolled back on any error,
    closed either way."""
    with unit:
        try:
            yield unit
            unit.commit()
        except BaseException:
            unit.rollback()
            raise


def unavailable(exc: BaseException) -> bool:
    """The database could not do the work (locked, full, unreachable, gone), as opposed to a
    statement or a handler that is wrong: worth trying again later, never a refusal."""
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def locked(exc: BaseException) -> bool:
    """Another process holds the lock (SQLite's write lock, a PostgreSQL lock timeout)."""
    cause = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError) and (
        "database is locked" in cause or "lock timeout" in cause)


def cause_of(exc: BaseException) -> str:
    """One line naming what the database said (no statement, no parameters)."""
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    return f"{type(orig).__name__}: {first}"[:200]


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A read-only unit of work: on SQLite a plain (deferred) BEGIN, which another process's
    write lock never holds up, so it may run on the event loop."""
    token = _read_only.set(True)
    try:
        with Session(engine, expire_on_commit=False) as session:
            try:
                yield session
            finally:
                session.rollback()
    finally:
        _read_only.reset(token)


@asynccontextmanager
async def transaction(engine: Engine, *, wait: float = LOCK_WAIT) -> AsyncIterator[Session]:
    """``session_scope`` for async code: a lock held by another process is waited for with the
    event loop free (short tries that yield between them), for ``wait`` seconds at most.

    SQLite takes its write lock at BEGIN, so once begun nothing in the transaction waits for
    another process. PostgreSQL: an idle pooled connection is taken at once; a new connection
    is opened in a worker thread (a server that does not answer never holds the loop); with a
    ``wait`` shorter than ``LOCK_WAIT`` (inbound events) a row or table lock is waited for at
    most ``PG_LOCK_WAIT`` before the statement fails and the caller may try again.
    """
    session = await _begun(engine, wait, lambda: Session(engine, expire_on_commit=False),
                           lambda s: s.connection())
    with _committed(session):
        yield session


@asynccontextmanager
async def writing(engine: Engine, *, wait: float = LOCK_WAIT) -> AsyncIterator[Connection]:
    """``transaction`` without the ORM, for a few plain statements: on SQLite half the CPU of a
    session (an answer marked sent after each send). PostgreSQL takes a session's connection,
    whose checkout may need a worker thread."""
    if not is_sqlite(engine):
        async with transaction(engine, wait=wait) as session:
            yield session.connection()
        return
    conn = await _begun(engine, wait, engine.connect, lambda c: c.begin())
    with _committed(conn):
        yield conn


async def _begun(engine: Engine, wait: float, make: Callable[[], U],
                 begin: Callable[[U], object]) -> U:
    """``make()`` with its transaction begun, as ``transaction`` describes."""
    deadline = time.monotonic() + wait
    delay = 0.005
    while True:
        held = make()
        try:
            if is_sqlite(engine):
                token = _lock_wait.set(0.0)
                try:
                    begin(held)  # BEGIN IMMEDIATE: the write lock now, or SQLITE_BUSY
                finally:
                    _lock_wait.reset(token)
            elif _idle_connections(engine):
                # Checked out at once, without a hop to a thread: what follows a send (marking
                # it sent) then commits before anything else runs, so a kill can catch at most
                # the one message whose answer was being read.
                begin(held)
            else:
                await _begin_in_thread(held, begin)
            if not is_sqlite(engine) and wait < LOCK_WAIT:
                # A caller in a hurry: a lock fails fast, and is tried again.
                held.execute(text(f"SET LOCAL lock_timeout = '{PG_LOCK_WAIT}ms'"))
            return held
        except OperationalError as exc:
            held.close()
            if not locked(exc) or time.monotonic() + delay > deadline:
                raise
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.1)


async def begin_again(session: Session, *, wait: float = LOCK_WAIT) -> None:
    """Begin ``session``'s next transaction after a commit half way through a unit of work, as
    ``transaction`` begins its first: on SQLite without a busy wait, trying again with the loop
    free while another process holds the lock (then raising, as ``transaction`` does)."""
    if session.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL begins on the next statement; a lock there is a row's, held briefly
    deadline = time.monotonic() + wait
    delay = 0.005
    while True:
        token = _lock_wait.set(0.0)
        try:
            session.connection()
            return
        except OperationalError as exc:
            session.rollback()  # the failed BEGIN; loaded rows are read again when next used
            if not locked(exc) or time.monotonic() + delay > deadline:
                raise
        finally:
            _lock_wait.reset(token)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.1)


PG_LOCK_WAIT = 200  # milliseconds a PostgreSQL statement inside ``transaction`` waits for a lock


def _idle_connections(engine: Engine) -> int:
    checkedin = getattr(engine.pool, "checkedin", None)
    return int(checkedin()) if callable(checkedin) else 0


async def _begin_in_thread(held: U, begin: Callable[[U], object]) -> None:
    """Begin ``held``'s transaction in a worker thread. If the caller is cancelled meanwhile
    (a stop), it is closed only once the thread is done with it: closing it under the thread's
    feet leaves SQLAlchemy in an illegal state and the connection out of the pool."""
    begun = asyncio.ensure_future(asyncio.to_thread(begin, held))
    try:
        await asyncio.shield(begun)
    except asyncio.CancelledError:

        def close(done: asyncio.Future[Any]) -> None:
            if not done.cancelled():
                done.exception()  # retrieved: the caller is gone, nobody else wants it
            held.close()

        begun.add_done_callback(close)
        raise


async def probe(engine: Engine, *, wait: float = 0.25) -> None:
    """Raise unless a write transaction can begin within ``wait`` seconds (for /healthz); runs in
    a worker thread, so a database that does not answer never holds the event loop."""

    def begin_and_roll_back() -> None:
        token = _lock_wait.set(wait)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                conn.rollback()
        finally:
            _lock_wait.reset(token)

    await asyncio.wait_for(asyncio.to_thread(begin_and_roll_back), wait + CONNECT_TIMEOUT)
