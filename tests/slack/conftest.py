"""A running Slack adapter: our HTTP server and a fake Slack Web API, both on ephemeral ports."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from adapters.http import HttpServer
from adapters.slack.adapter import SlackAdapter
from bot.kernel.config import SlackSection
from bot.kernel.core import Core
from bot.kernel.events import HandleResult, Inbound
from tests.slack.fake_slack import FakeSlack
from tests.slack.signed import SlackSender

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


class FakeTime:
    """A monotonic clock and a sleep that only return when the test moves time on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeping: list[tuple[float, asyncio.Future[None]]] = []
        self.slept = asyncio.Event()

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.sleeping.append((self.now + seconds, done))
        self.slept.set()
        await done

    def advance(self, seconds: float) -> None:
        self.now += seconds
        for until, done in list(self.sleeping):
            if until <= self.now and not done.done():
                done.set_result(None)
                self.sleeping.remove((until, done))


class SkipTime(FakeTime):
    """A fake clock that moves on by itself whenever something sleeps on it: paced edits go at
    once, in order, without the test waiting or moving time."""

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


@dataclass
class Rig:
    core: Core
    adapter: SlackAdapter
    api: FakeSlack
    slack: SlackSender
    http: HttpServer
    time: FakeTime
    processed: asyncio.Queue[tuple[Inbound, HandleResult]] = field(default_factory=asyncio.Queue)

    async def next_processed(self) -> tuple[Inbound, HandleResult]:
        return await asyncio.wait_for(self.processed.get(), 10.0)

    def posts(self, channel: str | None = None) -> list[dict]:
        return [c.params for c in self.api.called("chat.postMessage")
                if channel is None or c.params.get("channel") == channel]


@pytest.fixture
async def api() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


def slack_settings(api: FakeSlack, **over: str) -> SlackSection:
    values = {"bot_token": "xoxb-1-test", "signing_secret": SECRET, "api_base_url": api.base_url}
    return SlackSection.model_validate(values | over)


@pytest.fixture
async def rig(core: Core, api: FakeSlack) -> AsyncIterator[Rig]:
    http = HttpServer(core, host="127.0.0.1", port=0)
    time = FakeTime()
    adapter = SlackAdapter(core, slack_settings(api), http, monotonic=time.monotonic,
                           sleep=time.sleep)
    core.attach(adapter)
    await http.start()
    await adapter.start()
    sender = SlackSender(f"http://127.0.0.1:{http.bound_port}/slack/events", SECRET,
                         api.response_url)
    found = Rig(core, adapter, api, sender, http, time)
    adapter.on_processed.append(lambda e, r: found.processed.put_nowait((e, r)))
    yield found
    adapter.delivery.coalescer.forget()
    await adapter.stop()
    await http.stop()
