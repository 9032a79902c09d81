"""A send that timed out may have arrived: it is sent once more at most, then parked with why.

The fake platforms carry each call out on arrival and answer only after 25 seconds, as a slow
Bot API or Web API does; the bot's own timeout (``telegram.timeout``, ``slack.timeout``) is set
to half a second so the test does not wait 25 seconds. Time between attempts is a fake clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from adapters.http import HttpServer
from adapters.slack.adapter import SlackAdapter
from bot.admin import outbox as outbox_admin
from bot.kernel.core import Core
from bot.kernel.events import Address, Outbound
from bot.kernel.ports import FakeClock
from bot.kernel.rich import plain
from storage.db import session_scope
from tests.helpers import drain, outbox_rows
from tests.slack.conftest import SECRET as SLACK_SECRET
from tests.slack.conftest import slack_settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import SlackSender
from tests.telegram.conftest import TOKEN, running
from tests.telegram.fake_api import FakeBotApi
from tests.telegram.payloads import PEOPLE

SLOW = 25.0  # seconds the slow platform takes to answer
TIMEOUT = "0.5"  # seconds the bot waits for it
ALICE = PEOPLE["alice"]["id"]


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi(TOKEN)
    await fake.start()
    yield fake
    await fake.stop()


def parked_reason(core: Core) -> str:
    with session_scope(core.engine) as s:
        report = outbox_admin.outbox_report(s)
    [parked] = report["parked"]
    assert "why: " + parked["reason"] in outbox_admin.describe(report)  # as `ncbot admin outbox`
    return str(parked["reason"])


async def test_a_telegram_message_that_timed_out_goes_at_most_twice(
        core: Core, clock: FakeClock, api: FakeBotApi) -> None:
    api.delays["sendMessage"] = SLOW
    async for tg in running(core, api, webhook_url="https://bot.example.org/telegram/webhook",
                            timeout=TIMEOUT):
        await tg.say("alice", "/help")  # sent, and no answer within the timeout
        assert len(api.sent(chat_id=ALICE)) == 1
        [row] = outbox_rows(core)
        assert (row.status, row.timeouts) == ("pending", 1)
        assert row.next_attempt_at == clock.now() + timedelta(seconds=2)
        await drain(core, clock)  # the one more copy, which times out too; then nothing more
        assert len(api.sent(chat_id=ALICE)) == 2  # at most two copies
        [row] = outbox_rows(core)
        assert (row.status, row.attempts, row.timeouts) == ("parked", 2, 1)
        assert parked_reason(core).startswith("timed out 2 times, so it may have arrived; "
                                              "not sent again: telegram: no answer in time")
        clock.advance(timedelta(hours=1))
        await core.outbox.flush()
        assert len(api.sent(chat_id=ALICE)) == 2


async def test_a_telegram_message_answered_in_time_the_second_time_is_sent(
        core: Core, clock: FakeClock, api: FakeBotApi) -> None:
    api.delays["sendMessage"] = SLOW
    async for tg in running(core, api, webhook_url="https://bot.example.org/telegram/webhook",
                            timeout=TIMEOUT):
        await tg.say("alice", "/help")
        del api.delays["sendMessage"]  # the platform is quick again
        await drain(core, clock)
    assert len(api.sent(chat_id=ALICE)) == 2
    [row] = outbox_rows(core)
    assert (row.status, row.timeouts) == ("sent", 1)


async def test_a_telegram_edit_that_timed_out_is_an_ordinary_passing_fault(
        core: Core, clock: FakeClock, api: FakeBotApi) -> None:
    """An edit arriving twice changes nothing: it is retried with backoff as any passing fault
    is, however often it times out."""
    async for tg in running(core, api, webhook_url="https://bot.example.org/telegram/webhook",
                            timeout=TIMEOUT):
        sent = await tg.adapter.send(Outbound(Address("telegram", chat_id=str(ALICE)),
                                              plain("3 votes")))
        api.delays["editMessageText"] = SLOW
        for _ in range(3):
            with pytest.raises(Exception) as failed:
                await tg.adapter.send(Outbound(Address("telegram", chat_id=str(ALICE)),
                                               plain("4 votes")), edit_message_id=sent.message_id)
            assert type(failed.value).__name__ == "TimedOut"  # not "may have arrived"
        assert len(api.sent("editMessageText")) == 3


async def test_a_slack_message_that_timed_out_goes_at_most_twice(
        core: Core, clock: FakeClock) -> None:
    api = FakeSlack()
    await api.start()
    api.delays["chat.postMessage"] = SLOW
    retried = asyncio.Event()  # the outbox put the message back for its one more try
    core.outbox.on_retry.append(lambda _at: retried.set())
    http = HttpServer(core, host="127.0.0.1", port=0)
    adapter = SlackAdapter(core, slack_settings(api, timeout=TIMEOUT), http)
    core.attach(adapter)
    await http.start()
    await adapter.start()
    try:
        slack = SlackSender(f"http://127.0.0.1:{http.bound_port}/slack/events", SLACK_SECRET,
                            api.response_url)
        status, _ = await slack.event({"type": "message", "channel": "D1", "channel_type": "im",
                                       "user": "U1", "text": "help", "ts": "1.1"})
        assert status == 200
        await asyncio.wait_for(retried.wait(), 10)
        assert len(api.called("chat.postMessage")) == 1 and outbox_rows(core)[0].timeouts == 1
        await drain(core, clock)
        assert len(api.called("chat.postMessage")) == 2
        [row] = outbox_rows(core)
        assert (row.status, row.timeouts) == ("parked", 1)
        assert "timed out 2 times" in parked_reason(core)
        assert "slack: no answer within 0.5 s" in parked_reason(core)
    finally:
        await adapter.stop()
        await http.stop()
        await api.stop()
