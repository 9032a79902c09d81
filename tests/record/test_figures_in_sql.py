"""The record's figures, counted by the database, are the ones the chat commands compute."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from adapters.testing import TestingAdapter
from bot.challenges import Given, Received, answer_times, councillor_figures
from bot.kernel.ports import FakeClock
from bot.record import councillors, projects
from storage.db import session_scope
from storage.models import Challenge, ChallengeAnswer, ChallengeRecipient
from storage.repo import record_figures
from tests.record.scene import busy_public_project, project_code


@pytest.fixture
def clock() -> FakeClock:
    """Late on the last day of a month (UTC): in UTC+14 the first challenges are next month's."""
    return FakeClock(datetime(2026, 1, 31, 12, tzinfo=UTC))


def _python_answer_times(bot: TestingAdapter, person_id: int) -> list[timedelta]:
    with session_scope(bot.core.engine) as session:
        challenges = {c.id: c for c in session.exec(select(Challenge))}
        received = [Received(r.challenge_id, r.notified_at, r.reason, challenges[r.challenge_id].raised_at,
                             "", None, None, None)
                    for r in session.exec(select(ChallengeRecipient)
                                         .where(ChallengeRecipient.person_id == person_id))]
        given = [Given(a.challenge_id, challenges[a.challenge_id].raised_at, a.answered_at, None)
                 for a in session.exec(select(ChallengeAnswer)
                                       .where(ChallengeAnswer.councillor_id == person_id)
                                       .order_by(col(ChallengeAnswer.answered_at),
                                                 col(ChallengeAnswer.id)))]
    return answer_times(received, given)


async def test_the_databases_figures_match_the_commands(bot: TestingAdapter) -> None:
    await busy_public_project(bot)
    await bot.core.advance_clock(timedelta(days=3))
    now = bot.core.clock.now()
    with session_scope(bot.core.engine) as session:
        project = projects.record.public_project(session, code=project_code(bot))
        assert project is not None and project.id is not None
        people = [pid for _, pid in projects.record.linked_councillors(session, project_id=project.id)]
        assert people
        expected = {pid: councillor_figures(session, person_id=pid, now=now) for pid in people}
        on_project = record_figures.figure_rows(session, person_ids=people, project_id=project.id)
        in_public = record_figures.figure_rows(session, person_ids=people)
        counts = record_figures.answer_time_counts(session, person_id=people[0],
                                                   limits=councillors.BUCKET_LIMITS)
    for pid, want in expected.items():
        assert want.received and want.answered and want.followup_replies  # a real comparison
        for found in (on_project[pid], in_public[pid]):
            got = councillors._figures(found, pid, want.name, now)
            assert got.median_answer is not None and want.median_answer is not None
            assert abs(got.median_answer - want.median_answer) < timedelta(milliseconds=2)
            assert got.median_acknowledge is not None and want.median_acknowledge is not None
            assert abs(got.median_acknowledge - want.median_acknowledge) < timedelta(milliseconds=2)
            same = {"median_answer": want.median_answer, "median_acknowledge": want.median_acknowledge}
            assert got.__class__(**{**got.__dict__, **same}) == want
    limits = councillors.BUCKET_LIMITS
    want_counts = [0] * (len(limits) + 1)
    for t in _python_answer_times(bot, people[0]):
        want_counts[next((i for i, limit in enumerate(limits) if t < limit), len(limits))] += 1
    assert counts == want_counts and sum(counts)


async def test_the_monthly_chart_counts_in_local_months(bot: TestingAdapter) -> None:
    await busy_public_project(bot)
    tz = ZoneInfo("Pacific/Kiritimati")  # UTC+14: many challenges fall in another local day
    with session_scope(bot.core.engine) as session:
        found = projects.project_record(session, code=project_code(bot), now=bot.core.clock.now(),
                                        tz=tz, shown=1)
        assert found is not None
        raised = [c.raised_at for c in session.exec(select(Challenge))]
        firsts: dict[int, datetime] = {}
        for a in session.exec(select(ChallengeAnswer).order_by(col(ChallengeAnswer.answered_at))):
            firsts.setdefault(a.challenge_id, a.answered_at)
    want: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for at in raised:
        want[at.astimezone(tz).strftime("%Y-%m")][0] += 1
    for first in firsts.values():
        want[first.astimezone(tz).strftime("%Y-%m")][1] += 1
    assert {m.month: [m.raised, m.answered] for m in found.months if m.raised or m.answered} == want
