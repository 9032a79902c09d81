"""The batched reads a digest is built from: links, challenges, answers, polls, activity.

Every read takes a whole set of projects at once (IN / GROUP BY), so the number of queries per
digest stays the same however many projects a councillor is linked to.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import (
    ActivityDay,
    ActivityParticipant,
    Challenge,
    ChallengeAnswer,
    ChallengeSupport,
    CouncillorLink,
    Person,
    Poll,
    PollMessage,
    PollOption,
    PollVote,
    Project,
)

AWAITING = ("open", "acknowledged")


@dataclass(frozen=True)
class LinkedProject:
    project_id: int
    name: str
    councillor_id: int
    councillor_name: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class ChallengeFact:
    id: int
    project_id: int
    number: int
    text: str
    raised_at: datetime
    status: str
    answered_at: datetime | None
    supports: int = 0
    new_supports: int = 0
    escalated_at: datetime | None = None
    reopened_at: datetime | None = None


@dataclass(frozen=True)
class AnswerFact:
    challenge_id: int
    project_id: int
    number: int
    challenge_text: str
    outcome: str
    explanation: str
    answered_at: datetime
    councillor_name: str | None
    councillor_id: int | None = None


@dataclass
class PollFact:
    id: int
    project_id: int
    number: int
    question: str
    closed_at: datetime | None
    outcome: str | None
    hide_results: bool
    options: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class ActivityFact:
    messages: int = 0
    previous_messages: int = 0
    people: int = 0


@dataclass
class Facts:
    """Everything new for a set of projects in [since, until), with what still awaits an answer."""

    challenges: list[ChallengeFact] = field(default_factory=list)
    answers: list[AnswerFact] = field(default_factory=list)
    polls: list[PollFact] = field(default_factory=list)
    activity: dict[int, ActivityFact] = field(default_factory=dict)


def linked_projects_of(session: Session, *, councillor_id: int) -> list[LinkedProject]:
    return _links(session, col(CouncillorLink.councillor_id) == councillor_id)


def councillors_linked_to(session: Session, *, project_id: int) -> list[LinkedProject]:
    return _links(session, col(CouncillorLink.project_id) == project_id)


def _links(session: Session, where: ColumnElement[bool]) -> list[LinkedProject]:
    rows = session.execute(
        sa_select(
            col(CouncillorLink.project_id),
            col(Project.name),
            col(CouncillorLink.councillor_id),
            col(Person.name),
            col(CouncillorLink.decided_at),
        )
        .join(Project, col(Project.id) == col(CouncillorLink.project_id))
        .join(Person, col(Person.id) == col(CouncillorLink.councillor_id))
        .where(where, col(CouncillorLink.status) == "accepted")
        .order_by(col(Project.name), col(Person.name))
    )
    return [LinkedProject(*row) for row in rows]


def gather_facts(
    session: Session,
    *,
    project_ids: Sequence[int],
    since: datetime,
    until: datetime,
    since_day: date,
    until_day: date,
    previous_day: date,
) -> Facts:
    """Eight queries whatever the number of projects: challenges, supports, answers, polls,
    options, native poll counts, messages per day, participants."""
    facts = Facts()
    if not project_ids:
        return facts
    ids = list(project_ids)
    def in_window(column: Any) -> ColumnElement[bool]:
        return and_(column >= since, column < until)

    relevant = and_(
        col(Challenge.project_id).in_(ids),
        or_(
            col(Challenge.status).in_(AWAITING),
            in_window(col(Challenge.raised_at)),
            in_window(col(Challenge.answered_at)),
        ),
    )
    counts: dict[int, tuple[int, int]] = {
        cid: (int(total), int(new or 0))
        for cid, total, new in session.exec(
            select(
                ChallengeSupport.challenge_id,
                func.count(),
                func.sum(case((in_window(col(ChallengeSupport.at)), 1), else_=0)),
            )
            .where(col(ChallengeSupport.challenge_id).in_(select(Challenge.id).where(relevant)))
            .group_by(col(ChallengeSupport.challenge_id))
        )
    }
    # Columns, not ORM objects: a digest may read thousands of rows and only needs these.
    for cid, pid, number, text, raised_at, status, answered_at, escalated, reopened in (
        session.execute(
            sa_select(
                col(Challenge.id), col(Challenge.project_id), col(Challenge.number),
                col(Challenge.text), col(Challenge.raised_at), col(Challenge.status),
                col(Challenge.answered_at), col(Challenge.escalated_at),
                col(Challenge.reopened_at),
            ).where(relevant).order_by(col(Challenge.raised_at))
        )
    ):
        total, new = counts.get(cid, (0, 0))
        facts.challenges.append(ChallengeFact(
            cid, pid, number, text, raised_at, status, answered_at, total, new,
            escalated_at=escalated, reopened_at=reopened))
    for row in session.execute(
        sa_select(
            col(ChallengeAnswer.challenge_id), col(Challenge.project_id), col(Challenge.number),
            col(Challenge.text), col(ChallengeAnswer.outcome), col(ChallengeAnswer.explanation),
            col(ChallengeAnswer.answered_at), col(Person.name), col(ChallengeAnswer.councillor_id),
        )
        .join(Challenge, col(Challenge.id) == col(ChallengeAnswer.challenge_id))
        .outerjoin(Person, col(Person.id) == col(ChallengeAnswer.councillor_id))
        .where(
            # Through the challenges answered in the window: an index walk, not a table scan.
            col(ChallengeAnswer.challenge_id).in_(
                select(Challenge.id).where(
                    col(Challenge.project_id).in_(ids), in_window(col(Challenge.answered_at))
                )
            ),
            in_window(col(ChallengeAnswer.answered_at)),
        )
        .order_by(col(ChallengeAnswer.answered_at))
    ):
        facts.answers.append(AnswerFact(*row))
    facts.polls = _closed_polls(session, ids, in_window)
    facts.activity = _activity(session, ids, since_day, until_day, previous_day)
    return facts


def _closed_polls(
    session: Session, ids: list[int], window: Callable[[Any], ColumnElement[bool]]
) -> list[PollFact]:
    closed = and_(
        col(Poll.project_id).in_(ids),
        col(Poll.closed_at).is_not(None),
        col(Poll.withdrawn_at).is_(None),  # a withdrawn poll has no results to report
        or_(window(col(Poll.closed_at)), window(col(Poll.outcome_at))),
    )
    polls = {
        row[0]: PollFact(*row)
        for row in session.execute(
            sa_select(
                col(Poll.id), col(Poll.project_id), col(Poll.number), col(Poll.question),
                col(Poll.closed_at), col(Poll.outcome), col(Poll.hide_results),
            ).where(closed).order_by(col(Poll.closed_at))
        )
    }
    if not polls:
        return []
    votes = func.count(col(PollVote.id))
    for poll_id, text, tally, named in session.exec(
        select(PollOption.poll_id, PollOption.text, PollOption.tally, votes)
        .outerjoin(
            PollVote,  # by poll first: that column is indexed
            and_(col(PollVote.poll_id) == col(PollOption.poll_id),
                 col(PollVote.option_id) == col(PollOption.id)),
        )
        .where(col(PollOption.poll_id).in_(select(Poll.id).where(closed)))
        .group_by(col(PollOption.id))
        .order_by(col(PollOption.poll_id), col(PollOption.position))
    ):
        # As the polls count them: anonymous ballots in the tally, named ones as vote rows ...
        polls[poll_id].options.append((text, int(tally or 0) + int(named or 0)))
    for poll_id, native in session.exec(
        select(PollMessage.poll_id, PollMessage.native_counts).where(
            col(PollMessage.poll_id).in_(select(Poll.id).where(closed)),
            col(PollMessage.native_counts).is_not(None),
        )
    ):
        # ... and an anonymous native poll's counts, as each chat's platform reported them.
        options = polls[poll_id].options
        for i, n in enumerate(json.loads(native or "[]")[: len(options)]):
            options[i] = (options[i][0], options[i][1] + max(0, int(n)))
    return list(polls.values())


def _activity(
    session: Session, ids: list[int], since_day: date, until_day: date, previous_day: date
) -> dict[int, ActivityFact]:
    now_part = case((col(ActivityDay.day) >= since_day, col(ActivityDay.messages)), else_=0)
    before_part = case((col(ActivityDay.day) < since_day, col(ActivityDay.messages)), else_=0)
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for pid, current, previous in session.exec(
        select(ActivityDay.project_id, func.sum(now_part), func.sum(before_part))
        .where(
            col(ActivityDay.project_id).in_(ids),
            col(ActivityDay.day) >= previous_day,
            col(ActivityDay.day) < until_day,
        )
        .group_by(col(ActivityDay.project_id))
    ):
        found[pid][0], found[pid][1] = int(current or 0), int(previous or 0)
    for pid, people in session.exec(
        select(
            ActivityParticipant.project_id,
            func.count(func.distinct(ActivityParticipant.person_id)),
        )
        .where(
            col(ActivityParticipant.project_id).in_(ids),
            col(ActivityParticipant.day) >= since_day,
            col(ActivityParticipant.day) < until_day,
        )
        .group_by(col(ActivityParticipant.project_id))
    ):
        found[pid][2] = int(people)
    return {pid: ActivityFact(*v) for pid, v in found.items()}
