"""What a unit of work may use of the core that runs it (``bot.kernel.core.Core`` is the one).

Handlers and services see the core through this, so the context needs no import of the core.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy.engine import Engine

from bot.kernel.config import Settings
from bot.kernel.outbox import Outbox
from bot.kernel.ports import Clock

S = TypeVar("S")


class Hooks(Protocol):
    def hooked(self, name: str) -> list[Callable[..., Any]]:
        """What the features registered for the moment ``name`` (see ``Routes.add_hook``)."""
        ...


class Host(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def worker_id(self) -> str: ...

    @property
    def routes(self) -> Hooks: ...

    def service(self, kind: type[S]) -> S: ...

    def announce_due(self, due: list[datetime]) -> None: ...

    async def deliver(self, *, look: bool = False) -> None: ...
