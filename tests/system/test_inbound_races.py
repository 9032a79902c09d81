"""Two ``ncbot run`` processes on one database get every update at the same moment.

As when Telegram sends a webhook update again while the first delivery is still being handled,
or two deployments behind one address both get it: the two transactions really interleave (two
OS processes, each with its own connections). The ledger lets one of them have the effect.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import aiohttp
import pytest

from adapters.telegram.adapter import SECRET_HEADER, WEBHOOK_PATH
from bot.kernel.core import Core
from tests.ncbot_run import BotProcess
from tests.system.test_inbound_kill import ENV, bot_config, burst, effects, set_up
from tests.telegram.conftest import SECRET
from tests.telegram.fake_api import FakeBotApi

SENDERS = 3  # updates under way at once, each to both processes

pytestmark = pytest.mark.timeout(300)


async def test_two_processes_given_the_same_updates_have_one_effect(
    core: Core, api: FakeBotApi, tmp_path: Path
) -> None:
    u, group, earlier = await set_up(core, api)
    work = burst(u, group, earlier)
    config = bot_config(tmp_path, core, api, "webhook")
    bots = [BotProcess(config, ENV, r"telegram: @ncbot_test_bot") for _ in range(2)]
    statuses: Counter[int] = Counter()
    queue = list(reversed(work.updates))

    async def deliver(client: aiohttp.ClientSession, bot: BotProcess,
                      update: dict[str, object]) -> None:
        for _ in range(100):  # as Telegram: again until a 2xx (it keeps trying for hours)
            try:
                async with client.post(f"http://127.0.0.1:{bot.port}{WEBHOOK_PATH}",
                                       json=update, headers={SECRET_HEADER: SECRET}) as answer:
                    statuses[answer.status] += 1
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                statuses[0] += 1  # a dropped connection
        raise AssertionError(f"update {update['update_id']} never got a 2xx")

    async def sender(client: aiohttp.ClientSession) -> None:
        while queue:
            update = queue.pop()
            await asyncio.gather(*(deliver(client, bot, update) for bot in bots))

    try:
        await asyncio.gather(*(bot.start() for bot in bots))
        async with aiohttp.ClientSession() as client:
            await asyncio.gather(*(sender(client) for _ in range(SENDERS)))
    finally:
        for bot in bots:
            if bot.proc is not None:
                bot.kill()  # what was stored is checked, not what was sent
                await bot.died()
    lost, twice, supports = effects(core, work.texts)
    print(f"two processes, each update to both at once: updates {len(work.updates)}, "
          f"answers {dict(statuses)}, challenges lost {lost}, stored twice {twice}, "
          f"supports {supports}/{work.presses}")
    assert (lost, twice, supports) == (0, 0, work.presses)
    assert not any(bot.errors() for bot in bots), [bot.errors() for bot in bots]
