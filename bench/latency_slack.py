"""Latency under load on Slack (part of ``python -m bench latency``; see ``bench/latency.py``).

``ncbot run`` on Slack's HTTP mode in its own process; this process runs the fake Slack Web API
and sends, signed as Slack signs them, 300 Events API ``message`` events per second by 300
residents in 40 registered project channels, with two kinds of samples among them: the slash
command ``/ncbot challenge <text>`` (from sending it to the ``chat.postMessage`` of the card in
its channel; the ack's own latency is printed too) and a Support press on the latest card
(``block_actions``, to the ``chat.postEphemeral`` that tells the presser).
"""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from bench.child import Child
from bench.latency import (
    PATIENCE,
    SUPPORT,
    Kind,
    Match,
    Usage,
    load_average,
    offer,
    profiled,
    report,
    sample_until,
)
from bench.world import CHATTER, build_world, settings_for
from bot.app import build_core
from bot.kernel.ports import SystemClock
from storage.db import create_db_engine
from storage.migrate import upgrade
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import signature

SECRET = "bench-signing-secret-0123456789abcdef"
TOKEN = "xoxb-bench-1"
CHANNELS = [f"C{7000 + i}" for i in range(40)]
RESIDENTS = [f"U{80000 + i}" for i in range(300)]
AT_ONCE = 64  # requests in flight at most (connections to the bot)


class TimedSlack(FakeSlack):
    """The fake Slack Web API; it tells waiting samples when their answer came."""

    waiting: list[tuple[Match, asyncio.Future[tuple[float, dict[str, Any], Any]]]]

    def _answer(self, method: str, p: dict[str, Any], request: web.Request) -> dict[str, Any]:
        answer = super()._answer(method, p, request)
        at = time.monotonic()
        for match, future in list(getattr(self, "waiting", ())):
            if not future.done() and match(method, p, answer):
                future.set_result((at, p, answer))
        return answer

    async def wait(self, send: Any, match: Match) -> tuple[float, dict[str, Any], Any] | None:
        """``await send()``; (seconds to the first call ``match`` accepts, its params, answer)."""
        future = asyncio.get_running_loop().create_future()
        entry = (match, future)
        self.waiting.append(entry)
        started = time.monotonic()
        try:
            await send()
            at, params, answer = await asyncio.wait_for(future, PATIENCE)
        except TimeoutError:
            return None
        finally:
            self.waiting.remove(entry)
        return at - started, params, answer


class Sender:
    """Signed requests to the bot's /slack/events, at most AT_ONCE in flight."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/slack/events"
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=AT_ONCE))
        # Samples on connections of their own: never queued behind chatter in this process.
        self.samples = aiohttp.ClientSession()
        self.acks: list[float] = []
        self.answered = 0
        self.failed = 0
        self._ids = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    async def post(self, body: str, content_type: str, *, sample: bool = True) -> float:
        ts = str(int(time.time()))
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
                   "X-Slack-Signature": signature(SECRET, ts, body)}
        started = time.monotonic()
        session = self.samples if sample else self.session
        async with session.post(self.url, data=body.encode(), headers=headers) as resp:
            await resp.read()
            if resp.status == 200:
                self.answered += 1
            else:
                self.failed += 1
        return time.monotonic() - started

    def message(self, rng: random.Random) -> None:
        """One channel message event, sent in the background."""
        n = self.next_id()
        body = json.dumps({
            "token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event_id": f"Ev{n:08d}", "event_time": int(time.time()),
            "event": {"type": "message", "channel": rng.choice(CHANNELS),
                      "user": rng.choice(RESIDENTS), "text": rng.choice(CHATTER),
                      "ts": f"{int(time.time())}.{n:06d}", "channel_type": "channel"}})
        task = asyncio.get_running_loop().create_task(self._quietly(body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _quietly(self, body: str) -> None:
        try:
            await self.post(body, "application/json", sample=False)
        except aiohttp.ClientError:
            self.failed += 1

    async def command(self, user: str, channel: str, text: str, response_url: str) -> None:
        form = urlencode({
            "token": "legacy", "team_id": "T1", "channel_id": channel, "channel_name": "project",
            "user_id": user, "user_name": user.lower(), "command": "/ncbot", "text": text,
            "response_url": response_url, "trigger_id": f"trig{self.next_id()}",
            "api_app_id": "A1"})
        self.acks.append(await self.post(form, "application/x-www-form-urlencoded"))

    async def press(self, user: str, channel: str, ts: str, value: str) -> None:
        payload = {"type": "block_actions", "trigger_id": f"trig{self.next_id()}",
                   "team": {"id": "T1"}, "api_app_id": "A1",
                   "user": {"id": user, "username": user.lower(), "name": user.lower()},
                   "channel": {"id": channel},
                   "container": {"type": "message", "message_ts": ts, "channel_id": channel},
                   "message": {"ts": ts, "text": ""},
                   "actions": [{"type": "button", "action_id": "b0_0", "block_id": "r0",
                                "value": value, "action_ts": str(time.time())}]}
        await self.post(urlencode({"payload": json.dumps(payload)}),
                        "application/x-www-form-urlencoded")

    async def close(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.session.close()
        await self.samples.close()


async def world_database(tmp: Path) -> str:
    """The channels registered as projects, every resident known by a message of theirs."""
    settings = settings_for(tmp / "bot.db")
    engine = create_db_engine(settings.storage.url)
    upgrade(engine)
    try:
        core = build_core(settings=settings, engine=engine, clock=SystemClock(), worker_id="bench")
        world = await build_world(core, platform="slack", groups=CHANNELS, residents=RESIDENTS,
                                  facilitator="U9000001", councillor="U9000002")
        rng = random.Random(3)
        for resident in RESIDENTS:
            await core.handle(replace(world.message(rng), sender=world.sender(resident)))
    finally:
        engine.dispose()
    return str(settings.storage.url)


def bot_config(tmp: Path, url: str, api: FakeSlack) -> Path:
    path = tmp / "ncbot.toml"
    path.write_text("\n".join([
        "[storage]", f'url = "{url}"', "", "[http]", 'host = "127.0.0.1"', "port = 0", "",
        "[slack]", f'api_base_url = "{api.base_url}"', 'mode = "http"', "",
    ]) + "\n", encoding="utf-8")
    return path


async def slack(rng: random.Random) -> None:
    api = TimedSlack()
    api.waiting = []
    await api.start()
    kinds = [Kind("/ncbot challenge (sent -> card posted)"),
             Kind("Support press (sent -> ephemeral answer)")]
    acks = Kind("  (/ncbot challenge: its ack)")
    cards: list[tuple[str, str, str]] = []  # (channel, ts, button value)
    first_card = asyncio.Event()
    with tempfile.TemporaryDirectory(prefix="ncbot-bench-") as tmp:
        url = await world_database(Path(tmp))
        args = ["-m", "adapters.cli", "--config", str(bot_config(Path(tmp), url, api)), "run"]
        child = Child(profiled(args, "slack"), env={"NCBOT_SLACK__BOT_TOKEN": TOKEN,
                                                    "NCBOT_SLACK__SIGNING_SECRET": SECRET},
                      ready="slack started")
        await child.start()
        sender = Sender(child.port)

        async def challenge(i: int) -> float | None:
            channel, marker = CHANNELS[i % len(CHANNELS)], f"bench mark {i:04d}"
            found = await api.wait(
                lambda: sender.command(RESIDENTS[i % len(RESIDENTS)], channel,
                                       f"challenge The bus route cuts the garden off ({marker})",
                                       api.response_url),
                lambda method, p, _a: method == "chat.postMessage"
                and p.get("channel") == channel and marker in json.dumps(p))
            if found is None:
                return None
            took, params, answer = found
            value = SUPPORT.search(json.dumps(params))
            if value:
                cards.append((channel, str(answer["ts"]), value.group(0)))
                first_card.set()
            return took

        async def support(i: int) -> float | None:
            presser = RESIDENTS[(i * 7 + 150) % len(RESIDENTS)]
            channel, ts, value = cards[-1]
            found = await api.wait(
                lambda: sender.press(presser, channel, ts, value),
                lambda method, p, _a: method == "chat.postEphemeral" and p.get("user") == presser)
            return None if found is None else found[0]

        async def support_after_a_card() -> None:
            await first_card.wait()
            await sample_until(kinds[1], support, rng)

        try:
            stop = asyncio.Event()

            def chatter(n: int) -> None:
                for _ in range(n):
                    sender.message(rng)

            load = asyncio.create_task(offer(chatter, stop))
            await asyncio.sleep(2.0)  # the chatter under way before the first sample
            started_load, answered, started = load_average(), sender.answered, time.monotonic()
            usage = Usage(child)
            usage.start()
            await asyncio.gather(sample_until(kinds[0], challenge, rng), support_after_a_card())
            taken = (sender.answered - answered) / (time.monotonic() - started)
            used = usage.line()
            stop.set()
            offered = await load
            acks.seconds = sender.acks
            await sender.close()
        finally:
            await child.stop()
            await api.stop()
    report(f"slack (HTTP errors or refused connections: {sender.failed})", [*kinds, acks],
           offered, taken, started_load, used)
