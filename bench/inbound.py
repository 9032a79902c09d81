"""Inbound throughput, command latency under load, and memory, against a local Bot API server.

(2) The same group chatter (several project groups, hundreds of residents, a few commands) is
served by one local fake Bot API to a bare python-telegram-bot application that only counts,
then to the bot (Telegram adapter, activity counting on, as ``ncbot run`` sets it up), in
alternating rounds; updates per second for both and the ratio.
(3) While a steady load runs, ``/challenge``, a vote on a native poll and ``/help`` are sent one
after another; latency is from the moment the server hands the update out to the moment the
bot has finished with it (its answer sent).
(6) Resident memory after 10,000 and 200,000 updates, each parsed by python-telegram-bot,
translated by the adapter and handled by the core (the HTTP hop left out to keep the run short).
``--concurrent`` also measures the bot with PTB's concurrent update processing.
"""

from __future__ import annotations

import asyncio
import gc
import resource
import statistics
import sys
import time
from typing import Any

from telegram import Update

from adapters.telegram.translate import translate
from bench.fake_bot_api import FakeBotApiProcess
from bench.telegram_load import (
    GROUPS,
    RESIDENTS,
    Counter,
    UpdateFactory,
    count_handled,
    start_bare,
    start_bot,
    stop_app,
)
from bench.world import build_world, fresh_core
from bot.groups.activity_counts import ActivityCounter
from bot.kernel.core import Core
from bot.kernel.ports import SystemClock

ROUND = 4000  # updates per throughput round
COMMAND_SHARES = (0.0, 0.01)  # of the chatter: commands that get an answer
ROUNDS = 3
LOAD_RATE = 300  # updates/s offered while latency is measured
LATENCY_SECONDS = 12.0
COMMAND_GAP = 0.6  # seconds between measured commands
MEMORY_MARKS = (10_000, 200_000)
CONCURRENT = "--concurrent" in sys.argv  # also measure PTB's concurrent update processing


def rss_mb() -> float:
    """Resident set size of this process now (VmRSS), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _round(api: FakeBotApiProcess, counter: Counter, updates: list[dict[str, Any]],
                 core: Core | None = None) -> float:
    base = counter.count
    started = time.perf_counter()
    await api.push(updates)
    await counter.reached(base + len(updates), 300)
    if core is not None:
        await core.service(ActivityCounter).flush()  # counted means written
    return len(updates) / (time.perf_counter() - started)


async def _bot_round(api: FakeBotApiProcess, core: Core, updates: list[dict[str, Any]], *,
                     concurrent: bool) -> float:
    counter = Counter()
    count_handled(core, counter)
    adapter = await start_bot(core, api.base_url, concurrent=concurrent)
    rate = await _round(api, counter, updates, core)
    await core.delivered()  # the answers, sent beside the updates, before the next round
    await adapter.stop()
    del core.handle  # back to the class's handle
    return rate


async def throughput(api: FakeBotApiProcess, core: Core, factory: UpdateFactory) -> None:
    print(f"(2) inbound, {ROUND:,} updates per round, median of {ROUNDS} alternating rounds:")
    for share in COMMAND_SHARES:
        bare_rates, bot_rates, concurrent_rates = [], [], []
        for _ in range(ROUNDS):
            counter = Counter()
            app = await start_bare(api.base_url, counter)
            bare_rates.append(await _round(api, counter, factory.load(ROUND, share)))
            await stop_app(app)
            bot_rates.append(await _bot_round(api, core, factory.load(ROUND, share),
                                              concurrent=False))
            if CONCURRENT:
                concurrent_rates.append(await _bot_round(
                    api, core, factory.load(ROUND, share), concurrent=True))
        bare, ours = statistics.median(bare_rates), statistics.median(bot_rates)
        print(f"  load: group chatter with {share:.0%} commands (/help, /challenges)")
        print(f"    bare python-telegram-bot: {bare:,.0f} updates/s  ({_list(bare_rates)})")
        print(f"    ncbot (Telegram adapter, activity on): {ours:,.0f} updates/s  "
              f"({_list(bot_rates)})  ratio {ours / bare:.2f} (target >= 0.6)")
        if concurrent_rates:
            both = statistics.median(concurrent_rates)
            print(f"    ncbot with PTB concurrent updates: {both:,.0f} updates/s  "
                  f"({_list(concurrent_rates)})  ratio {both / bare:.2f}")


async def latency(api: FakeBotApiProcess, core: Core, factory: UpdateFactory,
                  facilitator: str) -> None:
    counter = Counter()
    count_handled(core, counter)
    adapter = await start_bot(core, api.base_url, concurrent=False)
    # A native poll to vote on, started by the facilitator.
    base = counter.count
    await api.push([factory.message(GROUPS[0], facilitator, "/poll Where should the bench go? | "
                                    "By the pond | Under the oak --closes 3d")])
    await counter.reached(base + 1, 60)
    await core.delivered()  # the poll is out, with its id
    await api.reset()
    poll_id = await _poll_id(core)
    measured: dict[str, list[int]] = {"/challenge": [], "vote": [], "/help": []}
    updates: dict[int, dict[str, Any]] = {}
    stop = asyncio.Event()

    async def chatter() -> None:
        tick = 0.1
        while not stop.is_set():
            await api.push(factory.load(int(LOAD_RATE * tick), 0.0))
            await asyncio.sleep(tick)  # the offered rate, not a wait for a result

    load = asyncio.create_task(chatter())
    ends = time.monotonic() + LATENCY_SECONDS
    voter = 0
    while time.monotonic() < ends:
        for kind in measured:
            # Round the groups, one command every COMMAND_GAP: Telegram lets a bot post about 20
            # messages a minute in a group, and answers beyond that would wait for the limit.
            group = GROUPS[voter % len(GROUPS)]
            resident = RESIDENTS[voter % 50]
            if kind == "vote":
                update = factory.poll_answer(poll_id, RESIDENTS[voter % len(RESIDENTS)], voter % 2)
            elif kind == "/help":
                update = factory.message(group, resident, "/help")
            else:
                update = factory.message(group, resident,
                                         f"/challenge The bus route {voter} cuts the garden off")
            voter += 1
            measured[kind].append(update["update_id"])
            updates[update["update_id"]] = update
            next_at = time.monotonic() + COMMAND_GAP
            await api.push([update])
            await counter.finished(f"tg:{update['update_id']}")
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))  # the pace of commands
    stop.set()
    await load
    await core.delivered()
    stats = await api.stats()
    await adapter.stop()
    del core.handle
    print(f"(3) command latency while {LOAD_RATE} updates/s of chatter run (update handed out -> "
          f"answer received by the server; a vote, which has no answer: -> handled), "
          f"{LATENCY_SECONDS:.0f} s:")
    for kind, ids in measured.items():
        times = sorted(t for t in (_latency(kind, i, stats, counter, updates)
                                   for i in ids) if t is not None)
        p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"    {kind:<10} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   (n={len(times)}; "
              f"with n < 100 the p99 is the slowest)")


def _latency(kind: str, update_id: int, stats: dict[str, Any], counter: Counter,
             updates: dict[int, dict[str, Any]]) -> float | None:
    """Milliseconds from the update handed out to its answer at the server (or, for a vote,
    to the bot having handled it)."""
    handed_out = stats["handed_out"].get(update_id)
    if handed_out is None:
        return None
    if kind == "vote":
        done = counter.finished_at.get(f"tg:{update_id}")
        return None if done is None else (done - handed_out) * 1000
    message = updates[update_id]["message"]
    chat, text = str(message["chat"]["id"]), message["text"]
    # The answer: the first message to that chat after the command, that says what it answers.
    marker = text.split("/challenge ", 1)[1][:30] if kind == "/challenge" else "Commands"
    for at, method, chat_id, sent in stats["replies"]:
        if chat_id == chat and at >= handed_out and method == "sendMessage" and marker in sent:
            return (at - handed_out) * 1000
    return None


async def _poll_id(core: Core) -> str:
    from sqlmodel import col, select

    from storage.db import session_scope
    from storage.models import OutboundMessage

    with session_scope(core.engine) as s:
        poll_id = s.exec(select(OutboundMessage.platform_poll_id).where(
            col(OutboundMessage.platform_poll_id).is_not(None))).first()
        assert poll_id, "the poll was not posted"
        return poll_id


async def memory(core: Core, factory: UpdateFactory, api: FakeBotApiProcess) -> None:
    """Updates parsed by python-telegram-bot, translated and handled, without the HTTP hop."""
    adapter = await start_bot(core, api.base_url, concurrent=False)
    assert adapter.me is not None
    done, marks = 0, {}
    gc.collect()
    marks[0] = rss_mb()
    for mark in MEMORY_MARKS:
        while done < mark:
            batch = factory.load(1000, 0.0)
            for data in batch:
                event = translate(Update.de_json(data, adapter.app.bot), adapter.me)
                assert event is not None
                await core.handle(event)
            done += len(batch)
        await core.service(ActivityCounter).flush()
        gc.collect()
        marks[mark] = rss_mb()
    await adapter.stop()
    print("(6) resident memory of the bot's process, updates parsed, translated and handled:")
    print(f"    at start {marks[0]:.1f} MB; " + "; ".join(
        f"after {m:,} updates {marks[m]:.1f} MB" for m in MEMORY_MARKS))
    growth = marks[MEMORY_MARKS[1]] - marks[MEMORY_MARKS[0]]
    print(f"    growth from 10,000 to 200,000 updates: {growth:+.1f} MB")


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:,.0f}" for v in values)


async def run() -> None:
    api = FakeBotApiProcess()
    try:
        with fresh_core(clock=SystemClock()) as core:
            core.serve()  # as ``ncbot run`` sets it up
            world = await build_world(core, platform="telegram", groups=GROUPS,
                                      residents=RESIDENTS)
            factory = UpdateFactory()
            await throughput(api, core, factory)
            await latency(api, core, factory, world.facilitator)
            await memory(core, factory, api)
    finally:
        api.stop()


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
