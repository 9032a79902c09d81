"""The tables. Message text is never stored; challenge, answer and poll texts are the record."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

# The bot's own work (timers, ledger, journal, outbox, conversations) lives apart, for size.
from storage.work_tables import Conversation as Conversation
from storage.work_tables import InboundEntry as InboundEntry
from storage.work_tables import MessageMention as MessageMention
from storage.work_tables import OutboundMessage as OutboundMessage
from storage.work_tables import ProcessedEvent as ProcessedEvent
from storage.work_tables import Timer as Timer
from storage.work_tables import _when

# ---- people and roles ------------------------------------------------------------------------


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str | None = None  # None once erased
    timezone: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    erased_at: datetime | None = _when()


class Identity(SQLModel, table=True):
    """One person on one platform."""

    __table_args__ = (UniqueConstraint("platform", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    platform: str
    user_id: str
    display_name: str = ""
    username: str | None = None
    private_chat_id: str | None = None
    unreachable_at: datetime | None = _when()
    last_seen_at: datetime | None = _when()


class RoleGrant(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("person_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str  # facilitator | councillor | admin
    granted_at: datetime = Field(sa_type=UTCDateTime)


class Ward(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)


class CouncillorWard(SQLModel, table=True):
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    ward_id: int = Field(foreign_key="ward.id", primary_key=True)


class CouncillorPortfolio(SQLModel, table=True):
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    topic: str = Field(primary_key=True)


class Invite(SQLModel, table=True):
    """A single-use code; redeeming it links the identity to ``person_id`` with ``role``."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    role: str
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = _when()
    used_by_identity_id: int | None = Field(default=None, foreign_key="identity.id")


class InviteAttempt(SQLModel, table=True):
    """A failed redemption, for limiting guesses per account.

    ``account`` is the account's mark (storage/repo/voices.py), not its id, so the rows can stay
    when the person is erased and the limit still holds for the account.
    """

    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(index=True)
    at: datetime = Field(sa_type=UTCDateTime)


class VoiceKey(SQLModel, table=True):
    """The secret that account marks are made with: one row, made on first use, never shown."""

    id: int = Field(default=1, primary_key=True)
    secret: str


# ---- projects and chats ----------------------------------------------------------------------


class Project(SQLModel, table=True):
    # The record's index lists public projects by name, a page at a time, without sorting them all.
    __table_args__ = (Index("ix_project_name_code", "name", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)  # shared to add further chats: /project join CODE
    name: str
    scope: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    became_active_at: datetime | None = _when()
    public_since: datetime | None = _when()  # on the public record (web) since; None: not public


class ProjectWard(SQLModel, table=True):
    project_id: int = Field(foreign_key="project.id", primary_key=True)
    ward_id: int = Field(foreign_key="ward.id", primary_key=True)


class ProjectTopic(SQLModel, table=True):
    project_id: int = Field(foreign_key="project.id", primary_key=True)
    topic: str = Field(primary_key=True)


class ProjectFacilitator(SQLModel, table=True):
    project_id: int = Field(foreign_key="project.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)


class Chat(SQLModel, table=True):
    """A chat the bot is in; ``project_id`` when it is one of a project's chats."""

    __table_args__ = (UniqueConstraint("platform", "platform_chat_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str
    platform_chat_id: str
    kind: str  # private | group
    title: str | None = None
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    gone_at: datetime | None = _when()


class ActivityDay(SQLModel, table=True):
    """Messages per project per day: counts only, never text."""

    project_id: int = Field(foreign_key="project.id", primary_key=True)
    day: date = Field(primary_key=True)
    messages: int = 0


class ActivityParticipant(SQLModel, table=True):
    project_id: int = Field(foreign_key="project.id", primary_key=True)
    day: date = Field(primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)


# ---- councillor links ------------------------------------------------------------------------


class CouncillorLink(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("project_id", "councillor_id"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    councillor_id: int = Field(foreign_key="person.id", index=True)
    status: str  # proposed | accepted | declined | left
    reason: str = ""  # why proposed: ward or topic match, or a facilitator's /link
    proposed_at: datetime = Field(sa_type=UTCDateTime)
    decided_at: datetime | None = _when()


# ---- scope challenges ------------------------------------------------------------------------


class Challenge(SQLModel, table=True):
    # The time indexes: the public record's monthly chart counts ranges of them.
    __table_args__ = (UniqueConstraint("project_id", "number"),
                      Index("ix_challenge_project_raised", "project_id", "raised_at"),
                      Index("ix_challenge_project_first_answered", "project_id", "first_answered_at"))
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    number: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    # A challenge raised by replying to a message: the message is the text, the raiser's own words
    # that came with the reply are kept here.
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    raised_by: int | None = Field(default=None, foreign_key="person.id", index=True)
    raised_in_chat_id: int | None = Field(default=None, foreign_key="chat.id")
    raised_at: datetime = Field(sa_type=UTCDateTime)
    status: str = "open"  # open | acknowledged | answered | withdrawn
    routed_to: str = ""  # linked | ward | facilitators
    acknowledged_at: datetime | None = _when()
    acknowledged_by: int | None = Field(default=None, foreign_key="person.id")
    answered_at: datetime | None = _when()
    reminded_at: datetime | None = _when()
    escalated_at: datetime | None = _when()
    reopened_at: datetime | None = _when()
    # The earliest of its answers, kept by triggers (migration 0013) for the public record.
    first_answered_at: datetime | None = _when()


class ChallengeRecipient(SQLModel, table=True):
    """Who a challenge was routed to (for chasing and response figures)."""

    challenge_id: int = Field(foreign_key="challenge.id", primary_key=True)
    # Indexed on its own too: a councillor's figures read the challenges sent to them.
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    notified_at: datetime = Field(sa_type=UTCDateTime)
    reason: str = "linked"  # linked | ward | facilitator | escalation
    # This person's earliest answer to it, kept by triggers (migration 0013) for the record.
    first_answered_at: datetime | None = _when()


class ChallengeSupport(SQLModel, table=True):
    challenge_id: int = Field(foreign_key="challenge.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)


class SupportVoice(SQLModel, table=True):
    """An account that has given its support to a challenge: its mark, not the account."""

    challenge_id: int = Field(foreign_key="challenge.id", primary_key=True)
    account: str = Field(primary_key=True)


class ChallengeAnswer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    councillor_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    outcome: str  # in_scope | forward | referred | declined
    explanation: str = Field(sa_column=Column(Text, nullable=False))
    answered_at: datetime = Field(sa_type=UTCDateTime)


class ChallengeFollowup(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    answer_id: int = Field(foreign_key="challengeanswer.id", unique=True)
    asked_at: datetime | None = _when()
    reply: str | None = None  # yes | not_really | still_waiting
    replied_at: datetime | None = _when()


# ---- polls -----------------------------------------------------------------------------------


class Poll(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("project_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    number: int
    question: str
    multiple: bool = False
    anonymous: bool = False
    hide_results: bool = False
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = _when()
    outcome: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    outcome_at: datetime | None = _when()
    outcome_corrected_at: datetime | None = _when()  # the outcome was corrected with /outcome
    # /cancelpoll: closed without results or outcome (``closed_at`` is set too)
    withdrawn_at: datetime | None = _when()
    withdrawn_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class PollOption(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("poll_id", "position"),)
    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    position: int
    text: str
    tally: int = 0  # mixed anonymous ballots (storage/repo/ballots.py), never tied to a voter


class PollVote(SQLModel, table=True):
    """A named vote. Anonymous polls keep only PollVoter (who voted) and PollOption.tally."""

    __table_args__ = (UniqueConstraint("poll_id", "person_id", "option_id"),)
    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    option_id: int = Field(foreign_key="polloption.id")
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)


class PollVoter(SQLModel, table=True):
    """A person who holds a vote in a poll (named or anonymous); one row per person per poll."""

    poll_id: int = Field(foreign_key="poll.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)


class PollVoice(SQLModel, table=True):
    """An account whose voice in a poll is given: its mark, not the account (survives erasure)."""

    poll_id: int = Field(foreign_key="poll.id", primary_key=True)
    account: str = Field(primary_key=True)


class PendingBallot(SQLModel, table=True):
    """An anonymous ballot not yet mixed into the tallies: no voter, no time, a random id."""

    # SQLite: INTEGER PRIMARY KEY is the rowid itself, so no hidden rowid counts the arrivals.
    id: int = Field(sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"),
                                     primary_key=True, autoincrement=False))
    poll_id: int = Field(foreign_key="poll.id", index=True)
    choices: str  # option ids, comma-separated


class PollMessage(SQLModel, table=True):
    """A poll as posted in one chat; ``platform_poll_id`` for native polls."""

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    chat_id: int = Field(foreign_key="chat.id")
    platform_poll_id: str | None = Field(default=None, index=True)
    native_counts: str | None = None  # JSON list, for anonymous native polls


# ---- digests ---------------------------------------------------------------------------------


class DigestSchedule(SQLModel, table=True):
    """A recipient's digest cadence: a person (councillor) or a project (group digest)."""

    __table_args__ = (UniqueConstraint("recipient_kind", "recipient_id"),)
    id: int | None = Field(default=None, primary_key=True)
    recipient_kind: str  # person | project
    recipient_id: int
    cadence: str  # daily | weekly | off
    weekday: int | None = None  # 0 = Monday
    at_time: str = "08:00"
    last_sent_at: datetime | None = _when()


class DigestPeriod(SQLModel, table=True):
    """A claimed (recipient, period): the unique key is what makes a digest go out once."""

    __table_args__ = (UniqueConstraint("recipient_kind", "recipient_id", "period_key"),)
    id: int | None = Field(default=None, primary_key=True)
    recipient_kind: str
    recipient_id: int
    period_key: str
    claimed_at: datetime = Field(sa_type=UTCDateTime)
    claimed_by: str = ""
    lease_until: datetime | None = _when()
    sent_at: datetime | None = _when()
    skipped: str | None = None  # why nothing was sent (nothing new, out of grace)


# ---- the public record ---------------------------------------------------------------------


class RecordVersion(SQLModel, table=True):
    """How many times what a public page shows has changed: per project (``scope`` is its id),
    and for the whole council (``scope`` 0: councillors' names, roles and wards). Triggers on the
    tables the pages read count every write (migrations 0011, 0012), so a page cached by any
    process is known to be current by reading two numbers."""

    scope: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    n: int = 0
