"""The final state of a card reaches Slack even when the bot is killed while the edit waits.

Slack takes about one update a second per message, so an edit made within a second of the card's
last update waits for its turn. ``ncbot run`` on a fake Slack: a poll is posted, a vote updates
its card (the fake holds that update until the poll is closed), the "closed" card is claimed
right after the vote's update is answered and so must wait, and the process is killed (SIGKILL)
as soon as that edit is claimed. The edit was not marked sent, so the next process
sends it once the lease of the killed one has run out: the card says the poll has closed and
has no vote buttons.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from adapters.slack.render import POLL_BLOCK
from bot.kernel.ports import SystemClock
from bot.people.invites import issue_invite
from storage.db import create_db_engine, session_scope
from storage.migrate import upgrade
from storage.models import OutboundMessage
from storage.repo import people
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import SlackSender

ROOT = Path(__file__).resolve().parents[2]
SIGNING = "0123456789abcdef0123456789abcdef"
FIONA, KIM, CHANNEL = "UFIONA", "UKIM", "CGARDEN"
VOTE = "poll:1:1"  # the card's first option button
WAIT = 30.0  # seconds a guard waits for the bot (a process starting on a busy machine)


@dataclass
class BotProcess:
    proc: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    port: int = 0
    _reader: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, env: dict[str, str]) -> BotProcess:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters.cli", "run", env=env, cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE)
        bot = cls(proc)
        assert proc.stderr is not None
        started = False  # the platform too, not only the HTTP server
        while not (bot.port and started):
            line = (await asyncio.wait_for(proc.stderr.readline(), WAIT)).decode()
            if not line:
                raise AssertionError("the bot stopped early:\n" + "".join(bot.lines))
            bot.lines.append(line)
            found = re.search(r"HTTP server on [\d.]+:(\d+)", line)
            bot.port = int(found.group(1)) if found else bot.port
            started = started or "slack started" in line
        bot._reader = asyncio.create_task(bot._read())
        return bot

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        async for raw in self.proc.stderr:
            self.lines.append(raw.decode(errors="replace"))

    async def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(self.proc.wait(), WAIT) == -signal.SIGKILL
        if self._reader is not None:
            await self._reader

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(self.proc.wait(), WAIT)
        if self._reader is not None:
            await self._reader


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    api = FakeSlack()
    await api.start()
    yield api
    await api.stop()


def facilitator_invite(engine: Engine) -> str:
    now = SystemClock().now()
    with session_scope(engine) as s:
        person = people.create_person(s, name="Fiona Fenn", now=now)
        assert person.id is not None
        return issue_invite(s, role="facilitator", person_id=person.id, now=now,
                            ttl=timedelta(days=1)).code


def updates_of(api: FakeSlack, ts: str) -> list[dict[str, Any]]:
    return [c.params for c in api.called("chat.update") if c.params.get("ts") == ts]


def closed(update: dict[str, Any]) -> bool:
    blocks = update.get("blocks")
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks or []
    return "has closed" in str(update.get("text")) and "poll:1:" not in json.dumps(blocks) \
        and POLL_BLOCK not in json.dumps(blocks)


def close_edit(engine: Engine) -> OutboundMessage | None:
    """The row of the card edit that says the poll has closed, once it is written."""
    with session_scope(engine) as s:
        for row in s.exec(select(OutboundMessage).where(col(OutboundMessage.payload).contains(
                '"edit_of"'))):
            if "has closed" in row.payload:
                return row
    return None


async def written(engine: Engine, statuses: tuple[str, ...]) -> None:
    """Until the close edit is in the database in one of ``statuses``. Another process writes
    it, so there is no event to wait on: the test looks every 10 ms."""
    while (row := close_edit(engine)) is None or row.status not in statuses:  # noqa: ASYNC110
        await asyncio.sleep(0.01)


async def test_a_closed_polls_card_reaches_slack_after_a_kill(tmp_path: Path,
                                                              slack: FakeSlack) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    code = facilitator_invite(engine)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NCBOT_")}
    env.update({"NCBOT_STORAGE__URL": url, "NCBOT_HTTP__PORT": "0",
                "NCBOT_SLACK__BOT_TOKEN": "xoxb-2101-card-test-token",
                "NCBOT_SLACK__SIGNING_SECRET": SIGNING,
                "NCBOT_SLACK__API_BASE_URL": slack.base_url})
    first = await BotProcess.start(env)
    try:
        sender = SlackSender(f"http://127.0.0.1:{first.port}/slack/events", SIGNING,
                             slack.response_url)
        await sender.command(f"join {code}", user=FIONA, channel="DFIONA",
                             channel_name="directmessage")
        await sender.command("project Fremont Garden", user=FIONA, channel=CHANNEL,
                             channel_name="garden")
        await sender.command("poll Where should the bench go? | By the pond | Under the oak",
                             user=FIONA, channel=CHANNEL, channel_name="garden")
        await slack.wait_until(lambda: any(VOTE in json.dumps(c.params)
                                           for c in slack.called("chat.postMessage")), WAIT)
        posted = slack.called("chat.postMessage")
        card = next(i for i, c in enumerate(posted) if VOTE in json.dumps(c.params))
        ts = f"1700000000.{card + 1:06d}"  # the fake numbers each post
        held = slack.gates["chat.update"] = asyncio.Event()  # the vote's card update waits
        await sender.press(VOTE, user=KIM, channel=CHANNEL, message_ts=ts)
        await slack.wait_until(lambda: len(updates_of(slack, ts)) >= 1, WAIT)
        await sender.command("closepoll 1", user=FIONA, channel=CHANNEL, channel_name="garden")
        await asyncio.wait_for(written(engine, ("pending",)), WAIT)  # behind the vote's update
        held.set()  # the vote's update is answered: the close edit's turn is a second later
        await asyncio.wait_for(written(engine, ("sending", "sent")), WAIT)
        await first.kill()  # while the close edit waits for its turn
    except BaseException:
        await first.stop()
        print("".join(first.lines)[-4000:])  # shown with the failure
        raise
    row = close_edit(engine)
    assert row is not None
    assert not any(closed(u) for u in updates_of(slack, ts)), "the kill came too late to tell"
    assert row.status == "sending", row.status  # claimed, not marked sent before it went
    with session_scope(engine) as s:  # as if the killed process's lease had run out
        s.execute(update(OutboundMessage).where(col(OutboundMessage.status) == "sending")
                  .values(lease_until=SystemClock().now()))

    again = await BotProcess.start(env)
    try:
        await slack.wait_until(lambda: any(closed(u) for u in updates_of(slack, ts)), WAIT)
    finally:
        await again.stop()
    assert closed(updates_of(slack, ts)[-1])  # the card's final state: closed, no buttons
    assert close_edit(engine).status == "sent"  # type: ignore[union-attr]
    engine.dispose()
