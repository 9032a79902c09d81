"""A local Telegram Bot API for benchmarks, run in a process of its own on an ephemeral port.

``getUpdates`` hands out queued updates in batches of up to ``limit`` (100), honouring ``offset``
and long-polling when the queue is empty, as Telegram documents. Every other method answers ok
(a message for sends and edits, ``true`` otherwise). The driving process talks to it over a pipe:
it queues updates, asks for the time each update was handed out and the time each reply came.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from typing import Any

from aiohttp import web

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Networked Councillor",
            "username": "ncbot_bench_bot", "can_join_groups": True,
            "can_read_all_group_messages": True, "supports_inline_queries": False}


class BenchBotApi:
    def __init__(self) -> None:
        self.queue: list[dict[str, Any]] = []
        self.head = 0  # index into queue of the first update not yet confirmed
        self.changed = asyncio.Event()
        self.handed_out: dict[int, float] = {}  # update_id -> monotonic time first handed out
        self.replies: list[tuple[float, str, str, str]] = []  # (time, method, chat_id, text)
        self.first_get_updates: float | None = None
        self.calls: dict[str, int] = {}
        self.message_ids = 1000

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        self.calls[method] = self.calls.get(method, 0) + 1
        if method == "getUpdates":
            return _ok(await self.get_updates(params))
        if method == "getMe":
            return _ok(BOT_USER)
        if method in ("sendMessage", "editMessageText", "sendPoll", "editMessageReplyMarkup"):
            chat_id = str(params.get("chat_id", ""))
            text = str(params.get("text") or params.get("question") or "")
            self.replies.append((time.monotonic(), method, chat_id, text[:200]))
            self.message_ids += 1
            message: dict[str, Any] = {
                "message_id": int(params.get("message_id") or self.message_ids),
                "date": int(time.time()), "chat": _chat(chat_id), "from": BOT_USER,
                "text": str(params.get("text") or params.get("question") or ""),
            }
            if method == "sendPoll":
                options = params.get("options") or []
                message["poll"] = {
                    "id": f"poll-{self.message_ids}", "question": str(params.get("question")),
                    "options": [{"text": o if isinstance(o, str) else o.get("text", ""),
                                 "voter_count": 0, "persistent_id": f"opt{i}"}
                                for i, o in enumerate(options)],
                    "total_voter_count": 0, "is_closed": False, "is_anonymous": False,
                    "type": "regular", "allows_multiple_answers": False,
                    "allows_revoting": True, "members_only": False,
                }
            return _ok(message)
        return _ok(True)

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.first_get_updates is None:
            self.first_get_updates = time.monotonic()
        offset = int(params.get("offset") or 0)
        limit = min(int(params.get("limit") or 100), 100)
        timeout = float(params.get("timeout") or 0)
        self._confirm(offset)
        if self.head >= len(self.queue) and timeout > 0:
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), timeout)
            except TimeoutError:
                return []
        batch = self.queue[self.head:self.head + limit]
        now = time.monotonic()
        for update in batch:
            self.handed_out.setdefault(update["update_id"], now)
        return batch

    def _confirm(self, offset: int) -> None:
        """Updates below ``offset`` are confirmed: Telegram forgets them."""
        while self.head < len(self.queue) and self.queue[self.head]["update_id"] < offset:
            self.head += 1
        if self.head > 10_000:  # keep memory flat over long runs
            del self.queue[:self.head]
            self.head = 0

    def push(self, updates: list[dict[str, Any]]) -> None:
        self.queue.extend(updates)
        self.changed.set()


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return dict(await request.json())
    form = await request.post()
    params: dict[str, Any] = {}
    for key, value in form.items():
        if isinstance(value, str):
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
    return {**dict(request.query), **params}


def _chat(chat_id: str) -> dict[str, Any]:
    numeric = int(chat_id) if chat_id.lstrip("-").isdigit() else 0
    if numeric < 0:
        return {"id": numeric, "type": "supergroup", "title": f"Project {chat_id}"}
    return {"id": numeric, "type": "private", "first_name": "Someone"}


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def start_bot_api(handle: Handler) -> tuple[web.AppRunner, int]:
    """An aiohttp server answering ``/bot<token>/<method>`` with ``handle``: (runner, port)."""
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.router.add_route("*", "/bot{token}/{method}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


async def _serve(conn: Connection) -> None:
    api = BenchBotApi()
    runner, port = await start_bot_api(api.handle)
    conn.send(port)
    loop = asyncio.get_running_loop()
    while True:
        command, payload = await loop.run_in_executor(None, conn.recv)
        if command == "push":
            api.push(payload)
            conn.send(len(api.queue) - api.head)
        elif command == "stats":
            conn.send({"handed_out": dict(api.handed_out), "replies": list(api.replies),
                       "first_get_updates": api.first_get_updates, "calls": dict(api.calls),
                       "pending": len(api.queue) - api.head})
        elif command == "reset":
            api.handed_out.clear()
            api.replies.clear()
            api.first_get_updates = None
            api.calls.clear()
            conn.send(True)
        elif command == "stop":
            api.changed.set()  # long polls still held answer now, so the server stops at once
            await runner.cleanup()
            conn.send(True)
            return


def _main(conn: Connection) -> None:
    asyncio.run(_serve(conn))


class ServerProcess:
    """A server in a child process of its own (the second core), driven over a pipe:
    ``target(conn)`` sends its port first, then answers (command, payload) until "stop"."""

    def __init__(self, target: Callable[[Connection], None]) -> None:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=target, args=(child,), daemon=True)
        self._process.start()
        self.port: int = self._conn.recv()

    def ask(self, command: str, payload: Any = None) -> Any:
        self._conn.send((command, payload))
        return self._conn.recv()

    def stop(self) -> None:
        try:
            self.ask("stop")
        finally:
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.terminate()


class FakeBotApiProcess(ServerProcess):
    """The fake API in a child process; ``base_url`` for the bot, ``push`` and ``stats`` to drive it."""

    def __init__(self) -> None:
        super().__init__(_main)
        self._lock: asyncio.Lock | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def _ask_async(self, command: str, payload: Any = None) -> Any:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # one question on the pipe at a time
            return await asyncio.to_thread(self.ask, command, payload)

    async def push(self, updates: list[dict[str, Any]]) -> int:
        return int(await self._ask_async("push", updates))

    async def stats(self) -> dict[str, Any]:
        return dict(await self._ask_async("stats"))

    async def reset(self) -> None:
        await self._ask_async("reset")
