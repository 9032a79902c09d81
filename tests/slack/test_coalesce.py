"""Edits coalesced per message: what is remembered stays bounded over a long run."""

from __future__ import annotations

import asyncio

import pytest

from adapters.slack import coalesce
from adapters.slack.coalesce import EditCoalescer
from bot.kernel.events import Address, Outbound
from bot.kernel.rich import plain


async def test_messages_edited_long_ago_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    sent: list[str] = []

    async def update(message_id: str, message: Outbound) -> None:
        sent.append(message_id)

    edits = EditCoalescer(update, interval=1.0, monotonic=lambda: now[0])
    monkeypatch.setattr(coalesce, "KEEP", 10)  # a bound small enough to reach here
    try:
        card = Outbound(to=Address("slack", chat_id="C1"), text=plain("3 votes"))
        for i in range(50):  # a long run: every edit is of a new message, a second apart
            now[0] += 2.0
            await edits.edit(f"ts{i}", card)
        assert sent == [f"ts{i}" for i in range(50)]  # each went out at once
        assert edits.kept <= 11  # not one entry per message ever edited
        waiting = asyncio.create_task(edits.edit("ts49", card))  # within the interval: waits
        await asyncio.sleep(0)
        assert edits.pending == 1 and sent.count("ts49") == 1  # a recent one is still known
        assert not waiting.done()
    finally:
        edits.forget()
    with pytest.raises(asyncio.CancelledError):
        await waiting  # given up at stop: its edit stays unsent in the outbox
