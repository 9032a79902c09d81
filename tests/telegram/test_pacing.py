"""Pacing to Telegram's flood limits: 20 messages in any minute to a group, 30 in any second
overall, counted over rolling windows; a 429 that still comes costs only its own wait."""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from telegram.error import RetryAfter

from adapters.telegram.failures import LongFloodWait
from adapters.telegram.pacing import KEEP_GROUP_WINDOWS, FloodPacer
from bot.kernel.core import Core
from bot.kernel.events import Address, Outbound
from bot.kernel.rich import plain
from storage.db import session_scope
from storage.repo import work
from tests.telegram.conftest import Harness, running
from tests.telegram.fake_api import FakeBotApi
from tests.telegram.payloads import GROUP_ID

GROUP = "-100500"


class VirtualTime:
    """The pacer's clock here: when every task waits, time moves on to the earliest wake-up, so
    a minute's pacing takes none and the order of wake-ups is kept."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._driver: asyncio.Task[None] | None = None

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        woken: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), woken))
        if self._driver is None or self._driver.done():
            self._driver = loop.create_task(self._drive())
        await woken

    async def _drive(self) -> None:
        loop = asyncio.get_running_loop()
        while self._sleepers:
            await asyncio.sleep(0)
            if getattr(loop, "_ready", ()):
                continue  # some task can still run at this moment
            until, _, woken = heapq.heappop(self._sleepers)
            self.now = max(self.now, until)
            if not woken.done():
                woken.set_result(None)


@dataclass
class Arrival:
    at: float
    chat_id: str
    n: int


class Server:
    """Telegram's counting by arrival time, with a network delay each way; beyond a limit, a 429
    with the seconds until the request would be allowed."""

    def __init__(self, time: VirtualTime, *, per_second: int = 30, group_per_minute: int = 20,
                 delay: float = 0.02) -> None:
        self.time = time
        self.per_second = per_second
        self.group_per_minute = group_per_minute
        self.delay = delay
        self.arrivals: list[Arrival] = []
        self.refused: list[Arrival] = []
        self.refuse_once: dict[str, int] = {}  # chat -> retry_after of one 429 to come

    async def send(self, chat_id: str, n: int) -> int:
        await self.time.sleep(self.delay)
        now = self.time.now
        arrival = Arrival(now, chat_id, n)
        wait = self.refuse_once.pop(chat_id, None) or self._flood_wait(arrival)
        if wait:
            self.refused.append(arrival)
            raise RetryAfter(dt.timedelta(seconds=wait))
        self.arrivals.append(arrival)
        await self.time.sleep(self.delay)
        return n

    def _flood_wait(self, arrival: Arrival) -> int:
        now = arrival.at
        second = [a.at for a in self.arrivals if a.at > now - 1]
        if len(second) >= self.per_second:
            return 1
        minute = [a.at for a in self.arrivals if a.chat_id == arrival.chat_id and a.at > now - 60]
        if arrival.chat_id.startswith("-") and len(minute) >= self.group_per_minute:
            return int(minute[-self.group_per_minute] + 60 - now) + 1
        return 0

    def of(self, chat_id: str) -> list[Arrival]:
        return [a for a in self.arrivals if a.chat_id == chat_id]


def paced(time: VirtualTime, **kwargs: float) -> FloodPacer:
    return FloodPacer(monotonic=time.monotonic, sleep=time.sleep, **kwargs)  # type: ignore[arg-type]


async def send(pacer: FloodPacer, server: Server, chat_id: str, n: int) -> int:
    return int(await pacer.process_request(server.send, (chat_id, n), {}, "sendMessage",
                                           {"chat_id": chat_id}, None))


async def one_chat(pacer: FloodPacer, server: Server, chat_id: str, count: int) -> None:
    """As the outbox sends to one chat: one message after the other."""
    for n in range(count):
        await send(pacer, server, chat_id, n)


@pytest.mark.parametrize(("burst", "floor"), [(25, 60.0), (60, 120.0)])
async def test_a_burst_of_answers_in_one_group_never_trips_the_group_limit(
    burst: int, floor: float
) -> None:
    time = VirtualTime()
    server = Server(time)
    pacer = paced(time)
    start = time.now
    await one_chat(pacer, server, GROUP, burst)
    assert server.refused == []
    assert [a.n for a in server.of(GROUP)] == list(range(burst))  # all, in order
    # 20 at once, then 20 more a minute after the first ones were answered, and so on: no
    # slower than the limit allows (the network's delays aside).
    assert floor <= server.arrivals[-1].at - start <= floor + 1
    assert pacer.waits == 0


async def test_the_group_limit_holds_with_answers_from_several_senders_at_once() -> None:
    time = VirtualTime()
    server = Server(time, delay=0.3)
    pacer = paced(time)
    await asyncio.gather(*(send(pacer, server, GROUP, n) for n in range(45)))
    assert server.refused == []
    assert [a.n for a in server.of(GROUP)] == list(range(45))  # in the order they asked


async def test_private_messages_keep_thirty_in_any_second() -> None:
    time = VirtualTime()
    server = Server(time, delay=0.05)
    pacer = paced(time)
    start = time.now
    chats = [str(9000 + i) for i in range(300)]

    async def worker(mine: list[str]) -> None:
        for chat in mine:
            await send(pacer, server, chat, 0)

    await asyncio.gather(*(worker(chats[i::32]) for i in range(32)))  # the outbox's 32 at once
    assert server.refused == [] and len(server.arrivals) == 300
    assert server.arrivals[-1].at - start <= 300 / 30 * 1.1


async def test_groups_and_private_chats_together_keep_both_limits() -> None:
    time = VirtualTime()
    server = Server(time, delay=0.05)
    pacer = paced(time)
    groups = [f"-100{g}" for g in range(10)]
    jobs = [one_chat(pacer, server, g, 25) for g in groups]
    jobs += [one_chat(pacer, server, str(9000 + i), 3) for i in range(100)]
    await asyncio.gather(*jobs)
    assert server.refused == []
    for g in groups:
        assert [a.n for a in server.of(g)] == list(range(25))


async def test_a_429_costs_only_that_requests_wait() -> None:
    time = VirtualTime()
    server = Server(time)
    pacer = paced(time)
    server.refuse_once["9999"] = 5
    start = time.now
    await asyncio.gather(send(pacer, server, "9999", 0),
                         *(one_chat(pacer, server, str(9000 + i), 1) for i in range(40)))
    others = [a.at for a in server.arrivals if a.chat_id != "9999"]
    assert len(others) == 40 and max(others) - start < 2  # nobody else waited five seconds
    assert server.of("9999")[0].at - start >= 5
    assert pacer.waits == 1


async def test_a_429_in_one_group_holds_that_group_only() -> None:
    time = VirtualTime()
    server = Server(time)
    pacer = paced(time)
    server.refuse_once["-100777"] = 10
    start = time.now
    await asyncio.gather(one_chat(pacer, server, "-100777", 3), one_chat(pacer, server, GROUP, 3))
    assert [a.n for a in server.of("-100777")] == [0, 1, 2]
    assert min(a.at for a in server.of("-100777")) - start >= 10
    assert [a.n for a in server.of(GROUP)] == [0, 1, 2]
    assert max(a.at for a in server.of(GROUP)) - start < 1


async def test_a_long_flood_wait_goes_back_to_the_caller() -> None:
    time = VirtualTime()
    server = Server(time)
    pacer = paced(time, longest_wait=30)
    server.refuse_once["9999"] = 56
    with pytest.raises(LongFloodWait):
        await send(pacer, server, "9999", 0)
    assert pacer.waits == 0 and server.arrivals == []


async def test_requests_without_a_chat_are_not_paced() -> None:
    time = VirtualTime()
    pacer = paced(time)
    calls = []

    async def get_updates() -> bool:
        calls.append(time.now)
        return True

    for _ in range(100):
        await pacer.process_request(get_updates, (), {}, "getUpdates", {"timeout": 0}, None)
    assert calls == [1000.0] * 100


async def test_idle_group_windows_are_forgotten() -> None:
    time = VirtualTime()
    server = Server(time, per_second=10**6, delay=0)
    pacer = paced(time)
    for g in range(KEEP_GROUP_WINDOWS + 10):
        await send(pacer, server, f"-{g + 1}", 0)
        time.now += 0.2
    assert len(pacer._groups) <= KEEP_GROUP_WINDOWS


# ---- through python-telegram-bot, to the fake Bot API counting as Telegram does ---------------


@pytest.fixture
async def limited(core: Core, api: FakeBotApi) -> AsyncIterator[tuple[Harness, VirtualTime]]:
    time = VirtualTime()
    api.limit(time.monotonic, per_second=30, group_per_minute=20)
    async for harness in running(core, api, pacer=paced(time),
                                 webhook_url="https://bot.example.org/telegram/webhook"):
        yield harness, time


@pytest.mark.parametrize("burst", [25, 60])
async def test_a_burst_to_a_group_through_the_bot_api_gets_no_429(
    limited: tuple[Harness, VirtualTime], burst: int
) -> None:
    tg, time = limited
    now = tg.core.clock.now()
    with session_scope(tg.core.engine) as s:
        work.write_outbound(s, [work.outbound_row(
            platform="telegram", chat_id=str(GROUP_ID), user_id=None, ref=None, now=now,
            payload=Outbound(Address("telegram", chat_id=str(GROUP_ID)),
                             plain(f"Answer {n}")).to_json()) for n in range(burst)])
    start = time.now
    assert await tg.core.outbox.flush() == burst
    calls = tg.api.sent(chat_id=GROUP_ID, ok=None)
    assert [c.status for c in calls] == [200] * burst  # no 429
    assert [c.text for c in calls] == [f"Answer {n}" for n in range(burst)]
    floor = 60.0 * ((burst - 1) // 20)
    assert floor <= calls[-1].at - start <= floor + 1
