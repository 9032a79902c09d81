"""Councillors' response figures on the public record, aggregated by the database.

The same figures as ``bot.challenges.figures_from`` (which a test holds them to), over one
project's challenges or every public project's: a few rows per councillor come back instead of
every challenge, answer and follow-up with their times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Float, and_, bindparam, case, func, literal_column, or_, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col

from storage.models import Challenge, ChallengeAnswer, ChallengeFollowup, ChallengeRecipient, Project
from storage.repo.challenges import OPEN_STATUSES

PUBLIC = col(Project.public_since).is_not(None)
# The statements are built once and run with these parameters: building them costs more CPU than
# SQLite takes to run them on a project of 1,000 challenges.
PEOPLE: Any = bindparam("person_ids", expanding=True)
PROJECT: Any = bindparam("project_id")


class seconds_between(FunctionElement[float]):  # named like the SQL functions beside it
    """``later - earlier`` in seconds, to the millisecond, on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"round((julianday({later}) - julianday({earlier})) * 86400.0, 3)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: seconds_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION)"


@dataclass(frozen=True)
class FigureRow:
    """What ``CouncillorFigures`` holds, for one councillor, as the database counted it."""

    received: int = 0
    acknowledged: int = 0
    answered: int = 0
    median_acknowledge: timedelta | None = None
    median_answer: timedelta | None = None
    answered_before_escalation: int = 0
    answered_or_escalated: int = 0
    followup_replies: int = 0
    followup_satisfied: int = 0
    awaiting: int = 0
    oldest_raised: datetime | None = None  # of the challenges still awaiting


def _scope(query: Any, on_project: bool) -> Any:
    """Challenges of one project (PROJECT), or of every public project."""
    if on_project:
        return query.where(col(Challenge.project_id) == PROJECT)
    return query.join(Project, col(Project.id) == col(Challenge.project_id)).where(PUBLIC)


def _answers_of(query: Any, on_project: bool) -> Any:
    """``query`` over ChallengeAnswer joined to its challenge, of PEOPLE's answers: on one
    project every answer is read through the project's index and the rows of others are left
    to the caller (through a councillor's index, a page would read their answers to every
    other project too)."""
    query = _scope(query.join(Challenge, col(Challenge.id) == col(ChallengeAnswer.challenge_id)),
                   on_project)
    if not on_project:
        return query.where(col(ChallengeAnswer.councillor_id).in_(PEOPLE))
    return query.where(col(ChallengeAnswer.councillor_id).is_not(None))


def _first_answers(on_project: bool) -> Any:
    """(councillor, challenge, time of their first answer to it)."""
    # On one project, ``+ 0`` keeps SQLite from answering a filter on ``pid`` (pushed down from
    # the medians) through the councillors' index instead of the project's.
    pid = col(ChallengeAnswer.councillor_id)
    return _answers_of(
        sa_select((pid + literal_column("0") if on_project else pid).label("pid"),
                  col(ChallengeAnswer.challenge_id).label("cid"),
                  func.min(ChallengeAnswer.answered_at).label("first_at")),
        on_project,
    ).group_by(col(ChallengeAnswer.councillor_id), col(ChallengeAnswer.challenge_id)).cte("first")


def _received(on_project: bool) -> Any:
    return _scope(
        sa_select(col(ChallengeRecipient.person_id).label("pid"),
                  col(ChallengeRecipient.challenge_id).label("cid"),
                  col(ChallengeRecipient.notified_at).label("notified_at"),
                  col(ChallengeRecipient.reason).label("reason"),
                  col(ChallengeRecipient.first_answered_at).label("first_at"),  # their own
                  col(Challenge.raised_at).label("raised_at"),
                  col(Challenge.status).label("status"),
                  col(Challenge.acknowledged_by).label("acknowledged_by"),
                  col(Challenge.acknowledged_at).label("acknowledged_at"),
                  col(Challenge.escalated_at).label("escalated_at"))
        .join(Challenge, col(Challenge.id) == col(ChallengeRecipient.challenge_id))
        .where(col(ChallengeRecipient.person_id).in_(PEOPLE)),
        on_project,
    ).cte("received")


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _median(durations: Any) -> Any:
    """Median seconds per (pid, kind) of a (pid, kind, secs) selectable, for PEOPLE: the
    mean of the one or two middle values, as ``statistics.median``. (The people are picked
    after the ranking, which SQLite cannot push into the answers' scan: on a project's rows it
    would read every answer these councillors gave anywhere.)"""
    ranked = sa_select(
        durations.c.pid, durations.c.kind, durations.c.secs,
        func.row_number().over(partition_by=(durations.c.pid, durations.c.kind),
                               order_by=durations.c.secs).label("rn"),
        func.count().over(partition_by=(durations.c.pid, durations.c.kind)).label("n"),
    ).subquery()
    return (
        sa_select(ranked.c.pid, ranked.c.kind, func.avg(ranked.c.secs))
        .where(ranked.c.rn.between((ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2),
               ranked.c.pid.in_(PEOPLE))
        .group_by(ranked.c.pid, ranked.c.kind)
    )


def _answer_durations(first: Any) -> Any:
    """(pid, 'answer', seconds) from being sent each challenge (raised, if never sent) to the
    councillor's first answer to it. The time it was sent is looked up by the recipient's key:
    SQLite may join two materialized sets row by row."""
    notified = (sa_select(col(ChallengeRecipient.notified_at))
                .where(col(ChallengeRecipient.challenge_id) == first.c.cid,
                       col(ChallengeRecipient.person_id) == first.c.pid)
                .scalar_subquery())
    started = func.coalesce(notified, Challenge.raised_at)
    return (
        sa_select(first.c.pid, literal_column("'answer'").label("kind"),
                  seconds_between(first.c.first_at, started).label("secs"))
        .join(Challenge, col(Challenge.id) == first.c.cid)
    )


def figure_rows(session: Session, *, person_ids: list[int], project_id: int | None = None
                ) -> dict[int, FigureRow]:
    """Each person's figures on one project's challenges, or on every public project's: three
    statements whatever the number of challenges."""
    if not person_ids:
        return {}
    params: dict[str, Any] = {"person_ids": person_ids}
    if project_id is not None:
        params["project_id"] = project_id
    counts, replies, medians = (session.connection().execute(statement, params).all()
                                for statement in _figure_statements(project_id is not None))
    return _assemble(person_ids, counts, replies, medians)


@cache
def _figure_statements(on_project: bool) -> tuple[Any, Any, Any]:
    """The counts, the follow-up replies and the medians, over PEOPLE (and PROJECT)."""
    first, received = _first_answers(on_project), _received(on_project)
    sent = received.c.reason != "escalation"
    before = and_(received.c.first_at.is_not(None),
                  or_(received.c.escalated_at.is_(None),
                      received.c.first_at < received.c.escalated_at))
    acked = and_(received.c.acknowledged_by == received.c.pid,
                 received.c.acknowledged_at.is_not(None))
    waiting = received.c.status.in_(OPEN_STATUSES)
    counts = (
        sa_select(received.c.pid, func.count(), _count(acked), _count(before),
                  _count(or_(before, received.c.escalated_at.is_not(None))), _count(waiting),
                  func.min(case((waiting, received.c.raised_at))).label("oldest"))
        .where(sent).group_by(received.c.pid)
    )
    replies = (
        _answers_of(sa_select(col(ChallengeAnswer.councillor_id), func.count(func.distinct(
                        ChallengeAnswer.challenge_id)), func.count(col(ChallengeFollowup.reply)),
                        _count(col(ChallengeFollowup.reply) == "yes"))
                    .outerjoin(ChallengeFollowup,
                               col(ChallengeFollowup.answer_id) == col(ChallengeAnswer.id)),
                    on_project)
        .group_by(col(ChallengeAnswer.councillor_id))
    )
    acknowledge = (
        sa_select(received.c.pid, literal_column("'acknowledge'").label("kind"),
                  seconds_between(received.c.acknowledged_at, received.c.notified_at).label("secs"))
        .where(sent, acked)
    )
    durations = union_all(acknowledge, _answer_durations(first)).subquery()
    return counts, replies, _median(durations)


def _assemble(person_ids: list[int], counts: Sequence[Any], replies: Sequence[Any],
              medians: Sequence[Any]) -> dict[int, FigureRow]:
    given = {pid: (int(n), int(r), int(y)) for pid, n, r, y in replies if pid in person_ids}
    middle = {(pid, kind): timedelta(seconds=float(secs)) for pid, kind, secs in medians}
    found = {pid: FigureRow() for pid in person_ids}
    for pid, received, acked, before, decided, waiting, oldest in counts:
        found[pid] = FigureRow(received=int(received), acknowledged=int(acked),
                               answered_before_escalation=int(before),
                               answered_or_escalated=int(decided), awaiting=int(waiting),
                               oldest_raised=oldest)
    for pid in person_ids:
        answered, replied, yes = given.get(pid, (0, 0, 0))
        row = found[pid]
        found[pid] = FigureRow(
            received=row.received, acknowledged=row.acknowledged, answered=answered,
            median_acknowledge=middle.get((pid, "acknowledge")),
            median_answer=middle.get((pid, "answer")),
            answered_before_escalation=row.answered_before_escalation,
            answered_or_escalated=row.answered_or_escalated, followup_replies=replied,
            followup_satisfied=yes, awaiting=row.awaiting, oldest_raised=row.oldest_raised)
    return found


def answer_time_counts(session: Session, *, person_id: int, limits: Sequence[timedelta]
                       ) -> list[int]:
    """How many of the person's first answers (public projects) took less than each limit, the
    last count being the rest: one statement."""
    secs = _answer_durations(_first_answers(False)).subquery().c.secs
    # Grouped by a column of a subquery: PostgreSQL cannot tell two copies of an expression
    # with bound parameters apart.
    buckets = sa_select(case(*((secs < limit.total_seconds(), i) for i, limit in enumerate(limits)),
                             else_=len(limits)).label("bucket")).subquery()
    counts = [0] * (len(limits) + 1)
    for index, n in session.connection().execute(
            sa_select(buckets.c.bucket, func.count()).group_by(buckets.c.bucket),
            {"person_ids": [person_id]}):
        counts[int(index)] = int(n)
    return counts
