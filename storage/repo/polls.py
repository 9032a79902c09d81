"""Polls, their options, votes and voters (the messages in each chat: poll_messages).

Whoever holds a vote has one PollVoter row per poll (the primary key makes it one per person,
and taking it locks it: one person's two presses at once are applied one after the other) and a
PollVoice mark per account (storage/repo/voices.py: one voice per account, also after erasure).
A named vote is a PollVote row per chosen option; an anonymous ballot waits in ``pendingballot``
without a voter until it is mixed into the tallies (storage/repo/ballots.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from storage.models import (
    ActivityParticipant,
    Challenge,
    CouncillorLink,
    Person,
    Poll,
    PollOption,
    PollVote,
    PollVoter,
    ProjectFacilitator,
)
from storage.repo import ballots, voices
from storage.repo.poll_messages import messages_of

Voice = Literal["new", "held", "spent"]

# ---- polls and options ----------------------------------------------------------------------


def create_poll(
    session: Session,
    *,
    project_id: int,
    question: str,
    options: Iterable[str],
    multiple: bool,
    anonymous: bool,
    hide_results: bool,
    created_by: int,
    now: datetime,
    closes_at: datetime,
) -> Poll:
    """A new poll with the project's next number."""
    last = session.exec(select(func.max(Poll.number)).where(Poll.project_id == project_id)).one()
    poll = Poll(
        project_id=project_id,
        number=(last or 0) + 1,
        question=question,
        multiple=multiple,
        anonymous=anonymous,
        hide_results=hide_results,
        created_by=created_by,
        created_at=now,
        closes_at=closes_at,
    )
    session.add(poll)
    session.flush()
    assert poll.id is not None
    for position, text in enumerate(options, 1):
        session.add(PollOption(poll_id=poll.id, position=position, text=text))
    session.flush()
    return poll


def find_poll(session: Session, *, project_id: int, number: int) -> Poll | None:
    return session.exec(
        select(Poll).where(Poll.project_id == project_id, Poll.number == number)
    ).first()


def polls_numbered(session: Session, *, number: int) -> list[Poll]:
    return list(session.exec(select(Poll).where(Poll.number == number).order_by(col(Poll.id))))


def poll_options(session: Session, *, poll_id: int) -> list[PollOption]:
    return list(
        session.exec(
            select(PollOption)
            .where(PollOption.poll_id == poll_id)
            .order_by(col(PollOption.position))
        )
    )


def closed_polls(session: Session, *, project_id: int, since: datetime) -> list[Poll]:
    """Polls of a project closed (not withdrawn) at or after ``since`` (for digests), oldest
    first."""
    return list(
        session.exec(
            select(Poll)
            .where(Poll.project_id == project_id, col(Poll.closed_at) >= since,
                   col(Poll.withdrawn_at).is_(None))
            .order_by(col(Poll.closed_at))
        )
    )


def mark_closed(session: Session, *, poll_id: int, now: datetime) -> bool:
    """Close a poll once: False when another process (or a /closepoll) closed it first."""
    result = session.execute(
        update(Poll).where(col(Poll.id) == poll_id, col(Poll.closed_at).is_(None)).values(closed_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_withdrawn(session: Session, *, poll_id: int, now: datetime, reason: str) -> bool:
    """Withdraw an open poll: closed without results; False when it closed first."""
    result = session.execute(
        update(Poll).where(col(Poll.id) == poll_id, col(Poll.closed_at).is_(None))
        .values(closed_at=now, withdrawn_at=now, withdrawn_reason=reason)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def listed_polls(session: Session, *, project_id: int, closed_since: datetime,
                 most_closed: int) -> tuple[list[Poll], list[Poll]]:
    """A project's open polls (closing soonest first) and up to ``most_closed`` closed since
    ``closed_since`` (latest first)."""
    open_polls = list(session.exec(
        select(Poll).where(Poll.project_id == project_id, col(Poll.closed_at).is_(None))
        .order_by(col(Poll.closes_at), col(Poll.number))))
    closed = list(session.exec(
        select(Poll).where(Poll.project_id == project_id, col(Poll.closed_at) >= closed_since)
        .order_by(col(Poll.closed_at).desc(), col(Poll.number).desc()).limit(most_closed)))
    return open_polls, closed


def non_voters(session: Session, *, poll: Poll) -> list[int]:
    """The people of a poll's project who have not voted in it: whoever spoke in one of its
    chats, raised a challenge in it, voted in another of its polls, facilitates it, or is a
    councillor linked to it."""
    project_id = poll.project_id
    queries = (
        select(ActivityParticipant.person_id).where(ActivityParticipant.project_id == project_id),
        select(Challenge.raised_by).where(Challenge.project_id == project_id),
        select(PollVoter.person_id).join(Poll, col(Poll.id) == col(PollVoter.poll_id))
        .where(Poll.project_id == project_id),
        select(ProjectFacilitator.person_id).where(ProjectFacilitator.project_id == project_id),
        select(CouncillorLink.councillor_id).where(CouncillorLink.project_id == project_id,
                                                   CouncillorLink.status == "accepted"),
    )
    people = {i for query in queries for i in session.exec(query) if i is not None}
    voted = set(session.exec(select(PollVoter.person_id).where(PollVoter.poll_id == poll.id)))
    return sorted(people - voted)


def is_linked_councillor(session: Session, *, project_id: int, person_id: int) -> bool:
    return (
        session.exec(
            select(CouncillorLink.id).where(
                CouncillorLink.project_id == project_id,
                CouncillorLink.councillor_id == person_id,
                CouncillorLink.status == "accepted",
            )
        ).first()
        is not None
    )


# ---- votes ----------------------------------------------------------------------------------


def has_voted(session: Session, *, poll_id: int, person_id: int) -> bool:
    return session.get(PollVoter, (poll_id, person_id)) is not None


def take_voice(session: Session, *, poll_id: int, person_id: int) -> Voice:
    """Take the person's voice in a poll before reading or changing their vote.

    "new": they had none; it is theirs now (their voter row and their accounts' marks are
    written). "held": they hold it already; their voter row is locked until the transaction ends
    (PostgreSQL; SQLite lets one writer in at a time anyway). "spent": one of their accounts gave
    its voice before, as a person since erased; nothing is written.
    """
    while True:
        if voices.insert_new(session, PollVoter, poll_id=poll_id, person_id=person_id):
            accounts = voices.accounts_of(session, person_id=person_id)
            if voices.spend_poll_voice(session, poll_id=poll_id, accounts=accounts):
                return "new"
            session.execute(delete(PollVoter).where(col(PollVoter.poll_id) == poll_id,
                                                    col(PollVoter.person_id) == person_id))
            return "spent"
        held = session.exec(
            select(PollVoter.person_id)
            .where(PollVoter.poll_id == poll_id, PollVoter.person_id == person_id)
            .with_for_update()
        ).first()
        if held is not None:
            return "held"
        # Withdrawn by their other press between the two statements: claim it afresh.


def named_choices(session: Session, *, poll_id: int, person_id: int) -> list[int]:
    """The option ids a person chose in a named poll."""
    return sorted(
        session.exec(
            select(PollVote.option_id).where(
                PollVote.poll_id == poll_id, PollVote.person_id == person_id
            )
        )
    )


def set_named_choices(
    session: Session,
    *,
    poll_id: int,
    person_id: int,
    option_ids: Iterable[int],
    now: datetime,
    current: Iterable[int],
) -> None:
    """Replace a person's named vote with ``option_ids`` (none: the vote is withdrawn).

    The caller holds their voice (``take_voice``) and read ``current`` after taking it, so two
    changes by one person at once cannot both apply to the same old vote.
    """
    chosen = sorted(set(option_ids))
    before = set(current)
    gone = sorted(before - set(chosen))
    if gone:
        session.execute(
            delete(PollVote).where(
                col(PollVote.poll_id) == poll_id,
                col(PollVote.person_id) == person_id,
                col(PollVote.option_id).in_(gone),
            )
        )
    for option_id in chosen:
        if option_id not in before:
            session.add(PollVote(poll_id=poll_id, option_id=option_id, person_id=person_id, at=now))
    if not chosen:
        session.execute(
            delete(PollVoter).where(
                col(PollVoter.poll_id) == poll_id, col(PollVoter.person_id) == person_id
            )
        )
        voices.release_poll_voice(session, poll_id=poll_id,
                                  accounts=voices.accounts_of(session, person_id=person_id))
    session.flush()


def cast_anonymous(session: Session, *, poll_id: int, option_ids: Iterable[int]) -> int:
    """Keep an anonymous ballot waiting to be mixed (the caller took the voice); returns how
    many of the poll's ballots wait now."""
    return ballots.add_pending(session, poll_id=poll_id, option_ids=option_ids)


def voter_count(session: Session, *, poll_id: int) -> int:
    return int(
        session.exec(
            select(func.count()).select_from(PollVoter).where(PollVoter.poll_id == poll_id)
        ).one()
    )


def option_counts(session: Session, *, poll_id: int) -> list[int]:
    """Per option in order: anonymous tally and waiting ballots + named votes + native counts
    from every chat."""
    options = poll_options(session, poll_id=poll_id)
    waiting = ballots.pending_counts(session, poll_id=poll_id)
    named = dict(
        session.exec(
            select(PollVote.option_id, func.count())
            .where(PollVote.poll_id == poll_id)
            .group_by(col(PollVote.option_id))
        ).all()
    )
    counts = [o.tally + waiting[o.id or 0] + int(named.get(o.id or 0, 0)) for o in options]
    for message in messages_of(session, poll_id=poll_id):
        if message.native_counts:
            for i, n in enumerate(json.loads(message.native_counts)[: len(counts)]):
                counts[i] += max(0, int(n))
    return counts


def named_voters(session: Session, *, poll_id: int, option_id: int
                 ) -> list[tuple[int | None, str | None]]:
    """(person id, name) of who chose an option in a named poll, in voting order."""
    return [
        (person_id, name)
        for person_id, name in session.exec(
            select(PollVote.person_id, Person.name)
            .outerjoin(Person, col(Person.id) == col(PollVote.person_id))
            .where(PollVote.poll_id == poll_id, PollVote.option_id == option_id)
            .order_by(col(PollVote.id))
        )
    ]


def has_native_counts(session: Session, *, poll_id: int) -> bool:
    return any(m.native_counts for m in messages_of(session, poll_id=poll_id))
