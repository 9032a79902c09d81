"""Messages taken for sending in the transaction that wrote them, and what still needs a look."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import event

from adapters.testing import TestingAdapter
from bot.app import build_core
from bot.kernel.core import Core
from bot.kernel.events import CommandIssued, Outbound
from bot.kernel.ports import Delivered, FakeClock, RetryLater
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
    fresh = build_core(settings=bot.core.settings, engine=bot.core.engine, clock=clock, worker_id="b")
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


class Gated(TestingAdapter):
    """Sends wait until the gate opens, as an answer waiting for a group's rate limit."""

    __test__ = False

    def __post_init__(self) -> None:
        super().__post_init__()
        self.gate = asyncio.Event()

    async def send(self, message: Outbound, *, edit_message_id: str | None = None) -> Delivered:
        await self.gate.wait()
        return await super().send(message, edit_message_id=edit_message_id)


async def test_in_the_background_an_answer_waiting_does_not_hold_the_next_event(
    core: Core,
) -> None:
    bot = Gated(core)
    core.deliver_in_background = True  # as ``ncbot run`` sets it
    await bot.say("rita", "/help", chat="garden")  # returns with its answer still waiting
    replies = await bot.say("sam", "/help", chat="orchard")
    assert replies == [] and [r.status for r in outbox_rows(core)] == ["sending", "sending"]
    bot.gate.set()
    await core.delivered()
    assert sorted(m.to.chat_id for m in bot.sent) == ["garden", "orchard"]
    assert [r.status for r in outbox_rows(core)] == ["sent", "sent"]
