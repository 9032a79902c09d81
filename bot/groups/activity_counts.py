"""Ordinary group messages, counted in memory and written in one transaction per batch.

A busy group sends many messages that change nothing but the activity counts. Each is noted
here (who, where, when: never the text) and written together with the others: the ledger rows,
new identities and chats, the per-day counts and participant marks, in a handful of statements.
With ``window`` 0 every message is written before ``handle`` returns; with a window, counts
reach the database within ``window`` seconds or ``max_pending`` messages, so a crash loses at
most that much activity (never anything else: commands are not batched).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from bot.groups import activity
from bot.kernel.context import Work
from bot.kernel.events import (
    ButtonPressed,
    ChatKind,
    HandleResult,
    Inbound,
    MessagePosted,
    PollVoted,
)
from bot.kernel.host import Host
from storage.db import transaction
from storage.repo import activity as counts
from storage.repo import people, projects

log = logging.getLogger(__name__)

MAX_PENDING = 500  # messages in one batch
KEEP_ON_FAILURE = 50_000  # noted messages kept for a retry while the database is failing


@dataclass(frozen=True, slots=True)
class Noted:
    platform: str
    chat_id: str
    title: str | None
    user_id: str
    display_name: str
    username: str | None
    event_id: str | None
    at: datetime
    provisional: bool = False  # the name is a handle or an id standing in (Sender)


class ActivityCounter:
    """Notes group messages and writes them in batches; ``flush`` writes what is pending."""

    def __init__(self, core: Host, *, window: float = 0.0, max_pending: int = MAX_PENDING) -> None:
        self.core = core
        self.window = window
        self.max_pending = max_pending
        self._pending: list[Noted] = []
        self._pending_ids: set[tuple[str, str]] = set()
        self._senders: set[tuple[str, str]] = set()  # (platform, user id) of what is pending
        self._lock = asyncio.Lock()
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[set[tuple[str, str]]] | None = None

    @staticmethod
    def counts(event: Inbound) -> bool:
        """Whether ``event`` is only activity: an ordinary message in a group."""
        return isinstance(event, MessagePosted) and event.chat.kind == ChatKind.GROUP

    @property
    def pending(self) -> int:
        return len(self._pending)

    def behind(self, event: Inbound) -> bool:
        """A press or a vote waits only for its own person's messages (a press may erase its
        presser: /forgetme); anything else (a chat migrated or left) for all of them."""
        if isinstance(event, ButtonPressed | PollVoted):
            return (event.sender.platform, event.sender.user_id) in self._senders
        return bool(self._pending)

    async def note(self, event: Inbound) -> HandleResult:
        result = HandleResult()
        key = (event.chat.platform, event.event_id) if event.event_id else None
        if key is not None and key in self._pending_ids:
            result.duplicate = True
            return result
        self._pending.append(Noted(
            event.chat.platform, event.chat.chat_id, event.chat.title, event.sender.user_id,
            event.sender.display_name, event.sender.username, event.event_id,
            self.core.clock.now(), event.sender.name_is_provisional,
        ))
        if key is not None:
            self._pending_ids.add(key)
        self._senders.add((event.sender.platform, event.sender.user_id))
        if self.window <= 0 or len(self._pending) >= self.max_pending:
            duplicates = await self.flush()
            result.duplicate = key in duplicates
        elif self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self.window, self._flush_later)
        return result

    def _flush_later(self) -> None:
        self._timer = None
        self._task = asyncio.get_running_loop().create_task(self.flush())

    async def flush(self) -> set[tuple[str, str]]:
        """Write every pending message; returns the (platform, event id) pairs seen before."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return set()
        async with self._lock:
            batch, self._pending = self._pending, []
            self._pending_ids, self._senders = set(), set()
            if not batch:
                return set()
            try:
                duplicates, sent, due = await self._write(batch)
            except Exception:
                log.exception("writing %d messages of activity failed; kept for a retry", len(batch))
                self._keep(batch)
                return set()
        self.core.announce_due(due)
        if sent:
            # Not awaited under ``ncbot run``: an update is confirmed once its activity is
            # stored, not once the proposals it caused have gone out at the platform's pace.
            await self.core.deliver(look=True)
        return duplicates

    def _keep(self, batch: list[Noted]) -> None:
        kept = (batch + self._pending)[-KEEP_ON_FAILURE:]
        if len(kept) < len(batch) + len(self._pending):
            log.error("activity of %d messages dropped: the database keeps failing",
                      len(batch) + len(self._pending) - len(kept))
        self._pending = kept
        self._pending_ids = {(n.platform, n.event_id) for n in kept if n.event_id}
        self._senders = {(n.platform, n.user_id) for n in kept}

    async def _write(self, batch: list[Noted]) -> tuple[set[tuple[str, str]], bool, list[datetime]]:
        core = self.core
        now = core.clock.now()
        async with transaction(core.engine) as session:
            ids = {(n.platform, n.event_id) for n in batch if n.event_id}
            new = counts.record_new_events(session, events=ids, now=now) if ids else set()
            duplicates = ids - new
            fresh = [n for n in batch if not n.event_id or (n.platform, n.event_id) in new]
            w = Work(core, session, now)
            messages: Counter[tuple[int, object]] = Counter()
            marks: set[tuple[int, object, int]] = set()
            seen: dict[int, datetime] = {}
            for platform in {n.platform for n in fresh}:
                mine = [n for n in fresh if n.platform == platform]
                people_of = self._identities(w, platform, mine, seen)
                chats = self._chats(w, platform, mine)
                for n in mine:
                    project_id = chats[n.chat_id]
                    if project_id is not None:
                        day = n.at.astimezone(w.tz).date()
                        messages[(project_id, day)] += 1
                        marks.add((project_id, day, people_of[n.user_id]))
            counts.mark_seen(session, seen=seen)
            counts.add_counts(session, messages=messages, participants=marks)  # type: ignore[arg-type]
            activated = False
            for project in counts.inactive_projects(
                    session, project_ids={p for p, _ in messages}):
                await activity.check_active(w, project)
                activated = activated or project.became_active_at is not None
        return duplicates, activated, w.due_at

    @staticmethod
    def _identities(w: Work, platform: str, batch: list[Noted],
                    seen: dict[int, datetime]) -> dict[str, int]:
        """Person ids of the senders (creating newcomers); last seen and names brought up to date."""
        latest = {n.user_id: n for n in batch}
        known = counts.identities_by_user(w.session, platform=platform, user_ids=list(latest))
        person_of: dict[str, int] = {}
        changed: list[Noted] = []
        for user_id, n in latest.items():
            known_one = known.get(user_id)
            if known_one is None:
                continue
            if _renamed(known_one.display_name, known_one.username, n):
                changed.append(n)
            else:
                seen[known_one.id] = n.at
                person_of[user_id] = known_one.person_id
        newcomers = [counts.Newcomer(n.user_id, n.display_name, n.username, n.at)
                     for user_id, n in latest.items() if user_id not in known]
        # Newcomers all at once; one another process created meanwhile, one by one below.
        added = counts.add_newcomers(w.session, platform=platform, newcomers=newcomers)
        person_of.update((user_id, ids.person_id) for user_id, ids in added.items())
        changed += [latest[n.user_id] for n in newcomers if n.user_id not in added]
        for n in changed:
            identity, _person = people.ensure_identity(
                w.session, platform=platform, user_id=n.user_id,
                display_name=n.display_name, username=n.username, now=n.at,
                provisional=n.provisional)
            person_of[n.user_id] = identity.person_id
        return person_of

    @staticmethod
    def _chats(w: Work, platform: str, batch: list[Noted]) -> dict[str, int | None]:
        """The project of each chat (None for a group that is not a project); chats kept current."""
        latest = {n.chat_id: n for n in batch}
        known = counts.chats_by_platform_id(w.session, platform=platform, chat_ids=list(latest))
        project_of: dict[str, int | None] = {}
        for chat_id, n in latest.items():
            chat = known.get(chat_id)
            if chat is None or (n.title and chat.title != n.title):
                chat = projects.ensure_chat(w.session, platform=platform, platform_chat_id=chat_id,
                                            kind=ChatKind.GROUP.value, title=n.title)
            project_of[chat_id] = chat.project_id
        return project_of


def _renamed(display_name: str, username: str | None, n: Noted) -> bool:
    """Whether ``n`` brings a name the identity does not hold (a provisional one never does)."""
    if n.provisional:
        return n.username is not None and n.username != username
    return (display_name, username) != (n.display_name, n.username)
