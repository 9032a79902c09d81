"""The inbound ledger: a replayed or retried delivery has one effect; old ledger rows are pruned."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import func, select

from adapters.testing import TestingAdapter
from bot.app import build_core
from bot.kernel.config import load_settings
from bot.kernel.context import Work
from bot.kernel.core import Core
from bot.kernel.events import ButtonPressed, CommandIssued
from bot.kernel.ports import FakeClock
from bot.kernel.retention import TIMER_KEY, ensure_timer
from storage.db import create_db_engine, session_scope
from storage.migrate import upgrade
from storage.models import Challenge, PollVote, ProcessedEvent, Timer
from tests.challenge_setup import garden


def command(bot: TestingAdapter, user: str, line: str, event_id: str,
            chat: str | None = "garden") -> CommandIssued:
    head, _, args = line[1:].partition(" ")
    where = bot.dm(user) if chat is None else bot.group(chat)
    return CommandIssued(chat=where, sender=bot.sender(user), name=head, args=args,
                         event_id=event_id)


def count(bot: TestingAdapter, model: type) -> int:
    with session_scope(bot.core.engine) as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


async def test_a_replayed_command_has_one_effect(bot: TestingAdapter) -> None:
    await garden(bot)
    event = command(bot, "kim", "/challenge The bus route cuts the garden off", "upd-100")
    first = await bot.core.handle(event)
    sent = len(bot.sent)
    for _ in range(3):
        again = await bot.core.handle(event)
        assert again.duplicate
    assert not first.duplicate
    assert count(bot, Challenge) == 1
    assert len(bot.sent) == sent  # no second card, no second notice


async def test_simultaneous_deliveries_of_one_event_have_one_effect(bot: TestingAdapter) -> None:
    await garden(bot)
    event = command(bot, "kim", "/challenge The bus route cuts the garden off", "upd-200")
    results = await asyncio.gather(*(bot.core.handle(event) for _ in range(5)))
    assert sorted(r.duplicate for r in results) == [False, True, True, True, True]
    assert count(bot, Challenge) == 1


async def test_a_replayed_button_press_does_not_toggle_back(bot: TestingAdapter) -> None:
    await garden(bot)
    [card] = [m for m in await bot.say("fran", "/poll Bench? | By the pond | Under the oak",
                                       chat="garden") if m.message.buttons]
    press = ButtonPressed(chat=bot.group("garden"), sender=bot.sender("kim"),
                          action=card.button("pond"), event_id="cb-1")
    await bot.core.handle(press)
    await bot.core.handle(press)  # a toggle: processed twice it would withdraw the vote
    assert count(bot, PollVote) == 1


async def test_a_refused_command_is_answered_once(bot: TestingAdapter) -> None:
    await garden(bot)
    event = command(bot, "kim", "/scope Something else entirely", "upd-300")
    await bot.core.handle(event)
    await bot.core.handle(event)
    refusals = [m for m in bot.to_chat("garden") if "Only this project's facilitators" in m.text]
    assert len(refusals) == 1


async def test_the_same_id_on_another_platform_is_another_event(bot: TestingAdapter) -> None:
    other = TestingAdapter(bot.core, platform="other")
    await bot.say("kim", "/start")
    one = await bot.core.handle(command(bot, "kim", "/help", "42", chat=None))
    two = await bot.core.handle(command(other, "kim", "/help", "42", chat=None))
    assert not one.duplicate and not two.duplicate


async def test_events_without_an_id_are_not_recorded(bot: TestingAdapter) -> None:
    event = CommandIssued(chat=bot.dm("kim"), sender=bot.sender("kim"), name="help")
    await bot.core.handle(event)
    await bot.core.handle(event)
    assert len(bot.to_user("kim")) == 2
    assert count(bot, ProcessedEvent) == 0


# ---- retention -----------------------------------------------------------------------------


def arm(core: Core) -> None:
    with session_scope(core.engine) as session:
        ensure_timer(Work(core, session, core.clock.now()))


def ledger_ids(core: Core) -> set[str]:
    with session_scope(core.engine) as s:
        return set(s.exec(select(ProcessedEvent.event_id)))


async def test_ledger_rows_older_than_the_retention_are_pruned_daily(bot: TestingAdapter) -> None:
    core = bot.core
    await bot.core.handle(command(bot, "kim", "/help", "old", chat=None))
    await core.advance_clock(timedelta(days=5))
    await bot.core.handle(command(bot, "kim", "/help", "recent", chat=None))
    arm(core)
    arm(core)  # arming twice keeps one timer
    await core.run_due()
    assert ledger_ids(core) == {"old", "recent"}  # nothing is 7 days old yet
    await core.advance_clock(timedelta(days=3))  # "old" is 8 days old: the next daily run drops it
    assert ledger_ids(core) == {"recent"}
    await core.advance_clock(timedelta(days=5))
    assert ledger_ids(core) == set()
    with session_scope(core.engine) as s:
        [timer] = s.exec(select(Timer).where(Timer.key == TIMER_KEY)).all()
        assert timer.done_at is None and timer.due_at > core.clock.now()


async def test_within_the_retention_a_retry_is_still_a_duplicate(bot: TestingAdapter) -> None:
    arm(bot.core)
    event = command(bot, "kim", "/help", "retry-me", chat=None)
    await bot.core.handle(event)
    await bot.core.advance_clock(timedelta(days=6, hours=23))
    assert (await bot.core.handle(event)).duplicate


@pytest.mark.parametrize("days", [2, 30])
async def test_the_retention_is_configurable(db_url: str, days: int) -> None:
    settings = load_settings(environ={"NCBOT_STORAGE__URL": db_url,
                                      "NCBOT_LEDGER__RETENTION_DAYS": str(days)})
    engine = create_db_engine(db_url)
    upgrade(engine)
    core = build_core(settings=settings, engine=engine, clock=FakeClock(), worker_id="test")
    bot = TestingAdapter(core)
    await core.handle(command(bot, "kim", "/help", "e1", chat=None))
    arm(core)
    await core.advance_clock(timedelta(days=days - 1))
    assert ledger_ids(core) == {"e1"}
    await core.advance_clock(timedelta(days=2))
    assert ledger_ids(core) == set()
    engine.dispose()
