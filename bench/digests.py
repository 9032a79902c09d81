"""Digests at council scale, and a fan-out of 1,000 digests against Telegram's flood limits.

1. A synthetic council in a temporary SQLite file, written with bulk inserts: 2,000 councillors,
   5,000 projects, 100,000 challenges (with answers and supports), 10,000 closed polls and
   1,000,000 activity rows. Digests are built for councillors linked to 1, 10, 100 and 1,000
   projects (time and SQL statements each: the count must not grow), then claimed, built and
   written to the outbox for 300 ordinary councillors and 300 project groups (time, statements,
   peak memory).
2. The fan-out (``bench/fanout.py``): 1,000 digests, and a mix of councillor and group digests,
   delivered by the outbox through the real Telegram adapter to a local Bot API that counts
   Telegram's limits (30 in any second, 20 per group in any minute), three runs each; and bursts
   of 25 and 60 answers to one group. Wall time against the floor, and the 429s seen.

``python -m bench.digests`` (or ``python -m bench`` for every benchmark).
"""

from __future__ import annotations

import asyncio
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench import fanout
from bot.app import build_core
from bot.digests.content import Window, councillor_items, split_messages
from bot.digests.delivery import cadence_of, deliver, zone_of
from bot.kernel.config import Settings, load_settings
from bot.kernel.context import Work
from bot.kernel.ports import FakeClock
from storage.db import create_db_engine, session_scope
from storage.migrate import upgrade
from storage.repo import digests as repo

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # a Monday
COUNCILLORS, PROJECTS, CHALLENGES, ACTIVITY_DAYS = 2_000, 5_000, 100_000, 200
RESIDENTS = 20_000
SCALES = (1, 10, 100, 1_000)  # projects linked to the four measured councillors
SAMPLE = 100


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


def build_council(engine: Engine, projects: int = PROJECTS) -> dict[str, int]:
    """Bulk inserts in one transaction; returns the row counts. ``projects`` smaller than
    PROJECTS keeps CHALLENGES // PROJECTS challenges per project."""
    challenges_total = CHALLENGES * projects // PROJECTS
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
         for p in range(1, projects + 1)],
    )
    cur.executemany(
        "INSERT INTO chat (platform, platform_chat_id, kind, project_id) "
        "VALUES ('telegram', ?, 'group', ?)",
        [(str(-1_000_000_000 - p), p) for p in range(1, projects + 1)],
    )
    links = {(p, 1 + p % COUNCILLORS) for p in range(1, projects + 1)}
    links |= {(p, 1 + (p * 7 + 3) % COUNCILLORS) for p in range(1, projects + 1)}
    for k, n in enumerate(SCALES):
        links |= {(p, COUNCILLORS + 1 + k)
                  for p in rng.sample(range(1, projects + 1), min(n, projects))}
    cur.executemany(
        "INSERT INTO councillorlink (project_id, councillor_id, status, reason, proposed_at, "
        "decided_at) VALUES (?, ?, 'accepted', 'ward', ?, ?)",
        [(p, c, stamp(NOW - timedelta(days=250)), stamp(NOW - timedelta(days=250)))
         for p, c in sorted(links)],
    )
    residents = range(COUNCILLORS + len(SCALES) + 1, people + 1)
    per_project = challenges_total // projects
    challenges, answers, supports = [], [], []
    cid = 0
    for p in range(1, projects + 1):
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
    for p in range(1, projects + 1):
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
         for p in range(1, projects + 1) for d in range(ACTIVITY_DAYS)],
    )
    participants = [
        (p, (NOW.date() - timedelta(days=d)).isoformat(), person)
        for p in range(1, projects + 1) for d in range(1, 15)
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
        + [("project", p, stamp(NOW - timedelta(days=7))) for p in range(1, projects + 1)],
    )
    conn.commit()
    conn.close()
    return {"links": len(links), "challenges": len(challenges), "answers": len(answers),
            "supports": len(supports), "polls": len(polls),
            "activity": projects * ACTIVITY_DAYS + len(participants)}


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


async def measure_deliveries(settings: Settings, engine: Engine, projects: int = PROJECTS
                             ) -> dict[str, Any]:
    """Claim, build and write to the outbox: SAMPLE councillors and SAMPLE groups (times in
    ms, wall and CPU)."""
    core = build_core(settings=settings, engine=engine, clock=FakeClock(NOW), worker_id="bench")
    counter = StatementCounter(engine)
    rng = random.Random(9)
    found: dict[str, Any] = {}
    for kind, pool in (("person", range(1, COUNCILLORS + 1)), ("project", range(1, projects + 1))):
        times, cpu, statements, sent = [], [], [], 0
        for rid in rng.sample(pool, min(SAMPLE, len(pool))):
            before, started, started_cpu = counter.count, time.perf_counter(), time.process_time()
            with session_scope(engine) as s:
                w = Work(core, s, NOW)
                schedule = repo.get_schedule(s, recipient_kind=kind, recipient_id=rid)
                assert schedule is not None
                tz = zone_of(s, settings, kind, rid)
                sent += await deliver(w, schedule, cadence_of(schedule), tz, NOW)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            statements.append(counter.count - before)
        found[kind] = {"ms_mean": statistics.mean(times) * 1000,
                       "cpu_median": statistics.median(cpu) * 1000,
                       "ms_p95": sorted(times)[int(0.95 * len(times))] * 1000,
                       "statements": (min(statements), max(statements)), "sent": sent}
    return found


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
    await fanout.run(database)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak resident memory of the whole benchmark: {rss:.0f} MiB")


async def growth(sizes: list[int]) -> None:
    """The cost per digest in councils of each size: it must not grow with the council."""
    print("projects  digest                         ms mean  CPU ms median  SQL statements")
    for size in sizes:
        with database("council.db") as (settings, engine):
            build_council(engine, projects=size)
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"{size:>8,}  (load average {load})", flush=True)
            counter = StatementCounter(engine)
            window = Window(NOW - timedelta(days=7), NOW, zone_of_settings(settings))
            for k, n in list(enumerate(SCALES))[:2]:  # councillors linked to 1 and 10 projects
                cpu, statements = [], 0
                for _ in range(5):
                    with session_scope(engine) as s:
                        before, started = counter.count, time.process_time()
                        split_messages(councillor_items(s, person_id=COUNCILLORS + 1 + k,
                                                        window=window))
                        cpu.append((time.process_time() - started) * 1000)
                        statements = counter.count - before
                print(f"{size:>8,}  councillor, {n:>2} project{'s' if n > 1 else ' '} (built)         "
                      f"{'':>7}  {statistics.median(cpu):13.1f}  {statements:>14}", flush=True)
            found = await measure_deliveries(settings, engine, projects=size)
            for kind, label in (("person", "councillor"), ("project", "group")):
                f = found[kind]
                print(f"{size:>8,}  {label + ' (claimed, built, outbox)':36} {f['ms_mean']:7.1f}  "
                      f"{f['cpu_median']:13.1f}  {f['statements'][0]}-{f['statements'][1]:<12}",
                      flush=True)


def main() -> None:
    sizes = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--projects=")), None)
    if sizes:  # --projects=50,500,5000: the cost per digest in councils of each size
        asyncio.run(growth([int(n) for n in sizes.split(",")]))
    else:
        asyncio.run(run())


if __name__ == "__main__":
    main()
