"""What the events handled together read once: their senders, their chats, the senders' roles.

Read in a few statements for the whole batch instead of three or four for every event (senders
seen for the first time are made here too, three statements for all of them: one whose event is
then refused stays known, as after any other event of theirs), and kept only while it cannot be
wrong. The statements of the batch are watched: a row of these tables
deleted, an identity or a chat added other than by the batch's own look-ups, or a change to
anyone's roles drops what is known (the events after it read for themselves, as alone); a plain
UPDATE or DELETE (not an ORM flush, which keeps the rows held in step) has the rows held read
again before the next event uses them; a write of any other shape (``WITH ... UPDATE``,
``TRUNCATE``) does both.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlmodel import Session

from bot.kernel.events import Inbound, PollCounted, Sender
from storage.models import Chat, Identity, OutboundMessage
from storage.repo import activity, people, projects
from storage.repo.activity import Newcomer

HELD = frozenset({"identity", "person", "chat", "project"})
# Statements that change no row; every other one is read as a write.
READS = frozenset({"SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "PRAGMA", "SET"})


class Known:
    def __init__(self, session: Session, events: list[Inbound], now: datetime) -> None:
        self._session = session
        self.identities: dict[str, dict[str, Identity | None]] = {}
        self.chats: dict[str, dict[str, Chat | None]] = {}
        self.roles: dict[int, set[str]] = {}
        self._held: list[Any] = []  # the session's identity map holds unchanged rows weakly
        self.ours = False  # inside the batch's own look-ups, which keep the dictionaries
        self.changed = False
        self._flushing = False
        self._before: set[Any] = set()
        # When each sender was seen, written for all of them after the batch (one statement, not
        # a flush of every identity in every savepoint).
        self.seen: dict[int, datetime] = {}
        self._seen_before: dict[int, datetime] = {}
        users: dict[str, dict[str, Sender]] = {}  # the first event of each sender
        chats: dict[str, set[str]] = {}
        for e in events:
            if not isinstance(e, PollCounted):
                users.setdefault(e.sender.platform, {}).setdefault(e.sender.user_id, e.sender)
                chats.setdefault(e.chat.platform, set()).add(e.chat.chat_id)
        newcomers: set[int] = set()
        for platform, senders in users.items():
            found, held = people.identities_of_users(session, platform=platform, user_ids=senders)
            # Newcomers in three statements for all of them, not three each.
            made = people.add_identities(session, platform=platform, newcomers=[
                Newcomer(u, senders[u].display_name, senders[u].username, now)
                for u, identity in found.items() if identity is None])
            for user_id, identity in list(found.items()):
                if identity is None:
                    if user_id in made:
                        found[user_id], person = made[user_id]
                        held.append(person)
                        newcomers.add(person.id or 0)
                    else:
                        del found[user_id]  # made by another process meanwhile: read when used
            self.identities[platform] = found
            self._held += held
        for platform, chat_ids in chats.items():
            places, projects_held = projects.chats_with_projects(session, platform=platform,
                                                                 chat_ids=chat_ids)
            self.chats[platform] = places
            self._held += projects_held
        person_ids = {i.person_id for found in self.identities.values()
                      for i in found.values() if i is not None}
        self.roles = people.roles_of_people(session, person_ids=person_ids - newcomers)
        self.roles.update((p, set()) for p in newcomers)
        self._connection = session.connection()
        event.listen(self._connection, "before_cursor_execute", self._saw)
        event.listen(session, "before_flush", self._flush_begins)
        event.listen(session, "after_flush_postexec", self._flush_ends)

    def close(self) -> None:
        event.remove(self._connection, "before_cursor_execute", self._saw)
        event.remove(self._session, "before_flush", self._flush_begins)
        event.remove(self._session, "after_flush_postexec", self._flush_ends)

    def forget(self) -> None:
        """Every event after this one reads for itself."""
        self.identities, self.chats, self.roles, self._held = {}, {}, {}, []

    def begin_event(self) -> None:
        self._before = set(self._session.identity_map.keys())
        self._seen_before = dict(self.seen)

    def write_seen(self) -> None:
        """After the batch's events (and ``close``): when each sender was seen."""
        activity.mark_seen(self._session, seen=self.seen)

    def settle(self, *, undone: bool, kept: list[OutboundMessage]) -> None:
        """After an event: what it changed with plain statements is read again when next used.
        An event undone (its savepoint rolled back) may have taken back rows known here, and
        the rows it added are gone from the database: they leave the session (a row added next
        may take the same id)."""
        if undone:
            self.forget()
            self.seen = self._seen_before  # an event undone was not seen, as when alone
        if undone or self.changed:
            sending = {id(row) for row in kept}
            for row in list(self._session.identity_map.values()):
                key = inspect(row).identity_key
                if (undone and key not in self._before) or (
                        isinstance(row, OutboundMessage) and id(row) not in sending):
                    self._session.expunge(row)
                elif not isinstance(row, OutboundMessage):
                    self._session.expire(row)
        self.changed = self.ours = self._flushing = False

    def _flush_begins(self, *_args: Any) -> None:
        self._flushing = True

    def _flush_ends(self, *_args: Any) -> None:
        self._flushing = False

    def _saw(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        words = statement.split(None, 3)
        verb = words[0].upper() if words else ""
        if verb in READS:
            return
        if verb not in ("INSERT", "UPDATE", "DELETE") or len(words) < 3:
            # A write whose table this does not read (WITH ... UPDATE, TRUNCATE): the worst.
            self.forget()
            self.changed = True
            return
        table = (words[1] if verb == "UPDATE" else words[2]).strip('"').lower()
        if table == "rolegrant":
            self.roles = {}
        if (verb == "DELETE" and table in HELD) or (
                verb == "INSERT" and table in ("identity", "chat") and not self.ours):
            self.forget()
        if verb != "INSERT" and not self._flushing:
            self.changed = True
