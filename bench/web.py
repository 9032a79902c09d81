"""The public record's pages over a large council: latency and SQL statements per request.

A council of 5,000 public projects (4 challenges each) and one busy project with 1,000
challenges (answers, supporters, recipients, follow-ups, polls with votes), on SQLite; each page
is fetched through aiohttp from a local server, the way a reader's browser does.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy.engine import Engine

from adapters.memory import freeze_start_up
from adapters.web import record_app
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


def build_council(engine: Engine) -> dict[str, int]:
    """Bulk inserts in one transaction; project 1 is the busy one."""
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
          stamp(NOW - timedelta(days=300))) for p in range(1, PROJECTS + 1)])
    cur.executemany("INSERT INTO projectward (project_id, ward_id) VALUES (?, ?)",
                    [(p, 1 + p % 20) for p in range(1, PROJECTS + 1)])
    cur.executemany("INSERT INTO projecttopic (project_id, topic) VALUES (?, ?)",
                    [(p, t) for p in range(1, PROJECTS + 1) for t in ("housing", "transport")])
    links = {(p, 1 + (p * k) % COUNCILLORS) for p in range(1, PROJECTS + 1) for k in (1, 7)}
    links |= {(1, 3), (1, 4), (1, 5)}
    cur.executemany(
        "INSERT INTO councillorlink (project_id, councillor_id, status, reason, proposed_at, "
        "decided_at) VALUES (?, ?, 'accepted', 'ward', ?, ?)",
        [(p, c, long_ago, long_ago) for p, c in sorted(links)])
    residents = range(COUNCILLORS + 1, COUNCILLORS + RESIDENTS + 1)
    challenges, answers, supports, recipients, followups = [], [], [], [], []
    cid = 0
    for p in range(1, PROJECTS + 1):
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
            councillor = 3 + number % 3 if p == 1 else 1 + p % COUNCILLORS
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
         for p in range(1, PROJECTS + 1) for d in range(0, 30, 3)])
    conn.commit()
    conn.close()
    return {"projects": PROJECTS, "challenges": len(challenges), "answers": len(answers),
            "supporters": len(supports), "follow-ups": len(followups)}


async def measure(client: aiohttp.ClientSession, url: str, counter: StatementCounter,
                  rounds: int) -> dict[str, Any]:
    for _ in range(3):  # warm: templates compiled, pages of the database file in memory
        async with client.get(url) as r:
            assert r.status == 200, (url, r.status)
            await r.read()
    times, statements, size = [], [], 0
    for _ in range(rounds):
        before = counter.count
        started = time.perf_counter()
        async with client.get(url) as r:
            size = len(await r.read())
        times.append((time.perf_counter() - started) * 1000)
        statements.append(counter.count - before)
    times.sort()
    return {"p50": statistics.median(times), "p95": times[int(len(times) * 0.95) - 1],
            "max": times[-1], "statements": sorted(set(statements)), "kb": size / 1024}


async def run() -> None:
    with database("web.db") as (settings, engine):
        started = time.perf_counter()
        rows = build_council(engine)
        print(f"council: {', '.join(f'{v:,} {k}' for k, v in rows.items())} "
              f"(built in {time.perf_counter() - started:.1f} s)")
        counter = StatementCounter(engine)
        app = record_app(engine=engine, settings=settings, clock=FakeClock(NOW))
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        if "--no-freeze" not in sys.argv:  # as `ncbot web` and `ncbot run` do once started
            freeze_start_up()
        pages = [("project page, 1,000 challenges", "/p/P00001", ROUNDS),
                 ("challenge page", "/p/P00001/c/500", ROUNDS),
                 ("project open data (JSON)", "/p/P00001.json", ROUNDS // 4),
                 ("councillor page", "/councillors/3", ROUNDS // 4),
                 ("council index, 5,000 projects", "/", max(ROUNDS // 20, 5))]
        try:
            async with aiohttp.ClientSession() as client:
                for name, path, rounds in pages:
                    m = await measure(client, str(server.make_url(path)), counter, rounds)
                    print(f"{name:32} p50 {m['p50']:6.1f} ms  p95 {m['p95']:6.1f} ms  "
                          f"max {m['max']:6.1f} ms  SQL statements {m['statements']}  "
                          f"{m['kb']:.0f} KiB  ({rounds} requests)", flush=True)
        finally:
            await server.close()


def main() -> None:
    asyncio.run(run())
