"""Slack with a database that cannot be written: the person is told, nothing is lost.

A slash command whose journal entry cannot be written is answered "I could not record this"; an
Events API delivery gets a 503, which Slack retries. An entry left unhandled (a kill after the
ack, a fault after the journal) is handled at the next start, or at the next round.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from adapters.slack import journal as slack_journal
from bot.kernel import texts as T
from bot.kernel.events import CommandIssued
from storage.db import session_scope
from storage.models import InboundEntry
from tests.db_locker import Locker
from tests.slack.conftest import Rig


async def test_a_slash_command_that_cannot_be_recorded_is_told_so(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.kernel.inbound_journal.KEEP_WAIT", 0.3)
    with Locker(rig.core.settings.storage.url):
        status, text = await rig.slack.command("help", channel="C1")
        event_status, _ = await rig.slack.event(
            {"type": "message", "channel": "D5", "channel_type": "im", "user": "U5",
             "text": "help", "ts": "1767603600.000100"})
    assert status == 200 and T.NOT_RECORDED in text and "ephemeral" in text
    assert event_status == 503  # Slack retries an Events API delivery that was not a 2xx
    assert rig.processed.empty()


async def test_a_journalled_command_a_kill_left_unhandled_is_handled_at_start(rig: Rig) -> None:
    body = {"command": "/ncbot", "text": "help", "user_id": "U1", "user_name": "alice",
            "channel_id": "C1", "channel_name": "garden", "team_id": "T1",
            "trigger_id": "13345224609.738474920.8088930838d88f008e0", "response_url": ""}
    await rig.core.journal.keep(platform="slack", kind="command", body=body)
    rig.adapter.journal.replay_soon(0.0)  # what start does
    event, _ = await rig.next_processed()
    assert isinstance(event, CommandIssued) and event.name == "help"
    [post] = await rig.api.wait_for("chat.postEphemeral")  # help is for the one who asked
    assert "Commands you can use here" in post.params["text"]
    assert rig.adapter.journal._task is not None
    await rig.adapter.journal._task
    with session_scope(rig.core.engine) as s:
        assert s.exec(select(InboundEntry)).all() == []


async def test_a_journalled_request_is_tried_again_after_a_database_fault(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slack_journal, "REPLAY_PAUSE", 0.1)
    rig.core.inbound_wait = 0.3
    body = {"command": "/ncbot", "text": "help", "user_id": "U1", "user_name": "alice",
            "channel_id": "C1", "channel_name": "garden", "team_id": "T1",
            "trigger_id": "13345224609.738474920.8088930838d88f008e1", "response_url": ""}
    entry = await rig.core.journal.keep(platform="slack", kind="command", body=body)
    with Locker(rig.core.settings.storage.url):
        await rig.adapter.journal.first(body, {}, None, _nothing)  # type: ignore[arg-type]
        await rig.adapter._replay("command", body, {"journal_id": entry})
    assert rig.processed.empty()  # not stored: the entry waits
    event, _ = await rig.next_processed()  # the next round, once the lock is gone
    assert isinstance(event, CommandIssued)


async def _nothing() -> None:
    return None
