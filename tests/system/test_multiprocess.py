"""Three bot processes on one database: every due job runs once, and a killed one's work is finished.

Each process is a real OS process (``tests/bot_process.py``) with its own engine and a clock fixed
by argument; it records what it delivers in a file of its own. They are released together by a
line on their stdin, so they race for the same rows.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from adapters.testing import TestingAdapter
from bot.kernel.scheduler import rebuild
from storage.db import session_scope
from storage.models import (
    Challenge,
    CouncillorLink,
    DigestPeriod,
    Identity,
    OutboundMessage,
    Person,
    Poll,
    RoleGrant,
    Timer,
)
from tests.bot_process import PING
from tests.helpers import make_facilitator, make_project

ROOT = Path(__file__).resolve().parents[2]
# The councillors' default weekly digest (group digests are due an hour later).
MON_0800 = datetime.fromisoformat("2026-01-12T08:00:00+00:00")
COUNCILLORS = 200
WAIT = 600  # seconds a process may take before the test gives up on it (a hang, not a timing)

# Starting real processes takes a while on a busy machine; the limit only catches a hang.
pytestmark = pytest.mark.timeout(WAIT)


@dataclass
class Run:
    returncodes: dict[str, int]
    ran: dict[str, int]


class Fleet:
    """Spawns bot processes on one database and reads what they delivered."""

    def __init__(self, url: str, out: Path) -> None:
        self.url = url
        self.out = out

    def race(self, now: datetime, workers: Sequence[str], *extra: str, **per_worker: list[str]) -> Run:
        procs = {
            w: subprocess.Popen(
                [sys.executable, "-m", "tests.bot_process", self.url, "--now", now.isoformat(),
                 "--worker", w, "--out", str(self.out / f"{w}.jsonl"), *extra,
                 *per_worker.get(w, [])],
                cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            )
            for w in workers
        }
        for w, p in procs.items():
            assert p.stdout is not None and p.stdout.readline().strip() == "ready", w
        for p in procs.values():
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.close()
        ran: dict[str, int] = {}
        for w, p in procs.items():
            assert p.stdout is not None
            for line in p.stdout:
                ran[w] = json.loads(line)["ran"]
            p.wait(timeout=WAIT)
        return Run({w: p.returncode for w, p in procs.items()}, ran)

    def delivered(self) -> list[dict[str, str]]:
        lines: list[dict[str, str]] = []
        for path in sorted(self.out.glob("*.jsonl")):
            lines += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return lines


@pytest.fixture
def fleet(db_url: str, tmp_path: Path) -> Fleet:
    out = tmp_path / "delivered"
    out.mkdir()
    return Fleet(db_url, out)


def _outbox_statuses(bot: TestingAdapter) -> Counter[str]:
    with session_scope(bot.core.engine) as s:
        return Counter(s.exec(select(OutboundMessage.status)))


async def _councillors_with_news(bot: TestingAdapter, n: int) -> None:
    """``n`` councillors linked to one project with an open challenge: each is owed a digest."""
    await make_facilitator(bot, "Fran Smith")
    project = await make_project(bot, "fran", "garden", "Fremont Garden")
    now = bot.core.clock.now()
    with session_scope(bot.core.engine) as s:
        s.add(Challenge(project_id=project.id, number=1, text="Move the bus stop back to the gate",
                        raised_at=now + timedelta(hours=1), status="open"))
        for i in range(n):
            person = Person(name=f"Councillor {i}", created_at=now)
            s.add(person)
            s.flush()
            assert person.id is not None
            s.add(Identity(person_id=person.id, platform="test", user_id=f"c{i}",
                           private_chat_id=f"dm-c{i}", display_name=f"Councillor {i}"))
            s.add(RoleGrant(person_id=person.id, role="councillor", granted_at=now))
            s.add(CouncillorLink(project_id=project.id, councillor_id=person.id, status="accepted",
                                 reason="ward", proposed_at=now, decided_at=now))
    await rebuild(bot.core)  # what every process does at start: schedules and timers for all


def _ping_timers(bot: TestingAdapter, n: int, due: datetime) -> None:
    with session_scope(bot.core.engine) as s:
        for i in range(n):
            s.add(Timer(kind=PING, key=f"ping:{i}", due_at=due, payload=json.dumps({"chat": f"g{i}"})))


def _digests(fleet: Fleet) -> Counter[str]:
    """How many digests each recipient received."""
    return Counter(
        m["to"] for m in fleet.delivered() if "Your digest" in m["text"] or "Digest for" in m["text"]
    )


async def test_three_processes_run_each_due_timer_once(bot: TestingAdapter, fleet: Fleet) -> None:
    _ping_timers(bot, 200, bot.core.clock.now())
    run = fleet.race(bot.core.clock.now(), ["w1", "w2", "w3"])
    assert run.returncodes == {"w1": 0, "w2": 0, "w3": 0}
    texts = Counter(m["text"] for m in fleet.delivered())
    assert texts == Counter({f"ping ping:{i}": 1 for i in range(200)})
    assert sum(run.ran.values()) == 200
    with session_scope(bot.core.engine) as s:
        assert not s.exec(select(Timer).where(col(Timer.done_at).is_(None))).all()
    assert _outbox_statuses(bot) == Counter({"sent": 200})


async def test_three_processes_send_each_due_digest_once(bot: TestingAdapter, fleet: Fleet) -> None:
    await _councillors_with_news(bot, COUNCILLORS)
    run = fleet.race(MON_0800, ["w1", "w2", "w3"])
    assert run.returncodes == {"w1": 0, "w2": 0, "w3": 0}
    digests = _digests(fleet)
    assert len(digests) == COUNCILLORS and set(digests.values()) == {1}
    with session_scope(bot.core.engine) as s:
        periods = s.exec(select(DigestPeriod)).all()
        assert len(periods) == COUNCILLORS and all(p.sent_at == MON_0800 for p in periods)
    assert set(_outbox_statuses(bot)) == {"sent"}


async def test_three_processes_close_a_due_poll_once(bot: TestingAdapter, fleet: Fleet) -> None:
    await make_facilitator(bot, "Fran Smith")
    await make_project(bot, "fran", "garden", "Fremont Garden")
    await bot.say("fran", "/poll Where should the bench go? | By the pond | Under the oak --closes 2h",
                  chat="garden")
    await bot.say("rita", "/vote 1 By the pond", chat="garden")
    run = fleet.race(bot.core.clock.now() + timedelta(hours=3), ["w1", "w2", "w3"])
    assert run.returncodes == {"w1": 0, "w2": 0, "w3": 0}
    results = Counter(m["to"] for m in fleet.delivered() if "Results of poll #1" in m["text"])
    # once in the group, once to the facilitator with the request for an outcome
    assert results == Counter({"test:garden:": 1, "test:dm-fran:fran": 1})
    closed_notes = [m for m in fleet.delivered() if "Poll #1 has closed" in m["text"]]
    assert len(closed_notes) == 1
    with session_scope(bot.core.engine) as s:
        poll = s.exec(select(Poll)).one()
        assert poll.closed_at is not None


@pytest.mark.parametrize("where", ["in-timer", "at-send"])
async def test_work_of_a_killed_process_is_finished_by_the_others_after_the_lease(
    bot: TestingAdapter, fleet: Fleet, where: str
) -> None:
    await _councillors_with_news(bot, COUNCILLORS)
    # It dies in the middle of its 20th digest (claimed, not finished), or with a batch of the
    # outbox claimed and 19 of it delivered.
    die = ["--die-in-timer", "20"] if where == "in-timer" else ["--die-at-send", "20"]
    killed = fleet.race(MON_0800, ["w1"], w1=die)
    assert killed.returncodes == {"w1": -signal.SIGKILL}
    survivors = ["w2", "w3"]

    early = fleet.race(MON_0800 + timedelta(minutes=1), survivors)
    assert early.returncodes == {"w2": 0, "w3": 0}
    left = COUNCILLORS - len(_digests(fleet))
    assert left >= 1  # its claimed work waits for the lease
    assert set(_digests(fleet).values()) == {1}

    late = fleet.race(MON_0800 + timedelta(minutes=6), survivors)  # past every lease
    assert late.returncodes == {"w2": 0, "w3": 0}
    digests = _digests(fleet)
    assert len(digests) == COUNCILLORS and set(digests.values()) == {1}
    assert set(_outbox_statuses(bot)) == {"sent"}
    with session_scope(bot.core.engine) as s:
        assert all(p.sent_at is not None for p in s.exec(select(DigestPeriod)))


async def test_a_shorter_injected_timer_lease_lets_the_others_take_over_sooner(
    bot: TestingAdapter, fleet: Fleet
) -> None:
    start = bot.core.clock.now()
    _ping_timers(bot, 10, start)
    lease = ["--timer-lease", "60"]
    killed = fleet.race(start, ["w1"], *lease, w1=["--die-in-timer", "3"])
    assert killed.returncodes == {"w1": -signal.SIGKILL}
    assert len(fleet.delivered()) == 0  # it died before its outbox was flushed
    # Two minutes on, past its 60-second lease, though not past the default of five.
    after = fleet.race(start + timedelta(minutes=2), ["w2", "w3"], *lease)
    assert after.returncodes == {"w2": 0, "w3": 0}
    texts = Counter(m["text"] for m in fleet.delivered())
    assert texts == Counter({f"ping ping:{i}": 1 for i in range(10)})
