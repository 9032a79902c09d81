"""The core's promises: one effect per event id, a boundary around failures, the outbox, timers."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from adapters.testing import TestingAdapter
from bot.app import build_core
from bot.kernel.context import Ctx, Work
from bot.kernel.core import Core
from bot.kernel.events import CommandIssued, HandleResult
from bot.kernel.ports import ChatGone, FakeClock, RetryLater, Unreachable
from bot.kernel.routing import Command, Routes
from storage.db import session_scope
from storage.models import Chat, Identity, OutboundMessage
from storage.repo import projects


async def test_a_repeated_event_id_has_one_effect(bot: TestingAdapter) -> None:
    event = CommandIssued(chat=bot.dm("rita"), sender=bot.sender("rita"), name="help", event_id="u1")
    first = await bot.push(event)
    second = await bot.push(event)
    assert not first.duplicate and second.duplicate
    assert len(bot.sent) == 1


async def _boom(ctx: Ctx, args: str) -> None:
    raise RuntimeError("a bug")


def _with_command(core: Core, command: Command) -> None:
    r = core.routes
    core.routes = Routes((*r.commands, command), r.buttons, r.forms, r.conversations, r.timers)


async def test_a_failing_handler_answers_briefly_and_the_bot_goes_on(
    bot: TestingAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    _with_command(bot.core, Command("boom", _boom, "fails", "/boom", "/boom"))
    with caplog.at_level(logging.ERROR):
        replies = await bot.say("rita", "/boom")
    assert replies[-1].text.startswith("Sorry, something went wrong on my side")
    assert "Traceback" not in replies[-1].text and "a bug" not in replies[-1].text
    assert "a bug" in caplog.text  # the traceback goes to the log
    assert "/help" in (await bot.say("rita", "/help"))[-1].text


async def test_a_retried_send_is_delivered_later_in_order(bot: TestingAdapter, clock: FakeClock) -> None:
    bot.fail_next.append(RetryLater("429", after=30))
    await bot.say("rita", "/help")
    await bot.say("rita", "/start")
    assert bot.sent == []  # the first is waiting, and the second waits behind it
    clock.advance(timedelta(seconds=31))
    await bot.core.outbox.flush()
    assert [m.text.split()[0] for m in bot.sent] == ["Commands", "Hello"]


async def test_a_blocked_person_is_marked_unreachable_and_parked(bot: TestingAdapter) -> None:
    bot.fail_next.append(Unreachable("Forbidden: bot was blocked by the user"))
    await bot.say("rita", "/help")
    with session_scope(bot.core.engine) as s:
        row = s.exec(select(OutboundMessage)).one()
        assert row.status == "parked" and "blocked" in (row.last_error or "")
        identity = s.exec(select(Identity)).one()
        assert identity.unreachable_at is not None
    await bot.say("rita", "/help")  # writing again makes her reachable
    with session_scope(bot.core.engine) as s:
        assert s.exec(select(Identity)).one().unreachable_at is None


async def test_a_gone_chat_is_marked(bot: TestingAdapter) -> None:
    bot.fail_next.append(ChatGone("chat not found"))
    await bot.say("rita", "/help", chat="old-group")
    with session_scope(bot.core.engine) as s:
        chat = projects.find_chat(s, platform="test", platform_chat_id="old-group")
        assert chat is not None and chat.gone_at is not None


async def test_messages_survive_a_restart(bot: TestingAdapter, clock: FakeClock) -> None:
    bot.fail_next.append(RetryLater("down", after=5))
    await bot.say("rita", "/help")
    assert bot.sent == []
    # a new process on the same database delivers what the old one could not
    fresh = build_core(settings=bot.core.settings, engine=bot.core.engine, clock=clock, worker_id="b")
    other = TestingAdapter(fresh)
    clock.advance(timedelta(seconds=6))
    await fresh.outbox.flush()
    assert len(other.sent) == 1 and other.sent[0].text.startswith("Commands")


async def test_timers_run_at_their_own_time_in_order(bot: TestingAdapter, clock: FakeClock) -> None:
    seen: list[tuple[str, Any]] = []

    async def record(w: Work, key: str, payload: dict[str, Any]) -> None:
        seen.append((key, w.now - start))
        if key == "b" and payload.get("again"):
            w.schedule("test", "b", w.now + timedelta(hours=1))

    start = clock.now()
    r = bot.core.routes
    bot.core.routes = Routes(r.commands, r.buttons, r.forms, r.conversations, {"test": record})
    with session_scope(bot.core.engine) as s:
        w = Work(bot.core, s, start)
        w.schedule("test", "b", start + timedelta(hours=2), {"again": True})
        w.schedule("test", "a", start + timedelta(hours=1))
        w.schedule("test", "c", start + timedelta(days=5))
    await bot.core.advance_clock(timedelta(hours=4))
    assert seen == [("a", timedelta(hours=1)), ("b", timedelta(hours=2)), ("b", timedelta(hours=3))]
    assert clock.now() == start + timedelta(hours=4)


async def test_refusal_for_a_button_is_a_notice(bot: TestingAdapter) -> None:
    result: HandleResult = await bot.press("rita", "nothing:here")
    assert result.notice == "That button is no longer active."
    assert bot.sent == []


async def test_overlong_arguments_are_refused(bot: TestingAdapter) -> None:
    replies = await bot.say("rita", "/help " + "x" * 5000)
    assert replies[-1].text.startswith("That is too long")


async def test_chat_rows_are_reused(bot: TestingAdapter) -> None:
    await bot.say("rita", "hello", chat="g")
    await bot.say("sam", "hello", chat="g")
    with session_scope(bot.core.engine) as s:
        assert len(list(s.exec(select(Chat)))) == 1


async def test_platform_poll_counts_record_no_person(bot: TestingAdapter) -> None:
    from bot.kernel.events import ChatKind, ChatRef, PollCounted, Sender

    await bot.push(PollCounted(chat=ChatRef("test", "bot-self", ChatKind.PRIVATE),
                               sender=Sender("test", "bot-self", "The Bot"),
                               platform_poll_id="p1", counts=(3, 4), event_id="c1"))
    with session_scope(bot.core.engine) as s:
        assert list(s.exec(select(Identity))) == []
        assert list(s.exec(select(Chat))) == []


async def test_a_native_vote_does_not_make_a_blocked_person_reachable(bot: TestingAdapter) -> None:
    from bot.kernel.events import PollVoted

    bot.fail_next.append(Unreachable("Forbidden: bot was blocked by the user"))
    await bot.say("rita", "/help")
    await bot.push(PollVoted(chat=bot.dm("rita"), sender=bot.sender("rita"),
                             platform_poll_id="p1", option_indexes=(0,), event_id="v1"))
    with session_scope(bot.core.engine) as s:
        assert s.exec(select(Identity)).one().unreachable_at is not None
