"""A busy week: 45 open challenges for one councillor, chased in at most one message a day."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from adapters.testing import TestingAdapter
from storage.db import session_scope
from storage.models import Challenge
from tests.challenge_setup import garden, raise_challenge

CHASE = "Scope challenges waiting for you"
RAISERS = ("kim", "lee", "max")


async def busy_week(bot: TestingAdapter) -> dict[str, Counter[date]]:
    """45 challenges raised Monday to Friday (9 a day, 09:00 to 17:00), none answered; then
    three weeks pass hour by hour. Returns, per person, their chasing messages per local day."""
    await garden(bot)
    per_day: dict[str, Counter[date]] = {who: Counter() for who in ("jane", "fran", "all")}
    seen = len(bot.sent)

    def count() -> None:
        nonlocal seen
        day = bot.core.clock.now().astimezone(ZoneInfo(bot.core.settings.bot.timezone)).date()
        for message in bot.sent[seen:]:
            for who in ("jane", "fran"):
                if message.to.user_id == who and message.text.startswith(CHASE):
                    per_day[who][day] += 1
            if message.to.user_id == "jane":
                per_day["all"][day] += 1  # new-challenge notices and digests too
        seen = len(bot.sent)

    number = 0
    for _day in range(5):
        for _hour in range(9):
            number += 1
            await raise_challenge(bot, f"Challenge {number}: the plan leaves out plot {number}",
                                  user=RAISERS[number % 3])
            count()
            await bot.core.advance_clock(timedelta(hours=1))
            count()
        for _ in range(24 - 9):
            await bot.core.advance_clock(timedelta(hours=1))
            count()
    for _ in range(16 * 24):
        await bot.core.advance_clock(timedelta(hours=1))
        count()
    return per_day


async def test_45_challenges_make_at_most_one_chasing_message_a_day(bot: TestingAdapter) -> None:
    per_day = await busy_week(bot)
    jane = per_day["jane"]
    assert max(jane.values()) == 1  # never two chasing messages on one day
    days = sorted(jane)
    busiest_week = max(sum(jane[d] for d in days if start <= d < start + timedelta(days=7))
                       for start in days)
    assert busiest_week <= 5  # chasing days are Monday to Friday: at most 5 in any 7 days
    assert max(per_day["fran"].values()) == 1
    with session_scope(bot.core.engine) as s:
        rows = list(s.exec(select(Challenge)))
    # Nothing dropped: every challenge was reminded and escalated on time.
    assert len(rows) == 45
    assert all(r.reminded_at is not None and r.escalated_at is not None for r in rows)
    for r in rows:
        assert r.reminded_at - r.raised_at < timedelta(hours=49)  # type: ignore[operator]
        assert r.escalated_at - r.raised_at < timedelta(days=7, hours=1)  # type: ignore[operator]
    # Before, each reminder and each escalation notice was a message of its own, sent on time.
    tz = ZoneInfo(bot.core.settings.bot.timezone)
    before: Counter[date] = Counter()
    for r in rows:
        before[r.reminded_at.astimezone(tz).date()] += 1  # type: ignore[union-attr]
        before[r.escalated_at.astimezone(tz).date()] += 1  # type: ignore[union-attr]
    before_week = max(sum(n for d, n in before.items() if start <= d < start + timedelta(days=7))
                      for start in before)
    print(f"before: {sum(before.values())} messages, at most {max(before.values())} a day, "
          f"{before_week} in the busiest week")
    # What each message lists adds up to every reminder and every escalation notice.
    messages = [m.text for m in bot.to_user("jane") if m.text.startswith(CHASE)]
    listed = sum(int(text.split("(")[1].split(" ")[0]) for text in messages)
    assert listed >= 45  # each challenge is in at least one message; most in two
    print(f"45 challenges: {sum(jane.values())} chasing messages to the councillor on "
          f"{len(jane)} days (at most {max(jane.values())} a day, {busiest_week} in the busiest "
          f"week), listing {listed} reminders and escalation notices; before: one message each")
    print("all private messages to the councillor per day:",
          ", ".join(f"{d:%a %d %b} {n}" for d, n in sorted(per_day["all"].items())))
