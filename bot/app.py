"""The composition root: every feature that is switched on, one line each.

A new feature is a new package under ``bot/`` with a ``register(routes)`` and one line here.
The kernel imports none of them; the officer's ``ncbot admin`` commands (``bot/admin``) have no
chat routes and are called by the command line.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from bot import challenges, digests, groups, linking, people, polls, record
from bot.kernel import builtins
from bot.kernel.config import Settings
from bot.kernel.core import Core
from bot.kernel.ports import Clock
from bot.kernel.routing import Routes


def build_routes() -> Routes:
    routes = Routes()
    builtins.register(routes)  # /help, /cancel, the ledger's daily prune
    people.register(routes)
    groups.register(routes)
    linking.register(routes)
    challenges.register(routes)
    polls.register(routes)
    digests.register(routes)
    record.register(routes)  # /public, and the public record's link on challenge cards
    return routes


def build_core(
    *, settings: Settings, engine: Engine, clock: Clock, worker_id: str | None = None,
    **leases: timedelta,
) -> Core:
    """A core with every feature above registered."""
    return Core(settings=settings, engine=engine, clock=clock, routes=build_routes(),
                worker_id=worker_id, **leases)
