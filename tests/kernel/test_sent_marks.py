"""Messages the platform took at the same time are marked sent in one write."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest
from sqlalchemy import event

from adapters.testing import TestingAdapter
from bot.kernel.context import Work
from bot.kernel.core import Core
from bot.kernel.events import Address, Outbound
from bot.kernel.ports import Delivered
from storage.db import session_scope
from tests.helpers import outbox_rows

CHATS = 10


@dataclass
class HeldAdapter(TestingAdapter):
    """Each send waits until ``answer`` is set, as a platform's answers that come back together."""

    __test__ = False

    answer: asyncio.Event = field(default_factory=asyncio.Event)
    asked: int = 0
    all_asked: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, message: Outbound, *, edit_message_id: str | None = None) -> Delivered:
        self.asked += 1
        if self.asked == CHATS:
            self.all_asked.set()
        await self.answer.wait()
        return await super().send(message, edit_message_id=edit_message_id)


def _marks(core: Core) -> list[int]:
    """For each statement that marks messages sent: how many it marks."""
    seen: list[int] = []

    def saw(_c: object, _cur: object, statement: str, parameters: object, _ctx: object,
            many: bool) -> None:
        if statement.startswith("UPDATE outboundmessage SET status=") and "sent_at" in statement:
            seen.append(len(parameters) if many else 1)  # type: ignore[arg-type]

    event.listen(core.engine, "before_cursor_execute", saw)
    return seen


async def test_answers_the_platform_gives_together_are_marked_in_one_write(core: Core) -> None:
    bot = HeldAdapter(core)
    with session_scope(core.engine) as s:
        w = Work(core, s, core.clock.now())
        for n in range(CHATS):
            w.send(Address("test", chat_id=f"dm-{n}"), f"message {n}")
    marks = _marks(core)
    sending = asyncio.ensure_future(core.outbox.flush())
    await bot.all_asked.wait()  # every send is under way, none answered
    bot.answer.set()
    assert await sending == CHATS
    assert marks == [CHATS]
    assert {r.status for r in outbox_rows(core)} == {"sent"}
    assert all(r.platform_message_id for r in outbox_rows(core))


@dataclass
class CountingAdapter(TestingAdapter):
    """Notes, at each send, how many messages it delivered are not yet recorded as sent."""

    __test__ = False

    unrecorded: list[int] = field(default_factory=list)

    async def send(self, message: Outbound, *, edit_message_id: str | None = None) -> Delivered:
        recorded = sum(r.status == "sent" for r in outbox_rows(self.core))
        self.unrecorded.append(len(self.sent) - recorded)
        return await super().send(message, edit_message_id=edit_message_id)


async def test_a_message_sent_alone_is_recorded_before_the_next_send(core: Core) -> None:
    """With no other send under way its mark does not wait: a kill after a send then finds that
    one message sent and unrecorded, and no other (docs/security.md)."""
    bot = CountingAdapter(core)
    with session_scope(core.engine) as s:
        w = Work(core, s, core.clock.now())
        for n in range(CHATS):
            w.send(Address("test", chat_id=f"dm-{n}"), f"message {n}")
    assert await core.outbox.flush() == CHATS
    assert bot.unrecorded == [0] * CHATS


async def test_a_mark_whose_write_is_stopped_leaves_no_send_waiting(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stop that cancels the write of some marks: the sends waiting on them end too."""
    bot = HeldAdapter(core)
    with session_scope(core.engine) as s:
        w = Work(core, s, core.clock.now())
        for n in range(CHATS):
            w.send(Address("test", chat_id=f"dm-{n}"), f"message {n}")
    writing_began = asyncio.Event()

    def stuck(_conn: object, _marks: object) -> None:
        writing_began.set()
        raise asyncio.CancelledError  # as a stop cancels the task writing

    monkeypatch.setattr("bot.kernel.sent_marks.work.mark_sent", stuck)
    sending = asyncio.ensure_future(core.outbox.flush())
    await bot.all_asked.wait()
    sends = [t for t in asyncio.all_tasks()
             if t.get_coro().__qualname__.endswith("_send.<locals>.run")]  # type: ignore[union-attr]
    assert len(sends) == CHATS
    bot.answer.set()
    await writing_began.wait()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(sending, 5)
    _, waiting = await asyncio.wait(sends, timeout=5)
    assert not waiting
