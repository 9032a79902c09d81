"""Digest schedules, claimed periods, and the batched reads a digest is built from.

Every read here takes a whole set of projects at once (IN / GROUP BY), so the number of queries
per digest stays the same however many projects a councillor is linked to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    ActivityDay,
    ActivityParticipant,
    Challenge,
    ChallengeAnswer,
    ChallengeSupport,
    CouncillorLink,
    DigestPeriod,
    DigestSchedule,
    Person,
    Poll,
    PollOption,
    PollVote,
    Project,
    RoleGrant,
    Timer,
)

AWAITING = ("open", "acknowledged")

# ---- schedules --------------------------------------------------------------------------------


def get_schedule(
    session: Session, *, recipient_kind: str, recipient_id: int
) -> DigestSchedule | None:
    return session.exec(
        select(DigestSchedule).where(
            DigestSchedule.recipient_kind == recipient_kind,
            DigestSchedule.recipient_id == recipient_id,
        )
    ).first()


def set_schedule(
    session: Session,
    *,
    recipient_kind: str,
    recipient_id: int,
    cadence: str,
    weekday: int | None,
    at_time: str,
) -> DigestSchedule:
    """Create or change a recipient's schedule; when the last digest went out is kept."""
    row = get_schedule(session, recipient_kind=recipient_kind, recipient_id=recipient_id)
    if row is None:
        row = DigestSchedule(
            recipient_kind=recipient_kind, recipient_id=recipient_id, cadence="off"
        )
        session.add(row)
    row.cadence, row.weekday, row.at_time = cadence, weekday, at_time
    session.flush()
    return row


def councillors_without_schedule(session: Session) -> list[int]:
    have = select(DigestSchedule.recipient_id).where(DigestSchedule.recipient_kind == "person")
    return list(
        session.exec(
            select(RoleGrant.person_id)
            .where(RoleGrant.role == "councillor", col(RoleGrant.person_id).not_in(have))
            .order_by(col(RoleGrant.person_id))
        )
    )


def projects_without_schedule(session: Session) -> list[int]:
    have = select(DigestSchedule.recipient_id).where(DigestSchedule.recipient_kind == "project")
    rows = session.execute(
        sa_select(col(Project.id)).where(col(Project.id).not_in(have)).order_by(col(Project.id))
    )
    return [int(pid) for (pid,) in rows]


def schedules_on(session: Session) -> list[DigestSchedule]:
    return list(session.exec(select(DigestSchedule).where(col(DigestSchedule.cadence) != "off")))


def pending_timer_keys(session: Session, *, kind: str) -> set[str]:
    return set(
        session.exec(select(Timer.key).where(Timer.kind == kind, col(Timer.done_at).is_(None)))
    )


# ---- periods: the claim that makes a digest go out once --------------------------------------


def claim_period(
    session: Session,
    *,
    recipient_kind: str,
    recipient_id: int,
    period_key: str,
    worker: str,
    now: datetime,
    lease_until: datetime,
) -> bool:
    """Take (recipient, period) for this worker; False if it is sent, skipped or leased elsewhere.

    A claim left by a worker that died (unsent, lease over) is taken over.
    """
    try:
        with session.begin_nested():
            session.add(
                DigestPeriod(
                    recipient_kind=recipient_kind,
                    recipient_id=recipient_id,
                    period_key=period_key,
                    claimed_at=now,
                    claimed_by=worker,
                    lease_until=lease_until,
                )
            )
            session.flush()
        return True
    except IntegrityError:
        pass
    result = session.execute(
        update(DigestPeriod)
        .where(
            col(DigestPeriod.recipient_kind) == recipient_kind,
            col(DigestPeriod.recipient_id) == recipient_id,
            col(DigestPeriod.period_key) == period_key,
            col(DigestPeriod.sent_at).is_(None),
            col(DigestPeriod.skipped).is_(None),
            col(DigestPeriod.lease_until) <= now,
        )
        .values(claimed_by=worker, claimed_at=now, lease_until=lease_until)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def get_period(
    session: Session, *, recipient_kind: str, recipient_id: int, period_key: str
) -> DigestPeriod | None:
    return session.exec(
        select(DigestPeriod).where(
            DigestPeriod.recipient_kind == recipient_kind,
            DigestPeriod.recipient_id == recipient_id,
            DigestPeriod.period_key == period_key,
        )
    ).first()


def finish_period(
    session: Session,
    *,
    recipient_kind: str,
    recipient_id: int,
    period_key: str,
    worker: str,
    now: datetime,
    skipped: str | None = None,
) -> bool:
    """Mark a period this worker still holds as sent (or skipped, with why); False if lost."""
    result = session.execute(
        update(DigestPeriod)
        .where(
            col(DigestPeriod.recipient_kind) == recipient_kind,
            col(DigestPeriod.recipient_id) == recipient_id,
            col(DigestPeriod.period_key) == period_key,
            col(DigestPeriod.claimed_by) == worker,
            col(DigestPeriod.sent_at).is_(None),
            col(DigestPeriod.skipped).is_(None),
        )
        .values(
            sent_at=None if skipped else now,
            skipped=skipped,
            lease_until=None,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# ---- what a digest is built from --------------------------------------------------------------


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
    """Seven queries whatever the number of projects: challenges, supports, answers, polls,
    options, messages per day, participants."""
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
    for c in session.exec(select(Challenge).where(relevant).order_by(col(Challenge.raised_at))):
        assert c.id is not None
        total, new = counts.get(c.id, (0, 0))
        facts.challenges.append(
            ChallengeFact(c.id, c.project_id, c.number, c.text, c.raised_at, c.status,
                          c.answered_at, total, new)
        )
    for row in session.execute(
        sa_select(
            col(ChallengeAnswer.challenge_id), col(Challenge.project_id), col(Challenge.number),
            col(Challenge.text), col(ChallengeAnswer.outcome), col(ChallengeAnswer.explanation),
            col(ChallengeAnswer.answered_at), col(Person.name),
        )
        .join(Challenge, col(Challenge.id) == col(ChallengeAnswer.challenge_id))
        .outerjoin(Person, col(Person.id) == col(ChallengeAnswer.councillor_id))
        .where(col(Challenge.project_id).in_(ids), in_window(col(ChallengeAnswer.answered_at)))
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
        or_(window(col(Poll.closed_at)), window(col(Poll.outcome_at))),
    )
    polls = {
        p.id: PollFact(p.id, p.project_id, p.number, p.question, p.closed_at, p.outcome,
                       p.hide_results)
        for p in session.exec(select(Poll).where(closed).order_by(col(Poll.closed_at)))
        if p.id is not None
    }
    if not polls:
        return []
    votes = func.count(col(PollVote.id))
    for poll_id, text, tally, named in session.exec(
        select(PollOption.poll_id, PollOption.text, PollOption.tally, votes)
        .outerjoin(PollVote, col(PollVote.option_id) == col(PollOption.id))
        .where(col(PollOption.poll_id).in_(select(Poll.id).where(closed)))
        .group_by(col(PollOption.id))
        .order_by(col(PollOption.poll_id), col(PollOption.position))
    ):
        # Anonymous ballots live only in the tally, named ones as vote rows: whichever counted.
        polls[poll_id].options.append((text, max(int(tally or 0), int(named or 0))))
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
