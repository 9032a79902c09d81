"""Senders seen for the first time in one batch: each gets a person of their own."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, text
from sqlmodel import select

from adapters.testing import TestingAdapter
from bot.kernel.events import CommandIssued
from bot.kernel.together import Together
from storage.db import session_scope
from storage.models import Identity, Person

# The largest id SQLite can give: after it, new rows get ids at random, not one more each.
LAST_ID = 2**63 - 1


async def _first_words_together(bot: TestingAdapter, users: list[str]) -> int:
    """Their first commands in one batch; how many statements inserted people."""
    bot.core.together = Together(bot.core)
    people: list[int] = []
    event.listen(bot.core.engine, "before_cursor_execute", lambda _c, _cur, statement, *_a:
                 people.append(1) if statement.startswith("INSERT INTO person") else None)
    await asyncio.gather(*(bot.push(CommandIssued(
        chat=bot.group("garden"), sender=bot.sender(u, f"Name of {u}"), name="help", args="",
        event_id=f"n-{u}")) for u in users))
    assert people, "no person was made"
    return len(people)


def _people_by_user(bot: TestingAdapter) -> dict[str, str | None]:
    with session_scope(bot.core.engine) as s:
        return {i.user_id: s.get(Person, i.person_id).name  # type: ignore[union-attr]
                for i in s.exec(select(Identity))}


async def test_newcomers_arriving_together_each_get_their_own_person(bot: TestingAdapter) -> None:
    await bot.say("old", "/help", chat="garden")
    with session_scope(bot.core.engine) as s:  # a gap in the ids, as erasures leave
        s.add(Person(id=50, name="someone", created_at=bot.core.clock.now()))
    users = [f"u{n}" for n in range(12)]
    inserts = await _first_words_together(bot, users)
    if bot.core.engine.dialect.name == "sqlite":
        assert inserts == 1  # all of them in one statement
    found = _people_by_user(bot)
    assert {u: found[u] for u in users} == {u: f"Name of {u}" for u in users}
    assert len(set(_person_ids(bot))) == len(users) + 1


async def test_newcomers_get_their_own_person_when_ids_are_no_longer_in_turn(
    bot: TestingAdapter,
) -> None:
    if bot.core.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's way of giving ids; PostgreSQL orders the ids it returns itself")
    with session_scope(bot.core.engine) as s:
        s.add(Person(id=LAST_ID, name="the last", created_at=bot.core.clock.now()))
    users = [f"u{n}" for n in range(8)]
    assert await _first_words_together(bot, users) == 1 + len(users)  # then one by one
    found = _people_by_user(bot)
    assert {u: found[u] for u in users} == {u: f"Name of {u}" for u in users}
    with bot.core.engine.connect() as conn:  # the one-by-one inserts left no person behind
        assert conn.execute(text("SELECT count(*) FROM person")).scalar_one() == len(users) + 1


def _person_ids(bot: TestingAdapter) -> list[int]:
    with session_scope(bot.core.engine) as s:
        return [i.person_id for i in s.exec(select(Identity))]
