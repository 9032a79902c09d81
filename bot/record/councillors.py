"""Councillors' public records: their projects, answers and response figures.

The figures count only challenges of public projects, so a page never reveals anything about a
project that is not on the record. On a project's page they count that project's challenges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlmodel import Session

from bot.challenges import CouncillorFigures, Given, Received, answer_times, figures_from
from bot.record import texts as T
from bot.record.naming import Names
from bot.record.views import CouncillorLine, CouncillorRecord, GivenAnswer
from storage.repo import people, record

# Upper bounds of the answer-time chart's buckets (the last is open).
BUCKET_LIMITS = (timedelta(days=1), timedelta(days=3), timedelta(days=7), timedelta(days=14),
                 timedelta(days=28))


def _received(r: Row[Any], c: Row[Any]) -> Received:
    return Received(r.challenge_id, r.notified_at, r.reason, c.raised_at, c.status,
                    c.acknowledged_by, c.acknowledged_at, c.escalated_at)


def councillors_on_project(session: Session, names: Names, linked: list[int],
                           challenges: Sequence[Row[Any]], answers: Sequence[Row[Any]],
                           followups: Sequence[Row[Any]], recipients: Sequence[Row[Any]],
                           now: datetime) -> list[CouncillorLine]:
    """The linked councillors with their figures on this project, from rows already read."""
    if not linked:
        return []
    by_id = {c.id: c for c in challenges}
    replies = {f.answer_id: f.reply for f in followups}
    received: dict[int, list[Received]] = defaultdict(list)
    for r in recipients:
        received[r.person_id].append(_received(r, by_id[r.challenge_id]))
    given: dict[int, list[Given]] = defaultdict(list)
    for a in answers:
        given[a.councillor_id].append(Given(a.challenge_id, by_id[a.challenge_id].raised_at,
                                            a.answered_at, replies.get(a.id)))
    wards = record.councillor_wards(session)
    return [CouncillorLine(pid, f"Cllr {names.councillors[pid]}", wards.get(pid, []),
                           figures_from(person_id=pid, name=names.councillors[pid],
                                        received=received[pid], given=given[pid], now=now))
            for pid in linked]


def _public_figures(session: Session, named: dict[int, str], person_ids: list[int], now: datetime
                    ) -> tuple[dict[int, CouncillorFigures], dict[int, list[timedelta]],
                               Sequence[Row[Any]]]:
    """Figures over every public project, in two statements; also the answers' rows."""
    received: dict[int, list[Received]] = defaultdict(list)
    for row in record.received_in_public(session, person_ids=person_ids):
        received[row.person_id].append(_received(row, row))
    answers = record.answers_in_public(session, councillor_ids=person_ids)
    given: dict[int, list[Given]] = defaultdict(list)
    for a in answers:
        given[a.councillor_id].append(Given(a.challenge_id, a.raised_at, a.answered_at, a.reply))
    figures = {pid: figures_from(person_id=pid, name=named[pid], received=received[pid],
                                 given=given[pid], now=now) for pid in person_ids}
    times = {pid: answer_times(received[pid], given[pid]) for pid in person_ids}
    return figures, times, answers


def councillors_index(session: Session, *, now: datetime) -> list[CouncillorLine]:
    named = record.councillor_names(session)
    if not named:
        return []
    figures, _, _ = _public_figures(session, named, list(named), now)
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
    figures, times, answers = _public_figures(session, names.councillors, [person_id], now)
    latest = list(reversed(answers))[:shown]
    given = [GivenAnswer(a.code, a.name, a.number, a.text, names.answer(a)) for a in latest]
    linked = {pid for pid, _ in record.linked_councillors(session, councillor_id=person_id)}
    return CouncillorRecord(
        id=person_id, name=f"Cllr {names.councillors[person_id]}",
        wards=record.councillor_wards(session, person_id=person_id).get(person_id, []),
        portfolios=people.councillor_portfolios(session, person_id=person_id),
        projects=[(p.code, p.name) for p in record.public_projects(session) if p.id in linked],
        figures=figures[person_id], answers=given, answers_total=len(answers),
        answer_times=buckets(times[person_id]),
    )


def buckets(times: list[timedelta]) -> list[tuple[str, int]]:
    counts = [0] * len(T.ANSWER_BUCKETS)
    for t in times:
        index = next((i for i, limit in enumerate(BUCKET_LIMITS) if t < limit), len(BUCKET_LIMITS))
        counts[index] += 1
    return list(zip(T.ANSWER_BUCKETS, counts, strict=True))
