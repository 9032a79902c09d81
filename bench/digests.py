"""Digests at council scale, and a fan-out of 1,000 digests against Telegram's flood limits.

1. A synthetic council in a temporary SQLite file, written with bulk inserts: 2,000 councillors,
   5,000 projects, 100,000 challenges (with answers and supports), 10,000 closed polls and
   1,000,000 activity rows. Digests are built for councillors linked to 1, 10, 100 and 1,000
   projects (time and SQL statements each: the count must not grow), then claimed, built and
   written to the outbox for 300 ordinary councillors and 300 project groups (time, statements,
   peak memory).
2. 1,000 councillor digests delivered by the outbox through the real Telegram adapter
   (python-telegram-bot with its rate limiter) to a local Bot API that allows 30 messages per
   second and answers 429 with ``retry_after`` beyond that: wall time against the 1,000/30 s
   floor, and the 429s seen.

``python -m bench.digests`` (or ``python -m bench`` for every benchmark).
"""

from __future__ import annotations

import asyncio
import logging
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import event, func, update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bench.fake_bot_api import ServerProcess, start_bot_api
from bot.app import build_core
from bot.digests.content import Window, councillor_items, split_messages
from bot.digests.delivery import cadence_of, deliver, zone_of
from bot.kernel.config import Settings, TelegramSection, load_settings
from bot.kernel.context import Work
from bot.kernel.core import Core
from bot.kernel.ports import FakeClock, SystemClock
from storage.db import create_db_engine, session_scope
from storage.migrate import upgrade
from storage.models import OutboundMessage
from storage.repo import digests as repo

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # a Monday
COUNCILLORS, PROJECTS, CHALLENGES, ACTIVITY_DAYS = 2_000, 5_000, 100_000, 200
RESIDENTS = 20_000
SCALES = (1, 10, 100, 1_000)  # projects linked to the four measured councillors
SAMPLE = 100
FANOUT = 1_000
LIMIT_PER_SECOND = 30
# ``--compare-limiters``: deliver the fan-out a second time through PTB's own bucket limiter.
COMPARE = "--compare-limiters" in sys.argv


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class StatementCounter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._note)

    def _note(self, *args: Any) -> None:
        self.count += 1


@contextmanager
def database(name: str) -> Iterator[tuple[Settings, Engine]]:
    with tempfile.TemporaryDirectory(prefix="ncbot-bench-") as tmp:
        settings = load_settings(environ={"NCBOT_STORAGE__URL": f"sqlite:///{Path(tmp) / name}"})
        engine = create_db_engine(settings.storage.url)
        upgrade(engine)
        try:
            yield settings, engine
        finally:
            engine.dispose()


# ---- the synthetic council ---------------------------------------------------------------------


def build_council(engine: Engine) -> dict[str, int]:
    """Bulk inserts in one transaction; returns the row counts and the measured councillors' ids."""
    rng = random.Random(5)
    conn = engine.raw_connection()
    cur = conn.cursor()
    cur.execute("BEGIN")
    people = COUNCILLORS + len(SCALES) + RESIDENTS
    cur.executemany(
        "INSERT INTO person (id, name, created_at) VALUES (?, ?, ?)",
        [(i, f"Person {i}", stamp(NOW - timedelta(days=400))) for i in range(1, people + 1)],
    )
    councillors = range(1, COUNCILLORS + len(SCALES) + 1)
    cur.executemany(
        "INSERT INTO rolegrant (person_id, role, granted_at) VALUES (?, 'councillor', ?)",
        [(i, stamp(NOW - timedelta(days=400))) for i in councillors],
    )
    cur.executemany(
        "INSERT INTO identity (person_id, platform, user_id, display_name, private_chat_id) "
        "VALUES (?, 'telegram', ?, ?, ?)",
        [(i, str(9_000_000 + i), f"Cllr {i}", str(9_000_000 + i)) for i in councillors],
    )
    cur.executemany(
        "INSERT INTO project (id, code, name, scope, created_at) VALUES (?, ?, ?, '', ?)",
        [(p, f"P{p:05d}", f"Project {p}", stamp(NOW - timedelta(days=300)))
         for p in range(1, PROJECTS + 1)],
    )
    cur.executemany(
        "INSERT INTO chat (platform, platform_chat_id, kind, project_id) "
        "VALUES ('telegram', ?, 'group', ?)",
        [(str(-1_000_000_000 - p), p) for p in range(1, PROJECTS + 1)],
    )
    links = {(p, 1 + p % COUNCILLORS) for p in range(1, PROJECTS + 1)}
    links |= {(p, 1 + (p * 7 + 3) % COUNCILLORS) for p in range(1, PROJECTS + 1)}
    for k, n in enumerate(SCALES):
        links |= {(p, COUNCILLORS + 1 + k) for p in rng.sample(range(1, PROJECTS + 1), n)}
    cur.executemany(
        "INSERT INTO councillorlink (project_id, councillor_id, status, reason, proposed_at, "
        "decided_at) VALUES (?, ?, 'accepted', 'ward', ?, ?)",
        [(p, c, stamp(NOW - timedelta(days=250)), stamp(NOW - timedelta(days=250)))
         for p, c in sorted(links)],
    )
    residents = range(COUNCILLORS + len(SCALES) + 1, people + 1)
    per_project = CHALLENGES // PROJECTS
    challenges, answers, supports = [], [], []
    cid = 0
    for p in range(1, PROJECTS + 1):
        for number in range(1, per_project + 1):
            cid += 1
            raised = NOW - timedelta(minutes=rng.randrange(ACTIVITY_DAYS * 24 * 60))
            answered = raised + timedelta(days=rng.randrange(1, 20))
            done = rng.random() < 0.75 and answered < NOW
            challenges.append((cid, p, number, f"Challenge {number} of project {p}: " + "x" * 80,
                               stamp(raised), "answered" if done else "open",
                               stamp(answered) if done else None))
            if done:
                answers.append((cid, 1 + p % COUNCILLORS, "forward",
                                "Taken to committee; " + "y" * 120, stamp(answered)))
            for person in rng.sample(residents, 2):
                supports.append((cid, person, stamp(raised + timedelta(hours=rng.randrange(48)))))
    cur.executemany(
        "INSERT INTO challenge (id, project_id, number, text, raised_at, status, answered_at, "
        "routed_to) VALUES (?, ?, ?, ?, ?, ?, ?, 'linked')", challenges,
    )
    cur.executemany(
        "INSERT INTO challengeanswer (challenge_id, councillor_id, outcome, explanation, "
        "answered_at) VALUES (?, ?, ?, ?, ?)", answers,
    )
    cur.executemany(
        "INSERT INTO challengesupport (challenge_id, person_id, at) VALUES (?, ?, ?)", supports
    )
    polls: list[tuple[Any, ...]] = []
    options: list[tuple[Any, ...]] = []
    for p in range(1, PROJECTS + 1):
        for number in (1, 2):
            pid = len(polls) + 1
            closed = NOW - timedelta(minutes=rng.randrange(ACTIVITY_DAYS * 24 * 60))
            polls.append((pid, p, number, f"Question {number}?", stamp(closed - timedelta(days=3)),
                          stamp(closed), stamp(closed), "We go with the first option",
                          stamp(closed)))
            options += [(pid, i, f"Option {i}", rng.randrange(30)) for i in range(3)]
    cur.executemany(
        "INSERT INTO poll (id, project_id, number, question, created_at, closes_at, closed_at, "
        "outcome, outcome_at, multiple, anonymous, hide_results) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1, 0)", polls,
    )
    cur.executemany(
        "INSERT INTO polloption (poll_id, position, text, tally) VALUES (?, ?, ?, ?)", options
    )
    first_day = NOW.date() - timedelta(days=ACTIVITY_DAYS)
    cur.executemany(
        "INSERT INTO activityday (project_id, day, messages) VALUES (?, ?, ?)",
        [(p, (first_day + timedelta(days=d)).isoformat(), rng.randrange(1, 40))
         for p in range(1, PROJECTS + 1) for d in range(ACTIVITY_DAYS)],
    )
    participants = [
        (p, (NOW.date() - timedelta(days=d)).isoformat(), person)
        for p in range(1, PROJECTS + 1) for d in range(1, 15)
        for person in (residents[p % len(residents)], residents[(p * 3) % len(residents)])
    ]
    cur.executemany(
        "INSERT OR IGNORE INTO activityparticipant (project_id, day, person_id) VALUES (?, ?, ?)",
        participants,
    )
    cur.executemany(
        "INSERT INTO digestschedule (recipient_kind, recipient_id, cadence, weekday, at_time, "
        "last_sent_at) VALUES (?, ?, 'weekly', 0, '09:00', ?)",
        [("person", c, stamp(NOW - timedelta(days=7))) for c in councillors]
        + [("project", p, stamp(NOW - timedelta(days=7))) for p in range(1, PROJECTS + 1)],
    )
    conn.commit()
    conn.close()
    return {"links": len(links), "challenges": len(challenges), "answers": len(answers),
            "supports": len(supports), "polls": len(polls),
            "activity": PROJECTS * ACTIVITY_DAYS + len(participants)}


def measure_scaling(
    settings: Settings, engine: Engine
) -> list[tuple[int, float, int, int, float]]:
    """(projects, ms, statements, messages, peak MiB) per digest for councillors linked to 1..1,000.

    The time is the median of three untraced runs; the memory peak comes from a fourth, traced one.
    """
    counter = StatementCounter(engine)
    window = Window(NOW - timedelta(days=7), NOW, zone_of_settings(settings))
    found = []
    for k, n in enumerate(SCALES):
        person = COUNCILLORS + 1 + k
        times, statements, messages = [], 0, 0
        for _ in range(3):
            with session_scope(engine) as s:
                before, started = counter.count, time.perf_counter()
                messages = len(split_messages(councillor_items(s, person_id=person,
                                                               window=window)))
                times.append(time.perf_counter() - started)
                statements = counter.count - before
        tracemalloc.start()
        with session_scope(engine) as s:
            split_messages(councillor_items(s, person_id=person, window=window))
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        found.append((n, statistics.median(times) * 1000, statements, messages, peak))
    return found


def zone_of_settings(settings: Settings) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.bot.timezone)


async def measure_deliveries(settings: Settings, engine: Engine) -> dict[str, Any]:
    """Claim, build and write to the outbox: SAMPLE councillors and SAMPLE groups."""
    core = build_core(settings=settings, engine=engine, clock=FakeClock(NOW), worker_id="bench")
    counter = StatementCounter(engine)
    rng = random.Random(9)
    found: dict[str, Any] = {}
    for kind, pool in (("person", range(1, COUNCILLORS + 1)), ("project", range(1, PROJECTS + 1))):
        times, statements, sent = [], [], 0
        for rid in rng.sample(pool, SAMPLE):
            before, started = counter.count, time.perf_counter()
            with session_scope(engine) as s:
                w = Work(core, s, NOW)
                schedule = repo.get_schedule(s, recipient_kind=kind, recipient_id=rid)
                assert schedule is not None
                tz = zone_of(s, settings, kind, rid)
                sent += await deliver(w, schedule, cadence_of(schedule), tz, NOW)
            times.append(time.perf_counter() - started)
            statements.append(counter.count - before)
        found[kind] = {"ms_mean": statistics.mean(times) * 1000,
                       "ms_p95": sorted(times)[int(0.95 * len(times))] * 1000,
                       "statements": (min(statements), max(statements)), "sent": sent}
    return found


# ---- the fan-out -------------------------------------------------------------------------------


class FloodLimitedBotApi:
    """A local Bot API: at most LIMIT_PER_SECOND sends in any second, else 429 retry_after 1."""

    def __init__(self) -> None:
        self.accepted: deque[float] = deque()
        self.sent = 0
        self.too_many = 0
        self.first: float | None = None
        self.last: float | None = None

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "getMe":
            return web.json_response({"ok": True, "result": {
                "id": 7000000001, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}})
        if method != "sendMessage":
            return web.json_response({"ok": True, "result": True})
        data = await request.post()
        now = time.monotonic()
        while self.accepted and self.accepted[0] <= now - 1.0:
            self.accepted.popleft()
        if len(self.accepted) >= LIMIT_PER_SECOND:
            self.too_many += 1
            return web.json_response(
                {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                 "parameters": {"retry_after": 1}}, status=429)
        self.accepted.append(now)
        self.sent += 1
        self.first = self.first or now
        self.last = now
        chat_id = int(str(data.get("chat_id", "0")))
        return web.json_response({"ok": True, "result": {
            "message_id": self.sent, "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "C"},
            "text": str(data.get("text", ""))}})


def _serve_flood_limited(conn: Connection) -> None:
    """The flood-limited API in a process of its own, as Telegram is: the bot's work does not
    delay the server's clock. Answers "stats" with (accepted, 429s) and "reset"; "stop" ends."""

    async def serve() -> None:
        api = FloodLimitedBotApi()
        runner, port = await start_bot_api(api.handle)
        conn.send(port)
        loop = asyncio.get_running_loop()
        while True:
            command, _payload = await loop.run_in_executor(None, conn.recv)
            if command == "stats":
                conn.send((api.sent, api.too_many))
            elif command == "reset":
                api.sent = api.too_many = 0
                api.accepted.clear()
                conn.send(True)
            else:
                await runner.cleanup()
                conn.send(True)
                return

    asyncio.run(serve())


def build_fanout(engine: Engine, now: datetime) -> None:
    """One project with news, FANOUT councillors linked to it, each reachable on Telegram."""
    conn = engine.raw_connection()
    cur = conn.cursor()
    cur.execute("BEGIN")
    cur.execute("INSERT INTO project (id, code, name, scope, created_at) "
                "VALUES (1, 'GARDEN', 'Garden', '', ?)", (stamp(now - timedelta(days=30)),))
    for i in range(1, FANOUT + 1):
        cur.execute("INSERT INTO person (id, name, created_at) VALUES (?, ?, ?)",
                    (i, f"Cllr {i}", stamp(now - timedelta(days=30))))
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
                    (i, stamp(now - timedelta(days=7))))
    cur.execute("INSERT INTO challenge (project_id, number, text, raised_at, status, routed_to) "
                "VALUES (1, 1, 'Move the bus stop back to the gate', ?, 'open', 'linked')",
                (stamp(now - timedelta(days=2)),))
    conn.commit()
    conn.close()


async def measure_fanout() -> dict[str, Any]:
    api = ServerProcess(_serve_flood_limited)
    port = api.port
    try:
        with database("fanout.db") as (settings, engine):
            now = datetime.now(UTC)  # real time: the outbox waits out 429s by the clock
            build_fanout(engine, now)
            core = build_core(settings=settings, engine=engine, clock=SystemClock(), worker_id="bench")
            started = time.perf_counter()
            for person in range(1, FANOUT + 1):  # no adapter attached yet: into the outbox only
                with session_scope(engine) as s:
                    schedule = repo.get_schedule(s, recipient_kind="person", recipient_id=person)
                    assert schedule is not None
                    w = Work(core, s, datetime.now(UTC))
                    await deliver(w, schedule, cadence_of(schedule), zone_of_settings(settings),
                                  now)
            built = time.perf_counter() - started
            telegram = TelegramSection(token="123456:bench-token",
                                       api_base_url=f"http://127.0.0.1:{port}/bot")
            runs = {"smooth": await _flush(core, telegram, api, smooth=True)}
            if COMPARE:
                with session_scope(engine) as s:  # the same 1,000 messages once more
                    s.execute(update(OutboundMessage).values(
                        status="pending", attempts=0, next_attempt_at=datetime.now(UTC)))
                runs["default"] = await _flush(core, telegram, api, smooth=False)
    finally:
        api.stop()
    return {"built_s": built, **runs}


async def _flush(core: Core, telegram: TelegramSection, api: ServerProcess, *,
                 smooth: bool) -> dict[str, float]:
    """Deliver the outbox through a fresh Telegram adapter; not ``smooth``: PTB's bursty bucket."""
    from adapters.http import HttpServer
    from adapters.telegram.adapter import TelegramAdapter

    adapter = TelegramAdapter(core, telegram, HttpServer(core, host="127.0.0.1", port=0))
    if not smooth:
        from aiolimiter import AsyncLimiter

        # For comparison: PTB's own bucket of 30 refilled at 30/s (up to 60 in the first second)
        # instead of the adapter's evenly spaced requests.
        adapter.pacer._base_limiter = AsyncLimiter(LIMIT_PER_SECOND, 1)
    api.ask("reset")
    await adapter.app.initialize()
    try:
        started = time.perf_counter()
        delivered = await core.outbox.flush()
        wall = time.perf_counter() - started
    finally:
        await adapter.app.shutdown()
    with session_scope(core.engine) as s:
        retried = s.exec(
            select(func.count()).select_from(OutboundMessage)
            .where(col(OutboundMessage.attempts) > 1)
        ).one()
    _sent, too_many = api.ask("stats")
    return {"delivered": delivered, "wall_s": wall, "too_many": too_many,
            "waited_in_place": adapter.pacer.waits, "retried": retried,
            "rate": delivered / wall if wall else 0.0}


# ---- the report --------------------------------------------------------------------------------


async def run() -> None:
    print("digests: building the synthetic council ...", flush=True)
    with database("council.db") as (settings, engine):
        started = time.perf_counter()
        sizes = build_council(engine)
        print(f"  built in {time.perf_counter() - started:.1f} s: {COUNCILLORS} councillors, "
              f"{PROJECTS} projects, {sizes['links']} links, {sizes['challenges']} challenges, "
              f"{sizes['answers']} answers, {sizes['supports']} supports, {sizes['polls']} polls, "
              f"{sizes['activity']} activity rows", flush=True)
        print("  councillor digest by number of linked projects (built, not sent):")
        print("    projects   ms/digest   SQL statements   messages   peak MiB (traced)")
        for n, ms, statements, messages, peak in measure_scaling(settings, engine):
            print(f"    {n:>8}   {ms:>9.1f}   {statements:>14}   {messages:>8}   {peak:>17.1f}")
        found = await measure_deliveries(settings, engine)
        for kind, label in (("person", "councillor"), ("project", "group")):
            f = found[kind]
            print(f"  {label} digests claimed, built and put in the outbox ({SAMPLE} recipients): "
                  f"{f['ms_mean']:.1f} ms mean, {f['ms_p95']:.1f} ms p95, "
                  f"{f['statements'][0]}-{f['statements'][1]} SQL statements each, "
                  f"{f['sent']} sent")
    print(f"digests: fan-out of {FANOUT} digests through the outbox and the Telegram adapter ...",
          flush=True)
    found = await measure_fanout()
    floor = FANOUT / LIMIT_PER_SECOND
    print(f"  building the {FANOUT} digests into the outbox took {found['built_s']:.1f} s")
    for name, label in (("smooth", "the adapter's limiter (evenly spaced, 5 % under the limit)"),
                        ("default", "PTB's default bucket limiter (for comparison)")):
        f = found.get(name)
        if f is None:
            continue
        print(f"  {label}: {f['delivered']} delivered in {f['wall_s']:.1f} s "
              f"({f['rate']:.1f} msg/s, {floor / f['wall_s'] * 100:.0f}% of the {floor:.1f} s "
              f"floor); 429s: {f['too_many']} (waited out in place: {f['waited_in_place']}, "
              f"messages back to the outbox for a later attempt: {f['retried']})")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak resident memory of the whole benchmark: {rss:.0f} MiB")


def main() -> None:
    # A 429 that outlasts the limiter's retries goes back to the outbox (counted above); PTB
    # logs each with a traceback, which is noise here.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    asyncio.run(run())


if __name__ == "__main__":
    main()
