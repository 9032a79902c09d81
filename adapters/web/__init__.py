"""The public record on the web: read-only pages over what bot.record allows to be shown."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.engine import Engine

from adapters.web.pages import RecordSite
from bot.kernel.config import Settings
from bot.kernel.ports import Clock


def mount(app: web.Application, *, engine: Engine, settings: Settings, clock: Clock) -> RecordSite:
    """Add the record's routes to ``app`` (the bot's HTTP server, or one of its own)."""
    site = RecordSite(engine, settings, clock)
    app.router.add_routes(site.routes())
    return site


def record_app(*, engine: Engine, settings: Settings, clock: Clock) -> web.Application:
    """An application serving only the record (`ncbot web`, tests)."""
    app = web.Application()
    mount(app, engine=engine, settings=settings, clock=clock)
    return app
