"""A poll as posted in each chat, and the platform's own poll behind it where there is one."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlmodel import Session, col, select

from storage.models import Chat, OutboundMessage, PollMessage


def add_poll_message(session: Session, *, poll_id: int, chat_id: int) -> PollMessage:
    message = PollMessage(poll_id=poll_id, chat_id=chat_id)
    session.add(message)
    session.flush()
    return message


def messages_of(session: Session, *, poll_id: int) -> list[PollMessage]:
    return list(
        session.exec(
            select(PollMessage).where(PollMessage.poll_id == poll_id).order_by(col(PollMessage.id))
        )
    )


def find_native_message(
    session: Session, *, platform: str, platform_poll_id: str
) -> PollMessage | None:
    """The poll message a platform's native poll belongs to, learning it from the outbox once."""
    found = session.exec(
        select(PollMessage)
        .join(Chat, col(Chat.id) == col(PollMessage.chat_id))
        .where(PollMessage.platform_poll_id == platform_poll_id, Chat.platform == platform)
    ).first()
    if found is not None:
        return found
    sent = session.exec(
        select(OutboundMessage).where(
            OutboundMessage.platform == platform,
            OutboundMessage.platform_poll_id == platform_poll_id,
            col(OutboundMessage.ref).is_not(None),
        )
    ).first()
    if sent is None or sent.ref is None:
        return None
    return _learn_native(session, sent.ref, platform_poll_id)


def _learn_native(session: Session, ref: str, platform_poll_id: str) -> PollMessage | None:
    """``ref`` is "poll:<poll id>@<chat id>": note the platform poll on that chat's message."""
    head, _, chat = ref.partition("@")
    kind, _, poll = head.partition(":")
    if kind != "poll" or not poll.isdigit() or not chat.isdigit():
        return None
    found = session.exec(
        select(PollMessage).where(
            PollMessage.poll_id == int(poll), PollMessage.chat_id == int(chat)
        )
    ).first()
    if found is not None:
        found.platform_poll_id = platform_poll_id
        session.flush()
    return found


def delivery_of(session: Session, *, ref: str) -> tuple[str, str | None]:
    """(status, platform poll id) of the first message sent with ``ref``; ("missing", None)."""
    row = session.exec(
        select(OutboundMessage).where(OutboundMessage.ref == ref).order_by(col(OutboundMessage.id))
    ).first()
    if row is None:
        return "missing", None
    return row.status, row.platform_poll_id


def set_native_counts(session: Session, *, message_id: int, counts: Iterable[int]) -> None:
    message = session.get(PollMessage, message_id)
    if message is not None:
        message.native_counts = json.dumps([max(0, int(n)) for n in counts])
        session.flush()
