"""Activity counted in batches: exact counts, one count per event id, commands see it first."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from adapters.testing import TestingAdapter
from bot.groups.activity_counts import ActivityCounter
from bot.kernel.events import MessagePosted, Outbound
from bot.kernel.ports import Delivered
from bot.people import texts as PEOPLE_T
from storage.db import session_scope
from storage.models import ActivityDay, ActivityParticipant, Chat, Identity, Person
from storage.repo import activity as counts
from storage.repo import people
from tests.helpers import make_councillor, make_facilitator, make_project


def messages(bot: TestingAdapter) -> int:
    with session_scope(bot.core.engine) as s:
        return int(s.exec(select(func.coalesce(func.sum(ActivityDay.messages), 0))).one())


def participants(bot: TestingAdapter) -> int:
    with session_scope(bot.core.engine) as s:
        return int(s.exec(select(func.count()).select_from(ActivityParticipant)).one())


def said(bot: TestingAdapter, user: str, chat: str, event_id: str) -> MessagePosted:
    return MessagePosted(chat=bot.group(chat), sender=bot.sender(user), text="hi all",
                         event_id=event_id)


async def garden(bot: TestingAdapter) -> None:
    await make_facilitator(bot, "Fran Fowler")
    await make_project(bot, "fran", "garden", "Fremont Garden", wards=["Fremont"])


async def test_each_message_is_written_at_once_without_a_window(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("kim", "hello", chat="garden")
    await bot.say("kim", "again", chat="garden")
    await bot.say("lee", "hello", chat="garden")
    assert (messages(bot), participants(bot)) == (3, 2)


async def test_with_a_window_counts_wait_and_are_exact_after_the_flush(bot: TestingAdapter) -> None:
    await garden(bot)
    bot.core.service(ActivityCounter).window = 3600.0
    for i in range(40):
        await bot.core.handle(said(bot, f"resident{i % 7}", "garden", f"m{i}"))
    assert messages(bot) == 0 and bot.core.service(ActivityCounter).pending == 40
    await bot.core.service(ActivityCounter).flush()
    assert (messages(bot), participants(bot)) == (40, 7)
    assert bot.core.service(ActivityCounter).pending == 0


async def test_a_redelivered_message_is_counted_once_in_and_across_batches(
    bot: TestingAdapter,
) -> None:
    await garden(bot)
    bot.core.service(ActivityCounter).window = 3600.0
    first = await bot.core.handle(said(bot, "kim", "garden", "m1"))
    again = await bot.core.handle(said(bot, "kim", "garden", "m1"))
    assert not first.duplicate and again.duplicate
    await bot.core.service(ActivityCounter).flush()
    await bot.core.handle(said(bot, "kim", "garden", "m1"))
    assert await bot.core.service(ActivityCounter).flush() == {("test", "m1")}
    assert messages(bot) == 1
    bot.core.service(ActivityCounter).window = 0.0
    assert (await bot.core.handle(said(bot, "kim", "garden", "m1"))).duplicate
    assert messages(bot) == 1


async def test_a_full_batch_is_written_without_waiting_for_the_window(bot: TestingAdapter) -> None:
    await garden(bot)
    bot.core.service(ActivityCounter).window = 3600.0
    bot.core.service(ActivityCounter).max_pending = 5
    for i in range(12):
        await bot.core.handle(said(bot, "kim", "garden", f"m{i}"))
    assert messages(bot) == 10 and bot.core.service(ActivityCounter).pending == 2


async def test_activity_reaching_the_threshold_is_proposed_when_its_batch_is_written(
    bot: TestingAdapter,
) -> None:
    await make_councillor(bot, "Jane Doe", wards=["Fremont"])
    await garden(bot)
    bot.core.service(ActivityCounter).window = 3600.0
    for user in ("kim", "lee", "max"):
        await bot.say(user, "hello everyone", chat="garden")
    await bot.say("kim", "/help", chat="garden")  # commands do not wait for the batch
    assert messages(bot) == 0
    assert not [m for m in bot.to_user("jane") if "Fremont Garden" in m.text]
    await bot.core.service(ActivityCounter).flush()
    assert messages(bot) == 3
    proposal = bot.last(user="jane")
    assert "Fremont Garden" in proposal.text and proposal.button_labels == ["Accept", "Decline"]


async def test_under_ncbot_run_writing_a_batch_does_not_wait_for_its_proposals_to_go_out(
    bot: TestingAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_councillor(bot, "Jane Doe", wards=["Fremont"])
    await garden(bot)
    bot.core.service(ActivityCounter).window = 3600.0
    for user in ("kim", "lee", "max"):
        await bot.say(user, "hello everyone", chat="garden")
    gate = asyncio.Event()
    send = bot.send

    async def slow(message: Outbound, **kwargs: Any) -> Delivered:
        await gate.wait()  # the platform's pace
        return await send(message, **kwargs)

    monkeypatch.setattr(bot, "send", slow)
    bot.core.deliver_in_background = True  # as ``ncbot run`` sets it
    # The batch is stored (what confirms its updates to the platform) with the proposal unsent.
    await asyncio.wait_for(bot.core.service(ActivityCounter).flush(), 5)
    assert messages(bot) == 3
    assert not [m for m in bot.to_user("jane") if "Fremont Garden" in m.text]
    gate.set()
    await bot.core.delivered()
    assert "Fremont Garden" in bot.last(user="jane").text


async def test_a_button_press_is_handled_after_what_its_presser_said(bot: TestingAdapter) -> None:
    await garden(bot)
    bot.core.service(ActivityCounter).window = 3600.0
    await bot.say("kim", "hello", chat="garden")
    await bot.press("kim", "nothing:1", chat="garden")
    assert messages(bot) == 1


async def test_timers_see_every_message_before_they_run(bot: TestingAdapter) -> None:
    await garden(bot)
    bot.core.service(ActivityCounter).window = 3600.0
    await bot.say("kim", "hello", chat="garden")
    await bot.core.run_due()
    assert messages(bot) == 1


async def test_newcomers_new_chats_and_renames_are_kept_current(bot: TestingAdapter) -> None:
    await garden(bot)
    bot.core.service(ActivityCounter).window = 3600.0
    await bot.core.handle(said(bot, "newcomer", "garden", "m1"))
    await bot.core.handle(said(bot, "kim", "elsewhere", "m2"))  # a group that is no project
    await bot.core.handle(MessagePosted(chat=bot.group("garden"),
                                        sender=bot.sender("kim", "Kim Renamed"), text="x",
                                        event_id="m3"))
    await bot.core.service(ActivityCounter).flush()
    with session_scope(bot.core.engine) as s:
        names = {i.user_id: i.display_name for i in s.exec(select(Identity))}
        chats = {c.platform_chat_id: c.project_id for c in s.exec(select(Chat))}
    assert names["newcomer"] == "Newcomer" and names["kim"] == "Kim Renamed"
    assert chats["elsewhere"] is None and chats["garden"] is not None
    assert (messages(bot), participants(bot)) == (2, 2)


async def test_many_newcomers_in_one_batch_each_become_a_person(bot: TestingAdapter) -> None:
    await garden(bot)
    bot.core.service(ActivityCounter).window = 3600.0
    for i in range(30):
        await bot.core.handle(said(bot, f"new{i % 12}", "garden", f"m{i}"))
    await bot.core.service(ActivityCounter).flush()
    with session_scope(bot.core.engine) as s:
        found = {i.user_id: (i.display_name, s.get(Person, i.person_id))
                 for i in s.exec(select(Identity).where(col(Identity.user_id).startswith("new")))}
    assert len(found) == 12
    assert {name for name, _ in found.values()} == {f"New{i}" for i in range(12)}
    assert all(person is not None and person.name == name for name, person in found.values())
    assert len({person.id for _, person in found.values() if person is not None}) == 12
    assert (messages(bot), participants(bot)) == (30, 12)


async def test_a_newcomer_another_process_created_meanwhile_is_not_created_twice(
    bot: TestingAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    await garden(bot)
    bot.core.service(ActivityCounter).window = 3600.0
    await bot.core.handle(said(bot, "ann", "garden", "m1"))
    await bot.core.handle(said(bot, "bea", "garden", "m2"))
    with session_scope(bot.core.engine) as other:  # the other process's own first message
        people.ensure_identity(other, platform="test", user_id="ann", display_name="Ann",
                               username=None, now=bot.core.clock.now())
    real = counts.identities_by_user

    def late(session: Session, **kwargs: Any) -> dict[str, counts.KnownIdentity]:
        # Read before the other process committed: ann looks new.
        return {k: v for k, v in real(session, **kwargs).items() if k != "ann"}

    monkeypatch.setattr(counts, "identities_by_user", late)
    await bot.core.service(ActivityCounter).flush()
    with session_scope(bot.core.engine) as s:
        rows = s.exec(select(Identity).where(col(Identity.user_id).in_(["ann", "bea"]))).all()
        anns = s.exec(select(Person).where(Person.name == "Ann")).all()
    assert sorted(i.user_id for i in rows) == ["ann", "bea"]  # one each
    assert len(anns) == 1  # the person made for the second ann went again
    assert (messages(bot), participants(bot)) == (2, 2)


async def test_a_failed_write_is_kept_and_written_on_the_next_flush(
    bot: TestingAdapter, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await garden(bot)
    bot.core.service(ActivityCounter).window = 3600.0
    for i in range(3):
        await bot.core.handle(said(bot, "kim", "garden", f"m{i}"))
    real = counts.add_counts

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(counts, "add_counts", broken)
    await bot.core.service(ActivityCounter).flush()
    assert "kept for a retry" in caplog.text
    assert messages(bot) == 0 and bot.core.service(ActivityCounter).pending == 3
    monkeypatch.setattr(counts, "add_counts", real)
    await bot.core.service(ActivityCounter).flush()
    assert messages(bot) == 3


async def test_a_press_waits_for_its_own_persons_talk_only(bot: TestingAdapter) -> None:
    """A press may erase its presser (/forgetme), so their pending talk is written first; the
    rest of the batch waits for its window, as commands let it."""
    await garden(bot)
    counter = bot.core.service(ActivityCounter)
    counter.window = 3600.0
    for i, user in enumerate(("kim", "lee", "kim")):
        await bot.core.handle(said(bot, user, "garden", f"m{i}"))
    await bot.press("max", "nosuchthing:1", chat="garden")  # nothing of Max's is pending
    assert messages(bot) == 0 and counter.pending == 3
    await bot.press("lee", "nosuchthing:2", chat="garden")
    assert messages(bot) == 3 and counter.pending == 0


async def test_the_erased_presser_is_not_brought_back_by_their_pending_talk(
        bot: TestingAdapter) -> None:
    await garden(bot)
    bot.core.service(ActivityCounter).window = 3600.0
    ask = (await bot.say("kim", "/forgetme"))[-1]
    await bot.core.handle(said(bot, "kim", "garden", "m1"))
    await bot.press("kim", ask.button(PEOPLE_T.FORGET_BUTTON_CONFIRM))
    await bot.core.service(ActivityCounter).flush()
    with session_scope(bot.core.engine) as s:
        assert s.exec(select(Identity).where(Identity.user_id == "kim")).first() is None
