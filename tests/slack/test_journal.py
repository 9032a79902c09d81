"""The inbound journal under load: requests arriving together share one transaction, and the
entries of handled requests go with the next write; one left behind has no second effect."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from storage.db import session_scope
from storage.models import InboundEntry
from tests.slack.conftest import Rig


def command(n: int) -> dict[str, Any]:
    return {"command": "/ncbot", "text": "help", "user_id": f"U{n}", "user_name": f"p{n}",
            "channel_id": "C1", "channel_name": "garden", "team_id": "T1",
            "trigger_id": f"13345224609.738474920.{n:031d}", "response_url": ""}


def entries(rig: Rig) -> list[int]:
    with session_scope(rig.core.engine) as s:
        return [e.id for e in s.exec(select(InboundEntry).order_by(InboundEntry.id))
                if e.id is not None]


async def test_requests_arriving_together_are_stored_in_one_transaction(rig: Rig) -> None:
    commits: list[object] = []

    def committed(conn: object) -> None:
        commits.append(conn)

    event.listen(rig.core.engine, "commit", committed)
    try:
        first = await rig.core.journal.keep(platform="slack", kind="command", body=command(0))
        commits.clear()
        rig.core.journal.handled(first)
        kept = await asyncio.gather(*(rig.core.journal.keep(
            platform="slack", kind="command", body=command(n)) for n in range(1, 6)))
    finally:
        event.remove(rig.core.engine, "commit", committed)
    assert len(commits) == 1  # five entries stored and a handled one deleted, together
    assert entries(rig) == sorted(kept) and len(set(kept)) == 5


async def test_a_handled_request_whose_entry_a_kill_kept_has_no_second_effect(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = await rig.core.journal.keep(platform="slack", kind="command", body=command(1))
    monkeypatch.setattr(rig.core.journal, "_write_soon", lambda: None)
    await rig.adapter._replay("command", command(1), {"journal_id": entry})
    await rig.api.wait_for("chat.postEphemeral")
    rig.core.journal._gone.clear()  # killed before the deletion was written
    monkeypatch.undo()
    assert entries(rig) == [entry]
    rig.adapter.journal.replay_soon(0.0)  # the next start
    assert rig.adapter.journal._task is not None
    await rig.adapter.journal._task
    await rig.core.journal.written()
    _, again = await rig.next_processed()
    _, once_more = await rig.next_processed()
    assert (again.duplicate, once_more.duplicate) == (False, True)
    assert len(rig.api.called("chat.postEphemeral")) == 1
    assert entries(rig) == []
