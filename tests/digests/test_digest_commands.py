"""/digest and /timezone: showing, setting, refusing, previews that use up no period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from adapters.testing import TestingAdapter
from storage.db import session_scope
from storage.models import DigestPeriod, Person, Timer
from storage.repo import digests as repo
from tests import digest_rows as rows
from tests.helpers import make_councillor, make_facilitator, make_project


def _timer(bot: TestingAdapter, key: str) -> Timer | None:
    with session_scope(bot.core.engine) as s:
        return s.exec(select(Timer).where(Timer.key == key, Timer.done_at == None)).first()  # noqa: E711


async def test_a_councillor_sees_and_sets_their_digest(bot: TestingAdapter) -> None:
    jane = await make_councillor(bot, "Jane Doe", ["Fremont"])
    (shown,) = await bot.say("jane", "/digest")
    assert shown.text.startswith("Your digest: every Monday at 08:00 (Europe/London time)")
    (done,) = await bot.say("jane", "/digest weekly fri 17:30")
    assert done.text == (
        "Your digest is now every Friday at 17:30 (Europe/London time). Next one: Fri 09 Jan 17:30."
    )
    timer = _timer(bot, f"digest:person:{jane}")
    assert timer is not None and timer.due_at == datetime(2026, 1, 9, 17, 30, tzinfo=UTC)
    (daily,) = await bot.say("jane", "/digest daily 07:00")
    assert "daily at 07:00" in daily.text and "Tue 06 Jan 07:00" in daily.text
    (off,) = await bot.say("jane", "/digest off")
    assert off.text.startswith("Your digest is off.")
    assert _timer(bot, f"digest:person:{jane}") is None


async def test_wrong_settings_and_wrong_people_are_refused(bot: TestingAdapter) -> None:
    await make_councillor(bot, "Jane Doe", ["Fremont"])
    (bad,) = await bot.say("jane", "/digest weekly funday 08:00")
    assert bad.text.startswith("I could not read “weekly funday 08:00”.")
    (late,) = await bot.say("jane", "/digest daily 24:00")
    assert late.text.startswith("I could not read")
    (resident,) = await bot.say("rita", "/digest daily 08:00")
    assert resident.text == "Only councillors and facilitators can use /digest."
    await make_facilitator(bot, "Fran Smith")
    (fran,) = await bot.say("fran", "/digest daily 08:00")
    assert fran.text.startswith("Private digests are for councillors.")


async def test_facilitators_set_the_group_digest(bot: TestingAdapter) -> None:
    await make_facilitator(bot, "Fran Smith")
    project = await make_project(bot, "fran", "garden", "Fremont Garden")
    (shown,) = await bot.say("fran", "/digest", chat="garden")
    assert shown.text.startswith("This group's digest: every Monday at 09:00")
    (done,) = await bot.say("fran", "/digest daily 18:00", chat="garden")
    assert done.text.startswith("This group's digest is now daily at 18:00")
    assert _timer(bot, f"digest:project:{project.id}") is not None
    await make_councillor(bot, "Jane Doe", ["Fremont"])
    (view,) = await bot.say("jane", "/digest", chat="garden")
    assert "daily at 18:00" in view.text
    (refused,) = await bot.say("jane", "/digest off", chat="garden")
    assert refused.text == "Only this project's facilitators can change its digest."
    other = await make_facilitator(bot, "Otto Other")
    assert other
    (no,) = await bot.say("otto", "/digest now", chat="garden")
    assert no.text == "Only this project's facilitators can change its digest."
    (outside,) = await bot.say("fran", "/digest", chat="lobby")
    assert outside.text.startswith("This chat is not a project group yet.")


async def test_digest_now_is_a_preview_that_uses_up_no_period(bot: TestingAdapter) -> None:
    jane = await make_councillor(bot, "Jane Doe", ["Fremont"])
    await make_facilitator(bot, "Fran Smith")
    project = await make_project(bot, "fran", "garden", "Fremont Garden", wards=["Fremont"])
    assert project.id is not None
    (nothing,) = await bot.say("jane", "/digest now")
    assert nothing.text.startswith("Nothing new since")
    now = bot.core.clock.now()
    rows.link(bot.core.engine, project.id, jane, now)
    rows.challenge(bot.core.engine, project.id, 1, "Fix the gate", now)
    bot.core.clock.set(now + timedelta(minutes=1))  # type: ignore[attr-defined]
    replies = await bot.say("jane", "/digest now")
    assert replies[0].text.startswith("Preview: your scheduled digest is not affected.")
    assert "#1 Fix the gate" in replies[0].text
    group = await bot.say("fran", "/digest now", chat="garden")
    assert "Digest for Fremont Garden" in group[0].text and len(bot.to_chat("garden")) >= 1
    with session_scope(bot.core.engine) as s:
        assert list(s.exec(select(DigestPeriod))) == []
        schedule = repo.get_schedule(s, recipient_kind="person", recipient_id=jane)
        assert schedule is not None and schedule.last_sent_at is None
    await bot.core.advance_clock(timedelta(days=7))
    assert "#1 Fix the gate" in bot.last(user="jane").text  # the scheduled one still comes


async def test_timezone_shows_sets_and_moves_the_digest(bot: TestingAdapter) -> None:
    jane = await make_councillor(bot, "Jane Doe", ["Fremont"])
    (shown,) = await bot.say("jane", "/timezone")
    assert shown.text.startswith("Your time zone is Europe/London.")
    (done,) = await bot.say("jane", "/timezone asia/tokyo")
    assert done.text.startswith("Your time zone is now Asia/Tokyo. Your local time: Mon 05 Jan 18:00")
    timer = _timer(bot, f"digest:person:{jane}")
    assert timer is not None and timer.due_at == datetime(2026, 1, 11, 23, 0, tzinfo=UTC)
    (bad,) = await bot.say("jane", "/timezone Mars/Olympus")
    assert bad.text.startswith("I don't know the time zone Mars/Olympus.")
    (abbrev,) = await bot.say("jane", "/timezone EST")
    assert abbrev.text.startswith("I don't know the time zone EST.")
    with session_scope(bot.core.engine) as s:
        person = s.get(Person, jane)
        assert person is not None and person.timezone == "Asia/Tokyo"
    (group,) = await bot.say("jane", "/timezone Europe/Paris", chat="garden")
    assert group.text == "Please use /timezone in a private chat with me."
