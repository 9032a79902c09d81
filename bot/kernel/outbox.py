"""Delivery of the outbox: messages written with the state change are sent after commit.

Rows are claimed with a lease so that two senders (or a sender and a restarted process) never
send one twice; a failure is retried with backoff, or parked with its reason when retrying
cannot help. A send that timed out may have arrived: it is sent once more, never a third time.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, update
from sqlmodel import col

from bot.kernel.events import Address, Outbound
from bot.kernel.ports import (
    ChatGone,
    Clock,
    MayHaveArrived,
    Rejected,
    RetryLater,
    Unreachable,
    Unsupported,
)
from bot.kernel.sent_marks import SentMarks
from storage.db import transaction
from storage.models import Chat, Identity, OutboundMessage
from storage.repo import work

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from bot.kernel.ports import PlatformAdapter

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 12
# Sends of one message that may be retried after timing out: each that timed out may have
# arrived, so with 1 a person gets at most two copies (docs/security.md).
MAX_TIMEOUTS = 1
BATCH = 500  # rows claimed at a time
CONCURRENCY = 32  # chats sent to at once; each chat's own messages stay in order


class Outbox:
    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        adapters: Mapping[str, PlatformAdapter],
        *,
        lease: timedelta = LEASE,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._adapters = adapters
        self._lease = lease
        self._looking = asyncio.Lock()
        self._in_flight = 0  # sends of taken rows under way
        # Per address, the ids of rows this process is sending now (kept in order by looks).
        self._sending: dict[tuple[str, str | None, str | None], set[int]] = {}
        self._quiet = asyncio.Event()  # set while none is
        self._quiet.set()
        self._taken: list[OutboundMessage] = []  # claimed in the writing transaction, to send
        # When a look for pending rows is next needed (None: nothing this process knows of waits);
        # a new process looks at once, for what an earlier one left.
        self._look_from: datetime | None = clock.now()
        # Called with the time a message put back for a retry falls due (the scheduler's wake-up).
        self.on_retry: list[Callable[[datetime], None]] = []
        self.on_sent: list[Callable[[OutboundMessage], None]] = []
        self._marks = SentMarks(engine)

    def whispers(self, platform: str) -> bool:
        """Whether ``platform`` can show a message in a group to one person alone (its adapter's
        ``whispers``: Slack's ephemeral messages)."""
        return bool(getattr(self._adapters.get(platform), "whispers", False))

    async def flush(self, *, look: bool = True) -> int:
        """Send what this process took at commit, then look for everything else due now
        (``look=False``: only when something may be waiting); returns how many were delivered.

        Taken rows are sent at once, beside any look in progress: nothing else can be ahead of
        them in their chat (``take_written``). One look at a time; it claims a row only when
        every earlier message to its chat has gone, so each chat reads in order.
        """
        taken, self._taken = self._taken, []
        delivered = 0
        if taken:
            self._in_flight += 1
            self._quiet.clear()
            try:
                delivered = await self._send(taken)
            finally:
                self._in_flight -= 1
                if self._in_flight == 0:
                    self._quiet.set()
        if not look and (self._look_from is None or self._look_from > self._clock.now()):
            return delivered
        # A look finds what this process's own sends leave behind (their chats' next messages,
        # their retries), so it waits for them.
        await self._quiet.wait()
        async with self._looking:
            self._look_from = None  # this look finds what waits; retries set it again
            try:
                while True:
                    batch = await self._claim_batch()
                    if not batch:
                        return delivered
                    sent = await self._send(batch)
                    delivered += sent
                    if sent == 0:
                        return delivered
                    if len(batch) < BATCH and sent == len(batch):
                        # All that was due went out. Whatever was written meanwhile is sent by
                        # the handler that wrote it (taken, or a look of its own): no more looks.
                        return delivered
            except Exception:
                # The database could not be used (a lock held past the wait): what waits is
                # still there, so the next flush looks again instead of trusting this one.
                self._look_from = self._clock.now()
                raise

    def take_written(self, session: Session, rows: list[OutboundMessage]) -> list[OutboundMessage]:
        """In the transaction that wrote ``rows``: claim them for this process, so that they can
        be sent right after commit without looking for them again. A row whose chat still has
        an earlier message waiting stays pending, behind it."""
        if not rows:
            return []
        behind = work.unsent_before(session, rows=rows)
        mine = [r for r in rows if (r.platform, r.chat_id, r.user_id) not in behind
                and r.platform in self._adapters]
        if len(mine) < len(rows):
            self._look_from = self._clock.now()  # the rest is found by looking
        if mine:
            # Written in this very transaction, so no other sender can have claimed them.
            now = self._clock.now()
            work.claim_outbound_rows(session, row_ids=[r.id for r in mine if r.id is not None],
                                     now=now, lease_until=now + self._lease)
        return mine

    def committed(self, rows: list[OutboundMessage]) -> None:
        """The rows of ``take_written`` are committed: the next flush sends them."""
        self._taken.extend(rows)

    async def _send(self, batch: list[OutboundMessage]) -> int:
        """Send claimed rows, each chat's in order; returns how many were delivered."""
        by_chat: dict[tuple[str, str | None, str | None], list[OutboundMessage]] = defaultdict(list)
        for row in batch:
            by_chat[(row.platform, row.chat_id, row.user_id)].append(row)
        gate = asyncio.Semaphore(CONCURRENCY)

        async def run(rows: list[OutboundMessage]) -> int:
            address = (rows[0].platform, rows[0].chat_id, rows[0].user_id)
            ids = self._sending.setdefault(address, set())
            ids.update(r.id for r in rows if r.id is not None)
            try:
                async with gate:
                    sent = 0
                    for row in rows:
                        if not await self._deliver(row):
                            break  # keep this chat's order: the rest waits for a retry
                        sent += 1
                    if sent < len(rows):
                        await self._release(rows[sent + 1 :])
                    return sent
            finally:
                ids.difference_update(r.id for r in rows)
                if not ids:
                    self._sending.pop(address, None)

        if len(by_chat) == 1:
            # One chat, no tasks needed; still let the loop run others between sends, so that
            # events handled back to back (each one sending) cannot hold it for a long time.
            await asyncio.sleep(0)
            return await run(batch)
        return sum(await asyncio.gather(*(run(rows) for rows in by_chat.values())))

    async def _claim_batch(self) -> list[OutboundMessage]:
        now = self._clock.now()
        async with transaction(self._engine) as s:
            rows = work.pending_outbound(s, now=now, platforms=list(self._adapters), limit=BATCH)
            heads, earliest = work.waiting_heads(s, now=now, platforms=list(self._adapters))
            if earliest is not None:  # a retry not yet due: look again when it is
                self._look_from = earliest if self._look_from is None else min(
                    self._look_from, earliest)
            ready = [
                r
                for r in rows
                if (r.id or 0) < heads.get((r.platform, r.chat_id, r.user_id), 1 << 62)
            ]
            # A chat with a message this process is sending at this moment (taken by a handler
            # while this look runs): its later messages wait, and the sender looks once through.
            before = len(ready)
            ready = [r for r in ready if (r.id or 0) < min(
                self._sending.get((r.platform, r.chat_id, r.user_id), ()), default=1 << 62)]
            if len(ready) < before:
                self._look_from = now
            rows = ready
            taken = work.claim_outbound_rows(
                s, row_ids=[r.id for r in rows if r.id is not None], now=now,
                lease_until=now + self._lease)
            return [r for r in rows if r.id in taken]

    async def _release(self, rows: list[OutboundMessage]) -> None:
        if not rows:
            return
        self._look_from = self._clock.now()
        async with transaction(self._engine) as s:
            for row in rows:
                s.execute(
                    update(OutboundMessage)
                    .where(col(OutboundMessage.id) == row.id)
                    .values(status="pending", lease_until=None)
                )

    async def _deliver(self, row: OutboundMessage) -> bool:
        adapter = self._adapters[row.platform]
        message = Outbound.from_json(
            Address(row.platform, chat_id=row.chat_id, user_id=row.user_id), json.loads(row.payload)
        )
        edit_id: str | None = None
        if message.edit_of:
            async with transaction(self._engine) as s:
                edit_id, status = work.sent_message_id(s, ref=message.edit_of, platform=row.platform)
            if edit_id is None:
                if status in ("pending", "sending"):
                    await self._retry(row, "the message to edit is not sent yet", 1.0)
                else:
                    await self._finish(row, parked=f"the message to edit was not delivered ({status})")
                return False
        try:
            with self._marks.sending():
                delivered = await adapter.send(message, edit_message_id=edit_id)
        except RetryLater as exc:
            await self._retry(row, str(exc), exc.after)
            return False
        except MayHaveArrived as exc:
            # No answer in time, so the platform may have it: one more copy is the most a person
            # may get. A second timeout parks the message instead of sending a third.
            if row.timeouts >= MAX_TIMEOUTS:
                await self._finish(row, parked=f"timed out {row.timeouts + 1} times, so it may have "
                             f"arrived; not sent again: {exc}")
                return True
            log.warning("sending message %s timed out (it may have arrived); sent once more: %s",
                        row.id, exc)
            await self._retry(row, f"timed out: {exc}", _backoff(row),
                        timed_out=True)
            return False
        except Unreachable as exc:
            await self._finish(row, parked=f"unreachable: {exc}")
            await self._mark_unreachable(row)
            return True  # the next message to this chat cannot fare better; let it park too
        except ChatGone as exc:
            await self._finish(row, parked=f"chat gone: {exc}")
            await self._mark_chat_gone(row)
            return True
        except (Rejected, Unsupported) as exc:
            await self._finish(row, parked=f"rejected: {exc}")
            return True
        except Exception as exc:  # a passing fault (network); retried with backoff
            log.warning("sending message %s failed: %r", row.id, exc)
            if row.attempts + 1 >= MAX_ATTEMPTS:
                await self._finish(row, parked=f"gave up after {MAX_ATTEMPTS} attempts: {exc!r}")
                return True
            await self._retry(row, repr(exc), _backoff(row))
            return False
        assert row.id is not None
        await self._marks.mark(row_id=row.id, attempts=row.attempts + 1, now=self._clock.now(),
                               message_id=delivered.message_id,
                               poll_id=delivered.platform_poll_id)
        row.platform_message_id = delivered.message_id
        row.platform_poll_id = delivered.platform_poll_id
        for callback in self.on_sent:
            callback(row)
        return True

    async def _retry(self, row: OutboundMessage, reason: str, after: float, *,
               timed_out: bool = False) -> None:
        now = self._clock.now()
        due = now + timedelta(seconds=after)
        self._look_from = due if self._look_from is None else min(self._look_from, due)
        async with transaction(self._engine) as s:
            s.execute(
                update(OutboundMessage)
                .where(col(OutboundMessage.id) == row.id)
                .values(
                    status="pending",
                    lease_until=None,
                    attempts=row.attempts + 1,
                    timeouts=row.timeouts + int(timed_out),
                    last_error=reason[:500],
                    next_attempt_at=due,
                )
            )
        for callback in self.on_retry:  # the row is written: its wake-up finds it
            callback(due)

    async def _finish(self, row: OutboundMessage, *, parked: str) -> None:
        log.warning("message %s parked: %s", row.id, parked)
        async with transaction(self._engine) as s:
            s.execute(
                update(OutboundMessage)
                .where(col(OutboundMessage.id) == row.id)
                .values(
                    status="parked", lease_until=None, attempts=row.attempts + 1, last_error=parked[:500]
                )
            )

    async def _mark_unreachable(self, row: OutboundMessage) -> None:
        now = self._clock.now()
        async with transaction(self._engine) as s:
            match = [col(Identity.user_id) == row.user_id] if row.user_id else []
            if row.chat_id:
                match.append(col(Identity.private_chat_id) == row.chat_id)
            s.execute(
                update(Identity)
                .where(col(Identity.platform) == row.platform, or_(*match))
                .values(unreachable_at=now)
            )

    async def _mark_chat_gone(self, row: OutboundMessage) -> None:
        if not row.chat_id:
            return await self._mark_unreachable(row)
        async with transaction(self._engine) as s:
            s.execute(
                update(Chat)
                .where(col(Chat.platform) == row.platform, col(Chat.platform_chat_id) == row.chat_id)
                .values(gone_at=self._clock.now())
            )
        return None

    async def next_attempt_in(self) -> float | None:
        """Seconds until the earliest pending retry, for the background sender."""
        async with transaction(self._engine) as s:
            rows = work.pending_outbound(
                s, now=self._clock.now() + timedelta(days=3650), platforms=list(self._adapters), limit=1
            )
        if not rows:
            return None
        return max(0.0, (rows[0].next_attempt_at - self._clock.now()).total_seconds())


def _backoff(row: OutboundMessage) -> float:
    """Seconds before the next try of a failed send: doubling, at most five minutes."""
    return min(2.0 ** (row.attempts + 1), 300.0)
