"""What a handler works with: one database session (one transaction) and ways to send."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.kernel.config import Settings
from bot.kernel.events import (
    Address,
    Attachment,
    Button,
    ChatKind,
    HandleResult,
    Inbound,
    NativePoll,
    Outbound,
)
from bot.kernel.host import Host
from bot.kernel.rich import Rich, plain, render
from storage.models import Chat, Identity, OutboundMessage, Person, Project
from storage.repo import people, privacy, projects, work

Buttons = Sequence[Sequence[Button]]
log = logging.getLogger(__name__)


async def run_after_commit(steps: list[Callable[[], Awaitable[None]]]) -> None:
    """What a unit of work left for after its commit; a failure is logged, the rest still run."""
    for step in steps:
        try:
            await step()
        except Exception:
            log.exception("work after a commit failed")


def _rich(text: Rich | str, values: dict[str, Any]) -> Rich:
    """A catalogue template rendered with its values (markers styled even when there are none)."""
    if isinstance(text, Rich):
        return text
    if values or "{" not in text:
        return render(text, **values)
    return plain(text)


@dataclass
class Work:
    """A unit of work: a session, the time, and an outbox to write messages into."""

    core: Host
    session: Session
    now: datetime
    due_at: list[datetime] = field(default_factory=list)
    # Outbox rows written in this transaction, in order: the core may send them right after commit.
    written: list[OutboundMessage] = field(default_factory=list)
    # Messages sent but kept back for ``write_held`` (events handled together write an event's
    # messages after its savepoint, so that answering alone opens none); None writes at once.
    held: list[tuple[OutboundMessage, set[int]]] | None = None
    # Work that must not share this transaction (mixing anonymous ballots): run after it commits.
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return self.core.settings

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.bot.timezone)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    # ---- sending: every message goes into the outbox, in this transaction -------------------

    def send(
        self,
        to: Address,
        text: Rich | str,
        buttons: Buttons = (),
        *,
        ref: str | None = None,
        edit_of: str | None = None,
        poll: NativePoll | None = None,
        attachment: Attachment | None = None,
        ephemeral_to: str | None = None,
        delete_after: float | None = None,
        **values: Any,
    ) -> None:
        message = Outbound(
            to=to,
            text=_rich(text, values),
            buttons=tuple(tuple(row) for row in buttons),
            ref=ref,
            edit_of=edit_of,
            poll=poll,
            attachment=attachment,
            ephemeral_to=ephemeral_to,
            delete_after=delete_after,
        )
        user_id = to.user_id
        if ephemeral_to and not user_id and self.core.outbox.whispers(to.platform):
            # Seen by one person alone: it queues behind their own messages in the chat, not
            # behind everyone's (each address reads in order).
            user_id = ephemeral_to
        row = work.outbound_row(
            platform=to.platform,
            chat_id=to.chat_id,
            user_id=user_id,
            payload=message.to_json(),
            ref=ref,
            now=self.now,
        )
        if self.held is not None:
            self.held.append((row, message.text.people))
            return
        work.write_outbound(self.session, [row])
        self._written([(row, message.text.people)])

    def write_held(self) -> list[OutboundMessage]:
        """Write the messages kept back, in the order they were sent; returns ``written``."""
        held, self.held = self.held or [], None
        work.write_outbound(self.session, [row for row, _ in held])
        self._written(held)
        return self.written

    def _written(self, rows: list[tuple[OutboundMessage, set[int]]]) -> None:
        for row, mentioned in rows:
            if mentioned:
                assert row.id is not None
                privacy.record_mentions(self.session, outbound_id=row.id, person_ids=mentioned)
            self.written.append(row)

    def address_of_person(self, person_id: int) -> Address | None:
        identity = people.reachable_identity(self.session, person_id=person_id)
        if identity is None:
            return None
        return private_address(identity)

    def tell(
        self,
        person_id: int,
        text: Rich | str,
        buttons: Buttons = (),
        *,
        ref: str | None = None,
        attachment: Attachment | None = None,
        **values: Any,
    ) -> bool:
        """A private message to a person; False when they have no reachable identity."""
        to = self.address_of_person(person_id)
        if to is None:
            return False
        self.send(to, text, buttons, ref=ref, attachment=attachment, **values)
        return True

    def post_to_project(
        self,
        project_id: int,
        text: Rich | str,
        buttons: Buttons = (),
        *,
        ref: str | None = None,
        poll: NativePoll | None = None,
        **values: Any,
    ) -> list[Chat]:
        """The same message to every chat of a project; ``ref`` is made per chat."""
        chats = projects.project_chats(self.session, project_id=project_id)
        for chat in chats:
            self.send(
                chat_address(chat),
                text,
                buttons,
                ref=None if ref is None else f"{ref}@{chat.id}",
                poll=poll,
                **values,
            )
        return chats

    def edit_in_project(
        self, project_id: int, ref: str, text: Rich | str, buttons: Buttons = (), **values: Any
    ) -> None:
        for chat in projects.project_chats(self.session, project_id=project_id):
            self.send(chat_address(chat), text, buttons, edit_of=f"{ref}@{chat.id}", **values)

    # ---- timers --------------------------------------------------------------------------------

    def schedule(
        self, kind: str, key: str, due_at: datetime, payload: dict[str, Any] | None = None
    ) -> None:
        work.schedule_timer(self.session, kind=kind, key=key, due_at=due_at, payload=payload)
        self.due_at.append(due_at)

    def cancel_timer(self, key: str) -> None:
        work.cancel_timer(self.session, key=key)


@dataclass
class Ctx(Work):
    """A unit of work caused by one inbound event, with who, where and which project."""

    event: Inbound = None  # type: ignore[assignment]
    identity: Identity = None  # type: ignore[assignment]
    person: Person = None  # type: ignore[assignment]
    chat: Chat = None  # type: ignore[assignment]
    project: Project | None = None
    roles: set[str] = field(default_factory=set)
    result: HandleResult = field(default_factory=HandleResult)

    @property
    def person_id(self) -> int:
        assert self.person.id is not None
        return self.person.id

    @property
    def is_private(self) -> bool:
        return self.event.chat.kind == ChatKind.PRIVATE

    def has_role(self, *roles: str) -> bool:
        return "admin" in self.roles or any(r in self.roles for r in roles)

    def reply(
        self, text: Rich | str, buttons: Buttons = (), *, ref: str | None = None, **values: Any
    ) -> None:
        """Answer in the chat the event came from."""
        self.send(chat_address(self.chat), text, buttons, ref=ref, **values)

    def answer(
        self, text: Rich | str, buttons: Buttons = (), *, delete_after: float | None = None,
        **values: Any,
    ) -> None:
        """Answer for this person only (help, a refusal, a confirmation): in a group it is shown
        to them alone where the platform can; in private it is an ordinary reply."""
        self.send(chat_address(self.chat), text, buttons, delete_after=delete_after,
                  ephemeral_to=None if self.is_private else self.identity.user_id, **values)

    def reply_privately(self, text: Rich | str, buttons: Buttons = (), **values: Any) -> None:
        self.send(private_address(self.identity), text, buttons, **values)

    def set_conversation(self, kind: str, state: dict[str, Any]) -> None:
        work.set_conversation(
            self.session,
            platform=self.identity.platform,
            user_id=self.identity.user_id,
            kind=kind,
            state=state,
            now=self.now,
        )

    def end_conversation(self) -> bool:
        return work.end_conversation(
            self.session, platform=self.identity.platform, user_id=self.identity.user_id
        )


def chat_address(chat: Chat) -> Address:
    return Address(chat.platform, chat_id=chat.platform_chat_id)


def private_address(identity: Identity) -> Address:
    return Address(identity.platform, chat_id=identity.private_chat_id, user_id=identity.user_id)


def loads(payload: str) -> dict[str, Any]:
    data = json.loads(payload)
    assert isinstance(data, dict)
    return data
