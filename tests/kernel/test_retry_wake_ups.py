"""A retry goes at its due time, over the real protocols, with the steady tick in between.

A message whose send failed once (a Telegram 502, a Slack 503) is put back with its retry time
and the scheduler is asked to wake then. The steady tick (every 30 seconds) is made to run
between the failure and the retry: it must not put the retry's wake-up off to the next tick.
The waits below are guards of 20 and 10 seconds, shorter than a tick, so a retry that waited
for the next tick fails the test; the delays seen are printed (``-s``), never asserted.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime

import pytest

from adapters.http import HttpServer
from adapters.slack.adapter import SlackAdapter
from bot.app import build_core
from bot.kernel.config import Settings
from bot.kernel.core import Core
from bot.kernel.ports import SystemClock
from bot.kernel.scheduler import Scheduler
from storage.db import create_db_engine
from storage.migrate import upgrade
from tests.slack.conftest import SECRET as SLACK_SECRET
from tests.slack.conftest import slack_settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import SlackSender
from tests.telegram.conftest import TOKEN, running
from tests.telegram.fake_api import FakeBotApi
from tests.telegram.payloads import PEOPLE


@pytest.fixture
def live_core(settings: Settings) -> Iterator[Core]:
    """A core on the real clock, as APScheduler's wake-ups are."""
    engine = create_db_engine(settings.storage.url)
    upgrade(engine)
    yield build_core(settings=settings, engine=engine, clock=SystemClock(), worker_id="test")
    engine.dispose()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi(TOKEN)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def scheduler(live_core: Core) -> AsyncIterator[tuple[Scheduler, asyncio.Queue[datetime]]]:
    """The scheduler with its steady 30 s tick; yields it and the retries as they are put back."""
    retries: asyncio.Queue[datetime] = asyncio.Queue()
    live_core.outbox.on_retry.append(retries.put_nowait)
    found = Scheduler(live_core)
    await found.start()
    yield found, retries
    await found.stop()


async def tick_before_the_retry(scheduler: Scheduler, retries: asyncio.Queue[datetime]) -> float:
    """Wait for the failed send to be put back, run the steady tick; returns when that was."""
    retry_at = await asyncio.wait_for(retries.get(), 20)
    failed = time.monotonic()
    await scheduler._ticked()  # what the tick does when its 30 s come round at this moment
    assert scheduler.next_wake is not None and scheduler.next_wake <= retry_at
    return failed


async def test_a_telegram_retry_after_a_502_goes_at_its_time(
        live_core: Core, api: FakeBotApi, scheduler: tuple[Scheduler, asyncio.Queue[datetime]]
) -> None:
    sched, retries = scheduler
    alice = PEOPLE["alice"]["id"]
    api.fail("sendMessage", 502, "Bad Gateway", chat_id=alice)
    async for tg in running(live_core, api, webhook_url="https://bot.example.org/telegram/webhook"):
        await tg.say("alice", "/help")
        failed = await tick_before_the_retry(sched, retries)
        await api.wait_sent(chat_id=alice)  # guard: 20 s, less than the next tick
        print(f"\nTelegram: the retry after one 502 arrived {time.monotonic() - failed:.1f} s "
              "after the failure")
    assert len(api.sent(chat_id=alice, ok=False)) == 1 and len(api.sent(chat_id=alice)) == 1
    assert sched.runs["tick"] == 1 and sched.runs["wake"] >= 1  # a wake-up sent it, not a tick


async def test_a_slack_retry_after_a_503_goes_at_its_time(
        live_core: Core, scheduler: tuple[Scheduler, asyncio.Queue[datetime]]) -> None:
    sched, retries = scheduler
    api = FakeSlack()
    await api.start()
    http = HttpServer(live_core, host="127.0.0.1", port=0)
    adapter = SlackAdapter(live_core, slack_settings(api), http)
    live_core.attach(adapter)
    await http.start()
    await adapter.start()
    try:
        slack = SlackSender(f"http://127.0.0.1:{http.bound_port}/slack/events", SLACK_SECRET,
                            api.response_url)
        api.fail("chat.postMessage", status=503)
        status, _ = await slack.event({"type": "message", "channel": "D1", "channel_type": "im",
                                       "user": "U1", "text": "help", "ts": "1.1"})
        assert status == 200
        failed = await tick_before_the_retry(sched, retries)
        await api.wait_for("chat.postMessage", 2)  # guard: 10 s, less than the next tick
        print(f"\nSlack: the retry after one 503 arrived {time.monotonic() - failed:.1f} s "
              "after the failure")
    finally:
        await adapter.stop()
        await http.stop()
        await api.stop()
    assert sched.runs["tick"] == 1 and sched.runs["wake"] >= 1
