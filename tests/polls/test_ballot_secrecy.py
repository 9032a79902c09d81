"""Secret ballots that storage cannot betray, read as an attacker would read the files.

SQLite: after every vote the database file and its write-ahead log are copied, and the log is
replayed commit by commit over the file; a commit (or two adjacent ones) that adds one voter and
one ballot ties them together. PostgreSQL: the system column ``xmin`` of the voter rows is looked
for among every version of the option and waiting-ballot rows, dead ones included (pageinspect).
Only the ballots still waiting for their batch (the window docs/polls.md states) may be tied; a
mixed batch never.
"""

from __future__ import annotations

import logging
import sqlite3
import struct
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from adapters.testing import TestingAdapter
from bot.kernel.config import Settings, load_settings
from storage.db import is_sqlite, session_scope
from storage.models import Identity, PendingBallot
from storage.repo import polls
from tests.polls.test_poll_anonymity import poll_message
from tests.polls.test_polls import LINE, garden

BATCH = 3
# (voter, option position): a batch of three, then two that wait, then the close.
VOTES = [("rita", 1), ("sam", 2), ("tom", 1), ("una", 3), ("vic", 2)]


@pytest.fixture
def settings(db_url: str) -> Settings:
    return load_settings(environ={"NCBOT_STORAGE__URL": db_url,
                                  "NCBOT_POLLS__BALLOT_BATCH": str(BATCH)})


def person(bot: TestingAdapter, user: str) -> int:
    with session_scope(bot.core.engine) as s:
        return s.exec(select(Identity.person_id).where(Identity.user_id == user)).one()


# ---- SQLite: the file and its write-ahead log --------------------------------------------------


def states(db: bytes, wal: bytes) -> Iterator[bytes]:
    """The database as it was before the log and after each of its commits."""
    yield db
    if len(wal) < 32:
        return
    page_size, _, salt1, salt2 = struct.unpack(">4I", wal[8:24])
    image, frames, offset = bytearray(db), {}, 32
    while offset + 24 + page_size <= len(wal):
        pgno, size_after, s1, s2 = struct.unpack(">4I", wal[offset:offset + 16])
        if (s1, s2) != (salt1, salt2):
            break  # frames of an earlier log, already in the file
        frames[pgno] = wal[offset + 24:offset + 24 + page_size]
        offset += 24 + page_size
        if size_after:  # a commit
            image.extend(b"\0" * max(0, size_after * page_size - len(image)))
            for number, page in frames.items():
                image[(number - 1) * page_size:number * page_size] = page
            del image[size_after * page_size:]
            frames = {}
            yield bytes(image)


def read_state(image: bytes, tmp: Path) -> tuple[frozenset[int], Counter[int]]:
    """Voters of poll 1 and its ballots so far (tallies plus waiting ballots, per option id)."""
    path = tmp / "replay.db"
    data = bytearray(image)
    data[18:20] = b"\x01\x01"  # read the copy as a plain (rollback-journal) file
    path.write_bytes(bytes(data))
    conn = sqlite3.connect(path)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "pendingballot" not in tables:  # before the schema was made
            return frozenset(), Counter()
        voters = frozenset(r[0] for r in conn.execute(
            "SELECT person_id FROM pollvoter WHERE poll_id = 1"))
        ballots: Counter[int] = Counter()
        for option_id, tally in conn.execute("SELECT id, tally FROM polloption WHERE poll_id = 1"):
            ballots[option_id] += tally
        for (choices,) in conn.execute("SELECT choices FROM pendingballot WHERE poll_id = 1"):
            ballots.update(int(i) for i in choices.split(",") if i)
        return voters, ballots
    finally:
        conn.close()


def tied(db: bytes, wal: bytes, tmp: Path) -> dict[int, frozenset[int]]:
    """What an attacker learns: voter -> options, from a commit (or two adjacent ones) that adds
    exactly that voter and exactly one ballot."""
    found: dict[int, frozenset[int]] = {}
    steps = []
    before = None
    for image in states(db, wal):
        state = read_state(image, tmp)
        if before is not None and state != before:
            new_voters = state[0] - before[0]
            new_choices = state[1] - before[1]
            steps.append((new_voters, new_choices))
        before = state
    for i, (voters, choices) in enumerate(steps):
        if len(voters) != 1:
            continue
        if not choices and i + 1 < len(steps) and not steps[i + 1][0]:
            choices = steps[i + 1][1]  # the ballot in the next commit
        if choices:
            found[next(iter(voters))] = frozenset(choices)
    return found


def copy_files(bot: TestingAdapter) -> tuple[bytes, bytes]:
    path = Path(bot.core.engine.url.database or "")
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes(), wal.read_bytes() if wal.exists() else b""


async def test_the_sqlite_files_tie_no_mixed_ballot_to_its_voter(
    bot: TestingAdapter, tmp_path: Path
) -> None:
    if not is_sqlite(bot.core.engine):
        pytest.skip("the SQLite files")
    await garden(bot)
    await bot.say("fran", LINE + " --anonymous", chat="garden")
    option_ids = [o.id for o in _options(bot)]
    cast: dict[int, frozenset[int]] = {}
    waiting_ids: list[int] = []
    for n, (user, position) in enumerate(VOTES, 1):
        await bot.say(user, "hello", chat="garden")
        await bot.press(user, poll_message(bot).button(str(position)), chat="garden")
        cast[person(bot, user)] = frozenset({option_ids[position - 1] or 0})
        waiting_ids += _waiting_ids(bot)
        db, wal = copy_files(bot)
        learned = tied(db, wal, tmp_path)
        assert all(cast[v] == c for v, c in learned.items())  # the attacker reads them right...
        mixed = n - n % BATCH
        waiting = {person(bot, u) for u, _ in VOTES[mixed:n]}
        # ...but only the ballots still waiting for their batch
        assert set(learned) <= waiting, f"after vote {n}: {learned}"
        if n % BATCH == 0:
            assert wal == b"", "the log is truncated once a batch is mixed"
    assert set(tied(*copy_files(bot), tmp_path)) == {person(bot, "una"), person(bot, "vic")}
    await bot.say("fran", "/closepoll 1", chat="garden")
    db, wal = copy_files(bot)
    assert tied(db, wal, tmp_path) == {}
    seen = {(v, frozenset(c.items())) for v, c in (read_state(i, tmp_path) for i in states(db, wal))}
    assert len(seen) == 1, "the log after the close holds no change to voters or ballots"
    # The deleted waiting rows are zeroed, not left in the file's free space.
    for ballot_id in waiting_ids:
        assert struct.pack(">q", ballot_id) not in db, "a mixed ballot's row is still there"
    with session_scope(bot.core.engine) as s:
        assert polls.option_counts(s, poll_id=1) == [2, 2, 1]


def _options(bot: TestingAdapter) -> list:  # type: ignore[type-arg]
    with session_scope(bot.core.engine) as s:
        return polls.poll_options(s, poll_id=1)


def _waiting_ids(bot: TestingAdapter) -> list[int]:
    with session_scope(bot.core.engine) as s:
        return list(s.exec(select(PendingBallot.id)))


# ---- PostgreSQL: xmin, and every row version on the pages --------------------------------------


def _xmins(bot: TestingAdapter, table: str) -> set[int]:
    with bot.core.engine.connect() as conn:
        return {int(r[0]) for r in conn.execute(text(f"SELECT xmin::text FROM {table}"))}


def _every_version(bot: TestingAdapter, table: str) -> set[int]:
    """t_xmin of every tuple on the table's pages, dead ones included (pageinspect)."""
    with bot.core.engine.connect() as conn:
        pages = conn.execute(text(
            f"SELECT pg_relation_size('{table}') / current_setting('block_size')::int")).scalar()
        found: set[int] = set()
        for page in range(int(pages or 0)):
            rows = conn.execute(text(
                f"SELECT t_xmin FROM public.heap_page_items(public.get_raw_page('{table}', {page}))"
                " WHERE t_xmin IS NOT NULL"))
            found |= {int(r[0]) for r in rows}
        return found


def _pageinspect(bot: TestingAdapter) -> None:
    for _ in range(3):  # test workers may create it at the same moment
        try:
            with bot.core.engine.begin() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA public"))
            return
        except DBAPIError:
            continue


async def test_postgresql_system_columns_tie_no_mixed_ballot_to_its_voter(
    bot: TestingAdapter,
) -> None:
    if is_sqlite(bot.core.engine):
        pytest.skip("PostgreSQL's system columns")
    _pageinspect(bot)
    await garden(bot)
    await bot.say("fran", LINE + " --anonymous", chat="garden")
    for n, (user, position) in enumerate(VOTES, 1):
        await bot.press(user, poll_message(bot).button(str(position)), chat="garden")
        voters = _xmins(bot, "pollvoter")
        assert not voters & _every_version(bot, "polloption"), f"after vote {n}"
        waiting = _every_version(bot, "pendingballot")
        # Only the waiting ballots share their voter's transaction; a mixed batch leaves nothing.
        assert len(voters & waiting) == n % BATCH, f"after vote {n}"
    await bot.say("fran", "/closepoll 1", chat="garden")
    voters = _xmins(bot, "pollvoter")
    assert not voters & (_every_version(bot, "polloption") | _every_version(bot, "pendingballot"))
    with session_scope(bot.core.engine) as s:
        assert polls.option_counts(s, poll_id=1) == [2, 2, 1]


# ---- the logs ------------------------------------------------------------------------------------


async def test_the_logs_never_hold_an_anonymous_choice(
    bot: TestingAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    await garden(bot)
    await bot.say("fran", LINE + " --anonymous", chat="garden")
    caplog.set_level(logging.DEBUG)
    for user, position in VOTES[:4]:
        await bot.press(user, poll_message(bot).button(str(position)), chat="garden")
    await bot.say("wes", "/vote 1 3", chat="garden")
    await bot.say("fran", "/closepoll 1", chat="garden")
    for record in caplog.records:
        line = record.getMessage()
        for said in ("poll:1:", "/vote 1 3", "By the pond", "Under the oak", "Near the gate"):
            assert said not in line, line


async def test_help_poll_states_the_window(bot: TestingAdapter) -> None:
    """The card says the poll is anonymous and points to /help poll, which states the window."""
    await garden(bot)
    await bot.say("fran", LINE + " --anonymous", chat="garden")
    assert "Anonymous: nobody sees who voted for what" in poll_message(bot).text
    assert "More: /help poll" in poll_message(bot).text
    [topic] = await bot.say("rita", "/help poll", chat="garden")
    assert (f"Each ballot waits without a name until {BATCH} have come in or the poll closes"
            in topic.text)
    assert "Usage: /poll <question>" in topic.text  # and the command, as for any /help
