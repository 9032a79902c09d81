"""The database decides who runs what: claims, leases and migrations under concurrent workers.

These run on SQLite and on PostgreSQL (see ``conftest.py``); a few look at PostgreSQL itself.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from adapters.testing import TestingAdapter
from bot.app import build_core
from bot.kernel import texts as T
from bot.kernel.config import Settings
from bot.kernel.context import Work
from bot.kernel.core import Core
from bot.kernel.ports import FakeClock
from bot.kernel.rich import render
from bot.kernel.scheduler import rebuild
from storage.db import create_db_engine, is_sqlite, session_scope
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import Chat, DigestSchedule, Identity, Person, RoleGrant, Timer
from storage.repo import work


def _timers(core: Core, n: int, due: datetime, kind: str = "noop") -> None:
    with session_scope(core.engine) as s:
        for i in range(n):
            s.add(Timer(kind=kind, key=f"{kind}:{i}", due_at=due, payload="{}"))


def _in_threads(n: int, run: Any) -> list[BaseException]:
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def go(i: int) -> None:
        barrier.wait()
        try:
            run(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_a_postgresql_test_has_a_schema_of_its_own(core: Core) -> None:
    if is_sqlite(core.engine):
        pytest.skip("a SQLite test has a file of its own")
    with core.engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
        tables = conn.execute(
            text("SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"),
            {"s": schema},
        ).scalar()
    assert schema is not None and schema.startswith("t_")
    assert tables and tables > 20


def test_processes_starting_together_migrate_once(db_url: str) -> None:
    def start(_: int) -> None:
        engine = create_db_engine(db_url)
        try:
            upgrade(engine)
        finally:
            engine.dispose()

    assert _in_threads(4, start) == []
    engine = create_db_engine(db_url)
    assert current_revision(engine) == head_revision(engine)
    engine.dispose()


def test_racing_workers_claim_each_due_timer_once(db_url: str, core: Core) -> None:
    now = core.clock.now()
    _timers(core, 300, now)
    claimed: list[tuple[int, int]] = []

    def worker(i: int) -> None:
        engine = create_db_engine(db_url)
        try:
            while True:
                with session_scope(engine) as s:
                    batch = work.claim_due_timers(
                        s, worker=f"w{i}", now=now, lease_until=now + timedelta(minutes=5), limit=7
                    )
                if not batch:
                    return
                claimed.extend((i, t.id or 0) for t in batch)
        finally:
            engine.dispose()

    assert _in_threads(6, worker) == []
    ids = Counter(timer_id for _, timer_id in claimed)
    assert len(ids) == 300 and set(ids.values()) == {1}
    with session_scope(core.engine) as s:
        owners = {t.id: t.claimed_by for t in s.exec(select(Timer))}
    assert all(owners[timer_id] == f"w{i}" for i, timer_id in claimed)


def test_timers_another_worker_is_claiming_are_skipped_not_waited_for(core: Core) -> None:
    if is_sqlite(core.engine):
        pytest.skip("SQLite lets one writer in at a time: the other waits its turn")
    now = core.clock.now()
    lease = now + timedelta(minutes=5)
    _timers(core, 10, now)
    with session_scope(core.engine) as first:
        held = work.claim_due_timers(first, worker="a", now=now, lease_until=lease, limit=3)
        # ``first`` has not committed; a second worker must not block on its three rows.
        with session_scope(core.engine) as second:
            second.execute(text("SET LOCAL lock_timeout = '10s'"))
            other = work.claim_due_timers(second, worker="b", now=now, lease_until=lease, limit=10)
    assert len(held) == 3 and len(other) == 7
    assert not {t.id for t in held} & {t.id for t in other}


def test_a_lease_that_ran_out_is_taken_over(core: Core) -> None:
    now = core.clock.now()
    _timers(core, 1, now)
    with session_scope(core.engine) as s:
        assert work.claim_due_timers(s, worker="dead", now=now, lease_until=now + timedelta(minutes=5))
    with session_scope(core.engine) as s:
        assert not work.claim_due_timers(
            s, worker="alive", now=now + timedelta(minutes=4), lease_until=now + timedelta(minutes=9)
        )
    with session_scope(core.engine) as s:
        taken = work.claim_due_timers(
            s, worker="alive", now=now + timedelta(minutes=6), lease_until=now + timedelta(minutes=11)
        )
    assert [t.claimed_by for t in taken] == ["alive"]


async def test_the_injected_timer_lease_is_the_one_used(settings: Settings, clock: FakeClock) -> None:
    engine = create_db_engine(settings.storage.url)
    upgrade(engine)
    core = build_core(settings=settings, engine=engine, clock=clock, worker_id="w",
                timer_lease=timedelta(seconds=45))
    failing: list[str] = []

    async def fails(w: Work, key: str, payload: dict[str, Any]) -> None:
        failing.append(key)
        raise RuntimeError("a handler that fails leaves its lease to run out")

    core.routes.timers["fails"] = fails
    _timers(core, 1, clock.now(), kind="fails")
    await core.run_due()
    with session_scope(engine) as s:
        timer = s.exec(select(Timer)).one()
    assert failing == ["fails:0"] and timer.lease_until == clock.now() + timedelta(seconds=45)
    engine.dispose()


async def test_a_timer_re_armed_by_an_earlier_one_of_its_batch_waits_for_its_new_time(
    core: Core, clock: FakeClock
) -> None:
    ran: list[str] = []

    async def first(w: Work, key: str, payload: dict[str, Any]) -> None:
        ran.append(key)
        w.schedule("second", "second:0", w.now + timedelta(days=1), {"moved": True})

    async def second(w: Work, key: str, payload: dict[str, Any]) -> None:
        ran.append(f"{key} {json.dumps(payload)}")

    core.routes.timers.update(first=first, second=second)
    _timers(core, 1, clock.now(), kind="first")
    _timers(core, 1, clock.now(), kind="second")
    await core.run_due()  # both were claimed in one batch; the second was moved meanwhile
    assert ran == ["first:0"]
    await core.advance_clock(timedelta(days=1))
    assert ran == ["first:0", 'second:0 {"moved": true}']


def test_times_come_back_as_the_same_instant_in_utc(core: Core) -> None:
    local = datetime(2026, 6, 1, 18, 30, tzinfo=ZoneInfo("Europe/London"))  # BST, UTC+1
    with session_scope(core.engine) as s:
        s.add(Timer(kind="noop", key="k", due_at=local, payload="{}"))
    with session_scope(core.engine) as s:
        timer = s.exec(select(Timer)).one()
        earlier = s.exec(select(Timer).where(Timer.due_at < datetime.fromisoformat(
            "2026-06-01T17:31:00+00:00"))).all()
    assert timer.due_at == local and timer.due_at.utcoffset() == timedelta(0)
    assert len(earlier) == 1


async def test_processes_starting_together_arm_each_digest_once(
    db_url: str, core: Core
) -> None:
    now = core.clock.now()
    with session_scope(core.engine) as s:
        for i in range(30):
            person = Person(name=f"Councillor {i}", created_at=now)
            s.add(person)
            s.flush()
            assert person.id is not None
            s.add(RoleGrant(person_id=person.id, role="councillor", granted_at=now))

    def start(i: int) -> None:
        engine = create_db_engine(db_url)
        try:
            asyncio.run(rebuild(build_core(settings=core.settings, engine=engine,
                                           clock=core.clock, worker_id=f"p{i}")))
        finally:
            engine.dispose()

    assert _in_threads(4, start) == []
    with session_scope(core.engine) as s:
        schedules = s.exec(select(DigestSchedule)).all()
        timers = s.exec(select(Timer).where(col(Timer.kind) == "digest")).all()
    assert len(schedules) == 30 and len(timers) == 30


async def test_a_new_person_in_a_new_chat_reaching_several_processes_at_once(
    db_url: str, core: Core
) -> None:
    """The first commands of someone new, in a chat the bot has not seen, handled concurrently."""
    answers: list[str] = []

    def process(i: int) -> None:
        engine = create_db_engine(db_url)
        other = build_core(settings=core.settings, engine=engine, clock=core.clock, worker_id=f"p{i}")
        bot = TestingAdapter(other, _events=itertools.count(1000 * i))  # distinct event ids
        try:
            asyncio.run(bot.say("newcomer", "/help", chat="new-group"))
            answers.extend(m.text for m in bot.sent)
        finally:
            engine.dispose()

    assert _in_threads(6, process) == []
    assert len(answers) == 6 and not [a for a in answers if a == render(T.INTERNAL_ERROR).text]
    with session_scope(core.engine) as s:
        assert len(s.exec(select(Identity)).all()) == 1 and len(s.exec(select(Chat)).all()) == 1
