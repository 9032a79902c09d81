"""Telegram has no message for one person in a group: such an answer is posted as usual, and a
short-lived reply is deleted after its delay without holding up anything sent meanwhile."""

from __future__ import annotations

import asyncio

from adapters.expiry import Expiry
from bot.kernel.events import Address, Outbound
from bot.kernel.rich import plain
from tests.telegram.conftest import Harness
from tests.telegram.payloads import GROUP_ID


async def test_an_answer_for_one_person_is_an_ordinary_group_message(tg: Harness) -> None:
    message = Outbound(Address("telegram", chat_id=str(GROUP_ID)), plain("for you"),
                       ephemeral_to="1001")
    await tg.adapter.send(message)
    [sent] = tg.api.sent(chat_id=GROUP_ID)
    assert sent.params["text"] == "for you"
    assert tg.api.sent("deleteMessage") == []


async def test_a_short_lived_reply_is_deleted_after_its_delay(tg: Harness) -> None:
    release, waiting = asyncio.Event(), asyncio.Event()
    asked: list[float] = []

    async def held(seconds: float) -> None:
        asked.append(seconds)
        waiting.set()
        await release.wait()

    tg.adapter.delivery.expiry = Expiry(tg.adapter.delivery._delete, sleep=held)
    short = Outbound(Address("telegram", chat_id=str(GROUP_ID)), plain("Vote counted."),
                     delete_after=8)
    delivered = await tg.adapter.send(short)
    # The send returned while the deletion waits; the next message goes at once.
    await tg.adapter.send(Outbound(Address("telegram", chat_id=str(GROUP_ID)), plain("next")))
    assert len(tg.api.sent(chat_id=GROUP_ID)) == 2
    await asyncio.wait_for(waiting.wait(), 10)
    assert asked == [8] and tg.api.sent("deleteMessage") == []
    release.set()
    [deleted] = await tg.api.wait_sent("deleteMessage")
    assert str(deleted.params["message_id"]) == delivered.message_id
    assert str(deleted.params["chat_id"]) == str(GROUP_ID)


async def test_at_stop_a_waiting_reply_is_deleted_at_once(tg: Harness) -> None:
    never = asyncio.Event()

    async def forever(seconds: float) -> None:
        await never.wait()

    tg.adapter.delivery.expiry = Expiry(tg.adapter.delivery._delete, sleep=forever)
    await tg.adapter.send(Outbound(Address("telegram", chat_id=str(GROUP_ID)), plain("brief"),
                                   delete_after=60))
    await tg.adapter.delivery.expiry.stop()
    assert len(tg.api.sent("deleteMessage")) == 1
