"""Erasure for /forgetme, and the retention of delivered personal data.

``PERSONAL_TABLES`` names every table that holds something about a person, where the export
shows it and what erasure does to it; a test keeps it complete as tables are added.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.models import (
    Challenge,
    Conversation,
    CouncillorLink,
    CouncillorPortfolio,
    CouncillorWard,
    DigestPeriod,
    DigestSchedule,
    Identity,
    Invite,
    MessageMention,
    OutboundMessage,
    Person,
    PollVote,
    ProjectFacilitator,
    RoleGrant,
    Timer,
)
from storage.repo import ballots, voices
from storage.repo.personal_data import private_chats, private_messages

# table -> (section of the export, what /forgetme does to its rows about the person)
PERSONAL_TABLES: dict[str, tuple[str, str]] = {
    "person": ("person", "name and time zone erased; the row stays, shown as a former member"),
    "identity": ("identities", "deleted"),
    "chat": ("private_chats", "the private chats with the bot deleted"),
    "rolegrant": ("roles", "deleted"),
    "councillorward": ("wards", "deleted"),
    "councillorportfolio": ("portfolios", "deleted"),
    "invite": ("invites", "deleted"),
    "inviteattempt": (
        "failed_invite_attempts",
        "kept for the hour they count, under a keyed hash of the account (not its id), so the "
        "wrong-code limit holds for the account after erasure",
    ),
    "project": ("projects_created", "kept; the creator shows as a former member"),
    "projectfacilitator": ("projects_facilitated", "deleted"),
    "activityparticipant": ("activity_days", "kept as an anonymous participant count"),
    "councillorlink": ("councillor_links", "kept as the record; links still open end as left"),
    "challenge": ("challenges_raised", "kept; raised (or acknowledged) by a former member"),
    "challengerecipient": ("challenges_received", "kept for the response figures, anonymous"),
    "challengesupport": ("challenges_supported", "kept as an anonymous support count"),
    "challengeanswer": ("answers_given", "kept; answered by a former member"),
    "challengefollowup": ("challenges_raised", "kept with the challenge it follows up"),
    "poll": ("polls_started", "kept; started by a former member"),
    "pollvote": ("named_votes", "moved into the options' anonymous tallies, rows deleted"),
    "pollvoter": ("polls_voted_in", "kept, as for an anonymous ballot: took part, not what"),
    "pollvoice": (
        "voice_marks",
        "kept: per poll, a keyed hash of each of your accounts (never the account itself), so "
        "that an account cannot vote a second time in a poll it voted in",
    ),
    "supportvoice": (
        "voice_marks",
        "kept: per challenge supported or raised, a keyed hash of each of your accounts, so that "
        "an account cannot support it a second time",
    ),
    "digestschedule": ("digest_schedule", "deleted"),
    "digestperiod": ("digests_sent", "deleted"),
    "conversation": ("conversation", "deleted"),
    "timer": ("digest_schedule", "the person's digest timer deleted"),
    "outboundmessage": (
        "messages_to_you",
        "delivered private messages deleted; in other messages their name becomes a former member",
    ),
    "messagemention": ("messages_to_you", "used to find the messages naming them, then deleted"),
}

# What an erased person's name becomes in the messages that named them.
FORMER_MEMBER = "a former member"


# ---- erasure ----------------------------------------------------------------------------------


def erase_person(session: Session, *, person_id: int, now: datetime) -> dict[str, int]:
    """Erase a person's identities and name and detach what the record keeps; counts per table.

    Pending messages to the person are left to go out (the confirmation of the erasure is one of
    them); ``drop_delivered_to_erased`` removes them once delivered.
    """
    person = session.get(Person, person_id)
    if person is None:
        raise LookupError(person_id)
    identities = list(session.exec(select(Identity).where(Identity.person_id == person_id)))
    user_keys = [(i.platform, i.user_id) for i in identities]
    private_ids: list[tuple[str, str]] = [
        (i.platform, i.private_chat_id) for i in identities if i.private_chat_id
    ]
    counts: dict[str, int] = {}

    def count(table: str, n: int) -> None:
        counts[table] = counts.get(table, 0) + n

    # Named votes become anonymous ballots, mixed into the tallies with others (ballots.py).
    named: dict[int, list[int]] = {}
    for vote in list(session.exec(select(PollVote).where(PollVote.person_id == person_id))):
        named.setdefault(vote.poll_id, []).append(vote.option_id)
        session.delete(vote)
        count("pollvote", 1)
    for poll_id, option_ids in sorted(named.items()):
        ballots.add_pending(session, poll_id=poll_id, option_ids=option_ids)
    # Each account keeps its mark where it voted or supported: it never gets a second voice.
    count("pollvoice", voices.keep_voices_of(session, person_id=person_id, accounts=user_keys))
    count("outboundmessage", _unname(session, person_id))
    for m in private_messages(session, user_keys, private_ids):
        if m.status in ("sent", "parked"):
            session.delete(m)
            count("outboundmessage", 1)
    for platform, user_id in user_keys:
        count("conversation", _rows(session.execute(delete(Conversation).where(
            col(Conversation.platform) == platform, col(Conversation.user_id) == user_id))))
    identity_ids = [i.id for i in identities if i.id is not None]
    if identity_ids:
        session.execute(
            update(Invite)
            .where(col(Invite.used_by_identity_id).in_(identity_ids))
            .values(used_by_identity_id=None)
        )
    # Unused invites go too: one left behind could link a new account to the erased record.
    count("invite", _rows(session.execute(delete(Invite).where(col(Invite.person_id) == person_id))))
    for chat in private_chats(session, private_ids):
        session.execute(
            update(Challenge).where(col(Challenge.raised_in_chat_id) == chat.id)
            .values(raised_in_chat_id=None)
        )
        session.delete(chat)
        count("chat", 1)
    session.flush()
    for identity in identities:
        session.delete(identity)
    count("identity", len(identities))
    count("rolegrant", _rows(session.execute(delete(RoleGrant).where(col(RoleGrant.person_id) == person_id))))
    count("councillorward", _rows(session.execute(
        delete(CouncillorWard).where(col(CouncillorWard.person_id) == person_id))))
    count("councillorportfolio", _rows(session.execute(
        delete(CouncillorPortfolio).where(col(CouncillorPortfolio.person_id) == person_id))))
    count("projectfacilitator", _rows(session.execute(
        delete(ProjectFacilitator).where(col(ProjectFacilitator.person_id) == person_id))))
    count("councillorlink", _rows(session.execute(
        update(CouncillorLink)
        .where(col(CouncillorLink.councillor_id) == person_id,
               col(CouncillorLink.status).in_(("proposed", "accepted")))
        .values(status="left", decided_at=now))))
    count("digestschedule", _rows(session.execute(delete(DigestSchedule).where(
        col(DigestSchedule.recipient_kind) == "person", col(DigestSchedule.recipient_id) == person_id))))
    count("digestperiod", _rows(session.execute(delete(DigestPeriod).where(
        col(DigestPeriod.recipient_kind) == "person", col(DigestPeriod.recipient_id) == person_id))))
    count("timer", _rows(session.execute(
        delete(Timer).where(col(Timer.key) == f"digest:person:{person_id}"))))
    person.name = None
    person.timezone = None
    person.erased_at = now
    count("person", 1)
    session.flush()
    return counts


def _rows(result: Any) -> int:
    return int(result.rowcount or 0)


def record_mentions(session: Session, *, outbound_id: int, person_ids: Iterable[int]) -> None:
    for person_id in sorted(set(person_ids)):
        session.add(MessageMention(outbound_id=outbound_id, person_id=person_id))
    session.flush()


def _unname(session: Session, person_id: int) -> int:
    """In every message that names the person (whatever its state), exactly the spans that are
    their name become "a former member"; the rest of each message, and every other message, stay.
    """
    mentions = list(session.exec(select(MessageMention).where(
        MessageMention.person_id == person_id)))
    changed = 0
    for mention in mentions:
        message = session.get(OutboundMessage, mention.outbound_id)
        if message is not None:
            data = json.loads(message.payload)
            spans = data.get("text") or []
            for span in spans:
                if len(span) > 2 and span[2] == person_id:
                    span[:] = [FORMER_MEMBER, span[1]]
            message.payload = json.dumps(data, ensure_ascii=False)
            session.add(message)
            changed += 1
        session.delete(mention)
    session.flush()
    return changed


# ---- retention ------------------------------------------------------------------------------


def drop_delivered_to_erased(session: Session) -> int:
    """Delete delivered private messages whose recipient no longer has an identity (erased)."""
    rows = session.exec(
        select(OutboundMessage).where(
            col(OutboundMessage.user_id).is_not(None),
            col(OutboundMessage.status).in_(("sent", "parked")),
        )
    )
    dropped = 0
    known = {(i.platform, i.user_id) for i in session.exec(select(Identity))}
    for m in rows:
        if (m.platform, m.user_id) not in known:
            session.delete(m)
            dropped += 1
    session.flush()
    return dropped


def scrub_delivered_files(session: Session, *, before: datetime) -> int:
    """Drop the copy of a delivered file (a data export) kept in the outbox before ``before``."""
    scrubbed = 0
    for m in session.exec(
        select(OutboundMessage).where(
            col(OutboundMessage.status) == "sent",
            col(OutboundMessage.sent_at) < before,
            col(OutboundMessage.payload).contains('"attachment": {'),
        )
    ):
        data = json.loads(m.payload)
        if data.get("attachment"):
            data["attachment"] = None
            m.payload = json.dumps(data, ensure_ascii=False)
            session.add(m)
            scrubbed += 1
    session.flush()
    return scrubbed
