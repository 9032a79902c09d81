"""What digests say, read from rows written through storage; queries per digest; splitting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.digests.content import Item, Window, councillor_items, group_items, split_messages
from bot.kernel.core import Core
from bot.kernel.rich import Style, join, plain, render
from storage.db import session_scope
from storage.models import Project
from tests import digest_rows as rows

NOW = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=7)
WINDOW = Window(SINCE, NOW, ZoneInfo("Europe/London"))


def _project(core: Core, name: str) -> int:
    with session_scope(core.engine) as s:
        p = Project(name=name, code=name[:6].upper(), created_at=SINCE - timedelta(days=30))
        s.add(p)
        s.flush()
        assert p.id is not None
        return p.id


def _text(items: list[Item]) -> str:
    return join([i.text for i in items]).text


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _council(core: Core) -> tuple[int, int, int]:
    engine = core.engine
    jane = rows.resident(engine, "Jane Doe", SINCE - timedelta(days=60))
    rita = rows.resident(engine, "Rita", SINCE)
    garden = _project(core, "Garden")
    quiet = _project(core, "Quiet Lane")
    rows.link(engine, garden, jane, SINCE - timedelta(days=20))
    rows.link(engine, quiet, jane, SINCE - timedelta(days=20))
    rows.challenge(engine, garden, 1, "Old: the bus stop moved", SINCE - timedelta(days=10),
                   supporters=[(rita, SINCE - timedelta(days=9))])
    rows.challenge(engine, garden, 2, "New: **bold** <b>the</b> bins", NOW - timedelta(days=2),
                   supporters=[(rita, NOW - timedelta(days=1)), (jane, NOW - timedelta(hours=3))])
    answered = rows.challenge(engine, garden, 3, "Who pays for the gate?", SINCE - timedelta(days=3))
    rows.answer(engine, answered, jane, NOW - timedelta(days=1),
                explanation="The ward budget pays for it; approved on Tuesday.")
    rows.poll(engine, garden, 1, "Which day do we dig?", {"Saturday": 5, "Sunday": 7},
              created=SINCE, closed=NOW - timedelta(days=1), outcome="Sundays it is")
    rows.poll(engine, garden, 2, "Still open?", {"Yes": 1}, created=SINCE, closed=None)
    rows.challenge(engine, quiet, 1, "Quiet and old", SINCE - timedelta(days=40))
    for offset, messages in ((-10, 4), (-9, 6), (-3, 12), (-2, 8)):
        rows.activity(engine, garden, date(2026, 1, 12) + timedelta(days=offset), messages,
                      people=[rita, jane] if offset > -7 else [rita])
    return jane, garden, quiet


async def test_councillor_digest_per_linked_project(core: Core) -> None:
    jane, _, _ = _council(core)
    with session_scope(core.engine) as s:
        items = councillor_items(s, person_id=jane, window=WINDOW)
    text = _text(items)
    assert "Garden" in text and "Quiet Lane" not in text  # nothing new there: left out
    assert "Activity: 20 messages from 2 people (up from 10)" in text
    old, new = text.index("#1 Old: the bus stop moved"), text.index("#2 New: **bold**")
    assert old < new  # oldest first
    assert "#1 Old: the bus stop moved — 17 days, 1 supporter" in text
    assert "#2 New: **bold** <b>the</b> bins — 2 days, 2 supporters (new)" in text
    assert "#3 Who pays for the gate?\n   Cllr Jane Doe: taken forward. The ward budget pays" in text
    assert "#1 Which day do we dig? — Sunday 7, Saturday 5\n   Outcome: Sundays it is" in text
    assert "Still open?" not in text
    bold = [sp.text for i in items for sp in i.text.spans if sp.style == Style.BOLD]
    assert not any("bold" in b for b in bold)  # a resident's markers stay plain text


async def test_group_digest(core: Core) -> None:
    _, garden, _ = _council(core)
    with session_scope(core.engine) as s:
        text = _text(group_items(s, project_id=garden, window=WINDOW))
    assert text.startswith("Digest for Garden")
    raised = text.index("Challenges raised:")
    assert "#2 New: **bold** <b>the</b> bins — 2 supporters" in text[raised:]
    assert "#1 Old" not in text[raised : text.index("Challenges answered:")]
    assert "Cllr Jane Doe: taken forward. The ward budget pays for it" in text
    assert "Outcome: Sundays it is" in text
    assert "Linked councillors: Cllr Jane Doe" in text
    awaiting = text[text.index("Still awaiting an answer:"):]
    assert "#1 Old: the bus stop moved — awaiting an answer for 17 days" in awaiting
    assert "#2 New" in awaiting and "#3" not in awaiting


async def test_nothing_new_is_no_digest(core: Core) -> None:
    jane, garden, quiet = _council(core)
    later = Window(NOW, NOW + timedelta(days=7), WINDOW.tz)
    with session_scope(core.engine) as s:
        assert councillor_items(s, person_id=jane, window=later) == []
        assert group_items(s, project_id=garden, window=later) == []
        assert group_items(s, project_id=quiet, window=WINDOW) == []


async def test_a_new_link_is_news(core: Core) -> None:
    jane = rows.resident(core.engine, "Jane Doe", SINCE)
    garden = _project(core, "Garden")
    rows.link(core.engine, garden, jane, NOW - timedelta(hours=1))
    with session_scope(core.engine) as s:
        assert "Garden — newly linked to you" in _text(councillor_items(s, person_id=jane,
                                                                        window=WINDOW))
        assert "Cllr Jane Doe (new)" in _text(group_items(s, project_id=garden, window=WINDOW))


async def test_queries_per_digest_do_not_grow_with_projects(core: Core) -> None:
    engine = core.engine
    counts = []
    for n in (1, 5, 40):
        person = rows.resident(engine, f"Cllr {n}", SINCE)
        for k in range(n):
            pid = _project(core, f"P{n}-{k}")
            rows.link(engine, pid, person, SINCE - timedelta(days=1))
            rows.challenge(engine, pid, 1, f"Challenge {k}", NOW - timedelta(days=1))
            rows.poll(engine, pid, 1, "Q?", {"A": 1, "B": 2}, created=SINCE,
                      closed=NOW - timedelta(hours=1))
            rows.activity(engine, pid, date(2026, 1, 10), 3, people=[person])
        with session_scope(engine) as s, counting(engine) as seen:
            items = councillor_items(s, person_id=person, window=WINDOW)
        assert _text(items).count("Challenge ") == n
        counts.append(len(seen))
    assert counts[0] == counts[1] == counts[2] <= 10, counts


def test_long_digests_are_split_between_items() -> None:
    items = [Item(render("**Your digest**"))]
    for p in range(6):
        items.append(Item(render("**{p}**", p=f"Project {p}"), heading=True))
        items.append(Item(plain("Open challenges:"), heading=True))
        items += [Item(plain(f"• #{i} " + "x" * 150 + f"\n   line two {i}")) for i in range(15)]
    messages = split_messages(items)
    assert len(messages) > 3
    for k, m in enumerate(messages, start=1):
        assert len(m) <= 3500 and m.text.count("\n") + 1 <= 40
        assert m.text.startswith(f"(part {k} of {len(messages)})")
        last = m.text.rsplit("\n", 1)[-1]
        assert not last.startswith("Project") and last != "Open challenges:"
    whole = "".join(m.text for m in messages)
    assert all(f"• #{i} " in whole for i in range(15))


def test_a_short_digest_is_one_message_without_part_numbers() -> None:
    (only,) = split_messages([Item(plain("a")), Item(plain("b"))])
    assert only.text == "a\nb"


async def test_poll_results_count_tallies_named_votes_and_native_counts(core: Core) -> None:
    from sqlmodel import select

    from storage.models import Chat, PollMessage, PollOption, PollVote

    jane = rows.resident(core.engine, "Jane Doe", SINCE)
    garden = _project(core, "Garden")
    rows.link(core.engine, garden, jane, SINCE - timedelta(days=1))
    poll = rows.poll(core.engine, garden, 1, "Bench or table?", {"Bench": 1, "Table": 0},
                     created=SINCE, closed=NOW - timedelta(hours=1))
    with session_scope(core.engine) as s:
        chat = Chat(platform="test", platform_chat_id="g", kind="group", project_id=garden)
        s.add(chat)
        s.flush()
        found = s.exec(select(PollOption).where(PollOption.poll_id == poll))
        options = {o.text: o.id or 0 for o in found}
        s.add(PollVote(poll_id=poll, option_id=options["Table"], person_id=jane, at=NOW))
        s.add(PollMessage(poll_id=poll, chat_id=chat.id or 0, native_counts="[2, 5]"))
    with session_scope(core.engine) as s:
        text = _text(group_items(s, project_id=garden, window=WINDOW))
    assert "#1 Bench or table? — Table 6, Bench 3" in text
