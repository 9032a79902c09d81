"""Scheduled digests end to end: defaults, the weekly digest, nothing new, grace, restarts, once."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from adapters.testing import TestingAdapter
from bot.app import build_core
from bot.digests import delivery as digest_delivery
from bot.kernel.config import Settings
from bot.kernel.context import Work
from bot.kernel.core import Core
from bot.kernel.ports import FakeClock, Unreachable
from bot.kernel.scheduler import rebuild
from storage.db import create_db_engine, session_scope
from storage.models import DigestPeriod, DigestSchedule, OutboundMessage, Timer
from storage.repo import digests as repo
from tests import digest_rows as rows
from tests.helpers import make_councillor, make_facilitator, make_project

MON_0800 = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)  # the first default digest (London = UTC in Jan)


async def _council(bot: TestingAdapter) -> tuple[int, int]:
    """Jane (councillor) linked to Fran's garden project, with an open challenge and a closed poll."""
    jane = await make_councillor(bot, "Jane Doe", ["Fremont"])
    await make_facilitator(bot, "Fran Smith")
    project = await make_project(bot, "fran", "garden", "Fremont Garden", wards=["Fremont"])
    assert project.id is not None
    now = bot.core.clock.now()
    engine = bot.core.engine
    rows.link(engine, project.id, jane, now)
    rita = rows.resident(engine, "Rita", now)
    rows.challenge(engine, project.id, 1, "Move the bus stop back to the gate", now + timedelta(hours=1),
                   supporters=[(rita, now + timedelta(hours=2))])
    rows.poll(engine, project.id, 1, "Which day do we dig?", {"Saturday": 5, "Sunday": 3},
              created=now, closed=now + timedelta(days=2), outcome="We dig on Saturdays")
    return jane, project.id


def _periods(core: Core) -> list[DigestPeriod]:
    with session_scope(core.engine) as s:
        return list(s.exec(select(DigestPeriod).order_by(col(DigestPeriod.id))))


async def test_a_new_councillor_gets_the_default_schedule_armed(bot: TestingAdapter) -> None:
    jane = await make_councillor(bot, "Jane Doe", ["Fremont"])
    with session_scope(bot.core.engine) as s:
        schedule = repo.get_schedule(s, recipient_kind="person", recipient_id=jane)
        assert schedule is not None and (schedule.cadence, schedule.weekday) == ("weekly", 0)
        timer = s.exec(select(Timer).where(Timer.key == f"digest:person:{jane}")).one()
        assert timer.due_at == MON_0800


async def test_weekly_digest_then_nothing_new_means_nothing_sent(bot: TestingAdapter) -> None:
    jane, _ = await _council(bot)
    await bot.core.advance_clock(timedelta(days=7))
    digest = bot.last(user="jane").text
    assert "Your digest" in digest and "Fremont Garden" in digest
    assert "#1 Move the bus stop back to the gate" in digest and "1 support" in digest
    assert "#1 Which day do we dig? — Saturday 5, Sunday 3" in digest
    assert "Outcome: We dig on Saturdays" in digest
    group = bot.last(chat="garden").text
    assert "Digest for Fremont Garden" in group and "awaiting an answer for" in group
    before = len(bot.to_user("jane"))
    await bot.core.advance_clock(timedelta(days=7))
    assert len(bot.to_user("jane")) == before  # no empty digest
    skipped = [p for p in _periods(bot.core) if p.recipient_id == jane and p.recipient_kind == "person"]
    assert [p.skipped for p in skipped] == [None, "nothing new"]
    assert skipped[0].sent_at == MON_0800


async def test_a_period_is_claimed_once_by_racing_threads(settings: Settings, core: Core) -> None:
    winners: list[str] = []
    barrier = threading.Barrier(8)
    now = core.clock.now()

    def claim(n: int) -> None:
        engine = create_db_engine(settings.storage.url)
        barrier.wait()
        with session_scope(engine) as s:
            if repo.claim_period(s, recipient_kind="person", recipient_id=7, period_key="week:2026-W03",
                                 worker=f"w{n}", now=now, lease_until=now + timedelta(minutes=5)):
                winners.append(f"w{n}")
        engine.dispose()

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1


async def test_several_cores_racing_for_one_digest_send_it_once(
    bot: TestingAdapter, settings: Settings, clock: FakeClock
) -> None:
    jane, _ = await _council(bot)
    clock.set(MON_0800)
    errors: list[BaseException] = []

    def run(n: int, barrier: threading.Barrier) -> None:
        engine = create_db_engine(settings.storage.url)
        other = build_core(settings=settings, engine=engine, clock=clock, worker_id=f"core{n}")
        barrier.wait()

        async def go() -> None:
            with session_scope(engine) as s:
                w = Work(other, s, clock.now())
                schedule = repo.get_schedule(s, recipient_kind="person", recipient_id=jane)
                assert schedule is not None
                cadence = digest_delivery.cadence_of(schedule)
                tz = digest_delivery.zone_of(s, settings, "person", jane)
                await digest_delivery.deliver(w, schedule, cadence, tz, MON_0800)

        try:
            asyncio.run(go())
        except BaseException as exc:
            errors.append(exc)
        engine.dispose()

    barrier = threading.Barrier(6)
    threads = [threading.Thread(target=run, args=(n, barrier)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with session_scope(bot.core.engine) as s:
        digests = [m for m in s.exec(select(OutboundMessage)) if "Your digest" in m.payload]
    assert len(digests) == 1


async def test_a_claim_held_elsewhere_is_taken_over_after_its_lease(
    bot: TestingAdapter, clock: FakeClock
) -> None:
    jane, _ = await _council(bot)
    with session_scope(bot.core.engine) as s:
        assert repo.claim_period(s, recipient_kind="person", recipient_id=jane,
                                 period_key="week:2026-W03", worker="crashed",
                                 now=MON_0800, lease_until=MON_0800 + timedelta(minutes=5))
    before = len(bot.to_user("jane"))
    await bot.core.advance_clock(MON_0800 - clock.now() + timedelta(minutes=1))
    assert len(bot.to_user("jane")) == before  # the other worker's lease is still live
    await bot.core.advance_clock(timedelta(minutes=5))
    assert len(bot.to_user("jane")) == before + 1
    assert "Your digest" in bot.last(user="jane").text
    await bot.core.advance_clock(timedelta(hours=1))
    assert len(bot.to_user("jane")) == before + 1


async def test_a_crash_while_building_is_retried_and_sent_once(
    bot: TestingAdapter, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _council(bot)
    real = digest_delivery.build_items
    calls = {"n": 0}

    def flaky(*args: object, **kw: object) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("the process died here")
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(digest_delivery, "build_items", flaky)
    before = len(bot.to_user("jane"))
    await bot.core.advance_clock(MON_0800 - clock.now())
    assert len(bot.to_user("jane")) == before
    (period,) = [p for p in _periods(bot.core) if p.recipient_kind == "person"]
    assert period.sent_at is None and period.lease_until is not None
    await bot.core.advance_clock(timedelta(minutes=6))
    assert len(bot.to_user("jane")) == before + 1
    await bot.core.advance_clock(timedelta(days=1))
    assert len(bot.to_user("jane")) == before + 1


async def test_a_digest_missed_while_down_is_sent_on_start_within_grace(
    bot: TestingAdapter, clock: FakeClock
) -> None:
    await _council(bot)
    before = len(bot.to_user("jane"))
    clock.set(MON_0800 + timedelta(hours=3))  # the bot was down at 08:00
    restarted = build_core(settings=bot.core.settings, engine=bot.core.engine, clock=clock, worker_id="b")
    again = TestingAdapter(restarted)
    await restarted.run_due()
    assert len(again.to_user("jane")) == 1 and before == len(bot.to_user("jane"))
    assert "Your digest" in again.last(user="jane").text


async def test_a_digest_missed_beyond_grace_is_skipped_and_logged(
    bot: TestingAdapter, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    jane, _ = await _council(bot)
    before = len(bot.to_user("jane"))
    clock.set(MON_0800 + timedelta(hours=13))  # grace is 12 hours
    await bot.core.run_due()
    assert len(bot.to_user("jane")) == before
    assert "was missed" in caplog.text
    (period,) = [p for p in _periods(bot.core) if p.recipient_kind == "person"]
    assert period.period_key == "week:2026-W03" and period.skipped is not None
    assert "outside the grace window" in period.skipped
    with session_scope(bot.core.engine) as s:
        timer = s.exec(select(Timer).where(Timer.key == f"digest:person:{jane}")).one()
        assert timer.due_at == MON_0800 + timedelta(days=7) and timer.done_at is None
    await bot.core.advance_clock(timedelta(days=7))
    assert "Move the bus stop" in bot.last(user="jane").text  # the missed news comes next time


async def test_down_for_days_only_the_latest_daily_digest_goes(
    bot: TestingAdapter, clock: FakeClock
) -> None:
    await _council(bot)
    await bot.say("jane", "/digest daily 08:00")
    before = len(bot.to_user("jane"))
    clock.set(datetime(2026, 1, 9, 9, 0, tzinfo=UTC))  # down from Tue 08:00 to Fri 09:00
    await bot.core.run_due()
    assert len(bot.to_user("jane")) == before + 1
    person = [p for p in _periods(bot.core) if p.recipient_kind == "person"]
    assert [(p.period_key, p.sent_at is not None) for p in person] == [
        ("day:2026-01-06", False), ("day:2026-01-09", True)
    ]


async def test_timers_are_rebuilt_from_schedules_at_start(bot: TestingAdapter) -> None:
    jane, project_id = await _council(bot)
    with session_scope(bot.core.engine) as s:
        for timer in s.exec(select(Timer)):
            s.delete(timer)
        s.add(DigestSchedule(recipient_kind="project", recipient_id=project_id, cadence="daily",
                             at_time="18:00")) if repo.get_schedule(
            s, recipient_kind="project", recipient_id=project_id) is None else None
    assert await rebuild(bot.core) >= 2
    with session_scope(bot.core.engine) as s:
        keys = {t.key for t in s.exec(select(Timer))}
    assert {f"digest:person:{jane}", f"digest:project:{project_id}"} <= keys


async def test_one_unreachable_councillor_does_not_block_another(bot: TestingAdapter) -> None:
    jane, project_id = await _council(bot)
    ken = await make_councillor(bot, "Ken Lee", ["Fremont"])
    rows.link(bot.core.engine, project_id, ken, bot.core.clock.now())
    bot.fail_next.append(Unreachable("blocked the bot"))
    await bot.core.advance_clock(timedelta(days=7))
    got = [m.to.user_id for m in bot.sent if "Your digest" in m.text]
    assert len(got) == 1  # the first digest in the outbox failed, the other arrived
    with session_scope(bot.core.engine) as s:
        parked = list(s.exec(select(OutboundMessage).where(OutboundMessage.status == "parked")))
    assert len(parked) == 1
    assert jane != ken


async def test_a_worker_that_lost_its_claim_cannot_mark_the_period_sent(core: Core) -> None:
    now = core.clock.now()
    key: dict[str, Any] = {
        "recipient_kind": "person", "recipient_id": 7, "period_key": "day:2026-01-05"
    }
    with session_scope(core.engine) as s:
        assert repo.claim_period(s, **key, worker="slow", now=now,
                                 lease_until=now + timedelta(minutes=5))
    later = now + timedelta(minutes=6)
    with session_scope(core.engine) as s:
        assert not repo.claim_period(s, **key, worker="other", now=now + timedelta(minutes=1),
                                     lease_until=now + timedelta(minutes=6))  # lease still live
        assert repo.claim_period(s, **key, worker="other", now=later,
                                 lease_until=later + timedelta(minutes=5))  # taken over
    with session_scope(core.engine) as s:
        assert not repo.finish_period(s, **key, worker="slow", now=later)
        assert repo.finish_period(s, **key, worker="other", now=later)
        assert not repo.claim_period(s, **key, worker="third", now=later + timedelta(hours=1),
                                     lease_until=later + timedelta(hours=2))  # sent: final
