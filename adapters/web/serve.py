"""`ncbot web`: a process that serves only the public record (several can share PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys

from aiohttp import web

from adapters.logs import configured_secrets, install_secret_redaction
from adapters.memory import freeze_start_up
from adapters.runtime import open_database
from adapters.web import record_app
from bot.kernel.config import Settings
from bot.kernel.ports import SystemClock


async def serve_record(settings: Settings, *, port: int | None = None,
                       stop: asyncio.Event | None = None) -> int:
    """Serve until stopped (SIGINT, SIGTERM or ``stop``); a port that cannot be bound is one line."""
    install_secret_redaction(configured_secrets(settings))
    engine = open_database(settings.storage.url)
    runner = web.AppRunner(record_app(engine=engine, settings=settings, clock=SystemClock()),
                           access_log=None)
    await runner.setup()
    host, port = settings.http.host, settings.http.port if port is None else port
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        print(f"ncbot: cannot serve the record on {host}:{port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    bound = runner.addresses[0][1] if runner.addresses else port
    freeze_start_up()
    print(f"Serving the public record on http://{host}:{bound}/ (Ctrl-C to stop)", flush=True)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        engine.dispose()
    return 0
