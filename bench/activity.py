"""Ordinary messages through ``core.handle`` (no platform): messages/s and SQL statements each.

``python -m bench.activity --profile`` prints the top of a cProfile of the same run.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import random
import statistics
import sys
import time

from bench.world import StatementCounter, build_world, fresh_core

GROUPS = [f"-100{i:04d}" for i in range(1, 7)]
RESIDENTS = [str(10_000 + i) for i in range(400)]
MESSAGES = 1200
ROUNDS = 2


async def one_round(window: float, profile: cProfile.Profile | None = None) -> tuple[float, float]:
    """messages per CPU second and statements/message for one fresh database."""
    with fresh_core() as core:
        counter_of = core.intake
        world = await build_world(core, platform="bench", groups=GROUPS, residents=RESIDENTS)
        rng = random.Random(7)
        events = [world.message(rng) for _ in range(MESSAGES)]
        for warm in events[:200]:
            await core.handle(warm)
        if counter_of is not None:
            counter_of.window = window
        counter = StatementCounter(core.engine)
        if profile:
            profile.enable()
        started = time.process_time()
        for message in events[200:]:
            await core.handle(message)
        if counter_of is not None:
            await counter_of.flush()
        elapsed = time.process_time() - started
        if profile:
            profile.disable()
        measured = len(events) - 200
        return measured / elapsed, counter.count / measured


async def run(profile: bool) -> None:
    prof = cProfile.Profile() if profile else None
    for window, label in ((0.0, "each message written at once"), (1.0, "batched, 1 s window")):
        rates, statements = [], []
        for _ in range(1 if profile else ROUNDS):
            rate, per = await one_round(window, prof)
            rates.append(rate)
            statements.append(per)
        print(f"core.handle(MessagePosted), {label}: {statistics.median(rates):,.0f} messages "
              f"per CPU second (median of {len(rates)}: {', '.join(f'{r:,.0f}' for r in rates)}), "
              f"{statistics.median(statements):.2f} SQL statements per message "
              f"[{len(GROUPS)} groups, {len(RESIDENTS)} residents, {MESSAGES - 200} messages]")
    if prof is not None:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)


def main() -> None:
    asyncio.run(run("--profile" in sys.argv))


if __name__ == "__main__":
    main()
