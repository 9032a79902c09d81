"""People's names: the payload's at once, Slack's own (``users.info``) completed off the request.

A slash command or a press carries the person's handle (``user_name``), an event only their id.
Waiting for ``users.info`` before handling cost a Web API call on every newcomer's first request;
instead the request is handled with what it carries, and the name people know them by is asked
afterwards and written for many people in one transaction. It is asked once newcomers stop
arriving for a moment (at most a few seconds later): in a burst of first requests, answering
people comes before learning their names.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from adapters.slack.translate import PLATFORM
from adapters.slack.workspace import Workspace
from bot.kernel.core import Core
from storage.db import transaction
from storage.repo import people

log = logging.getLogger(__name__)

QUIET = 0.25  # seconds without a newcomer before their names are asked
PATIENCE = 5.0  # seconds the first name waits at most, however busy
AT_ONCE = 10  # users.info calls in flight at a time


class Names:
    def __init__(self, core: Core, workspace: Workspace) -> None:
        self.core = core
        self.workspace = workspace
        self._waiting: dict[str, str] = {}  # user id -> the name their request was handled with
        self._task: asyncio.Task[None] | None = None
        self._newest = 0.0  # when the latest name was asked for (the loop's clock)
        self._hurry = asyncio.Event()  # ask now: the names are awaited (tests, stop)
        self._gate = asyncio.Semaphore(AT_ONCE)

    def known(self, user_id: str) -> str | None:
        """The person's name when Slack has told it already (no call)."""
        return self.workspace.known_name(user_id)

    def complete_later(self, user_id: str, provisional: str) -> None:
        """After their request is stored: ask Slack for the name, then write it."""
        if not user_id or self.known(user_id) is not None:
            return
        self._waiting.setdefault(user_id, provisional)
        self._newest = asyncio.get_running_loop().time()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._complete())

    async def settled(self) -> None:
        """Until every name asked for is written (tests, stop)."""
        self._hurry.set()
        try:
            while self._task is not None and not self._task.done():
                await asyncio.shield(self._task)
        finally:
            self._hurry.clear()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _quiet(self) -> None:
        """Until no newcomer has come for ``QUIET`` seconds, or ``PATIENCE`` has run out."""
        loop = asyncio.get_running_loop()
        until = loop.time() + PATIENCE
        while not self._hurry.is_set():
            wait = min(self._newest + QUIET, until) - loop.time()
            if wait <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._hurry.wait(), wait)

    async def _name(self, user_id: str) -> str | None:
        async with self._gate:
            return await self.workspace.name(user_id)

    async def _complete(self) -> None:
        while self._waiting:
            await self._quiet()
            batch, self._waiting = self._waiting, {}
            users = list(batch)
            found = await asyncio.gather(*(self._name(u) for u in users))
            names = [(u, batch[u], name) for u, name in zip(users, found, strict=True) if name]
            if not names:
                continue
            try:
                async with transaction(self.core.engine) as session:
                    people.complete_names(session, platform=PLATFORM, names=names)
            except Exception as exc:  # a name is a nicety; their next request carries it
                log.warning("slack: %d names could not be written: %r", len(names), exc)
