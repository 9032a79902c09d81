"""A database that cannot be used is not a refusal: ``Core.handle`` raises ``DatabaseUnavailable``.

Faults are real: SQLite reports a full database (its page limit stands in for a full disk); a
PostgreSQL server refuses connections. /healthz fails its database check and names the cause.
(Locks held by another process: tests/telegram/test_database_faults.py, tests/slack/.)
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import event

from adapters.http import HttpServer
from bot.app import build_core
from bot.kernel.config import load_settings
from bot.kernel.core import Core
from bot.kernel.errors import DatabaseUnavailable
from bot.kernel.events import ChatKind, ChatRef, CommandIssued, Sender
from bot.kernel.ports import FakeClock
from storage.db import create_db_engine
from tests.helpers import healthz

GENEROUS = 5.0  # seconds: a bound that only catches a hang


def _command(event_id: str) -> CommandIssued:
    return CommandIssued(chat=ChatRef("test", "dm-1", ChatKind.PRIVATE),
                         sender=Sender("test", "u-1", "Una"), event_id=event_id, name="help",
                         args="")


async def test_a_full_database_is_a_fault_not_an_apology(core: Core) -> None:
    if core.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's own page limit stands in for a full disk")
    core.engine.dispose()

    @event.listens_for(core.engine, "connect")
    def _no_room(dbapi_conn: Any, _record: Any) -> None:
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    http = HttpServer(core, host="127.0.0.1", port=0)
    await http.start()
    try:
        with pytest.raises(DatabaseUnavailable) as raised:
            await core.handle(_command("x" * 200_000))  # the ledger row needs new pages
        assert "full" in raised.value.cause
        status, body, _ = await healthz(http)
    finally:
        await http.stop()
    assert status == 503 and "full" in body["checks"]["database"]["detail"]


async def test_postgresql_refusing_connections_is_a_fault(clock: FakeClock) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere"  # nothing listens on port 9
    core = build_core(settings=load_settings(environ={"NCBOT_STORAGE__URL": url}),
                      engine=create_db_engine(url), clock=clock)
    core.inbound_wait = 0.3
    http = HttpServer(core, host="127.0.0.1", port=0)
    await http.start()
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable) as raised:
            await core.handle(_command("ev-1"))
        took = time.monotonic() - started
        status, body, health_took = await healthz(http)
    finally:
        await http.stop()
        core.engine.dispose()
    print(f"PostgreSQL refusing connections: {raised.value.cause!r} after {took:.2f} s; "
          f"/healthz {status} in {health_took:.2f} s")
    assert "OperationalError" in raised.value.cause
    assert took < GENEROUS and health_took < GENEROUS
    assert status == 503 and body["checks"]["database"]["ok"] is False
