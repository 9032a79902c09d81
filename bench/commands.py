"""The cost of one command through core.handle and the outbox: SQL statements and CPU time."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from adapters.testing import TestingAdapter
from bot.app import build_core
from bot.kernel.config import load_settings
from bot.kernel.ports import FakeClock
from storage.db import create_db_engine
from storage.migrate import upgrade

COMMANDS = 200
ROUNDS = 2


async def one_round(folder: Path) -> tuple[float, float]:
    settings = load_settings(environ={"NCBOT_STORAGE__URL": f"sqlite:///{folder / 'bench.db'}"})
    engine = create_db_engine(settings.storage.url)
    upgrade(engine)
    bot = TestingAdapter(build_core(settings=settings, engine=engine, clock=FakeClock(), worker_id="b"))
    await bot.say("rita", "/help", chat="garden")  # first contact creates the person and chat
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    started = time.process_time()
    for i in range(COMMANDS):
        await bot.say(f"resident{i % 40}", "/help", chat="garden")
    cpu = time.process_time() - started
    engine.dispose()
    return statements / COMMANDS, cpu / COMMANDS * 1000


def main() -> None:
    results = []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(asyncio.run(one_round(Path(tmp))))
    per_command = results[0][0]
    cpu = statistics.median(ms for _, ms in results)
    print(f"/help in a group through core.handle and the outbox: {per_command:.1f} SQL statements "
          f"and {cpu:.2f} ms CPU per command (median of {ROUNDS} rounds of {COMMANDS})")
