"""Fan-out against Telegram's flood limits: digests and bursts of answers through the outbox and
the real Telegram adapter, to a local Bot API that counts as Telegram does.

The Bot API runs in a process of its own (Telegram is not slowed by our work) and accepts at most
30 messages in any rolling second and 20 to one group in any rolling minute; beyond either it
answers 429 with the ``retry_after`` that would let the request through. Three scenarios:

- 1,000 councillor digests, each to a person (the floor: 1,000 / 30 = 33.3 s);
- a mix: 700 councillor digests and 300 project-group digests, one group each;
- bursts of 25 and 60 answers in one group (the floor: 20 at once, the next 20 a minute later).

Digests are built into the outbox once and delivered three times (put back to pending between
runs); each run reports wall time against the floor and the 429s the server answered. Run from
``python -m bench digests``, or alone: ``python -m bench.fanout`` (``--no-bursts`` leaves out
the three minutes of the bursts).
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

from aiohttp import web
from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bench.fake_bot_api import ServerProcess, start_bot_api
from bot.app import build_core
from bot.digests.delivery import cadence_of, deliver
from bot.kernel.config import Settings, TelegramSection
from bot.kernel.context import Work
from bot.kernel.core import Core
from bot.kernel.events import Address, Outbound
from bot.kernel.ports import SystemClock
from bot.kernel.rich import plain
from storage.db import session_scope
from storage.models import OutboundMessage
from storage.repo import digests as repo
from storage.repo import work

PER_SECOND = 30
GROUP_PER_MINUTE = 20
FANOUT = 1_000
MIX_GROUPS = 300
RUNS = 3
BURSTS = (25, 60)
BURST_GROUP = "-1009999999999"


def floor_of(messages: int, *, groups: dict[str, int] | None = None) -> float:
    """The least time Telegram's limits allow: the overall rate, or a group's minutes."""
    overall = messages / PER_SECOND
    busiest = max((groups or {}).values(), default=0)
    return max(overall, 60.0 * ((busiest - 1) // GROUP_PER_MINUTE) if busiest else 0.0)


class FloodLimitedBotApi:
    """Accepts sends within Telegram's limits (rolling windows by arrival); 429 beyond them."""

    def __init__(self) -> None:
        self.accepted: deque[float] = deque()
        self.by_group: dict[str, deque[float]] = {}
        self.reset()

    def reset(self) -> None:
        self.accepted.clear()
        self.by_group.clear()
        self.sent = 0
        self.too_many = 0
        self.first: float | None = None
        self.last: float | None = None

    def flood_wait(self, chat_id: str, now: float) -> int:
        while self.accepted and self.accepted[0] <= now - 1.0:
            self.accepted.popleft()
        waits = []
        if len(self.accepted) >= PER_SECOND:
            waits.append(self.accepted[0] + 1.0 - now)
        if chat_id.startswith("-"):
            group = self.by_group.setdefault(chat_id, deque())
            while group and group[0] <= now - 60.0:
                group.popleft()
            if len(group) >= GROUP_PER_MINUTE:
                waits.append(group[0] + 60.0 - now)
        return max(1, math.ceil(max(waits))) if waits else 0

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "getMe":
            return web.json_response({"ok": True, "result": {
                "id": 7000000001, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}})
        if method != "sendMessage":
            return web.json_response({"ok": True, "result": True})
        data = await request.post()
        chat_id = str(data.get("chat_id", "0"))
        now = time.monotonic()
        wait = self.flood_wait(chat_id, now)
        if wait:
            self.too_many += 1
            return web.json_response(
                {"ok": False, "error_code": 429,
                 "description": f"Too Many Requests: retry after {wait}",
                 "parameters": {"retry_after": wait}}, status=429)
        self.accepted.append(now)
        if chat_id.startswith("-"):
            self.by_group[chat_id].append(now)
        self.sent += 1
        self.first = self.first or now
        self.last = now
        kind = "supergroup" if chat_id.startswith("-") else "private"
        return web.json_response({"ok": True, "result": {
            "message_id": self.sent, "date": int(time.time()),
            "chat": {"id": int(chat_id), "type": kind, "first_name": "C", "title": "G"},
            "text": str(data.get("text", ""))}})


def _serve(conn: Connection) -> None:
    """The flood-limited API in a process of its own. "stats": (accepted, 429s, first, last)."""

    async def serve() -> None:
        api = FloodLimitedBotApi()
        runner, port = await start_bot_api(api.handle)
        conn.send(port)
        loop = asyncio.get_running_loop()
        while True:
            command, _payload = await loop.run_in_executor(None, conn.recv)
            if command == "stats":
                conn.send((api.sent, api.too_many, api.first, api.last))
            elif command == "reset":
                api.reset()
                conn.send(True)
            else:
                await runner.cleanup()
                conn.send(True)
                return

    asyncio.run(serve())


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def build_recipients(engine: Engine, now: datetime, *, councillors: int, groups: int) -> None:
    """Project 1 with news and ``councillors`` linked to it, each reachable on Telegram; and
    ``groups`` projects with news, each with a Telegram group and a group digest due."""
    conn = engine.raw_connection()
    cur = conn.cursor()
    cur.execute("BEGIN")
    old, week = stamp(now - timedelta(days=30)), stamp(now - timedelta(days=7))
    for p in range(1, groups + 2):
        cur.execute("INSERT INTO project (id, code, name, scope, created_at) "
                    "VALUES (?, ?, ?, '', ?)", (p, f"P{p:04d}", f"Project {p}", old))
        cur.execute("INSERT INTO challenge (project_id, number, text, raised_at, status, "
                    "routed_to) VALUES (?, 1, 'Move the bus stop back to the gate', ?, 'open', "
                    "'linked')", (p, stamp(now - timedelta(days=2))))
        if p > 1:
            cur.execute("INSERT INTO chat (platform, platform_chat_id, kind, project_id) "
                        "VALUES ('telegram', ?, 'group', ?)", (str(-1_000_000_000 - p), p))
            cur.execute("INSERT INTO digestschedule (recipient_kind, recipient_id, cadence, "
                        "weekday, at_time, last_sent_at) VALUES ('project', ?, 'weekly', 0, "
                        "'09:00', ?)", (p, week))
    for i in range(1, councillors + 1):
        cur.execute("INSERT INTO person (id, name, created_at) VALUES (?, ?, ?)",
                    (i, f"Cllr {i}", old))
        cur.execute("INSERT INTO rolegrant (person_id, role, granted_at) "
                    "VALUES (?, 'councillor', ?)", (i, stamp(now)))
        cur.execute("INSERT INTO identity (person_id, platform, user_id, display_name, "
                    "private_chat_id) VALUES (?, 'telegram', ?, 'C', ?)",
                    (i, str(8_000_000 + i), str(8_000_000 + i)))
        cur.execute("INSERT INTO councillorlink (project_id, councillor_id, status, reason, "
                    "proposed_at, decided_at) VALUES (1, ?, 'accepted', 'ward', ?, ?)",
                    (i, stamp(now - timedelta(days=20)), stamp(now - timedelta(days=20))))
        cur.execute("INSERT INTO digestschedule (recipient_kind, recipient_id, cadence, weekday, "
                    "at_time, last_sent_at) VALUES ('person', ?, 'weekly', 0, '09:00', ?)",
                    (i, week))
    conn.commit()
    conn.close()


async def build_digests(core: Core, settings: Settings, now: datetime, *, councillors: int,
                        groups: int) -> float:
    """Every due digest into the outbox (no adapter attached yet); returns the seconds taken."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(settings.bot.timezone)
    started = time.perf_counter()
    recipients = [("person", i) for i in range(1, councillors + 1)]
    recipients += [("project", p) for p in range(2, groups + 2)]
    for kind, rid in recipients:
        with session_scope(core.engine) as s:
            schedule = repo.get_schedule(s, recipient_kind=kind, recipient_id=rid)
            assert schedule is not None
            w = Work(core, s, datetime.now(UTC))
            await deliver(w, schedule, cadence_of(schedule), zone, now)
    return time.perf_counter() - started


def outbox_shape(engine: Engine) -> tuple[int, dict[str, int]]:
    """(messages, messages per group chat) waiting in the outbox."""
    with session_scope(engine) as s:
        rows = list(s.exec(select(OutboundMessage.chat_id)))
    groups: dict[str, int] = {}
    for chat in rows:
        if chat and chat.startswith("-"):
            groups[chat] = groups.get(chat, 0) + 1
    return len(rows), groups


async def deliver_once(core: Core, port: int, api: ServerProcess) -> dict[str, Any]:
    """Deliver what the outbox holds through a fresh Telegram adapter."""
    from adapters.http import HttpServer
    from adapters.telegram.adapter import TelegramAdapter

    telegram = TelegramSection(token="123456:bench-token",
                               api_base_url=f"http://127.0.0.1:{port}/bot")
    adapter = TelegramAdapter(core, telegram, HttpServer(core, host="127.0.0.1", port=0))
    api.ask("reset")
    await adapter.app.initialize()
    try:
        started = time.perf_counter()
        delivered = await core.outbox.flush()
        wall = time.perf_counter() - started
    finally:
        await adapter.app.shutdown()
    with session_scope(core.engine) as s:
        retried = s.exec(select(func.count()).select_from(OutboundMessage)
                         .where(col(OutboundMessage.attempts) > 1)).one()
        unsent = s.exec(select(func.count()).select_from(OutboundMessage)
                        .where(col(OutboundMessage.status) != "sent")).one()
    _sent, too_many, first, last = api.ask("stats")
    return {"delivered": delivered, "wall_s": wall, "too_many": too_many, "unsent": unsent,
            "waited_in_place": adapter.pacer.waits, "retried": retried,
            "span_s": (last - first) if first is not None and last is not None else 0.0}


def again(engine: Engine) -> None:
    """The same messages once more, as if just written."""
    with session_scope(engine) as s:
        s.execute(update(OutboundMessage).values(
            status="pending", attempts=0, timeouts=0, lease_until=None, sent_at=None,
            next_attempt_at=datetime.now(UTC)))


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


async def digests_scenario(name: str, api: ServerProcess, database: Any, *, councillors: int,
                           groups: int) -> None:
    with database(f"fanout-{name}.db") as (settings, engine):
        now = datetime.now(UTC)  # real time: the outbox waits out 429s by the clock
        build_recipients(engine, now, councillors=councillors, groups=groups)
        core = build_core(settings=settings, engine=engine, clock=SystemClock(), worker_id="bench")
        built = await build_digests(core, settings, now, councillors=councillors, groups=groups)
        messages, per_group = outbox_shape(engine)
        floor = floor_of(messages, groups=per_group)
        print(f"  {name}: {councillors} councillor and {groups} group digests, {messages} "
              f"messages ({sum(per_group.values())} to groups) built into the outbox in "
              f"{built:.1f} s; floor {floor:.1f} s", flush=True)
        for run in range(1, RUNS + 1):
            if run > 1:
                again(engine)
            f = await deliver_once(core, api.port, api)
            print(f"    run {run}: {f['delivered']} delivered in {f['wall_s']:.1f} s, "
                  f"{f['wall_s'] / floor:.3f} x the floor; 429s: {f['too_many']} (waited out in "
                  f"place {f['waited_in_place']}, back to the outbox {f['retried']}); "
                  f"{f['unsent']} not sent; {load()}", flush=True)


async def burst_scenario(api: ServerProcess, database: Any, burst: int) -> None:
    with database(f"burst-{burst}.db") as (_settings, engine):
        core = build_core(settings=_settings, engine=engine, clock=SystemClock(),
                          worker_id="bench")
        now = datetime.now(UTC)
        with session_scope(engine) as s:
            work.write_outbound(s, [work.outbound_row(
                platform="telegram", chat_id=BURST_GROUP, user_id=None, ref=None, now=now,
                payload=Outbound(Address("telegram", chat_id=BURST_GROUP),
                                 plain(f"Answer {n}")).to_json()) for n in range(burst)])
        floor = floor_of(burst, groups={BURST_GROUP: burst})
        f = await deliver_once(core, api.port, api)
        print(f"  a burst of {burst} answers in one group: {f['delivered']} delivered, first to "
              f"last {f['span_s']:.1f} s (floor {floor:.0f} s: {f['span_s'] / floor:.3f} x), "
              f"wall {f['wall_s']:.1f} s; 429s: {f['too_many']}; {load()}", flush=True)


async def run(database: Any) -> None:
    api = ServerProcess(_serve)
    try:
        print(f"fan-out: the outbox and the Telegram adapter against a local Bot API allowing "
              f"{PER_SECOND}/s overall and {GROUP_PER_MINUTE}/min per group ({load()})",
              flush=True)
        await digests_scenario("private", api, database, councillors=FANOUT, groups=0)
        await digests_scenario("mix", api, database, councillors=FANOUT - MIX_GROUPS,
                               groups=MIX_GROUPS)
        if "--no-bursts" not in sys.argv:
            for burst in BURSTS:
                await burst_scenario(api, database, burst)
    finally:
        api.stop()


if __name__ == "__main__":
    from bench.digests import database as temporary_database

    asyncio.run(run(temporary_database))
