"""(5) 10,000 votes from distinct people on one poll, on Slack (buttons, a live count edited in).

Votes are button presses through ``core.handle``; the Slack adapter sends the card's edits to
a fake Slack Web API on an ephemeral port. Printed: votes per second, the final counts against
the votes cast (they must be exact), and the most ``chat.update`` calls the card got in any one
second (Slack allows about one per message per second).

``--anonymous``: the same votes in an anonymous poll (ballots kept waiting without a voter and
mixed into the tallies in batches, each mix followed by a scrub of the database's traces; the
card shows how many voted, not counts).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
import time
from collections import Counter
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from adapters.http import HttpServer
from adapters.slack.adapter import SlackAdapter
from bench.world import build_world, fresh_core
from bot.kernel.config import SlackSection
from bot.kernel.events import ButtonPressed, ChatKind, ChatRef, Sender
from bot.kernel.ports import SystemClock
from bot.polls import PollCards
from storage.db import session_scope
from storage.models import OutboundMessage, PollOption, PollVote
from storage.repo import polls
from tests.slack.fake_slack import FakeSlack

VOTES = int(os.environ.get("NCBOT_BENCH_VOTES", "10000"))
ANONYMOUS = "--anonymous" in sys.argv
CHANNEL = "CBENCHGARDEN"


class TimedCalls(list[Any]):
    """The fake's call log, with the moment of each call."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[tuple[float, str]] = []

    def append(self, call: Any) -> None:
        self.times.append((time.monotonic(), call.method))
        super().append(call)


def busiest_second(times: list[float]) -> int:
    """The most calls within any window of one second."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def run() -> None:
    api = FakeSlack()
    calls = TimedCalls()
    api.calls = calls
    await api.start()
    try:
        with fresh_core(clock=SystemClock()) as core:
            settings = SlackSection.model_validate({
                "bot_token": "xoxb-1-bench", "signing_secret": "bench-secret-0123456789",
                "api_base_url": api.base_url})
            http = HttpServer(core, host="127.0.0.1", port=0)
            core.serve()  # as ``ncbot run`` sets it up
            adapter = SlackAdapter(core, settings, http)
            core.attach(adapter)
            await adapter.start()
            world = await build_world(core, platform="slack", groups=[CHANNEL], residents=[],
                                      facilitator="UFACIL", councillor="UCLLR")
            await core.handle(_command(world.facilitator, "/poll Where should the bench go? | "
                                       "By the pond | Under the oak | Near the gate --closes 3d"
                                       + (" --anonymous" if ANONYMOUS else "")))
            actions = _vote_actions(core)
            assert len(actions) == 3, f"the poll card has no vote buttons: {actions}"
            expected: Counter[int] = Counter()
            started = time.perf_counter()
            for i in range(VOTES):
                choice = (i * 7 + i // 3) % 3
                expected[choice] += 1
                await core.handle(ButtonPressed(
                    chat=ChatRef("slack", CHANNEL, ChatKind.GROUP),
                    sender=Sender("slack", f"UV{i:06d}", f"Voter {i}"),
                    action=actions[choice], event_id=f"vote-{i}"))
                # Each press reaches the bot as a request of its own, through the event loop;
                # let the loop run between them as it would (the card's edits are timers on it).
                await asyncio.sleep(0)
            elapsed = time.perf_counter() - started
            counts = _counts(core)
            await core.service(PollCards).flush()
            await asyncio.sleep(1.5)  # let the last coalesced edit go out (Slack's interval)
            updates = sorted(t for t, m in calls.times if m == "chat.update")
            last_text = json.dumps(api.called("chat.update")[-1].params) if updates else ""
            await adapter.stop()
    finally:
        await api.stop()
    exact = counts == [expected[i] for i in range(3)]
    shown = all(f"{expected[i]:,}" in last_text or str(expected[i]) in last_text
                for i in range(3))
    span = (updates[-1] - updates[0]) if len(updates) > 1 else 0.0
    kind = "anonymous poll, voters counted" if ANONYMOUS else "live count"
    print(f"(5) {VOTES:,} votes from distinct people on one poll (Slack buttons, {kind}):")
    print(f"    {VOTES / elapsed:,.0f} votes/s ({elapsed:.1f} s)")
    print(f"    final counts {counts}, cast "
          f"{[expected[i] for i in range(3)]}: {'exact' if exact else 'WRONG'}; "
          f"last card edit shows them: {'n/a' if ANONYMOUS else 'yes' if shown else 'no'}")
    gaps = [b - a for a, b in itertools.pairwise(updates)]
    print(f"    card edits (chat.update): {len(updates)} over {span:.1f} s "
          f"({len(updates) / span if span else 0:.2f} per second); smallest gap between two "
          f"edits {min(gaps) if gaps else 0:.2f} s, so at most {busiest_second(updates)} "
          f"within any 1 s window")


def _command(user: str, line: str) -> Any:
    from bot.kernel.events import CommandIssued

    name, _, args = line[1:].partition(" ")
    return CommandIssued(chat=ChatRef("slack", CHANNEL, ChatKind.GROUP),
                         sender=Sender("slack", user, "Bench facilitator"), name=name, args=args,
                         event_id="poll-start")


def _vote_actions(core: Any) -> list[str]:
    """The vote buttons' actions, from the poll card in the outbox."""
    with session_scope(core.engine) as s:
        for row in s.exec(select(OutboundMessage).order_by(col(OutboundMessage.id).desc())):
            payload = json.loads(row.payload)
            actions = [action for line in payload.get("buttons", []) for _label, action in line]
            if actions:
                return actions[:3]
    return []


def _counts(core: Any) -> list[int]:
    """Votes per option, in the options' order."""
    with session_scope(core.engine) as s:
        if ANONYMOUS:
            poll_id = s.exec(select(PollOption.poll_id)).first() or 0
            return polls.option_counts(s, poll_id=poll_id)
        options = s.exec(select(PollOption.id).order_by(col(PollOption.position))).all()
        votes = dict(s.exec(
            select(PollVote.option_id, func.count()).group_by(col(PollVote.option_id))).all())
    return [int(votes.get(option or 0, 0)) for option in options]


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
