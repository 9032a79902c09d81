"""The one HTTP server of the bot process: platform webhooks and /healthz."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.kernel.core import Core
from storage.db import cause_of, probe

log = logging.getLogger(__name__)

HealthCheck = Callable[[], Awaitable[tuple[bool, str]]]


class HttpServer:
    def __init__(self, core: Core, *, host: str, port: int) -> None:
        self.core = core
        self.host = host
        self.port = port
        self.app = web.Application()
        self.health: dict[str, HealthCheck] = {}
        self.app.router.add_get("/healthz", self._healthz)
        self._runner: web.AppRunner | None = None
        self.bound_port: int | None = None

    def add_route(
        self, method: str, path: str, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> None:
        self.app.router.add_route(method, path, handler)

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.bound_port = sockets[0].getsockname()[1] if sockets else self.port
        log.info("HTTP server on %s:%s", self.host, self.bound_port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        checks: dict[str, dict[str, object]] = {"database": await self._database()}
        for name, check in self.health.items():
            try:
                ok, detail = await check()
            except Exception as exc:
                ok, detail = False, type(exc).__name__
            checks[name] = {"ok": ok, "detail": detail}
        healthy = all(c["ok"] for c in checks.values())
        return web.json_response({"ok": healthy, "checks": checks}, status=200 if healthy else 503)

    async def _database(self) -> dict[str, object]:
        """Can a write begin now (in a worker thread, half a second at most), and has the core
        seen no fault since its last success?"""
        try:
            await probe(self.core.engine)
        except Exception as exc:
            return {"ok": False, "detail": cause_of(exc) if not isinstance(exc, TimeoutError)
                    else "TimeoutError: the database did not answer"}
        failing = self.core.database.failing
        if failing is not None:
            return {"ok": False, "detail": failing, "faults": self.core.database.faults}
        return {"ok": True}
