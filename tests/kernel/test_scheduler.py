"""The scheduler port: schedules rebuilt from rows at start, overdue work run at once, wake-ups."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from adapters.testing import TestingAdapter
from bot.kernel.ports import FakeClock
from bot.kernel.scheduler import Scheduler
from storage.db import session_scope
from storage.models import DigestSchedule, Project, Timer
from tests import digest_rows as rows
from tests.helpers import make_councillor


async def test_start_rebuilds_digest_timers_and_runs_what_is_overdue(
    bot: TestingAdapter, clock: FakeClock
) -> None:
    jane = await make_councillor(bot, "Jane Doe", ["Fremont"])
    now = clock.now()
    with session_scope(bot.core.engine) as s:
        project = Project(name="Garden", code="GARDEN", created_at=now)
        s.add(project)
        s.flush()
        assert project.id is not None
        project_id = project.id
        for timer in s.exec(select(Timer)):
            s.delete(timer)  # as if the timers had been lost: the schedules are the truth
    rows.link(bot.core.engine, project_id, jane, now)
    rows.challenge(bot.core.engine, project_id, 1, "Fix the gate", now)
    clock.set(now + timedelta(days=7, hours=1))  # Monday 08:00 has passed while we were down
    scheduler = Scheduler(bot.core)
    await scheduler.start()
    try:
        with session_scope(bot.core.engine) as s:
            kinds = {(d.recipient_kind, d.recipient_id) for d in s.exec(select(DigestSchedule))}
            armed = {t.key: t.due_at for t in s.exec(select(Timer)) if t.done_at is None}
        assert ("project", project_id) in kinds  # a project without one got the default
        assert f"digest:person:{jane}" in armed and f"digest:project:{project_id}" in armed
        assert armed[f"digest:person:{jane}"] > clock.now()
        assert armed[f"digest:project:{project_id}"] > clock.now()
    finally:
        await scheduler.stop()
    # Re-armed after start for the coming Monday; the overdue one (within grace) went at start.
    assert "#1 Fix the gate" in bot.last(user="jane").text
    sent = len(bot.to_user("jane"))
    with session_scope(bot.core.engine) as s:
        for timer in s.exec(select(Timer)):
            s.delete(timer)  # lost again, after the digest went: it must not go twice
    again = Scheduler(bot.core)
    await again.start()
    await again.stop()
    assert len(bot.to_user("jane")) == sent


async def test_wake_at_keeps_the_earliest_wake_up(bot: TestingAdapter, clock: FakeClock) -> None:
    scheduler = Scheduler(bot.core, tick=timedelta(hours=1))
    await scheduler.start()
    try:
        later, sooner = clock.now() + timedelta(hours=2), clock.now() + timedelta(minutes=10)
        scheduler.wake_at(later)
        scheduler.wake_at(sooner)
        scheduler.wake_at(later)
        job = scheduler._aps.get_job("wake")
        assert job is not None and job.next_run_time == sooner
    finally:
        await scheduler.stop()


async def test_a_tick_before_a_retry_keeps_the_retry_wake_up(bot: TestingAdapter,
                                                             clock: FakeClock) -> None:
    scheduler = Scheduler(bot.core, tick=timedelta(hours=1))
    await scheduler.start()
    try:
        retry = clock.now() + timedelta(seconds=2)
        bot.core.outbox.on_retry[0](retry)  # as the outbox does when a send failed
        assert scheduler.next_wake == retry
        await scheduler._ticked()  # the steady tick runs before the retry is due
        job = scheduler._aps.get_job("wake")
        assert scheduler.next_wake == retry  # not replaced by the next timer's due time
        assert job is not None and job.next_run_time == retry
        clock.set(retry)
        await scheduler._woken()
        assert scheduler.next_wake != retry  # served
    finally:
        await scheduler.stop()


async def test_a_wake_up_during_a_run_is_served_by_another_run(bot: TestingAdapter,
                                                               clock: FakeClock) -> None:
    scheduler = Scheduler(bot.core, tick=timedelta(hours=1))
    await scheduler.start()
    runs = 0
    original = bot.core.run_due

    async def run_due() -> int:
        nonlocal runs
        runs += 1
        if runs == 1:  # while the first run is busy, a wake-up falls due
            await scheduler._woken()
        return await original()

    bot.core.run_due = run_due  # type: ignore[method-assign]
    try:
        await scheduler._ticked()
        assert runs == 2  # the wake-up was not dropped because a run was under way
    finally:
        await scheduler.stop()
