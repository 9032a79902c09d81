"""The one HTTP server of the bot process: platform webhooks and /healthz."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import text

from bot.kernel.core import Core

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
        checks: dict[str, dict[str, object]] = {}
        try:
            with self.core.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["database"] = {"ok": True}
        except Exception as exc:
            checks["database"] = {"ok": False, "detail": type(exc).__name__}
        for name, check in self.health.items():
            try:
                ok, detail = await check()
            except Exception as exc:
                ok, detail = False, type(exc).__name__
            checks[name] = {"ok": ok, "detail": detail}
        healthy = all(c["ok"] for c in checks.values())
        return web.json_response({"ok": healthy, "checks": checks}, status=200 if healthy else 503)
