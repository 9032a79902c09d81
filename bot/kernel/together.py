"""Events that arrive together are handled in one transaction (``ncbot run``).

While one transaction is under way, the events that come in wait for it and are then handled
in the next, each in a savepoint of its own: a refusal or a failure undoes that event alone, as
when each had its own transaction, and its answer is written in its place. The ledger entries,
the claims of what was written and the commit are shared, which costs less than one transaction
an event when twenty commands arrive at once (Slack's slash commands, a busy group).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from bot.kernel import texts as T
from bot.kernel.context import Ctx, Work, chat_address, run_after_commit
from bot.kernel.database_health import DatabaseHealth
from bot.kernel.dispatch import dispatch
from bot.kernel.errors import Refusal, UsageError
from bot.kernel.events import (
    ButtonPressed,
    ChatKind,
    FormSubmitted,
    HandleResult,
    Inbound,
    PollCounted,
    PollVoted,
)
from bot.kernel.host import Host
from bot.kernel.known import Known
from bot.kernel.rich import Rich, render
from bot.kernel.routing import Routes
from storage.db import transaction, unavailable
from storage.models import Chat, Identity, OutboundMessage, Person, Project
from storage.repo import people, projects
from storage.repo.activity import record_new_events

log = logging.getLogger(__name__)

# Events handled in one transaction at most: a long transaction holds SQLite's write lock from
# other processes, and the first event's answer waits for the last event's work.
LIMIT = 50


class EventCore(Host, Protocol):
    """What handling events needs of the core (``bot.kernel.core.Core``)."""

    @property
    def routes(self) -> Routes: ...

    @property
    def database(self) -> DatabaseHealth: ...

    @property
    def inbound_wait(self) -> float: ...

    def usage(self, event: Inbound, exc: UsageError) -> Rich: ...

    async def handle_alone(self, event: Inbound) -> HandleResult: ...


def context_of(core: EventCore, session: Session, event: Inbound, now: datetime,
               result: HandleResult, known: Known | None = None) -> Ctx:
    """The unit of work of one event: who, where, which project, their roles (with ``known``,
    what a batch read for all its events)."""
    if isinstance(event, PollCounted):
        # Counts reported by the platform itself: nobody acted, so no person or chat is recorded.
        sender = Identity(person_id=0, platform=event.sender.platform,
                          user_id=event.sender.user_id)
        place = Chat(platform=event.chat.platform, platform_chat_id=event.chat.chat_id,
                     kind=event.chat.kind.value)
        return Ctx(core=core, session=session, now=now, event=event, identity=sender,
                   person=Person(id=0, name=None, created_at=now), chat=place, result=result)
    who = event.sender
    identities = None if known is None else known.identities.get(who.platform)
    if known is not None:
        known.ours = True
    identity, person = people.ensure_identity(
        session, platform=who.platform, user_id=who.user_id, display_name=who.display_name,
        username=who.username, now=now, provisional=who.name_is_provisional, known=identities,
        seen=None if known is None else known.seen)
    if event.chat.kind == ChatKind.PRIVATE and not isinstance(event, PollVoted):
        # They wrote to us in private: that chat reaches them. (A vote on a native poll says
        # nothing about whether they still accept messages from the bot.)
        identity.private_chat_id = event.chat.chat_id
        identity.unreachable_at = None
    chat = projects.ensure_chat(session, platform=event.chat.platform,
                                platform_chat_id=event.chat.chat_id,
                                kind=event.chat.kind.value, title=event.chat.title,
                                known=None if known is None else known.chats.get(event.chat.platform))
    project = None if chat.project_id is None else session.get(Project, chat.project_id)
    assert person.id is not None
    if known is None:
        roles = people.roles_of(session, person_id=person.id)
    else:
        known.ours = False
        held = known.roles.get(person.id)
        roles = people.roles_of(session, person_id=person.id) if held is None else set(held)
    return Ctx(core=core, session=session, now=now, event=event, identity=identity,
               person=person, chat=chat, project=project, roles=roles, result=result)


def write_refusal(core: EventCore, session: Session, event: Inbound, message: Rich,
                  result: HandleResult, now: datetime) -> list[OutboundMessage]:
    """Why nothing happened, for the person who asked (in a group, for their eyes only where the
    platform can); a press or a form carries it in ``result`` instead. Returns the rows written."""
    if isinstance(event, ButtonPressed):
        result.notice = message.text
        return []
    if isinstance(event, FormSubmitted):
        result.field_errors = result.field_errors or {"_": message.text}
        return []
    chat = projects.ensure_chat(session, platform=event.chat.platform,
                                platform_chat_id=event.chat.chat_id,
                                kind=event.chat.kind.value, title=event.chat.title)
    w = Work(core, session, now)
    w.send(chat_address(chat), message, ephemeral_to=None
           if event.chat.kind == ChatKind.PRIVATE else event.sender.user_id)
    return w.written


@dataclass
class Outcome:
    """What became of an event's handler: a refusal to answer, or none."""

    refusal: Rich | None = None


@contextmanager
def refusals(event: Inbound) -> Iterator[Outcome]:
    """The error boundary around a handler: a ``Refusal`` or a bug becomes a refusal (the bug
    logged with its traceback); a database fault propagates."""
    outcome = Outcome()
    try:
        yield outcome
    except Refusal as exc:
        outcome.refusal = outcome.refusal or exc.message
    except Exception as exc:
        if unavailable(exc):
            raise
        log.exception("handling %s failed", type(event).__name__)
        outcome.refusal = render(T.INTERNAL_ERROR)


async def run_handler(core: EventCore, ctx: Ctx, outcome: Outcome) -> None:
    """The event's handler; a usage error is answered with the command's usage."""
    try:
        await dispatch(ctx, core.routes)
    except UsageError as exc:
        outcome.refusal = core.usage(ctx.event, exc)
        raise


@dataclass
class _Waiting:
    event: Inbound
    future: asyncio.Future[HandleResult]
    result: HandleResult = field(default_factory=HandleResult)


class Together:
    """Gathers the events that arrive while a transaction runs, for the next one."""

    def __init__(self, core: EventCore) -> None:
        self._core = core
        self._waiting: list[_Waiting] = []
        self._running: asyncio.Task[None] | None = None

    async def handle(self, event: Inbound) -> HandleResult:
        loop = asyncio.get_running_loop()
        waiting = _Waiting(event, loop.create_future())
        self._waiting.append(waiting)
        if self._running is None:
            self._running = loop.create_task(self._run())
        return await waiting.future

    async def _run(self) -> None:
        batch: list[_Waiting] = []
        try:
            while self._waiting:
                await asyncio.sleep(0)  # what arrives in this turn of the loop comes along
                batch = [w for w in self._waiting[:LIMIT] if not w.future.done()]
                del self._waiting[:LIMIT]
                if len(batch) == 1:
                    await self._alone(batch[0])
                elif batch:
                    await self._together(batch)
        except BaseException as exc:
            # A bug here or a stop: nobody may wait for ever on an event that is not handled.
            for waiting in batch + self._waiting:
                if not waiting.future.done():
                    if isinstance(exc, Exception):
                        waiting.future.set_exception(exc)
                    else:
                        waiting.future.cancel()
            self._waiting.clear()
            if not isinstance(exc, Exception):
                raise  # cancelled: the task ends so
            # Otherwise each caller has the exception; the next event starts a new task.
        finally:
            self._running = None

    async def _alone(self, waiting: _Waiting) -> None:
        try:
            result = await self._core.handle_alone(waiting.event)
        except Exception as exc:
            if not waiting.future.done():
                waiting.future.set_exception(exc)
        else:
            if not waiting.future.done():
                waiting.future.set_result(result)

    async def _together(self, batch: list[_Waiting]) -> None:
        core = self._core
        try:
            due = await self._apply(batch, core.clock.now())
        except Exception as exc:
            if not unavailable(exc):
                log.exception("handling %d events together failed; each is handled alone",
                              len(batch))
            # Nothing of the batch was stored: each event on its own, with its own waits for a
            # lock and its own answer to the platform.
            for waiting in batch:
                await self._alone(waiting)
            return
        core.database.worked()
        core.announce_due(due)
        for waiting in batch:
            if not waiting.future.done():
                waiting.future.set_result(waiting.result)

    async def _apply(self, batch: list[_Waiting], now: datetime) -> list[datetime]:
        """Every event of ``batch`` in one transaction, each in a savepoint; returns the new due
        times. A database fault propagates (nothing is stored); everything else is a refusal."""
        core = self._core
        due: list[datetime] = []
        later: list[Callable[[], Awaitable[None]]] = []
        async with transaction(core.engine, wait=core.inbound_wait) as session:
            fresh = record_new_events(session, now=now, events={
                (w.event.chat.platform, w.event.event_id) for w in batch if w.event.event_id})
            known = Known(session, [w.event for w in batch], now)
            try:
                written = await self._each(session, batch, fresh, known, now, due, later)
            finally:
                known.close()
            known.write_seen()
            taken = core.outbox.take_written(session, written)
        core.outbox.committed(taken)
        await run_after_commit(later)
        return due

    async def _each(self, session: Session, batch: list[_Waiting], fresh: set[tuple[str, str]],
                    known: Known, now: datetime, due: list[datetime],
                    later: list[Callable[[], Awaitable[None]]]) -> list[OutboundMessage]:
        """Each event in a savepoint; returns the rows written (answers to refusals too)."""
        core = self._core
        written: list[OutboundMessage] = []
        for waiting in batch:
            event, result = waiting.event, waiting.result
            if event.event_id:
                key = (event.chat.platform, event.event_id)
                if key not in fresh:
                    result.duplicate = True
                    continue
                fresh.discard(key)  # the same event twice in one batch: once
            known.begin_event()
            with refusals(event) as outcome:
                with session.begin_nested():
                    ctx = context_of(core, session, event, now, result, known)
                    # Its messages are written after the savepoint: an event that only
                    # answers (most do) then opens none.
                    ctx.held = []
                    await run_handler(core, ctx, outcome)
            if outcome.refusal is None:
                due += ctx.due_at
                later += ctx.after_commit
                written += ctx.write_held()
            # The next event reads what this one changed as if in a transaction of its own.
            known.settle(undone=outcome.refusal is not None, kept=written)
            if outcome.refusal is not None:
                written += write_refusal(core, session, event, outcome.refusal, result, now)
        return written
