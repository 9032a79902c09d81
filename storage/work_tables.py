"""The bot's own work: timers, the inbound ledger and journal, the outbox, conversations.

Kept apart from the record's tables (``storage.models``, which re-exports them) for size.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _when(*, nullable: bool = True, index: bool = False) -> datetime | None:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


# ---- timers, ledger, outbox, conversations ---------------------------------------------------


class Timer(SQLModel, table=True):
    """A due piece of work (a reminder, a deadline, a digest); claimed before it runs."""

    __table_args__ = (Index("ix_timer_due", "done_at", "due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str
    key: str = Field(unique=True)
    due_at: datetime = Field(sa_type=UTCDateTime)
    payload: str = "{}"
    claimed_by: str | None = None
    lease_until: datetime | None = _when()
    done_at: datetime | None = _when()


class ProcessedEvent(SQLModel, table=True):
    """The ledger of inbound event ids already handled (webhook retries have one effect)."""

    platform: str = Field(primary_key=True)
    event_id: str = Field(primary_key=True)
    processed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class InboundEntry(SQLModel, table=True):
    """The inbound journal: a raw request stored before it is acknowledged to a platform that
    never sends it again (Slack commands and button presses), until it has been handled."""

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    kind: str
    body: str = Field(sa_column=Column(Text, nullable=False))
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    tries: int = 0


class OutboundMessage(SQLModel, table=True):
    """The outbox: written with the change that causes it, delivered after commit."""

    __table_args__ = (Index("ix_outbound_pending", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str
    chat_id: str | None = None
    user_id: str | None = None
    payload: str = Field(sa_column=Column(Text, nullable=False))
    ref: str | None = Field(default=None, index=True)
    status: str = "pending"  # pending | sending | sent | parked
    attempts: int = 0
    # Sends that got no answer in time: each may have arrived, so one more is the most allowed.
    timeouts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    lease_until: datetime | None = _when()
    last_error: str | None = None
    platform_message_id: str | None = None
    platform_poll_id: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = _when()


class MessageMention(SQLModel, table=True):
    """An outbox message names this person: erasure finds their names here, never in the text."""

    outbound_id: int = Field(sa_column=Column(
        Integer, ForeignKey("outboundmessage.id", ondelete="CASCADE"), primary_key=True))
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)


class Conversation(SQLModel, table=True):
    """A multi-step exchange in a private chat (answering a challenge), kept across restarts."""

    __table_args__ = (UniqueConstraint("platform", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str
    user_id: str
    kind: str
    state: str = "{}"
    updated_at: datetime = Field(sa_type=UTCDateTime)
