"""A bot process killed (SIGKILL) at points of a digest fan-out, then started again.

Every due digest is delivered and no (recipient, period) is claimed twice. A duplicate is possible
in one window only: a message the platform took just before the kill, whose "sent" never reached
the database. The test kills there too and finds that message twice, and nothing else.
"""

from __future__ import annotations

import random
import signal
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from adapters.testing import TestingAdapter
from storage.db import session_scope
from storage.models import DigestPeriod, OutboundMessage
from tests.system.test_multiprocess import MON_0800, Fleet, _councillors_with_news, _digests

RECIPIENTS = 60
_points = random.Random(20260105)
KILLS = [
    *(("--die-in-timer", n) for n in (1, _points.randint(2, RECIPIENTS - 1), RECIPIENTS)),
    *(("--die-at-send", n) for n in (1, _points.randint(2, RECIPIENTS - 1), RECIPIENTS)),
    *(("--die-after-send", n) for n in (1, _points.randint(2, RECIPIENTS - 1), RECIPIENTS)),
]
AFTER_THE_LEASES = timedelta(minutes=6)  # timers are held 5 minutes, outbox rows 2


@pytest.fixture
def processes(db_url: str, tmp_path: Path) -> Fleet:
    out = tmp_path / "delivered"
    out.mkdir()
    return Fleet(db_url, out)


@pytest.mark.parametrize(("how", "at"), KILLS, ids=[f"{h[2:]}-{n}" for h, n in KILLS])
async def test_killed_during_a_digest_fan_out_and_restarted(bot: TestingAdapter,
                                                            processes: Fleet, how: str,
                                                            at: int) -> None:
    fleet = processes
    await _councillors_with_news(bot, RECIPIENTS)
    killed = fleet.race(MON_0800, ["first"], first=[how, str(at)])
    assert killed.returncodes == {"first": -signal.SIGKILL}
    before = _digests(fleet)

    restarted = fleet.race(MON_0800 + AFTER_THE_LEASES, ["again"])
    assert restarted.returncodes == {"again": 0}

    digests = _digests(fleet)
    assert len(digests) == RECIPIENTS  # every due digest delivered
    twice = {to: n for to, n in digests.items() if n > 1}
    if how == "--die-after-send":
        # The one message the platform took as the process died, and only it, came again.
        last = [m for m in fleet.delivered() if m["worker"] == "first"][-1]["to"]
        assert twice == {last: 2}
    else:
        assert twice == {}
    assert len(before) == (at if how == "--die-after-send" else at - 1 if how == "--die-at-send"
                           else 0)
    with session_scope(bot.core.engine) as s:
        periods = s.exec(select(DigestPeriod)).all()
        keys = Counter((p.recipient_kind, p.recipient_id, p.period_key) for p in periods)
        assert len(keys) == RECIPIENTS and set(keys.values()) == {1}  # no period twice
        assert all(p.sent_at is not None for p in periods)
        assert set(s.exec(select(OutboundMessage.status))) == {"sent"}
