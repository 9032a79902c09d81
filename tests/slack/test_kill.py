"""``ncbot run`` on Slack killed (SIGKILL) after acknowledging commands, then started again.

Slack never sends an acknowledged slash command again. Each command comes from a channel of its
own, so the bot asks ``conversations.info`` whether it is a member before handling it; the fake
Slack answers that slowly (1.5 s, as the real API sometimes does), so commands are acknowledged
and still being worked on when it kills the bot as its N-th call of a method arrives. Every
acknowledged command is answered once; one the bot never acknowledged was shown to its sender
as failed.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlmodel import select

from bot.kernel.core import Core
from storage.db import session_scope
from storage.models import InboundEntry, OutboundMessage
from tests.ncbot_run import BotProcess, write_config
from tests.slack.conftest import SECRET
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import SlackSender

COMMANDS = 40
SENDERS = 4  # requests under way at once
_points = random.Random(20261201)
KILLS = [("conversations.info", 1), ("conversations.info", _points.randint(5, 35)),
         ("chat.postEphemeral", _points.randint(1, 20))]
ENV = {"NCBOT_SLACK__BOT_TOKEN": "xoxb-1-test", "NCBOT_SLACK__SIGNING_SECRET": SECRET}

pytestmark = pytest.mark.timeout(300)


class KillingSlack(FakeSlack):
    """The fake Slack, which SIGKILLs the bot as its N-th call of a method arrives."""

    victim: int | None = None
    kill_at: tuple[str, int] | None = None
    counted: Counter[str] | None = None
    killed: asyncio.Event | None = None

    async def _api(self, request: web.Request) -> web.StreamResponse:
        assert self.counted is not None and self.killed is not None
        method = request.match_info["method"]
        gate = self.gates.get(method)
        if gate is not None:
            await gate.wait()  # counted once through the gate
        self.counted[method] += 1
        if self.victim is not None and self.kill_at == (method, self.counted[method]):
            os.kill(self.victim, signal.SIGKILL)
            self.kill_at = None
            self.killed.set()
        return await super()._api(request)


@pytest.fixture
async def slack() -> Any:
    fake = KillingSlack(delays={"conversations.info": 1.5})
    fake.counted, fake.killed = Counter(), asyncio.Event()
    await fake.start()
    yield fake
    await fake.stop()


async def stored_for(core: Core, channels: set[str]) -> None:
    """Until the journal is empty and every channel in ``channels`` has its answer stored. The
    database is another process's: it is looked at every tenth of a second, for a minute."""
    def done() -> bool:
        with session_scope(core.engine) as s:
            left = s.exec(select(InboundEntry)).first()
        return left is None and channels <= set(answers(core))

    for _ in range(600):
        if await asyncio.to_thread(done):  # off the loop: it may wait for the bot's writes
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"answers stored for {sorted(set(answers(core)) & channels)} only")


def answers(core: Core) -> Counter[str]:
    """Answers stored in the outbox, per channel (each command came from a channel of its own)."""
    with session_scope(core.engine) as s:
        return Counter(str(m.chat_id) for m in s.exec(select(OutboundMessage)))


@pytest.mark.parametrize(("method", "at"), KILLS, ids=[f"{m}-{n}" for m, n in KILLS])
async def test_killed_after_acknowledging_commands_loses_none(
    core: Core, slack: KillingSlack, tmp_path: Path, method: str, at: int
) -> None:
    if core.engine.dialect.name != "sqlite" and (method, at) != KILLS[0]:
        pytest.skip("on PostgreSQL one run keeps CI short; SQLite runs every kill point")
    config = write_config(tmp_path / "config.toml", url=core.settings.storage.url,
                          slack={"mode": "http", "api_base_url": slack.base_url})
    first = BotProcess(config, ENV, r"slack started")
    again = BotProcess(config, ENV, r"slack started")
    slack.kill_at = (method, at)
    try:
        acked, refused = await acknowledged_then_killed(slack, first)
        slack.kill_at = None
        await again.start()
        # The journal is replayed at start: every acknowledged command gets its answer.
        # (Answers the killed process had claimed go once their lease is over; what is checked
        # is the store.)
        await stored_for(core, acked)
    finally:
        for bot in (first, again):
            if bot.proc is not None:
                bot.kill()
                await bot.died()
    stored = answers(core)
    lost = sorted(c for c in acked if stored[c] == 0)
    twice = sorted(c for c, n in stored.items() if n > 1)
    print(f"slack, killed at {method} #{at}: commands {COMMANDS}, acknowledged {len(acked)}, "
          f"not acknowledged {len(refused)}, lost {len(lost)}, answered twice {len(twice)}")
    assert acked, "nothing was acknowledged before the kill"
    assert lost == [] and twice == []
    with session_scope(core.engine) as s:
        assert s.exec(select(InboundEntry)).all() == []  # the journal is empty again


async def acknowledged_then_killed(slack: KillingSlack, bot: BotProcess
                                   ) -> tuple[set[str], set[str]]:
    """Every person sends a command; once all are answered, the name look-ups go on and the
    fake kills the bot. Returns the channels whose command was acknowledged, and the rest."""
    assert slack.killed is not None
    # Channels are looked up once every command is acknowledged: the kill finds them all in hand.
    slack.gates["conversations.info"] = asyncio.Event()

    def armed(pid: int) -> None:
        slack.victim = pid

    await bot.start(armed)
    acked: set[str] = set()
    refused: set[str] = set()
    sender = SlackSender(f"http://127.0.0.1:{bot.port}/slack/events", SECRET)
    queue = list(range(COMMANDS, 0, -1))

    async def person() -> None:
        while queue:
            n = queue.pop()
            try:
                status, _ = await sender.command("help", user=f"U{n}", channel=f"C{n}")
            except aiohttp.ClientError:
                status = 0
            (acked if status == 200 else refused).add(f"C{n}")

    await asyncio.gather(*(person() for _ in range(SENDERS)))
    slack.gates["conversations.info"].set()  # the work on every acknowledged command goes on
    await asyncio.wait_for(slack.killed.wait(), 30)
    assert await bot.died() == -signal.SIGKILL
    return acked, refused
