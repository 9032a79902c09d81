"""A public project's challenges as its page shows them: counted, charted and picked by the
database, so a page reads the rows it shows and a few totals, however many challenges there are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, case, func, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from storage.models import Challenge
from storage.repo.record import Rows, challenges_query, challenges_with_support
from storage.types import UTCDateTime

GROUPS = ("awaiting", "escalated", "answered", "withdrawn")  # in the order pages list them
SETTLED = ("answered", "withdrawn")  # listed the latest first, the others the longest waiting first
# The statements built once (their building cost more CPU than SQLite took to run them) take the
# project as this parameter.
PROJECT: Any = bindparam("project_id")


def _group_index() -> Any:
    """A challenge's group, as its index in GROUPS (as ``group_of`` decides it)."""
    return case((col(Challenge.status) == "answered", 2), (col(Challenge.status) == "withdrawn", 3),
                (col(Challenge.escalated_at).is_not(None), 1), else_=0)


def _in_group(group: str) -> Any:
    """The condition that puts a challenge in ``group`` (as ``group_of`` decides it)."""
    if group in SETTLED:
        return col(Challenge.status) == group
    escalated = col(Challenge.escalated_at).is_not(None)
    return and_(col(Challenge.status).not_in(SETTLED), escalated if group == "escalated"
                else ~escalated)


def _grouped(project_id: int | Any) -> Any:
    """(id, group's index in GROUPS, order within the group) of a project's challenges: answered
    and withdrawn ones the latest first, the others the longest waiting first."""
    order = case((col(Challenge.status).in_(SETTLED), -col(Challenge.number)),
                 else_=col(Challenge.number))
    return (sa_select(col(Challenge.id).label("id"), _group_index().label("g"), order.label("k"))
            .where(col(Challenge.project_id) == project_id).subquery())


@dataclass(frozen=True)
class Totals:
    """Challenges per group, and the span of time the monthly chart covers."""

    counts: dict[str, int]
    first_raised: datetime | None
    last_raised: datetime | None
    last_answered: datetime | None  # the latest first answer to a challenge


def totals(session: Session, *, project_id: int) -> Totals:
    """One statement."""
    rows = session.connection().execute(_totals(), {"project_id": project_id}).all()
    counts = dict.fromkeys(GROUPS, 0)
    for g, n, *_ in rows:
        counts[GROUPS[g]] = int(n)
    raised = [t for _, _, first, last, _ in rows for t in (first, last)]
    answered = [last for *_, last in rows if last is not None]
    return Totals(counts, min(raised, default=None), max(raised, default=None),
                  max(answered, default=None))


@cache
def _totals() -> Any:
    # Grouped by a column of a subquery: PostgreSQL does not see two copies of an expression
    # with bound parameters as one.
    times = (sa_select(_group_index().label("g"), col(Challenge.raised_at).label("raised"),
                       col(Challenge.first_answered_at).label("answered"))
             .where(col(Challenge.project_id) == PROJECT).subquery())
    return (sa_select(times.c.g, func.count(), func.min(times.c.raised), func.max(times.c.raised),
                      func.max(times.c.answered))
            .group_by(times.c.g))


def shown(session: Session, *, project_id: int, per_group: int) -> Rows:
    """The first ``per_group`` challenges of each group, in page order, with ``supporters``."""
    rows = session.connection().execute(_shown(), {"project_id": project_id,
                                                   "per_group": per_group}).all()
    return sorted(rows, key=page_order)


@cache
def _shown() -> Any:
    """Each group's first ``per_group`` challenges, read in the order of their numbers through
    the project's index and stopped there (no ranking of all the project's challenges)."""
    number = col(Challenge.number)
    firsts = [sa_select(challenges_query(PROJECT).where(_in_group(group)).order_by(None)
                        .order_by(number.desc() if group in SETTLED else number)
                        .limit(bindparam("per_group")).subquery())
              for group in GROUPS]
    return union_all(*firsts)


def page(session: Session, *, project_id: int, offset: int, limit: int) -> Rows:
    """Challenges ``offset`` to ``offset + limit`` in page order, with ``supporters``."""
    grouped = _grouped(project_id)
    picked = sa_select(grouped.c.id).order_by(grouped.c.g, grouped.c.k).offset(offset).limit(limit)
    return _in_page_order(session, project_id, picked)


def group_of(status: str, escalated_at: datetime | None) -> str:
    """The group a challenge is listed in (as ``_group_index`` and ``_in_group`` decide it in SQL)."""
    if status in SETTLED:
        return status
    return "escalated" if escalated_at is not None else "awaiting"


def page_order(row: Any) -> tuple[int, int]:
    group = GROUPS.index(group_of(row.status, row.escalated_at))
    return group, -row.number if group >= 2 else row.number


def _in_page_order(session: Session, project_id: int, picked: Any) -> Rows:
    return sorted(challenges_with_support(session, project_id=project_id, ids=picked),
                  key=page_order)


def month_counts(session: Session, *, project_id: int, bounds: Sequence[datetime]
                 ) -> dict[tuple[str, int], int]:
    """Challenges raised ("raised") and first answered ("answered") between each two of
    ``bounds``, by the index of the first (months with none left out): one statement."""
    params: dict[str, Any] = {f"bound_{i}": at for i, at in enumerate(bounds)}
    params["project_id"] = project_id
    row = session.connection().execute(_month_counts(len(bounds)), params).one()
    months = len(bounds) - 1  # the raised months' counts, then the answered months'
    return {(("raised", "answered")[i // months], i % months): int(n)
            for i, n in enumerate(row) if n}


@cache
def _month_counts(bounds: int) -> Any:
    """The statement of ``month_counts`` for this many bounds (``bound_0``...): a count per
    month and kind, each read from a range of an index of the project's times (migration 0014),
    not row by row."""
    at = [bindparam(f"bound_{i}", type_=UTCDateTime()) for i in range(bounds)]

    def between(column: Any, i: int) -> Any:
        return (sa_select(func.count()).select_from(Challenge)
                .where(col(Challenge.project_id) == PROJECT, column >= at[i], column < at[i + 1])
                .scalar_subquery())
    return sa_select(*(between(col(column), i)
                       for column in (Challenge.raised_at, Challenge.first_answered_at)
                       for i in range(bounds - 1)))
