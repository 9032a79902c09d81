"""Honest anonymity: the stored data of an anonymous poll cannot tell who voted for what.

The test plays the same poll twice, on two fresh databases, with the same people voting in the
same order and the same way (buttons or /vote); only who chose which option is swapped. If every
table of both databases is then identical, nothing stored can tell who voted for what. The same
run for a named poll must differ, which shows the comparison can see a difference.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from adapters.testing import TestingAdapter
from bot.app import build_core
from bot.kernel.config import load_settings
from bot.kernel.ports import FakeClock
from storage.db import create_db_engine, session_scope
from storage.migrate import upgrade
from storage.repo import polls
from tests.polls.test_polls import LINE, garden, poll_message

# (voter, how, option): world A; world B swaps the options of rita and sam, tom and una.
WORLD_A = [("rita", "press", 1), ("sam", "vote", 2), ("tom", "press", 3), ("una", "vote", 1),
           ("vic", "press", 2)]
WORLD_B = [("rita", "press", 2), ("sam", "vote", 1), ("tom", "press", 1), ("una", "vote", 3),
           ("vic", "press", 2)]


# Several choices, built press by press (a press again takes an option off) and confirmed.
MULTI_A = [("rita", "build", (1, 3, 1, 2)), ("sam", "build", (2,)), ("tom", "vote", "1,3"),
           ("una", "build", (3, 1))]
MULTI_B = [("rita", "build", (3,)), ("sam", "build", (2, 1, 3, 3)), ("tom", "vote", "2,3"),
           ("una", "build", (1, 3))]


async def _play(db: Path, flags: str, ballots: Sequence[tuple[str, str, Any]]) -> dict[str, Any]:
    settings = load_settings(environ={"NCBOT_STORAGE__URL": f"sqlite:///{db}"})
    engine = create_db_engine(settings.storage.url)
    upgrade(engine)
    core = build_core(settings=settings, engine=engine, clock=FakeClock(), worker_id="test")
    bot = TestingAdapter(core)
    await garden(bot)
    await bot.say("fran", f"{LINE} {flags}", chat="garden")
    for voter, how, option in ballots:
        await bot.say(voter, "hello", chat="garden")  # voters also talk, as people do
        if how == "press":
            result = await bot.press(voter, poll_message(bot).button(str(option)), chat="garden")
            assert result.notice and "poll #1" in result.notice
        elif how == "build":
            for pressed in option:
                result = await bot.press(voter, f"poll:1:{pressed}", chat="garden")
                assert result.notice and "oll #1" in result.notice
            result = await bot.press(voter, "poll:1:confirm", chat="garden")
            assert result.notice and result.notice.startswith("Your anonymous vote in poll #1")
        else:
            await bot.say(voter, f"/vote 1 {option}", chat="garden")
        # a second try never changes an anonymous ballot
        again = option % 3 + 1 if isinstance(option, int) else 1
        await bot.say(voter, f"/vote 1 {again}", chat="garden")
    with session_scope(engine) as s:
        counted = polls.option_counts(s, poll_id=1)
    await bot.say("fran", "/closepoll 1", chat="garden")
    dump = _dump(engine)
    engine.dispose()
    return {"counts": counted, "tables": dump}


def _dump(engine: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, rowids included, in storage order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        names = [r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))]
        for name in names:
            rows = conn.execute(text(f'SELECT rowid, * FROM "{name}" ORDER BY rowid'))
            out[name] = [tuple(r) for r in rows]
    return out


@pytest.fixture(autouse=True)
def _same_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Project and invite codes and the marks' secret are random; the same in both worlds."""
    monkeypatch.setattr(secrets, "choice", lambda seq: seq[0])
    monkeypatch.setattr(secrets, "token_hex", lambda n=32: "ab" * n)


async def test_anonymous_poll_stores_nothing_that_tells_who_chose_what(tmp_path: Path) -> None:
    a = await _play(tmp_path / "a.db", "--anonymous", WORLD_A)
    b = await _play(tmp_path / "b.db", "--anonymous", WORLD_B)
    assert a["counts"] == b["counts"] == [2, 2, 1]
    assert {"poll", "polloption", "pollvote", "pollvoter", "outboundmessage", "identity",
            "processedevent", "timer", "conversation"} <= set(a["tables"])
    for table in a["tables"]:
        assert a["tables"][table] == b["tables"][table], f"table {table} tells them apart"
    assert a["tables"]["pollvote"] == []
    assert len(a["tables"]["pollvoter"]) == 5


async def test_anonymous_ballots_built_press_by_press_keep_nothing(tmp_path: Path) -> None:
    a = await _play(tmp_path / "a.db", "--anonymous --multi", MULTI_A)
    b = await _play(tmp_path / "b.db", "--anonymous --multi", MULTI_B)
    assert a["counts"] == b["counts"] == [2, 2, 3]
    for table in a["tables"]:
        assert a["tables"][table] == b["tables"][table], f"table {table} tells them apart"
    assert a["tables"]["pollvote"] == [] and len(a["tables"]["pollvoter"]) == 4


async def test_anonymous_hidden_poll_also_keeps_nothing(tmp_path: Path) -> None:
    a = await _play(tmp_path / "a.db", "--anonymous --hide-results", WORLD_A)
    b = await _play(tmp_path / "b.db", "--anonymous --hide-results", WORLD_B)
    assert a["tables"] == b["tables"]


async def test_a_named_poll_does_tell_them_apart(tmp_path: Path) -> None:
    a = await _play(tmp_path / "a.db", "", WORLD_A)
    b = await _play(tmp_path / "b.db", "", WORLD_B)
    assert a["counts"] == b["counts"]
    assert a["tables"]["pollvote"] != b["tables"]["pollvote"]


async def test_anonymous_votes_are_final(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --anonymous", chat="garden")
    replies = await bot.say("rita", "/vote 1 2", chat="garden")
    assert replies[-1].text == "Your anonymous vote in poll #1 is counted. It cannot be changed."
    for line in ("/vote 1 3", "/vote 1 none"):
        replies = await bot.say("rita", line, chat="garden")
        assert replies[-1].text == (
            "You have already voted in anonymous poll #1; anonymous votes cannot be changed "
            "or withdrawn."
        )
    result = await bot.press("rita", poll_message(bot).button("oak"), chat="garden")
    assert result.notice and result.notice.startswith("You have already voted")
    with session_scope(bot.core.engine) as s:
        assert polls.option_counts(s, poll_id=1) == [0, 1, 0]


async def test_anonymous_multi_choice_is_built_then_confirmed(bot: TestingAdapter) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --anonymous --multi", chat="garden")
    sent = poll_message(bot)
    assert sent.button_labels[-1] == "Confirm my choices"
    assert "Press your options, then Confirm." in sent.text
    empty = await bot.press("tom", "poll:1:confirm", chat="garden")
    assert empty.notice == ("Nothing was cast: no choices of yours are waiting in poll #1. Press "
                            "the options you choose, then Confirm my choices.")
    notices = [(await bot.press("tom", f"poll:1:{p}", chat="garden")).notice for p in (1, 3, 1)]
    assert notices[-1] == ("Poll #1, not cast yet: Near the gate. Press more options, or Confirm "
                           "my choices to cast your anonymous vote.")
    off = await bot.press("tom", "poll:1:3", chat="garden")
    assert off.notice and off.notice.startswith("Poll #1: nothing chosen.")
    with session_scope(bot.core.engine) as s:  # nothing is stored before Confirm
        assert polls.option_counts(s, poll_id=1) == [0, 0, 0]
        assert polls.voter_count(s, poll_id=1) == 0
    for p in (1, 3):
        await bot.press("tom", f"poll:1:{p}", chat="garden")
    cast = await bot.press("tom", "poll:1:confirm", chat="garden")
    assert cast.notice == "Your anonymous vote in poll #1 is counted. It cannot be changed."
    again = await bot.press("tom", "poll:1:2", chat="garden")
    assert again.notice and again.notice.startswith("You have already voted")
    twice = await bot.press("tom", "poll:1:confirm", chat="garden")
    assert twice.notice and twice.notice.startswith("Nothing was cast")
    await bot.say("rita", "/vote 1 1,3", chat="garden")  # one message still works
    await bot.say("sam", "/vote 1 3", chat="garden")
    with session_scope(bot.core.engine) as s:
        assert polls.option_counts(s, poll_id=1) == [2, 0, 3]
    # A draft left when the poll closes can never be cast.
    await bot.press("una", "poll:1:2", chat="garden")
    await bot.say("fran", "/closepoll 1", chat="garden")
    late = await bot.press("una", "poll:1:confirm", chat="garden")
    assert late.notice == "Sorry, this poll has closed (poll #1)."
    text = [m.text for m in bot.to_chat("garden") if m.text.startswith("Results")][-1]
    assert "5 choices from 3 people." in text
    assert "Rita" not in text and "Sam" not in text and "Tom" not in text
