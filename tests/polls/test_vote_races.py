"""Two presses by one person at once, each in a thread with its own engine and connections (as
two processes would have), on one SQLite file and on PostgreSQL (READ COMMITTED).

To make the race certain rather than likely, each press stops right after reading the person's
current vote until the other press has read it too (a barrier). Where the database serialises the
two (the voter row's lock, SQLite's single writer) the second never reaches that point while the
first waits, the barrier gives up, and the presses run one after the other.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest

from adapters.testing import TestingAdapter
from bot.app import build_core
from bot.kernel.config import Settings
from bot.kernel.errors import DatabaseUnavailable
from bot.kernel.events import ButtonPressed
from bot.kernel.ports import FakeClock
from storage.db import create_db_engine, session_scope
from storage.repo import challenges, polls
from tests import challenge_setup
from tests.polls.test_polls import LINE, counts, garden

WAIT = 3.0  # how long the first press waits at the barrier for the second
RETRIES = 5  # deliveries of one update, as a platform retries one not acknowledged


def _pausing(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
    """Make ``module.name`` wait, after it ran, for the other thread to get there too."""
    barrier = threading.Barrier(2, timeout=WAIT)
    original: Callable[..., Any] = getattr(module, name)

    def paused(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if threading.current_thread() is not threading.main_thread():
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass  # the other press is held by the database: this one goes first
        return result

    monkeypatch.setattr(module, name, paused)


def _press_at_once(settings: Settings, bot: TestingAdapter, user: str, actions: list[str]
                   ) -> list[str | None]:
    """Each action pressed by ``user`` in its own thread with its own engine; their notices."""
    notices: list[str | None] = [None] * len(actions)
    errors: list[BaseException] = []

    def press(i: int, action: str) -> None:
        engine = create_db_engine(settings.storage.url)
        try:
            core = build_core(settings=settings, engine=engine, clock=FakeClock(),
                              worker_id=f"t{i}")
            event = ButtonPressed(chat=bot.group("garden"), sender=bot.sender(user),
                                  action=action, event_id=f"race-{user}-{i}-{action}")
            for _ in range(RETRIES):
                try:
                    notices[i] = asyncio.run(core.handle(event)).notice
                    break
                except DatabaseUnavailable:
                    # Held past the inbound wait by the other press at the barrier: nothing was
                    # stored, and the platform sends the same update again, as here.
                    continue
            else:
                raise AssertionError(f"press {i} never got the database")
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=press, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return notices


async def test_two_presses_at_once_move_one_named_vote(
    bot: TestingAdapter, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    await bot.say("rita", "/vote 1 1", chat="garden")
    _pausing(monkeypatch, polls, "named_choices")
    notices = _press_at_once(settings, bot, "rita", ["poll:1:2", "poll:1:3"])
    assert sorted(counts(bot)) == [0, 0, 1], notices  # one vote, on option 2 or 3
    assert all(n and n.startswith("Your vote in poll #1") for n in notices)


async def test_two_first_presses_at_once_give_one_vote(
    bot: TestingAdapter, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await garden(bot)
    await bot.say("fran", LINE, chat="garden")
    _pausing(monkeypatch, polls, "named_choices")
    _press_at_once(settings, bot, "rita", ["poll:1:2", "poll:1:3"])
    assert sorted(counts(bot)) == [0, 0, 1]


async def test_two_anonymous_presses_at_once_count_once(
    bot: TestingAdapter, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --anonymous", chat="garden")
    _pausing(monkeypatch, polls, "has_voted")
    notices = _press_at_once(settings, bot, "rita", ["poll:1:2", "poll:1:3"])
    assert sum(counts(bot)) == 1, notices
    assert sorted(n or "" for n in notices)[0].startswith("You have already voted")


async def test_two_supports_at_once_count_once(
    bot: TestingAdapter, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await challenge_setup.garden(bot)
    card = await challenge_setup.raise_challenge(bot)
    _press_at_once(settings, bot, "lee", [card.button("Support")] * 2)
    with session_scope(bot.core.engine) as s:
        assert challenges.support_count(s, challenge_id=1) == 1

