"""``ncbot run`` stopped with SIGTERM while a group's cards wait for the platform's pacing.

A hundred challenges in one group make a hundred cards, which Telegram lets out at about 20 a
minute: five minutes of sending. The stop waits a bounded time for what is under way, then
leaves the rest in the outbox for the next start, well inside the 30 s a service manager gives
(``TimeoutStopSec`` in docs/deployment.md).
"""

from __future__ import annotations

import time
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import col, select

from adapters.telegram.adapter import SECRET_HEADER, WEBHOOK_PATH
from bot.kernel.core import Core
from storage.db import session_scope
from storage.models import Challenge, OutboundMessage
from tests.ncbot_run import BotProcess
from tests.system.test_inbound_kill import ENV, bot_config, set_up
from tests.telegram.conftest import SECRET
from tests.telegram.fake_api import FakeBotApi
from tests.telegram.payloads import GROUP_ID

CARDS = 100
STOP_ALLOWED = 30.0  # seconds: TimeoutStopSec of the documented systemd unit

pytestmark = pytest.mark.timeout(300)


async def test_sigterm_with_a_hundred_paced_group_cards_stops_in_time(
    core: Core, api: FakeBotApi, tmp_path: Path
) -> None:
    u, group, _ = await set_up(core, api)
    bot = BotProcess(bot_config(tmp_path, core, api, "webhook"), ENV, r"telegram: @ncbot_test_bot")
    await bot.start()
    try:
        async with aiohttp.ClientSession() as client:
            for n in range(1, CARDS + 1):
                update = u.message("alice", f"/challenge Stop {n}: the bins are too far", group)
                async with client.post(f"http://127.0.0.1:{bot.port}{WEBHOOK_PATH}", json=update,
                                       headers={SECRET_HEADER: SECRET}) as answer:
                    assert answer.status == 200
        started = time.monotonic()
        code = await bot.stop()
        took = time.monotonic() - started
    finally:
        bot.kill()
    with session_scope(core.engine) as s:
        raised = len(s.exec(select(Challenge).where(col(Challenge.text).like("Stop %"))).all())
        waiting = len(s.exec(select(OutboundMessage).where(
            OutboundMessage.chat_id == str(GROUP_ID),
            col(OutboundMessage.status).in_(["pending", "sending"]))).all())
    cards = sum(1 for c in api.sent(chat_id=GROUP_ID) if "Stop " in c.text)
    print(f"SIGTERM with {CARDS} group cards paced: stopped in {took:.1f} s (exit {code}), "
          f"{cards} cards sent, {waiting} group messages left for the next start")
    assert code == 0
    assert took < STOP_ALLOWED
    assert raised == CARDS
    assert cards < CARDS and cards + waiting >= CARDS  # nothing lost: the rest waits
    assert not bot.errors(), bot.errors()
