"""A programmatic adapter: push events into the core, read what it sent. For tests and tools."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.kernel.core import Core
from bot.kernel.events import (
    Address,
    ButtonPressed,
    ChatKind,
    ChatRef,
    CommandIssued,
    FormSubmitted,
    HandleResult,
    Inbound,
    MessagePosted,
    Outbound,
    Sender,
)
from bot.kernel.ports import Delivered, DeliveryError


@dataclass
class SentMessage:
    message: Outbound
    message_id: str
    edit_of_id: str | None = None

    @property
    def text(self) -> str:
        return self.message.text.text

    @property
    def to(self) -> Address:
        return self.message.to

    @property
    def button_labels(self) -> list[str]:
        return [b.label for row in self.message.buttons for b in row]

    def button(self, label: str) -> str:
        """The action of the button whose label contains ``label``."""
        for row in self.message.buttons:
            for b in row:
                if label.lower() in b.label.lower():
                    return b.action
        raise KeyError(f"no button {label!r} in {self.button_labels}")


@dataclass
class TestingAdapter:
    """Records every message the core sends; ``fail_next`` makes the next sends raise."""

    __test__ = False  # not a pytest test class

    core: Core
    platform: str = "test"
    sent: list[SentMessage] = field(default_factory=list)
    fail_next: list[DeliveryError] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _events: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.core.attach(self)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, message: Outbound, *, edit_message_id: str | None = None) -> Delivered:
        if self.fail_next:
            raise self.fail_next.pop(0)
        message_id = edit_message_id or str(next(self._ids))
        self.sent.append(SentMessage(message, message_id, edit_message_id))
        return Delivered(message_id, platform_poll_id=f"poll-{message_id}" if message.poll else None)

    # ---- driving the core ----------------------------------------------------------------------

    def sender(self, user: str, name: str | None = None) -> Sender:
        return Sender(self.platform, user, name or user.capitalize())

    def group(self, chat: str) -> ChatRef:
        return ChatRef(self.platform, chat, ChatKind.GROUP, chat)

    def dm(self, user: str) -> ChatRef:
        return ChatRef(self.platform, f"dm-{user}", ChatKind.PRIVATE)

    def _where(self, user: str, chat: str | None) -> ChatRef:
        return self.dm(user) if chat is None else self.group(chat)

    async def push(self, event: Inbound) -> HandleResult:
        return await self.core.handle(event)

    async def say(self, user: str, line: str, *, chat: str | None = None,
                  reply_to: str | None = None) -> list[SentMessage]:
        """``user`` writes ``line`` in ``chat`` (a group) or, without one, privately; returns replies."""
        before = len(self.sent)
        where = self._where(user, chat)
        event_id = f"e{next(self._events)}"
        if line.startswith("/"):
            head, _, args = line[1:].partition(" ")
            event: Inbound = CommandIssued(
                chat=where, sender=self.sender(user), name=head, args=args,
                reply_to_text=reply_to, event_id=event_id,
            )
        else:
            event = MessagePosted(chat=where, sender=self.sender(user), text=line, event_id=event_id)
        await self.core.handle(event)
        return self.sent[before:]

    async def press(self, user: str, action: str, *, chat: str | None = None,
                    forms: bool = False) -> HandleResult:
        return await self.core.handle(
            ButtonPressed(chat=self._where(user, chat), sender=self.sender(user), action=action,
                          supports_forms=forms, event_id=f"e{next(self._events)}")
        )

    async def submit(self, user: str, action: str, values: dict[str, str]) -> HandleResult:
        return await self.core.handle(
            FormSubmitted(chat=self.dm(user), sender=self.sender(user), action=action,
                          values=values, event_id=f"e{next(self._events)}")
        )

    # ---- reading what was sent ----------------------------------------------------------------

    def to_chat(self, chat: str) -> list[SentMessage]:
        return [m for m in self.sent if m.to.chat_id == chat]

    def to_user(self, user: str) -> list[SentMessage]:
        return [m for m in self.sent if m.to.user_id == user or m.to.chat_id == f"dm-{user}"]

    def last(self, *, chat: str | None = None, user: str | None = None) -> SentMessage:
        found = self.to_chat(chat) if chat else self.to_user(user or "") if user else self.sent
        if not found:
            raise AssertionError(f"nothing was sent to {chat or user}")
        return found[-1]
