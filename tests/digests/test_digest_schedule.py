"""Cadences: parsing, next due instants in local time, periods, and the clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from adapters.testing import TestingAdapter
from bot.digests.schedule import Cadence, latest_due, next_due, parse_cadence, period_key
from bot.kernel.ports import FakeClock
from storage.db import session_scope
from storage.models import DigestPeriod
from tests import digest_rows as rows
from tests.helpers import make_councillor, make_facilitator, make_project

LONDON = ZoneInfo("Europe/London")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("daily 08:00", Cadence("daily", time(8, 0))),
        ("daily 7:05", Cadence("daily", time(7, 5))),
        ("weekly mon 08:00", Cadence("weekly", time(8, 0), 0)),
        ("Weekly Sunday 18:30", Cadence("weekly", time(18, 30), 6)),
        ("off", Cadence("off")),
        ("daily 25:00", None),
        ("weekly someday 08:00", None),
        ("weekly mon", None),
        ("hourly", None),
        ("", None),
    ],
)
def test_parse_cadence(text: str, expected: Cadence | None) -> None:
    assert parse_cadence(text) == expected


def test_next_and_latest_due_daily_and_weekly() -> None:
    daily = Cadence("daily", time(8, 0))
    assert next_due(daily, utc(2026, 1, 5, 7, 59), LONDON) == utc(2026, 1, 5, 8, 0)
    assert next_due(daily, utc(2026, 1, 5, 8, 0), LONDON) == utc(2026, 1, 6, 8, 0)
    weekly = Cadence("weekly", time(8, 0), 2)  # Wednesday
    assert next_due(weekly, utc(2026, 1, 5, 9, 0), LONDON) == utc(2026, 1, 7, 8, 0)
    assert latest_due(weekly, utc(2026, 1, 13, 9, 0), LONDON) == utc(2026, 1, 7, 8, 0)
    assert next_due(Cadence("off"), utc(2026, 1, 5), LONDON) is None


def test_eight_oclock_stays_eight_oclock_across_both_clock_changes() -> None:
    daily = Cadence("daily", time(8, 0))
    spring = [utc(2026, 3, 27, 12, 0)]
    for _ in range(4):
        spring.append(next_due(daily, spring[-1], LONDON))  # type: ignore[arg-type]
    # 28 March is GMT, 29 March (the clocks go forward at 01:00) is BST.
    assert spring[1:] == [utc(2026, 3, 28, 8), utc(2026, 3, 29, 7), utc(2026, 3, 30, 7),
                          utc(2026, 3, 31, 7)]
    weekly = Cadence("weekly", time(8, 0), 6)  # Sundays: the change days themselves
    assert next_due(weekly, utc(2026, 10, 19), LONDON) == utc(2026, 10, 25, 8)  # GMT again
    assert next_due(weekly, utc(2026, 10, 12), LONDON) == utc(2026, 10, 18, 7)  # still BST
    for due in spring[1:]:
        assert due.astimezone(LONDON).time() == time(8, 0)


def test_a_wall_time_in_the_spring_gap_falls_an_hour_later() -> None:
    gap = Cadence("daily", time(1, 30))
    due = next_due(gap, utc(2026, 3, 28, 12), LONDON)
    assert due == utc(2026, 3, 29, 1, 30)
    assert due.astimezone(LONDON).time() == time(2, 30)


def test_period_keys() -> None:
    assert period_key(Cadence("daily", time(8)), utc(2026, 3, 29, 7), LONDON) == "day:2026-03-29"
    assert period_key(Cadence("weekly", time(8), 0), utc(2026, 1, 12, 8), LONDON) == "week:2026-W03"
    # 00:30 BST on 1 June is still 31 May in UTC: the local date names the period.
    assert period_key(Cadence("daily", time(0, 30)), utc(2026, 5, 31, 23, 30), LONDON) == (
        "day:2026-06-01"
    )


async def test_daily_digests_go_at_eight_local_through_the_autumn_change(
    bot: TestingAdapter, clock: FakeClock
) -> None:
    clock.set(utc(2026, 10, 22, 12, 0))
    jane = await make_councillor(bot, "Jane Doe", ["Fremont"])
    await make_facilitator(bot, "Fran Smith")
    project = await make_project(bot, "fran", "garden", "Fremont Garden", wards=["Fremont"])
    assert project.id is not None
    rows.link(bot.core.engine, project.id, jane, clock.now())
    await bot.say("jane", "/digest daily 08:00")
    for day in range(5):  # something new every day, so every day's digest goes
        rows.challenge(bot.core.engine, project.id, day + 1, f"Challenge {day}",
                       utc(2026, 10, 22, 13) + timedelta(days=day))
    await bot.core.advance_clock(timedelta(days=5))
    with session_scope(bot.core.engine) as s:
        sent = [p.sent_at for p in s.exec(
            select(DigestPeriod).where(DigestPeriod.recipient_kind == "person")
            .order_by(col(DigestPeriod.id))
        )]
    assert [when.astimezone(LONDON).strftime("%d %H:%M") for when in sent if when] == [
        "23 08:00", "24 08:00", "25 08:00", "26 08:00", "27 08:00"
    ]
    assert sent[2] == utc(2026, 10, 25, 8) and sent[1] == utc(2026, 10, 24, 7)
