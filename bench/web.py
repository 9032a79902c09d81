"""The public record's pages over a large council: latency and SQL statements per request.

A council of 5,000 public projects (4 challenges each) and one busy project with 1,000
challenges (answers, supporters, recipients, follow-ups, polls with votes), on SQLite; each page
is fetched through aiohttp from a local server, the way a reader's browser does.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy.engine import Engine

from adapters.memory import freeze_start_up
from adapters.web import mount
from bench.digests import StatementCounter, database, stamp
from bot.kernel.ports import FakeClock

PROJECTS = 5_000
PER_PROJECT = 4
BUSY = 1_000  # challenges of the measured project
COUNCILLORS = 40
RESIDENTS = 3_000
POLLS = 20
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
ROUNDS = 30 if "--quick" in sys.argv else 200  # --no-freeze: without ``freeze_start_up``
# --projects=50,500,5000: the index, project, challenge and councillor pages in councils of each
# size (the busy project and councillors 3 to 5 the same in each)


def build_council(engine: Engine, projects: int = PROJECTS) -> dict[str, int]:
    """Bulk inserts in one transaction; project 1 is the busy one, and the only one of
    councillors 3 to 5 (so that their pages measure the same record whatever the council's size)."""
    rng = random.Random(19)
    conn = engine.raw_connection()
    cur = conn.cursor()
    cur.execute("BEGIN")
    long_ago = stamp(NOW - timedelta(days=400))
    cur.executemany("INSERT INTO person (id, name, created_at) VALUES (?, ?, ?)",
                    [(i, f"Person {i}", long_ago) for i in range(1, COUNCILLORS + RESIDENTS + 1)])
    cur.executemany("INSERT INTO rolegrant (person_id, role, granted_at) VALUES (?, 'councillor', ?)",
                    [(i, long_ago) for i in range(1, COUNCILLORS + 1)])
    cur.executemany("INSERT INTO ward (id, name) VALUES (?, ?)",
                    [(w, f"Ward {w}") for w in range(1, 21)])
    cur.executemany("INSERT INTO councillorward (person_id, ward_id) VALUES (?, ?)",
                    [(c, 1 + c % 20) for c in range(1, COUNCILLORS + 1)])
    cur.executemany(
        "INSERT INTO project (id, code, name, scope, created_at, public_since) VALUES (?, ?, ?, ?, ?, ?)",
        [(p, f"P{p:05d}", f"Project {p}", "A scope statement. " * 5, long_ago,
          stamp(NOW - timedelta(days=300))) for p in range(1, projects + 1)])
    cur.executemany("INSERT INTO projectward (project_id, ward_id) VALUES (?, ?)",
                    [(p, 1 + p % 20) for p in range(1, projects + 1)])
    cur.executemany("INSERT INTO projecttopic (project_id, topic) VALUES (?, ?)",
                    [(p, t) for p in range(1, projects + 1) for t in ("housing", "transport")])
    links = {(p, _other(p * k)) for p in range(2, projects + 1) for k in (1, 7)}
    links |= {(1, 3), (1, 4), (1, 5)}
    cur.executemany(
        "INSERT INTO councillorlink (project_id, councillor_id, status, reason, proposed_at, "
        "decided_at) VALUES (?, ?, 'accepted', 'ward', ?, ?)",
        [(p, c, long_ago, long_ago) for p, c in sorted(links)])
    residents = range(COUNCILLORS + 1, COUNCILLORS + RESIDENTS + 1)
    challenges, answers, supports, recipients, followups = [], [], [], [], []
    cid = 0
    for p in range(1, projects + 1):
        for number in range(1, (BUSY if p == 1 else PER_PROJECT) + 1):
            cid += 1
            raised = NOW - timedelta(minutes=rng.randrange(700 * 24 * 60))
            answered = raised + timedelta(hours=rng.randrange(1, 600))
            done = rng.random() < 0.7 and answered < NOW
            escalated = None if done or rng.random() < 0.5 else raised + timedelta(days=7)
            challenges.append((cid, p, number, f"Challenge {number} of project {p}: " + "x" * 120,
                               rng.choice(residents), stamp(raised),
                               "answered" if done else rng.choice(("open", "acknowledged")),
                               stamp(escalated) if escalated and escalated < NOW else None))
            councillor = 3 + number % 3 if p == 1 else _other(p)
            recipients.append((cid, councillor, stamp(raised)))
            if done:
                answers.append((cid, councillor, rng.choice(("in_scope", "forward", "referred",
                                                             "declined")),
                                "Taken to committee; " + "y" * 200, stamp(answered)))
            for person in rng.sample(residents, 3):
                supports.append((cid, person, stamp(raised)))
    cur.executemany(
        "INSERT INTO challenge (id, project_id, number, text, raised_by, raised_at, status, "
        "escalated_at, routed_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'linked')", challenges)
    cur.executemany(
        "INSERT INTO challengerecipient (challenge_id, person_id, notified_at, reason) "
        "VALUES (?, ?, ?, 'linked')", recipients)
    cur.executemany(
        "INSERT INTO challengeanswer (id, challenge_id, councillor_id, outcome, explanation, "
        "answered_at) VALUES (?, ?, ?, ?, ?, ?)", [(i + 1, *a) for i, a in enumerate(answers)])
    for i, a in enumerate(answers):
        if rng.random() < 0.5:
            followups.append((a[0], i + 1, a[4], rng.choice(("yes", "not_really")), a[4]))
    cur.executemany(
        "INSERT INTO challengefollowup (challenge_id, answer_id, asked_at, reply, replied_at) "
        "VALUES (?, ?, ?, ?, ?)", followups)
    cur.executemany("INSERT INTO challengesupport (challenge_id, person_id, at) VALUES (?, ?, ?)",
                    supports)
    for number in range(1, POLLS + 1):
        closed = NOW - timedelta(days=number * 10)
        cur.execute(
            "INSERT INTO poll (id, project_id, number, question, created_at, closes_at, closed_at, "
            "outcome, outcome_at, multiple, anonymous, hide_results) "
            "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0)",
            (number, number, f"Question {number}?", stamp(closed - timedelta(days=3)),
             stamp(closed), stamp(closed), "We go with the first option", stamp(closed),
             number % 2))
        for position in range(1, 4):
            cur.execute("INSERT INTO polloption (id, poll_id, position, text, tally) "
                        "VALUES (?, ?, ?, ?, ?)", (number * 10 + position, number, position,
                                                   f"Option {position}", rng.randrange(30)))
        if number % 2 == 0:  # named: votes tied to people
            for person in rng.sample(residents, 40):
                cur.execute("INSERT INTO pollvote (poll_id, option_id, person_id, at) "
                            "VALUES (?, ?, ?, ?)", (number, number * 10 + rng.randrange(1, 4),
                                                    person, stamp(closed)))
    cur.executemany(
        "INSERT INTO activityday (project_id, day, messages) VALUES (?, ?, ?)",
        [(p, (NOW.date() - timedelta(days=d)).isoformat(), rng.randrange(1, 40))
         for p in range(1, projects + 1) for d in range(0, 30, 3)])
    conn.commit()
    conn.close()
    return {"projects": projects, "challenges": len(challenges), "answers": len(answers),
            "supporters": len(supports), "follow-ups": len(followups)}


def _other(n: int) -> int:
    """One of the councillors of the small projects (1, 2 and 6 to COUNCILLORS)."""
    others = [1, 2, *range(6, COUNCILLORS + 1)]
    return others[n % len(others)]


async def measure(client: aiohttp.ClientSession, url: str, counter: StatementCounter,
                  rounds: int) -> dict[str, Any]:
    for _ in range(3):  # warm: templates compiled, pages of the database file in memory
        async with client.get(url) as r:
            assert r.status == 200, (url, r.status)
            await r.read()
    times, cpu, statements, size = [], [], [], 0
    for _ in range(rounds):
        before = counter.count
        started, started_cpu = time.perf_counter(), time.process_time()
        async with client.get(url) as r:
            size = len(await r.read())
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        statements.append(counter.count - before)
    return {"p50": statistics.median(times), "p95": _p95(times), "max": max(times),
            "cpu50": statistics.median(cpu), "cpu95": _p95(cpu),
            "statements": sorted(set(statements)), "kb": size / 1024}


def _p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1]


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


async def serve(engine: Engine, settings: Any, pages: list[tuple[str, str, int]],
                report: Any, *, kept: bool = False) -> None:
    """Serve the record over ``engine`` and measure each page, handing each result to ``report``;
    project pages are built afresh for each request unless ``kept`` (then from the cache)."""
    counter = StatementCounter(engine)
    app = web.Application()
    mount(app, engine=engine, settings=settings, clock=FakeClock(NOW)).cache_pages = kept
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    if "--no-freeze" not in sys.argv:  # as `ncbot web` and `ncbot run` do once started
        freeze_start_up()
    try:
        async with aiohttp.ClientSession() as client:
            for name, path, rounds in pages:
                report(name, rounds, await measure(client, str(server.make_url(path)), counter,
                                                   rounds))
    finally:
        await server.close()


def print_page(name: str, rounds: int, m: dict[str, Any]) -> None:
    print(f"{name:32} p50 {m['p50']:6.1f} ms  p95 {m['p95']:6.1f} ms  max {m['max']:6.1f} ms  "
          f"CPU p50 {m['cpu50']:5.1f} ms  SQL statements {m['statements']}  {m['kb']:.0f} KiB  "
          f"({rounds} requests)", flush=True)


async def run() -> None:
    with database("web.db") as (settings, engine):
        started = time.perf_counter()
        rows = build_council(engine)
        print(f"council: {', '.join(f'{v:,} {k}' for k, v in rows.items())} "
              f"(built in {time.perf_counter() - started:.1f} s); {load()}")
        pages = [("project page, 1,000 challenges", "/p/P00001", ROUNDS),
                 ("challenge page", "/p/P00001/c/500", ROUNDS),
                 ("challenges, page 3 of 10", "/p/P00001/challenges?page=3", ROUNDS // 4),
                 ("project open data (JSON)", "/p/P00001.json", ROUNDS // 4),
                 ("councillor page", "/councillors/3", ROUNDS // 4),
                 ("council index, 5,000 projects", "/", max(ROUNDS // 20, 5))]
        await serve(engine, settings, pages, print_page)
        await serve(engine, settings, [("project page, kept (unchanged)", "/p/P00001", ROUNDS)],
                    print_page, kept=True)
        print(load())


async def growth(sizes: list[int]) -> None:
    """The same pages in councils of each size: their cost must not grow with it."""
    pages = [("index", "/", ROUNDS // 4), ("project, built", "/p/P00001", ROUNDS // 2),
             ("challenge page", "/p/P00001/c/500", ROUNDS // 2),
             ("councillor page", "/councillors/3", ROUNDS // 4)]
    print("projects  page             p50 ms  p95 ms  CPU p50 ms  CPU p95 ms  SQL statements")
    for size in sizes:
        with database("web.db") as (settings, engine):
            build_council(engine, projects=size)
            print(f"{size:>8,}  ({load()})", flush=True)

            def row(name: str, rounds: int, m: dict[str, Any], size: int = size) -> None:
                print(f"{size:>8,}  {name:15} {m['p50']:7.1f} {m['p95']:7.1f} {m['cpu50']:11.1f} "
                      f"{m['cpu95']:11.1f}  {m['statements']}", flush=True)

            await serve(engine, settings, pages, row)
            await serve(engine, settings, [("project, kept", "/p/P00001", ROUNDS // 2)], row,
                        kept=True)


def main() -> None:
    sizes = next((a.split("=", 1)[1] if "=" in a else sys.argv[i + 1]
                  for i, a in enumerate(sys.argv) if a.startswith("--projects")), None)
    if sizes:
        asyncio.run(growth([int(n) for n in sizes.split(",")]))
    else:
        asyncio.run(run())
