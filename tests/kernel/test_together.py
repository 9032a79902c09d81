"""Events that arrive together share a transaction, and each still has the effect it has alone."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy import event, text, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from adapters.testing import TestingAdapter
from bot.kernel import known, together
from bot.kernel.context import Ctx
from bot.kernel.core import Core
from bot.kernel.errors import DatabaseUnavailable, Refusal, UsageError
from bot.kernel.events import CommandIssued, HandleResult
from bot.kernel.ports import FakeClock
from bot.kernel.routing import Command, Routes
from bot.kernel.together import Together
from storage.db import session_scope
from storage.models import Chat, Identity, Person
from storage.repo import people, privacy
from storage.repo.activity import Newcomer
from tests.helpers import outbox_rows


def _statements(core: Core) -> list[str]:
    seen: list[str] = []
    event.listen(core.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: seen.append(" ".join(statement.split())))
    return seen


def _with_commands(core: Core, *commands: Command) -> None:
    r = core.routes
    core.routes = Routes((*r.commands, *commands), r.buttons, r.forms, r.conversations, r.timers)


def _command(bot: TestingAdapter, user: str, line: str, n: int) -> CommandIssued:
    name, _, args = line[1:].partition(" ")
    return CommandIssued(chat=bot.group("garden"), sender=bot.sender(user), name=name, args=args,
                         event_id=f"t{n}")


async def _together(bot: TestingAdapter, *lines: tuple[str, str],
                    alone: bool = False) -> list[HandleResult]:
    """The commands arrive in one turn of the event loop, as twenty Slack requests do; unless
    ``alone``, they must have been handled in one transaction (not each alone after it failed)."""
    bot.core.together = Together(bot.core)
    seen = _statements(bot.core)
    results = list(await asyncio.gather(*(
        bot.push(_command(bot, user, line, n)) for n, (user, line) in enumerate(lines))))
    ledger = [s for s in seen if s.startswith("INSERT INTO processedevent")]
    assert alone or len(ledger) == 1, "the batch fell back to handling each event alone"
    return results


def _answers(bot: TestingAdapter, user: str) -> list[str]:
    return [m.text for m in bot.sent if m.message.ephemeral_to == user]


async def test_commands_arriving_together_are_handled_in_one_transaction(
    bot: TestingAdapter,
) -> None:
    await bot.say("rita", "/help", chat="garden")
    seen = _statements(bot.core)
    people = [f"u{i}" for i in range(20)]
    await _together(bot, *((p, "/help") for p in people))
    assert all(_answers(bot, p)[0].startswith("Commands") for p in people)
    ledger = [s for s in seen if s.startswith("INSERT INTO processedevent")]
    claims = [s for s in seen if s.startswith("UPDATE outboundmessage SET status")
              and "'sent'" not in s and "sent_at" not in s]
    assert len(ledger) == 1  # one statement for the twenty events, not twenty
    assert len(claims) == 1
    assert [r.status for r in outbox_rows(bot.core)] == ["sent"] * 21


async def _half(ctx: Ctx, args: str) -> None:
    ctx.reply("written before the refusal")
    ctx.set_conversation("half", {})
    raise Refusal("Not today.")


async def _boom(ctx: Ctx, args: str) -> None:
    ctx.reply("written before the failure")
    raise RuntimeError("a bug")


async def _usage(ctx: Ctx, args: str) -> None:
    ctx.reply("written before the usage")
    raise UsageError()


async def test_a_refusal_or_a_failure_undoes_that_event_alone_and_is_answered_in_its_place(
    bot: TestingAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    _with_commands(bot.core, Command("half", _half, "refuses", "/half", "/half"),
                   Command("boom", _boom, "fails", "/boom", "/boom"),
                   Command("usage", _usage, "misused", "/usage N", "/usage 3"))
    with caplog.at_level(logging.ERROR):
        results = await _together(
            bot, ("rita", "/help"), ("sam", "/half"), ("tom", "/boom"), ("sam", "/help"),
            ("ursula", "/usage"), ("vera", "/help"))
    assert not any(r.duplicate for r in results)
    texts = [m.text for m in bot.sent]
    assert not any(t.startswith("written before") for t in texts)  # each undone
    assert _answers(bot, "rita")[0].startswith("Commands")
    assert _answers(bot, "vera")[0].startswith("Commands")
    # Sam's refusal comes before the answer to his next command, as when each is handled alone.
    assert [a.split()[0] for a in _answers(bot, "sam")] == ["Not", "Commands"]
    assert _answers(bot, "tom")[0].startswith("Sorry, something went wrong on my side")
    assert "/usage N" in _answers(bot, "ursula")[0]
    assert "a bug" in caplog.text
    with bot.core.engine.connect() as conn:  # the refused event's conversation was undone too
        assert conn.exec_driver_sql("SELECT count(*) FROM conversation").scalar_one() == 0


async def test_an_event_twice_in_a_batch_or_seen_before_has_one_effect(
    bot: TestingAdapter,
) -> None:
    bot.core.together = Together(bot.core)
    earlier = _command(bot, "rita", "/help", 1)
    await bot.push(earlier)
    again = _command(bot, "sam", "/help", 2)
    results = await asyncio.gather(bot.push(earlier), bot.push(again), bot.push(again))
    assert [r.duplicate for r in results] == [True, False, True]
    assert len(_answers(bot, "rita")) == 1 and len(_answers(bot, "sam")) == 1


async def _close(ctx: Ctx, args: str) -> None:
    """Marks this chat gone with a plain statement, as some of the features' writes are."""
    ctx.session.connection().execute(
        update(Chat).where(Chat.platform_chat_id == ctx.chat.platform_chat_id)
        .values(gone_at=ctx.now))


async def _where(ctx: Ctx, args: str) -> None:
    ctx.answer(f"gone: {ctx.chat.gone_at is not None}")


async def test_the_next_event_reads_what_the_one_before_changed(bot: TestingAdapter) -> None:
    _with_commands(bot.core, Command("close", _close, "closes", "/close", "/close"),
                   Command("where", _where, "tells", "/where", "/where"))
    await _together(bot, ("rita", "/where"), ("sam", "/close"), ("rita", "/where"))
    assert _answers(bot, "rita") == ["gone: False", "gone: True"]


async def _close_with_cte(ctx: Ctx, args: str) -> None:
    """The same change in a statement that does not start with its verb."""
    ctx.session.connection().execute(
        text("WITH here AS (SELECT :chat AS id) UPDATE chat SET gone_at = :now "
             "WHERE platform_chat_id IN (SELECT id FROM here)"),
        {"chat": ctx.chat.platform_chat_id, "now": ctx.now})


async def test_a_change_in_a_statement_of_another_shape_is_read_too(bot: TestingAdapter) -> None:
    _with_commands(bot.core, Command("close", _close_with_cte, "closes", "/close", "/close"),
                   Command("where", _where, "tells", "/where", "/where"))
    await _together(bot, ("rita", "/where"), ("sam", "/close"), ("rita", "/where"))
    assert _answers(bot, "rita") == ["gone: False", "gone: True"]


async def test_a_batch_the_database_refuses_is_handled_event_by_event(
    bot: TestingAdapter, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def locked(*_args: object, **_kwargs: object) -> set[tuple[str, str]]:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(together, "record_new_events", locked)
    with caplog.at_level(logging.ERROR):
        await _together(bot, *((p, "/help") for p in ("rita", "sam", "tom")), alone=True)
    assert all(_answers(bot, p)[0].startswith("Commands") for p in ("rita", "sam", "tom"))
    assert "failed" not in caplog.text  # a lock is no bug: nothing logged as one


async def test_when_the_database_stays_unusable_each_event_is_refused_to_the_platform(
    bot: TestingAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(together, "record_new_events", full)
    monkeypatch.setattr("storage.repo.work.record_new_events", full)
    bot.core.together = Together(bot.core)
    results = await asyncio.gather(
        *(bot.push(_command(bot, p, "/help", n)) for n, p in enumerate(("rita", "sam"))),
        return_exceptions=True)
    assert all(isinstance(r, DatabaseUnavailable) for r in results)
    assert bot.sent == [] and outbox_rows(bot.core) == []


async def test_the_senders_chats_and_roles_of_a_batch_are_read_once(bot: TestingAdapter) -> None:
    await bot.say("rita", "/help", chat="garden")
    seen = _statements(bot.core)
    await _together(bot, *((f"u{i}", "/help") for i in range(10)), ("rita", "/help"))
    reads = [s for s in seen if s.startswith("SELECT")]
    assert len([s for s in reads if "FROM identity" in s]) == 1
    assert len([s for s in reads if "FROM chat" in s]) == 1
    assert len([s for s in reads if "FROM rolegrant" in s]) == 1
    # The ten newcomers' identities are inserted with one statement (their people with one
    # executemany, which SQLite runs row by row to return the ids in order).
    assert len([s for s in seen if s.startswith("INSERT INTO identity")]) == 1
    with bot.core.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM identity").scalar_one() == 11


async def _grant(ctx: Ctx, args: str) -> None:
    whose = people.get_identity(ctx.session, platform=ctx.identity.platform, user_id=args)
    assert whose is not None
    people.grant_role(ctx.session, person_id=whose.person_id, role="councillor", now=ctx.now)


async def _roles(ctx: Ctx, args: str) -> None:
    ctx.answer(f"roles: {sorted(ctx.roles)}")


async def test_a_role_granted_in_a_batch_is_seen_by_the_events_after_it(
    bot: TestingAdapter,
) -> None:
    _with_commands(bot.core, Command("grant", _grant, "grants", "/grant U", "/grant u"),
                   Command("roles", _roles, "tells", "/roles", "/roles"))
    await bot.say("sam", "/help")
    await _together(bot, ("sam", "/roles"), ("rita", "/grant sam"), ("sam", "/roles"))
    assert _answers(bot, "sam")[-2:] == ["roles: []", "roles: ['councillor']"]


async def _erase(ctx: Ctx, args: str) -> None:
    whose = people.get_identity(ctx.session, platform=ctx.identity.platform, user_id=args)
    assert whose is not None
    privacy.erase_person(ctx.session, person_id=whose.person_id, now=ctx.now)


async def test_a_person_erased_in_a_batch_is_a_newcomer_to_the_events_after_it(
    bot: TestingAdapter,
) -> None:
    _with_commands(bot.core, Command("erase", _erase, "erases", "/erase U", "/erase u"))
    await bot.say("rita", "/help", chat="garden")
    await _together(bot, ("rita", "/help"), ("sam", "/erase rita"), ("rita", "/help"))
    assert [a.split()[0] for a in _answers(bot, "rita")] == ["Commands"] * 3
    with bot.core.engine.connect() as conn:
        assert conn.exec_driver_sql(
            "SELECT count(*) FROM identity WHERE user_id = 'rita'").scalar_one() == 1


async def test_a_newcomer_whose_first_event_is_refused_is_made_again_by_the_next(
    bot: TestingAdapter,
) -> None:
    _with_commands(bot.core, Command("half", _half, "refuses", "/half", "/half"))
    await _together(bot, ("zed", "/half"), ("zed", "/help"), ("zed", "/help"))
    assert [a.split()[0] for a in _answers(bot, "zed")] == ["Not", "Commands", "Commands"]


async def test_a_newcomer_another_process_made_meanwhile_is_read_by_their_event(
    bot: TestingAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = people.add_identities
    calls: list[int] = []

    def lost_one(session: Session, *, platform: str, newcomers: list[Newcomer]
                 ) -> dict[str, tuple[Identity, Person]]:
        # The batch's insert finds u1 made (by another process) between its read and its insert.
        calls.append(len(newcomers))
        return made(session, platform=platform, newcomers=[
            n for n in newcomers if n.user_id != "u1" or len(calls) > 1])

    monkeypatch.setattr(known.people, "add_identities", lost_one)
    await _together(bot, *((f"u{i}", "/help") for i in range(3)))
    assert all(_answers(bot, f"u{i}")[0].startswith("Commands") for i in range(3))
    assert calls == [3, 1]  # u1 read, found missing, and made by their own event


async def test_nobody_waits_for_ever_when_handling_together_breaks(
    bot: TestingAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_due: list[object]) -> None:
        raise RuntimeError("a bug after the commit")

    monkeypatch.setattr(bot.core, "announce_due", broken)
    bot.core.together = Together(bot.core)
    results = await asyncio.wait_for(asyncio.gather(
        *(bot.push(_command(bot, p, "/help", n)) for n, p in enumerate(("rita", "sam"))),
        return_exceptions=True), timeout=10)
    assert [type(r) for r in results] == [RuntimeError, RuntimeError]
    monkeypatch.undo()
    assert await bot.push(_command(bot, "tom", "/help", 3)) is not None  # and it goes on


async def test_when_each_sender_was_seen_is_written_once_for_the_batch(
    bot: TestingAdapter, clock: FakeClock
) -> None:
    _with_commands(bot.core, Command("half", _half, "refuses", "/half", "/half"))
    await bot.say("rita", "/help")
    await bot.say("sam", "/help")
    before = clock.now()
    clock.advance(timedelta(hours=1))
    seen = _statements(bot.core)
    await _together(bot, ("rita", "/help"), ("sam", "/half"), ("tom", "/help"))
    with session_scope(bot.core.engine) as session:
        last = {u: people.get_identity(session, platform=bot.platform, user_id=u)
                for u in ("rita", "sam", "tom")}
        times = {u: i.last_seen_at for u, i in last.items() if i is not None}
    assert times == {"rita": clock.now(), "sam": before, "tom": clock.now()}  # Sam's was undone
    assert len([s for s in seen if s.startswith("UPDATE identity SET last_seen_at")]) == 1
