"""send(): Slack's answers as port failures, 429 through the outbox, DMs, files, coalesced edits."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from adapters.slack.coalesce import INTERVAL
from bot.kernel.context import Work
from bot.kernel.events import Address, Attachment, Outbound
from bot.kernel.ports import ChatGone, FakeClock, Rejected, RetryLater, Unreachable
from bot.kernel.rich import plain
from storage.db import session_scope
from storage.repo import work
from tests.slack.conftest import Rig


def to_chat(text: str, chat: str = "C1") -> Outbound:
    return Outbound(Address("slack", chat_id=chat), plain(text))


@pytest.mark.parametrize(("error", "failure"), [
    ("channel_not_found", ChatGone), ("is_archived", ChatGone), ("not_in_channel", ChatGone),
    ("user_not_found", Unreachable), ("account_inactive", Unreachable),
    ("msg_too_long", Rejected), ("invalid_blocks", Rejected),
])
async def test_slack_errors_become_port_failures(rig: Rig, error: str, failure: type) -> None:
    rig.api.fail("chat.postMessage", error)
    with pytest.raises(failure):
        await rig.adapter.send(to_chat("hi"))


async def test_429_is_retry_later_with_retry_after(rig: Rig) -> None:
    rig.api.fail("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(RetryLater) as caught:
        await rig.adapter.send(to_chat("hi"))
    assert caught.value.after == 7


async def test_a_network_error_raises_for_backoff(rig: Rig) -> None:
    rig.api.fail("chat.postMessage", drop=True)
    rig.api.fail("chat.postMessage", drop=True)  # the client retries a dropped connection once
    with pytest.raises(Exception) as caught:
        await rig.adapter.send(to_chat("hi"))
    assert not isinstance(caught.value, (ChatGone, Unreachable, Rejected, RetryLater))


async def test_through_the_outbox_a_429_is_waited_out_then_sent(rig: Rig, clock: FakeClock) -> None:
    rig.api.fail("chat.postMessage", status=429, retry_after=30)
    with session_scope(rig.core.engine) as s:
        Work(rig.core, s, clock.now()).send(Address("slack", chat_id="C1"), "the answer")
    assert await rig.core.outbox.flush() == 0
    assert await rig.core.outbox.flush() == 0  # not before Retry-After
    clock.advance(timedelta(seconds=31))
    assert await rig.core.outbox.flush() == 1
    assert [p["text"] for p in rig.posts("C1")] == ["the answer", "the answer"]
    with session_scope(rig.core.engine) as s:
        assert [r.status for r in work.outbound_by_status(s, status="sent")] == ["sent"]


async def test_a_person_without_a_chat_gets_a_dm_opened(rig: Rig) -> None:
    delivered = await rig.adapter.send(Outbound(Address("slack", user_id="U42"), plain("hello")))
    [opened] = rig.api.called("conversations.open")
    assert opened.params["users"] == "U42"
    assert rig.posts()[0]["channel"] == "D42"
    assert delivered.message_id.startswith("D42:")
    await rig.adapter.send(Outbound(Address("slack", user_id="U42"), plain("again")))
    assert len(rig.api.called("conversations.open")) == 1  # remembered


async def test_a_person_who_left_is_unreachable(rig: Rig) -> None:
    rig.api.fail("conversations.open", "user_not_found")
    with pytest.raises(Unreachable):
        await rig.adapter.send(Outbound(Address("slack", user_id="U43"), plain("hello")))


async def test_an_attachment_is_uploaded_as_a_file(rig: Rig) -> None:
    msg = Outbound(Address("slack", chat_id="D1"), plain("Your data"),
                   attachment=Attachment("mydata.json", b'{"name": "Jo"}'))
    delivered = await rig.adapter.send(msg)
    assert delivered.message_id.startswith("file:F")
    [complete] = rig.api.called("files.completeUploadExternal")
    assert complete.params["channel_id"] == "D1"
    assert list(rig.api.uploads.values()) == [b'{"name": "Jo"}']


async def test_edits_of_one_message_are_coalesced_to_one_per_second(rig: Rig) -> None:
    first = await rig.adapter.send(to_chat("votes: 0"))
    edited = await rig.adapter.send(to_chat("votes: 1"), edit_message_id=first.message_id)
    assert edited.message_id == first.message_id  # the first edit goes at once
    # Four more within the second (several senders): they wait for one update, the latest text.
    later = [asyncio.create_task(rig.adapter.send(to_chat(f"votes: {n}"),
                                                  edit_message_id=first.message_id))
             for n in range(2, 6)]
    await rig.time.slept.wait()
    rig.time.advance(INTERVAL / 2)
    await asyncio.sleep(0)
    assert len(rig.api.called("chat.update")) == 1
    assert not any(t.done() for t in later)  # none is "sent" before its update has gone
    rig.time.advance(INTERVAL / 2 + 0.01)
    for delivered in await asyncio.gather(*later):
        assert delivered.message_id == first.message_id
    assert [c.params["text"] for c in rig.api.called("chat.update")] == ["votes: 1", "votes: 5"]
    other = await rig.adapter.send(to_chat("another"))
    await rig.adapter.send(to_chat("another, edited"), edit_message_id=other.message_id)
    assert len(rig.api.called("chat.update")) == 3  # another message is not held back


async def test_a_paced_edit_that_is_rate_limited_goes_back_to_the_outbox(rig: Rig) -> None:
    first = await rig.adapter.send(to_chat("v0"))
    await rig.adapter.send(to_chat("v1"), edit_message_id=first.message_id)
    paced = asyncio.create_task(rig.adapter.send(to_chat("v2"), edit_message_id=first.message_id))
    rig.api.fail("chat.update", status=429, retry_after=4)
    await rig.time.slept.wait()
    rig.time.advance(INTERVAL + 0.01)  # just past the interval (no float ties)
    with pytest.raises(RetryLater) as limited:
        await paced  # not reported sent: the outbox retries it after Slack's Retry-After
    assert limited.value.after == 4
    assert [c.params["text"] for c in rig.api.called("chat.update")] == ["v1", "v2"]


async def test_a_paced_edit_waits_for_its_update_and_shares_its_failure(rig: Rig) -> None:
    first = await rig.adapter.send(to_chat("open"))
    await rig.adapter.send(to_chat("1 vote"), edit_message_id=first.message_id)
    older = asyncio.create_task(rig.adapter.send(to_chat("2 votes"),
                                                 edit_message_id=first.message_id))
    await rig.time.slept.wait()
    final = asyncio.create_task(rig.adapter.send(to_chat("closed"),
                                                 edit_message_id=first.message_id))
    rig.api.fail("chat.update", "internal_error", status=500)
    rig.time.advance(INTERVAL + 0.01)
    results = await asyncio.gather(older, final, return_exceptions=True)
    # One update carried "closed" for both, and it failed: neither edit counts as sent.
    assert [type(r).__name__ for r in results] == ["RetryLater", "RetryLater"]
    assert [c.params["text"] for c in rig.api.called("chat.update")] == ["1 vote", "closed"]


async def test_chat_update_removes_buttons_when_the_edit_has_none(rig: Rig) -> None:
    first = await rig.adapter.send(to_chat("poll open"))
    await rig.adapter.send(to_chat("poll closed"), edit_message_id=first.message_id)
    [update] = rig.api.called("chat.update")
    assert update.params["blocks"] in ([], "[]")
    assert update.params["channel"] == "C1" and update.params["ts"] == first.message_id[3:]
