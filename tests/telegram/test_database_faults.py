"""Telegram with a database another process holds: the update stays with Telegram.

The webhook answers 503 (Telegram sends it again) while the loop goes on serving /healthz; long
polling leaves the update unconfirmed, so the next getUpdates hands it out again.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlmodel import select

from adapters.telegram import polling as telegram_polling
from bot.kernel.core import Core
from storage.db import session_scope
from storage.models import Challenge
from tests.db_locker import Locker
from tests.helpers import healthz
from tests.telegram.conftest import Harness
from tests.telegram.test_scenarios import linked_garden

CHALLENGE = "/challenge The bus route cuts the garden off"
GENEROUS = 5.0  # seconds: catches a loop held for the old 30 s busy wait, never a slow machine


def challenges(core: Core) -> list[str]:
    with session_scope(core.engine) as s:
        return [c.text for c in s.exec(select(Challenge))]


async def test_webhook_answers_503_while_another_process_holds_the_database(tg: Harness) -> None:
    group = await linked_garden(tg)
    update = tg.u.message("alice", CHALLENGE, group)
    with Locker(tg.core.settings.storage.url):
        started = time.monotonic()
        pending = asyncio.create_task(tg.post(update))
        # While the update waits for the lock, the loop serves /healthz.
        _, _, took = await healthz(tg.http)
        refused = await pending
        waited = time.monotonic() - started
        status, body, _ = await healthz(tg.http)  # and it says why
    print(f"locked database: webhook answered {refused} after {waited:.2f} s, /healthz in "
          f"{took:.2f} s: {body['checks']['database']}")
    assert refused == 503  # Telegram sends it again
    assert waited < tg.core.inbound_wait + GENEROUS
    assert took < GENEROUS
    assert status == 503 and body["checks"]["database"]["ok"] is False
    assert challenges(tg.core) == []
    # Telegram's retry once the lock is gone, and a second copy of it: one challenge.
    assert await tg.post(update) == 200
    assert await tg.post(update) == 200
    assert challenges(tg.core) == [CHALLENGE.split(" ", 1)[1]]
    status, body, _ = await healthz(tg.http)
    assert body["checks"]["database"] == {"ok": True}


async def test_polling_leaves_an_update_the_database_could_not_take_with_telegram(
    polling: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = polling
    monkeypatch.setattr(telegram_polling, "DATABASE_PAUSE", 0.1)
    tg.core.inbound_wait = 0.3
    group = await linked_garden(tg)
    update = tg.u.message("alice", CHALLENGE, group)
    uid = update["update_id"]

    def fetched() -> int:
        return sum(1 for c in tg.api.calls if c.method == "getUpdates"
                   and any(u["update_id"] == uid for u in c.result or []))

    with Locker(tg.core.settings.storage.url):
        await tg.api.push(update)
        await tg.api.wait_for(lambda: fetched() >= 2)  # not confirmed: handed out again
    offsets = [int(c.params.get("offset") or 0) for c in tg.api.calls if c.method == "getUpdates"]
    assert max(offsets) <= uid  # no offset went past it while it was not stored
    async with tg.changed:
        await asyncio.wait_for(tg.changed.wait_for(lambda: uid in tg.handled), 20)
    assert challenges(tg.core) == [CHALLENGE.split(" ", 1)[1]]
