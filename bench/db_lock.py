"""Another process holds SQLite's write lock: does the bot's event loop stay free?

``python -m bench db_lock [--hold=SECONDS]`` (default 60). A core on a fresh SQLite file serves
/healthz on a local port; a second OS process takes the write lock and holds it. Meanwhile an
inbound command arrives every half second (each is refused with ``DatabaseUnavailable`` after
the core's inbound wait), the due timers run every five seconds as the scheduler would, and
/healthz is asked five times a second, and the outbox tries every second to send a message whose
first send failed just before the lock was taken. Printed: /healthz latency, the longest stall of
the event loop, how long each refused command took, and when the waiting message went.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from adapters.http import HttpServer
from adapters.testing import TestingAdapter
from bot.app import build_core
from bot.kernel.config import load_settings
from bot.kernel.errors import DatabaseUnavailable
from bot.kernel.events import ChatKind, ChatRef, CommandIssued, Sender
from bot.kernel.ports import RetryLater, SystemClock
from storage.db import create_db_engine
from storage.migrate import upgrade
from tests.db_locker import Locker


def hold_seconds(argv: list[str]) -> float:
    for arg in argv:
        if arg.startswith("--hold="):
            return float(arg.split("=", 1)[1])
    return 60.0


async def run(hold: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = create_db_engine(url)
        upgrade(engine)
        core = build_core(settings=load_settings(environ={"NCBOT_STORAGE__URL": url}),
                          engine=engine, clock=SystemClock())
        http = HttpServer(core, host="127.0.0.1", port=0)
        await http.start()
        platform = TestingAdapter(core)
        platform.fail_next.append(RetryLater("429", after=0.5))
        await platform.say("rita", "/help")  # its answer waits for a retry, through the lock
        health: list[float] = []
        refused: list[float] = []
        stalls: list[float] = []
        done = asyncio.Event()

        async def ticker() -> None:
            last = time.monotonic()
            while not done.is_set():
                await asyncio.sleep(0.01)
                now = time.monotonic()
                stalls.append(now - last - 0.01)
                last = now

        async def probe(client: aiohttp.ClientSession) -> None:
            while not done.is_set():
                started = time.monotonic()
                async with client.get(f"http://127.0.0.1:{http.bound_port}/healthz") as answer:
                    await answer.read()
                health.append(time.monotonic() - started)
                await asyncio.sleep(0.2)

        async def commands() -> None:
            n = 0
            while not done.is_set():
                n += 1
                event = CommandIssued(chat=ChatRef("test", f"c{n}", ChatKind.PRIVATE),
                                      sender=Sender("test", f"u{n}", "Una"), event_id=f"e{n}",
                                      name="help", args="")
                started = time.monotonic()
                try:
                    await core.handle(event)
                except DatabaseUnavailable:
                    refused.append(time.monotonic() - started)
                await asyncio.sleep(0.5)

        async def timers() -> None:
            while not done.is_set():
                try:
                    await core.run_due()
                except Exception:
                    pass  # the scheduler logs and tries at its next tick
                await asyncio.sleep(5)

        flushes: list[float] = []

        async def sender() -> None:
            while not platform.sent:
                started = time.monotonic()
                try:
                    await core.outbox.flush()
                except Exception:
                    pass  # the background sender logs and tries again
                flushes.append(time.monotonic() - started)
                await asyncio.sleep(1)

        with Locker(url) as locker:
            async with aiohttp.ClientSession() as client:
                tasks = [asyncio.create_task(t) for t in
                         (ticker(), probe(client), commands(), timers())]
                sending = asyncio.create_task(sender())
                await asyncio.sleep(hold)
                done.set()
                await asyncio.gather(*tasks)
                released = time.monotonic()
                locker.release()
                await sending
                went_after = time.monotonic() - released
        await http.stop()
        engine.dispose()
    return {
        "healthz answers": len(health),
        "healthz median s": statistics.median(health),
        "healthz longest s": max(health),
        "loop longest stall s": max(stalls),
        "commands refused": len(refused),
        "refused after s (median)": statistics.median(refused) if refused else 0.0,
        "outbox tries during the lock": len(flushes),
        "waiting message sent after release s": went_after,
    }


def main() -> None:
    hold = hold_seconds(sys.argv[1:])
    print(f"SQLite write lock held by another process for {hold:.0f} s "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    for name, value in asyncio.run(run(hold)).items():
        print(f"  {name:28} {value:.3f}" if isinstance(value, float) else f"  {name:28} {value}")


if __name__ == "__main__":
    main()
