"""Slack requests journalled before they are acknowledged, handled after, replayed when left.

Slack never sends again a slash command, a button press or a form it has an acknowledgement
for, so a kill between the ack and the commit would lose it. A bolt middleware (it runs after
the signature check, before any listener acks) stores the raw request first; the listener
deletes the entry once the work is stored. Entries a kill or a database fault left behind are
handled at the next start, or a few seconds after the fault.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from slack_bolt.response import BoltResponse

from adapters.slack.modals import field_errors
from adapters.slack.translate import PLATFORM
from adapters.slack.workspace import Workspace
from bot.kernel import texts as T
from bot.kernel.core import Core
from bot.kernel.errors import DatabaseUnavailable
from bot.kernel.inbound_journal import JournalEntry
from storage.db import unavailable

log = logging.getLogger(__name__)

REPLAY_PAUSE = 5.0  # seconds before requests the database refused are tried again
KINDS = {"command": "command", "block_actions": "action", "view_submission": "view",
         "event_callback": "event"}
Replay = Callable[[str, dict[str, Any], dict[str, Any]], Awaitable[None]]


class SlackJournal:
    """The middleware, the wrapper around a listener's work, and the replay of what was left."""

    def __init__(self, core: Core, workspace: Workspace, replay: Replay) -> None:
        self.core = core
        self.workspace = workspace
        self.replay = replay
        self._in_hand: set[int] = set()  # entries this process is handling now
        self._task: asyncio.Task[None] | None = None
        self._again = False  # a replayed entry met a database fault: another round later

    async def first(self, body: dict[str, Any], context: Any, resp: BoltResponse,
                    next: Callable[[], Awaitable[None]]) -> BoltResponse:
        """Bolt middleware: store the request before anything acknowledges it."""
        kind = KINDS.get("command" if "command" in body else str(body.get("type")))
        if kind is not None and (body.get("event") or {}).get("type") != "app_home_opened":
            try:
                entry = await self.core.journal.keep(platform=PLATFORM, kind=kind, body=body)
            except DatabaseUnavailable:
                return await self._not_recorded(kind, body)
            context["journal_id"] = entry
            self._in_hand.add(entry)
        await next()
        return resp

    async def _not_recorded(self, kind: str, body: dict[str, Any]) -> BoltResponse:
        """Nothing could be stored: Slack retries an event after a 5xx; a person is told."""
        if kind == "event":
            return BoltResponse(status=503, body="database unavailable")
        if kind == "command":
            return BoltResponse(status=200, body={"response_type": "ephemeral",
                                                  "text": T.NOT_RECORDED})
        if kind == "view":
            errors = field_errors(body.get("view") or {}, {"_": T.NOT_RECORDED})
            return BoltResponse(status=200, body={"response_action": "errors", "errors": errors})
        await self.workspace.respond(body.get("response_url"), T.NOT_RECORDED)
        return BoltResponse(status=200, body="")

    @asynccontextmanager
    async def handling(self, context: Any) -> AsyncIterator[None]:
        """Around a listener's work: the entry goes once the work is stored; a database fault
        leaves it for a later round."""
        entry = context.get("journal_id") if context is not None else None
        try:
            yield
        except Exception as exc:
            if not isinstance(exc, DatabaseUnavailable) and not unavailable(exc):
                raise
            self._again = True
            self.replay_soon(REPLAY_PAUSE)
            return
        finally:
            if entry is not None:
                self._in_hand.discard(entry)
        if entry is not None:
            self.core.journal.handled(entry)

    def replay_soon(self, after: float) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._replay(after))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.core.journal.written()  # the entries of what was handled go now

    async def _replay_in_order(self, entries: list[JournalEntry]) -> None:
        for entry in entries:
            log.info("slack: handling a journalled %s (try %d)", entry.kind, entry.tries + 1)
            try:
                await self.replay(entry.kind, entry.body, {"journal_id": entry.id})
            except Exception:
                log.exception("slack: a journalled %s failed", entry.kind)

    async def _replay(self, after: float) -> None:
        """Handle what is left in the journal, oldest first, until a round finds it empty."""
        await asyncio.sleep(after)
        while True:
            self._again = False
            try:
                entries = await self.core.journal.waiting(platform=PLATFORM)
            except DatabaseUnavailable:
                entries, self._again = [], True
            fresh = [e for e in entries if e.id not in self._in_hand]
            # Each person's requests in order; different people's side by side, as live.
            by_person: dict[str, list[JournalEntry]] = {}
            for entry in fresh:
                self._in_hand.add(entry.id)
                by_person.setdefault(_sender(entry.body), []).append(entry)
            await asyncio.gather(*(self._replay_in_order(e) for e in by_person.values()))
            if self._again:
                await asyncio.sleep(REPLAY_PAUSE)
            elif not fresh:
                return


def _sender(body: dict[str, Any]) -> str:
    """Who sent a request, in each of Slack's shapes (a command, an interaction, an event)."""
    user = body.get("user_id") or body.get("user") or (body.get("event") or {}).get("user")
    if isinstance(user, dict):
        user = user.get("id")
    return str(user or "")
