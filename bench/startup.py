"""(7) Start-up: from launching ``ncbot run`` to its first getUpdates at a local Bot API server.

The first run starts on a new database (migrations applied); the others on an existing one.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.fake_bot_api import FakeBotApiProcess
from bench.telegram_load import TOKEN

RUNS = 3
LIMIT = 60.0  # seconds before a start that never polls counts as failed


async def one_start(api: FakeBotApiProcess, db: Path) -> float:
    await api.reset()
    env = {**os.environ, "NCBOT_TELEGRAM__TOKEN": TOKEN,
           "NCBOT_TELEGRAM__API_BASE_URL": api.base_url,
           "NCBOT_STORAGE__URL": f"sqlite:///{db}", "NCBOT_HTTP__PORT": "0"}
    env.pop("NCBOT_CONFIG", None)
    started = time.monotonic()
    ncbot = Path(sys.executable).parent / "ncbot"
    process = await asyncio.create_subprocess_exec(
        str(ncbot), "run", env=env, cwd=db.parent,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        while time.monotonic() - started < LIMIT:
            stats = await api.stats()
            if stats["first_get_updates"] is not None:
                return float(stats["first_get_updates"]) - started
            if process.returncode is not None:
                error = await process.stderr.read() if process.stderr else b""
                raise RuntimeError(f"ncbot run exited: {error.decode()[-2000:]}")
            await asyncio.sleep(0.01)  # sampling the server's record, not a test wait
        raise RuntimeError("ncbot run did not poll within the limit")
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), 30)


async def run() -> None:
    api = FakeBotApiProcess()
    try:
        with tempfile.TemporaryDirectory(prefix="ncbot-bench-") as tmp:
            db = Path(tmp) / "startup.db"
            times = [await one_start(api, db) for _ in range(RUNS)]
    finally:
        api.stop()
    warm = times[1:]
    print("(7) start-up, `ncbot run` launched -> first getUpdates at the server:")
    print(f"    new database (migrations run): {times[0]:.2f} s")
    print(f"    existing database: median {statistics.median(warm):.2f} s  "
          f"({', '.join(f'{t:.2f}' for t in warm)})")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
