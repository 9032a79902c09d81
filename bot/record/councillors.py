"""Councillors' public records: their projects, answers and response figures.

The figures count only challenges of public projects, so a page never reveals anything about a
project that is not on the record. On a project's page they count that project's challenges.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.challenges import CouncillorFigures
from bot.record import texts as T
from bot.record.naming import Names
from bot.record.views import CouncillorLine, CouncillorRecord, GivenAnswer
from storage.repo import people, record, record_figures
from storage.repo.record_figures import FigureRow

# Upper bounds of the answer-time chart's buckets (the last is open).
BUCKET_LIMITS = (timedelta(days=1), timedelta(days=3), timedelta(days=7), timedelta(days=14),
                 timedelta(days=28))


def _figures(row: FigureRow, person_id: int, name: str, now: datetime) -> CouncillorFigures:
    return CouncillorFigures(
        person_id=person_id, name=name, received=row.received, acknowledged=row.acknowledged,
        answered=row.answered, median_acknowledge=row.median_acknowledge,
        median_answer=row.median_answer,
        answered_before_escalation=row.answered_before_escalation,
        answered_or_escalated=row.answered_or_escalated, followup_replies=row.followup_replies,
        followup_satisfied=row.followup_satisfied, awaiting=row.awaiting,
        oldest_awaiting=None if row.oldest_raised is None else now - row.oldest_raised)


def councillors_on_project(session: Session, names: Names, linked: list[int], *, project_id: int,
                           now: datetime) -> list[CouncillorLine]:
    """The linked councillors with their figures on this project's challenges."""
    if not linked:
        return []
    rows = record_figures.figure_rows(session, person_ids=linked, project_id=project_id)
    wards = record.councillor_wards(session)
    return [CouncillorLine(pid, f"Cllr {names.councillors[pid]}", wards.get(pid, []),
                           _figures(rows[pid], pid, names.councillors[pid], now))
            for pid in linked]


def _public_figures(session: Session, named: dict[int, str], person_ids: list[int], now: datetime
                    ) -> dict[int, CouncillorFigures]:
    """Figures over every public project."""
    rows = record_figures.figure_rows(session, person_ids=person_ids)
    return {pid: _figures(rows[pid], pid, named[pid], now) for pid in person_ids}


def councillors_index(session: Session, *, now: datetime) -> list[CouncillorLine]:
    named = record.councillor_names(session)
    if not named:
        return []
    figures = _public_figures(session, named, list(named), now)
    wards = record.councillor_wards(session)
    return [CouncillorLine(pid, f"Cllr {name}", wards.get(pid, []), figures[pid])
            for pid, name in named.items()]


def councillor_record(session: Session, *, person_id: int, now: datetime,
                      shown: int | None = None) -> CouncillorRecord | None:
    """A councillor's record, with their ``shown`` latest answers (all of them by default);
    None for anyone who is not a councillor with a name."""
    names = Names.of_project(session, project_id=None)
    if person_id not in names.councillors:
        return None
    figures = _public_figures(session, names.councillors, [person_id], now)
    latest = record.answers_in_public(session, councillor_id=person_id, latest=shown)
    given = [GivenAnswer(a.code, a.name, a.number, a.text, names.answer(a)) for a in latest]
    times = record_figures.answer_time_counts(session, person_id=person_id, limits=BUCKET_LIMITS)
    return CouncillorRecord(
        id=person_id, name=f"Cllr {names.councillors[person_id]}",
        wards=record.councillor_wards(session, person_id=person_id).get(person_id, []),
        portfolios=people.councillor_portfolios(session, person_id=person_id),
        projects=record.councillor_projects(session, councillor_id=person_id),
        figures=figures[person_id], answers=given,
        answers_total=(len(given) if shown is None
                       else record.count_answers_in_public(session, councillor_id=person_id)),
        answer_times=list(zip(T.ANSWER_BUCKETS, times, strict=True)),
    )
