"""An application under test in a process of its own, as ``ncbot run`` runs in production."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_LIMIT = 120.0  # seconds a start may take on a busy machine


class Child:
    """``python ARGS`` with ``env`` added; started once its log says ``ready``. Its HTTP port is
    read from the log when it prints one; it stops when its stdin closes, or is terminated."""

    def __init__(self, args: list[str], *, env: dict[str, str], ready: str) -> None:
        self.args = args
        self.env = {**os.environ, **env}
        self.ready = ready
        self.proc: asyncio.subprocess.Process | None = None
        self.port = 0
        self._drainer: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, *self.args, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, cwd=ROOT,
            env=self.env)
        assert self.proc.stderr is not None
        log = []
        while True:
            line = (await asyncio.wait_for(self.proc.stderr.readline(), START_LIMIT)).decode()
            if not line:
                raise RuntimeError("the application stopped early:\n" + "".join(log))
            log.append(line)
            if "HTTP server on" in line:
                self.port = int(line.rsplit(":", 1)[1].split()[0])
            if self.ready in line:
                break
        self._drainer = asyncio.create_task(self._drain())

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the process has used so far; 0.0 where /proc is missing."""
        assert self.proc is not None
        try:
            with open(f"/proc/{self.proc.pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def waited_for_cpu(self) -> float:
        """Seconds its main thread has been ready to run but waited for a CPU (the kernel's
        run delay: what other processes on shared cores cost it); 0.0 where not available."""
        assert self.proc is not None
        try:
            with open(f"/proc/{self.proc.pid}/schedstat", encoding="ascii") as stat:
                return int(stat.read().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            return 0.0

    async def _drain(self) -> None:
        """Keep reading the log, so a chatty process never blocks on a full pipe."""
        assert self.proc is not None and self.proc.stderr is not None
        while await self.proc.stderr.readline():
            pass

    async def stop(self) -> None:
        assert self.proc is not None
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        if self.proc.returncode is None:
            self.proc.terminate()
        await self.proc.wait()
        if self._drainer is not None:
            await self._drainer
