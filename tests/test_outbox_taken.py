"""Messages taken for sending in the transaction that wrote them, and what still needs a look."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import event

from adapters.testing import TestingAdapter
from bot.core import Core
from bot.events import CommandIssued
from bot.ports import FakeClock, RetryLater
from tests.helpers import outbox_rows


def _statements(core: Core) -> list[str]:
    seen: list[str] = []
    event.listen(core.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: seen.append(" ".join(statement.split())))
    return seen


async def test_a_reply_is_sent_without_looking_for_it_again(bot: TestingAdapter) -> None:
    await bot.say("rita", "/help", chat="garden")  # a new process looks once, for leftovers
    seen = _statements(bot.core)
    replies = await bot.say("rita", "/help", chat="garden")
    assert replies[-1].text.startswith("Commands")
    looks = [s for s in seen if s.startswith("SELECT") and "outboundmessage.next_attempt_at" in s]
    assert looks == []  # no query for pending rows: the handler's own transaction claimed it
    assert [r.status for r in outbox_rows(bot.core)] == ["sent", "sent"]


async def test_a_retry_due_for_another_chat_goes_out_with_a_later_event(
    bot: TestingAdapter, clock: FakeClock
) -> None:
    announced: list[datetime] = []
    bot.core.on_due.append(announced.append)
    bot.fail_next.append(RetryLater("429", after=5))
    await bot.say("rita", "/help", chat="garden")
    assert bot.sent == [] and announced == [clock.now() + timedelta(seconds=5)]  # the wake-up
    await bot.say("sam", "/help", chat="orchard")
    assert [m.to.chat_id for m in bot.sent] == ["orchard"]  # the retry is not due yet
    clock.advance(timedelta(seconds=6))
    await bot.say("sam", "/help", chat="orchard")
    assert sorted(m.to.chat_id for m in bot.sent) == ["garden", "orchard", "orchard"]


async def test_a_message_taken_by_a_process_that_died_is_sent_after_the_lease(
    bot: TestingAdapter, clock: FakeClock
) -> None:
    help_ = CommandIssued(chat=bot.group("garden"), sender=bot.sender("rita"), name="help")
    await bot.core.handle(help_, deliver=False)  # and then the process dies
    assert [r.status for r in outbox_rows(bot.core)] == ["sending"]
    fresh = Core(settings=bot.core.settings, engine=bot.core.engine, clock=clock, worker_id="b")
    other = TestingAdapter(fresh)
    await fresh.outbox.flush()
    assert other.sent == []  # still leased to the first process
    clock.advance(timedelta(minutes=3))
    await fresh.outbox.flush()
    assert [m.text.split()[0] for m in other.sent] == ["Commands"]


async def test_a_message_behind_a_waiting_one_is_not_taken(
    bot: TestingAdapter, clock: FakeClock
) -> None:
    bot.fail_next.append(RetryLater("429", after=30))
    await bot.say("rita", "/help", chat="garden")
    await bot.say("rita", "/start", chat="garden")
    assert [r.status for r in outbox_rows(bot.core)] == ["pending", "pending"]
    clock.advance(timedelta(seconds=31))
    await bot.say("sam", "/help", chat="orchard")
    assert [m.text.split()[0] for m in bot.to_chat("garden")] == ["Commands", "Please"]
