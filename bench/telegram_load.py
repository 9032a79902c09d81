"""Telegram-shaped updates for the benchmarks, and the two applications that consume them."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    MessageHandler,
    SimpleUpdateProcessor,
    filters,
)

from adapters.http import HttpServer
from adapters.telegram.adapter import TelegramAdapter
from bench.world import CHATTER
from bot.kernel.core import Core
from bot.kernel.events import HandleResult, Inbound

TOKEN = "123456:bench-token"
GROUPS = [str(-1001000000000 - i) for i in range(1, 7)]
RESIDENTS = [str(50_000_000 + i) for i in range(400)]


class UpdateFactory:
    """Updates in the shape Telegram documents, numbered from one counter."""

    def __init__(self, seed: int = 11) -> None:
        self.rng = random.Random(seed)
        self.ids = itertools.count(1)

    def message(self, chat_id: str, user_id: str, text: str) -> dict[str, Any]:
        update_id = next(self.ids)
        message: dict[str, Any] = {
            "message_id": update_id, "date": int(time.time()), "text": text,
            "chat": _chat(chat_id),
            "from": {"id": int(user_id), "is_bot": False, "first_name": "Resident",
                     "last_name": user_id[-3:], "username": f"resident{user_id}"},
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0])}]
        return {"update_id": update_id, "message": message}

    def poll_answer(self, poll_id: str, user_id: str, option: int) -> dict[str, Any]:
        return {"update_id": next(self.ids), "poll_answer": {
            "poll_id": poll_id, "option_ids": [option], "option_persistent_ids": [f"opt{option}"],
            "user": {"id": int(user_id), "is_bot": False, "first_name": "Resident"}}}

    def load(self, count: int, commands: float) -> list[dict[str, Any]]:
        """Group chatter by hundreds of residents, ``commands`` of it /help and /challenges."""
        out = []
        for _ in range(count):
            text = (self.rng.choice(("/help", "/challenges")) if self.rng.random() < commands
                    else self.rng.choice(CHATTER))
            out.append(self.message(self.rng.choice(GROUPS), self.rng.choice(RESIDENTS), text))
        return out


def _chat(chat_id: str) -> dict[str, Any]:
    if chat_id.startswith("-"):
        return {"id": int(chat_id), "type": "supergroup", "title": f"Project {chat_id}"}
    return {"id": int(chat_id), "type": "private", "first_name": "Resident"}


class Counter:
    """Counts handled updates; ``reached(n)`` waits for the n-th."""

    def __init__(self) -> None:
        self.count = 0
        self._target = 0
        self._done = asyncio.Event()
        self.finished_at: dict[str, float] = {}
        self._waiting: dict[str, asyncio.Event] = {}

    def tick(self, key: str | None = None) -> None:
        self.count += 1
        if key is not None:
            self.finished_at[key] = time.monotonic()
            if key in self._waiting:
                self._waiting.pop(key).set()
        if self._target and self.count >= self._target:
            self._done.set()

    async def reached(self, target: int, limit: float) -> None:
        self._target = target
        self._done.clear()
        if self.count >= target:
            return
        await asyncio.wait_for(self._done.wait(), limit)

    async def finished(self, key: str, limit: float = 60) -> None:
        """Until the event with id ``key`` has been handled."""
        if key not in self.finished_at:
            event = self._waiting.setdefault(key, asyncio.Event())
            await asyncio.wait_for(event.wait(), limit)


# ---- the bare application ------------------------------------------------------------------------


async def start_bare(base_url: str, counter: Counter) -> Application:
    """A python-telegram-bot application with one handler that only counts."""

    async def count(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        counter.tick()

    app = ApplicationBuilder().token(TOKEN).base_url(base_url).job_queue(None).build()
    app.add_handler(MessageHandler(filters.ALL, count))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=10, poll_interval=0.0)
    return app


async def stop_app(app: Application) -> None:
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()


# ---- the bot -------------------------------------------------------------------------------------


def count_handled(core: Core, counter: Counter) -> None:
    """Wrap ``core.handle`` so every finished event ticks the counter (keyed by event id)."""
    handle: Callable[..., Awaitable[HandleResult]] = core.handle

    async def counted(event: Inbound, **kw: Any) -> HandleResult:
        result = await handle(event, **kw)
        counter.tick(event.event_id)
        return result

    core.handle = counted  # type: ignore[method-assign]


async def start_bot(core: Core, base_url: str, *, concurrent: bool) -> TelegramAdapter:
    """The adapter as ``ncbot run`` builds it; ``concurrent`` swaps in PTB's concurrent update
    processing (not the adapter's setting: measured to show what it would change)."""
    settings = core.settings.telegram.model_copy(
        update={"token": TOKEN, "api_base_url": base_url, "bot_username": "ncbot_bench_bot"})
    http = HttpServer(core, host="127.0.0.1", port=0)
    adapter = TelegramAdapter(core, settings, http, poll_timeout=10)
    if concurrent:
        adapter.app._update_processor = SimpleUpdateProcessor(256)
    await adapter.start()
    return adapter
