"""Telegram inbound, process against process: ``ncbot run`` against a bare python-telegram-bot
``Application``, both long-polling a local Bot API that runs in this (the load generator's)
process and does nothing else.

The bare application has one ``MessageHandler(filters.ALL)`` that only counts (and, at the last
update, sends one message to say so). The bot is ``ncbot run`` on SQLite, with 20 registered
project groups. Each round: 10,000 group messages by 300 residents in the 20 groups, then a
``/help`` in a private chat; the clock runs from handing the updates to the Bot API until the
answer to that ``/help`` (the bare application's one message) arrives. Rounds alternate (bare,
bot, five times each), each on a fresh process and database; the ratio is of the medians.
Each round also prints the CPU time per update of the application and of this process: a
round whose application used much less CPU than the wall time waited on something else
(another developer's work on the shared cores, or the load generator).
``NCBOT_BENCH_MESSAGES`` and ``NCBOT_BENCH_ROUNDS`` change the size and number of rounds.

``python -m bench.telegram_inbound`` (or ``python -m bench telegram_inbound``);
``NCBOT_BENCH_PROFILE=/tmp/p`` writes a cProfile of each bot round to ``/tmp/p.<round>``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Update

from adapters.telegram.translate import BotSelf, translate
from bench.child import Child
from bench.fake_bot_api import BenchBotApi, start_bot_api
from bench.telegram_load import TOKEN, UpdateFactory
from bench.world import CHATTER, build_world, settings_for
from bot.app import build_core
from bot.kernel.ports import SystemClock
from storage.db import create_db_engine
from storage.migrate import upgrade

# A round of 3,000 lasted well under a second and varied by a third from round to round.
MESSAGES = int(os.environ.get("NCBOT_BENCH_MESSAGES", "10000"))
RESIDENTS = [str(60_000_000 + i) for i in range(300)]
GROUPS = [str(-1002000000000 - i) for i in range(1, 21)]
ASKER = RESIDENTS[0]  # the /help in private that ends the clock
ROUNDS = int(os.environ.get("NCBOT_BENCH_ROUNDS", "5"))
# Residents known from earlier messages (as in a running council); ``--newcomers``: all 300 are
# seen for the first time in the round, which makes it mostly the cost of creating them.
KNOWN = "--newcomers" not in sys.argv


async def serve_bare(base_url: str, expected: int) -> None:
    """The bare application (in a child process): counts; says so at the ``expected``-th."""
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    seen = 0

    async def count(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        nonlocal seen
        seen += 1
        if seen == expected:
            await context.bot.send_message(int(ASKER), "counted")

    app = ApplicationBuilder().token(TOKEN).base_url(base_url).job_queue(None).build()
    app.add_handler(MessageHandler(filters.ALL, count))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=10, poll_interval=0.0)
    print("bare started", file=sys.stderr, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until closed
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


def updates(factory: UpdateFactory, rng: random.Random) -> list[dict[str, Any]]:
    chatter = [factory.message(rng.choice(GROUPS), rng.choice(RESIDENTS), rng.choice(CHATTER))
               for _ in range(MESSAGES)]
    return [*chatter, factory.message(ASKER, ASKER, "/help")]


async def world_database(tmp: Path, groups: list[str] = GROUPS,
                         residents: list[str] = RESIDENTS, *, known: bool = KNOWN) -> str:
    """A migrated SQLite file with the project groups registered (as people would); with
    ``known`` each resident has written once before."""
    settings = settings_for(tmp / "bot.db")
    engine = create_db_engine(settings.storage.url)
    upgrade(engine)
    try:
        core = build_core(settings=settings, engine=engine, clock=SystemClock(),
                          worker_id="bench")
        await build_world(core, platform="telegram", groups=groups, residents=residents)
        if known:
            # Each resident has written once before, through the adapter's own translation.
            me = BotSelf(7000000001, "ncbot_bench_bot", "Networked Councillor")
            factory, rng = UpdateFactory(seed=3), random.Random(3)
            # Ids of their own: the ledger would take a round's first updates for these again.
            factory.ids = itertools.count(900_000_000)
            for resident in residents:
                data = factory.message(rng.choice(groups), resident, rng.choice(CHATTER))
                event = translate(Update.de_json(data, None), me)
                assert event is not None
                await core.handle(event)
    finally:
        engine.dispose()
    return str(settings.storage.url)


def bot_config(tmp: Path, url: str, base_url: str) -> Path:
    path = tmp / "ncbot.toml"
    path.write_text("\n".join([
        "[storage]", f'url = "{url}"', "", "[http]", 'host = "127.0.0.1"', "port = 0", "",
        "[telegram]", 'mode = "polling"', f'api_base_url = "{base_url}"',
        'bot_username = "ncbot_bench_bot"', "",
    ]) + "\n", encoding="utf-8")
    return path


async def answered(api: BenchBotApi, since: int) -> float:
    """The time the answer to ASKER arrived (watching the server's record of replies)."""
    while True:
        for at, method, chat_id, _text in api.replies[since:]:
            if method == "sendMessage" and chat_id == ASKER:
                return at
        await asyncio.sleep(0.002)


async def settled(api: BenchBotApi) -> None:
    """Until the server has had no reply for a second."""
    seen = -1
    while len(api.replies) != seen:
        seen = len(api.replies)
        await asyncio.sleep(1.0)


async def one_round(api: BenchBotApi, child: Child, batch: list[dict[str, Any]]
                    ) -> tuple[float, float, float]:
    """(updates/s, CPU ms per update of the application, of this process)."""
    await child.start()
    try:
        await settled(api)  # start-up's own sends (the world's answers) go out first
        since = len(api.replies)
        cpu = (child.cpu_seconds(), time.process_time())
        started = time.monotonic()
        api.push(batch)
        done = await asyncio.wait_for(answered(api, since), 300)
        app, own = child.cpu_seconds() - cpu[0], time.process_time() - cpu[1]
        return len(batch) / (done - started), app / len(batch) * 1000, own / len(batch) * 1000
    finally:
        await child.stop()


async def run() -> None:
    api = BenchBotApi()
    runner, port = await start_bot_api(api.handle)
    base_url = f"http://127.0.0.1:{port}/bot"
    factory, rng = UpdateFactory(), random.Random(20)
    rates: dict[str, list[float]] = {"bare": [], "bot": []}
    print(f"telegram inbound, process against process: {MESSAGES:,} group messages by "
          f"{len(RESIDENTS)} {'known' if KNOWN else 'new'} residents in {len(GROUPS)} groups, "
          "then /help in private "
          f"(load average {os.getloadavg()[0]:.2f})", flush=True)
    try:
        for round_no in range(1, ROUNDS + 1):
            for name in ("bare", "bot"):
                batch = updates(factory, rng)
                with tempfile.TemporaryDirectory(prefix="ncbot-bench-") as tmp:
                    if name == "bare":
                        child = Child(["-m", "bench.telegram_inbound", "--bare-app", base_url,
                                       str(len(batch))], env={}, ready="bare started")
                    else:
                        url = await world_database(Path(tmp))
                        args = ["-m", "adapters.cli", "--config",
                                str(bot_config(Path(tmp), url, base_url)), "run"]
                        profile = os.environ.get("NCBOT_BENCH_PROFILE")
                        if profile:
                            args = ["-m", "cProfile", "-o", f"{profile}.{round_no}", *args]
                        child = Child(args, env={"NCBOT_TELEGRAM__TOKEN": TOKEN},
                                      ready="telegram started")
                    rate, app_cpu, own_cpu = await one_round(api, child, batch)
                rates[name].append(rate)
                print(f"  round {round_no} {name:<4}: {rate:8,.0f} updates/s; CPU per update: "
                      f"application {app_cpu:.3f} ms, fake Bot API and load {own_cpu:.3f} ms; "
                      f"load average {os.getloadavg()[0]:.2f}", flush=True)
        bare, bot = statistics.median(rates["bare"]), statistics.median(rates["bot"])
        ratios = [b / a for a, b in zip(rates["bare"], rates["bot"], strict=True)]
        print(f"  median: bare {bare:,.0f}/s, bot {bot:,.0f}/s, ratio {bot / bare:.2f} "
              f"(rounds {', '.join(f'{r:.3f}' for r in ratios)})", flush=True)
    finally:
        api.changed.set()
        await runner.cleanup()


def main() -> None:
    # A long poll cut short by a child that stops is expected; the server need not report it.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    asyncio.run(run())


if __name__ == "__main__":
    if "--bare-app" in sys.argv:
        at = sys.argv.index("--bare-app")
        asyncio.run(serve_bare(sys.argv[at + 1], int(sys.argv[at + 2])))
    else:
        main()
