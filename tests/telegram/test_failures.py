"""Flood limits, blocked people, vanished chats and passing faults, as the Bot API reports them."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.db import session_scope
from storage.models import Chat, Identity, OutboundMessage
from tests.telegram.conftest import Harness
from tests.telegram.payloads import GROUP_ID, PEOPLE, Updates


def outbox(tg: Harness) -> list[OutboundMessage]:
    with session_scope(tg.core.engine) as s:
        rows = list(s.exec(select(OutboundMessage).order_by(OutboundMessage.id)))  # type: ignore[arg-type]
        for row in rows:
            s.expunge(row)
        return rows


def identity(tg: Harness, who: str) -> Identity:
    with session_scope(tg.core.engine) as s:
        found = s.exec(select(Identity).where(Identity.user_id == str(PEOPLE[who]["id"]))).one()
        s.expunge(found)
        return found


async def test_a_short_flood_wait_is_waited_out_and_the_message_arrives(tg: Harness) -> None:
    tg.api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await tg.say("alice", "/help")
    attempts = tg.api.sent(chat_id=PEOPLE["alice"]["id"], ok=None)
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[0].params["text"] == attempts[1].params["text"]
    assert [r.status for r in outbox(tg)] == ["sent"]
    assert tg.adapter.pacer.waits == 1


async def test_a_long_flood_wait_goes_back_to_the_outbox_and_is_sent_later(tg: Harness) -> None:
    tg.api.fail("sendMessage", 429, "Too Many Requests: retry after 120", retry_after=120)
    await tg.say("alice", "/help")
    row = outbox(tg)[0]
    assert row.status == "pending" and "Retry in 120" in (row.last_error or "")
    assert row.next_attempt_at == tg.core.clock.now() + timedelta(seconds=120)
    await tg.core.advance_clock(timedelta(seconds=121))
    await tg.core.outbox.flush()
    assert outbox(tg)[0].status == "sent"
    assert [c.status for c in tg.api.sent(ok=None)] == [429, 200]


async def test_a_person_who_blocked_the_bot_is_marked_unreachable(tg: Harness) -> None:
    tg.api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await tg.say("bob", "/help")
    assert identity(tg, "bob").unreachable_at is not None
    row = outbox(tg)[0]
    assert row.status == "parked" and "blocked" in (row.last_error or "")
    await tg.say("bob", "/help")  # writing to the bot again makes them reachable
    assert identity(tg, "bob").unreachable_at is None
    assert tg.api.sent(chat_id=PEOPLE["bob"]["id"])


async def test_a_group_that_is_gone_is_marked_gone(tg: Harness) -> None:
    tg.api.fail("sendMessage", 400, "Bad Request: chat not found", chat_id=GROUP_ID)
    await tg.say("alice", "/help", Updates.group())
    with session_scope(tg.core.engine) as s:
        chat = s.exec(select(Chat).where(Chat.platform_chat_id == str(GROUP_ID))).one()
        assert chat.gone_at is not None
    assert outbox(tg)[0].status == "parked"


async def test_a_bad_request_is_parked_as_rejected_not_retried(tg: Harness) -> None:
    tg.api.fail("sendMessage", 400, "Bad Request: can't parse entities: unexpected end tag")
    await tg.say("alice", "/help")
    row = outbox(tg)[0]
    assert row.status == "parked" and (row.last_error or "").startswith("rejected")
    assert identity(tg, "alice").unreachable_at is None


async def test_a_server_error_is_retried_with_backoff(tg: Harness) -> None:
    tg.api.fail("sendMessage", 502, "Bad Gateway", times=2)
    await tg.say("alice", "/help")
    first = outbox(tg)[0]
    assert first.status == "pending" and first.attempts == 1
    await tg.core.advance_clock(timedelta(seconds=3))
    await tg.core.outbox.flush()
    second = outbox(tg)[0]
    assert second.status == "pending" and second.attempts == 2
    assert second.next_attempt_at - tg.core.clock.now() == timedelta(seconds=4)  # doubled
    await tg.core.advance_clock(timedelta(seconds=5))
    await tg.core.outbox.flush()
    assert outbox(tg)[0].status == "sent"
    assert [c.status for c in tg.api.sent(ok=None)] == [502, 502, 200]


async def test_an_edit_that_changes_nothing_counts_as_done(tg: Harness) -> None:
    from bot.kernel.events import Address, Outbound
    from bot.kernel.rich import plain

    message = Outbound(Address("telegram", chat_id=str(GROUP_ID)), plain("Supporters: 3"))
    tg.api.fail("editMessageText", 400, "Bad Request: message is not modified: specified new "
                "message content and reply markup are exactly the same")
    delivered = await tg.adapter.send(message, edit_message_id="42")
    assert delivered.message_id == "42"
    assert [c.status for c in tg.api.sent("editMessageText", ok=None)] == [400]


async def test_health_recovers_when_the_api_answers_again(tg: Harness) -> None:
    from telegram.error import NetworkError

    tg.adapter._polling_failed(NetworkError("Bad Gateway"))
    tg.api.fail("getMe", 502, "Bad Gateway")
    assert await tg.adapter.health() == (False, "webhook: Bad Gateway")
    assert await tg.adapter.health() == (True, "webhook")


async def test_the_adapter_sends_through_its_pacer(tg: Harness) -> None:
    assert tg.adapter.app.bot.rate_limiter is tg.adapter.pacer
    assert tg.adapter.app.job_queue is None  # our scheduler runs the timers
