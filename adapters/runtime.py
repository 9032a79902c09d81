"""Start-up: build the core from settings, start every configured platform, run until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from alembic.util import CommandError
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from adapters.http import HttpServer
from adapters.logs import configured_secrets, install_secret_redaction
from bot import app
from bot.kernel.config import Settings
from bot.kernel.core import Core
from bot.kernel.ports import AdapterStartError, Clock, PlatformAdapter, SystemClock
from bot.kernel.scheduler import Scheduler
from storage.db import create_db_engine
from storage.migrate import upgrade

log = logging.getLogger(__name__)

STOP_DELIVERY_WAIT = 10.0  # seconds; what is not sent by then stays in the outbox for the next start


def build_core(settings: Settings, *, clock: Clock | None = None) -> Core:
    """The engine (migrated to the latest schema) and the core around it."""
    # Before anything can log: library loggers print request URLs, which hold the Telegram token.
    install_secret_redaction(configured_secrets(settings))
    engine = open_database(settings.storage.url)
    return app.build_core(settings=settings, engine=engine, clock=clock or SystemClock())


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """An engine on ``url`` that has answered (and, with ``migrate``, is at the latest schema);
    a database that cannot be opened is an AdapterStartError naming it (password hidden) and why."""
    try:
        engine = create_db_engine(url)
        if migrate:
            upgrade(engine)
        else:
            engine.connect().close()
    except (SQLAlchemyError, CommandError, OSError) as exc:
        raise AdapterStartError(f"cannot open the database {_shown(url)}: {why_it_failed(exc)}") from exc
    return engine


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable storage.url)"


def why_it_failed(exc: BaseException) -> str:
    """The driver's own reason, on one line."""
    reason = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = [line.strip() for line in str(reason).splitlines() if line.strip()]
    return lines[0] if lines else type(reason).__name__


def platform_adapters(core: Core, http: HttpServer) -> list[PlatformAdapter]:
    """An adapter for each platform that has credentials."""
    settings = core.settings
    found: list[PlatformAdapter] = []
    if settings.telegram_enabled:
        from adapters.telegram.adapter import TelegramAdapter

        found.append(TelegramAdapter(core, settings.telegram, http))
    if settings.slack_enabled:
        from adapters.slack.adapter import SlackAdapter

        found.append(SlackAdapter(core, settings.slack, http))
    return found


async def run_platforms(core: Core, adapters: list[PlatformAdapter], http: HttpServer,
                        stop: asyncio.Event | None = None) -> None:
    """Run the platforms, the HTTP server and the scheduler until ``stop`` is set (or a signal)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    # Ordinary group messages are counted in memory and written once per window (a crash loses
    # at most that window's activity counts); a burst of votes makes one card edit per window;
    # answers are sent beside the next updates, so one waiting for a group's rate limit does not
    # hold the reading of every other chat.
    core.serve()
    scheduler = Scheduler(core)
    await http.start()
    started: list[PlatformAdapter] = []
    first_run: asyncio.Task[None] | None = None
    stopping = asyncio.get_running_loop().create_task(stop.wait())
    try:
        for adapter in adapters:
            core.attach(adapter)
            await adapter.start()
            started.append(adapter)
            log.info("%s started", adapter.platform)
        # The first scheduler run ends by sending what waits, which a group's pacing can make
        # minutes; a stop asked for meanwhile does not wait for it (the rest is sent at start).
        first_run = asyncio.get_running_loop().create_task(scheduler.start())
        await asyncio.wait({first_run, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if first_run.done():
            first_run.result()  # a failed start is not a stop
        await stopping
    finally:
        deadline = asyncio.get_running_loop().time() + STOP_DELIVERY_WAIT
        if first_run is not None and not first_run.done():
            # What the first run is sending gets the same time as every other delivery.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(first_run), STOP_DELIVERY_WAIT)
        for task in (first_run, stopping):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await scheduler.stop()
        try:
            await core.flush_services()  # the last votes' counts, while the platforms are up
            left = max(0.0, deadline - asyncio.get_running_loop().time())
            await asyncio.wait_for(core.delivered(), left)
        except TimeoutError:
            log.warning("messages still being sent at stop are left for the next start")
        except Exception:
            log.exception("delivering the last messages at stop failed; they are sent at start")
        for adapter in reversed(started):
            try:
                await adapter.stop()
            except Exception:
                log.exception("stopping %s failed", adapter.platform)
        await core.flush_services()  # what was counted before stopping is kept
        await http.stop()
