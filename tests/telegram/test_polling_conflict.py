"""Long polling from a second process: Telegram answers 409 Conflict, and the adapter says to use
webhooks, refusing to start or, when it comes while running, reporting itself unhealthy."""

from __future__ import annotations

import pytest

from adapters.telegram.adapter import TelegramAdapterError
from bot.kernel.core import Core
from tests.telegram.conftest import Harness, running
from tests.telegram.fake_api import FakeBotApi

CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


async def test_polling_refuses_to_start_when_another_process_polls(core: Core, api: FakeBotApi) -> None:
    api.fail("getUpdates", 409, CONFLICT)
    with pytest.raises(TelegramAdapterError) as refused:
        async for _ in running(core, api, mode="polling"):
            pytest.fail("the adapter started")
    message = str(refused.value)
    assert "another process is already long-polling" in message
    assert 'telegram.mode = "webhook"' in message and "409" in message


async def test_a_conflict_while_polling_is_logged_and_makes_the_process_unhealthy(
    polling: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    assert (await polling.adapter.health())[0]
    polling.api.fail("getUpdates", 409, CONFLICT)
    await polling.api.wait_for(lambda: polling.adapter.polled_elsewhere)
    ok, detail = await polling.adapter.health()
    assert not ok and 'telegram.mode = "webhook"' in detail
    assert any("another process is already long-polling" in r.getMessage() and r.levelname == "ERROR"
               for r in caplog.records)


async def test_a_webhook_left_set_is_not_taken_for_another_poller(core: Core, api: FakeBotApi) -> None:
    api.fail("getUpdates", 409, "Conflict: can't use getUpdates method while webhook is active; "
             "use deleteWebhook to delete the webhook first")
    async for harness in running(core, api, mode="polling"):
        assert (await harness.adapter.health())[0]
