"""One bot process for the several-process tests: ``python -m tests.bot_process URL --now ISO ...``.

It builds a core on an existing (migrated) database with a clock fixed at ``--now``, attaches an
adapter that appends every delivered message to ``--out`` as a JSON line, says ``ready`` on
stdout, waits for ``go`` on stdin (so that every process starts racing at once), runs what is due
and exits. ``--die-in-timer N`` and ``--die-at-send N`` make it kill itself with SIGKILL in the
middle of its N-th timer (after the handler's work, before its commit) or just before its N-th
delivery, leaving claimed work behind as a crashed process would; ``--die-after-send N`` just after
the N-th delivery, before the outbox records it (the one window for a duplicate).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from datetime import datetime, timedelta
from typing import Any

from bot.app import build_core
from bot.kernel.config import load_settings
from bot.kernel.context import Work
from bot.kernel.events import Address, Outbound
from bot.kernel.ports import Delivered, FakeClock
from bot.kernel.routing import TimerHandler
from storage.db import create_db_engine

PING = "test_ping"  # a timer kind of this runner's own: one message per timer to ``payload.chat``


class RecordingAdapter:
    """Delivers by appending a line per message to a file shared by nobody else."""

    platform = "test"

    def __init__(self, path: str, worker: str, die_at_send: int | None,
                 die_after_send: int | None = None) -> None:
        # Line-buffered: each delivered message is in the file before the next send starts.
        self._out = open(path, "a", encoding="utf-8", buffering=1)
        self._worker = worker
        self._die_at = die_at_send
        self._die_after = die_after_send
        self._sends = 0

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self._out.close()

    async def send(self, message: Outbound, *, edit_message_id: str | None = None) -> Delivered:
        self._sends += 1
        if self._sends == self._die_at:
            os.kill(os.getpid(), signal.SIGKILL)
        line = {"worker": self._worker, "to": message.to.key(), "text": message.text.text}
        self._out.write(json.dumps(line) + "\n")
        if self._sends == self._die_after:
            os.kill(os.getpid(), signal.SIGKILL)  # the platform has it; the database never hears
        return Delivered(f"{self._worker}-{self._sends}")


async def ping(w: Work, key: str, payload: dict[str, Any]) -> None:
    w.send(Address("test", chat_id=str(payload["chat"])), f"ping {key}")


def dying(handler: TimerHandler, calls: list[int], die_at: int) -> TimerHandler:
    async def run(w: Work, key: str, payload: dict[str, Any]) -> None:
        await handler(w, key, payload)
        calls.append(1)
        if len(calls) == die_at:
            os.kill(os.getpid(), signal.SIGKILL)

    return run


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bot_process")
    parser.add_argument("url")
    parser.add_argument("--now", required=True, type=datetime.fromisoformat)
    parser.add_argument("--worker", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--timer-lease", type=float, default=300.0, help="seconds")
    parser.add_argument("--outbox-lease", type=float, default=120.0, help="seconds")
    parser.add_argument("--die-in-timer", type=int)
    parser.add_argument("--die-at-send", type=int)
    parser.add_argument("--die-after-send", type=int)
    args = parser.parse_args(argv)

    settings = load_settings(environ={"NCBOT_STORAGE__URL": args.url})
    engine = create_db_engine(args.url)
    core = build_core(
        settings=settings,
        engine=engine,
        clock=FakeClock(args.now),
        worker_id=args.worker,
        timer_lease=timedelta(seconds=args.timer_lease),
        outbox_lease=timedelta(seconds=args.outbox_lease),
    )
    core.attach(RecordingAdapter(args.out, args.worker, args.die_at_send, args.die_after_send))
    core.routes.timers[PING] = ping
    if args.die_in_timer:
        calls: list[int] = []
        for kind, handler in list(core.routes.timers.items()):
            core.routes.timers[kind] = dying(handler, calls, args.die_in_timer)
    engine.connect().close()  # connected before the start line, so all race from the same point
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return 2
    ran = await core.run_due()
    print(json.dumps({"worker": args.worker, "ran": ran}), flush=True)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
