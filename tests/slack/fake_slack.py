"""A fake Slack Web API on an ephemeral port: records every call, answers like Slack, injects faults."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

BOT_USER = "UBOT"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None


@dataclass
class Fault:
    """What the next call of a method gets instead of success."""

    error: str = ""
    status: int = 200
    retry_after: int | None = None
    drop: bool = False  # close the connection: a network error


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # user id -> real name for users.info
    uploads: dict[str, bytes] = field(default_factory=dict)
    outside: set[str] = field(default_factory=set)  # channels the bot is not a member of
    threads: dict[str, str] = field(default_factory=dict)  # thread ts -> its first message's text
    gates: dict[str, asyncio.Event] = field(default_factory=dict)  # calls held until set
    delays: dict[str, float] = field(default_factory=dict)  # a slow Slack, for benchmarks
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition | None = None
    _closing: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    async def start(self) -> None:
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link", self._socket_mode)
        app.router.add_post("/response", self._response_url)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- test controls -------------------------------------------------------------------------

    def fail(self, method: str, error: str = "", *, status: int = 200,
             retry_after: int | None = None, drop: bool = False) -> None:
        self.faults.setdefault(method, []).append(Fault(error, status, retry_after, drop))

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1) -> list[Call]:
        """Wait until ``method`` was called ``count`` times (an event, not a sleep)."""
        assert self._changed is not None

        async def enough() -> None:
            assert self._changed is not None
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.called(method)) >= count)

        await asyncio.wait_for(enough(), 10.0)
        return self.called(method)

    async def wait_until(self, check: Callable[[], bool], within: float = 10.0) -> None:
        """Until ``check()`` holds, re-checked after every call."""
        assert self._changed is not None

        async def holds() -> None:
            assert self._changed is not None
            async with self._changed:
                await self._changed.wait_for(check)

        await asyncio.wait_for(holds(), within)

    # ---- the API -------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if raw:
            if request.content_type == "application/json":
                params.update(json.loads(raw))
            else:
                params.update(parse_qsl(raw.decode()))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or params.get("token")
        self.calls.append(Call(method, params, token))
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()
        gate = self.gates.get(method)
        if gate is not None:
            await gate.wait()
        if self.delays.get(method):
            with contextlib.suppress(TimeoutError):  # cut short when the server stops
                await asyncio.wait_for(self._closing.wait(), self.delays[method])
        queued = self.faults.get(method)
        if queued:
            fault = queued.pop(0)
            if fault.drop:
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=500)
            headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
            error = fault.error or ("ratelimited" if fault.status == 429 else "fatal_error")
            body = {"ok": False, "error": error}
            return web.json_response(body, status=fault.status, headers=headers)
        return web.json_response(self._answer(method, params, request))

    def _answer(self, method: str, p: dict[str, Any], request: web.Request) -> dict[str, Any]:
        ok: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            return ok | {"user_id": BOT_USER, "bot_id": "BBOT", "team_id": "T1", "user": "ncbot"}
        if method in ("chat.postMessage", "chat.postEphemeral"):
            ts = f"1700000000.{next(self._ts):06d}"
            return ok | {"channel": p.get("channel"), "ts": ts, "message_ts": ts}
        if method == "chat.update":
            return ok | {"channel": p.get("channel"), "ts": p.get("ts")}
        if method == "apps.connections.open":
            return ok | {"url": f"ws://{request.host}/link"}
        if method == "conversations.info":
            channel = str(p.get("channel", ""))
            return ok | {"channel": {"id": channel, "is_member": channel not in self.outside}}
        if method == "conversations.replies":
            text = self.threads.get(str(p.get("ts")))
            return ok | {"messages": [] if text is None else [{"ts": p.get("ts"), "text": text}]}
        if method == "conversations.open":
            return ok | {"channel": {"id": "D" + str(p.get("users", "")).lstrip("U")}}
        if method in ("views.open", "views.publish", "views.update"):
            view = p.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            return ok | {"view": {"id": f"V{next(self._ts)}", **(view or {})}}
        if method == "users.info":
            uid = p.get("user", "")
            name = self.names.get(uid, uid)
            return ok | {"user": {"id": uid, "name": name.lower(), "real_name": name,
                                  "profile": {"display_name": "", "real_name": name}}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts)}"
            host = request.host
            return ok | {"upload_url": f"http://{host}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = p.get("files")
            files = json.loads(files) if isinstance(files, str) else files
            return ok | {"files": [{"id": f["id"], "title": f.get("title")} for f in files or []]}
        return ok

    # ---- Socket Mode -----------------------------------------------------------------------------

    async def envelope(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send an envelope over the socket as Slack does; returns the bot's acknowledgement."""
        await self.wait_until(lambda: bool(self.sockets))
        envelope_id = f"env-{next(self._ts)}"
        await self.sockets[-1].send_json({"envelope_id": envelope_id, "type": kind,
                                          "payload": payload, "accepts_response_payload": True,
                                          "retry_attempt": 0, "retry_reason": ""})
        await self.wait_until(lambda: envelope_id in self.acks)
        return self.acks[envelope_id]

    async def _socket_mode(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "connection_info": {"app_id": "A1"}})
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if "envelope_id" in data:
                self.acks[data["envelope_id"]] = data
                async with self._changed:
                    self._changed.notify_all()
        self.sockets.remove(ws)
        return ws

    @property
    def response_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/response"

    async def _response_url(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await request.json(), None))
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        self.calls.append(Call("upload", {"file_id": request.match_info["file_id"]}, None))
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()
        return web.Response(text="OK - 1")
