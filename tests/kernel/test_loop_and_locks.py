"""Work that needs SQLite's write lock while another process holds it waits with the loop free.

The outbox's claims and marks are async transactions, and a unit of work that commits half way
(a digest's claim) begins again the same way: while another process holds the lock, other chats,
/healthz and the webhooks go on, and the work is done once the lock is let go.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from adapters.http import HttpServer
from adapters.testing import TestingAdapter
from bot.kernel.config import Settings
from bot.kernel.core import Core
from bot.kernel.ports import FakeClock, RetryLater
from storage.db import begin_again, writing
from storage.models import Timer
from storage.repo import work
from tests.db_locker import Locker
from tests.helpers import healthz

GENEROUS = 10.0  # seconds: a bound that only catches a hang


async def test_a_retry_waits_for_a_held_lock_without_holding_the_loop(
        bot: TestingAdapter, clock: FakeClock, settings: Settings) -> None:
    if bot.core.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock; the PostgreSQL locker holds other tables")
    bot.fail_next.append(RetryLater("429", after=30))
    await bot.say("rita", "/help")
    assert bot.sent == []  # waiting for its retry
    clock.advance(timedelta(seconds=31))
    http = HttpServer(bot.core, host="127.0.0.1", port=0)
    await http.start()
    try:
        with Locker(settings.storage.url) as locker:
            sending = asyncio.create_task(bot.core.outbox.flush())
            for _ in range(20):  # the loop runs other work while the retry waits for the lock
                await asyncio.sleep(0)
            assert not sending.done() and bot.sent == []
            status, body, _ = await healthz(http)  # answered, and it says why it is unhealthy
            assert status == 503 and body["checks"]["database"]["ok"] is False
            assert not sending.done()
            locker.release()
            assert await asyncio.wait_for(sending, GENEROUS) == 1
    finally:
        await http.stop()
    assert [m.text.split()[0] for m in bot.sent] == ["Commands"]


async def test_a_unit_of_work_begun_again_waits_for_a_held_lock_off_the_loop(
        core: Core, clock: FakeClock, settings: Settings) -> None:
    if core.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL begins on the next statement")
    with Session(core.engine, expire_on_commit=False) as session:
        session.add(Timer(kind="test", key="first", due_at=clock.now(), payload="{}"))
        session.commit()  # half way, as a digest's claim is
        with Locker(settings.storage.url) as locker:
            again = asyncio.create_task(begin_again(session))
            for _ in range(20):
                await asyncio.sleep(0)
            assert not again.done()
            locker.release()
            await asyncio.wait_for(again, GENEROUS)
        session.add(Timer(kind="test", key="second", due_at=clock.now(), payload="{}"))
        session.commit()
        keys = set(session.exec(select(Timer.key).where(col(Timer.kind) == "test")))
    assert keys == {"first", "second"}


async def test_a_plain_write_waits_for_a_held_lock_off_the_loop(
        core: Core, clock: FakeClock, settings: Settings) -> None:
    """``writing`` (an answer marked sent) waits as ``transaction`` does, then commits."""
    if core.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock; on PostgreSQL it is a session's transaction")
    timers: Any = Timer.__table__

    async def write() -> None:
        async with writing(core.engine) as conn:
            conn.execute(timers.insert().values(kind="test", key="plain", due_at=clock.now(),
                                                payload="{}"))

    with Locker(settings.storage.url) as locker:
        task = asyncio.create_task(write())
        for _ in range(20):  # the loop runs other work while the write waits for the lock
            await asyncio.sleep(0)
        assert not task.done()
        locker.release()
        await asyncio.wait_for(task, GENEROUS)
    with Session(core.engine) as session:
        assert list(session.exec(select(Timer.key).where(col(Timer.kind) == "test"))) == ["plain"]


async def test_a_look_the_database_refused_is_made_again(
        bot: TestingAdapter, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    bot.fail_next.append(RetryLater("429", after=30))
    await bot.say("rita", "/help")
    clock.advance(timedelta(seconds=31))

    def locked(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(work, "pending_outbound", locked)
    with pytest.raises(OperationalError):
        await bot.core.outbox.flush()
    monkeypatch.undo()
    await bot.core.outbox.flush(look=False)  # what a handler's delivery does: looks only if needed
    assert [m.text.split()[0] for m in bot.sent] == ["Commands"]
