"""``ncbot run`` as a real OS process, for tests that kill it (SIGKILL) and start it again."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_LIMIT = 60.0  # seconds a start may take on a busy machine (a hang guard, not a timing)


def write_config(path: Path, *, url: str, telegram: dict[str, str] | None = None,
                 slack: dict[str, str] | None = None) -> Path:
    """A config file: the database at ``url``, an ephemeral HTTP port, the given platforms."""
    lines = ["[storage]", f'url = "{url}"', "", "[http]", 'host = "127.0.0.1"', "port = 0"]
    for name, section in (("telegram", telegram), ("slack", slack)):
        if section:
            lines += ["", f"[{name}]", *(f'{key} = "{value}"' for key, value in section.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class BotProcess:
    """One ``ncbot run``: started, read until it serves, killed or stopped."""

    def __init__(self, config: Path, env: dict[str, str], ready: str) -> None:
        self.config = config
        self.env = {**os.environ, **env}
        self.ready = ready  # a log line that says the platforms are served
        self.proc: asyncio.subprocess.Process | None = None
        self.port: int | None = None
        self.log: list[str] = []
        self._reader: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self, spawned: Callable[[int], None] | None = None) -> None:
        """Start it and read its log until it serves; ``spawned`` is told its pid first."""
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters.cli", "--config", str(self.config), "run",
            env=self.env, stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
            stdin=asyncio.subprocess.DEVNULL, cwd=ROOT)
        if spawned is not None:
            spawned(self.proc.pid)
        port = await self._read_until(r"HTTP server on [\d.]+:(\d+)")
        self.port = int(port.group(1))
        await self._read_until(self.ready)
        self._reader = asyncio.create_task(self._drain())

    async def _read_until(self, pattern: str) -> re.Match[str]:
        assert self.proc is not None and self.proc.stderr is not None
        while True:
            line = (await asyncio.wait_for(self.proc.stderr.readline(), START_LIMIT)).decode()
            if not line:
                raise AssertionError("ncbot run stopped early:\n" + "".join(self.log))
            self.log.append(line)
            found = re.search(pattern, line)
            if found:
                return found

    async def _drain(self) -> None:
        """Keep reading the log, so a chatty process never blocks on a full pipe."""
        assert self.proc is not None and self.proc.stderr is not None
        while line := await self.proc.stderr.readline():
            self.log.append(line.decode())

    async def died(self) -> int:
        """Wait for the process to end (killed by the test's fake platform); its exit code."""
        assert self.proc is not None
        try:
            code = await asyncio.wait_for(self.proc.wait(), START_LIMIT)
        except TimeoutError:
            self.kill()
            await self.proc.wait()
            raise AssertionError("ncbot run did not end:\n" + "".join(self.log[-40:])) from None
        if self._reader is not None:
            await self._reader
        return code

    def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)

    async def stop(self) -> int:
        """SIGTERM, as an operator stops it; the exit code."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        return await self.died()

    def errors(self) -> list[str]:
        return [line for line in self.log if " ERROR " in line or "Traceback" in line]
